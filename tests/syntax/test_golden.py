"""Golden files: ``golden/NAME.esql`` is parsed; ``golden/NAME.expected`` holds the
canonical printed query and the AST. ``invalid.txt`` holds invalid queries and the
exact error Elasticsearch gives for each.

Regenerate the expected files with ``ESQLSH_UPDATE_GOLDEN=1 pytest tests/syntax``
and review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from esqlsh.errors import EsqlError
from esqlsh.syntax.parser import parse
from esqlsh.syntax.printer import to_esql
from tests.syntax.astwalk import dump

HERE = Path(__file__).parent
GOLDEN = sorted((HERE / "golden").glob("*.esql"))
UPDATE = os.environ.get("ESQLSH_UPDATE_GOLDEN") == "1"
NEWLINE = "↵"  # how invalid.txt writes a newline inside a query or a message


def render(query: str) -> str:
    tree = parse(query)
    return f"-- printed\n{to_esql(tree)}\n-- ast\n{dump(tree)}\n"


@pytest.mark.parametrize("path", GOLDEN, ids=[p.stem for p in GOLDEN])
def test_golden(path: Path) -> None:
    actual = render(path.read_text(encoding="utf-8").rstrip("\n"))
    expected_path = path.with_suffix(".expected")
    if UPDATE:
        expected_path.write_text(actual, encoding="utf-8")
    assert actual == expected_path.read_text(encoding="utf-8")


def invalid_cases() -> list[tuple[str, str]]:
    """``invalid.txt``: a query line, then a ``=> error`` line; ``#`` comments."""
    cases: list[tuple[str, str]] = []
    query: str | None = None
    for line in (HERE / "invalid.txt").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith("=> "):
            assert query is not None, line
            cases.append((query, line[3:].replace(NEWLINE, "\n")))
            query = None
        else:
            query = line.replace(NEWLINE, "\n")
    return cases


INVALID = invalid_cases()


@pytest.mark.parametrize(("query", "error"), INVALID, ids=[q for q, _ in INVALID])
def test_invalid(query: str, error: str) -> None:
    with pytest.raises(EsqlError) as info:
        parse(query)
    assert str(info.value) == error


def test_invalid_file_is_not_empty() -> None:
    assert len(INVALID) > 50
