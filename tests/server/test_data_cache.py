"""The served cluster's in-memory rows (``esqlsh/server/data_cache.py``): read once,
answered the same as from the files, a replaced file seen at once, files still
changing or too large for the budget never kept, the budget held."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest

from esqlsh.clusters import layout
from esqlsh.clusters.embedded import EmbeddedCluster
from esqlsh.clusters.ingest import load_index
from esqlsh.coordinator.session import run_query
from esqlsh.server.data_cache import FrameCache, ServedCluster

QUERY = "FROM events | STATS n = COUNT(*), s = SUM(x) BY k | SORT k"
MAPPING = {"properties": {"k": {"type": "keyword"}, "x": {"type": "long"}}}


def _settle(cluster_dir: Path) -> None:
    """Date the data files a minute back: files changed within the last second
    are never cached (their stamp could survive a second change)."""
    past = time.time() - 60
    for path in cluster_dir.rglob("*.parquet"):
        os.utime(path, (past, past))


def _load(cluster_dir: Path, rows: int, *, mode: str = "replace", factor: int = 1) -> None:
    source = cluster_dir.parent / f"events-{rows}-{factor}.parquet"
    i = pl.int_range(0, rows, dtype=pl.Int64, eager=True)
    pl.DataFrame({"k": (i % 3).cast(pl.String), "x": i * factor}).write_parquet(source)
    load_index(cluster_dir, "events", source, mapping=MAPPING, mode=mode)  # type: ignore[arg-type]


class CountingCache(FrameCache):
    """Counts how often the data files are really read."""

    reads = 0

    def get(self, files: tuple[Path, ...], read: Callable[[], pl.DataFrame]) -> pl.DataFrame | None:
        def counted() -> pl.DataFrame:
            self.reads += 1
            return read()

        return super().get(files, counted)


def served_cluster(path: Path) -> tuple[ServedCluster, CountingCache]:
    served = ServedCluster(path, name="c")
    served.frames = cache = CountingCache(served.frames.budget)
    return served, cache


@pytest.fixture()
def cluster_dir(tmp_path: Path) -> Path:
    path = tmp_path / "cluster"
    _load(path, 1000)
    _settle(path)
    return path


def test_rows_are_read_once_and_answer_as_the_files_do(cluster_dir: Path) -> None:
    served, cache = served_cluster(cluster_dir)
    want = run_query(QUERY, EmbeddedCluster(cluster_dir, name="c"))
    for _ in range(3):
        got = run_query(QUERY, served)
        assert got.frame.equals(want.frame)
    assert cache.reads == 1
    assert len(cache) == 1 and cache.used > 0


def test_a_replaced_file_is_seen_at_once(cluster_dir: Path) -> None:
    served, cache = served_cluster(cluster_dir)
    before = run_query(QUERY, served).frame
    _load(cluster_dir, 1000, factor=2)
    _settle(cluster_dir)
    after = run_query(QUERY, served).frame
    assert after["s"].to_list() == [2 * s for s in before["s"].to_list()]
    assert cache.reads == 2


def test_files_still_changing_are_not_kept(cluster_dir: Path) -> None:
    served, cache = served_cluster(cluster_dir)
    for path in cluster_dir.rglob("*.parquet"):
        path.touch()
    want = run_query(QUERY, EmbeddedCluster(cluster_dir, name="c"))
    assert run_query(QUERY, served).frame.equals(want.frame)
    assert cache.reads == 0 and len(cache) == 0


def test_refresh_forgets_the_rows(cluster_dir: Path) -> None:
    served, cache = served_cluster(cluster_dir)
    run_query(QUERY, served)
    served.refresh()
    assert len(cache) == 0
    run_query(QUERY, served)
    assert cache.reads == 2


def test_files_too_large_for_the_budget_are_scanned(cluster_dir: Path) -> None:
    files = tuple(layout.data_files(cluster_dir / "events"))
    on_disk = sum(p.stat().st_size for p in files)
    cache = FrameCache(budget=on_disk * 2)  # decoded, it could be bigger
    calls: list[int] = []
    assert cache.get(files, lambda: calls.append(1) or pl.DataFrame()) is None
    assert calls == [] and len(cache) == 0


def test_the_budget_holds_least_recently_used_out(tmp_path: Path) -> None:
    dirs = []
    for n in range(3):
        path = tmp_path / f"c{n}"
        _load(path, 2000, factor=n + 1)
        _settle(path)
        dirs.append(tuple(layout.data_files(path / "events")))
    frames = [pl.read_parquet(list(f)) for f in dirs]
    one = int(frames[0].estimated_size())
    on_disk = max(sum(p.stat().st_size for p in f) for f in dirs)
    cache = FrameCache(budget=2 * one + one // 2)  # room for two
    assert 4 * on_disk <= cache.budget, "the files must look small enough to keep"
    for files, frame in zip(dirs, frames, strict=True):
        assert cache.get(files, lambda frame=frame: frame) is frame
    assert len(cache) == 2 and cache.used <= cache.budget
    reads: list[int] = []
    assert cache.get(dirs[2], lambda: reads.append(2) or frames[2]) is frames[2]
    # The first one was dropped: asking again reads it (and drops the next oldest).
    cache.get(dirs[0], lambda: reads.append(0) or frames[0])
    assert reads == [0]
    assert len(cache) == 2
