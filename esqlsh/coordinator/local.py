"""A registry of one in-process cluster, for ``esqlsh --path DIR`` and the bundled
demo data: the storage the command line opened becomes the local cluster, with no
remotes, so every query still goes through ``run_federated``.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from esqlsh.clusters.base import Catalog, Storage
    from esqlsh.clusters.registry import Cluster, FragmentResult
    from esqlsh.plan.split import Fragment

DEFAULT_ALIAS = "local"


class InProcessCluster:
    """A ``Cluster`` over a storage this process already opened."""

    kind = "embedded"

    def __init__(self, alias: str, storage: Storage, *, timeout: float = 30.0):
        self.alias = alias
        self.storage = storage
        self.skip_unavailable = False  # the local cluster is never skipped
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"InProcessCluster({self.alias!r}, {self.storage!r})"

    def catalog(self) -> Catalog:
        return self.storage

    def run(self, fragment: Fragment, cancel: threading.Event) -> FragmentResult:
        """The fragment analysed and executed here (as ``EmbeddedNode.run``)."""
        from concurrent.futures import CancelledError

        from esqlsh.clusters.registry import run_in_process

        if cancel.is_set():
            raise CancelledError()
        return run_in_process(fragment, self.storage)

    def describe(self) -> str:
        path = getattr(self.storage, "path", None)
        return f"embedded {path}" if path is not None else "embedded (in process)"

    def close(self) -> None:
        """Nothing is held open."""


@dataclass
class SingleClusterRegistry:
    """The ``Registry`` shape (``local``, ``clusters``, ``remotes()``) around one
    in-process cluster."""

    local: str
    clusters: dict[str, Cluster] = field(default_factory=dict)

    def remotes(self) -> list[str]:
        return []

    def close(self) -> None:
        for cluster in self.clusters.values():
            cluster.close()


def single_cluster_registry(storage: Storage, alias: str = DEFAULT_ALIAS) -> SingleClusterRegistry:
    """A registry whose only, local, cluster is ``storage``."""
    return SingleClusterRegistry(alias, {alias: InProcessCluster(alias, storage)})
