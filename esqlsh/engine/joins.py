"""ENRICH and LOOKUP JOIN: columns added from another index, matched on values.

ENRICH (``match`` policies) adds, to every row, the enrich fields of the policy
index documents whose match field equals the row's value; ``range`` policies the
documents whose range (``Struct{gte, lte}``, inclusive) contains it. Several
matching documents (or a multi-valued input, matched value by value) give
multi-valued fields; no match gives nulls. Rows are never added or removed.

LOOKUP JOIN is a left join: each matching lookup row gives an output row, no
match keeps the row with nulls. A multi-valued key on either side matches nothing
and draws Elasticsearch's warning ``LOOKUP JOIN encountered multi-value``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

import polars as pl

from esqlsh.analysis.types import DataType
from esqlsh.engine.columns import col, exactly
from esqlsh.engine.expressions import is_multi
from esqlsh.engine.failures import warn_all
from esqlsh.engine.ordering import ip_sort_key
from esqlsh.engine.runtime import Run, conform_dtypes
from esqlsh.errors import QueryExecutionError
from esqlsh.plan.logical import EnrichNode, LookupJoinNode

LOOKUP_MULTI_VALUE = "java.lang.IllegalArgumentException: LOOKUP JOIN encountered multi-value"

_FLOATS = (pl.Float32, pl.Float64)
_INTEGERS = (pl.Int8, pl.Int16, pl.Int32, pl.Int64, pl.UInt8, pl.UInt16, pl.UInt32, pl.UInt64)


def _scalar(dtype: pl.DataType) -> pl.DataType:
    return dtype.inner if isinstance(dtype, pl.List) else dtype  # type: ignore[return-value]


def key_dtype(left: pl.DataType, right: pl.DataType) -> pl.DataType:
    """The dtype both sides of an equality match are compared as."""
    a, b = _scalar(left), _scalar(right)
    if a == b:
        return a
    numeric = (*_FLOATS, *_INTEGERS)
    if isinstance(a, numeric) and isinstance(b, numeric):
        return pl.Float64() if isinstance(a, _FLOATS) or isinstance(b, _FLOATS) else pl.Int64()
    if isinstance(a, pl.Null):
        return b
    if isinstance(b, pl.Null):
        return a
    return pl.String()


def _scan(run: Run, index: str, columns: list[str], raw: bool) -> pl.LazyFrame:
    """``raw``: range fields as stored (``Struct{gte, lte}``), which an embedded
    cluster's ``scan(..., raw=True)`` gives; plain storages have no ranges."""
    if raw:
        with contextlib.suppress(TypeError):
            return run.storage.scan(index, columns, raw=True)  # type: ignore[call-arg]
    return run.storage.scan(index, columns)


def _scan_all(
    run: Run, indices: tuple[str, ...], columns: list[str], raw: bool = False
) -> pl.LazyFrame:
    """The given columns of ``indices``, concatenated (missing ones null)."""
    frames = []
    for index in indices:
        info = run.storage.index(index)
        if info is None:
            raise QueryExecutionError(f"index [{index}] not found")
        present = [c for c in columns if c in info.fields]
        frames.append(_scan(run, index, present, raw))
    if not frames:
        raise QueryExecutionError("no indices to read")
    return pl.concat(frames, how="diagonal_relaxed")


def _typed_output(expr: pl.Expr, t: DataType) -> pl.Expr:
    if t in (DataType.UNSUPPORTED, DataType.NULL):
        return pl.lit(None, dtype=pl.Null)
    return expr


# ------------------------------------------------------------------------ ENRICH


def _match_pairs(left: pl.LazyFrame, key: str, right: pl.LazyFrame, field: str) -> pl.LazyFrame:
    """(row, document) pairs whose values are equal."""
    rschema = right.collect_schema()
    if is_multi(rschema[field]):
        right = right.explode(field)
    dtype = key_dtype(left.collect_schema()[key], right.collect_schema()[field])
    left = left.with_columns(pl.col(key).cast(dtype, strict=False))
    right = right.with_columns(pl.col(field).cast(dtype, strict=False).alias(key)).drop(field)
    return left.join(right, on=key, how="inner")


def _range_pairs(
    left: pl.LazyFrame, key: str, key_type: DataType, right: pl.LazyFrame, field: str
) -> pl.LazyFrame:
    """(row, document) pairs whose range contains the row's value."""
    if is_multi(right.collect_schema()[field]):
        right = right.explode(field)
    low, high = f"{key}\x00gte", f"{key}\x00lte"
    right = right.with_columns(
        pl.col(field).struct.field("gte").alias(low), pl.col(field).struct.field("lte").alias(high)
    ).drop(field)
    value = pl.col(key)
    lo, hi = pl.col(low), pl.col(high)
    if key_type is DataType.IP:
        value, lo, hi = ip_sort_key(value), ip_sort_key(lo), ip_sort_key(hi)
    else:
        dtype = key_dtype(left.collect_schema()[key], right.collect_schema()[low])
        value, lo, hi = value.cast(dtype), lo.cast(dtype), hi.cast(dtype)
    inside = (lo.is_null() | (lo <= value)) & (hi.is_null() | (value <= hi))
    pairs = left.join(right, how="cross").filter(value.is_not_null() & inside)
    return pairs.drop(low, high)


def enrich(node: EnrichNode, lf: pl.LazyFrame, run: Run) -> pl.LazyFrame:
    # WITH a, a: the last of a repeated output name wins
    fields = list({name: (name, src, t) for name, src, t in node.fields}.values())
    policy = run.storage.policies().get(node.policy)
    if policy is None:
        raise QueryExecutionError(f"enrich policy [{node.policy}] not found")
    if node.policy_type == "geo_match":
        # Elasticsearch matches the enrich shapes that intersect the value; esqlsh has
        # no geometry engine, and an equality join would answer wrongly without a word
        raise QueryExecutionError(
            f"enrich policy [{node.policy}] is of type [geo_match], which esqlsh cannot execute"
        )
    key, row = run.temp("key"), run.temp("row")
    lf = run.with_fields(lf, [(key, node.match_field)]).with_row_index(row)
    sources = list(dict.fromkeys(f for _, f, _ in fields))
    raw = node.policy_type == "range"
    match = node.policy_match_field
    right = _scan_all(run, policy.indices, list(dict.fromkeys([match, *sources])), raw)
    renamed = {f: run.temp("field") for f in sources}
    match_tmp = run.temp("match")
    present = set(right.collect_schema().names())

    def column(name: str) -> pl.Expr:
        return col(name) if name in present else pl.lit(None)

    right = right.select(
        column(match).alias(match_tmp), *(column(f).alias(t) for f, t in renamed.items())
    )
    left = lf.select(row, key)
    if is_multi(left.collect_schema()[key]):
        left = left.explode(key)
    left = left.filter(pl.col(key).is_not_null())
    if node.policy_type == "range":
        pairs = _range_pairs(left, key, node.match_field.type, right, match_tmp)
    else:
        pairs = _match_pairs(left, key, right, match_tmp)
    pschema = pairs.collect_schema()

    def gathered(tmp: str) -> pl.Expr:
        col = pl.col(tmp).explode() if is_multi(pschema[tmp]) else pl.col(tmp)
        return col.drop_nulls()

    per_row = pairs.group_by(row).agg(gathered(t) for t in renamed.values())
    per_row = per_row.with_columns(
        pl.when(pl.col(t).list.len() > 0).then(pl.col(t)) for t in renamed.values()
    )
    outputs = [name for name, _, _ in fields]
    existing = [c for c in lf.collect_schema().names() if c in outputs or c == key]
    joined = lf.drop(exactly(existing)).join(per_row, on=row, how="left", maintain_order="left")
    joined = joined.with_columns(
        _typed_output(pl.col(renamed[src]), t).alias(name) for name, src, t in fields
    )
    joined = joined.drop([row, *renamed.values()])
    return conform_dtypes(joined, {name: t for name, _, t in fields})


# ------------------------------------------------------------------- LOOKUP JOIN


def single_keys(frame: pl.DataFrame, keys: Sequence[str]) -> tuple[pl.DataFrame, bool]:
    """Keys reduced to single values; a multi-valued key becomes null (it matches
    nothing). Also says whether there was one."""
    found = False
    for k in keys:
        if is_multi(frame.schema[k]):
            count = pl.col(k).list.len()
            found = found or bool(frame.select((count > 1).any()).item())
            frame = frame.with_columns(pl.when(count == 1).then(pl.col(k).list.first()).alias(k))
    return frame, found


def _matches_multi(left: pl.DataFrame, right: pl.DataFrame, key: str) -> bool:
    """Whether a left key value is one of the values of a multi-valued lookup key
    (Elasticsearch finds that document, then refuses its multi-value)."""
    values = right.filter(pl.col(key).list.len() > 1).get_column(key).explode()
    dtype = key_dtype(left.schema[key], values.dtype)
    mine = left.get_column(key)
    if is_multi(mine.dtype):
        mine = mine.explode()
    refused = values.cast(dtype, strict=False).drop_nulls().unique().implode()
    return bool(mine.cast(dtype, strict=False).is_in(refused).any())


def lookup_join(node: LookupJoinNode, lf: pl.LazyFrame, run: Run) -> pl.LazyFrame:
    fields = [f.name for f in node.fields if f.name not in node.keys]
    right = run.collect(
        _scan_all(run, (node.index,), [*node.keys, *fields]), keep=[*node.keys, *fields]
    )
    needed = run.needed
    run.needed = needed | set(node.keys)
    left_keys = {k: run.temp("key") for k in node.keys}
    left = run.collect(lf).with_columns(col(k).alias(t) for k, t in left_keys.items())
    run.needed = needed
    left, left_multi = single_keys(left, tuple(left_keys.values()))
    right = right.rename(left_keys)
    right_multi = any(
        _matches_multi(left, right, t) for t in left_keys.values() if is_multi(right.schema[t])
    )
    right, _ = single_keys(right, tuple(left_keys.values()))
    casts_l, casts_r = [], []
    for t in left_keys.values():
        dtype = key_dtype(left.schema[t], right.schema[t])
        casts_l.append(pl.col(t).cast(dtype, strict=False))
        casts_r.append(pl.col(t).cast(dtype, strict=False))
    left = left.with_columns(casts_l).drop(exactly(f for f in fields if f in left.columns))
    right = right.with_columns(casts_r)
    joined = left.join(right, on=list(left_keys.values()), how="left", maintain_order="left")
    if left_multi or right_multi:
        warn_all(node.source, [LOOKUP_MULTI_VALUE], run.log)
    joined = joined.drop(list(left_keys.values()))
    return conform_dtypes(joined.lazy(), {f.name: f.type for f in node.fields if f.name in fields})
