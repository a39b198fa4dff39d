"""Golden renderings of the shell's result table (``render/table.py``) at a fixed
width of 100 columns without colour, and what colour adds (escapes only).

Set ``ESQLSH_UPDATE_GOLDEN=1`` to rewrite the files after an intended change (then
read the diff)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import polars as pl
import pytest

from esqlsh.analysis.types import DataType as T
from esqlsh.engine.result import Result
from esqlsh.plan.logical import Attribute
from esqlsh.render.table import (
    TableOptions,
    needs_pager,
    render_result,
    render_warnings,
    text_size,
)

from .conftest import sample_result

GOLDEN = Path(__file__).parent / "golden" / "table"
WIDTH = 100
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def check_golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if os.environ.get("ESQLSH_UPDATE_GOLDEN"):
        path.write_bytes(actual.encode("utf-8"))
    assert path.read_bytes().decode("utf-8") == actual


def employees() -> Result:
    columns = (
        Attribute("emp_no", T.INTEGER),
        Attribute("first_name", T.KEYWORD),
        Attribute("languages", T.KEYWORD),
        Attribute("salary", T.DOUBLE),
        Attribute("hired", T.DATETIME),
        Attribute("still_hired", T.BOOLEAN),
    )
    frame = pl.DataFrame(
        [
            pl.Series("emp_no", [10001, 10002, 10003], pl.Int32),
            pl.Series("first_name", ["Georgi", "Bezalel", None]),
            pl.Series("languages", [["en", "fr"], ["de"], None], pl.List(pl.String)),
            pl.Series("salary", [57305.5, -3.25, None], pl.Float64),
            pl.Series("hired", [0, 1_000_000_000_000, None], pl.Int64).cast(
                pl.Datetime("ms", "UTC")
            ),
            pl.Series("still_hired", [True, False, None], pl.Boolean),
        ]
    )
    return Result(columns, frame)


def notes() -> Result:
    text = (
        "A long message that cannot fit in the width of a terminal of one hundred columns, "
        "so the table wraps it over several lines instead of cutting it short."
    )
    columns = (Attribute("id", T.LONG), Attribute("message", T.TEXT))
    frame = pl.DataFrame([pl.Series("id", [1, 22], pl.Int64), pl.Series("message", [text, "ok"])])
    return Result(columns, frame)


def empty() -> Result:
    columns = (Attribute("a", T.LONG), Attribute("b", T.KEYWORD))
    return Result(columns, pl.DataFrame(schema={"a": pl.Int64, "b": pl.String}))


CASES = {
    "employees.txt": (employees, TableOptions(width=WIDTH)),
    "employees-types.txt": (employees, TableOptions(width=WIDTH, types=True)),
    "wrapped.txt": (notes, TableOptions(width=WIDTH)),
    "too-wide.txt": (sample_result, TableOptions(width=WIDTH)),
    "empty.txt": (empty, TableOptions(width=WIDTH)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden(name: str) -> None:
    make, options = CASES[name]
    check_golden(name, render_result(make(), options))


def test_warnings_golden() -> None:
    text = render_warnings(
        [
            "Line 1:37: evaluation of [a + 1] failed, treating result as null. Only first 20 failures recorded.",
            "Line 1:37: java.lang.ArithmeticException: integer overflow",
        ]
    )
    check_golden("warnings.txt", text)


def test_numbers_are_right_aligned_and_nulls_read_null() -> None:
    lines = render_result(employees(), TableOptions(width=WIDTH)).splitlines()
    header = lines[1]
    first, third = lines[3], lines[5]
    # emp_no right-aligned under its header; a null double is the text "null".
    assert header.index("emp_no") + len("emp_no") == first.index("10001") + len("10001")
    assert "[en, fr]" in first and "null" in third
    assert first.rstrip().endswith("│")


def test_a_table_that_fits_never_exceeds_the_width() -> None:
    for make in (employees, notes):
        width, _ = text_size(render_result(make(), TableOptions(width=WIDTH)))
        assert width <= WIDTH


def test_too_wide_keeps_every_value_whole() -> None:
    text = render_result(sample_result(), TableOptions(width=WIDTH))
    assert "18446744073709551615" in text and "2023-10-23T13:55:01.543123456Z" in text
    assert text_size(text)[0] > WIDTH


def test_colour_only_adds_escapes_and_dims_null() -> None:
    plain = render_result(employees(), TableOptions(width=WIDTH))
    coloured = render_result(employees(), TableOptions(width=WIDTH, color=True, types=True))
    assert "\x1b[2mnull" in coloured
    assert ANSI.sub("", render_result(employees(), TableOptions(width=WIDTH, color=True))) == plain
    assert "\x1b[" not in plain
    assert "double" in ANSI.sub("", coloured)


def test_no_columns_render_nothing() -> None:
    assert render_result(Result((), pl.DataFrame())) == ""


def test_needs_pager() -> None:
    text = render_result(employees(), TableOptions())
    width, height = text_size(text)
    assert not needs_pager(text, width, height + 1)
    assert needs_pager(text, width - 1, 1000)
    assert needs_pager(text, 1000, height)
    assert text_size("\x1b[1mab\x1b[0m\nc") == (2, 2)
