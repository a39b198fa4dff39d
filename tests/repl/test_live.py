"""The live per-cluster display: its state fed as the coordinator reports, its
lines, the rich display on a stream, and the registry view counting rows."""

from __future__ import annotations

import io
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from esqlsh.coordinator.clusters_info import (
    SKIPPED,
    SUCCESSFUL,
    ClustersInfo,
    failure,
    shards_of,
)
from esqlsh.repl.live import LiveDisplay, ObservedRegistry, QueryProgress

from .shell_world import build_clusters, registry_of, write_config


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_query_no_cluster_reports_on_is_one_line() -> None:
    clock = Clock()
    progress = QueryProgress("home", clock)
    clock.now += 0.25
    assert progress.lines() == ["* query running 250 ms"]


def test_lines_follow_the_coordinators_reports() -> None:
    clock = Clock()
    progress = QueryProgress("home", clock)
    info = ClustersInfo.running(
        [("home", "logs", False), ("c1", "logs", True), ("c2", "logs", True)],
        listener=progress.update,
    )
    clock.now += 1.5
    progress.received("home", 3)
    info.finish("home", SUCCESSFUL, 12, shards=shards_of(1))
    info.finish("c2", SKIPPED, 40, failures=[failure("x", "gone")])
    progress.received("c1", 1)
    assert progress.lines() == [
        "✓ (local) successful 3 rows 12 ms",
        "* c1 running 1 row 1.5 s",
        "- c2 skipped 40 ms",
    ]


def test_the_renderable_has_a_spinner_per_running_cluster() -> None:
    from rich.console import Console

    progress = QueryProgress(None)
    ClustersInfo.running([("c1", "logs", True)], listener=progress.update)
    spinners: dict[str, Any] = {}
    console = Console(file=io.StringIO(), width=80, color_system=None)
    console.print(progress.renderable(spinners))
    assert "c1" in console.file.getvalue() and "running" in console.file.getvalue()  # type: ignore[attr-defined]
    assert set(spinners) == {"c1"}


def test_the_display_draws_after_its_delay_and_goes_away() -> None:
    stream = io.StringIO()
    progress = QueryProgress(None)
    ClustersInfo.running([("c1", "logs", True)], listener=progress.update)
    display = LiveDisplay(progress, stream, color=False, delay=0.01)
    with display:
        time.sleep(0.3)
    drawn = stream.getvalue()
    assert "c1" in drawn and "running" in drawn
    # transient: the last thing written moves the cursor back over the lines.
    assert drawn.rstrip().endswith(("\x1b[2K", "\x1b[?25h"))


def test_a_fast_query_never_draws() -> None:
    stream = io.StringIO()
    display = LiveDisplay(QueryProgress(None), stream, color=False, delay=5)
    display.start()
    display.stop()
    assert stream.getvalue() == ""


@pytest.fixture(scope="module")
def clusters(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return build_clusters(tmp_path_factory.mktemp("live"))


def test_observed_registry_counts_rows_and_runs_the_query(
    clusters: dict[str, Path], tmp_path: Path
) -> None:
    from esqlsh.coordinator.fanout import run_federated

    registry = registry_of(write_config(tmp_path / "c.yaml", clusters))
    progress = QueryProgress(registry.local)
    observed = ObservedRegistry(registry, progress.received)
    result = run_federated(
        "FROM logs,cluster_*:logs | KEEP host | LIMIT 100",
        observed,
        progress=progress.update,
        cancel=threading.Event(),
    )
    assert result.frame.height == 7
    lines = progress.lines()
    assert lines[0].startswith("✓ (local) successful 3 rows")
    assert lines[1].startswith("✓ cluster_one successful 2 rows")
    assert lines[2].startswith("✓ cluster_two successful 2 rows")
    assert observed["cluster_one"].kind == "embedded"  # everything else passes through
