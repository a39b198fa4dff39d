"""Aggregate functions on Polars.

Each implementation returns a ``Col`` whose expression aggregates its argument:
valid both inside ``LazyFrame.group_by(...).agg(...)`` (one value per group) and
in ``select`` (one value for the whole frame). Every value of a multi-valued row
counts (lists are exploded first); nulls never count. An aggregate over no values
is null (``COUNT`` and ``COUNT_DISTINCT``: 0).

Failure masks registered with ``ctx.fail_when`` are aggregate expressions too:
evaluated in the same aggregation, one per group. In STATS (an ``AggContext``),
SUM, AVG, COUNT, MIN and MAX of a plain single-valued column take fast paths:
plain Polars aggregations (``partial``) combined on the aggregated rows, where
their checks (``SUM`` overflowing a long) are evaluated too.

Percentiles use linear interpolation between the closest ranks (index
``q * (n - 1)``), which is what Elasticsearch's t-digest does while it still holds
every value (its ``SortingDigest``), i.e. for the data sizes of the tests.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from esqlsh.analysis.functions._common import no_text
from esqlsh.analysis.types import DataType
from esqlsh.engine.compiled import AggContext, Col, EvalContext, implements, plain_column
from esqlsh.engine.functions._common import (
    LONG_MAX,
    LONG_MIN,
    in_range,
    null_of,
    order_expr,
    overflow_message,
)
from esqlsh.errors import QueryExecutionError

T = DataType
Impl = Callable[[list[Col], EvalContext], Col]


def values_of(col: Col) -> pl.Expr:
    """The non-null values an aggregate sees (multi-values flattened)."""
    expr = col.expr.explode() if col.multi else col.expr
    return expr.drop_nulls()


def _nonempty(vals: pl.Expr, result: pl.Expr) -> pl.Expr:
    return pl.when(vals.len() > 0).then(result)


def _const(col: Col, name: str) -> object:
    if not col.is_const:
        raise QueryExecutionError(f"[{name}] parameter must be a constant")
    value = col.value
    if isinstance(value, list):
        # (Elasticsearch fails such a parameter with a ClassCastException)
        if len(value) != 1:
            shown = ", ".join(str(v) for v in value)
            raise QueryExecutionError(f"[{name}] parameter must be a single value, found [{shown}]")
        return value[0]
    return value


def _limit(col: Col, ctx: EvalContext) -> int | None:
    """TOP's and SAMPLE's limit; Elasticsearch refuses one below 1."""
    limit = _const(col, "limit")
    if limit is None:
        return None
    n: int = int(limit)  # type: ignore[call-overload]
    if n <= 0:
        call = ctx.source.text if ctx.source else ""
        raise QueryExecutionError(f"Limit must be greater than 0 in [{call}], found [{limit}]")
    return n


def _fast(a: Col, ctx: EvalContext) -> AggContext | None:
    """``ctx`` when ``a`` can take the partials fast path (see ``AggContext``): a
    plain single-valued column, aggregated in STATS."""
    if isinstance(ctx, AggContext) and plain_column(a) is not None:
        return ctx
    return None


@implements("count")
def count(args: list[Col], ctx: EvalContext) -> Col:
    if not args:  # COUNT() is COUNT(*); the executor normally handles it itself
        return Col(pl.len().cast(pl.Int64), T.LONG)
    (a,) = args
    if a.type is T.NULL:
        return Col(pl.lit(0, dtype=pl.Int64), T.LONG)
    if not a.multi:
        # ``count`` counts the non-null values: a plain aggregation
        return Col(a.expr.count().cast(pl.Int64), T.LONG)
    return Col(values_of(a).len().cast(pl.Int64), T.LONG)


@implements("count_distinct")
def count_distinct(args: list[Col], ctx: EvalContext) -> Col:
    a = args[0]
    if a.type is T.NULL:
        return Col(pl.lit(0, dtype=pl.Int64), T.LONG)
    return Col(values_of(a).n_unique().cast(pl.Int64), T.LONG)


# Polars' row index is 32 bits (``pl.get_index_type()``, unless built for 64):
# a group holds fewer than 2**32 values, so a sum of ints (each below 2**31 in
# size) stays below 2**63 in size: its Int64 sum is exact and fits a long, with
# no wider sum and no check.
_INT_SUMS_FIT = pl.get_index_type() == pl.UInt32
_INTS = frozenset({T.INTEGER, T.COUNTER_INTEGER})


def _sum_fits(t: DataType) -> bool:
    """Whether the sum of any group of ``t`` values fits a long."""
    return _INT_SUMS_FIT and t in _INTS


def _long_sum(vals: pl.Expr, t: DataType, ctx: EvalContext) -> pl.Expr:
    """The sum of integral values of type ``t`` as a long; null (with ``long
    overflow``) when it does not fit."""
    if _sum_fits(t):
        return vals.cast(pl.Int64).sum()
    return _checked_long(vals.cast(pl.Int128).sum(), ctx)


def _fast_long_sum(x: pl.Expr, t: DataType, ctx: AggContext) -> pl.Expr:
    """``_long_sum`` of plain column ``x``, as a partial."""
    if _sum_fits(t):
        return ctx.partial(x.cast(pl.Int64).sum())
    return _checked_long(ctx.partial(x.cast(pl.Int128).sum()), ctx)


def _checked_long(total: pl.Expr, ctx: EvalContext) -> pl.Expr:
    """An exact (Int128) sum as a long; null (with ``long overflow``) when it does
    not fit. Modular arithmetic would give the right answer whenever the sum
    fits, but not say when it does not. The Int128 sum costs little more than an
    Int64 one (measured: about a tenth of a grouped sum's time), less than any
    bound that would show the Int64 sum exact (a sum of absolute values, a
    minimum and a maximum per group), which would still need the Int128 sum
    where it does not."""
    fits = in_range(total, LONG_MIN, LONG_MAX)
    ctx.fail_when(~fits, overflow_message(T.LONG))
    return pl.when(fits).then(total).cast(pl.Int64, strict=False)


# Veltkamp's splitter: x * (2**40 + 1) splits x into a high part of 13 significant
# bits and a low part of 40, exactly (x = high + low).
_SPLITTER = float(2**40 + 1)


def _fast_double_sum(x: pl.Expr, ctx: AggContext) -> tuple[pl.Expr, pl.Expr]:
    """(sum, count) of the values of plain column ``x``, as partials: the sum
    correctly rounded as Elasticsearch's compensated (Kahan) summation gives it,
    to an ulp or so, where Polars' grouped sum adds naively, in an order that
    varies from run to run: tens, even hundreds, of ulps off over millions of
    values, and not the same twice.

    Each value is split into a high part of 13 significant bits and a low part:
    the high parts add up exactly as long as the values span less than about
    ``40 - log2(count)`` binades, and the low parts are 2**13 times smaller than
    the values, so their rounding errors are too. The split is the row's own
    (a split at a bound over the group must be broadcast over its rows, group by
    group, several times slower; one over the frame makes the streaming engine
    buffer the whole input): the group_by just adds two columns. A value too
    large to split (beyond 1e296), or not finite, is its own high part."""
    high = ctx.input(_high_part(x))
    low = ctx.input(_low_part(x, high))
    return ctx.partial(high.sum()) + ctx.partial(low.sum()), ctx.partial(x.count())


def _high_part(x: pl.Expr) -> pl.Expr:
    scaled = x * _SPLITTER
    return (scaled - (scaled - x)).fill_nan(x)


def _low_part(x: pl.Expr, high: pl.Expr) -> pl.Expr:
    return (x - high).fill_nan(0.0)


def _split_sum(vals: pl.Expr) -> pl.Expr:
    """``_fast_double_sum``'s sum inside one aggregation (values filtered or
    flattened per group)."""
    high = _high_part(vals)
    return high.sum() + _low_part(vals, high).sum()


@implements("sum")
def sum_(args: list[Col], ctx: EvalContext) -> Col:
    (a,) = args
    if a.type is T.NULL:
        return Col(null_of(T.NULL), T.NULL)
    out = T.DOUBLE if a.type is T.DOUBLE else T.LONG
    if fast := _fast(a, ctx):
        if out is T.DOUBLE:
            total, n = _fast_double_sum(a.expr, fast)
        else:
            total = _fast_long_sum(a.expr, a.type, fast)
            n = fast.partial(a.expr.count())
        return Col(pl.when(n > 0).then(total), out)
    vals = values_of(a)
    total = _split_sum(vals) if out is T.DOUBLE else _long_sum(vals, a.type, ctx)
    return Col(_nonempty(vals, total), out)


@implements("avg")
def avg(args: list[Col], ctx: EvalContext) -> Col:
    (a,) = args
    if a.type is T.NULL:
        return Col(null_of(T.DOUBLE), T.DOUBLE)
    if fast := _fast(a, ctx):
        if a.type is T.DOUBLE:
            total, n = _fast_double_sum(a.expr, fast)
        else:
            total = _fast_long_sum(a.expr, a.type, fast).cast(pl.Float64)
            n = fast.partial(a.expr.count())
        return Col(pl.when(n > 0).then(total / n.cast(pl.Float64)), T.DOUBLE)
    vals = values_of(a)
    if a.type is T.DOUBLE:
        total = _split_sum(vals)
    else:
        total = _long_sum(vals, a.type, ctx).cast(pl.Float64)
    return Col(_nonempty(vals, total / vals.len().cast(pl.Float64)), T.DOUBLE)


def _extreme(pick_max: bool) -> Impl:
    def impl(args: list[Col], ctx: EvalContext) -> Col:
        (a,) = args
        t = no_text(a.type)
        if a.type is T.NULL:
            return Col(null_of(T.NULL), T.NULL)
        vals = values_of(a)
        if a.type in (T.IP, T.VERSION):
            key = order_expr(vals, a.type)
            index = key.arg_max() if pick_max else key.arg_min()
            return Col(_nonempty(vals, vals.get(index)), t)
        if not a.multi:
            # max/min skip nulls themselves: a plain aggregation
            vals = a.expr
        return Col(vals.max() if pick_max else vals.min(), t)

    return impl


implements("max")(_extreme(True))
implements("min")(_extreme(False))


def _doubles(col: Col) -> pl.Expr:
    return values_of(col).cast(pl.Float64)


def _double_agg(fn: Callable[[pl.Expr], pl.Expr]) -> Impl:
    def impl(args: list[Col], ctx: EvalContext) -> Col:
        a = args[0]
        if a.type is T.NULL:
            return Col(null_of(T.DOUBLE), T.DOUBLE)
        vals = _doubles(a)
        return Col(_nonempty(vals, fn(vals)), T.DOUBLE)

    return impl


implements("median")(_double_agg(lambda v: v.quantile(0.5, "linear")))
implements("median_absolute_deviation")(
    _double_agg(lambda v: (v - v.quantile(0.5, "linear")).abs().quantile(0.5, "linear"))
)
implements("std_dev")(_double_agg(lambda v: v.std(ddof=0)))


@implements("percentile")
def percentile(args: list[Col], ctx: EvalContext) -> Col:
    a, p = args
    q = _const(p, "percentile")
    if a.type is T.NULL or q is None:
        return Col(null_of(T.DOUBLE), T.DOUBLE)
    fraction = min(max(float(q), 0.0), 100.0) / 100.0  # type: ignore[arg-type]
    vals = _doubles(a)
    return Col(_nonempty(vals, vals.quantile(fraction, "linear")), T.DOUBLE)


@implements("values")
def values(args: list[Col], ctx: EvalContext) -> Col:
    (a,) = args
    t = no_text(a.type)
    if a.type is T.NULL:
        return Col(null_of(T.NULL), T.NULL)
    vals = values_of(a)
    return Col(_nonempty(vals, vals.unique(maintain_order=True).implode()), t, multi=True)


@implements("top")
def top(args: list[Col], ctx: EvalContext) -> Col:
    a, limit_col = args[0], args[1]
    order_col = args[2] if len(args) > 2 else None
    output = args[3] if len(args) > 3 else None
    t = no_text(output.type if output is not None else a.type)
    limit = _limit(limit_col, ctx)
    order = "asc" if order_col is None else _const(order_col, "order")
    if a.type is T.NULL or limit is None or order is None:
        return Col(null_of(t), t)
    if str(order).lower() not in ("asc", "desc"):
        raise QueryExecutionError(
            f"Invalid order value in [{ctx.source.text if ctx.source else ''}], expected "
            f"[ASC, DESC] but got [{order}]"
        )
    descending = str(order).lower() == "desc"
    if output is not None:
        return _top_by(a, output, limit, descending, t)
    vals = values_of(a)
    key = order_expr(vals, a.type)
    picked = vals.sort_by(key, descending=descending).head(limit)
    return Col(_nonempty(vals, picked.implode()), t, multi=True)


def _top_by(field: Col, output: Col, limit: int, descending: bool, t: DataType) -> Col:
    """TOP with an output field (Elasticsearch 9.3): the output values of the rows
    with the top ``field`` values. A multi-valued field ranks its row by its best
    value; a multi-valued output gives its first value."""
    if output.type is T.NULL:
        return Col(null_of(t), t)
    key = field.expr
    if field.multi:
        key = key.list.max() if descending else key.list.min()
    key = order_expr(key, field.type)
    out = output.expr.list.first() if output.multi else output.expr
    ranked = out.filter(key.is_not_null()).sort_by(
        key.filter(key.is_not_null()), descending=descending, maintain_order=True
    )
    picked = ranked.head(limit).drop_nulls()
    return Col(pl.when(picked.len() > 0).then(picked.implode()), t, multi=True)


@implements("sample")
def sample(args: list[Col], ctx: EvalContext) -> Col:
    """Up to ``limit`` values picked at random."""
    a, limit_col = args
    t = no_text(a.type)
    limit = _limit(limit_col, ctx)
    if a.type is T.NULL or limit is None:
        return Col(null_of(t), t)
    vals = values_of(a)
    picked = vals.shuffle().head(limit)
    return Col(_nonempty(vals, picked.implode()), t, multi=True)


@implements("weighted_avg")
def weighted_avg(args: list[Col], ctx: EvalContext) -> Col:
    """sum(value * weight) / sum(weight) over rows where both are present."""
    number, weight = args
    if T.NULL in (number.type, weight.type):
        return Col(null_of(T.DOUBLE), T.DOUBLE)
    x = number.expr.list.first() if number.multi else number.expr
    w = weight.expr.list.first() if weight.multi else weight.expr
    both = x.is_not_null() & w.is_not_null()
    xs = x.cast(pl.Float64).filter(both)
    ws = w.cast(pl.Float64).filter(both)
    total_weight = ws.sum()
    result = pl.when((ws.len() > 0) & (total_weight != 0)).then((xs * ws).sum() / total_weight)
    return Col(result, T.DOUBLE)


def _first_last(latest: bool) -> Impl:
    """FIRST / LAST: the value (whole) of the row with the smallest (largest) sort
    key; rows without a key come last and ties keep input order, so a constant or
    null key gives the first row's value."""

    def impl(args: list[Col], ctx: EvalContext) -> Col:
        value, sort = args
        t = no_text(value.type)
        if value.type is T.NULL:
            return Col(null_of(T.NULL), T.NULL)
        if sort.type is T.NULL or sort.is_const:
            return Col(value.expr.first(), t, multi=value.multi)
        key = sort.expr
        if sort.multi:
            key = key.list.max() if latest else key.list.min()
        ordered = value.expr.sort_by(key, descending=latest, nulls_last=True, maintain_order=True)
        return Col(ordered.first(), t, multi=value.multi)

    return impl


implements("first")(_first_last(False))
implements("last")(_first_last(True))


def _presence(present: bool) -> Impl:
    """PRESENT / ABSENT: whether any non-null value reaches the group."""

    def impl(args: list[Col], ctx: EvalContext) -> Col:
        (a,) = args
        if a.type is T.NULL:
            return Col(pl.lit(not present), T.BOOLEAN)
        found = values_of(a).len() > 0
        return Col(found if present else ~found, T.BOOLEAN)

    return impl


implements("present")(_presence(True))
implements("absent")(_presence(False))
