"""The embedded executor: runs a typed logical plan over a ``Storage`` on Polars.

One translator per plan node type (``TRANSLATORS``), each taking the frame so far
(a ``LazyFrame``) and returning the next. Expressions are compiled by
``esqlsh.engine.expressions``; failures become Elasticsearch's warnings
(``esqlsh.engine.failures``). Before running, LIMITs are pushed down as
Elasticsearch's optimizer pushes them (``esqlsh.engine.optimize``) and every node
learns which of its output columns later nodes read (``esqlsh.engine.columns``),
so scans read only those and unread EVAL fields are skipped.

The result frame holds the plan's columns in order, in their physical form.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable
from typing import Any

import polars as pl

from esqlsh.analysis.types import DataType
from esqlsh.clusters.base import Storage
from esqlsh.engine.columns import col, exactly, live_fields, needed_after
from esqlsh.engine.compiled import Col
from esqlsh.engine.expressions import is_multi, physical_of
from esqlsh.engine.failures import site_columns
from esqlsh.engine.optimize import (
    conjunction,
    conjuncts,
    lucene_pushable,
    push_down_filters,
    push_down_limits,
)
from esqlsh.engine.ordering import order_key
from esqlsh.engine.result import Result
from esqlsh.engine.runtime import Run, read_pending
from esqlsh.engine.sources import row_source, scan_relation, show_info
from esqlsh.plan.logical import (
    Aggregate,
    DissectNode,
    EnrichNode,
    EvalNode,
    Filter,
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
    Relation,
    RowSource,
    SampleNode,
    Schema,
    ShowInfoSource,
    TExpr,
)

Translator = Callable[[Any, pl.LazyFrame, Run], pl.LazyFrame]


def _eval(node: EvalNode, lf: pl.LazyFrame, run: Run) -> pl.LazyFrame:
    fields, _ = live_fields(node.fields, run.needed)
    return run.with_fields(lf, fields, defer=True)


def _truth(expr: pl.Expr, multi: bool, t: DataType) -> pl.Expr:
    """A condition as a filter mask: null (and a multi-value) is false. (A filter
    drops rows whose mask is null: no ``fill_null``, which would keep Polars from
    evaluating the predicate in the Parquet reader as it decodes.)"""
    if t is not DataType.BOOLEAN:  # ``WHERE null``: a null-typed condition
        return pl.lit(False)
    if multi:
        expr = pl.when(expr.list.len() == 1).then(expr.list.first())
    return expr


def _filter(node: Filter, lf: pl.LazyFrame, run: Run) -> pl.LazyFrame:
    parts = conjuncts(node.condition)
    if run.scan_fields is not None:
        # Right on the index scan, Elasticsearch runs what it can as a Lucene
        # query: it matches single-valued documents only, silently.
        lucene = [p for p in parts if lucene_pushable(p, run.scan_fields)]
        if lucene:
            col = run.compile(lf, conjunction(lucene), run.context())
            lf = lf.filter(_truth(col.expr, col.multi, col.type))
            parts = [p for p in parts if p not in lucene]
            if not parts:
                return lf
    return _filter_checked(conjunction(parts), lf, run)


def _filter_checked(condition: TExpr, lf: pl.LazyFrame, run: Run) -> pl.LazyFrame:
    ctx = run.context()
    col = run.compile(lf, condition, ctx)
    if not ctx.checks:
        # stays lazy, so Polars can push the predicate into the scan
        return lf.filter(_truth(col.expr, col.multi, col.type))
    cond = run.temp("cond")
    site_exprs, sites = site_columns(ctx.checks, run.temp("w"))
    lf = lf.with_columns([*site_exprs, col.expr.alias(cond)])
    lf = run.materialize(lf, sites, keep=[cond])
    return lf.filter(_truth(pl.col(cond), col.multi, col.type)).drop(cond)


def _project(node: Project, lf: pl.LazyFrame, run: Run) -> pl.LazyFrame:
    columns = [col(src).alias(out) for out, src in node.columns if out in run.needed]
    failed = [p.mask for p in run.pending]  # pending failures ride along
    if not columns:
        # drop, not select: a frame left without columns keeps its row count
        return lf.drop(exactly(n for n in lf.collect_schema().names() if n not in failed))
    return lf.select(*columns, *(pl.col(m) for m in failed))


def _order_by(node: OrderBy, lf: pl.LazyFrame, run: Run) -> pl.LazyFrame:
    # Keys that are plain columns sort as they are; others are evaluated first.
    keys = [(k.expr.name if isinstance(k.expr, Ref) else run.temp("sort"), k) for k in node.keys]
    computed = [(name, k.expr) for name, k in keys if not isinstance(k.expr, Ref)]
    lf = run.with_fields(lf, computed)
    schema = lf.collect_schema()
    by = [order_key(_col_of(name, k.expr.type, schema), k.ascending) for name, k in keys]
    lf = lf.sort(
        by,
        descending=[not k.ascending for _, k in keys],
        nulls_last=[not k.nulls_first for _, k in keys],
        maintain_order=True,
    )
    return lf.drop([name for name, _ in computed])


def _col_of(name: str, t: DataType, schema: pl.Schema) -> Col:
    return Col(col(name), t, multi=is_multi(schema[name]))


def _limit(node: LimitNode, lf: pl.LazyFrame, run: Run) -> pl.LazyFrame:
    return lf.head(node.count)


def _mv_expand(node: MvExpandNode, lf: pl.LazyFrame, run: Run) -> pl.LazyFrame:
    if is_multi(lf.collect_schema()[node.field]):
        # explode keeps a null as one row with null, as MV_EXPAND does
        lf = lf.explode(exactly([node.field]))
    return lf


def _sample(node: SampleNode, lf: pl.LazyFrame, run: Run) -> pl.LazyFrame:
    # Bernoulli sampling, vectorised: a seeded hash of the row number as a uniform.
    seed = time.time_ns() & 0xFFFFFFFF
    uniform = pl.int_range(pl.len(), dtype=pl.UInt64).hash(seed) / float(2**64)
    return lf.filter(uniform < node.probability)


# The translators of STATS, DISSECT/GROK, ENRICH, LOOKUP JOIN and INLINE STATS import
# their modules when a plan has such a node: a query without one (ROW a = 1, the
# start-up path) does not pay for them.


def _imported(module: str, name: str) -> Translator:
    """The translator ``name`` of ``esqlsh.engine.<module>``, imported at first use."""

    def translate(node: Any, lf: pl.LazyFrame, run: Run) -> pl.LazyFrame:
        fn = getattr(importlib.import_module(f"esqlsh.engine.{module}"), name)
        return fn(node, lf, run)  # type: ignore[no-any-return]

    return translate


def _lookup_join(node: LookupJoinNode, lf: pl.LazyFrame, run: Run) -> pl.LazyFrame:
    if node.conditions:
        from esqlsh.engine.expression_join import expression_lookup_join

        return expression_lookup_join(node, lf, run)
    from esqlsh.engine.joins import lookup_join

    return lookup_join(node, lf, run)


def _inline_stats(node: InlineStatsNode, lf: pl.LazyFrame, run: Run) -> pl.LazyFrame:
    from esqlsh.engine.inline_stats import inline_stats

    return inline_stats(node, lf, run, _translate)


def _source_only(fn: Callable[[Any, Run], pl.LazyFrame]) -> Translator:
    return lambda node, lf, run: fn(node, run)


TRANSLATORS: dict[type, Translator] = {
    Relation: _source_only(scan_relation),
    RowSource: _source_only(row_source),
    ShowInfoSource: _source_only(show_info),
    EvalNode: _eval,
    Filter: _filter,
    Aggregate: _imported("aggregate", "aggregate"),
    Project: _project,
    OrderBy: _order_by,
    LimitNode: _limit,
    DissectNode: _imported("extract", "dissect"),
    GrokNode: _imported("extract", "grok"),
    EnrichNode: _imported("joins", "enrich"),
    MvExpandNode: _mv_expand,
    LookupJoinNode: _lookup_join,
    SampleNode: _sample,
    InlineStatsNode: _inline_stats,
}


def _translate(node: PlanNode, lf: pl.LazyFrame | None, run: Run) -> pl.LazyFrame:
    translator = TRANSLATORS.get(type(node))
    if translator is None:
        raise NotImplementedError(f"the embedded engine cannot run {type(node).__name__}")
    return translator(node, lf, run)  # type: ignore[arg-type]


def _demote_lists(frame: pl.DataFrame) -> pl.DataFrame:
    """List columns whose rows all hold at most one value become plain columns
    (Elasticsearch prints a one-value multi-value as a plain value anyway)."""
    casts = []
    for name, dtype in frame.schema.items():
        if isinstance(dtype, pl.List) and frame.height > 0:
            longest = frame.get_column(name).list.len().max()
            if longest is None or longest <= 1:  # type: ignore[operator]
                casts.append(col(name).list.first())
    return frame.with_columns(casts) if casts else frame


def _final_frame(frame: pl.DataFrame, schema: Schema) -> pl.DataFrame:
    """The result columns in order, each in its type's physical form. A name the
    schema repeats (``ROW a = 1, null, null``) gets a unique frame name: result
    columns are positional, named by ``Result.columns``."""
    exprs = []
    seen: set[str] = set()
    for i, attr in enumerate(schema):
        base = physical_of(attr.type)
        dtype = frame.schema[attr.name]
        want = pl.List(base) if isinstance(dtype, pl.List) else base
        expr = col(attr.name)
        if attr.type in (DataType.UNSUPPORTED, DataType.NULL) and dtype != want:
            expr = pl.lit(None, dtype=want)
        elif dtype != want:
            expr = expr.cast(want, strict=False)
        name = attr.name if attr.name not in seen else f"{attr.name}\x00{i}"
        seen.add(attr.name)
        exprs.append(expr.alias(name))
    return frame.select(exprs)


def execute(plan: Plan, storage: Storage, *, now_millis: int | None = None) -> Result:
    """Run ``plan`` over ``storage``. ``now_millis`` fixes NOW() (default: the
    current time)."""
    if now_millis is None:
        now_millis = time.time_ns() // 1_000_000
    run = Run(storage, now_millis)
    run.log.extend(plan.warnings)
    optimized = Plan(push_down_limits(push_down_filters(plan.nodes)), plan.warnings)
    lf: pl.LazyFrame | None = None
    scan_fields: set[str] | None = None
    nodes = optimized.nodes
    for i, (node, needed) in enumerate(zip(nodes, needed_after(optimized), strict=True)):
        run.needed = needed
        if isinstance(node, Relation):
            scan_fields = {a.name for a in node.schema}
        elif not isinstance(node, Filter):
            scan_fields = None
        run.scan_fields = scan_fields if isinstance(node, Filter) else None
        lf = _translate(node, lf, run)
        if run.pending and i + 1 < len(nodes) and not isinstance(nodes[i + 1], _DEFERRING):
            lf = run.settle(lf)
    assert lf is not None
    frame = _collect_result(lf, run)
    frame = _demote_lists(_final_frame(frame, plan.schema))
    return Result(columns=plan.schema, frame=frame, warnings=list(run.log.items))


# The nodes that take pending failure columns along (see ``runtime``): EVAL and
# KEEP/DROP/RENAME keep every row, STATS counts the failures in its aggregation.
_DEFERRING = (EvalNode, Project, Aggregate)


def _collect_result(lf: pl.LazyFrame, run: Run) -> pl.DataFrame:
    """The final frame; pending failures are read from it in the same pass."""
    pending, run.pending = run.pending, []
    return read_pending(lf.collect(), pending, run.log)
