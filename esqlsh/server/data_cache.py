"""The served cluster keeps the rows it read in memory: ``ServedCluster`` is the
node's ``EmbeddedCluster``, whose data files, once scanned, stay decoded in a
``FrameCache`` (up to a byte budget, least recently used first out).

A node answers the same indices over and over; decoding their Parquet files at
every query was most of what a small query cost the node. The rows are cached
whole (every column of the files), so projections and filters then run in
memory.

A cached frame is keyed by each file's path and ``(inode, mtime_ns, size)``,
looked up (``stat``) at every scan: ``esqlsh load`` writes new files and renames
them into place, so a change is a new key and the old frame ages out. Files
changed less than a second ago are not cached (their stamp could stay the same
through a second change, as the metadata cache of ``embedded.py`` also
assumes), nor are files whose decoded size could not fit: their on-disk size
already exceeds a quarter of the budget (decoded columns are several times
their compressed size), or their frame turns out larger than the budget.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

import polars as pl

from esqlsh.clusters.embedded import EmbeddedCluster, file_stamps

DEFAULT_BUDGET = 256 * 1024 * 1024
# On-disk bytes times this may be the decoded size.
_DECODED_FACTOR = 4

# (path, (inode, mtime_ns, size)) per file
Key = tuple[tuple[str, tuple[int, int, int]], ...]


class FrameCache:
    """Frames by the stamps of the files they were read from; thread-safe (the
    node runs queries on several threads: two may read the same files at once,
    the second frame simply replaces the first)."""

    def __init__(self, budget: int = DEFAULT_BUDGET):
        self.budget = budget
        self._frames: OrderedDict[Key, tuple[pl.DataFrame, int]] = OrderedDict()
        self._used = 0
        self._lock = threading.Lock()

    @property
    def used(self) -> int:
        return self._used

    def __len__(self) -> int:
        return len(self._frames)

    def get(self, files: tuple[Path, ...], read: Callable[[], pl.DataFrame]) -> pl.DataFrame | None:
        """The frame of ``files`` (``read()`` on a miss); None when the files are
        not to be cached (changing, too large, gone): the caller scans them."""
        key = _key(files)
        if key is None or not self._may_fit(key):
            return None
        with self._lock:
            hit = self._frames.get(key)
            if hit is not None:
                self._frames.move_to_end(key)
                return hit[0]
        frame = read()
        self._keep(key, frame)
        return frame

    def clear(self) -> None:
        with self._lock:
            self._frames.clear()
            self._used = 0

    def _may_fit(self, key: Key) -> bool:
        on_disk = sum(stamp[2] for _, stamp in key)
        return on_disk * _DECODED_FACTOR <= self.budget

    def _keep(self, key: Key, frame: pl.DataFrame) -> None:
        size = int(frame.estimated_size())
        if size > self.budget:
            return
        with self._lock:
            old = self._frames.pop(key, None)
            if old is not None:
                self._used -= old[1]
            self._frames[key] = (frame, size)
            self._used += size
            while self._used > self.budget:
                _, (_, dropped) = self._frames.popitem(last=False)
                self._used -= dropped


def _key(files: tuple[Path, ...]) -> Key | None:
    """Each file's path and stamp; None when one is missing or changed too recently."""
    names = tuple(os.fspath(path) for path in files)
    stamps = file_stamps(names)
    present = [stamp for stamp in stamps.values if stamp is not None]
    if not stamps.settled or len(present) < len(names):
        return None
    return tuple(zip(names, present, strict=True))


class ServedCluster(EmbeddedCluster):
    """The cluster of ``esqlsh serve``: an ``EmbeddedCluster`` whose scans read
    data files from a ``FrameCache``."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        name: str | None = None,
        *,
        budget: int = DEFAULT_BUDGET,
    ):
        super().__init__(path, name=name)
        self.frames = FrameCache(budget)

    def _scan_files(self, files: tuple[Path, ...]) -> pl.LazyFrame:
        frame = self.frames.get(
            files, lambda: super(ServedCluster, self)._scan_files(files).collect()
        )
        return frame.lazy() if frame is not None else super()._scan_files(files)

    def refresh(self) -> None:
        super().refresh()
        self.frames.clear()
