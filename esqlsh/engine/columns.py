"""Which columns each step of a plan must produce (backwards liveness), and how
to name one column exactly.

The executor reads only the columns a query needs from storage, prunes frames
before materialising them, and skips EVAL fields nobody reads — as Elasticsearch's
optimizer prunes unused columns and aliases (so their failures are not reported
either).

Polars reads the column name ``*`` as "every column" and ``^…$`` as a regex, in
``pl.col`` and wherever a name is given as a string (``drop``, ``explode``,
``select``…); ES|QL columns may be named so (``EVAL `*` = 1``). A name that comes
from the query goes through :func:`col` or :func:`exactly`.
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl
import polars.selectors as cs

from esqlsh.plan.logical import (
    Aggregate,
    DissectNode,
    EnrichNode,
    EvalNode,
    Filter,
    FnCall,
    GrokNode,
    InlineStatsNode,
    LimitNode,
    LookupJoinNode,
    MvExpandNode,
    OrderBy,
    Plan,
    PlanNode,
    Project,
    Ref,
    RowSource,
    TExpr,
)


def col(name: str) -> pl.Expr:
    """The column ``name`` itself (``pl.col`` would expand a pattern)."""
    if name == "*" or (name.startswith("^") and name.endswith("$")):
        return cs.by_name(name).as_expr()
    return pl.col(name)


def exactly(names: Iterable[str]) -> cs.Selector:
    """The columns ``names`` themselves, for ``drop`` and ``explode``."""
    return cs.by_name(*names)


def refs(expr: TExpr | None) -> set[str]:
    """Names of the columns ``expr`` reads."""
    if expr is None:
        return set()
    if isinstance(expr, Ref):
        return {expr.name}
    if isinstance(expr, FnCall):
        out: set[str] = set()
        for arg in expr.args:
            out |= refs(arg)
        return out
    return set()


def refs_all(exprs: Iterable[TExpr | None]) -> set[str]:
    out: set[str] = set()
    for e in exprs:
        out |= refs(e)
    return out


def live_fields(
    fields: tuple[tuple[str, TExpr], ...], needed: set[str]
) -> tuple[list[tuple[str, TExpr]], set[str]]:
    """The sequential fields (EVAL, ROW) whose values are read later, and the
    columns needed before them."""
    keep: list[tuple[str, TExpr]] = []
    want = set(needed)
    for name, expr in reversed(fields):
        if name in want:
            keep.append((name, expr))
            want.discard(name)
            want |= refs(expr)
    keep.reverse()
    return keep, want


def needed_before(node: PlanNode, needed: set[str]) -> set[str]:
    """Columns ``node``'s input must have for its output to have ``needed``."""
    if isinstance(node, (EvalNode, RowSource)):
        return live_fields(node.fields, needed)[1]
    if isinstance(node, Filter):
        return needed | refs(node.condition)
    if isinstance(node, Aggregate):
        exprs: list[TExpr | None] = [g for _, g in node.groups]
        for spec in node.aggs:
            exprs += [spec.call, spec.filter]
        return refs_all(exprs)
    if isinstance(node, Project):
        return {src for out, src in node.columns if out in needed}
    if isinstance(node, OrderBy):
        return needed | refs_all(k.expr for k in node.keys)
    if isinstance(node, DissectNode):
        return (needed - set(node.keys)) | refs(node.operand)
    if isinstance(node, GrokNode):
        return (needed - {f.name for f in node.fields}) | refs(node.operand)
    if isinstance(node, EnrichNode):
        return (needed - {f[0] for f in node.fields}) | refs(node.match_field)
    if isinstance(node, MvExpandNode):
        return needed | {node.field}
    if isinstance(node, LookupJoinNode):
        joined = {c.left for c in node.conditions}
        return (needed - {f.name for f in node.fields}) | set(node.keys) | joined
    if isinstance(node, InlineStatsNode):
        return _needed_before_inline_stats(node, needed)
    if isinstance(node, LimitNode):
        return needed
    return needed


def _needed_before_inline_stats(node: InlineStatsNode, needed: set[str]) -> set[str]:
    """What the stats read, unless no aggregate is read later (the command is then
    pruned, and only its grouping expressions are computed)."""
    groups = node.aggregate.groups
    outputs = {a.name for a in node.stats_schema}
    aggs = outputs - {name for name, _ in groups}
    if not aggs & needed:
        return (needed - outputs) | refs_all(e for n, e in groups if n in needed)
    reads = needed_before(node.aggregate, outputs) | refs_all(e for _, e in groups)
    return (needed - outputs) | reads


def needed_after(plan: Plan) -> list[set[str]]:
    """For each node, the columns its output must provide."""
    nodes = plan.nodes
    out: list[set[str]] = [set() for _ in nodes]
    needed = {a.name for a in plan.schema}
    for i in range(len(nodes) - 1, -1, -1):
        out[i] = needed
        needed = needed_before(nodes[i], needed)
    return out
