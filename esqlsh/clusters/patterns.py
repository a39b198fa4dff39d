"""Which clusters a FROM reaches, and what each of them is asked to resolve.

Elasticsearch's rules (``RemoteClusterAware.splitIndexName`` /
``groupClusterIndices`` and ``ClusterNameExpressionResolver``), with its messages:

- The first ``:`` splits ``alias:index``; ``::`` is a selector, and a pattern that
  starts with ``<`` (or ``-<``) is date math: both stay on the local cluster.
- An alias with ``*`` matches *remote* aliases only (``*:`` never reaches the local
  cluster) and may match none; any other alias must be a configured remote:
  ``no such remote cluster: [x]``.
- ``-alias:*`` removes whole clusters once every include is known; its index part
  must be ``*``. Excluding a cluster that was not included, or excluding everything,
  fails. ``alias:-idx`` is an ordinary index exclusion evaluated on that cluster.
- Per cluster, the patterns (alias removed) joined with ``,`` are its *expression*:
  what the cluster resolves and, unprefixed, what ``_clusters.details[x].indices``
  shows (``EsqlCCSUtils.initCrossClusterState`` stores the grouped, alias-less
  indices; ``MultiClustersIT`` asserts ``"indices": "test-remote-index"``).

``missing_concrete`` and ``ClusterTarget.unknown_index`` give the coordinator
Elasticsearch's "no matching index on this cluster" rule (``EsqlCCSUtils
.updateExecutionInfoWithClustersWithNoMatchingIndices``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from esqlsh.analysis.messages import java_hash_set_order
from esqlsh.clusters.resolve import wildcard_regex
from esqlsh.errors import EsqlError, IllegalArgumentError
from esqlsh.syntax import ast

LOCAL_NAME = "(local)"  # how Elasticsearch names the local cluster in messages and _clusters


class NoSuchRemoteClusterError(EsqlError):
    """``no such remote cluster: [x]`` (Elasticsearch's NoSuchRemoteClusterException)."""

    type = "no_such_remote_cluster_exception"
    status = 404

    def __init__(self, alias: str):
        super().__init__(f"no such remote cluster: [{alias}]")
        self.alias = alias


class NoLocalClusterError(IllegalArgumentError):
    """A pattern without a cluster prefix while no local cluster is configured
    (esqlsh only: an Elasticsearch node is always its own local cluster)."""

    def __init__(self, pattern: str):
        super().__init__(
            f"no local cluster is configured; [{pattern}] needs a cluster prefix (cluster:index)"
        )


class _Resolvable(Protocol):
    def resolve(self, expression: str) -> list[str]: ...


@dataclass(frozen=True)
class ClusterTarget:
    """What one cluster is asked for. ``patterns`` have the alias removed
    (exclusions kept as ``-idx``); ``expression`` joins them with ``,`` and is also
    the cluster's ``indices`` in ``_clusters.details`` (Elasticsearch reports it
    without the alias prefix). ``local`` marks the local cluster."""

    alias: str
    patterns: tuple[ast.IndexPattern, ...]
    expression: str
    local: bool = False

    def qualified(self) -> list[str]:
        """The expression's parts as the coordinator names them: ``alias:index`` on
        a remote, bare on the local cluster."""
        parts = [pattern_text(p) for p in self.patterns]
        return parts if self.local else [f"{self.alias}:{part}" for part in parts]

    def unknown_index(self) -> str:
        """``Unknown index [c1:a,b]``: Elasticsearch prefixes the whole expression
        once (``c + ":" + indexExpression``)."""
        text = self.expression if self.local else f"{self.alias}:{self.expression}"
        return f"Unknown index [{text}]"


# ------------------------------------------------------------------ pattern text


def pattern_text(p: ast.IndexPattern) -> str:
    """One FROM target as Elasticsearch prints it (``cluster:index``, ``index::sel``)."""
    text = p.index.strip()
    if p.selector:
        text += "::" + p.selector.strip()
    return f"{p.cluster.strip()}:{text}" if p.cluster else text


def split_index_name(text: str) -> tuple[str | None, str]:
    """``RemoteClusterAware.splitIndexName``: (alias or None, index)."""
    if not text or text.startswith(("<", "-<")):
        return None, text  # date math, even when it holds a ':'
    colon = text.find(":")
    if colon == 0:
        raise IllegalArgumentError(
            f"index name [{text}] is invalid because the remote part is empty"
        )
    if colon < 0 or text.startswith("::", colon):
        return None, text
    return text[:colon], text[colon + 1 :]


def parse_expression(expression: str) -> list[ast.IndexPattern]:
    """A comma-separated index expression (``c1:idx*,logs,c1:-idx2``) as patterns."""
    patterns = []
    for raw in expression.split(","):
        part = raw.strip()
        if not part:
            continue
        cluster, index = split_index_name(part)
        selector = None
        if cluster is None and "::" in index and not index.startswith(("<", "-<")):
            index, selector = index.split("::", 1)
        patterns.append(ast.IndexPattern(index, cluster, selector))
    return patterns


# -------------------------------------------------------------- resolve_targets


def resolve_targets(
    patterns: Sequence[ast.IndexPattern], local: str | None, remotes: Sequence[str]
) -> dict[str, ClusterTarget]:
    """FROM ``patterns`` grouped per cluster: local first (keyed by ``local``), then
    remotes in the order they first appear. Raises Elasticsearch's errors."""
    known = list(dict.fromkeys(r for r in remotes if r != local))
    included: dict[str, list[ast.IndexPattern]] = {}  # "" = the local cluster
    excluded: list[str] = []
    for p in patterns:
        alias = (p.cluster or "").strip()
        bare = dataclasses.replace(p, cluster=None, index=p.index.strip())
        if p.cluster is None:
            included.setdefault("", []).append(bare)
        elif alias.startswith("-"):
            names = _cluster_names(known, alias[1:])
            _check_cluster_exclusion(bare)
            excluded.extend([n for n in names if n not in excluded])
        else:
            for name in _cluster_names(known, alias):
                included.setdefault(name, []).append(bare)
    _apply_exclusions(included, excluded, patterns)
    return _targets(included, local)


def _cluster_names(known: Sequence[str], expression: str) -> list[str]:
    """``ClusterNameExpressionResolver.resolveClusterNames``: an exact alias, or a
    ``*`` wildcard over the remotes (possibly none)."""
    if expression in known:
        return [expression]
    if "*" in expression:
        rx = wildcard_regex(expression)
        return [name for name in known if rx.fullmatch(name)]
    raise NoSuchRemoteClusterError(expression)


def _check_cluster_exclusion(p: ast.IndexPattern) -> None:
    if p.index != "*":
        raise IllegalArgumentError(
            "To exclude a cluster you must specify the '*' wildcard for the index "
            f"expression, but found: [{p.index}]"
        )
    if p.selector is not None and p.selector != "*":
        raise IllegalArgumentError(
            "To exclude a cluster you must specify the '::*' selector or leave it off, "
            f"but found: [{p.selector}]"
        )


def _apply_exclusions(
    included: dict[str, list[ast.IndexPattern]],
    excluded: Sequence[str],
    patterns: Sequence[ast.IndexPattern],
) -> None:
    """Removes excluded clusters from ``included``; Elasticsearch iterates its
    HashSet of exclusions and prints HashMap key sets, hence the Java orders."""
    failed = []
    for name in java_hash_set_order(excluded, 16):
        if included.pop(name, None) is None:
            failed.append(name)
    user_input = ",".join(pattern_text(p) for p in patterns)
    if failed:
        kept = [LOCAL_NAME if k == "" else k for k in java_hash_set_order(included, 16)]
        plural = len(failed) != 1
        raise IllegalArgumentError(
            f"Attempt to exclude cluster{'s' if plural else ''} {_java_list(failed)} failed "
            f"as {'they are' if plural else 'it is'} not included in the list of clusters "
            f"to be included: {_java_list(kept)}. Input: [{user_input}]"
        )
    if excluded and not included:
        raise IllegalArgumentError(
            "The '-' exclusions in the index expression list excludes all indexes. "
            f"Nothing to search. Input: [{user_input}]"
        )


def _java_list(items: Iterable[str]) -> str:
    return "[" + ", ".join(items) + "]"


def _targets(
    included: dict[str, list[ast.IndexPattern]], local: str | None
) -> dict[str, ClusterTarget]:
    targets: dict[str, ClusterTarget] = {}
    local_patterns = included.get("")
    if local_patterns:
        if local is None:
            raise NoLocalClusterError(pattern_text(local_patterns[0]))
        targets[local] = _target(local, local_patterns, is_local=True)
    for alias, group in included.items():
        if alias:
            targets[alias] = _target(alias, group, is_local=False)
    return targets


def _target(alias: str, patterns: list[ast.IndexPattern], *, is_local: bool) -> ClusterTarget:
    expression = ",".join(pattern_text(p) for p in patterns)
    return ClusterTarget(alias, tuple(patterns), expression, is_local)


# ------------------------------------------------------- resolving on a cluster


def catalog_expression(target: ClusterTarget) -> str:
    """What the cluster's catalog resolves: ``::data`` selects what a plain name
    selects; other selectors (``::failures``) match nothing in esqlsh."""
    parts = [p.index for p in target.patterns if not p.selector or p.selector == "data"]
    return ",".join(parts)


def target_indices(target: ClusterTarget, catalog: _Resolvable) -> list[str]:
    """Concrete index names (unprefixed, sorted) ``target`` matches on ``catalog``."""
    expression = catalog_expression(target)
    return catalog.resolve(expression) if expression else []


def concrete_patterns(target: ClusterTarget) -> list[str]:
    """``EsqlCCSUtils.concreteIndexRequested``, per pattern: parts without ``*`` that
    are not date math (``-idx`` counts: Elasticsearch does not skip exclusions)."""
    parts = [pattern_text(p) for p in target.patterns]
    return [p for p in parts if not p.startswith(("<", "-<")) and "*" not in p]


def missing_concrete(target: ClusterTarget, catalog: _Resolvable) -> list[str]:
    """The concrete patterns of ``target`` when it matches nothing on ``catalog``;
    empty when something matches or only wildcards were asked for.

    Non-empty means Elasticsearch's rule applies: a remote with
    ``skip_unavailable: true`` is skipped with ``target.unknown_index()`` as its
    failure, otherwise (and on the local cluster) the query fails with it as a
    ``verification_exception``. Empty with no match is ``successful``, 0 shards."""
    if target_indices(target, catalog):
        return []
    return concrete_patterns(target)


def qualified_expression(targets: Iterable[ClusterTarget]) -> str:
    """The expression Elasticsearch resolves over every cluster
    (``createIndexExpressionFromAvailableClusters``) and names in ``Unknown index
    [...]``: each remote's parts prefixed with its alias, then the local cluster's.
    Elasticsearch walks its cluster map here; its tests show remotes before the
    local cluster (``Unknown index [cluster-a:nomatch,nomatch*]``)."""
    ordered = sorted(targets, key=lambda t: t.local)  # stable: remotes keep their order
    return ",".join(part for t in ordered for part in t.qualified())
