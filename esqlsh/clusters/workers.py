"""Daemon worker threads kept for reuse: the threads cluster requests run on (the
coordinator's fan-out and the Elasticsearch transport).

Starting a thread waits for it to run, and while the clusters started first hold
the GIL that wait grows to milliseconds per cluster: a fan-out over new threads
sent its last request well after its first.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable


class DaemonWorkers:
    """Daemon threads that run one job each at a time and wait for the next one
    (up to ``idle_seconds``, then end). ``submit`` never waits: it hands the job
    to an idle thread, or starts a new one when none is idle, so a job that
    never ends (a hung cluster) holds its thread only, never the others' jobs,
    and never the process's exit."""

    def __init__(self, prefix: str, idle_seconds: float = 60.0):
        self._prefix = prefix
        self._idle_seconds = idle_seconds
        self._jobs: queue.SimpleQueue[tuple[Callable[[], None], str]] = queue.SimpleQueue()
        self._lock = threading.Lock()
        # Threads waiting for a job, less the jobs queued for them.
        self._idle = 0

    def submit(self, job: Callable[[], None], name: str) -> None:
        """Run ``job`` on a worker named ``name`` while it runs."""
        with self._lock:
            self._jobs.put((job, name))
            if self._idle > 0:
                self._idle -= 1
                return
        threading.Thread(target=self._work, name=self._prefix, daemon=True).start()

    def _work(self) -> None:
        me = threading.current_thread()
        while True:
            try:
                job, name = self._jobs.get(timeout=self._idle_seconds)
            except queue.Empty:
                with self._lock:
                    if self._jobs.empty():  # nothing was handed to this thread
                        self._idle -= 1
                        return
                continue
            me.name = name
            # Jobs report their own errors; a stray one must not end the thread.
            with contextlib.suppress(Exception):
                job()
            me.name = self._prefix
            with self._lock:
                self._idle += 1


# The threads cluster requests run on (coordinator and transports).
WORKERS = DaemonWorkers("esqlsh-worker")
