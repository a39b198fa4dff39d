"""The clusters of a configuration as live objects the coordinator can ask.

``Registry.from_config`` turns each ``ClusterSpec`` into a ``Cluster``: an
``EmbeddedNode`` (an ``EmbeddedCluster`` in this process, with the config's enrich
policies added) or an ``ElasticsearchCluster`` (``clusters/remote.py``, REST).
Both answer the same two questions: what is in the cluster (``catalog``) and what
does a plan fragment return there (``run`` → ``FragmentResult``). The coordinator
never needs to know which kind it is talking to.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import CancelledError
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import polars as pl

from esqlsh.clusters.base import Catalog, EnrichPolicy, Storage
from esqlsh.clusters.config import EMBEDDED, ClusterSpec, Config
from esqlsh.clusters.embedded import EmbeddedCluster
from esqlsh.errors import ClusterUnavailableError, ConfigError
from esqlsh.plan.logical import Attribute, Plan, Relation

if TYPE_CHECKING:
    from esqlsh.plan.split import Fragment


def _no_shards() -> dict[str, int]:
    return {"total": 0, "successful": 0, "skipped": 0, "failed": 0}


@dataclass
class FragmentResult:
    """What one cluster returned for its fragment. ``frame`` holds ``columns`` in
    their physical form (as ``Result.frame``); ``shards`` is that cluster's
    ``_shards`` in ``_clusters.details`` (embedded: one shard per concrete index
    resolved); ``bytes_received`` counts the response body a transport read (0 for
    clusters run in process)."""

    columns: tuple[Attribute, ...]
    frame: pl.DataFrame
    warnings: list[str] = field(default_factory=list)
    took_ms: int = 0
    shards: dict[str, int] = field(default_factory=_no_shards)
    bytes_received: int = 0


class Cluster(Protocol):
    """One configured cluster, whatever its kind."""

    alias: str
    kind: str  # "embedded" | "elasticsearch"
    skip_unavailable: bool
    timeout: float

    def catalog(self) -> Catalog:
        """Its indices, fields and policies; may raise ``ClusterUnavailableError``."""
        ...

    def run(self, fragment: Fragment, cancel: threading.Event) -> FragmentResult: ...

    def describe(self) -> str:
        """The endpoint for people; never a secret."""
        ...

    def close(self) -> None: ...


class ConfiguredEmbeddedCluster(EmbeddedCluster):
    """An ``EmbeddedCluster`` whose ``policies()`` also hold the config's ``enrich:``
    policies; a config policy wins over a stored one of the same name (the config
    is what the user wrote last and can see)."""

    def __init__(self, path: Path, name: str, extra: dict[str, EnrichPolicy]):
        super().__init__(path, name=name)
        self.extra_policies = dict(extra)

    def policies(self) -> dict[str, EnrichPolicy]:
        return {**super().policies(), **self.extra_policies}


class EmbeddedNode:
    """A ``Cluster`` run in this process over a directory of indices."""

    kind = EMBEDDED

    def __init__(self, spec: ClusterSpec):
        assert spec.path is not None, "an embedded ClusterSpec has a path"
        self.spec = spec
        self.alias = spec.alias
        self.skip_unavailable = spec.skip_unavailable
        self.timeout = spec.timeout
        self.storage = ConfiguredEmbeddedCluster(spec.path, spec.alias, spec.enrich)

    def __repr__(self) -> str:
        return f"EmbeddedNode({self.alias!r}, {str(self.storage.path)!r})"

    def catalog(self) -> Catalog:
        self._check_present()
        return self.storage

    def run(self, fragment: Fragment, cancel: threading.Event) -> FragmentResult:
        """Analyze and execute ``fragment`` here, with its ``params`` and
        ``now_millis`` when the fragment carries them. Polars cannot be interrupted,
        so ``cancel`` is honoured before the work starts (``CancelledError``)."""
        if cancel.is_set():
            raise CancelledError()
        self._check_present()
        return run_in_process(fragment, self.storage)

    def describe(self) -> str:
        return self.spec.describe()

    def close(self) -> None:
        """Nothing is held open between queries."""

    def _check_present(self) -> None:
        # A missing directory is this kind's "cannot reach the cluster".
        if not self.storage.path.is_dir():
            raise ClusterUnavailableError(
                f"cluster [{self.alias}]: no cluster directory at {self.storage.path}",
                alias=self.alias,
            )


def run_in_process(fragment: Fragment, storage: Storage) -> FragmentResult:
    """Analyze and execute ``fragment`` over ``storage`` in this process, with its
    ``params`` and ``now_millis`` when the fragment carries them."""
    from esqlsh.engine.executor import execute

    started = time.perf_counter()
    plan = _analyze(fragment, storage)
    # One NOW() for every cluster of a query, when the coordinator fixes it.
    result = execute(plan, storage, now_millis=getattr(fragment, "now_millis", None))
    took_ms = int((time.perf_counter() - started) * 1000)
    indices = _concrete_indices(plan)
    return FragmentResult(
        columns=result.columns,
        frame=result.frame,
        # execute() starts its warnings with the plan's; keep each once, in order.
        warnings=list(dict.fromkeys([*plan.warnings, *result.warnings])),
        took_ms=took_ms,
        shards={"total": indices, "successful": indices, "skipped": 0, "failed": 0},
    )


def _analyze(fragment: Fragment, storage: Storage) -> Plan:
    from esqlsh.analysis.analyzer import DEFAULT_LIMIT, analyze

    # A fragment that ships rows or partial aggregates must not be cut at the
    # default 1000 rows: only what the fragment itself says bounds it.
    limit = None if fragment.unbounded else DEFAULT_LIMIT
    params = getattr(fragment, "params", None)
    return analyze(fragment.query, storage, params, default_limit=limit)


def _concrete_indices(plan: Plan) -> int:
    names = {name for node in plan.nodes if isinstance(node, Relation) for name in node.indices}
    return len(names)


class Registry:
    """Every configured cluster by alias (config order, the local one included)."""

    def __init__(self, local: str | None, clusters: dict[str, Cluster]):
        self.local = local
        self.clusters = clusters

    @classmethod
    def from_config(cls, config: Config) -> Registry:
        clusters: dict[str, Cluster] = {}
        try:
            for alias, spec in config.clusters.items():
                clusters[alias] = _connect(spec)
        except BaseException:
            for made in clusters.values():
                made.close()
            raise
        return cls(config.local, clusters)

    def remotes(self) -> list[str]:
        """The aliases other than the local one, in config order."""
        return [alias for alias in self.clusters if alias != self.local]

    def __getitem__(self, alias: str) -> Cluster:
        return self.clusters[alias]

    def close(self) -> None:
        for cluster in self.clusters.values():
            cluster.close()

    def __enter__(self) -> Registry:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _connect(spec: ClusterSpec) -> Cluster:
    if spec.type == EMBEDDED:
        return EmbeddedNode(spec)
    try:
        from esqlsh.clusters.remote import ElasticsearchCluster
    except ModuleNotFoundError as e:
        # The REST transport lands in clusters/remote.py (COORDINATOR.md § Transport).
        if e.name != "esqlsh.clusters.remote":
            raise
        raise ConfigError(
            f"{spec.origin}: clusters.{spec.alias}.type: "
            "elasticsearch clusters are not supported yet"
        ) from None
    cluster: Cluster = ElasticsearchCluster(spec)
    return cluster


__all__ = [
    "Cluster",
    "ConfiguredEmbeddedCluster",
    "EmbeddedNode",
    "FragmentResult",
    "Registry",
]
