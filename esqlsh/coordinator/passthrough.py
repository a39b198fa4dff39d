"""``--server-side CLUSTER``: let an Elasticsearch cluster coordinate instead.

The whole query goes, unchanged, to a cluster of type ``elasticsearch`` that has
remote clusters of its own, with ``include_ccs_metadata: true``; its answer (rows,
warnings, ``took``, ``is_partial`` and its ``_clusters``) comes back as a
``FederatedResult``, so it is printed exactly like one esqlsh coordinated. The
request itself is the transport's: ``Cluster.run_query_passthrough(text, params,
cancel) -> (body, warnings)`` (docs/COORDINATOR.md § Transport).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from esqlsh.coordinator.clusters_info import clusters_from_json
from esqlsh.coordinator.concurrent import ClusterTimeout, ask_all
from esqlsh.coordinator.fanout import ClusterRegistry, FederatedResult, Params
from esqlsh.errors import ClusterUnavailableError, IllegalArgumentError
from esqlsh.plan.logical import Attribute


def run_server_side(
    text: str,
    registry: ClusterRegistry,
    alias: str,
    params: Params = None,
    *,
    include_ccs_metadata: bool = False,
    cancel: threading.Event | None = None,
) -> FederatedResult:
    """Run ``text`` on the Elasticsearch cluster ``alias`` as the coordinator."""
    cluster = registry.clusters.get(alias)
    if cluster is None:
        known = ", ".join(registry.clusters) or "none"
        raise IllegalArgumentError(
            f"--server-side: no cluster [{alias}] in the configuration (clusters: {known})"
        )
    send = getattr(cluster, "run_query_passthrough", None)
    if getattr(cluster, "kind", None) != "elasticsearch" or send is None:
        raise IllegalArgumentError(
            f"--server-side: cluster [{alias}] is not an elasticsearch cluster; "
            "only Elasticsearch can coordinate a query itself"
        )
    # On a worker thread, so that Ctrl-C here tells the transport to stop (and
    # delete) the async query on the cluster instead of abandoning it.
    outcomes = ask_all(
        {alias: lambda stop: send(text, params, stop)},
        {alias: float(getattr(cluster, "timeout", 30.0))},
        cancel or threading.Event(),
    )
    outcome = outcomes[alias]
    if isinstance(outcome.error, ClusterTimeout):
        raise ClusterUnavailableError(str(outcome.error), alias=alias) from outcome.error
    if outcome.error is not None:
        raise outcome.error
    assert outcome.value is not None
    body, warnings = outcome.value
    return result_from_body(body, list(warnings), alias, include_ccs_metadata)


def result_from_body(
    body: Mapping[str, Any], warnings: list[str], alias: str, include_ccs_metadata: bool
) -> FederatedResult:
    """A ``FederatedResult`` of an Elasticsearch ``_query`` JSON answer; the
    answering cluster is the local one of its ``_clusters``."""
    from esqlsh.clusters.remote_frames import from_json

    table = from_json(dict(body), columnar=False)
    clusters_body = body.get("_clusters")
    clusters = clusters_from_json(clusters_body, alias) if isinstance(clusters_body, dict) else None
    return FederatedResult(
        tuple(Attribute(name, t) for name, t in table.columns),
        table.frame,
        list(dict.fromkeys(warnings)),
        int(body.get("took") or 0),
        bool(body.get("is_partial", False)),
        clusters=clusters,
        local=alias,
        include_ccs_metadata=include_ccs_metadata,
    )
