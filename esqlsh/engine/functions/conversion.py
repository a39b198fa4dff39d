"""Type conversions (``TO_LONG``, ``TO_STRING`` …) on Polars.

Each target type has a table of converters by source type; a converter maps one
value expression to a ``Converted`` (value, failure mask, failure message). They
apply value by value to multi-values (``convert_each``). Failure texts are the
exceptions Elasticsearch's converters throw, as the conformance specs record them.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

import polars as pl

from esqlsh.analysis.types import TEMPORAL_AMOUNT, DataType
from esqlsh.engine.compiled import Col, EvalContext, implements
from esqlsh.engine.functions._common import (
    ARITHMETIC,
    ILLEGAL_ARGUMENT,
    INT_MAX,
    INT_MIN,
    LONG_MAX,
    LONG_MIN,
    NUMBER_FORMAT,
    Converted,
    Converter,
    convert_each,
    format_iso_millis,
    format_iso_nanos,
    in_range,
    input_string_message,
    java_double_str,
    java_round,
    null_of,
    out_of_range,
    parse_iso_datetime,
    parse_java_double,
    parse_java_long,
)
from esqlsh.errors import QueryExecutionError
from esqlsh.plan.logical import TemporalAmount

T = DataType
Table = dict[DataType, Converter]


def same(expr: pl.Expr) -> Converted:
    return Converted(expr)


def _fails(value: pl.Expr, ok: pl.Expr, message: pl.Expr | str) -> Converted:
    """A converter result that is null (and a failure) where ``ok`` is false."""
    return Converted(pl.when(ok).then(value), ~ok, message)


# ----------------------------------------------------------------- to integers


def _double_to_long(x: pl.Expr) -> Converted:
    """``safeDoubleToLong``: out of range fails, otherwise ``Math.round``."""
    ok = (x <= float(LONG_MAX)) & (x >= float(LONG_MIN)) | x.is_nan()
    rounded = pl.when(x.is_nan()).then(0.0).otherwise(java_round(x))
    value = rounded.clip(float(LONG_MIN), 9.223372036854775e18).cast(pl.Int64, strict=False)
    # 2**63 itself rounds to Long.MAX_VALUE in Java (the range test uses (double) MAX)
    value = pl.when(rounded >= 2.0**63).then(pl.lit(LONG_MAX)).otherwise(value)
    return _fails(value, ok, out_of_range(java_double_str(x), "long"))


def _ulong_to_long(x: pl.Expr) -> Converted:
    ok = x <= LONG_MAX
    return _fails(x.cast(pl.Int64, strict=False), ok, out_of_range(x.cast(pl.String), "long"))


def _string_to_long(s: pl.Expr) -> Converted:
    """``Long.parseLong``, falling back to a double that fits (rounded)."""
    direct = parse_java_long(s)
    as_double = parse_java_double(s)
    fits = (as_double <= float(LONG_MAX)) & (as_double >= float(LONG_MIN))
    via_double = pl.when(fits).then(java_round(as_double).cast(pl.Int64, strict=False))
    value = pl.coalesce(direct, via_double)
    return _fails(value, value.is_not_null(), input_string_message(s))


def _long_to_int(x: pl.Expr) -> Converted:
    ok = in_range(x, INT_MIN, INT_MAX)
    return _fails(x.cast(pl.Int32, strict=False), ok, out_of_range(x.cast(pl.String), "integer"))


def _chain(first: Converter, second: Converter) -> Converter:
    """``second(first(x))``, failing with whichever fails first."""

    def convert(x: pl.Expr) -> Converted:
        a = first(x)
        b = second(a.value)
        failed = [f for f in (a.failed, b.failed) if f is not None]
        if not failed:
            return Converted(b.value)
        if a.failed is None:
            return b
        if b.failed is None:
            return Converted(b.value, a.failed, a.message)
        a_msg = pl.lit(a.message) if isinstance(a.message, str) else a.message
        b_msg = pl.lit(b.message) if isinstance(b.message, str) else b.message
        mask = a.failed.fill_null(False) | b.failed.fill_null(False)
        message = pl.when(a.failed.fill_null(False)).then(a_msg).otherwise(b_msg)
        return Converted(b.value, mask, message)

    return convert


def _string_to_int(s: pl.Expr) -> Converted:
    """``Integer.parseInt``, then a double that fits; any failure reports the text."""
    direct = parse_java_long(s)
    as_double = parse_java_double(s)
    via_double = pl.when(as_double.is_finite()).then(java_round(as_double))
    value = pl.coalesce(direct.cast(pl.Float64), via_double)
    ok = in_range(value, INT_MIN, INT_MAX).fill_null(False)
    return _fails(value.cast(pl.Int32, strict=False), ok, input_string_message(s))


def _bool_to(dtype: pl.DataType) -> Converter:
    return lambda x: Converted(x.cast(dtype))


def _epoch_ms(x: pl.Expr) -> Converted:
    return Converted(x.dt.epoch("ms"))


def _epoch_ns(x: pl.Expr) -> Converted:
    return Converted(x.dt.epoch("ns"))


_TO_LONG: Table = {
    T.LONG: same,
    T.COUNTER_LONG: same,
    T.INTEGER: _bool_to(pl.Int64()),
    T.COUNTER_INTEGER: _bool_to(pl.Int64()),
    T.BOOLEAN: _bool_to(pl.Int64()),
    T.DOUBLE: _double_to_long,
    T.UNSIGNED_LONG: _ulong_to_long,
    T.DATETIME: _epoch_ms,
    T.DATE_NANOS: _epoch_ns,
    T.KEYWORD: _string_to_long,
    T.TEXT: _string_to_long,
}

_TO_INTEGER: Table = {
    T.INTEGER: same,
    T.COUNTER_INTEGER: same,
    T.BOOLEAN: _bool_to(pl.Int32()),
    T.LONG: _long_to_int,
    T.DOUBLE: _chain(_double_to_long, _long_to_int),
    T.UNSIGNED_LONG: _chain(_ulong_to_long, _long_to_int),
    T.DATETIME: _chain(_epoch_ms, _long_to_int),
    T.KEYWORD: _string_to_int,
    T.TEXT: _string_to_int,
}

# ---------------------------------------------------------------- unsigned long


def _signed_to_ulong(x: pl.Expr) -> Converted:
    ok = x >= 0
    return _fails(
        x.cast(pl.UInt64, strict=False), ok, out_of_range(x.cast(pl.String), "unsigned_long")
    )


def _double_to_ulong(x: pl.Expr) -> Converted:
    """``BigDecimal.valueOf(x).toBigInteger()`` (truncation) within range."""
    ok = (x >= 0) & (x < 2.0**64)
    value = x.floor().cast(pl.UInt64, strict=False)
    return _fails(value, ok, out_of_range(java_double_str(x), "unsigned_long"))


def _string_to_ulong(s: pl.Expr) -> Converted:
    """``new BigDecimal(s).toBigInteger()``: digits, an optional fraction and
    exponent; integral part within [0, 2^64)."""
    number = s.str.contains(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
    has_exponent = s.str.contains(r"[eE]")
    integral = s.str.extract(r"^\+?(\d*)", 1)
    integral = pl.when(integral == "").then(pl.lit("0")).otherwise(integral)
    plain = integral.cast(pl.UInt64, strict=False)
    negative = s.str.starts_with("-") & ~s.str.contains(r"^-0*\.?0*$")
    # exponent forms go through a double: exact enough for the values they write
    via_double = s.cast(pl.Float64, strict=False).floor().cast(pl.UInt64, strict=False)
    value = pl.when(has_exponent).then(via_double).otherwise(plain)
    bad_char = s.str.extract(r"([^0-9.eE+\-])", 1)
    message = (
        pl.when(~number & bad_char.is_not_null())
        .then(
            pl.concat_str(
                [
                    pl.lit(f"{NUMBER_FORMAT}: Character "),
                    bad_char,
                    pl.lit(
                        ' is neither a decimal digit number, decimal point, nor "e" '
                        "notation exponential mark."
                    ),
                ]
            )
        )
        .when(~number)
        .then(pl.lit(f"{NUMBER_FORMAT}: Character array is missing \"exponent\" mark 'e' or 'E'."))
        .otherwise(out_of_range(s, "unsigned_long"))
    )
    ok = number & ~negative & value.is_not_null()
    return _fails(value, ok.fill_null(False), message)


_TO_ULONG: Table = {
    T.UNSIGNED_LONG: same,
    T.BOOLEAN: _bool_to(pl.UInt64()),
    T.INTEGER: _signed_to_ulong,
    T.LONG: _signed_to_ulong,
    T.DOUBLE: _double_to_ulong,
    T.DATETIME: _chain(_epoch_ms, _signed_to_ulong),
    T.KEYWORD: _string_to_ulong,
    T.TEXT: _string_to_ulong,
}

# ----------------------------------------------------------------------- double


def _string_to_double(s: pl.Expr) -> Converted:
    value = parse_java_double(s)
    message = (
        pl.when(s.str.strip_chars() == "")
        .then(pl.lit(f"{NUMBER_FORMAT}: empty String"))
        .otherwise(input_string_message(s))
    )
    return _fails(value, value.is_not_null(), message)


def _to_double(x: pl.Expr) -> Converted:
    return Converted(x.cast(pl.Float64))


_TO_DOUBLE: Table = {
    T.DOUBLE: same,
    T.COUNTER_DOUBLE: same,
    T.INTEGER: _to_double,
    T.COUNTER_INTEGER: _to_double,
    T.LONG: _to_double,
    T.COUNTER_LONG: _to_double,
    T.UNSIGNED_LONG: _to_double,
    T.BOOLEAN: _to_double,
    T.DATETIME: lambda x: Converted(x.dt.epoch("ms").cast(pl.Float64)),
    T.KEYWORD: _string_to_double,
    T.TEXT: _string_to_double,
}

# ------------------------------------------------------- to_degrees / to_radians

# Java's Math.toDegrees / Math.toRadians multiply by these constants (JDK 9+).
RADIANS_TO_DEGREES = 57.29577951308232
DEGREES_TO_RADIANS = 0.017453292519943295


def _to_degrees(x: pl.Expr) -> Converted:
    """``NumericUtils.asFiniteNumber(Math.toDegrees(x))``: a huge value overflows."""
    value = x.cast(pl.Float64) * RADIANS_TO_DEGREES
    message = pl.format(
        "{}: not a finite double number: {}", pl.lit(ARITHMETIC), java_double_str(value)
    )
    return _fails(value, value.is_finite(), message)


def _to_radians(x: pl.Expr) -> Converted:
    return Converted(x.cast(pl.Float64) * DEGREES_TO_RADIANS)


_NUMBER_SOURCES = (T.DOUBLE, T.INTEGER, T.LONG, T.UNSIGNED_LONG)
_TO_DEGREES: Table = dict.fromkeys(_NUMBER_SOURCES, _to_degrees)
_TO_RADIANS: Table = dict.fromkeys(_NUMBER_SOURCES, _to_radians)

# ---------------------------------------------------------------------- boolean


def _nonzero(x: pl.Expr) -> Converted:
    return Converted(x != 0)


def _string_to_bool(s: pl.Expr) -> Converted:
    """``Boolean.parseBoolean``: ``true`` in any case is true, anything else false."""
    return Converted(s.str.to_lowercase() == "true")


_TO_BOOLEAN: Table = {
    T.BOOLEAN: same,
    T.INTEGER: _nonzero,
    T.LONG: _nonzero,
    T.UNSIGNED_LONG: _nonzero,
    T.DOUBLE: _nonzero,
    T.KEYWORD: _string_to_bool,
    T.TEXT: _string_to_bool,
}

# ------------------------------------------------------------------------ dates

_MS = pl.Datetime("ms", "UTC")
_NS = pl.Datetime("ns", "UTC")


def _date_parse_failure(s: pl.Expr, fmt: str) -> pl.Expr:
    return pl.concat_str(
        [
            pl.lit(f"{ILLEGAL_ARGUMENT}: failed to parse date field ["),
            s,
            pl.lit(f"] with format [{fmt}]"),
        ]
    )


def _string_to_datetime(s: pl.Expr) -> Converted:
    value, failed = parse_iso_datetime(s, "ms")
    return Converted(value.cast(_MS), failed, _date_parse_failure(s, "strict_date_optional_time"))


def _string_to_nanos(s: pl.Expr) -> Converted:
    value, failed = parse_iso_datetime(s, "ns")
    return Converted(
        value.cast(_NS), failed, _date_parse_failure(s, "strict_date_optional_time_nanos")
    )


def _millis_to_date(x: pl.Expr) -> Converted:
    return Converted(x.cast(pl.Int64).cast(_MS))


def _via_long(first: Converter, then: Callable[[pl.Expr], pl.Expr]) -> Converter:
    def convert(x: pl.Expr) -> Converted:
        r = first(x)
        return Converted(then(r.value), r.failed, r.message)

    return convert


_TO_DATETIME: Table = {
    T.DATETIME: same,
    T.DATE_NANOS: lambda x: Converted(x.cast(_MS)),
    T.INTEGER: _millis_to_date,
    T.LONG: _millis_to_date,
    T.UNSIGNED_LONG: _via_long(_ulong_to_long, lambda v: v.cast(_MS)),
    T.DOUBLE: _via_long(_double_to_long, lambda v: v.cast(_MS)),
    T.KEYWORD: _string_to_datetime,
    T.TEXT: _string_to_datetime,
}

_BEFORE_EPOCH = (
    f"{ILLEGAL_ARGUMENT}: Nanosecond dates before 1970-01-01T00:00:00.000Z are not supported."
)


def _nanos_from_long(x: pl.Expr) -> Converted:
    return _fails(x.cast(_NS), x >= 0, _BEFORE_EPOCH)


def _millis_to_nanos(x: pl.Expr) -> Converted:
    millis = x.dt.epoch("ms")
    ok = (millis >= 0) & (millis <= LONG_MAX // 1_000_000)
    message = pl.concat_str(
        [
            pl.lit(f"{ILLEGAL_ARGUMENT}: date["),
            format_iso_millis(x),
            pl.lit("] is before the epoch in 1970 and cannot be stored in nanosecond resolution"),
        ]
    )
    # (cast only what fits: Polars panics on a date nanoseconds cannot hold)
    return _fails(pl.when(ok).then(x).cast(_NS), ok, message)


_TO_DATE_NANOS: Table = {
    T.DATE_NANOS: same,
    T.DATETIME: _millis_to_nanos,
    T.LONG: _nanos_from_long,
    T.UNSIGNED_LONG: _chain(_ulong_to_long, _nanos_from_long),
    T.DOUBLE: _chain(_double_to_long, _nanos_from_long),
    T.KEYWORD: _string_to_nanos,
    T.TEXT: _string_to_nanos,
}

# ----------------------------------------------------------------------- string


def _text(x: pl.Expr) -> Converted:
    return Converted(x.cast(pl.String))


_TO_STRING: Table = {
    T.KEYWORD: same,
    T.TEXT: same,
    T.IP: same,
    T.VERSION: same,
    T.GEO_POINT: same,
    T.GEO_SHAPE: same,
    T.CARTESIAN_POINT: same,
    T.CARTESIAN_SHAPE: same,
    T.INTEGER: _text,
    T.LONG: _text,
    T.UNSIGNED_LONG: _text,
    T.BOOLEAN: lambda x: Converted(pl.when(x).then(pl.lit("true")).otherwise(pl.lit("false"))),
    T.DOUBLE: lambda x: Converted(java_double_str(x)),
    T.DATETIME: lambda x: Converted(format_iso_millis(x)),
    T.DATE_NANOS: lambda x: Converted(format_iso_nanos(x)),
}

# --------------------------------------------------------------------------- ip


def canonical_ip(text: str) -> str | None:
    """An ip's canonical text as Elasticsearch prints it (IPv4-mapped IPv6 as
    IPv4), or None if ``text`` is not an ip."""
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return str(address)


def _canonical_ips(series: pl.Series) -> pl.Series:
    # Per distinct value: Polars has no expression for parsing ip addresses.
    distinct = series.drop_nulls().unique()
    mapped = pl.Series([canonical_ip(v) for v in distinct], dtype=pl.String)
    return series.replace_strict(distinct, mapped, default=None, return_dtype=pl.String)


def _string_to_ip(s: pl.Expr) -> Converted:
    value = s.map_batches(_canonical_ips, return_dtype=pl.String, is_elementwise=True)
    message = pl.concat_str(
        [pl.lit(f"{ILLEGAL_ARGUMENT}: '"), s, pl.lit("' is not an IP string literal.")]
    )
    return _fails(value, value.is_not_null(), message)


_TO_IP: Table = {T.IP: same, T.KEYWORD: _string_to_ip, T.TEXT: _string_to_ip}

_STRING_SAME: Table = {T.KEYWORD: same, T.TEXT: same}
_TO_VERSION: Table = {T.VERSION: same, **_STRING_SAME}
_TO_GEOPOINT: Table = {T.GEO_POINT: same, **_STRING_SAME}
_TO_GEOSHAPE: Table = {T.GEO_POINT: same, T.GEO_SHAPE: same, **_STRING_SAME}
_TO_CARTESIANPOINT: Table = {T.CARTESIAN_POINT: same, **_STRING_SAME}
_TO_CARTESIANSHAPE: Table = {T.CARTESIAN_POINT: same, T.CARTESIAN_SHAPE: same, **_STRING_SAME}

# --------------------------------------------------------------------- register

TABLES: dict[str, tuple[DataType, Table]] = {
    "to_boolean": (T.BOOLEAN, _TO_BOOLEAN),
    "to_cartesianpoint": (T.CARTESIAN_POINT, _TO_CARTESIANPOINT),
    "to_cartesianshape": (T.CARTESIAN_SHAPE, _TO_CARTESIANSHAPE),
    "to_datetime": (T.DATETIME, _TO_DATETIME),
    "to_date_nanos": (T.DATE_NANOS, _TO_DATE_NANOS),
    "to_double": (T.DOUBLE, _TO_DOUBLE),
    "to_geopoint": (T.GEO_POINT, _TO_GEOPOINT),
    "to_geoshape": (T.GEO_SHAPE, _TO_GEOSHAPE),
    "to_integer": (T.INTEGER, _TO_INTEGER),
    "to_ip": (T.IP, _TO_IP),
    "to_long": (T.LONG, _TO_LONG),
    "to_string": (T.KEYWORD, _TO_STRING),
    # TO_TEXT (Elasticsearch 9.5 preview): keyword and text only, the values as they are
    "to_text": (T.TEXT, _STRING_SAME),
    "to_unsigned_long": (T.UNSIGNED_LONG, _TO_ULONG),
    "to_version": (T.VERSION, _TO_VERSION),
    # last: ``converter_for`` takes the first table producing a type (to_double's)
    "to_degrees": (T.DOUBLE, _TO_DEGREES),
    "to_radians": (T.DOUBLE, _TO_RADIANS),
}

ALIASES: dict[str, tuple[str, ...]] = {
    "to_boolean": ("to_bool",),
    "to_datetime": ("to_dt",),
    "to_date_nanos": ("to_datenanos",),
    "to_double": ("to_dbl",),
    "to_integer": ("to_int",),
    "to_string": ("to_str",),
    "to_unsigned_long": ("to_ulong", "to_ul"),
    "to_version": ("to_ver",),
}


def converter_for(source: DataType, target: DataType) -> Converter | None:
    """The scalar converter from ``source`` to ``target`` (for casts elsewhere)."""
    for out, table in TABLES.values():
        if out is target:
            return table.get(source)
    return None


def _conversion(name: str, out: DataType, table: Table) -> Callable[[list[Col], EvalContext], Col]:
    def impl(args: list[Col], ctx: EvalContext) -> Col:
        (a,) = args
        if a.type is T.NULL:
            return Col(null_of(out), out, value=None)
        fn = table.get(a.type)
        if fn is None:
            raise QueryExecutionError(f"[{name}] cannot convert type [{a.type.value}]")
        return convert_each(a, ctx, fn, out)

    return impl


for _name, (_out, _table) in TABLES.items():
    implements(_name, *ALIASES.get(_name, ()))(_conversion(_name, _out, _table))


# ------------------------------------------------- date_period / time_duration

_UNITS: dict[str, tuple[str, int]] = {}
for _unit, _kind, _factor in (
    ("millisecond milliseconds ms", "millis", 1),
    ("second seconds sec s", "millis", 1000),
    ("minute minutes min", "millis", 60_000),
    ("hour hours h", "millis", 3_600_000),
    ("day days d", "days", 1),
    ("week weeks w", "days", 7),
    ("month months mo", "months", 1),
    ("quarter quarters q", "months", 3),
    ("year years yr y", "months", 12),
):
    for _word in _unit.split():
        _UNITS[_word] = (_kind, _factor)


def parse_temporal_amount(text: str, target: DataType) -> TemporalAmount:
    """``"3 days"`` as a date_period / ``"2 hours"`` as a time_duration, as
    Elasticsearch's ``parseTemporalAmount``; ValueError with its message."""
    parts = text.strip().split()
    message = f"Cannot parse [{text}] to {target.value.upper()}"
    if len(parts) != 2 or not parts[0].lstrip("+-").isdigit():
        raise ValueError(message)
    unit = _UNITS.get(parts[1].lower())
    if unit is None:
        raise ValueError(message)
    kind, factor = unit
    value = int(parts[0]) * factor
    is_duration = kind == "millis"
    if is_duration != (target is T.TIME_DURATION):
        other = "TIME_DURATION" if is_duration else "DATE_PERIOD"
        raise ValueError(f"{message}, did you mean {other}?")
    return TemporalAmount(**{kind: value})


def _temporal(out: DataType) -> Callable[[list[Col], EvalContext], Col]:
    def impl(args: list[Col], ctx: EvalContext) -> Col:
        (a,) = args
        if a.type in TEMPORAL_AMOUNT:
            return Col(pl.lit(None), out, value=a.value)
        if not a.is_const:
            raise QueryExecutionError(
                f"argument of [{ctx.source.text if ctx.source else ''}] must be a constant"
            )
        if a.value is None:
            return Col(pl.lit(None), out, value=None)
        try:
            amount = parse_temporal_amount(str(a.value), out)
        except ValueError as e:
            raise QueryExecutionError(str(e)) from e
        return Col(pl.lit(None), out, value=amount)

    return impl


implements("to_dateperiod")(_temporal(T.DATE_PERIOD))
implements("to_timeduration")(_temporal(T.TIME_DURATION))
