"""Golden tests: ``golden/NAME.esql`` analysed over the test catalog must print as
``golden/NAME.expected`` (``plan_to_text``), and every query of ``invalid.txt``
must fail with exactly its error. ``ESQLSH_REGEN_GOLDEN=1`` rewrites the
``.expected`` files (review the diff)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from esqlsh.analysis.analyzer import analyze
from esqlsh.errors import EsqlError
from esqlsh.plan.explain import plan_to_text
from esqlsh.syntax.parser import parse
from tests.analysis.conftest import make_catalog

HERE = Path(__file__).parent
GOLDEN = sorted((HERE / "golden").glob("*.esql"))


@pytest.mark.parametrize("path", GOLDEN, ids=[p.stem for p in GOLDEN])
def test_golden_plan(path: Path) -> None:
    text = plan_to_text(analyze(parse(path.read_text().strip()), make_catalog())) + "\n"
    expected = path.with_suffix(".expected")
    if os.environ.get("ESQLSH_REGEN_GOLDEN"):
        expected.write_text(text)
    assert text == expected.read_text()


def _invalid_cases() -> list[tuple[str, str, object, str]]:
    cases = []
    blocks = (HERE / "invalid.txt").read_text().split("\n### ")[1:]
    for block in blocks:
        name, rest = block.split("\n", 1)
        head, expected = rest.split("\n---\n", 1)
        lines = [line for line in head.splitlines() if line.strip()]
        params = None
        if lines[-1].startswith("params:"):
            params = json.loads(lines.pop()[len("params:") :])
        cases.append((name.strip(), "\n".join(lines), params, expected.strip()))
    return cases


INVALID = _invalid_cases()


@pytest.mark.parametrize(
    ("name", "query", "params", "expected"), INVALID, ids=[c[0] for c in INVALID]
)
def test_invalid_query(name: str, query: str, params: object, expected: str) -> None:
    with pytest.raises(EsqlError) as info:
        analyze(parse(query), make_catalog(), params)  # type: ignore[arg-type]
    assert info.value.reason == expected
