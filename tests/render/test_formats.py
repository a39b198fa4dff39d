"""Golden tests of every output format over one hand-built result.

Set ``ESQLSH_UPDATE_GOLDEN=1`` to rewrite the golden files after an intended change
(then read the diff)."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pyarrow as pa
import pytest
import yaml

from esqlsh.engine.result import Result
from esqlsh.render.formats import FORMATS, RenderOptions, render, to_json

GOLDEN = Path(__file__).parent / "golden"
TEXT_FORMATS = [f for f in FORMATS if f != "arrow"]


def check_golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if os.environ.get("ESQLSH_UPDATE_GOLDEN"):
        path.write_bytes(actual.encode("utf-8"))
    assert path.read_bytes().decode("utf-8") == actual


@pytest.mark.parametrize("fmt", TEXT_FORMATS)
def test_format_golden(result: Result, fmt: str) -> None:
    out = render(result, fmt, RenderOptions())
    assert isinstance(out, str)
    check_golden(f"sample.{fmt}", out)


@pytest.mark.parametrize("fmt", ["table", "csv", "tsv", "txt"])
def test_no_header(result: Result, fmt: str) -> None:
    with_header = render(result, fmt, RenderOptions())
    without = render(result, fmt, RenderOptions(header=False))
    assert isinstance(with_header, str) and isinstance(without, str)
    assert "name" in with_header.splitlines()[0 if fmt != "table" else 1]
    assert "salary" not in without


def test_csv_crlf_like_elasticsearch(result: Result) -> None:
    out = render(result, "csv", RenderOptions(eol="\r\n"))
    assert isinstance(out, str)
    assert out.startswith("name,age,big,salary,ok,born,seen,ip,langs,note\r\n")
    assert out.endswith("a|b\r\n")


def test_json_is_elasticsearch_response(result: Result) -> None:
    out = render(result, "json", RenderOptions())
    assert isinstance(out, str)
    body = json.loads(out)
    assert list(body) == ["took", "is_partial", "columns", "values"]
    assert body["columns"][1] == {"name": "age", "type": "integer"}
    assert body["values"][0][2] == 18446744073709551615
    assert body["values"][0][8] == ["en", "fr"]
    assert body["values"][1][8] == "de"  # one value is the bare value
    assert "12345678.5" not in out and "1.23456785E7" in out  # Java's double text


def test_json_columnar(result: Result) -> None:
    out = render(result, "json", RenderOptions(columnar=True))
    assert isinstance(out, str)
    assert json.loads(out)["values"][0] == ["Georgi", None, "Zoë"]


def test_yaml_parses_to_response(result: Result) -> None:
    out = render(result, "yaml", RenderOptions())
    assert isinstance(out, str)
    body = yaml.safe_load(out)
    assert body["values"][2][0] == "Zoë"
    assert body["values"][0][5] == "1953-09-02T00:00:00.000Z"


def test_arrow_stream(result: Result) -> None:
    out = render(result, "arrow", RenderOptions())
    assert isinstance(out, bytes)
    table = pa.ipc.open_stream(io.BytesIO(out)).read_all()
    assert table.column_names == [a.name for a in result.columns]
    assert table.schema.field("ip").metadata == {b"elastic:type": b"ip"}
    assert table.schema.field("big").type == pa.uint64()
    assert table.column("langs").to_pylist() == [["en", "fr"], ["de"], None]
    assert table.num_rows == 3


def test_table_colour_dims_null(result: Result) -> None:
    out = render(result, "table", RenderOptions(color=True))
    assert isinstance(out, str)
    assert "\x1b[2mnull" in out
    plain = render(result, "table", RenderOptions(color=False))
    assert isinstance(plain, str) and "\x1b[" not in plain


def test_table_fits_terminal_width(result: Result) -> None:
    out = render(result, "table", RenderOptions(width=60))
    assert isinstance(out, str)
    assert max(len(line) for line in out.splitlines()) <= 60


def test_to_json_java_doubles() -> None:
    assert (
        to_json({"a": [1.0, 1e10, 0.5, None, True, "x"]}) == '{"a":[1.0,1.0E10,0.5,null,true,"x"]}'
    )
