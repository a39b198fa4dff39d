"""STATS: aggregates over groups.

Runs in three steps, so that every expression is evaluated (and can fail, with
warnings) where Elasticsearch evaluates it:

1. *pre*: grouping keys, aggregate arguments and ``WHERE`` filters become columns;
2. *aggregate*: the rows are grouped (a multi-valued key puts its row in the group
   of each of its values; null is a group of its own) and each aggregate call's
   implementation builds its Polars aggregation over those columns;
3. *post*: expressions over aggregates (``STATS x = AVG(a) + 1``) are evaluated on
   the aggregated rows.

COUNT(*) is built here (the row count, or the count of rows passing the filter).
STATS without BY gives exactly one row, even over no rows.

For speed, the aggregation keeps to plain Polars aggregations where it can (see
``AggContext``: implementations split their work into whole-column inputs,
plain per-group partials and a final step on the aggregated rows); groups are
put in Elasticsearch's order by their first row instead of ``maintain_order``;
a STATS of only COUNT_DISTINCT runs as two plain group_bys; and the failures of
the pre step and of the EVALs before it are counted in the aggregation, their
messages read only when a row failed (``runtime``). The aggregated rows are
evaluated here: they are few, and the steps after work on them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import polars as pl

from esqlsh.analysis.types import DataType
from esqlsh.engine.columns import col, exactly
from esqlsh.engine.compiled import AggContext, Check, Col, EvalContext
from esqlsh.engine.expressions import (
    ExprCompiler,
    fold,
    function_def,
    is_aggregate,
    is_multi,
    literal,
)
from esqlsh.engine.failures import collect_warnings, site_columns
from esqlsh.engine.runtime import Run, conform_dtypes, read_pending
from esqlsh.plan.logical import Aggregate, FnCall, Lit, Ref, TExpr


@dataclass
class AggCall:
    """One aggregate call found in the STATS expressions."""

    out: str
    call: FnCall
    args: list[TExpr | str]  # a constant parameter, or the pre column holding it
    mask: str | None


@dataclass
class Decomposed:
    pre: list[tuple[str, TExpr]] = field(default_factory=list)
    calls: list[AggCall] = field(default_factory=list)
    post: list[tuple[str, TExpr]] = field(default_factory=list)


def _is_parameter(call: FnCall, index: int) -> bool:
    """Whether argument ``index`` is a constant parameter (a percentile, a
    precision) rather than the values aggregated."""
    fn = function_def(call.name)
    if fn is None or not fn.params:
        return index > 0 and isinstance(call.args[index], Lit)
    param = fn.params[min(index, len(fn.params) - 1)]
    return param.constant


class _Splitter:
    def __init__(self, run: Run, out: Decomposed):
        self.run = run
        self.out = out

    def split(self, expr: TExpr, mask: str | None) -> TExpr:
        """``expr`` with its aggregate calls replaced by references to their
        results; their arguments are added to the pre step."""
        if not isinstance(expr, FnCall):
            return expr
        if is_aggregate(expr):
            return self._aggregate(expr, mask)
        args = tuple(self.split(a, mask) for a in expr.args)
        return replace(expr, args=args)

    def _aggregate(self, call: FnCall, mask: str | None) -> Ref:
        args: list[TExpr | str] = []
        for i, arg in enumerate(call.args):
            if _is_parameter(call, i):
                args.append(arg)
            else:
                name = self.run.temp("arg")
                self.out.pre.append((name, arg))
                args.append(name)
        out = self.run.temp("agg")
        self.out.calls.append(AggCall(out, call, args, mask))
        return Ref(out, call.type, call.source)


def decompose(node: Aggregate, run: Run) -> tuple[Decomposed, list[tuple[str, str]]]:
    """The three steps of ``node``, and (output name, pre column) per grouping."""
    parts = Decomposed()
    groups: list[tuple[str, str]] = []
    for name, expr in node.groups:
        tmp = run.temp("group")
        parts.pre.append((tmp, expr))
        groups.append((name, tmp))
    splitter = _Splitter(run, parts)
    for spec in node.aggs:
        mask = None
        if spec.filter is not None:
            mask = run.temp("where")
            parts.pre.append((mask, spec.filter))
        parts.post.append((spec.name, splitter.split(spec.call, mask)))
    return parts, groups


def _mask_expr(mask: str, schema: pl.Schema) -> pl.Expr:
    expr = pl.col(mask)
    if is_multi(schema[mask]):
        expr = pl.when(expr.list.len() == 1).then(expr.list.first())
    return expr.fill_null(False)


def _arg_col(
    arg: TExpr | str, t: DataType, mask: str | None, schema: pl.Schema, compiler: ExprCompiler
) -> Col:
    if not isinstance(arg, str):
        if isinstance(arg, Lit):
            return literal(arg.value, arg.type)
        # a constant parameter written as an expression (``PERCENTILE(x, 10 + 40)``),
        # which Elasticsearch folds
        return fold(compiler.compile(arg))
    expr = pl.col(arg)
    if mask is not None:
        expr = expr.filter(_mask_expr(mask, schema))
    return Col(expr, t, multi=is_multi(schema[arg]))


def _count_star(mask: str | None, schema: pl.Schema) -> pl.Expr:
    if mask is None:
        return pl.len().cast(pl.Int64)
    return _mask_expr(mask, schema).sum().cast(pl.Int64)


@dataclass
class _Aggregation:
    """The Polars pieces of a STATS's aggregate calls."""

    inputs: list[pl.Expr] = field(default_factory=list)  # before grouping
    aggs: list[pl.Expr] = field(default_factory=list)  # in the group_by
    finals: list[pl.Expr] = field(default_factory=list)  # on the aggregated rows
    temps: list[str] = field(default_factory=list)  # partial columns to drop
    agg_checks: list[Check] = field(default_factory=list)
    final_checks: list[Check] = field(default_factory=list)


def _compile_calls(calls: list[AggCall], schema: pl.Schema, run: Run) -> _Aggregation:
    out = _Aggregation()
    compiler = ExprCompiler(schema, EvalContext(now_millis=run.now_millis))
    for agg in calls:
        call = agg.call
        if call.star:
            out.aggs.append(_count_star(agg.mask, schema).alias(agg.out))
            continue
        args = [
            _arg_col(a, call.args[i].type, agg.mask, schema, compiler)
            for i, a in enumerate(agg.args)
        ]
        ctx = AggContext(source=call.source, now_millis=run.now_millis, prefix=run.temp("part"))
        result = compiler.impl(call.name)(args, ctx).expr.alias(agg.out)
        out.inputs += [expr.alias(name) for name, expr in ctx.inputs]
        out.aggs += [expr.alias(name) for name, expr in ctx.partials]
        out.temps += [name for name, _ in [*ctx.inputs, *ctx.partials]]
        if ctx.partials:
            out.finals.append(result)
            out.final_checks += ctx.checks
        else:
            out.aggs.append(result)
            out.agg_checks += ctx.checks
    return out


def _explode_groups(lf: pl.LazyFrame, group_cols: list[str]) -> pl.LazyFrame:
    """A row with a multi-valued key counts once in the group of each value."""
    schema = lf.collect_schema()
    for name in group_cols:
        if is_multi(schema[name]):
            lf = lf.explode(name)
    return lf


def _in_order(lf: pl.LazyFrame, group_cols: list[str], first: str) -> pl.LazyFrame:
    """Groups in Elasticsearch's order, by ``first``, each group's first row: of
    first appearance (with one key, the null group first: its hash gives null id
    0). Sorting on the first row costs less than asking Polars to keep the order
    (``maintain_order``: a quarter more with two keys)."""
    order = [pl.col(first)]
    if len(group_cols) == 1:
        order.insert(0, pl.col(group_cols[0]).is_not_null())
    return lf.sort(order).drop(first)


def _group(lf: pl.LazyFrame, group_cols: list[str], exprs: list[pl.Expr], run: Run) -> pl.LazyFrame:
    if not group_cols:
        return lf.select(exprs) if exprs else lf.select(pl.len().alias(run.temp("n")))
    first = run.temp("first")
    lf = lf.with_row_index(first).group_by(group_cols).agg(*exprs, pl.col(first).min())
    return _in_order(lf, group_cols, first)


def _distinct_values(calls: list[AggCall], schema: pl.Schema) -> str | None:
    """The column when every call is COUNT_DISTINCT of that one single-valued
    column, unfiltered."""
    columns = {
        c.args[0]
        if c.call.name == "count_distinct"
        and not (c.mask or c.call.star or c.call.args[0].type is DataType.NULL)
        else None
        for c in calls
    }
    if len(columns) != 1:
        return None
    (column,) = columns
    if not isinstance(column, str) or is_multi(schema[column]):
        return None
    return column


def _distinct_counts(
    lf: pl.LazyFrame, group_cols: list[str], calls: list[AggCall], masks: list[str], run: Run
) -> pl.LazyFrame | None:
    """COUNT_DISTINCT(x) BY keys as two plain aggregations: the distinct (keys, x)
    pairs, then the non-null x of each group's pairs. Several times faster than
    counting the unique values of each group (Polars' ``n_unique`` per group).
    None when the STATS is not just that."""
    column = _distinct_values(calls, lf.collect_schema()) if group_cols else None
    if column is None:
        return None
    first = run.temp("first")
    failed = [pl.col(m).sum() for m in masks]
    pairs = (
        lf.with_row_index(first).group_by([*group_cols, column]).agg(pl.col(first).min(), *failed)
    )
    counts = [pl.col(column).count().cast(pl.Int64).alias(c.out) for c in calls]
    out = pairs.group_by(group_cols).agg(*counts, pl.col(first).min(), *failed)
    return _in_order(out, group_cols, first)


def _aggregated(
    lf: pl.LazyFrame, group_cols: list[str], calls: list[AggCall], run: Run
) -> pl.LazyFrame:
    """The aggregated rows (evaluated), with the warnings of the input's pending
    failures and of the aggregations. The input's failures are counted in the
    aggregation itself; only if some row failed are the messages read."""
    pending, run.pending = run.pending, []
    lf = _explode_groups(lf, group_cols)
    distinct = _distinct_counts(lf, group_cols, calls, [p.mask for p in pending], run)
    if distinct is not None:
        return read_pending(distinct.collect(), pending, run.log).lazy()
    parts = _compile_calls(calls, lf.collect_schema(), run)
    for column in parts.inputs:  # one by one: an input may read the ones before
        lf = lf.with_columns(column)
    agg_site_exprs, agg_sites = site_columns(parts.agg_checks, run.temp("w"), aggregated=True)
    failed = [pl.col(p.mask).sum().alias(p.mask) for p in pending]
    out = _group(lf, group_cols, [*parts.aggs, *agg_site_exprs, *failed], run)
    final_site_exprs, final_sites = site_columns(parts.final_checks, run.temp("w"))
    if parts.finals:
        out = out.with_columns(parts.finals).with_columns(final_site_exprs)
    frame = read_pending(out.collect(), pending, run.log)
    collect_warnings(frame, agg_sites + final_sites, run.log)
    temps = [*parts.temps, *(s.name for s in agg_sites + final_sites)]
    return frame.drop(exactly(t for t in temps if t in frame.schema)).lazy()


def aggregate(node: Aggregate, lf: pl.LazyFrame, run: Run) -> pl.LazyFrame:
    parts, groups = decompose(node, run)
    group_cols = [tmp for _, tmp in groups]
    needed = run.needed
    run.needed = set()
    keep = [name for name, _ in parts.pre]
    # Deferred: the failures of the grouping keys and aggregate arguments (and of
    # EVALs before) are counted in the aggregation (``_aggregated``).
    lf = run.with_fields(lf, parts.pre, keep=keep, defer=True)
    lf = _aggregated(lf, group_cols, parts.calls, run)
    lf = conform_dtypes(lf, {a.out: a.call.type for a in parts.calls})
    lf = lf.rename({tmp: name for name, tmp in groups})
    run.needed = needed
    group_names = [name for name, _ in groups]
    lf = run.with_fields(lf, parts.post, keep=group_names)
    outputs = [a.name for a in node.schema]
    return lf.select(col(name) for name in outputs)
