"""STATS across clusters: partial aggregates in each cluster's fragment, the final
ones on the coordinator.

Each aggregate call of a STATS becomes one or two *partial* aggregates, named
``$p0``, ``$p1`` … (backquoted when printed), computed by every fragment grouped
by the STATS keys, and a *final* expression the coordinator computes over them,
grouped by the same keys (now plain columns of the exchange):

==============================  ====================  ==================================
aggregate                       partial (fragment)    final (coordinator)
==============================  ====================  ==================================
``COUNT(x)`` / ``COUNT(*)``     ``COUNT(x)``          ``SUM(p)`` (a group exists only
                                                      where a cluster counted: never null)
``SUM(x)`` of doubles           ``SUM(x)``            ``SUM(p)``
``SUM(x)`` integral             ``SUM(x)``,           ``CASE(MAX(c > 0 AND p IS NULL),
                                ``COUNT(x)``          null, SUM(p))``
``AVG(x)``                      ``SUM(x)``,           ``TO_DOUBLE(SUM(s)) / SUM(c)`` (and
                                ``COUNT(x)``          the overflow guard when integral)
``MIN`` / ``MAX`` / ``VALUES``  the same              the same over ``p``
``TOP(x, n, o)``                ``TOP(x, n, o)``      ``TOP(p, n, o)``
``COUNT_DISTINCT(x[, prec])``   ``VALUES(x)``         ``COUNT_DISTINCT(p[, prec])``
``PRESENT(x)`` / ``ABSENT(x)``  the same              ``MAX(p)`` / ``MIN(p)`` (any / all)
==============================  ====================  ==================================

A cluster whose long sum overflows sends null (and Elasticsearch's warning) where
it counted values: the guard makes the final null too, as one cluster would answer.

An aggregate sees every value of a multi-valued column, which is what makes
``VALUES``, ``TOP`` and ``COUNT_DISTINCT`` over the partial lists exact. An
aggregate's ``WHERE`` filter stays on its partials. Grouping expressions (``BY b =
BUCKET(…)``) are computed in the fragments; the coordinator groups by the key
column, and a grouping function repeated inside an aggregate expression becomes a
reference to it. Expressions over aggregates (``x = AVG(a) + 1``) are rebuilt over
the final aggregates. Any other aggregate (MEDIAN, PERCENTILE,
MEDIAN_ABSOLUTE_DEVIATION, STD_DEV, WEIGHTED_AVG, SAMPLE …) makes
:func:`decompose` return None: the caller then ships rows.

Final calls keep the source of the aggregate they replace, so a warning raised by
the coordinator quotes the query's text at its position.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from esqlsh.analysis.functions._common import no_text
from esqlsh.analysis.registry import lookup
from esqlsh.analysis.stats import agg_name, group_name
from esqlsh.analysis.types import DataType
from esqlsh.plan.logical import Aggregate, Attribute, FnCall, TExpr
from esqlsh.plan.rewrite import transform
from esqlsh.syntax import ast

T = DataType
DECOMPOSABLE = frozenset(
    {"count", "sum", "min", "max", "avg", "values", "top", "count_distinct", "present", "absent"}
)


def _decomposable(name: str, call: ast.Call) -> bool:
    # TOP's 4th argument (outputField) returns another field's values, which the
    # partial TOP no longer has: ship the rows instead.
    return name in DECOMPOSABLE and not (name == "top" and len(call.args) > 3)


@dataclass
class StatsSplit:
    """The fragment's STATS, the coordinator's STATS and the columns in between."""

    partial: ast.Stats
    final: ast.Stats
    exchange: tuple[Attribute, ...]


def kept_items(cmd: ast.Stats) -> tuple[list[ast.Assignment], list[ast.AggItem]]:
    """The BY items and aggregates that make a column (``RemoveStatsOverride``: the
    last of a name wins, a grouping over an aggregate); the others only warn, and
    that warning is the analysed plan's."""
    last_group = {group_name(g): g for g in cmd.groups}
    groups = [g for g in cmd.groups if last_group[group_name(g)] is g]
    last_agg = {agg_name(a): a for a in cmd.aggs}
    aggs = [a for a in cmd.aggs if last_agg[agg_name(a)] is a and agg_name(a) not in last_group]
    return groups, aggs


def typed_calls(node: Aggregate) -> dict[ast.Source, FnCall]:
    """The analysed aggregate calls of a STATS, by the position of their text."""
    return {spec.call.source: spec.call for spec in node.aggs}


def decompose(cmd: ast.Stats, node: Aggregate, taken: Iterable[str]) -> StatsSplit | None:
    """Partial and final STATS for ``cmd`` (analysed as ``node``), or None when an
    aggregate does not decompose. Partial names avoid every name in ``taken``."""
    builder = _Builder(typed_calls(node), _prefix(taken))
    groups, aggs = kept_items(cmd)
    group_types = dict(node.groups)
    finals: list[ast.AggItem] = []
    for item in aggs:
        final = builder.final_item(item, groups)
        if final is None:
            return None
        finals.append(final)
    partial = dataclasses.replace(
        cmd, aggs=tuple(builder.partials), groups=tuple(_named_group(g) for g in groups)
    )
    final_groups = tuple(
        ast.Assignment(None, ast.FieldRef(group_name(g), g.source), g.source) for g in groups
    )
    final_stats = dataclasses.replace(cmd, aggs=tuple(finals), groups=final_groups)
    exchange = tuple(builder.attrs) + tuple(
        Attribute(group_name(g), group_types[group_name(g)].type) for g in groups
    )
    return StatsSplit(partial, final_stats, exchange)


def _prefix(taken: Iterable[str]) -> str:
    """``$p``, or a longer prefix when a column already looks like a partial."""
    prefix = "$p"
    names = set(taken)
    while any(re.fullmatch(re.escape(prefix) + r"\d+", n) for n in names):
        prefix = "$" + prefix
    return prefix


def _named_group(g: ast.Assignment) -> ast.Assignment:
    """A BY expression with its column name written out (printed text may space it
    differently from the query's, and Elasticsearch names it after what it reads)."""
    if g.name is None and not isinstance(g.expr, ast.FieldRef):
        return dataclasses.replace(g, name=g.expr.source.text)
    return g


def _same(a: ast.Expr, b: ast.Expr) -> bool:
    """AST equality up to sources and the case of function names."""
    return _canonical(a) == _canonical(b)


def _canonical(e: ast.Expr) -> ast.Expr:
    def lower(node: object) -> object | None:
        if isinstance(node, ast.Call):
            args = tuple(_canonical(a) for a in node.args)
            return dataclasses.replace(node, name=node.name.lower(), args=args)
        return None

    return transform(e, lower)


class _Builder:
    """Collects partial aggregates while rewriting aggregate expressions."""

    def __init__(self, typed: dict[ast.Source, FnCall], prefix: str):
        self.typed = typed
        self.prefix = prefix
        self.partials: list[ast.AggItem] = []
        self.attrs: list[Attribute] = []
        self.seen: dict[tuple[ast.Expr, ast.Expr | None, ast.Source | None], str] = {}
        self.failed = False
        self.filter: ast.Expr | None = None
        self.groups: Sequence[ast.Assignment] = ()

    def final_item(self, item: ast.AggItem, groups: Sequence[ast.Assignment]) -> ast.AggItem | None:
        self.filter = item.filter
        self.groups = groups
        self.failed = False
        expr = transform(item.assignment.expr, self._replace)
        if self.failed:
            return None
        assignment = dataclasses.replace(item.assignment, name=agg_name(item), expr=expr)
        return dataclasses.replace(item, assignment=assignment, filter=None)

    def _replace(self, node: object) -> ast.Expr | None:
        if not isinstance(node, ast.Call):
            return None
        fn = lookup(node.name)
        if fn is not None and fn.kind == "grouping":
            for g in self.groups:
                if _same(g.expr, node):
                    return ast.FieldRef(group_name(g), node.source)
            return None
        if fn is None or fn.kind != "aggregate":
            return None
        typed = self.typed.get(node.source)
        if not _decomposable(fn.name, node) or typed is None:
            self.failed = True
            return node
        return _FINALS[fn.name](self, node, typed)

    def partial(self, call: ast.Call, t: DataType) -> ast.FieldRef:
        """The partial column computing ``call`` (under the current filter): one
        per distinct call, so ``AVG(x)`` and ``COUNT(x)`` share their count. A sum
        can overflow, and its warning names the aggregate it is part of: sums are
        shared only within one aggregate."""
        flt = None if self.filter is None else _canonical(self.filter)
        owner = call.source if call.name.lower() == "sum" else None
        key = (_canonical(call), flt, owner)
        name = self.seen.get(key)
        if name is None:
            name = f"{self.prefix}{len(self.partials)}"
            self.seen[key] = name
            self.partials.append(
                ast.AggItem(ast.Assignment(name, call, call.source), self.filter, call.source)
            )
            self.attrs.append(Attribute(name, t))
        return ast.FieldRef(name, call.source)


def _call(name: str, args: Sequence[ast.Expr], source: ast.Source) -> ast.Call:
    return ast.Call(name, tuple(args), source=source)


def _count(b: _Builder, c: ast.Call, typed: FnCall) -> ast.Expr:
    return _call("SUM", [b.partial(c, T.LONG)], c.source)


def _same_name(b: _Builder, c: ast.Call, typed: FnCall) -> ast.Expr:
    """MIN, MAX, VALUES: the same aggregate over the partials."""
    return _call(c.name, [b.partial(c, typed.type)], c.source)


def _sum(b: _Builder, c: ast.Call, typed: FnCall) -> ast.Expr:
    if typed.type is not T.LONG:
        return _same_name(b, c, typed)
    total = b.partial(c, T.LONG)
    count = b.partial(_call("COUNT", c.args, c.source), T.LONG)
    return _unless_overflowed(total, count, _call(c.name, [total], c.source))


def _unless_overflowed(total: ast.FieldRef, count: ast.FieldRef, final: ast.Expr) -> ast.Expr:
    """``final``, or null when a cluster's long sum overflowed: its partial is then
    null (with Elasticsearch's warning) although it counted values, and the sum of
    the others would be a wrong number where Elasticsearch answers null."""
    s = total.source
    null_sum = ast.IsNull(total, source=s)
    overflowed = ast.Binary(
        "AND", ast.Binary(">", count, ast.Literal(0, "integer", s), s), null_sum, s
    )
    max_ = _call("MAX", [overflowed], s)
    return _call("CASE", [max_, ast.Literal(None, "null", s), final], s)


def _top(b: _Builder, c: ast.Call, typed: FnCall) -> ast.Expr:
    return _call(c.name, [b.partial(c, typed.type), *c.args[1:]], c.source)


def _count_distinct(b: _Builder, c: ast.Call, typed: FnCall) -> ast.Expr:
    values_type = _values_type(typed.args[0])
    p = b.partial(_call("VALUES", c.args[:1], c.source), values_type)
    return _call(c.name, [p, *c.args[1:]], c.source)


def _values_type(arg: TExpr) -> DataType:
    return T.NULL if arg.type is T.NULL else no_text(arg.type)


def _avg(b: _Builder, c: ast.Call, typed: FnCall) -> ast.Expr:
    arg = typed.args[0].type
    sum_type = T.NULL if arg is T.NULL else (T.DOUBLE if arg is T.DOUBLE else T.LONG)
    total = b.partial(_call("SUM", c.args, c.source), sum_type)
    count = b.partial(_call("COUNT", c.args, c.source), T.LONG)
    # long / long would be an integer division: the sum is made a double first,
    # as Elasticsearch's AVG (SUM / COUNT in double) does
    numerator = _call("TO_DOUBLE", [_call("SUM", [total], c.source)], c.source)
    average = ast.Binary("/", numerator, _call("SUM", [count], c.source), c.source)
    return _unless_overflowed(total, count, average) if sum_type is T.LONG else average


def _present(b: _Builder, c: ast.Call, typed: FnCall) -> ast.Expr:
    """PRESENT: present on any cluster; ABSENT: absent on every one."""
    final = "MAX" if c.name.lower() == "present" else "MIN"
    return _call(final, [b.partial(c, T.BOOLEAN)], c.source)


_FINALS = {
    "count": _count,
    "sum": _sum,
    "min": _same_name,
    "max": _same_name,
    "values": _same_name,
    "top": _top,
    "count_distinct": _count_distinct,
    "avg": _avg,
    "present": _present,
    "absent": _present,
}
