"""The vectorised CSV reader against a line-by-line model of Elasticsearch's
loader (the csv module plus ``multiValuesAwareCsvToStringArray``'s regrouping,
as esqlsh first implemented it)."""

from __future__ import annotations

import csv
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from esqlsh.clusters.csv_cells import line_cells, read_csv_columns
from esqlsh.clusters.source_lines import read_line_blocks
from esqlsh.errors import IllegalArgumentError

# --- the model --------------------------------------------------------------------


def model_read(text: str) -> tuple[list[str], list[list[list[str] | None]]]:
    """Column names and each row's values, or IllegalArgumentError."""
    numbered = [(n, line.strip()) for n, line in enumerate(text.split("\n"), start=1)]
    numbered = [(n, line) for n, line in numbered if line and not line.startswith("//")]
    if not numbered:
        return [], []
    rows = [next(csv.reader([line], skipinitialspace=True)) for _, line in numbered]
    names = [e.partition(":")[0].strip() for e in model_regroup(rows[0], numbered[0][0])]
    out = []
    for (line_no, _), row in zip(numbered[1:], rows[1:], strict=True):
        entries = model_regroup(row, line_no)
        if len(entries) != len(names):
            raise IllegalArgumentError(
                f"Error line [{line_no}]: Incorrect number of entries; "
                f"expected [{len(names)}] but found [{len(entries)}]"
            )
        out.append([model_values(e) for e in entries])
    return names, out


def model_regroup(tokens: list[str], line_no: int) -> list[str]:
    merged: list[str] = []
    for token in tokens:
        if merged and merged[-1].endswith("\\") and not merged[-1].endswith("\\\\"):
            merged[-1] += "," + token
        else:
            merged.append(token)
    out: list[str] = []
    pending: list[str] | None = None
    for token in merged:
        entry = token.strip()
        if pending is None:
            if entry.startswith("[") and not entry.endswith("]"):
                pending = [entry]
            elif entry.endswith("]") and not entry.startswith("["):
                raise IllegalArgumentError(
                    f"Error line [{line_no}]: Unexpected end of a multi-value field value "
                    f"(no previous starting point); found [{entry}]"
                )
            else:
                out.append(entry)
        else:
            pending.append(entry)
            if entry.endswith("]"):
                out.append(",".join(pending))
                pending = None
    if pending is not None:
        raise IllegalArgumentError(
            f"Error line [{line_no}]: Unexpected start of a multi-value field value; "
            f"current token [{pending[0]}], no closing point"
        )
    return out


def model_values(cell: str) -> list[str] | None:
    c = cell.strip().replace("\\,", "\x01")
    parts = c[1:-1].split(",") if c.startswith("[") and c.endswith("]") and len(c) >= 2 else [c]
    values = []
    for part in parts:
        v = part.strip()
        if v.startswith('"') and v.endswith('"') and len(v) >= 2:
            v = v[1:-1]
        v = v.replace("\x01", ",")
        if v:
            values.append(v)
    return values or None


# --- comparisons --------------------------------------------------------------------


def read_new(path: Path) -> tuple[list[str], list[list[list[str] | None]]]:
    frame, _ = read_csv_columns(path)
    return frame.columns, [list(r) for r in frame.rows()]


def outcome(fn, path: Path) -> object:
    try:
        return fn(path)
    except IllegalArgumentError as e:
        return ("error", str(e))


_PIECES = st.sampled_from(list('ab ,[]"\\\t\u00a0') + ["[a", "b]", ", ", '"x,y"', "\\,", '""'])


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(lines=st.lists(st.lists(_PIECES, max_size=10).map("".join), max_size=5))
def test_matches_model(tmp_path: Path, lines: list[str]) -> None:
    text = "a,b:keyword,c\n" + "\n".join(lines) + "\n"
    path = tmp_path / "f.csv"
    path.write_text(text, encoding="utf-8")
    assert outcome(read_new, path) == outcome(model_read, text)


@pytest.mark.parametrize(
    ("line", "cells"),
    [
        ("a,b", ["a", "b"]),
        ("a, [b, c] ,d", ["a", "[b, c]", "d"]),
        ("[a]x, b], c", ["[a]x, b]", "c"]),
        ("[a], [b", ["[a]", "[b"]),
        ('"Cy, Jr",x', ["Cy\x00 Jr", "x"]),
        ('"a ""q"" b"tail,x', ['a "q" btail', "x"]),
        ("p\\,q,r", ["p\\\x00q", "r"]),
        ('[x\\,y, "z"],p', ["[x\\\x00y,z]", "p"]),
        (",", ["", ""]),
    ],
)
def test_line_cells(line: str, cells: list[str]) -> None:
    # The placeholder for a comma inside a value is restored by line_cells.
    expected = [c.replace("\x00", ",") for c in cells]
    assert line_cells(pl.Series([line])).to_list() == [expected]


@pytest.mark.parametrize("odd", ["", "x\x1fy", "a\rb"])
def test_blocks_keep_line_numbers(tmp_path: Path, odd: str) -> None:
    path = tmp_path / "lines.txt"
    path.write_bytes(b"\xef\xbb\xbfone\r\ntwo\n\n" + odd.encode() + b"\nfour")
    blocks = list(read_line_blocks(path, block_bytes=5))
    frame = pl.concat(blocks).with_columns(pl.col("line").str.strip_suffix("\r"))
    assert frame.rows() == [(1, "one"), (2, "two"), (3, ""), (4, odd), (5, "four")]
    assert len(blocks) > 1


def test_small_blocks_give_the_same_table(tmp_path: Path, monkeypatch) -> None:
    rows = "\n".join(f"{i},[x{i}, y],{'' if i % 3 else 'z'}" for i in range(50))
    path = tmp_path / "t.csv"
    path.write_text("// c\nn:long,m,o\n" + rows + "\n", encoding="utf-8")
    whole = read_csv_columns(path)[0]
    import esqlsh.clusters.source_lines as source_lines

    monkeypatch.setattr(source_lines, "BLOCK_BYTES", 64)
    split = read_csv_columns(path)[0]
    assert split.rows() == whole.rows()
    assert split.height == 50


def test_error_line_numbers_count_skipped_lines(tmp_path: Path) -> None:
    path = tmp_path / "e.csv"
    path.write_text("// c\n\na,b\n1,2\n\n// x\n1,2,3\n", encoding="utf-8")
    with pytest.raises(IllegalArgumentError, match=r"^Error line \[7\]: Incorrect number"):
        read_csv_columns(path)
