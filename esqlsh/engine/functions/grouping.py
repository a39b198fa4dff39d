"""BUCKET (BIN) on Polars: the bucket key of each row.

Numbers: ``floor(value / span) * span`` in doubles, the span given or derived from
a target bucket count and a range (the next power of ten of ``(to - from) /
buckets``, or half of it). Dates: rounded down with a span (as DATE_TRUNC) or with
the finest of Elasticsearch's candidate roundings that covers the range in at most
the target number of buckets (Bucket.java's ``DateRoundingPicker``). The span
arguments are constants (``Col.value``); picking the rounding is arithmetic on
those constants, not per row.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import polars as pl

from esqlsh.analysis.types import DATE, NUMERIC, DataType
from esqlsh.engine.compiled import Col, EvalContext, implements
from esqlsh.engine.functions._common import (
    ARITHMETIC,
    DIV_BY_ZERO,
    Rounding,
    as_type,
    null_of,
    parse_iso_datetime,
    round_date,
    rounding_of,
)
from esqlsh.engine.functions._shared_b import divide
from esqlsh.errors import QueryExecutionError
from esqlsh.plan.logical import TemporalAmount

T = DataType

_SECOND = 1000
_MINUTE = 60 * _SECOND
_HOUR = 60 * _MINUTE
_DAY = 24 * _HOUR

PRIMARY: tuple[Rounding, ...] = (
    Rounding("day"),
    Rounding(fixed_millis=12 * _HOUR),
    Rounding(fixed_millis=3 * _HOUR),
    Rounding(fixed_millis=_HOUR),
    Rounding(fixed_millis=30 * _MINUTE),
    Rounding(fixed_millis=10 * _MINUTE),
    Rounding(fixed_millis=5 * _MINUTE),
    Rounding(fixed_millis=_MINUTE),
    Rounding(fixed_millis=30 * _SECOND),
    Rounding(fixed_millis=10 * _SECOND),
    Rounding(fixed_millis=5 * _SECOND),
    Rounding(fixed_millis=_SECOND),
    Rounding(fixed_millis=100),
    Rounding(fixed_millis=50),
    Rounding(fixed_millis=10),
    Rounding(fixed_millis=1),
)
SECONDARY: tuple[Rounding, ...] = (Rounding("week"), Rounding("month"), Rounding("year"))


def java_int(n: int) -> int:
    """Java's ``Number.intValue()`` of a long: the low 32 bits, signed."""
    n &= 0xFFFFFFFF
    return n - (1 << 32) if n >= 1 << 31 else n


# ---------------------------------------------------------------- date picking


def _month_index(millis: int) -> tuple[int, datetime]:
    d = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=millis)
    return d.year * 12 + d.month - 1, d


def buckets_needed(rounding: Rounding, start: int, end: int) -> int:
    """How many ``nextRoundingValue`` steps from the rounded ``start`` reach
    ``end`` (at least one step is always taken)."""
    if rounding.unit is None or rounding.unit in ("day", "week"):
        step = rounding.fixed_millis or (_DAY if rounding.unit == "day" else 7 * _DAY)
        if rounding.unit == "week":
            # weeks start on Monday; 1970-01-01 was a Thursday
            offset = 4 * _DAY
            first = (start - offset) // step * step + offset
        else:
            first = start // step * step
        return max(1, -((first - end) // step))
    months, _ = _month_index(start)
    end_months, end_date = _month_index(end)
    per = 12 if rounding.unit == "year" else 1
    first = months // per * per
    # the first bucket boundary at or after `end`
    boundary = end_months // per * per
    end_start = datetime(boundary // 12, boundary % 12 + 1, 1, tzinfo=UTC)
    if end_date > end_start:
        boundary += per
    return max(1, (boundary - first) // per)


def _ok(rounding: Rounding, buckets: int, start: int, end: int) -> bool:
    return buckets > 0 and buckets_needed(rounding, start, end) <= buckets


def pick_rounding(buckets: int, start: int, end: int) -> Rounding:
    """Bucket.java's DateRoundingPicker: the finest primary rounding (binary
    search, as there) that needs at most ``buckets`` buckets, else the first
    secondary one that does, else years."""
    low, high = 0, len(PRIMARY) - 1
    best: Rounding | None = None
    while low <= high:
        mid = (low + high) // 2
        if _ok(PRIMARY[mid], buckets, start, end):
            best = PRIMARY[mid]
            low = mid + 1
        else:
            high = mid - 1
    if best is not None:
        return best
    for rounding in SECONDARY:
        if _ok(rounding, buckets, start, end):
            return rounding
    return SECONDARY[-1]


def _millis_of(col: Col) -> int:
    """A range bound (date, date_nanos or ISO string constant) in epoch millis."""
    value = col.value
    if col.type is T.DATETIME:
        return int(value)
    if col.type is T.DATE_NANOS:
        return int(value) // 1_000_000
    parsed, _ = parse_iso_datetime(pl.lit(str(value)), "ms")
    millis = pl.select(parsed).item()
    if millis is None:
        raise QueryExecutionError(
            f"failed to parse date field [{value}] with format [strict_date_optional_time]"
        )
    return int(millis)


def _date_bucket(args: list[Col]) -> Col:
    field, buckets = args[0], args[1]
    nanos = field.type is T.DATE_NANOS
    if isinstance(buckets.value, TemporalAmount):
        try:
            rounding = rounding_of(buckets.value)
        except ValueError as e:
            raise QueryExecutionError(str(e)) from e
    else:
        if len(args) < 4:
            raise QueryExecutionError("BUCKET needs [from] and [to] with a bucket count")
        count = java_int(int(buckets.value))
        rounding = pick_rounding(count, _millis_of(args[2]), _millis_of(args[3]))
    return Col(round_date(field.expr, rounding, nanos), field.type)


# --------------------------------------------------------------------- numbers


def number_span(args: list[Col]) -> float:
    """The bucket width: given, or derived from count and range as Bucket.java's
    ``getNumberRoundTo`` does (with Java's double semantics)."""
    if len(args) == 2:
        return float(args[1].value)
    count = java_int(int(args[1].value))
    low, high = _as_double(args[2]), _as_double(args[3])
    precise = _java_div(high - low, float(count))
    if math.isnan(precise):
        return math.nan
    log = math.log10(precise) if precise > 0 else (-math.inf if precise == 0 else math.nan)
    if math.isnan(log):
        return math.nan
    exponent = math.ceil(log) if math.isfinite(log) else log
    next_power = 10.0**exponent if math.isfinite(exponent) else (0.0 if exponent < 0 else math.inf)
    half = next_power / 2
    return half if precise < half else next_power


def _as_double(col: Col) -> float:
    """A range bound as Elasticsearch reads it (``Number.doubleValue()`` of the
    folded literal). An unsigned_long literal is held in its internal encoding
    (the value minus 2^63), and that is what BUCKET uses."""
    value = int(col.value) if col.type is T.UNSIGNED_LONG else col.value
    if col.type is T.UNSIGNED_LONG:
        return float(value - 2**63)
    return float(value)


def _java_div(a: float, b: float) -> float:
    if b != 0:
        return a / b
    if a == 0 or math.isnan(a):
        return math.nan
    return math.copysign(math.inf, a) * math.copysign(1.0, b)


def _number_bucket(args: list[Col], ctx: EvalContext) -> Col:
    span = number_span(args)
    value = as_type(args[0], T.DOUBLE)
    # a true division: Polars multiplies by the reciprocal of a literal divisor
    quotient = divide(value, pl.lit(span, dtype=pl.Float64))
    bad_div = ~quotient.is_finite()
    ctx.fail_when(bad_div, DIV_BY_ZERO)
    product = quotient.floor() * span
    bad_mul = ~product.is_finite() & ~bad_div
    ctx.fail_when(bad_mul, f"{ARITHMETIC}: not a finite double number: Infinity")
    return Col(pl.when(~bad_div & ~bad_mul).then(product), T.DOUBLE)


@implements("bucket", "bin")
def bucket(args: list[Col], ctx: EvalContext) -> Col:
    field = args[0]
    out = T.DOUBLE if field.type in NUMERIC else field.type
    if any(a.type is T.NULL or (a.is_const and a.value is None) for a in args[1:]) or (
        field.type is T.NULL
    ):
        return Col(null_of(out), out, value=None)
    for a in args[1:]:
        if not a.is_const:
            raise QueryExecutionError("BUCKET span, count and range must be constants")
    if field.type in DATE:
        return _date_bucket(args)
    return _number_bucket(args, ctx)
