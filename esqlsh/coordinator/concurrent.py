"""Asking every cluster at once: one thread per cluster, a deadline per cluster, and
one cancellation event the caller (Ctrl-C, the REPL) can set.

The threads come from ``clusters/workers.py``'s ``WORKERS``, daemon threads kept
for reuse.

:func:`ask_all` runs ``{alias: task}`` concurrently and reports each outcome as it
arrives (``on_done`` runs in the calling thread, so progress displays and status
bookkeeping need no locks of their own). A task still running at its deadline is
told to stop (its own ``threading.Event`` is set) and reported as a
:class:`ClusterTimeout`; the worker thread is left to wind down on its own so a
hung cluster never holds the query (the threads are daemons, so it does not hold
the process's exit either).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, wait
from typing import Generic, TypeVar

from esqlsh.clusters.workers import WORKERS

T = TypeVar("T")

# How often the waiting thread looks at the cancellation event and the deadlines.
_POLL_SECONDS = 0.05
# Past a cluster's timeout, how long its transport gets to report its own, more
# precise, timeout before the coordinator gives up on it.
_TIMEOUT_GRACE_SECONDS = 0.5
# After a cancellation, how long transports get to stop their remote queries.
_STOP_GRACE_SECONDS = 5.0


class ClusterTimeout(Exception):
    """A cluster did not answer within its ``timeout``."""

    def __init__(self, alias: str, seconds: float):
        super().__init__(f"cluster [{alias}] did not answer within {seconds:g}s")
        self.alias = alias
        self.seconds = seconds


class Outcome(Generic[T]):
    """A task's value or the exception it raised."""

    __slots__ = ("error", "value")

    def __init__(self, value: T | None = None, error: BaseException | None = None):
        self.value = value
        self.error = error


Task = Callable[[threading.Event], T]


def ask_all(
    tasks: Mapping[str, Task[T]],
    timeouts: Mapping[str, float],
    cancel: threading.Event,
    on_done: Callable[[str, Outcome[T]], None] | None = None,
) -> dict[str, Outcome[T]]:
    """Run every ``tasks[alias](stop_event)`` in its own thread; return each outcome.

    ``cancel`` set (by another thread) or KeyboardInterrupt in this one: every task
    is told to stop, transports get a moment to clean up, and KeyboardInterrupt
    is raised. ``on_done`` sees each outcome as soon as it is known."""
    if not tasks:
        return {}
    stops = {alias: threading.Event() for alias in tasks}
    started = time.monotonic()
    futures = {alias: _start(alias, task, stops[alias]) for alias, task in tasks.items()}
    deadlines = {
        alias: started + timeouts.get(alias, 30.0) + _TIMEOUT_GRACE_SECONDS for alias in tasks
    }
    outcomes: dict[str, Outcome[T]] = {}
    try:
        _collect(futures, deadlines, timeouts, stops, cancel, outcomes, on_done)
    except KeyboardInterrupt:
        cancel.set()
        _stop_all(stops, futures)
        raise
    return outcomes


def _start(alias: str, task: Task[T], stop: threading.Event) -> Future[T]:
    future: Future[T] = Future()
    future.set_running_or_notify_cancel()

    def work() -> None:
        try:
            future.set_result(task(stop))
        except BaseException as e:  # noqa: BLE001 - handed to the waiting thread
            future.set_exception(e)

    WORKERS.submit(work, f"esqlsh-cluster-{alias}")
    return future


def _collect(
    futures: dict[str, Future[T]],
    deadlines: dict[str, float],
    timeouts: Mapping[str, float],
    stops: dict[str, threading.Event],
    cancel: threading.Event,
    outcomes: dict[str, Outcome[T]],
    on_done: Callable[[str, Outcome[T]], None] | None,
) -> None:
    pending = dict(futures)
    while pending:
        if cancel.is_set():
            raise KeyboardInterrupt
        now = time.monotonic()
        soonest = min(deadlines[a] for a in pending)
        wait(
            list(pending.values()),
            timeout=max(min(soonest - now, _POLL_SECONDS), 0),
            return_when=FIRST_COMPLETED,
        )
        now = time.monotonic()
        for alias, future in list(pending.items()):
            if future.done():
                outcome = _outcome(future)
            elif now >= deadlines[alias]:
                stops[alias].set()
                outcome = Outcome(error=ClusterTimeout(alias, timeouts.get(alias, 30.0)))
            else:
                continue
            del pending[alias]
            outcomes[alias] = outcome
            if on_done is not None:
                on_done(alias, outcome)


def _outcome(future: Future[T]) -> Outcome[T]:
    error = future.exception()
    if error is not None:
        return Outcome(error=error)
    return Outcome(value=future.result())


def _stop_all(stops: dict[str, threading.Event], futures: dict[str, Future[T]]) -> None:
    """Tell every task to stop and give them a bounded moment to do it (an
    Elasticsearch transport stops and deletes its async query)."""
    for stop in stops.values():
        stop.set()
    wait(list(futures.values()), timeout=_STOP_GRACE_SECONDS)
