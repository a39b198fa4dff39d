"""The coordinator: runs a query over one cluster (``session.run_query``) or many
(``fanout.run_federated``), with Elasticsearch's cross-cluster statuses.

Importing the package stays cheap: the names below load their modules on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from esqlsh.coordinator.clusters_info import ClusterInfo, ClustersInfo
    from esqlsh.coordinator.fanout import FederatedResult, run_federated

_EXPORTS = {
    "run_federated": "esqlsh.coordinator.fanout",
    "FederatedResult": "esqlsh.coordinator.fanout",
    "ClusterInfo": "esqlsh.coordinator.clusters_info",
    "ClustersInfo": "esqlsh.coordinator.clusters_info",
}

__all__ = ["ClusterInfo", "ClustersInfo", "FederatedResult", "run_federated"]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'esqlsh.coordinator' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
