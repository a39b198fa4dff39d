"""Multi-value functions on Polars lists: MV_APPEND … MV_ZIP.

Arguments arrive whole: a ``Col`` is either single-valued or a list per row
(``Col.multi``); ``as_list`` turns the former into one-element lists so each
function has one list form to work on. Results that are multi-valued never hold
empty lists (null instead). Elasticsearch's arithmetic is kept: integer medians
average toward zero without overflow, sums fail on overflow, percentiles
interpolate as ``MvPercentile``. IPs are ordered by address and versions by
ES's version order, not by their text.
"""

from __future__ import annotations

import polars as pl

from esqlsh.analysis.types import DataType
from esqlsh.engine.compiled import Col, EvalContext, physical
from esqlsh.engine.expressions import single_valued
from esqlsh.engine.functions._shared_b import (
    INT_MAX,
    INT_MIN,
    LONG_MAX,
    LONG_MIN,
    UL_MAX,
    InvalidArgumentError,
    arithmetic,
    as_list,
    divide,
    empty_to_null,
    failing,
    illegal,
    scalar,
    scalar_arg,
)
from esqlsh.engine.functions.ip import GROUPS, with_groups
from esqlsh.engine.ordering import version_sort_key

D = DataType
_E = pl.element()
INTEGRAL = {D.INTEGER, D.LONG, D.UNSIGNED_LONG}
KEYED = {D.IP, D.VERSION}  # ordered by a computed key, not by their text
INVALID_ARGUMENT = "org.elasticsearch.xpack.esql.core.InvalidArgumentException"


def _multi(expr: pl.Expr, t: DataType) -> Col:
    return Col(empty_to_null(expr), t, multi=True)


# ------------------------------------------------------------- picking values


@scalar("mv_count")
def _mv_count(args: list[Col], ctx: EvalContext, t: DataType) -> pl.Expr:
    return as_list(args[0]).list.len().cast(pl.Int32)


@scalar("mv_first")
def _mv_first(args: list[Col], ctx: EvalContext, t: DataType) -> pl.Expr:
    x = args[0]
    return x.expr.list.first() if x.multi else x.expr


@scalar("mv_last")
def _mv_last(args: list[Col], ctx: EvalContext, t: DataType) -> pl.Expr:
    x = args[0]
    return x.expr.list.last() if x.multi else x.expr


def _extreme(args: list[Col], t: DataType, largest: bool) -> pl.Expr:
    x = args[0]
    if not x.multi:
        return x.expr
    if x.type in KEYED:
        ordered = _sort_keyed(x.expr, x.type, descending=False)
        return ordered.list.last() if largest else ordered.list.first()
    if x.type is D.BOOLEAN:
        return x.expr.list.any() if largest else x.expr.list.all()
    return x.expr.list.max() if largest else x.expr.list.min()


@scalar("mv_max")
def _mv_max(args: list[Col], ctx: EvalContext, t: DataType) -> pl.Expr:
    return _extreme(args, t, largest=True)


@scalar("mv_min")
def _mv_min(args: list[Col], ctx: EvalContext, t: DataType) -> pl.Expr:
    return _extreme(args, t, largest=False)


@scalar("mv_dedupe")
def _mv_dedupe(args: list[Col], ctx: EvalContext, t: DataType) -> Col:
    x = args[0]
    if not x.multi:
        return Col(x.expr, t)
    return _multi(x.expr.list.unique(maintain_order=True), t)


@scalar("mv_slice")
def _mv_slice(args: list[Col], ctx: EvalContext, t: DataType) -> Col:
    values = as_list(args[0])
    start = scalar_arg(args[1]).cast(pl.Int64)
    end = scalar_arg(args[2]).cast(pl.Int64) if len(args) > 2 else start
    if args[1].is_const and (len(args) == 2 or args[2].is_const):
        _check_slice_bounds(args[1].value, args[2].value if len(args) > 2 else args[1].value)
    count = values.list.len().cast(pl.Int64)
    first = pl.when(start < 0).then(start + count).otherwise(start).clip(lower_bound=0)
    last = pl.min_horizontal(pl.when(end < 0).then(end + count).otherwise(end), count - 1)
    empty = (first >= count) | (last < 0) | (last < first)
    sliced = values.list.slice(first, last - first + 1)
    bad_order = start > end
    bad_signs = (start < 0) & (end >= 0)
    message = (
        pl.when(bad_order)
        .then(pl.lit(f"{INVALID_ARGUMENT}: Start offset is greater than end offset"))
        .otherwise(pl.lit(f"{INVALID_ARGUMENT}: Start and end offset have different signs"))
    )
    result = failing(ctx, values.is_not_null() & (bad_order | bad_signs), message, sliced)
    return _multi(pl.when(empty).then(None).otherwise(result), t)


def _check_slice_bounds(start: object, end: object) -> None:
    if not isinstance(start, int) or not isinstance(end, int):
        return
    if start > end:
        raise InvalidArgumentError("Start offset is greater than end offset")
    if start < 0 <= end:
        raise InvalidArgumentError("Start and end offset have different signs")


@scalar("mv_append")
def _mv_append(args: list[Col], ctx: EvalContext, t: DataType) -> Col:
    left, right = as_list(args[0]), as_list(args[1])
    joined = pl.concat_list([left, right])
    return _multi(pl.when(left.is_null() | right.is_null()).then(None).otherwise(joined), t)


# -------------------------------------------------------------------- sorting


@scalar("mv_sort")
def _mv_sort(args: list[Col], ctx: EvalContext, t: DataType) -> Col:
    x = args[0]
    descending = False
    if len(args) > 1:
        order = args[1]
        if order.is_const:
            text = str(order.value) if order.value is not None else ""
            if text.upper() not in ("ASC", "DESC"):
                call = ctx.source.text if ctx.source else "mv_sort"
                raise InvalidArgumentError(
                    f"Invalid order value in [{call}], expected one of [ASC, DESC] but got [{text}]"
                )
            descending = text.upper() == "DESC"
    if not x.multi:
        return Col(x.expr, t)
    if x.type in KEYED:
        return _multi(_sort_keyed(x.expr, x.type, descending), t)
    return _multi(x.expr.list.sort(descending=descending), t)


def _sort_keyed(values: pl.Expr, t: DataType, descending: bool) -> pl.Expr:
    """Sort lists of ips (by address) or versions (by ES's version order)."""
    return values.map_batches(
        lambda s: sort_keyed_lists(s, t, descending), return_dtype=pl.List(pl.String)
    )


def sort_keyed_lists(lists: pl.Series, t: DataType, descending: bool) -> pl.Series:
    """Vectorised: explode with the row number, compute the sort key columns, sort
    by (row, key), implode back per row."""
    frame = lists.alias("v").to_frame().with_row_index("row")
    flat = frame.explode("v")
    if t is D.IP:
        flat = with_groups(flat, "v", "k")
        keys = [f"k{i}" for i in range(GROUPS)]
    else:
        flat = flat.with_columns(k=version_sort_key(pl.col("v")))
        keys = ["k"]
    flat = flat.sort(["row", *keys], descending=[False] + [descending] * len(keys), nulls_last=True)
    grouped = flat.group_by("row", maintain_order=True).agg(pl.col("v"))
    out = frame.select("row").join(grouped, on="row", how="left", maintain_order="left")["v"]
    nulls = lists.is_null()
    return (
        pl.select(pl.when(pl.lit(nulls)).then(None).otherwise(pl.lit(out)))
        .to_series()
        .alias(lists.name)
    )


# -------------------------------------------------------------------- numbers


def _numbers(col: Col) -> pl.Expr:
    return as_list(col)


def _average_toward_zero(a: pl.Expr, b: pl.Expr) -> pl.Expr:
    """``(a + b) / 2`` truncated toward zero, without overflow (ES's
    ``avgWithoutOverflow``)."""
    total = a.cast(pl.Int128) + b.cast(pl.Int128)
    half = total.abs() // 2
    return pl.when(total < 0).then(half * -1).otherwise(half)


def _median(values: pl.Expr, t: DataType, halves: bool = False) -> pl.Expr:
    """The median of each list; an even count averages the middle two (integers
    toward zero; doubles as ``(a + b) / 2``, or ``a / 2 + b / 2`` with ``halves``
    as MV_MEDIAN_ABSOLUTE_DEVIATION computes it)."""
    ordered = values.list.sort()
    count = ordered.list.len()
    upper = ordered.list.get((count // 2).cast(pl.Int64), null_on_oob=True)
    lower = ordered.list.get((count // 2 - 1).cast(pl.Int64).clip(0), null_on_oob=True)
    if t in INTEGRAL:
        even = _average_toward_zero(lower, upper).cast(_int_dtype(t))
    elif halves:
        even = lower / 2 + upper / 2
    else:
        even = (lower + upper) / 2
    return pl.when(count % 2 == 1).then(upper).otherwise(even)


def _int_dtype(t: DataType) -> pl.DataType:
    return {D.INTEGER: pl.Int32(), D.LONG: pl.Int64(), D.UNSIGNED_LONG: pl.UInt64()}[t]


@scalar("mv_median")
def _mv_median(args: list[Col], ctx: EvalContext, t: DataType) -> pl.Expr:
    x = args[0]
    return _median(_numbers(x), x.type)


@scalar("mv_median_absolute_deviation")
def _mv_mad(args: list[Col], ctx: EvalContext, t: DataType) -> pl.Expr:
    x = args[0]
    values = _numbers(x)
    median = _median(values, x.type, halves=True)
    if x.type in INTEGRAL:
        wide = pl.concat_list([median.cast(pl.Int128), values.list.eval(_E.cast(pl.Int128))])
        deviations = wide.list.eval((_E.slice(1) - _E.first()).abs())
        return _median(deviations, D.LONG).cast(_int_dtype(x.type))
    both = pl.concat_list([median.cast(pl.Float64), values])
    deviations = both.list.eval((_E.slice(1) - _E.first()).abs())
    return _median(deviations, D.DOUBLE, halves=True)


@scalar("mv_avg")
def _mv_avg(args: list[Col], ctx: EvalContext, t: DataType) -> pl.Expr:
    values = _numbers(args[0])
    return divide(
        values.list.eval(_E.cast(pl.Float64)).list.sum(), values.list.len().cast(pl.Float64)
    )


@scalar("mv_sum")
def _mv_sum(args: list[Col], ctx: EvalContext, t: DataType) -> pl.Expr:
    x = args[0]
    values = _numbers(x)
    if x.type is D.DOUBLE:
        return values.list.sum()
    total = values.list.eval(_E.cast(pl.Int128)).list.sum()
    low, high, name = {
        D.INTEGER: (INT_MIN, INT_MAX, "integer"),
        D.LONG: (LONG_MIN, LONG_MAX, "long"),
        D.UNSIGNED_LONG: (0, UL_MAX, "unsigned_long"),
    }[x.type]
    result = failing(ctx, (total < low) | (total > high), arithmetic(f"{name} overflow"), total)
    return result.cast(_int_dtype(x.type))


@scalar("mv_percentile")
def _mv_percentile(args: list[Col], ctx: EvalContext, t: DataType) -> pl.Expr:
    x = args[0]
    values = _numbers(x).list.sort()
    p = scalar_arg(args[1]).cast(pl.Float64)
    count = values.list.len().cast(pl.Int64)
    index = divide(p, pl.lit(100.0)) * (count - 1).cast(pl.Float64)
    lower_index = index.floor().cast(pl.Int64)
    fraction = index - lower_index.cast(pl.Float64)
    lower = values.list.get(lower_index.clip(0), null_on_oob=True)
    upper = values.list.get((lower_index + 1).clip(0), null_on_oob=True)
    if x.type is D.DOUBLE:
        between = lower + fraction * (upper - lower)
    else:
        # ES: lower + (int) (fraction * (upper - lower)), truncating toward zero.
        step = (fraction * (upper.cast(pl.Float64) - lower.cast(pl.Float64))).cast(pl.Int64)
        between = (lower.cast(pl.Int64) + step).cast(_int_dtype(x.type))
    result = (
        pl.when(count == 1)
        .then(values.list.first())
        .when(p == 0)
        .then(values.list.first())
        .when(p == 100)
        .then(values.list.last())
        .otherwise(between)
    )
    bad = values.is_not_null() & ((p < 0) | (p > 100))
    message = pl.format(
        "{}[{}]",
        pl.lit(illegal("Percentile parameter must be a number between 0 and 100, found ")),
        p.cast(pl.String),
    )
    return failing(ctx, bad, message, result)


@scalar("mv_pseries_weighted_sum")
def _mv_pseries(args: list[Col], ctx: EvalContext, t: DataType) -> pl.Expr:
    values = _numbers(args[0])
    # the whole first argument is read, but p is one number: a multi-valued constant
    # is null with the multi-value warning, as for any single-valued argument
    exponent = single_valued(args[1], ctx)
    p = float(exponent.value) if exponent.is_const and exponent.value is not None else None
    if p is None:
        return pl.lit(None, dtype=pl.Float64)
    weights = pl.int_range(1, pl.len() + 1).cast(pl.Float64).pow(p)
    total = values.list.eval((_E / weights).sum()).list.first()
    bad = total.is_infinite() | total.is_nan()
    return failing(ctx, bad, arithmetic("double overflow"), total)


# -------------------------------------------------------------------- strings


@scalar("mv_concat")
def _mv_concat(args: list[Col], ctx: EvalContext, t: DataType) -> pl.Expr:
    values = as_list(args[0])
    delim = scalar_arg(args[1])
    joined = values.list.join(delim)
    return pl.when(delim.is_null()).then(None).otherwise(joined)


@scalar("mv_zip", nulls=False)
def _mv_zip(args: list[Col], ctx: EvalContext, t: DataType) -> Col:
    left, right = args[0], args[1]
    delim = scalar_arg(args[2]) if len(args) > 2 else pl.lit(",")
    if len(args) > 2 and args[2].type is D.NULL:
        delim = pl.lit(None, dtype=pl.String)
    lv = as_list(left) if left.type is not D.NULL else pl.lit(None, dtype=pl.List(pl.String))
    rv = as_list(right) if right.type is not D.NULL else pl.lit(None, dtype=pl.List(pl.String))
    longest = pl.max_horizontal(lv.list.len(), rv.list.len())
    # Pad both to the same length, put them in one list and pair the halves up.
    positions = pl.int_ranges(0, longest)
    lp = lv.list.gather(positions, null_on_oob=True)
    rp = rv.list.gather(positions, null_on_oob=True)
    both = pl.concat_list([lp, rp])
    half = pl.len() // 2
    first, second = _E.head(half), _E.tail(half)
    paired = both.list.eval(
        pl.when(first.is_not_null() & second.is_not_null())
        .then(pl.concat_str([first, pl.lit("\u0001"), second]))
        .otherwise(pl.coalesce(first, second))
    )
    # The delimiter may differ per row: pair with a placeholder, then substitute.
    zipped = _substitute(paired, delim)
    result = (
        pl.when(lv.is_null() & rv.is_null())
        .then(None)
        .when(lv.is_null())
        .then(rv)
        .when(rv.is_null())
        .then(lv)
        .otherwise(zipped)
    )
    return _multi(result, t)


def _substitute(values: pl.Expr, delim: pl.Expr) -> pl.Expr:
    """Replace the placeholder ``\\x01`` in every value of a list by ``delim``
    (which may differ per row): split on it and join back with ``delim``."""
    joined = values.list.join("\u0002")
    parts = joined.str.split("\u0001").list.join(delim)
    return parts.str.split("\u0002")


# --------------------------------------------------------- after 9.1: MV_CONTAINS


@scalar("mv_contains", nulls=False)
def _mv_contains(args: list[Col], ctx: EvalContext, t: DataType) -> pl.Expr:
    """Every value of the subset is in the superset; null is the empty set."""
    superset, subset = args
    if subset.type is D.NULL or (subset.is_const and subset.value is None):
        return pl.lit(True)
    if superset.type is D.NULL or (superset.is_const and superset.value is None):
        return subset.expr.is_null()
    # compared as a type Polars' list set operations take (not booleans or dates)
    comparable = _SET_COMPARABLE.get(subset.type, _dtype(subset))
    sup = as_list(superset).cast(pl.List(_dtype(subset))).cast(pl.List(comparable))
    sub = as_list(subset).cast(pl.List(comparable))
    missing = sub.list.set_difference(sup).list.len()
    return pl.when(sub.is_null()).then(True).when(sup.is_null()).then(False).otherwise(missing == 0)


_SET_COMPARABLE: dict[DataType, pl.DataType] = {
    D.BOOLEAN: pl.UInt8(),
    D.DATETIME: pl.Int64(),
    D.DATE_NANOS: pl.Int64(),
}


def _dtype(col: Col) -> pl.DataType:
    return physical(col.type)
