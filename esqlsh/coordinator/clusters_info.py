"""Per-cluster execution metadata: Elasticsearch's ``_clusters`` object.

A ``ClusterInfo`` is one entry of ``_clusters.details`` (``EsqlExecutionInfo.Cluster``
in Elasticsearch): status, the index expression the cluster was asked for, its own
``took``, its shard counts and its failures. ``ClustersInfo`` holds them, keyed by
the configured alias with the local cluster first, and prints the whole object as
Elasticsearch does (``total, successful, running, skipped, partial, failed,
details``; the local cluster is ``"(local)"``).

The failure texts Elasticsearch reports for unreachable clusters and missing
indices are built here, so every caller words them the same way.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from esqlsh.errors import EsqlError

LOCAL_LABEL = "(local)"

RUNNING = "running"
SUCCESSFUL = "successful"
PARTIAL = "partial"
SKIPPED = "skipped"
FAILED = "failed"
STATUSES = (RUNNING, SUCCESSFUL, PARTIAL, SKIPPED, FAILED)

# Exception types Elasticsearch reports for a cluster it could not reach
# (``ExceptionsHelper.isRemoteUnavailableException``: connect, disconnect, not connected).
UNAVAILABLE_TYPE = "connect_transport_exception"


def no_shards() -> dict[str, int]:
    return {"total": 0, "successful": 0, "skipped": 0, "failed": 0}


def shards_of(total: int, *, skipped: int = 0, failed: int = 0) -> dict[str, int]:
    """Shard counts of a cluster whose ``total`` shards ran, some skipped or failed."""
    return {
        "total": total,
        "successful": max(total - skipped - failed, 0),
        "skipped": skipped,
        "failed": failed,
    }


def failure(type_: str, reason: str) -> dict[str, Any]:
    """One ``failures`` entry: a cluster-level failure has no shard and no index."""
    return {"shard": -1, "index": None, "reason": {"type": type_, "reason": reason}}


def failure_of(err: BaseException) -> dict[str, Any]:
    """The failure entry for an error a cluster raised (its ES type and reason)."""
    if isinstance(err, EsqlError):
        return failure(err.type, err.reason)
    return failure("exception", str(err) or type(err).__name__)


def unavailable_reason(alias: str, skip_unavailable: bool) -> str:
    """``EsqlCCSUtils.updateExecutionInfoWithUnavailableClusters``' message."""
    setting = "true" if skip_unavailable else "false"
    return f"Remote cluster [{alias}] (with setting skip_unavailable={setting}) is not available"


@dataclass
class ClusterInfo:
    """One entry of ``_clusters.details``. ``took`` is None until the cluster is done;
    ``shards`` empty until its shard counts are known."""

    alias: str
    status: str
    indices: str
    took: int | None = None
    shards: dict[str, int] = field(default_factory=dict)
    failures: list[dict[str, Any]] = field(default_factory=list)
    skip_unavailable: bool = True

    @property
    def done(self) -> bool:
        return self.status != RUNNING

    def to_json(self) -> dict[str, Any]:
        """``EsqlExecutionInfo.Cluster.toXContent``: took and _shards only once known,
        failures only when there are some."""
        body: dict[str, Any] = {"status": self.status, "indices": self.indices}
        if self.took is not None:
            body["took"] = self.took
        if self.shards:
            body["_shards"] = {
                k: self.shards[k] for k in ("total", "successful", "skipped", "failed")
            }
        if self.failures:
            body["failures"] = [dict(f) for f in self.failures]
        return body


Listener = Callable[[ClusterInfo], None]


@dataclass
class ClustersInfo:
    """Every cluster of one query, keyed by configured alias, local first.

    Updates go through :meth:`update`, which is thread-safe and tells ``listener``
    (the REPL's live display) about every change with a copy of the new entry."""

    details: dict[str, ClusterInfo] = field(default_factory=dict)
    listener: Listener | None = field(default=None, repr=False, compare=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    @classmethod
    def running(
        cls,
        entries: Iterable[tuple[str, str, bool]],
        listener: Listener | None = None,
    ) -> ClustersInfo:
        """Every ``(alias, indices, skip_unavailable)`` as ``running``."""
        info = cls(listener=listener)
        for alias, indices, skip in entries:
            info.details[alias] = ClusterInfo(alias, RUNNING, indices, skip_unavailable=skip)
        for entry in list(info.details.values()):
            info._notify(entry)
        return info

    def __getitem__(self, alias: str) -> ClusterInfo:
        return self.details[alias]

    def __contains__(self, alias: object) -> bool:
        return alias in self.details

    def update(self, alias: str, **changes: Any) -> ClusterInfo:
        """Replace fields of ``alias``'s entry and tell the listener."""
        with self._lock:
            updated = replace(self.details[alias], **changes)
            self.details[alias] = updated
        self._notify(updated)
        return updated

    def finish(
        self,
        alias: str,
        status: str,
        took: int,
        *,
        shards: dict[str, int] | None = None,
        failures: list[dict[str, Any]] | None = None,
    ) -> ClusterInfo:
        """Give a running ``alias`` its final ``status`` (no shards given: none ran).
        The first final status wins: a late timeout cannot undo ``successful``."""
        with self._lock:
            current = self.details[alias]
            if current.done:
                return current
            updated = replace(
                current,
                status=status,
                took=took,
                shards=shards if shards is not None else no_shards(),
                failures=[*current.failures, *(failures or [])],
            )
            self.details[alias] = updated
        self._notify(updated)
        return updated

    def count(self, status: str) -> int:
        return sum(1 for c in self.details.values() if c.status == status)

    @property
    def is_partial(self) -> bool:
        """Elasticsearch marks a result partial when a cluster is partial or skipped."""
        return any(c.status in (PARTIAL, SKIPPED) for c in self.details.values())

    @property
    def has_problem(self) -> bool:
        """A cluster failed, was skipped or gave partial data: ``_clusters`` is always
        shown then."""
        return any(c.status in (PARTIAL, SKIPPED, FAILED) for c in self.details.values())

    def to_json(self, local: str | None) -> dict[str, Any]:
        """Elasticsearch's ``_clusters`` object; ``local``'s entry is ``"(local)"``."""
        body: dict[str, Any] = {"total": len(self.details)}
        for status in (SUCCESSFUL, RUNNING, SKIPPED, PARTIAL, FAILED):
            body[status] = self.count(status)
        body["details"] = {
            (LOCAL_LABEL if alias == local else alias): entry.to_json()
            for alias, entry in self.details.items()
        }
        return body

    def _notify(self, entry: ClusterInfo) -> None:
        if self.listener is not None:
            self.listener(replace(entry, shards=dict(entry.shards), failures=list(entry.failures)))


def clusters_from_json(body: dict[str, Any], local_alias: str | None = None) -> ClustersInfo:
    """A ``ClustersInfo`` from an Elasticsearch ``_clusters`` object (pass-through
    queries); ``"(local)"`` becomes ``local_alias`` when one is given."""
    info = ClustersInfo()
    for name, entry in (body.get("details") or {}).items():
        alias = local_alias if name == LOCAL_LABEL and local_alias else name
        shards = entry.get("_shards") or {}
        info.details[alias] = ClusterInfo(
            alias,
            str(entry.get("status", RUNNING)),
            str(entry.get("indices", "")),
            took=entry.get("took"),
            shards={k: int(shards.get(k, 0)) for k in ("total", "successful", "skipped", "failed")}
            if shards
            else {},
            failures=list(entry.get("failures") or []),
        )
    return info
