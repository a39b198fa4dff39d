"""STATS: aggregates and groupings, verified and planned.

Verification follows Elasticsearch's ``Aggregate`` checks: every aggregate item is
an aggregate function or an expression over aggregates, grouping keys and
constants; groupings contain no aggregates; grouping functions (BUCKET) appear in
aggregates only as a whole BY expression; ``WHERE`` filters go on aggregates only.

Planning: an item that is an aggregate call is an ``AggSpec``. An expression over
aggregates (``STATS a = MAX(x) + 1``) computes its aggregates under hidden names
(``$$MAX(x)$0``), then an ``EvalNode`` computes the expression and a ``Project``
restores the output order: the aggregates in order, then the groupings. Duplicate
names keep the last definition (a grouping wins over an aggregate) with
Elasticsearch's ``Field 'x' shadowed by field at line L:C`` warning.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from esqlsh.analysis.expressions import (
    ExpressionResolver,
    Scope,
    is_aggregate,
    is_foldable,
    is_grouping,
    merge_output,
    problem_at,
    walk,
)
from esqlsh.analysis.types import DataType
from esqlsh.errors import Problem
from esqlsh.plan.logical import (
    Aggregate,
    AggSpec,
    Attribute,
    EvalNode,
    FnCall,
    PlanNode,
    Project,
    Ref,
    TExpr,
)
from esqlsh.syntax import ast

if TYPE_CHECKING:
    from dataclasses import dataclass
else:  # the same classes, made without compiling methods at import (syntax/records.py)
    from esqlsh.syntax.records import dataclass


@dataclass
class _Group:
    name: str
    expr: TExpr
    assignment: ast.Assignment


@dataclass
class _Agg:
    name: str
    expr: TExpr
    filter: TExpr | None
    item: ast.AggItem


@dataclass
class StatsResult:
    nodes: list[PlanNode]
    warnings: list[str]


def analyze_stats(
    cmd: ast.Stats, scope: Scope, resolver: ExpressionResolver, late: list[Problem]
) -> StatsResult | None:
    """Resolve, verify (problems to ``resolver.problems`` and ``late``) and plan one
    STATS; None when something did not resolve."""
    before = len(resolver.problems)
    groups = _resolve_groups(cmd, scope, resolver)
    group_attrs = [Attribute(g.name, g.expr.type) for g in groups]
    agg_scope = scope.with_attrs(merge_output(group_attrs, scope.attrs))
    for g in groups:
        agg_scope.unusable.pop(g.name, None)
    aggs = _resolve_aggs(cmd, agg_scope, resolver)
    if len(resolver.problems) > before:
        return None
    _verify_groups(groups, late)
    for agg in aggs:
        _verify_agg(agg, groups, late)
    kept_groups, kept_aggs, warnings = _remove_overrides(groups, aggs)
    return StatsResult(_plan(cmd, kept_groups, kept_aggs), warnings)


# ------------------------------------------------------------------ resolve


def _resolve_groups(cmd: ast.Stats, scope: Scope, resolver: ExpressionResolver) -> list[_Group]:
    groups = []
    for g in cmd.groups:
        expr = resolver.resolve(g.expr, scope)
        if expr is not None:
            groups.append(_Group(group_name(g), expr, g))
    return groups


def group_name(g: ast.Assignment) -> str:
    """An unnamed key that is a column keeps the column's name (``BY `a b``` is
    ``a b``, as ``visitGrouping`` reuses the attribute); other keys are named after
    their text."""
    if g.name is not None:
        return g.name
    return g.expr.name if isinstance(g.expr, ast.FieldRef) else g.expr.source.text


def agg_name(item: ast.AggItem) -> str:
    """An unnamed aggregate is named after its text, with its WHERE when it has one."""
    if item.assignment.name is not None:
        return item.assignment.name
    if item.filter is not None:
        return item.source.text
    return item.assignment.expr.source.text


def _resolve_aggs(cmd: ast.Stats, scope: Scope, resolver: ExpressionResolver) -> list[_Agg]:
    aggs = []
    for item in cmd.aggs:
        expr = resolver.resolve(item.assignment.expr, scope)
        flt = resolver.resolve(item.filter, scope) if item.filter is not None else None
        if expr is None or (item.filter is not None and flt is None):
            continue
        aggs.append(_Agg(agg_name(item), expr, flt, item))
    return aggs


# ------------------------------------------------------------------- verify


def _verify_groups(groups: list[_Group], late: list[Problem]) -> None:
    for g in groups:
        for e in walk(g.expr):
            if is_aggregate(e):
                late.append(
                    problem_at(e.source, f"cannot use an aggregate [{e.source.text}] for grouping")
                )
            elif is_grouping(e):
                for inner in _nested(e, is_grouping):
                    late.append(
                        problem_at(
                            inner.source,
                            f"cannot nest grouping functions; found [{inner.source.text}] "
                            f"inside [{e.source.text}]",
                        )
                    )


def _nested(call: TExpr, picked: Callable[[TExpr], bool]) -> Iterator[TExpr]:
    """What ``picked`` finds inside the arguments of the function call ``call``, in
    ``walk`` order (``call`` itself is left out)."""
    assert isinstance(call, FnCall)
    for arg in call.args:
        yield from (inner for inner in walk(arg) if picked(inner))


def _verify_agg(agg: _Agg, groups: list[_Group], late: list[Problem]) -> None:
    if is_foldable(agg.expr):
        late.append(
            problem_at(
                agg.expr.source,
                f"expected an aggregate function but found [{agg.expr.source.text}]",
            )
        )
    _check_usage(agg.expr, 0, groups, late)
    if agg.filter is not None:
        _verify_filter(agg, groups, late)


def _check_usage(e: TExpr, level: int, groups: list[_Group], late: list[Problem]) -> None:
    """``Aggregate.checkInvalidNamedExpressionUsage``."""
    if is_aggregate(e):
        for inner in _nested(e, is_aggregate):
            late.append(
                problem_at(
                    inner.source,
                    f"nested aggregations [{inner.source.text}] not allowed inside "
                    f"other aggregations [{e.source.text}]",
                )
            )
        return
    if is_grouping(e):
        if not any(g.expr == e for g in groups):
            late.append(
                problem_at(
                    e.source,
                    f"can only use grouping function [{e.source.text}] as part of the BY clause",
                )
            )
        elif level == 0:
            late.append(
                problem_at(
                    e.source,
                    f"grouping function [{e.source.text}] cannot be used as an aggregate once "
                    "declared in the STATS BY clause",
                )
            )
        return
    if is_foldable(e):
        return
    group_names = {g.name for g in groups}
    if (isinstance(e, Ref) and e.name in group_names) or (
        level == 0 and any(g.expr == e for g in groups)
    ):
        if level == 0:
            late.append(
                problem_at(
                    e.source,
                    f"grouping key [{e.source.text}] already specified in the STATS BY clause",
                )
            )
        return
    if isinstance(e, Ref):
        late.append(problem_at(e.source, _column_problem(e, groups)))
        return
    assert isinstance(e, FnCall)
    for arg in e.args:
        _check_usage(arg, level + 1, groups, late)


def _column_problem(ref: Ref, groups: list[_Group]) -> str:
    for g in groups:
        if any(isinstance(x, Ref) and x.name == ref.name for x in walk(g.expr)):
            return (
                f"column [{ref.name}] cannot be used as an aggregate once declared in the "
                f"STATS BY grouping key [{g.assignment.source.text}]"
            )
    return f"column [{ref.name}] must appear in the STATS BY clause or be used in an aggregate function"


def _verify_filter(agg: _Agg, groups: list[_Group], late: list[Problem]) -> None:
    flt = agg.filter
    assert flt is not None
    item_text = agg.item.source.text
    if not any(is_aggregate(e) for e in walk(agg.expr)):
        late.append(
            problem_at(
                flt.source,
                f"WHERE clause allowed only for aggregate functions, none found in [{item_text}]",
            )
        )
    if flt.type not in (DataType.BOOLEAN, DataType.NULL):
        late.append(
            problem_at(
                flt.source, f"Condition expression needs to be boolean, found [{flt.type.name}]"
            )
        )
    for e in walk(flt):
        if is_aggregate(e):
            late.append(
                problem_at(
                    e.source,
                    f"cannot use aggregate function [{e.source.text}] in aggregate WHERE clause [{item_text}]",
                )
            )
        elif is_grouping(e) and not any(g.expr == e for g in groups):
            late.append(
                problem_at(
                    e.source,
                    f"can only use grouping function [{e.source.text}] as part of the BY clause",
                )
            )


# --------------------------------------------------------- duplicate names


def _shadow_warning(lost: ast.Source, kept: ast.Source, name: str) -> str:
    return f"Line {lost.line}:{lost.column}: Field '{name}' shadowed by field at line {kept.line}:{kept.column}"


def _remove_overrides(
    groups: list[_Group], aggs: list[_Agg]
) -> tuple[list[_Group], list[_Agg], list[str]]:
    """``RemoveStatsOverride``: the last definition of a name wins, groupings over
    aggregates; each dropped one is warned about (listed in query order)."""
    shadowed: list[tuple[ast.Source, str]] = []
    kept_groups: dict[str, _Group] = {}
    for g in reversed(groups):
        if g.name in kept_groups:
            kept = kept_groups[g.name].assignment.source
            shadowed.append(
                (g.assignment.source, _shadow_warning(g.assignment.source, kept, g.name))
            )
        else:
            kept_groups[g.name] = g
    final_groups = [g for g in groups if kept_groups.get(g.name) is g]
    winners: dict[str, ast.Source] = {g.name: g.assignment.source for g in final_groups}
    kept_aggs: list[_Agg] = []
    for agg in reversed(aggs):
        source = agg.item.assignment.source
        if agg.name in winners:
            shadowed.append((source, _shadow_warning(source, winners[agg.name], agg.name)))
        else:
            winners[agg.name] = source
            kept_aggs.append(agg)
    kept_aggs.reverse()
    shadowed.sort(key=lambda s: (s[0].line, s[0].column))
    return final_groups, kept_aggs, [w for _, w in shadowed]


# --------------------------------------------------------------------- plan


def _plan(cmd: ast.Stats, groups: list[_Group], aggs: list[_Agg]) -> list[PlanNode]:
    specs: list[AggSpec] = []
    post: list[tuple[str, TExpr]] = []
    for agg in aggs:
        if is_aggregate(agg.expr):
            assert isinstance(agg.expr, FnCall)
            specs.append(AggSpec(agg.name, agg.expr, agg.filter))
        else:
            post.append((agg.name, _extract_aggregates(agg.expr, agg.filter, specs, groups)))
    group_attrs = [Attribute(g.name, g.expr.type) for g in groups]
    agg_schema = tuple([Attribute(s.name, s.call.type) for s in specs] + group_attrs)
    aggregate = Aggregate(
        tuple(specs), tuple((g.name, g.expr) for g in groups), agg_schema, cmd.source
    )
    if not post:
        return [aggregate]
    types = {a.name: a.type for a in agg_schema} | {n: e.type for n, e in post}
    eval_schema = tuple(merge_output([Attribute(n, e.type) for n, e in post], agg_schema))
    final = tuple([Attribute(a.name, types[a.name]) for a in aggs] + group_attrs)
    return [
        aggregate,
        EvalNode(tuple(post), eval_schema, cmd.source),
        Project(tuple((a.name, a.name) for a in final), final, cmd.source),
    ]


def _extract_aggregates(
    e: TExpr, flt: TExpr | None, specs: list[AggSpec], groups: list[_Group]
) -> TExpr:
    """Replace each aggregate call in ``e`` by a reference to a hidden aggregate, and
    each grouping function also in BY (``+ BUCKET(salary, 1000.)``) by its group."""
    if is_aggregate(e):
        assert isinstance(e, FnCall)
        name = f"$${e.source.text}${len(specs)}"
        specs.append(AggSpec(name, e, flt))
        return Ref(name, e.type, e.source)
    if is_grouping(e):
        group = next((g for g in groups if g.expr == e), None)
        if group is not None:
            return Ref(group.name, group.expr.type, e.source)
    if isinstance(e, FnCall):
        args = tuple(_extract_aggregates(a, flt, specs, groups) for a in e.args)
        return FnCall(e.name, args, e.type, e.star, e.source)
    return e
