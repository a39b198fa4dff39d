"""A cross-cluster query run entirely in process over several storages: the split
plan's reference executor.

``run_split_in_process`` does what the coordinator does, without threads, timeouts
or ``_clusters``: resolve the FROM per cluster, analyse the whole query over the
union of the clusters' fields, split it, run each fragment on its storage (typed
nulls for union fields it lacks), stack the fragments' frames in cluster order
into the exchange and run the coordinator query over it. Tests compare its answer
with a single-cluster run over all the rows; the conformance runner's split mode
uses it as its executor.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

import polars as pl

from esqlsh.analysis.analyzer import analyze
from esqlsh.analysis.sources import merge_fields
from esqlsh.analysis.types import DataType
from esqlsh.clusters.base import Catalog, EnrichPolicy, Storage
from esqlsh.clusters.federated import FederatedCatalog
from esqlsh.clusters.patterns import ClusterTarget, resolve_targets, target_indices
from esqlsh.coordinator.exchange import ExchangeStorage, merge_frames
from esqlsh.engine.executor import execute
from esqlsh.engine.result import Result
from esqlsh.plan.logical import Plan, Relation
from esqlsh.plan.split import EXCHANGE_INDEX, Fragment, SplitPlan, split, with_missing_fields
from esqlsh.syntax import ast
from esqlsh.syntax.parser import parse

Params = list[object] | dict[str, object] | None


def run_split_in_process(
    query_text: str,
    storages: Mapping[str, Storage],
    local: str | None,
    params: Params = None,
    *,
    now_millis: int | None = None,
) -> Result:
    """Run ``query_text`` over ``storages`` (by alias; ``local`` is the local one's
    alias) the way the coordinator splits it. Raises the stages' errors."""
    query = parse(query_text)
    source = query.commands[0]
    if not isinstance(source, ast.From):
        storage = storages[local] if local is not None else next(iter(storages.values()))
        return _single(query, storage, params, now_millis)
    remotes = [a for a in storages if a != local]
    targets = resolve_targets(source.patterns, local, remotes)
    matched = {a: t for a, t in targets.items() if target_indices(t, storages[a])}
    federated = _UnionCatalog(storages, local)
    plan = analyze(query, federated, params)
    split_plan = split(query, plan, matched, local=local)
    frames, warnings = _run_fragments(split_plan, plan, matched, storages, params, now_millis)
    result = _coordinate(
        split_plan, frames, storages.get(local) if local else None, params, now_millis
    )
    result.warnings = list(dict.fromkeys([*plan.warnings, *warnings, *result.warnings]))
    return result


def explain_split(
    query_text: str, storages: Mapping[str, Storage], local: str | None, params: Params = None
) -> str:
    """``SplitPlan.explain()`` of ``query_text`` over ``storages``."""
    query = parse(query_text)
    source = query.commands[0]
    if not isinstance(source, ast.From):
        return split(query, Plan(()), {}).explain()
    targets = resolve_targets(source.patterns, local, [a for a in storages if a != local])
    matched = {a: t for a, t in targets.items() if target_indices(t, storages[a])}
    plan = analyze(query, _UnionCatalog(storages, local), params)
    return split(query, plan, matched, local=local).explain()


def _single(query: ast.Query, storage: Storage, params: Params, now: int | None) -> Result:
    plan = analyze(query, storage, params)
    result = execute(plan, storage, now_millis=now)
    result.warnings = list(dict.fromkeys([*plan.warnings, *result.warnings]))
    return result


def _run_fragments(
    split_plan: SplitPlan,
    plan: Plan,
    targets: Mapping[str, ClusterTarget],
    storages: Mapping[str, Storage],
    params: Params,
    now: int | None,
) -> tuple[list[pl.DataFrame], list[str]]:
    union = _union_fields(plan)
    frames: list[pl.DataFrame] = []
    warnings: list[str] = []
    for alias, fragment in split_plan.fragments.items():
        storage = storages[alias]
        missing = _missing_fields(union, targets[alias], storage)
        result = run_fragment(with_missing_fields(fragment, missing), storage, params, now)
        frames.append(result.frame.rename(_frame_names(result)))
        warnings.extend(result.warnings)
    return frames, warnings


def run_fragment(fragment: Fragment, storage: Storage, params: Params, now: int | None) -> Result:
    """What an embedded cluster does with a fragment: no implicit limit."""
    fragment_plan = analyze(fragment.query, storage, params, default_limit=None)
    result = execute(fragment_plan, storage, now_millis=now)
    result.warnings = list(dict.fromkeys([*fragment_plan.warnings, *result.warnings]))
    return result


def _frame_names(result: Result) -> dict[str, str]:
    """The result's frame columns named after its attributes (the engine gives a
    repeated name a unique frame name)."""
    return {
        old: attr.name
        for old, attr in zip(result.frame.columns, result.columns, strict=True)
        if old != attr.name
    }


def _coordinate(
    split_plan: SplitPlan,
    frames: Sequence[pl.DataFrame],
    local: Storage | None,
    params: Params,
    now: int | None,
) -> Result:
    frame = merge_frames(split_plan.exchange, frames)
    storage = ExchangeStorage(EXCHANGE_INDEX, split_plan.exchange, frame, local)
    coordinator_plan = analyze(split_plan.coordinator, storage, params)
    result = execute(coordinator_plan, storage, now_millis=now)
    result.warnings = list(dict.fromkeys(result.warnings))
    return result


def _union_fields(plan: Plan) -> dict[str, DataType]:
    """The FROM's columns over every cluster (metadata fields aside)."""
    relation = plan.nodes[0]
    if not isinstance(relation, Relation):
        return {}
    metadata = set(relation.metadata)
    return {a.name: a.type for a in relation.schema if a.name not in metadata}


def _missing_fields(
    union: Mapping[str, DataType], target: ClusterTarget, storage: Storage
) -> dict[str, DataType]:
    infos = [i for i in (storage.index(n) for n in target_indices(target, storage)) if i]
    present, _ = merge_fields(infos)
    names = {a.name for a in present}
    return {n: t for n, t in union.items() if n not in names}


class _UnionCatalog(FederatedCatalog):
    """A federated catalog whose policies are every cluster's (the local one's
    first; a remote-only policy's indices named ``alias:index`` so their types come
    from that cluster), as the coordinator's analysis sees them."""

    def __init__(self, catalogs: Mapping[str, Catalog], local: str | None):
        super().__init__(catalogs, local)

    def policies(self) -> dict[str, EnrichPolicy]:
        merged = dict(super().policies())
        for alias in self.remotes():
            catalog = self.catalog(alias)
            for name, policy in (catalog.policies() if catalog else {}).items():
                if name not in merged:
                    indices = tuple(f"{alias}:{i}" for i in policy.indices)
                    merged[name] = dataclasses.replace(policy, indices=indices)
        return merged


__all__ = ["explain_split", "run_fragment", "run_split_in_process"]
