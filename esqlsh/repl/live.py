"""The live display of a running query: one line per cluster (spinner, status,
rows received, elapsed), redrawn on stderr while the query runs.

``QueryProgress`` is the state, fed from the coordinator's threads: its
``update`` is ``run_federated``'s ``progress`` callback, its ``received`` counts a
cluster's rows (``ObservedRegistry`` wraps each cluster's ``run`` to see them).
``LiveDisplay`` draws it with ``rich.live.Live`` once the query has run for a
moment (a fast query never flickers a display), and removes it when done: the
result and the final status table follow.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from typing import IO, TYPE_CHECKING, Any

from esqlsh.coordinator.clusters_info import (
    FAILED,
    LOCAL_LABEL,
    PARTIAL,
    RUNNING,
    SKIPPED,
    SUCCESSFUL,
    ClusterInfo,
)
from esqlsh.render.status import STATUS_STYLES

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.live import Live

    from esqlsh.clusters.registry import Cluster, FragmentResult

# What a finished cluster shows where a running one spins.
MARKS = {SUCCESSFUL: "✓", PARTIAL: "~", SKIPPED: "-", FAILED: "✗"}
SINGLE = "query"  # the line of a query no cluster reports on (single cluster)


class QueryProgress:
    """Each cluster's latest entry and rows received, safe to feed from any thread."""

    def __init__(self, local: str | None, clock: Callable[[], float] = time.monotonic):
        self.local = local
        self.clock = clock
        self.started = clock()
        self._lock = threading.Lock()
        self._entries: dict[str, ClusterInfo] = {}
        self._rows: dict[str, int] = {}

    def update(self, entry: ClusterInfo) -> None:
        """``run_federated``'s ``progress``: a cluster's entry changed."""
        with self._lock:
            self._entries[entry.alias] = entry

    def received(self, alias: str, rows: int) -> None:
        with self._lock:
            self._rows[alias] = self._rows.get(alias, 0) + rows

    def elapsed_ms(self) -> int:
        return int((self.clock() - self.started) * 1000)

    def snapshot(self) -> list[tuple[str, str, int | None, int]]:
        """``(label, status, rows, elapsed ms)`` per cluster, local first; one
        ``query`` line while no cluster has reported (a single-cluster query)."""
        with self._lock:
            entries = list(self._entries.values())
            rows = dict(self._rows)
        now = self.elapsed_ms()
        if not entries:
            return [(SINGLE, RUNNING, None, now)]
        return [
            (
                LOCAL_LABEL if e.alias == self.local else e.alias,
                e.status,
                rows.get(e.alias),
                now if e.took is None or not e.done else e.took,
            )
            for e in entries
        ]

    def lines(self) -> list[str]:
        """The display as plain text (a ``*`` where the spinner turns)."""
        lines = []
        for label, status, rows, ms in self.snapshot():
            parts = [MARKS.get(status, "*"), label, status, _rows_text(rows), _elapsed_text(ms)]
            lines.append(" ".join(part for part in parts if part))
        return lines

    def renderable(self, spinners: dict[str, Any]) -> RenderableType:
        """A grid: spinner (or mark), cluster, status, rows, elapsed."""
        from rich.spinner import Spinner
        from rich.table import Table
        from rich.text import Text

        grid = Table.grid(padding=(0, 1))
        for justify in ("left", "left", "left", "right", "right"):
            grid.add_column(justify=justify)
        for label, status, rows, ms in self.snapshot():
            style = STATUS_STYLES.get(status, "")
            if status == RUNNING:
                mark: Any = spinners.setdefault(label, Spinner("dots", style="cyan"))
            else:
                mark = Text(MARKS.get(status, "?"), style=style)
            grid.add_row(
                mark,
                Text(label, style="bold"),
                Text(status, style=style),
                Text(_rows_text(rows), style="dim"),
                Text(_elapsed_text(ms), style="dim"),
            )
        return grid


def _rows_text(rows: int | None) -> str:
    if rows is None:
        return ""
    return f"{rows} row" if rows == 1 else f"{rows} rows"


def _elapsed_text(ms: int) -> str:
    return f"{ms} ms" if ms < 1000 else f"{ms / 1000:.1f} s"


class LiveDisplay:
    """``QueryProgress`` drawn with ``rich.live.Live`` on ``stream`` (a terminal),
    starting ``delay`` seconds after :meth:`start` and gone after :meth:`stop`."""

    def __init__(
        self, progress: QueryProgress, stream: IO[str], *, color: bool, delay: float = 0.3
    ):
        self.progress = progress
        self.stream = stream
        self.color = color
        self.delay = delay
        self._spinners: dict[str, Any] = {}
        self._live: Live | None = None
        self._timer: threading.Timer | None = None
        self._lock = threading.Lock()
        self._stopped = False

    def start(self) -> None:
        self._timer = threading.Timer(self.delay, self._show)
        self._timer.daemon = True
        self._timer.start()

    def _show(self) -> None:
        from rich.console import Console
        from rich.live import Live

        console = Console(
            file=self.stream,
            force_terminal=True,
            color_system="standard" if self.color else None,
            no_color=not self.color,
            highlight=False,
        )
        live = Live(
            get_renderable=lambda: self.progress.renderable(self._spinners),
            console=console,
            transient=True,
            refresh_per_second=10,
            redirect_stdout=False,
            redirect_stderr=False,
        )
        with self._lock:
            if self._stopped:
                return
            live.start()
            self._live = live

    def stop(self) -> None:
        """Remove the display (never started: nothing to remove)."""
        with self._lock:
            self._stopped = True
            live, self._live = self._live, None
        if self._timer is not None:
            self._timer.cancel()
        if live is not None:
            live.stop()

    def __enter__(self) -> LiveDisplay:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class _ObservedCluster:
    """A cluster whose fragment results are counted as they arrive."""

    def __init__(self, cluster: Cluster, on_rows: Callable[[str, int], None]):
        self._cluster = cluster
        self._on_rows = on_rows

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cluster, name)

    def run(self, fragment: Any, cancel: threading.Event) -> FragmentResult:
        result = self._cluster.run(fragment, cancel)
        self._on_rows(self._cluster.alias, result.frame.height)
        return result


class ObservedRegistry:
    """A registry view whose clusters report the rows each fragment returned (the
    coordinator's progress entries carry statuses, not rows)."""

    def __init__(self, registry: Any, on_rows: Callable[[str, int], None]):
        self._registry = registry
        self.local: str | None = registry.local
        self.clusters: Mapping[str, Any] = {
            alias: _ObservedCluster(cluster, on_rows)
            for alias, cluster in registry.clusters.items()
        }

    def remotes(self) -> list[str]:
        return list(self._registry.remotes())

    def __getitem__(self, alias: str) -> Any:
        return self.clusters[alias]
