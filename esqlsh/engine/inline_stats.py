"""INLINE STATS (after 9.1): a STATS whose result rows are appended to the input.

The node's STATS pipeline runs over the whole input, as any STATS does; each of
its rows then joins back to the input rows of its group — a left join on the
grouping values with null matching null, as the null group of STATS holds the
rows whose key is null. A multi-valued key (which STATS counts in the group of
each of its values) matches no single group: its row gets null aggregates. The
grouping columns of the output are the input rows' own values (Elasticsearch's
grouping attributes are references to them). With no groups, the single stats
row goes to every row.

When nothing after the command reads an aggregate, Elasticsearch prunes the whole
command (so its aggregates never run, nor fail); so does this translator.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import polars as pl

from esqlsh.engine.columns import col, exactly, needed_after
from esqlsh.engine.expressions import is_multi
from esqlsh.engine.joins import key_dtype
from esqlsh.engine.runtime import Run, conform_dtypes
from esqlsh.plan.logical import InlineStatsNode, Plan, Ref, TExpr

Translate = Callable[[Any, pl.LazyFrame, Run], pl.LazyFrame]


def inline_stats(
    node: InlineStatsNode, lf: pl.LazyFrame, run: Run, translate: Translate
) -> pl.LazyFrame:
    groups = node.aggregate.groups
    group_names = {name for name, _ in groups}
    aggs = [a for a in node.stats_schema if a.name not in group_names]
    if not any(a.name in run.needed for a in aggs):
        return _groups_only(lf, groups, run)
    needed = run.needed
    base = lf.collect().lazy()  # read twice: by the stats and by the join
    left, keys = _left_keys(base, groups, run)
    run.needed = needed
    stats = _run_stats(node, base, run, translate)
    run.needed = needed
    if not groups:
        renamed = {a.name: run.temp("agg") for a in aggs}
        right = stats.select(col(n).alias(t) for n, t in renamed.items())
        joined = left.join(right, how="cross")
        joined = joined.with_columns(col(t).alias(n) for n, t in renamed.items())
        joined = joined.drop(exactly(renamed.values()))
    else:
        joined = _join(left, keys, stats, [n for n, _ in groups], [a.name for a in aggs], run)
        computed = [k for k, (_, e) in zip(keys, groups, strict=True) if not isinstance(e, Ref)]
        joined = joined.drop(exactly(computed))
    return conform_dtypes(joined, {a.name: a.type for a in node.stats_schema})


def _groups_only(lf: pl.LazyFrame, groups: tuple[tuple[str, TExpr], ...], run: Run) -> pl.LazyFrame:
    """The command pruned: only the grouping columns read later are computed."""
    fields = [(n, e) for n, e in groups if n in run.needed and not _same_column(n, e)]
    return run.with_fields(lf, fields) if fields else lf


def _same_column(name: str, expr: TExpr) -> bool:
    return isinstance(expr, Ref) and expr.name == name


def _left_keys(
    lf: pl.LazyFrame, groups: tuple[tuple[str, TExpr], ...], run: Run
) -> tuple[pl.LazyFrame, list[str]]:
    """The input with each grouping value as a column; their names."""
    keys: list[str] = []
    computed: list[tuple[str, TExpr]] = []
    for _, expr in groups:
        if isinstance(expr, Ref):
            keys.append(expr.name)
        else:
            keys.append(run.temp("group"))
            computed.append((keys[-1], expr))
    run.needed = run.needed | set(keys)
    if computed:
        lf = run.with_fields(lf, computed)
    return lf, keys


def _run_stats(
    node: InlineStatsNode, lf: pl.LazyFrame, run: Run, translate: Translate
) -> pl.LazyFrame:
    """The STATS pipeline over the whole input, each step told what it must keep."""
    stats = Plan(node.stats)
    for step, needed in zip(node.stats, needed_after(stats), strict=True):
        run.needed = needed
        # failures an EVAL step deferred are read before the join drops them
        lf = run.settle(translate(step, lf, run))
    return lf


def _join(
    left: pl.LazyFrame,
    keys: list[str],
    stats: pl.LazyFrame,
    group_names: list[str],
    agg_names: list[str],
    run: Run,
) -> pl.LazyFrame:
    """``left`` with the aggregates of its group (by the values in ``keys``)."""
    lschema, rschema = left.collect_schema(), stats.collect_schema()
    renamed = {name: run.temp("agg") for name in agg_names}
    on = [run.temp("key") for _ in keys]
    dtypes = [key_dtype(lschema[k], rschema[g]) for k, g in zip(keys, group_names, strict=True)]
    right = stats.select(
        *(col(n).alias(t) for n, t in renamed.items()),
        *(
            col(g).cast(d, strict=False).alias(t)
            for g, t, d in zip(group_names, on, dtypes, strict=True)
        ),
    )
    if any(is_multi(lschema[k]) for k in keys):
        joined = _join_multi(left, keys, on, dtypes, right, list(renamed.values()), run)
    else:
        casts = [
            col(k).cast(d, strict=False).alias(t) for k, t, d in zip(keys, on, dtypes, strict=True)
        ]
        joined = left.with_columns(casts).join(
            right, on=on, how="left", nulls_equal=True, maintain_order="left"
        )
    # one step, so every output reads the columns as they were
    outputs = [col(t).alias(n) for n, t in renamed.items()]
    outputs += [col(k).alias(g) for k, g in zip(keys, group_names, strict=True) if k != g]
    return joined.with_columns(outputs).drop(exactly(renamed.values()))


def _join_multi(
    left: pl.LazyFrame,
    keys: list[str],
    on: list[str],
    dtypes: list[pl.DataType],
    right: pl.LazyFrame,
    aggs: list[str],
    run: Run,
) -> pl.LazyFrame:
    """The join when a key is multi-valued: the row was counted in the group of
    each of its values (of each combination of them), so it gets the aggregates
    of all those groups, as a multi-value."""
    row = run.temp("row")
    left = left.with_row_index(row)
    pairs = left.select(row, *(col(k).alias(t) for k, t in zip(keys, on, strict=True)))
    schema = pairs.collect_schema()
    for t, d in zip(on, dtypes, strict=True):
        if is_multi(schema[t]):
            pairs = pairs.explode(t)
        pairs = pairs.with_columns(pl.col(t).cast(d, strict=False))
    matched = pairs.join(right, on=on, how="inner", nulls_equal=True, maintain_order="left")
    mschema = matched.collect_schema()

    def gathered(name: str) -> pl.Expr:
        value = pl.col(name).explode() if is_multi(mschema[name]) else pl.col(name)
        return value.drop_nulls()

    per_row = matched.group_by(row).agg(gathered(t) for t in aggs)
    per_row = per_row.with_columns(pl.when(pl.col(t).list.len() > 0).then(pl.col(t)) for t in aggs)
    return left.join(per_row, on=row, how="left", maintain_order="left").drop(row)
