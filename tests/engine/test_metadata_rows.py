"""Metadata fields keep the scan's row count: a column of constants (``_index``,
``_version``) has one value per document, also when no index field is read."""

from __future__ import annotations

import pytest

from esqlsh.clusters.embedded import EmbeddedCluster
from esqlsh.clusters.ingest import load_index
from esqlsh.coordinator.session import run_query


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> EmbeddedCluster:
    root = tmp_path_factory.mktemp("meta")
    src = root / "src"
    src.mkdir()
    (src / "a.csv").write_text("n:long,tag:keyword\n1,x\n2,y\n3,z\n")
    (src / "b.csv").write_text("n:long\n10\n20\n")
    load_index(root / "c", "a", src / "a.csv")
    load_index(root / "c", "b", src / "b.csv")
    return EmbeddedCluster(root / "c")


def rows(query: str, cluster: EmbeddedCluster) -> list[tuple[object, ...]]:
    return run_query(query, cluster).frame.rows()


def test_keep_index_only(cluster: EmbeddedCluster) -> None:
    assert rows("FROM a METADATA _index | KEEP _index", cluster) == [("a",)] * 3


def test_keep_index_over_several_indices(cluster: EmbeddedCluster) -> None:
    got = rows("FROM a,b METADATA _index | KEEP _index", cluster)
    assert sorted(got) == [("a",)] * 3 + [("b",)] * 2


def test_stats_count_by_index(cluster: EmbeddedCluster) -> None:
    query = "FROM a,b METADATA _index | STATS c = COUNT(*) BY _index | SORT _index"
    assert rows(query, cluster) == [(3, "a"), (2, "b")]


def test_stats_count_by_version(cluster: EmbeddedCluster) -> None:
    query = "FROM a,b METADATA _version | STATS c = COUNT(*) BY _version"
    assert rows(query, cluster) == [(5, 1)]


def test_eval_of_version_only(cluster: EmbeddedCluster) -> None:
    assert rows("FROM a METADATA _version | EVAL x = _version | KEEP x", cluster) == [(1,)] * 3


def test_limit_after_metadata_only(cluster: EmbeddedCluster) -> None:
    got = rows("FROM a,b METADATA _index | KEEP _index | LIMIT 4", cluster)
    assert len(got) == 4
    assert rows("FROM b METADATA _index | KEEP _index | LIMIT 10", cluster) == [("b",)] * 2


def test_several_metadata_fields_only(cluster: EmbeddedCluster) -> None:
    query = "FROM a,b METADATA _index, _version | KEEP _version, _index"
    assert sorted(rows(query, cluster)) == [(1, "a")] * 3 + [(1, "b")] * 2


def test_ids_only(cluster: EmbeddedCluster) -> None:
    got = rows("FROM a,b METADATA _id | KEEP _id", cluster)
    assert len(got) == 5
    assert len(set(got)) == 5


def test_constant_eval_over_metadata_only(cluster: EmbeddedCluster) -> None:
    query = "FROM a,b METADATA _index | EVAL k = 1 | KEEP k, _index"
    assert sorted(rows(query, cluster)) == [(1, "a")] * 3 + [(1, "b")] * 2


def test_metadata_with_a_field(cluster: EmbeddedCluster) -> None:
    query = "FROM a,b METADATA _index | KEEP _index, n | SORT n"
    assert rows(query, cluster) == [("a", 1), ("a", 2), ("a", 3), ("b", 10), ("b", 20)]


def test_filter_on_index_then_count(cluster: EmbeddedCluster) -> None:
    query = 'FROM a,b METADATA _index | WHERE _index == "b" | STATS c = COUNT(*)'
    assert rows(query, cluster) == [(2,)]
