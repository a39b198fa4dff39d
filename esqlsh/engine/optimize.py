"""Plan rewrites the engine applies before running, as Elasticsearch's optimizer
does them (results, and which rows an expression is evaluated on — hence which
failures are reported — depend on them):

- adjacent WHEREs become one (``a AND b``, each part evaluated on every row);
- WHERE moves before SORT and KEEP/DROP/RENAME, and its conditions that do not
  read what an EVAL, DISSECT, GROK, ENRICH, LOOKUP JOIN or MV_EXPAND adds move
  before that command (``PushDownAndCombineFilters``); so a filter can reach the
  index scan, where Elasticsearch runs it as a Lucene query;
- LIMIT moves before EVAL, KEEP/DROP/RENAME, DISSECT, GROK and ENRICH (they keep
  every row and add none); adjacent LIMITs combine;
- LIMIT is copied before MV_EXPAND and LOOKUP JOIN (which can only add rows), so
  ``MV_EXPAND a | MV_EXPAND b | LIMIT 10`` never builds the whole product.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from esqlsh.analysis.types import DataType
from esqlsh.engine.columns import refs
from esqlsh.plan.logical import (
    DissectNode,
    EnrichNode,
    EvalNode,
    Filter,
    FnCall,
    GrokNode,
    LimitNode,
    LookupJoinNode,
    MvExpandNode,
    PlanNode,
    Project,
    Ref,
    TExpr,
)
from esqlsh.plan.names import added_names

_ROW_PRESERVING = (EvalNode, Project, DissectNode, GrokNode, EnrichNode)
_ROW_ADDING = (MvExpandNode, LookupJoinNode)


def _limited(nodes: list[PlanNode], below: int, count: int) -> bool:
    """Whether rows reaching ``nodes[below]`` are already limited to ``count``
    (by a LIMIT under it, through nodes that keep the row count)."""
    for node in reversed(nodes[: below + 1]):
        if isinstance(node, LimitNode):
            return node.count <= count
        if not isinstance(node, _ROW_PRESERVING):
            return False
    return False


def push_down_limits(nodes: tuple[PlanNode, ...]) -> tuple[PlanNode, ...]:
    """``nodes`` with every LIMIT moved as early as it can go."""
    out = list(nodes)
    i = 1
    while i < len(out):
        node, prev = out[i], out[i - 1]
        if not isinstance(node, LimitNode) or i < 2:
            i += 1
            continue
        if isinstance(prev, LimitNode):
            out[i - 1 : i + 1] = [replace(prev, count=min(node.count, prev.count))]
            i = max(i - 1, 1)
        elif isinstance(prev, _ROW_PRESERVING):
            out[i - 1 : i + 1] = [replace(node, schema=out[i - 2].schema), prev]
            i = max(i - 1, 1)
        elif isinstance(prev, _ROW_ADDING) and not _limited(out, i - 2, node.count):
            out.insert(i - 1, replace(node, schema=out[i - 2].schema))
            i = max(i - 1, 1)
        else:
            i += 1
    return tuple(out)


# ------------------------------------------------------------------- filters


def conjuncts(expr: TExpr) -> list[TExpr]:
    """``a AND b AND c`` as ``[a, b, c]``."""
    if isinstance(expr, FnCall) and expr.name == "and":
        return [part for arg in expr.args for part in conjuncts(arg)]
    return [expr]


def conjunction(parts: Sequence[TExpr]) -> TExpr:
    out = parts[0]
    for part in parts[1:]:
        out = FnCall("and", (out, part), DataType.BOOLEAN)
    return out


def _renamed(expr: TExpr, names: dict[str, str]) -> TExpr:
    if isinstance(expr, Ref):
        return replace(expr, name=names.get(expr.name, expr.name))
    if isinstance(expr, FnCall):
        return replace(expr, args=tuple(_renamed(a, names) for a in expr.args))
    return expr


def _push_filter(out: list[PlanNode], i: int) -> bool:
    """Move the filter at ``i`` (or part of it) below ``out[i - 1]``."""
    node, prev, below = out[i], out[i - 1], out[i - 2]
    assert isinstance(node, Filter)
    if isinstance(prev, Filter):
        # one AND: Elasticsearch then evaluates both conditions on every row
        combined = conjunction([*conjuncts(prev.condition), *conjuncts(node.condition)])
        out[i - 1 : i + 1] = [Filter(combined, prev.schema, prev.source)]
        return True
    if isinstance(prev, Project):
        names = {o: s for o, s in prev.columns}
        moved = Filter(_renamed(node.condition, names), below.schema, node.source)
        out[i - 1 : i + 1] = [moved, prev]
        return True
    added = added_names(prev)
    if added is None:
        return False
    parts = conjuncts(node.condition)
    movable = [p for p in parts if not refs(p) & added]
    if not movable:
        return False
    staying = [p for p in parts if refs(p) & added]
    replacement: list[PlanNode] = [Filter(conjunction(movable), below.schema, node.source), prev]
    if staying:
        replacement.append(Filter(conjunction(staying), node.schema, node.source))
    out[i - 1 : i + 1] = replacement
    return True


def push_down_filters(nodes: tuple[PlanNode, ...]) -> tuple[PlanNode, ...]:
    """``nodes`` with every WHERE (or the parts of it that can go) moved as early
    as Elasticsearch moves it."""
    out = list(nodes)
    changed = True
    while changed:
        changed = False
        for i in range(2, len(out)):
            if isinstance(out[i], Filter) and _push_filter(out, i):
                changed = True
                break
    return tuple(out)


# Field types Elasticsearch queries in Lucene (text only through a keyword
# sub-field, so never here).
_INDEXED = frozenset(
    {
        DataType.KEYWORD,
        DataType.INTEGER,
        DataType.LONG,
        DataType.UNSIGNED_LONG,
        DataType.DOUBLE,
        DataType.DATETIME,
        DataType.DATE_NANOS,
        DataType.BOOLEAN,
        DataType.IP,
        DataType.VERSION,
    }
)
_COMPARISONS = frozenset({"eq", "neq", "lt", "lte", "gt", "gte"})


def _field(expr: TExpr, fields: set[str]) -> bool:
    return isinstance(expr, Ref) and expr.name in fields and expr.type in _INDEXED


def _constant(expr: TExpr) -> bool:
    return not refs(expr)


def lucene_pushable(expr: TExpr, fields: set[str]) -> bool:
    """Whether Elasticsearch turns ``expr`` (a condition right on an index scan)
    into a Lucene query: comparisons, IN, IS NULL, LIKE/RLIKE and CIDR_MATCH of
    an indexed field with constants, and AND/OR/NOT of those. Such a query only
    matches single-valued documents and reports no failures."""
    if not isinstance(expr, FnCall):
        return False
    name, args = expr.name, expr.args
    if name in ("and", "or", "not"):
        return all(lucene_pushable(a, fields) for a in args)
    if name in _COMPARISONS and len(args) == 2:
        a, b = args
        return (_field(a, fields) and _constant(b)) or (_field(b, fields) and _constant(a))
    if name in ("in", "cidr_match", "like", "rlike"):
        return bool(args) and _field(args[0], fields) and all(_constant(a) for a in args[1:])
    if name in ("is_null", "is_not_null"):
        return len(args) == 1 and _field(args[0], fields)
    return False
