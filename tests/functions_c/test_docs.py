"""docs/FUNCTIONS.md and ``\\help``: generated from the registry, so that every
function a user can call is documented and every documented function exists."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

import pytest

from esqlsh.analysis.registry import all_functions, help_text, lookup, public_functions

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "FUNCTIONS.md"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "gen_functions_doc", ROOT / "scripts" / "gen_functions_doc.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _documented() -> list[str]:
    return re.findall(r"^### ([A-Z0-9_]+)$", DOC.read_text(encoding="utf-8"), re.MULTILINE)


def test_doc_is_up_to_date() -> None:
    assert DOC.read_text(encoding="utf-8") == _generator().render(), (
        "docs/FUNCTIONS.md is stale: run .venv/bin/python scripts/gen_functions_doc.py"
    )


def test_every_function_is_documented_once() -> None:
    documented = _documented()
    assert len(documented) == len(set(documented))
    public = {fn.name.upper() for fn in public_functions()}
    assert public - set(documented) == set()


def test_every_documented_function_exists() -> None:
    for name in _documented():
        fn = lookup(name)
        assert fn is not None and fn.kind != "operator", name


def test_operators_and_aliases_are_not_entries_of_their_own() -> None:
    documented = set(_documented())
    for key, fn in all_functions().items():
        if fn.kind == "operator" or key != fn.name:
            assert key.upper() not in documented


def test_functions_not_provided_are_not_in_the_registry() -> None:
    for names in _generator().NOT_PROVIDED:
        for name in names.split(", "):
            if "*" not in name:
                assert lookup(name) is None, name


def test_help_text_shows_signature_types_doc_and_example() -> None:
    text = help_text("round")
    lines = text.splitlines()
    assert lines[0] == "ROUND(number, [decimals])"
    assert "  number    double | integer | long | unsigned_long" in lines
    assert any(line.startswith("  decimals  integer | long, optional") for line in lines)
    assert "  returns: double | integer | long | unsigned_long" in lines
    assert lookup("round").doc in lines  # type: ignore[union-attr]
    clamp = help_text("CLAMP").splitlines()
    assert clamp[-2:] == ["Example:", "  ROW x = 15 | EVAL c = CLAMP(x, 1, 10)"]


def test_help_text_of_aliases_and_unknown_names() -> None:
    assert help_text("to_str") == help_text("to_string")
    assert "  aliases: TO_STR" in help_text("to_string").splitlines()
    with pytest.raises(KeyError):
        help_text("no_such_function")
    with pytest.raises(KeyError):
        help_text("add")  # an operator
