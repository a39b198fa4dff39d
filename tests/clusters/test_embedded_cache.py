"""EmbeddedCluster's metadata cache: repeated lookups cost a few ``stat`` calls
(not a read of every index), and what ``esqlsh load`` writes into the directory of
an open cluster is seen by its next query."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import esqlsh.clusters.embedded as embedded
from esqlsh.clusters import layout
from esqlsh.clusters.embedded import EmbeddedCluster
from esqlsh.clusters.ingest import load_index, write_aliases
from esqlsh.coordinator.session import run_query

N_INDICES = 12

Write = Callable[[str, str], Path]


def backdate(root: Path, seconds: int = 60) -> None:
    """Make every path under ``root`` look ``seconds`` old: cached values read from
    them are then trusted (see ``_RACY_NS``), as on a cluster loaded a while ago."""
    then = time.time_ns() - seconds * 1_000_000_000
    for folder, dirs, files in os.walk(root):
        for name in [*dirs, *files]:
            os.utime(os.path.join(folder, name), ns=(then, then))
    os.utime(root, ns=(then, then))


@pytest.fixture
def root(tmp_path: Path, write: Write) -> Path:
    root = tmp_path / "c"
    for i in range(N_INDICES):
        load_index(root, f"idx-{i:02d}", write(f"{i}.csv", f"n:long\n{i}\n{i + 100}\n"))
    load_index(root, ".hidden", write("h.csv", "n:long\n1\n"))
    write_aliases(root, {"first": ["idx-00"]})
    backdate(root)
    return root


@pytest.fixture
def stats(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The paths the cache stats, as it stats them."""
    seen: list[str] = []
    real = embedded._stat

    def counting(path: str) -> embedded.Stamp:
        seen.append(path)
        return real(path)

    monkeypatch.setattr(embedded, "_stat", counting)
    yield seen


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The index metadata the cache (re)reads."""
    seen: list[str] = []
    real = EmbeddedCluster._read_meta

    def counting(self: EmbeddedCluster, index: str) -> embedded.IndexMeta:
        seen.append(index)
        return real(self, index)

    monkeypatch.setattr(EmbeddedCluster, "_read_meta", counting)
    return seen


def count(query: str, cluster: EmbeddedCluster) -> int:
    return int(run_query(query, cluster).frame.item())


# --- cost ------------------------------------------------------------------------------


def test_concrete_lookups_stat_a_few_paths(root: Path, stats: list[str], reads: list[str]) -> None:
    cluster = EmbeddedCluster(root)
    assert cluster.resolve("idx-03") == ["idx-03"]
    assert cluster.index("idx-03") is not None
    assert reads == ["idx-03"]
    stats.clear()
    for _ in range(5):
        assert cluster.resolve("idx-03") == ["idx-03"]
        assert cluster.index("idx-03") is not None
        cluster.scan("idx-03", ["n"])
    assert reads == ["idx-03"]  # never read again
    # per round: the cluster folder and aliases file (resolve), the listing
    # again and the index's 4 paths (index), the index's 4 paths (scan)
    assert len(stats) == 5 * 11
    assert not any("idx-07" in path for path in stats)


def test_concrete_query_cost_does_not_grow_with_the_cluster(
    root: Path, stats: list[str], write: Write
) -> None:
    cluster = EmbeddedCluster(root)
    query = "FROM idx-01 | STATS c = COUNT(*)"
    assert count(query, cluster) == 2
    stats.clear()
    count(query, cluster)
    small = len(stats)
    for i in range(N_INDICES, 3 * N_INDICES):
        load_index(root, f"idx-{i:02d}", write(f"{i}.csv", "n:long\n1\n"))
    backdate(root)
    assert count(query, cluster) == 2
    stats.clear()
    count(query, cluster)
    assert len(stats) == small


def test_wildcards_stat_each_index_once(root: Path, stats: list[str], reads: list[str]) -> None:
    cluster = EmbeddedCluster(root)
    expected = [f"idx-{i:02d}" for i in range(N_INDICES)]
    assert cluster.resolve("*") == expected
    stats.clear()
    assert cluster.resolve("*") == expected
    assert cluster.resolve(".h*") == [".hidden"]
    # a wildcard needs the hidden setting of each index it matches (one settings
    # file each), and of no other: "*" all of them, ".h*" one
    assert len(stats) == (2 + N_INDICES + 1) + (2 + 1)
    assert reads == []  # resolving reads no index's mapping or data files


def test_recent_values_are_read_again(
    tmp_path: Path, write: Write, reads: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A value read within the timestamp granularity of a change is not trusted
    # (a window of ~11 days here, so the test does not depend on its speed).
    load_index(tmp_path, "fresh", write("a.csv", "n:long\n1\n"))
    cluster = EmbeddedCluster(tmp_path)
    usual = embedded._RACY_NS
    monkeypatch.setattr(embedded, "_RACY_NS", 10**15)
    cluster.index("fresh")
    cluster.index("fresh")
    assert reads == ["fresh", "fresh"]
    monkeypatch.setattr(embedded, "_RACY_NS", usual)
    backdate(tmp_path)
    cluster.index("fresh")
    cluster.index("fresh")
    assert reads == ["fresh"] * 3


# --- staying right -------------------------------------------------------------------


def test_a_new_index_is_seen_by_an_open_cluster(root: Path, write: Write) -> None:
    cluster = EmbeddedCluster(root)
    assert count("FROM idx-* | STATS c = COUNT(*)", cluster) == 2 * N_INDICES
    load_index(root, "late", write("late.csv", "n:long\n1\n2\n3\n"))
    assert count("FROM late | STATS c = COUNT(*)", cluster) == 3
    assert "late" in cluster.resolve("*")
    assert count("FROM * | STATS c = COUNT(*)", cluster) == 2 * N_INDICES + 3


def test_replaced_and_appended_indices_are_seen(root: Path, write: Write) -> None:
    cluster = EmbeddedCluster(root)
    assert run_query("FROM idx-02 | KEEP n | SORT n", cluster).frame.rows() == [(2,), (102,)]
    load_index(root, "idx-02", write("r.csv", "m:keyword\nnew\n"), mode="replace")
    result = run_query("FROM idx-02 | KEEP m", cluster)
    assert result.frame.rows() == [("new",)]
    load_index(root, "idx-02", write("r2.csv", "m:keyword\nnewer\n"))
    assert count("FROM idx-02 | STATS c = COUNT(*)", cluster) == 2


def test_quick_successive_loads_are_each_seen(root: Path, write: Write) -> None:
    # No pause between a query and the next load: the racy rule must catch
    # changes that land within one timestamp tick.
    cluster = EmbeddedCluster(root)
    for i in range(1, 6):
        load_index(root, "burst", write(f"b{i}.csv", "n:long\n1\n"))
        assert count("FROM burst | STATS c = COUNT(*)", cluster) == i


def test_settings_and_aliases_changes_are_seen(root: Path, write: Write) -> None:
    cluster = EmbeddedCluster(root)
    assert "idx-04" in cluster.resolve("idx-*")
    settings = root / "idx-04" / layout.SETTINGS_FILE
    layout.write_json(settings, {"index": {"hidden": True}})
    assert "idx-04" not in cluster.resolve("idx-*")
    assert cluster.index("idx-00").aliases == ("first",)  # type: ignore[union-attr]
    assert cluster.index("idx-05").aliases == ()  # type: ignore[union-attr]
    write_aliases(root, {"second": ["idx-05"]})
    assert cluster.resolve("second") == ["idx-05"]
    assert cluster.index("idx-05").aliases == ("second",)  # type: ignore[union-attr]


def test_a_hand_edited_mapping_is_seen(root: Path) -> None:
    cluster = EmbeddedCluster(root)
    assert set(cluster.index("idx-06").fields) == {"n"}  # type: ignore[union-attr]
    path = root / "idx-06" / layout.MAPPING_FILE
    mapping = json.loads(path.read_text())
    mapping["properties"]["by_hand"] = {"type": "keyword"}
    path.write_text(json.dumps(mapping))  # in place, not renamed
    assert set(cluster.index("idx-06").fields) == {"n", "by_hand"}  # type: ignore[union-attr]


def test_a_folder_becomes_an_index_when_its_mapping_is_written(root: Path, write: Write) -> None:
    folder = root / "pending"
    folder.mkdir()
    backdate(root)  # so only the watch on the folder itself can see the mapping arrive
    cluster = EmbeddedCluster(root)
    assert "pending" not in cluster.indices()
    assert "pending" not in cluster.indices()  # cached
    load_index(root, "pending", write("p.csv", "n:long\n1\n"))
    assert "pending" in cluster.indices()
    assert count("FROM pending | STATS c = COUNT(*)", cluster) == 1


def test_removed_index_disappears(root: Path) -> None:
    cluster = EmbeddedCluster(root)
    assert "idx-08" in cluster.resolve("*")
    for path in (root / "idx-08").iterdir():
        path.unlink()
    (root / "idx-08").rmdir()
    assert "idx-08" not in cluster.resolve("*")
    assert cluster.index("idx-08") is None


def test_scan_of_no_columns_keeps_the_rows(root: Path) -> None:
    cluster = EmbeddedCluster(root)
    frame = cluster.scan("idx-09", []).collect()
    assert frame.shape == (2, 0)
