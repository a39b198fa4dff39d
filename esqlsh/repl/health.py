"""Is each cluster up? A quick ``catalog()`` ping per cluster, in the background.

An embedded cluster answers when its directory is there; an Elasticsearch
cluster's ``catalog()`` reads its enrich policies at once, so a refused, hanging
(bounded by the cluster's ``timeout``), TLS-failing or unauthorised cluster
fails it. The shell's toolbar and ``\\clusters`` read the outcomes here; nothing
ever waits on a ping unless it asks to (``wait``).
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

UP = "up"
DOWN = "down"
CHECKING = "checking"
UNKNOWN = "unknown"


@dataclass(frozen=True)
class Health:
    state: str
    detail: str = ""  # why a cluster is down (never a secret: transports scrub them)
    checked_at: float = 0.0


class ClusterHealth:
    """The latest ping outcome of every cluster of ``registry``."""

    def __init__(self, registry: Any, on_change: Callable[[], None] | None = None):
        self.registry = registry
        self.on_change = on_change
        self._lock = threading.Lock()
        self._health: dict[str, Health] = {alias: Health(UNKNOWN) for alias in registry.clusters}
        self._threads: dict[str, threading.Thread] = {}

    def get(self, alias: str) -> Health:
        with self._lock:
            return self._health.get(alias, Health(UNKNOWN))

    def counts(self) -> tuple[int, int]:
        """How many clusters are up and how many down (checking ones in neither)."""
        with self._lock:
            states = [h.state for h in self._health.values()]
        return states.count(UP), states.count(DOWN)

    def ping_all(self) -> None:
        """Ping every cluster not already being pinged; returns at once."""
        for alias in self.registry.clusters:
            self.ping(alias)

    def ping(self, alias: str) -> None:
        with self._lock:
            running = self._threads.get(alias)
            if running is not None and running.is_alive():
                return
            self._health[alias] = Health(CHECKING)
            thread = threading.Thread(
                target=self._ping, args=(alias,), name=f"esqlsh-ping-{alias}", daemon=True
            )
            self._threads[alias] = thread
        thread.start()
        self._changed()

    def wait(self, seconds: float) -> None:
        """Wait up to ``seconds`` in all for the pings under way."""
        deadline = time.monotonic() + seconds
        with self._lock:
            threads = list(self._threads.values())
        for thread in threads:
            thread.join(max(deadline - time.monotonic(), 0))

    def _ping(self, alias: str) -> None:
        try:
            self.registry.clusters[alias].catalog()
        except Exception as err:  # noqa: BLE001 - any failure means "down", with why
            health = Health(DOWN, reason_of(err), time.monotonic())
        else:
            health = Health(UP, "", time.monotonic())
        with self._lock:
            self._health[alias] = health
        self._changed()

    def _changed(self) -> None:
        if self.on_change is not None:
            # A redraw hook must not kill the ping thread.
            with contextlib.suppress(Exception):
                self.on_change()


def reason_of(err: BaseException) -> str:
    text = getattr(err, "reason", None) or str(err) or type(err).__name__
    return str(text).strip().splitlines()[0]
