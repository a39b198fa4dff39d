"""Running independent Polars work side by side (file blocks, fields).

Most Polars string kernels use one core per expression, and Polars releases the
GIL while it works, so Python threads over independent pieces keep every core
busy. Results come back in input order and an error surfaces as it would in a
plain loop (the first piece's first); at most ``ahead`` pieces are in flight, so
a file read block by block is never in memory whole.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

In = TypeVar("In")
Out = TypeVar("Out")

WORKERS = max(1, min(4, os.cpu_count() or 1))


def ordered_map(
    fn: Callable[[In], Out], items: Iterable[In], workers: int = WORKERS, ahead: int = 0
) -> Iterator[Out]:
    """``map(fn, items)`` on ``workers`` threads, taking at most ``ahead`` (default:
    one per worker) items beyond the one being returned."""
    if workers <= 1:
        yield from map(fn, items)
        return
    limit = ahead or workers
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="esqlsh-load") as pool:
        pending: deque[Future[Out]] = deque()
        try:
            for item in items:
                pending.append(pool.submit(fn, item))
                if len(pending) > limit:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()
