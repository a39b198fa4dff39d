"""Reading CSV / NDJSON / Parquet and loading them into an index."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest

from esqlsh.analysis.types import DataType
from esqlsh.clusters import layout
from esqlsh.clusters.embedded import EmbeddedCluster
from esqlsh.clusters.ingest import (
    StrictDynamicMappingError,
    load_index,
    read_csv,
    read_ndjson,
    split_cells,
    write_aliases,
    write_policy,
)
from esqlsh.clusters.names import InvalidIndexNameError
from esqlsh.errors import IllegalArgumentError

TYPED_CSV = """\
// a comment
emp_no:integer , name:k, tags:keyword, seen:date, ip:ip, ok:bool , score:d
1, Ann  ,[b, a,b],2024-01-02T03:04:05Z,10.0.0.1,true,1.5

2,Bob,[],1704164645000,::ffff:10.0.0.2,,[2.5,-1]
3,"Cy, Jr",solo,,[::1, 10.0.0.1],false,
"""


def test_read_typed_csv(write) -> None:
    table = read_csv(write("a.csv", TYPED_CSV))
    assert table.header_types == {
        "emp_no": "integer",
        "name": "keyword",
        "tags": "keyword",
        "seen": "date",
        "ip": "ip",
        "ok": "boolean",
        "score": "double",
    }
    rows = table.frame.to_dicts()
    assert rows[0]["name"] == ["Ann"]
    assert rows[0]["tags"] == ["b", "a", "b"]
    assert rows[1]["tags"] is None and rows[1]["ok"] is None
    assert rows[2]["name"] == ["Cy, Jr"]
    assert rows[2]["ip"] == ["::1", "10.0.0.1"]


def test_load_typed_csv(tmp_path: Path, write) -> None:
    assert load_index(tmp_path / "c", "people", write("a.csv", TYPED_CSV)) == 3
    cluster = EmbeddedCluster(tmp_path / "c")
    info = cluster.index("people")
    assert info is not None
    assert info.fields == {
        "emp_no": DataType.INTEGER,
        "ip": DataType.IP,
        "name": DataType.KEYWORD,
        "ok": DataType.BOOLEAN,
        "score": DataType.DOUBLE,
        "seen": DataType.DATETIME,
        "tags": DataType.KEYWORD,
    }
    assert cluster.multi_valued("people") == {"ip", "score", "tags"}
    rows = cluster.scan("people").sort("emp_no").collect().to_dicts()
    assert rows[0]["tags"] == ["a", "b"]
    assert rows[0]["seen"] == datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert rows[1]["seen"] == datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert rows[1]["ip"] == ["10.0.0.2"]
    assert rows[2]["ip"] == ["::1", "10.0.0.1"]
    assert rows[1]["score"] == [-1.0, 2.5]
    assert rows[2]["score"] is None and rows[2]["seen"] is None
    assert [r["ok"] for r in rows] == [True, None, False]


def test_escaped_commas_and_quoted_multivalue_elements(write) -> None:
    table = read_csv(write("e.csv", 'a:keyword,b:keyword\n[x\\,y, "z"],p\\,q\n'))
    assert table.frame.to_dicts() == [{"a": ["x,y", "z"], "b": ["p,q"]}]


def test_split_cells() -> None:
    cells = pl.Series("c", ["", " x ", "[a, b ,c]", "[]", "[ ]", "[only]", "[a,,b]"])
    assert split_cells(cells).to_list() == [
        None,
        ["x"],
        ["a", "b", "c"],
        None,
        None,
        ["only"],
        ["a", "b"],
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "a:k,b:k\n1,2,3\n",
            "Error line [2]: Incorrect number of entries; expected [2] but found [3]",
        ),
        (
            "a:k,b:k\n[1,2\n",
            "Error line [2]: Unexpected start of a multi-value field value; current token [[1], no closing point",
        ),
        (
            "a:k,b:k\n1],2\n",
            "Error line [2]: Unexpected end of a multi-value field value (no previous starting point); found [1]]",
        ),
    ],
)
def test_csv_errors(write, text: str, message: str) -> None:
    with pytest.raises(IllegalArgumentError) as err:
        read_csv(write("bad.csv", text))
    assert str(err.value) == message


def test_untyped_csv_infers_types(tmp_path: Path, write) -> None:
    load_index(
        tmp_path,
        "t",
        write("u.csv", "n,x,when,flag,word\n1,1.5,2024-01-01,true,hi\n2,3,2024-01-02,false,yo\n"),
    )
    info = EmbeddedCluster(tmp_path).index("t")
    assert info is not None
    assert info.fields == {
        "flag": DataType.BOOLEAN,
        "n": DataType.LONG,
        "when": DataType.DATETIME,
        "word": DataType.KEYWORD,
        "x": DataType.DOUBLE,
    }


def test_header_text_gets_keyword_multifield(tmp_path: Path, write) -> None:
    load_index(tmp_path, "t", write("t.csv", "msg:text\n[hello, abc, hello]\n"))
    cluster = EmbeddedCluster(tmp_path)
    assert cluster.index("t").fields == {"msg": DataType.TEXT, "msg.keyword": DataType.KEYWORD}  # type: ignore[union-attr]
    row = cluster.scan("t").collect().row(0, named=True)
    assert row == {"msg": ["hello", "abc", "hello"], "msg.keyword": ["abc", "hello"]}


MAPPING = {
    "properties": {
        "languages": {
            "type": "byte",
            "fields": {"long": {"type": "long"}, "kw": {"type": "keyword"}},
        },
        "height": {
            "type": "half_float",
            "fields": {"scaled": {"type": "scaled_float", "scaling_factor": 10}},
        },
        "who": {"properties": {"first": {"type": "keyword"}, "age": {"type": "short"}}},
        "blob": {"type": "binary"},
        "when": {"type": "date", "format": "epoch_second"},
    }
}


def test_mapping_widening_and_multifields(tmp_path: Path, write) -> None:
    csv = "languages,languages.long,height,who.first,who.age,blob,when\n[3,1],99,1.26,ann,40,AAA=,1700000000\n"
    load_index(tmp_path, "m", write("m.csv", csv), mapping=MAPPING)
    cluster = EmbeddedCluster(tmp_path)
    info = cluster.index("m")
    assert info is not None
    assert info.fields == {
        "blob": DataType.UNSUPPORTED,
        "height": DataType.DOUBLE,
        "height.scaled": DataType.DOUBLE,
        "languages": DataType.INTEGER,
        "languages.kw": DataType.KEYWORD,
        "languages.long": DataType.LONG,
        "when": DataType.DATETIME,
        "who.age": DataType.INTEGER,
        "who.first": DataType.KEYWORD,
    }
    row = cluster.scan("m").collect().row(0, named=True)
    assert row["languages"] == [1, 3]
    # multi-fields take the parent's values (the CSV's languages.long is not read)
    assert row["languages.long"] == [1, 3]
    assert row["languages.kw"] == ["1", "3"]
    assert row["height"] == 1.259765625
    assert row["height.scaled"] == 1.3
    assert row["who.age"] == 40 and row["who.first"] == "ann"
    assert row["blob"] is None
    assert row["when"] == datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)
    schema = cluster.scan("m").collect_schema()
    assert schema["languages"] == pl.List(pl.Int32) and schema["who.age"] == pl.Int32


def test_dynamic_false_drops_and_strict_rejects(tmp_path: Path, write) -> None:
    src = write("d.csv", "a:keyword,b:keyword\nx,y\n")
    load_index(
        tmp_path, "f", src, mapping={"dynamic": False, "properties": {"a": {"type": "keyword"}}}
    )
    assert EmbeddedCluster(tmp_path).index("f").fields == {"a": DataType.KEYWORD}  # type: ignore[union-attr]
    with pytest.raises(StrictDynamicMappingError) as err:
        load_index(
            tmp_path,
            "s",
            src,
            mapping={"dynamic": "strict", "properties": {"a": {"type": "keyword"}}},
        )
    assert (
        str(err.value)
        == "mapping set to strict, dynamic introduction of [b] within [_doc] is not allowed"
    )


def test_field_type_cannot_change_on_append(tmp_path: Path, write) -> None:
    load_index(tmp_path, "t", write("a.csv", "a:long\n1\n"))
    with pytest.raises(
        IllegalArgumentError,
        match=r"mapper \[a\] cannot be changed from type \[long\] to \[keyword\]",
    ):
        load_index(
            tmp_path,
            "t",
            write("b.csv", "a:keyword\nx\n"),
            mapping={"properties": {"a": {"type": "keyword"}}},
        )


def test_bad_value_names_the_document(tmp_path: Path, write) -> None:
    with pytest.raises(
        Exception, match=r"failed to parse field \[n\] of type \[long\] in document with id '7'"
    ):
        load_index(tmp_path, "t", write("a.csv", "_id:keyword,n:long\n7,x\n"))


def test_invalid_index_name(tmp_path: Path, write) -> None:
    with pytest.raises(InvalidIndexNameError, match=r"must be lowercase"):
        load_index(tmp_path, "Bad", write("a.csv", "a\n1\n"))
    with pytest.raises(InvalidIndexNameError):
        load_index(tmp_path, "../escape", write("a.csv", "a\n1\n"))
    assert not (tmp_path.parent / "escape").exists()


def test_append_adds_a_part_or_rewrites(tmp_path: Path, write) -> None:
    folder = tmp_path / "t"
    load_index(tmp_path, "t", write("a.csv", "n:long,s:keyword\n1,a\n"))
    load_index(tmp_path, "t", write("b.csv", "n:long,s:keyword\n2,b\n"))
    assert [p.name for p in layout.data_files(folder)] == ["data.parquet", "data-0001.parquet"]
    # a multi-value where the index had single values: everything is rewritten as lists
    load_index(tmp_path, "t", write("c.csv", "n:long,s:keyword\n3,[c,d]\n"))
    assert [p.name for p in layout.data_files(folder)] == ["data.parquet"]
    cluster = EmbeddedCluster(tmp_path)
    frame = cluster.scan("t").sort("n").collect()
    assert frame["s"].to_list() == [["a"], ["b"], ["c", "d"]]
    # a new column rewrites too; old rows get nulls
    load_index(tmp_path, "t", write("d.csv", "n:long,extra:keyword\n4,e\n"))
    frame = cluster.scan("t").sort("n").collect()
    assert frame["extra"].to_list() == [None, None, None, "e"]
    assert frame["_id" if "_id" in frame.columns else "n"].len() == 4
    ids = cluster.scan("t", ["_id"]).collect()["_id"]
    assert ids.n_unique() == 4


def test_replace_mode(tmp_path: Path, write) -> None:
    load_index(
        tmp_path, "t", write("a.csv", "n:long\n1\n2\n"), settings={"index": {"mode": "lookup"}}
    )
    load_index(tmp_path, "t", write("b.csv", "m:keyword\nx\n"), mode="replace")
    cluster = EmbeddedCluster(tmp_path)
    info = cluster.index("t")
    assert info is not None and info.fields == {"m": DataType.KEYWORD} and info.mode == "standard"
    assert cluster.scan("t").collect().to_dicts() == [{"m": "x"}]


NDJSON = """\
{"_id": "a", "user": {"name": "ann", "langs": ["fr", "en", "fr"]}, "n": 1, "price": 1.50, "ok": true, "at": "2024-01-01T00:00:00Z"}
{"user": {"name": "bob"}, "n": [3, 2], "price": 2, "ok": false, "at": "2024-01-02", "loc": {"lat": 1.5, "lon": 2.5}, "nothing": null}

{"user": {"name": null}, "tags": [[1, 2], [3]], "objs": [{"k": "x"}, {"k": "y"}]}
"""


def test_read_ndjson(write) -> None:
    table = read_ndjson(write("d.ndjson", NDJSON))
    assert table.frame.columns == [
        "_id",
        "user.name",
        "user.langs",
        "n",
        "price",
        "ok",
        "at",
        "loc.lat",
        "loc.lon",
        "tags",
        "objs.k",
    ]
    assert table.json_kinds["price"] == frozenset({"float", "int"})
    assert table.frame["price"].to_list() == [["1.50"], ["2"], None]
    assert table.frame["tags"].to_list() == [None, None, ["1", "2", "3"]]
    kept = read_ndjson(write("d.ndjson", NDJSON), keep_objects=["loc"])
    assert kept.frame["loc"].to_list()[1] == ['{"lat": 1.5, "lon": 2.5}']


def test_load_ndjson(tmp_path: Path, write) -> None:
    mapping = {"properties": {"loc": {"type": "geo_point"}, "price": {"type": "keyword"}}}
    load_index(tmp_path, "docs", write("d.ndjson", NDJSON), mapping=mapping)
    cluster = EmbeddedCluster(tmp_path)
    info = cluster.index("docs")
    assert info is not None
    assert info.fields == {
        "at": DataType.DATETIME,
        "loc": DataType.GEO_POINT,
        "n": DataType.LONG,
        "objs.k": DataType.KEYWORD,
        "ok": DataType.BOOLEAN,
        "price": DataType.KEYWORD,
        "tags": DataType.LONG,
        "user.langs": DataType.KEYWORD,
        "user.name": DataType.KEYWORD,
    }
    rows = cluster.scan("docs", ["_id", "user.langs", "n", "price", "loc"]).collect().to_dicts()
    assert rows[0] == {
        "_id": "a",
        "user.langs": ["en", "fr"],
        "n": [1],
        "price": "1.50",
        "loc": None,
    }
    assert rows[1]["n"] == [2, 3] and rows[1]["loc"] == "POINT (2.5 1.5)"


def test_load_parquet(tmp_path: Path) -> None:
    src = tmp_path / "in.parquet"
    pl.DataFrame(
        {
            "i": pl.Series([1, 2], dtype=pl.Int16),
            "f": pl.Series([1.25, None], dtype=pl.Float64),
            "s": ["a", "b"],
            "l": [[3, 1], None],
            "ts": [datetime(2024, 1, 1, 12), None],
            "obj": [{"x": 1, "y": "p"}, {"x": 2, "y": "q"}],
        }
    ).write_parquet(src)
    load_index(tmp_path / "c", "p", src)
    cluster = EmbeddedCluster(tmp_path / "c")
    info = cluster.index("p")
    assert info is not None
    assert info.fields == {
        "f": DataType.DOUBLE,
        "i": DataType.INTEGER,
        "l": DataType.LONG,
        "obj.x": DataType.LONG,
        "obj.y": DataType.KEYWORD,
        "s": DataType.KEYWORD,
        "ts": DataType.DATETIME,
    }
    rows = cluster.scan("p").collect().to_dicts()
    assert rows[0] == {
        "f": 1.25,
        "i": 1,
        "l": [1, 3],
        "obj.x": 1,
        "obj.y": "p",
        "s": "a",
        "ts": datetime(2024, 1, 1, 12, tzinfo=UTC),
    }


def test_policies_and_aliases(tmp_path: Path, write) -> None:
    load_index(tmp_path, "hosts", write("h.csv", "ip:ip,name:keyword\n10.0.0.1,a\n"))
    write_policy(
        tmp_path,
        "hosts",
        {"match": {"indices": "hosts", "match_field": "ip", "enrich_fields": ["name"]}},
    )
    assert (
        json.loads((tmp_path / "_enrich" / "hosts.json").read_text())["match"]["match_field"]
        == "ip"
    )
    with pytest.raises(IllegalArgumentError, match="exactly one of"):
        write_policy(tmp_path, "p", {"indices": "hosts"})
    with pytest.raises(
        IllegalArgumentError, match=r"Invalid policy name \[Bad\], must be lowercase"
    ):
        write_policy(
            tmp_path, "Bad", {"match": {"indices": "h", "match_field": "ip", "enrich_fields": []}}
        )
    write_aliases(tmp_path, {"machines": "hosts"})
    with pytest.raises(
        IllegalArgumentError, match="an index or data stream exists with the same name"
    ):
        write_aliases(tmp_path, {"hosts": "hosts"})
    with pytest.raises(InvalidIndexNameError, match="already exists as alias"):
        load_index(tmp_path, "machines", write("h.csv", "ip:ip\n10.0.0.1\n"))
