"""EmbeddedCluster: the Storage protocol over a cluster directory."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from esqlsh.analysis.types import DataType
from esqlsh.clusters import layout
from esqlsh.clusters.base import EnrichPolicy, Storage
from esqlsh.clusters.embedded import EmbeddedCluster, UnknownFieldError
from esqlsh.clusters.ingest import load_index, write_aliases, write_policy
from esqlsh.engine.compiled import PHYSICAL


@pytest.fixture
def cluster(tmp_path: Path, write) -> EmbeddedCluster:
    root = tmp_path / "c"
    load_index(
        root,
        "logs-a",
        write("a.csv", "n:long,tag:keyword,ip:ip\n1,[x,y],10.0.0.1\n2,,\n"),
        mapping={
            "properties": {
                "n": {"type": "long"},
                "missing": {"type": "double"},
                "vec": {"type": "dense_vector"},
                "n_alias": {"type": "alias", "path": "n"},
            }
        },
    )
    load_index(root, "logs-b", write("b.csv", "n:long\n3\n"))
    load_index(root, "ranges", write("r.csv", "r:integer_range,d:keyword\n1..5,low\n"))
    load_index(root, ".internal", write("i.csv", "n:long\n9\n"))
    load_index(
        root, "lookup", write("l.csv", "n:long\n1\n"), settings={"index": {"mode": "lookup"}}
    )
    load_index(root, "visible.dot", write("v.csv", "n:long\n1\n"))
    write_aliases(root, {"logs": ["logs-a", "logs-b"]})
    write_policy(
        root,
        "by_ip",
        {"match": {"indices": ["logs-a"], "match_field": "ip", "enrich_fields": ["tag", "n"]}},
    )
    return EmbeddedCluster(root)


def test_is_a_storage(cluster: EmbeddedCluster) -> None:
    storage: Storage = cluster
    assert storage.name == "c"
    assert EmbeddedCluster(cluster.path, name="local").name == "local"


def test_construction_reads_nothing(tmp_path: Path) -> None:
    ghost = EmbeddedCluster(tmp_path / "does-not-exist")
    assert ghost.indices() == []
    assert ghost.resolve("*") == []
    assert ghost.policies() == {}
    assert ghost.index("x") is None


def test_index_info(cluster: EmbeddedCluster) -> None:
    info = cluster.index("logs-a")
    assert info is not None
    assert info.name == "logs-a"
    assert info.fields == {
        "ip": DataType.IP,
        "missing": DataType.DOUBLE,
        "n": DataType.LONG,
        "n_alias": DataType.LONG,
        "tag": DataType.KEYWORD,
        "vec": DataType.UNSUPPORTED,
    }
    assert info.mode == "standard"
    assert info.aliases == ("logs",)
    assert cluster.index("lookup").mode == "lookup"  # type: ignore[union-attr]
    assert cluster.index("logs") is None  # an alias is not an index
    assert cluster.index("nope") is None


def test_resolve(cluster: EmbeddedCluster) -> None:
    assert cluster.resolve("logs*") == ["logs-a", "logs-b"]
    assert cluster.resolve("*,-logs-*,-logs") == ["lookup", "ranges", "visible.dot"]
    # '*' also matched the alias 'logs'; excluding the indices leaves the alias
    assert cluster.resolve("*,-logs-*") == ["logs-a", "logs-b", "lookup", "ranges", "visible.dot"]
    assert cluster.resolve("logs") == ["logs-a", "logs-b"]
    assert cluster.resolve(".*") == [".internal"]
    assert cluster.resolve(".internal,nope") == [".internal"]


def test_hidden_setting(tmp_path: Path, write) -> None:
    load_index(
        tmp_path, "secret", write("a.csv", "n:long\n1\n"), settings={"index": {"hidden": True}}
    )
    load_index(tmp_path, ".shown", write("a.csv", "n:long\n1\n"), settings={"index.hidden": False})
    cluster = EmbeddedCluster(tmp_path)
    assert cluster.resolve("*") == [".shown"]
    assert cluster.resolve("secret") == ["secret"]


def test_scan_physical_types_and_values(cluster: EmbeddedCluster) -> None:
    frame = cluster.scan("logs-a").collect()
    assert frame.columns == ["ip", "missing", "n", "n_alias", "tag", "vec"]
    assert frame.schema["n"] == PHYSICAL[DataType.LONG]
    assert frame.schema["missing"] == pl.Float64  # absent from the data: all null of its type
    assert frame.schema["vec"] == pl.Null  # unsupported
    assert frame.schema["tag"] == pl.List(pl.String)
    assert frame.to_dicts() == [
        {"ip": "10.0.0.1", "missing": None, "n": 1, "n_alias": 1, "tag": ["x", "y"], "vec": None},
        {"ip": None, "missing": None, "n": 2, "n_alias": 2, "tag": None, "vec": None},
    ]
    assert cluster.multi_valued("logs-a") == {"tag"}


def test_scan_projection_is_pushed_into_parquet(cluster: EmbeddedCluster) -> None:
    lf = cluster.scan("logs-a", ["n", "missing"])
    plan = lf.explain()
    assert "PROJECT 1/" in plan
    assert lf.collect().to_dicts() == [{"n": 1, "missing": None}, {"n": 2, "missing": None}]
    # only constants: still one row per document
    assert cluster.scan("logs-a", ["missing"]).collect().height == 2


def test_scan_metadata_fields(cluster: EmbeddedCluster) -> None:
    frame = cluster.scan("logs-b", ["_index", "_version", "_id", "n"]).collect()
    row = frame.row(0, named=True)
    assert row["_index"] == "logs-b" and row["_version"] == 1 and row["n"] == 3
    assert isinstance(row["_id"], str) and row["_id"]


def test_scan_unknown_column(cluster: EmbeddedCluster) -> None:
    with pytest.raises(UnknownFieldError):
        cluster.scan("logs-a", ["nope"])


def test_scan_ranges_raw(cluster: EmbeddedCluster) -> None:
    assert cluster.index("ranges").fields["r"] is DataType.UNSUPPORTED  # type: ignore[union-attr]
    assert cluster.scan("ranges").collect().to_dicts() == [{"d": "low", "r": None}]
    assert cluster.scan("ranges", ["r"], raw=True).collect().to_dicts() == [
        {"r": {"gte": 1, "lte": 4}}
    ]
    assert cluster.field_specs("ranges")["r"].type == "integer_range"


def test_empty_index(tmp_path: Path) -> None:
    folder = tmp_path / "empty"
    layout.write_json(
        folder / layout.MAPPING_FILE,
        {"properties": {"a": {"type": "keyword"}, "b": {"type": "date"}}},
    )
    cluster = EmbeddedCluster(tmp_path)
    assert cluster.resolve("*") == ["empty"]
    frame = cluster.scan("empty").collect()
    assert frame.height == 0
    assert frame.schema == pl.Schema({"a": pl.String, "b": pl.Datetime("ms", "UTC")})
    assert cluster.row_count("empty") == 0


def test_policies(cluster: EmbeddedCluster) -> None:
    assert cluster.policies() == {
        "by_ip": EnrichPolicy("by_ip", "match", ("logs-a",), "ip", ("tag", "n")),
    }


def test_metadata_is_cached_and_refreshed(cluster: EmbeddedCluster, write) -> None:
    assert cluster.index("logs-b").fields == {"n": DataType.LONG}  # type: ignore[union-attr]
    load_index(cluster.path, "logs-b", write("b2.csv", "n:long,extra:keyword\n4,z\n"))
    assert cluster.index("logs-b").fields == {"extra": DataType.KEYWORD, "n": DataType.LONG}  # type: ignore[union-attr]
    assert cluster.row_count("logs-b") == 2
    load_index(cluster.path, "logs-c", write("c.csv", "n:long\n5\n"))
    assert cluster.resolve("logs-*") == ["logs-a", "logs-b", "logs-c"]
    # a hand edit of a mapping file is seen too
    path = cluster.path / "logs-c" / layout.MAPPING_FILE
    mapping = json.loads(path.read_text())
    mapping["properties"]["added_by_hand"] = {"type": "keyword"}
    path.write_text(json.dumps(mapping))
    assert "added_by_hand" in cluster.index("logs-c").fields  # type: ignore[union-attr]
    cluster.refresh()
    assert "added_by_hand" in cluster.index("logs-c").fields  # type: ignore[union-attr]


def test_directories_that_are_not_indices_are_ignored(cluster: EmbeddedCluster) -> None:
    (cluster.path / "Not_An_Index").mkdir()
    (cluster.path / "no_mapping").mkdir()
    cluster.refresh()
    assert "no_mapping" not in cluster.indices()
    assert "Not_An_Index" not in cluster.indices()


def test_constant_keyword_fills_every_document(tmp_path: Path, write) -> None:
    mapping = {"properties": {"env": {"type": "constant_keyword", "value": "prod"}}}
    load_index(tmp_path, "t", write("a.csv", "n:long\n1\n2\n"), mapping=mapping)
    assert EmbeddedCluster(tmp_path).scan("t", ["env", "n"]).collect().to_dicts() == [
        {"env": "prod", "n": 1},
        {"env": "prod", "n": 2},
    ]
