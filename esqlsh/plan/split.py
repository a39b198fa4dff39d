"""The cross-cluster split: one query → a fragment per cluster + a coordinator plan.

``split`` works on the AST, so every copied node keeps its ``source`` (warnings
carry the query's positions) and every fragment prints back to ES|QL text for an
Elasticsearch cluster. The analysed plan of the whole query (over the union of
every cluster's fields) supplies names and types.

Where each command goes is :mod:`esqlsh.plan.placement`'s decision; how STATS is
split into partial and final aggregates is :mod:`esqlsh.plan.partials`'. Here:

- each fragment reads its cluster's own patterns (``ClusterTarget.patterns``,
  METADATA kept); a remote cluster's ``_index`` is rewritten to ``alias:index``
  right after FROM;
- a STATS that does not decompose makes the fragments ship the rows, only the
  columns the STATS reads (``KEEP``), and runs whole on the coordinator;
- a query reading only the local cluster runs whole as its fragment (it is then
  exactly a single-cluster query);
- the coordinator reads the exchange (``FROM $exchange``: the merged fragment
  results, whose columns are ``SplitPlan.exchange``) and runs the rest.

:func:`with_missing_fields` gives a fragment typed nulls for union fields its
cluster lacks (only the coordinator knows each cluster's fields).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from esqlsh.analysis.expressions import CONVERSION_FUNCTIONS, problem_at
from esqlsh.analysis.types import DataType
from esqlsh.errors import VerificationError
from esqlsh.plan.explain import schema_text
from esqlsh.plan.logical import (
    Aggregate,
    Attribute,
    Plan,
    PlanNode,
    Project,
    Schema,
)
from esqlsh.plan.names import added_names
from esqlsh.plan.partials import decompose
from esqlsh.plan.placement import (
    REMOTE_AFTER,
    Placement,
    effective_limit,
    enrich_requirements,
    is_remote_enrich,
    normalize,
    place,
    verify_remote_enrich,
)
from esqlsh.plan.rewrite import (
    matches_any,
    portable,
    portable_settings,
    referenced_names,
)
from esqlsh.syntax import ast
from esqlsh.syntax.printer import to_esql

__all__ = [
    "EXCHANGE_INDEX",
    "Fragment",
    "SplitPlan",
    "enrich_requirements",
    "split",
    "verify_ccs",
    "with_missing_fields",
]

# The exchange's index name: any name Elasticsearch's FROM accepts (``_exchange``
# does not: index names cannot start with ``_``); it is only ever resolved against
# the in-memory exchange catalog.
EXCHANGE_INDEX = "$exchange"


class ClusterTarget(Protocol):
    """What ``split`` reads of ``esqlsh.clusters.patterns.ClusterTarget``."""

    @property
    def alias(self) -> str: ...
    @property
    def patterns(self) -> tuple[ast.IndexPattern, ...]: ...


@dataclass
class Fragment:
    """What one cluster runs. ``unbounded``: the fragment has no LIMIT of its own
    (it ships rows or partial aggregates): run it without an implicit limit."""

    query: ast.Query
    unbounded: bool
    # Set by whoever runs it (split does not know them): the query's parameters
    # (the fragment's ``?N``/``?name`` refer to them) and a fixed NOW().
    params: Any = None
    now_millis: int | None = None

    def text(self) -> str:
        return to_esql(self.query)

    def with_missing_fields(self, fields: Mapping[str, DataType]) -> Fragment:
        return with_missing_fields(self, fields)


@dataclass
class SplitPlan:
    """Fragments by alias (in the targets' order), the coordinator query and the
    exchange columns every fragment returns (by name; a cluster may order them
    differently). ``strategy`` names the cut: ``limit``, ``top-n``, ``stats``
    (partial aggregates), ``rows`` (the fragments ship rows), ``whole`` (a
    local-only query runs whole in its fragment) or ``coordinator`` (no FROM)."""

    fragments: dict[str, Fragment]
    coordinator: ast.Query
    exchange: tuple[Attribute, ...]
    strategy: str = ""

    def explain(self) -> str:
        lines = []
        for alias, fragment in self.fragments.items():
            bound = " (unbounded)" if fragment.unbounded else ""
            lines.append(f"fragment {alias}{bound}:")
            lines.append(f"  {fragment.text()}")
        if self.fragments:
            lines.append(f"exchange: {schema_text(self.exchange)}")
        lines.append(f"coordinator ({self.strategy}):")
        lines.append(f"  {to_esql(self.coordinator)}")
        return "\n".join(lines)


def verify_ccs(query: ast.Query) -> None:
    """Checks Elasticsearch makes before contacting any cluster: a ``_remote``
    ENRICH may not follow STATS, a ``_coordinator`` ENRICH or a LOOKUP JOIN, and,
    in a query naming a remote cluster, must be movable into the fragments (not
    after a LIMIT it cannot pass)."""
    verify_remote_enrich(query)
    source = query.commands[0] if query.commands else None
    if isinstance(source, ast.From) and any(p.cluster is not None for p in source.patterns):
        place(query)


def split(
    query: ast.Query,
    plan: Plan,
    targets: Mapping[str, ClusterTarget],
    *,
    local: str | None = None,
) -> SplitPlan:
    """The fragments and coordinator query of ``query`` (analysed as ``plan`` over
    every target's fields). ``local`` is the local cluster's alias; when not
    given, the first target is the local one if the query names a bare index
    (targets list the local cluster first). Raises VerificationError."""
    if not query.commands or not isinstance(query.commands[0], ast.From):
        return SplitPlan({}, query, (), "coordinator")
    verify_remote_enrich(query)
    frm = query.commands[0]
    if local is None:
        local = _local_alias(frm, targets)
    if list(targets) == [local]:
        return _whole(query, plan, targets)
    placement = place(query)
    plan_of = _PlanIndex(query, plan)
    _check_hoisted_sort(placement, plan_of)
    cut = _cut(placement, plan_of)
    fragments = {
        alias: Fragment(_fragment_query(query, target, alias != local, cut.fragment), cut.unbounded)
        for alias, target in targets.items()
    }
    coordinator = _coordinator_query(query, cut.coordinator, cut.exchange)
    return SplitPlan(fragments, coordinator, cut.exchange, cut.strategy)


def _local_alias(frm: ast.From, targets: Mapping[str, ClusterTarget]) -> str | None:
    """The target marked ``local``; without the mark, the first target when the
    query names a bare index (targets list the local cluster first)."""
    for alias, target in targets.items():
        if getattr(target, "local", False):
            return alias
    if any(p.cluster is None for p in frm.patterns) and targets:
        return next(iter(targets))
    return None


# ----------------------------------------------------------------- the cut


@dataclass
class _Cut:
    fragment: list[ast.Command]  # after FROM
    coordinator: list[ast.Command]  # after FROM $exchange
    exchange: tuple[Attribute, ...]
    unbounded: bool
    strategy: str


def _cut(placement: Placement, plan_of: _PlanIndex) -> _Cut:
    fragment = [portable(c) for c in placement.fragment]
    coordinator = [portable(c) for c in placement.coordinator]
    schema = plan_of.schema_after(placement.fragment)
    stats = placement.breaker
    if not isinstance(stats, ast.Stats) or placement.strategy != "stats":
        return _Cut(fragment, coordinator, schema, placement.unbounded, placement.strategy)
    decomposed = decompose(portable(stats), plan_of.aggregate(stats), plan_of.names())
    if decomposed is not None:
        fragment.append(decomposed.partial)
        coordinator[0] = decomposed.final
        return _Cut(fragment, coordinator, decomposed.exchange, True, "stats")
    keep, columns = _needed_columns(stats, schema)
    return _Cut([*fragment, keep], coordinator, columns, True, "rows")


def _needed_columns(stats: ast.Stats, schema: Schema) -> tuple[ast.Keep, Schema]:
    """The KEEP shipping the columns a STATS reads (at least one column: the rows
    must still be counted)."""
    names, _ = referenced_names([stats])
    columns = tuple(a for a in schema if a.name in names) or schema[:1]
    keep = ast.Keep(tuple(a.name for a in columns), ast.Source.synthetic())
    return keep, columns


def _check_hoisted_sort(placement: Placement, plan_of: _PlanIndex) -> None:
    """A top-n moved into the fragments along with a ``_remote`` ENRICH is sorted
    again on the coordinator: only possible if the commands moved with it keep
    the sort keys as they are."""
    sort = placement.breaker
    if placement.strategy != "top-n" or not placement.hoisted:
        return
    assert isinstance(sort, ast.Sort)
    keys = {n.name for o in sort.orders for n in ast.walk(o.expr) if isinstance(n, ast.FieldRef)}
    for cmd in placement.hoisted:
        node = plan_of.node_of(cmd)
        if node is not None and _touches(node, keys):
            enrich = next(c for c in reversed(placement.hoisted) if is_remote_enrich(c))
            raise VerificationError([problem_at(enrich.source, REMOTE_AFTER.format("LIMIT"))])


def _touches(node: PlanNode, keys: set[str]) -> bool:
    if isinstance(node, Project):
        return not keys <= {out for out, src in node.columns if out == src}
    return bool((added_names(node) or set()) & keys)


# ------------------------------------------------------------- the queries


def _fragment_query(
    query: ast.Query, target: ClusterTarget, remote: bool, tail: Sequence[ast.Command]
) -> ast.Query:
    frm = query.commands[0]
    assert isinstance(frm, ast.From)
    source = dataclasses.replace(frm, patterns=tuple(target.patterns))
    commands: list[ast.Command] = [source]
    if remote and "_index" in frm.metadata:
        commands.append(_index_with_alias(target.alias))
    commands.extend(tail)
    return ast.Query(tuple(commands), settings=portable_settings(query))


def _index_with_alias(alias: str) -> ast.Eval:
    """``EVAL _index = CONCAT("alias:", _index)``: remote rows report ``alias:index``."""
    concat = ast.Call("CONCAT", (ast.Literal(f"{alias}:", "string"), ast.FieldRef("_index")))
    eval_ = ast.Eval((ast.Assignment("_index", concat),))
    return dataclasses.replace(eval_, source=ast.Source.synthetic(to_esql(eval_)))


def _coordinator_query(
    query: ast.Query, commands: Sequence[ast.Command], exchange: Sequence[Attribute]
) -> ast.Query:
    """``FROM $exchange`` then ``commands``. The exchange index lists its columns by
    name, as every index does; a KEEP restores the fragments' column order."""
    source = ast.From((ast.IndexPattern(EXCHANGE_INDEX),), (), ast.Source.synthetic())
    head: list[ast.Command] = [source]
    names = [a.name for a in exchange]
    if names and names != sorted(names):
        head.append(ast.Keep(tuple(names), ast.Source.synthetic()))
    return ast.Query((*head, *commands), settings=portable_settings(query))


def _whole(query: ast.Query, plan: Plan, targets: Mapping[str, ClusterTarget]) -> SplitPlan:
    """A query reading the local cluster only: it runs whole there, bounded by its
    effective limit; the coordinator passes the rows on (keeping an explicit
    LIMIT's cap rather than the default limit)."""
    ((alias, target),) = targets.items()
    rest = [portable(c) for c in query.commands[1:]]
    final = effective_limit(normalize(query.commands[1:]))
    bounded = rest if rest and isinstance(rest[-1], ast.Limit) else [*rest, final]
    fragment = _fragment_query(query, target, False, bounded)
    exchange = plan.schema
    tail: list[ast.Command] = [final] if any(isinstance(c, ast.Limit) for c in rest) else []
    coordinator = _coordinator_query(query, tail, exchange)
    return SplitPlan({alias: Fragment(fragment, False)}, coordinator, tuple(exchange), "whole")


# -------------------------------------------------------- missing fields


def with_missing_fields(fragment: Fragment, fields: Mapping[str, DataType]) -> Fragment:
    """``fragment`` with ``EVAL f = TO_<TYPE>(null)`` right after FROM for each field
    of ``fields`` (union fields its cluster lacks) that the fragment reads; fields
    it does not read stay absent (the exchange merge fills them with nulls)."""
    commands = fragment.query.commands
    names, patterns = referenced_names(commands[1:])
    wanted = [n for n in fields if n in names or matches_any(n, patterns)]
    if not wanted:
        return fragment
    nulls = ast.Eval(tuple(ast.Assignment(n, _typed_null(fields[n])) for n in wanted))
    nulls = dataclasses.replace(nulls, source=ast.Source.synthetic(to_esql(nulls)))
    query = dataclasses.replace(fragment.query, commands=(commands[0], nulls, *commands[1:]))
    return dataclasses.replace(fragment, query=query)


def _typed_null(t: DataType) -> ast.Expr:
    null = ast.Literal(None, "null")
    function = CONVERSION_FUNCTIONS.get(t)
    if function is None or t in (DataType.DATE_PERIOD, DataType.TIME_DURATION):
        return null
    return ast.Call(function.upper(), (null,))


# ------------------------------------------------------------ plan index


class _PlanIndex:
    """The analysed plan's nodes per AST command. The analyzer gives each node the
    ``source`` object of the command it comes from: one node for most commands,
    more for some (FROM with nullified fields, STATS with expressions over
    aggregates); the final LIMIT is its own."""

    def __init__(self, query: ast.Query, plan: Plan):
        self.plan = plan
        self.nodes: dict[int, list[PlanNode]] = {}
        self.order: list[ast.Command] = list(query.commands)
        nodes = list(plan.nodes)
        i = 0
        for k, cmd in enumerate(query.commands):
            following = query.commands[k + 1].source if k + 1 < len(query.commands) else None
            taken = self._consume(cmd, nodes, i, following)
            self.nodes[id(cmd)] = nodes[i : i + taken]
            i += taken

    @staticmethod
    def _consume(cmd: ast.Command, nodes: list[PlanNode], i: int, following: object) -> int:
        # (a hand-built AST may share one synthetic source: one node each, then)
        n = 1
        while (
            cmd.source is not following and i + n < len(nodes) and nodes[i + n].source is cmd.source
        ):
            n += 1
        return n

    def node_of(self, cmd: ast.Command) -> PlanNode | None:
        found = self.nodes.get(id(cmd))
        return found[-1] if found else None

    def aggregate(self, cmd: ast.Stats) -> Aggregate:
        node = self.nodes[id(cmd)][0]
        assert isinstance(node, Aggregate), f"STATS analysed as {type(node).__name__}"
        return node

    def schema_after(self, commands: Sequence[ast.Command]) -> Schema:
        """The columns after the last analysed command of ``commands`` (FROM's when
        there is none). A LIMIT changes no column, and one moved before other
        commands has their columns in the plan: it is skipped."""
        for cmd in reversed(commands):
            node = None if isinstance(cmd, ast.Limit) else self.node_of(cmd)
            if node is not None:
                return node.schema
        return self.node_of(self.order[0]).schema  # type: ignore[union-attr]

    def names(self) -> Iterable[str]:
        return {a.name for node in self.plan.nodes for a in node.schema}
