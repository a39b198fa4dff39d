"""LOOKUP JOIN on expressions (after 9.1): ``ON left == right [AND left2 < right2 …]``.

A left join of the input with the lookup index: every lookup row meeting all the
conditions gives an output row with the lookup index's fields (join fields
included), no match keeps the row with nulls. The equality conditions are the hash
join's keys (a cross join when there are none); the other comparisons filter the
matched pairs. As in the field join, a null never matches, and a multi-valued
value (on either side) matches nothing and draws Elasticsearch's warning
``LOOKUP JOIN encountered multi-value`` — on the lookup side when it holds a value
the input looks for.
"""

from __future__ import annotations

import polars as pl

from esqlsh.engine.columns import col, exactly
from esqlsh.engine.expressions import is_multi
from esqlsh.engine.failures import warn_all
from esqlsh.engine.joins import LOOKUP_MULTI_VALUE, key_dtype, single_keys
from esqlsh.engine.runtime import Run, conform_dtypes
from esqlsh.errors import QueryExecutionError
from esqlsh.plan.logical import JoinCondition, LookupJoinNode

_COMPARE = {
    "neq": pl.Expr.ne,
    "lt": pl.Expr.lt,
    "lte": pl.Expr.le,
    "gt": pl.Expr.gt,
    "gte": pl.Expr.ge,
}


def expression_lookup_join(node: LookupJoinNode, lf: pl.LazyFrame, run: Run) -> pl.LazyFrame:
    outputs = [f.name for f in node.fields]
    right = _lookup_rows(run, node.index, [*(c.right for c in node.conditions), *outputs])
    needed = run.needed
    run.needed = needed | {c.left for c in node.conditions}
    left = run.collect(lf)
    run.needed = needed
    row = run.temp("row")
    left = left.with_row_index(row)
    left_keys = [run.temp("key") for _ in node.conditions]
    right_keys = [run.temp("key") for _ in node.conditions]
    fields = {name: run.temp("field") for name in outputs}
    left_side = left.select(
        row, *(col(c.left).alias(k) for c, k in zip(node.conditions, left_keys, strict=True))
    )
    right_side = right.select(
        *(col(c.right).alias(k) for c, k in zip(node.conditions, right_keys, strict=True)),
        *(col(n).alias(t) for n, t in fields.items()),
    )
    refused = _refused_right(left_side, right_side, node.conditions, left_keys, right_keys)
    left_side, left_multi = single_keys(left_side, left_keys)
    right_side, _ = single_keys(right_side, right_keys)
    if left_multi or refused:
        warn_all(node.source, [LOOKUP_MULTI_VALUE], run.log)
    pairs = _pairs(left_side, right_side, node.conditions, left_keys, right_keys)
    matched = pairs.select(row, *fields.values())
    joined = left.drop(exactly(n for n in outputs if n in left.columns))
    joined = joined.join(matched, on=row, how="left", maintain_order="left").drop(row)
    joined = joined.rename({t: n for n, t in fields.items()})
    return conform_dtypes(joined.lazy(), {f.name: f.type for f in node.fields})


def _lookup_rows(run: Run, index: str, names: list[str]) -> pl.DataFrame:
    """The lookup index's columns ``names`` (a field it lacks is null)."""
    info = run.storage.index(index)
    if info is None:
        raise QueryExecutionError(f"index [{index}] not found")
    wanted = list(dict.fromkeys(names))
    present = [n for n in wanted if n in info.fields]
    frame = run.storage.scan(index, present).collect()
    missing = [pl.lit(None).alias(n) for n in wanted if n not in present]
    return frame.with_columns(missing) if missing else frame


def _refused_right(
    left: pl.DataFrame,
    right: pl.DataFrame,
    conditions: tuple[JoinCondition, ...],
    left_keys: list[str],
    right_keys: list[str],
) -> bool:
    """Whether an input value equals one of the values of a multi-valued lookup
    field it is joined on with ``==`` (Elasticsearch finds that document, then
    refuses its multi-value)."""
    for cond, lk, rk in zip(conditions, left_keys, right_keys, strict=True):
        if cond.op != "eq" or not is_multi(right.schema[rk]):
            continue
        values = right.filter(pl.col(rk).list.len() > 1).get_column(rk).explode()
        mine = left.get_column(lk)
        if is_multi(mine.dtype):
            mine = mine.explode()
        dtype = key_dtype(mine.dtype, values.dtype)
        wanted = values.cast(dtype, strict=False).drop_nulls().unique().implode()
        if bool(mine.cast(dtype, strict=False).is_in(wanted).any()):
            return True
    return False


def _pairs(
    left: pl.DataFrame,
    right: pl.DataFrame,
    conditions: tuple[JoinCondition, ...],
    left_keys: list[str],
    right_keys: list[str],
) -> pl.DataFrame:
    """(input row, lookup row) pairs meeting every condition."""
    for lk, rk in zip(left_keys, right_keys, strict=True):
        dtype = key_dtype(left.schema[lk], right.schema[rk])
        left = left.with_columns(pl.col(lk).cast(dtype, strict=False))
        right = right.with_columns(pl.col(rk).cast(dtype, strict=False))
    equal = [
        (lk, rk)
        for c, lk, rk in zip(conditions, left_keys, right_keys, strict=True)
        if c.op == "eq"
    ]
    if equal:
        pairs = left.join(
            right,
            left_on=[lk for lk, _ in equal],
            right_on=[rk for _, rk in equal],
            how="inner",
            coalesce=False,
        )
    else:
        pairs = left.join(right, how="cross")
    for c, lk, rk in zip(conditions, left_keys, right_keys, strict=True):
        if c.op != "eq":
            pairs = pairs.filter(_COMPARE[c.op](pl.col(lk), pl.col(rk)).fill_null(False))
    return pairs
