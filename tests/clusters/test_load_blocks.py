"""Loading a typed CSV block by block gives what loading it whole gives: the same
files, the same mapping, the same first error."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from esqlsh.analysis.types import DataType
from esqlsh.clusters import layout, source_lines
from esqlsh.clusters.convert import DocumentParsingError
from esqlsh.clusters.embedded import EmbeddedCluster
from esqlsh.clusters.ingest import load_index, load_table, read_csv


@pytest.fixture
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(source_lines, "BLOCK_BYTES", 200)


def _rows(n: int, tags_from: int = 0) -> str:
    lines = []
    for i in range(n):
        tags = f"[t{i % 3}, t{i % 2}, t{i % 3}]" if i >= tags_from and i % 4 == 0 else f"t{i % 5}"
        when = "" if i % 7 == 0 else f"2024-01-{1 + i % 28:02d}T00:00:00Z"
        lines.append(f"{i},{tags},{when},10.0.{i % 256}.1,{i * 0.5}")
    return "n:long,tags:keyword,when:date,addr:ip,x:double\n" + "\n".join(lines) + "\n"


def _files(cluster: Path, index: str) -> list[pl.DataFrame]:
    return [pl.read_parquet(p) for p in layout.data_files(cluster / index)]


@pytest.mark.usefixtures("small_blocks")
@pytest.mark.parametrize("tags_from", [0, 150])
def test_same_files_as_whole_file_loading(tmp_path: Path, write, tags_from: int) -> None:
    src = write("t.csv", _rows(200, tags_from))
    assert load_index(tmp_path / "blocks", "t", src) == 200
    load_table(tmp_path / "whole", "t", read_csv(src), mode="replace")
    blocks, whole = _files(tmp_path / "blocks", "t"), _files(tmp_path / "whole", "t")
    assert len(blocks) == len(whole) == 1
    assert blocks[0].schema == whole[0].schema
    assert blocks[0].equals(whole[0])
    # A multi-value in a late block makes the column a list in every row.
    assert blocks[0].schema["tags"] == pl.List(pl.String)
    assert (tmp_path / "blocks/t/mapping.json").read_text() == (
        tmp_path / "whole/t/mapping.json"
    ).read_text()


@pytest.mark.usefixtures("small_blocks")
def test_first_error_is_the_first_field_in_mapping_order(tmp_path: Path, write) -> None:
    rows = [f"{i},{i},{i}" for i in range(100)]
    rows[80] = "late,80,80"  # a, the first field, fails in a late block
    rows[3] = "3,early,3"  # b fails in the first block
    src = write("e.csv", "a:long,b:long,c:long\n" + "\n".join(rows) + "\n")
    with pytest.raises(DocumentParsingError) as by_blocks:
        load_index(tmp_path / "blocks", "e", src)
    with pytest.raises(DocumentParsingError) as whole:
        load_table(tmp_path / "whole", "e", read_csv(src))
    assert str(by_blocks.value) == str(whole.value)
    assert "field [a] of type [long]" in str(by_blocks.value)
    assert "Preview of field's value: 'late'" in str(by_blocks.value)


@pytest.mark.usefixtures("small_blocks")
def test_error_in_a_late_block_names_its_document(tmp_path: Path, write) -> None:
    rows = [f"{i},{i}" for i in range(100)]
    rows[90] = "id90,x"
    src = write("e.csv", "_id:keyword,n:long\n" + "\n".join(rows) + "\n")
    with pytest.raises(DocumentParsingError, match=r"in document with id 'id90'"):
        load_index(tmp_path, "e", src)


def test_append_single_values_to_a_list_column(tmp_path: Path, write) -> None:
    load_index(tmp_path, "t", write("a.csv", "n:long,s:keyword\n1,[a,b]\n"))
    load_index(tmp_path, "t", write("b.csv", "n:long,s:keyword\n2,c\n3,\n"))
    assert [p.name for p in layout.data_files(tmp_path / "t")] == [
        "data.parquet",
        "data-0001.parquet",
    ]
    frame = EmbeddedCluster(tmp_path).scan("t").sort("n").collect()
    assert frame["s"].to_list() == [["a", "b"], ["c"], None]


def test_untyped_columns_are_inferred_from_the_whole_file(tmp_path: Path, write) -> None:
    load_index(tmp_path, "t", write("u.csv", "n,v:keyword\n1,a\n2.5,b\n"))
    info = EmbeddedCluster(tmp_path).index("t")
    assert info is not None and info.fields["n"] == DataType.DOUBLE
