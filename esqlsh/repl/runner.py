"""Running one query from the shell: in a worker thread, with the live display,
and Ctrl-C turned into cancellation.

The prompt thread only waits. Ctrl-C there (SIGINT is delivered to the main
thread) sets the query's cancel event — the coordinator tells every cluster to
stop, and transports stop and delete their async queries — and returns at once:
the worker winds down on its own (a daemon thread; an in-process Polars plan
cannot be interrupted, its result is simply dropped).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from esqlsh.repl.live import LiveDisplay, ObservedRegistry, QueryProgress

if TYPE_CHECKING:
    from esqlsh.coordinator.fanout import FederatedResult
    from esqlsh.repl.output import Printer

T = TypeVar("T")

_POLL_SECONDS = 0.05


class QueryCancelled(Exception):
    """The user pressed Ctrl-C while a query ran."""


def run_in_worker(work: Callable[[], T], cancel: threading.Event) -> T:
    """``work()`` in a daemon thread; its value or its exception. KeyboardInterrupt
    while waiting sets ``cancel`` and raises ``QueryCancelled`` without waiting."""
    box: dict[str, Any] = {}
    done = threading.Event()

    def target() -> None:
        try:
            box["value"] = work()
        except BaseException as err:  # noqa: BLE001 - handed to the waiting thread
            box["error"] = err
        finally:
            done.set()

    worker = threading.Thread(target=target, name="esqlsh-query", daemon=True)
    try:
        # Started inside the ``try``: a Ctrl-C while ``start()`` waits for the thread
        # to run must cancel it too, not leave the query running unseen.
        worker.start()
        while not done.wait(_POLL_SECONDS):
            pass
    except KeyboardInterrupt:
        cancel.set()
        raise QueryCancelled() from None
    if "error" in box:
        error = box["error"]
        if isinstance(error, KeyboardInterrupt):
            raise QueryCancelled() from None
        raise error
    value: T = box["value"]
    return value


class QueryRunner:
    """Runs queries over ``registry`` for the shell, showing progress on stderr
    when it is a terminal."""

    def __init__(self, registry: Any, printer: Printer):
        self.registry = registry
        self.printer = printer

    def run(
        self, text: str, params: Any = None, *, include_ccs_metadata: bool = False
    ) -> FederatedResult:
        from esqlsh.coordinator.fanout import run_federated

        progress = QueryProgress(self.registry.local)
        observed = ObservedRegistry(self.registry, progress.received)
        cancel = threading.Event()

        def work() -> FederatedResult:
            return run_federated(
                text,
                observed,
                params,
                include_ccs_metadata=include_ccs_metadata,
                cancel=cancel,
                progress=progress.update,
            )

        display = self._display(progress)
        try:
            if display is not None:
                display.start()
            return run_in_worker(work, cancel)
        finally:
            if display is not None:
                display.stop()

    def _display(self, progress: QueryProgress) -> LiveDisplay | None:
        env = self.printer.env
        # A dumb terminal cannot move the cursor back over the display.
        if not env.stderr_isatty or env.environ.get("TERM") == "dumb":
            return None
        return LiveDisplay(progress, env.stderr, color=env.stderr_colors)
