"""Enrich policies across clusters: does every cluster that will run an ENRICH have
its policy, and do the copies agree? (Elasticsearch's ``EnrichPolicyResolver``.)

Which clusters must hold a policy depends on the mode:

- ``_any``: every target remote cluster and the local cluster (the enrich may run
  on either side of the first pipeline breaker);
- ``_coordinator``: the local cluster only;
- ``_remote``: every target cluster (the local one when the query reads it).

A missing or inconsistent policy is a verification problem reported at the
policy name, before anything runs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from esqlsh.analysis import messages
from esqlsh.analysis.analyzer import enrich_mode
from esqlsh.analysis.locate import locate
from esqlsh.clusters.base import EnrichPolicy
from esqlsh.errors import Problem, VerificationError
from esqlsh.syntax import ast

# Elasticsearch names the local cluster "_local" in these messages.
_LOCAL_NAME = "_local"


@dataclass(frozen=True)
class EnrichUse:
    """One ENRICH of the query: its policy, mode and where the policy is written."""

    policy: str
    mode: str
    source: ast.Source


def enrich_uses(query: ast.Query) -> list[EnrichUse]:
    """Every ENRICH of ``query`` in order, each (policy, mode) once."""
    seen: dict[tuple[str, str], EnrichUse] = {}
    for cmd in query.commands:
        if isinstance(cmd, ast.Enrich):
            mode = enrich_mode(cmd)
            written = f"{cmd.mode}:{cmd.policy}" if cmd.mode else cmd.policy
            seen.setdefault(
                (cmd.policy, mode), EnrichUse(cmd.policy, mode, locate(cmd.source, written))
            )
    return list(seen.values())


def required_clusters(mode: str, remotes: Sequence[str], local_targeted: bool) -> list[str | None]:
    """``EnrichPolicyResolver.calculateTargetClusters``; None stands for the local
    cluster (which must hold the policy even when none is configured)."""
    if mode == "_coordinator":
        return [None]
    if mode == "_remote" and not local_targeted:
        return list(remotes)
    return [None, *remotes]


def check_enrich_policies(
    query: ast.Query,
    policies: Mapping[str | None, Mapping[str, EnrichPolicy]],
    remotes: Sequence[str],
    local_targeted: bool,
) -> None:
    """Raise Elasticsearch's verification error when a policy ENRICH needs is
    missing on, or differs between, the clusters that run it. ``policies`` maps
    each reachable cluster (None: the local one) to its policies."""
    problems = []
    for use in enrich_uses(query):
        clusters = required_clusters(use.mode, remotes, local_targeted)
        error = _resolution_error(use.policy, clusters, policies)
        if error is not None:
            problems.append(Problem(use.source.line, use.source.column, error))
    if problems:
        raise VerificationError(problems)


def _name(cluster: str | None) -> str:
    return _LOCAL_NAME if cluster is None else cluster


def _resolution_error(
    name: str,
    clusters: Sequence[str | None],
    policies: Mapping[str | None, Mapping[str, EnrichPolicy]],
) -> str | None:
    """``mergeLookupResults``: None when the policy resolves on every cluster."""
    if not clusters:
        return f"enrich policy [{name}] cannot be resolved since remote clusters are unavailable"
    found = {c: policies.get(c, {}).get(name) for c in clusters}
    missing = [c for c, p in found.items() if p is None]
    if missing:
        return _missing_error(name, clusters, missing, policies.get(None, {}))
    return _consistency_error(name, [p for p in found.values() if p is not None])


def _missing_error(
    name: str,
    clusters: Sequence[str | None],
    missing: Sequence[str | None],
    local_policies: Mapping[str, EnrichPolicy],
) -> str:
    reason = f"cannot find enrich policy [{name}]"
    if len(clusters) == 1 and missing[0] is None:
        return reason + messages.did_you_mean(messages.find_similar(name, sorted(local_policies)))
    # Elasticsearch sorts the aliases with the local one ("") first.
    ordered = sorted(missing, key=lambda c: "" if c is None else c)
    return f"{reason} on clusters [{', '.join(_name(c) for c in ordered)}]"


def _consistency_error(name: str, found: Sequence[EnrichPolicy]) -> str | None:
    last: EnrichPolicy | None = None
    for current in found:
        if last is not None:
            if last.match_field != current.match_field:
                return (
                    f"enrich policy [{name}] has different match fields "
                    f"[{last.match_field}, {current.match_field}] across clusters"
                )
            if last.type != current.type:
                return (
                    f"enrich policy [{name}] has different match types "
                    f"[{last.type}, {current.type}] across clusters"
                )
            diff = sorted(set(last.enrich_fields) ^ set(current.enrich_fields))[:20]
            if diff:
                return (
                    f"enrich policy [{name}] has different enrich fields across clusters; "
                    f"these fields are missing in some policies: [{', '.join(diff)}]"
                )
        last = current
    return None
