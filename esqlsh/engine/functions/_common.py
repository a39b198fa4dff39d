"""Helpers shared by the function implementations: Elasticsearch's warning texts,
numeric casts, Java's number formatting and parsing rules, ISO date parsing and
formatting, element-wise conversion of (possibly multi-valued) columns, and date
rounding (BUCKET, DATE_TRUNC).

Everything here builds Polars expressions; nothing loops over rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from esqlsh.analysis.types import DataType
from esqlsh.engine.compiled import Col, EvalContext, physical
from esqlsh.engine.functions._shared_b import per_distinct
from esqlsh.engine.ordering import ip_sort_key, version_sort_key
from esqlsh.plan.logical import TemporalAmount

T = DataType

# ---------------------------------------------------------------- warning texts

ARITHMETIC = "java.lang.ArithmeticException"
NUMBER_FORMAT = "java.lang.NumberFormatException"
ILLEGAL_ARGUMENT = "java.lang.IllegalArgumentException"
# The conformance specs record range failures of conversions with this class name
# (``[501379200000] out of [integer] range``).
INVALID_ARGUMENT = "org.elasticsearch.xpack.ql.QlIllegalArgumentException"

DIV_BY_ZERO = f"{ARITHMETIC}: / by zero"


def overflow_message(t: DataType) -> str:
    """``java.lang.ArithmeticException: long overflow`` and friends."""
    return f"{ARITHMETIC}: {t.value} overflow"


def out_of_range(value_text: pl.Expr, target: str) -> pl.Expr:
    """``…QlIllegalArgumentException: [<value>] out of [<target>] range``."""
    return pl.concat_str(
        [pl.lit(f"{INVALID_ARGUMENT}: ["), value_text, pl.lit(f"] out of [{target}] range")]
    )


def input_string_message(text: pl.Expr) -> pl.Expr:
    """``java.lang.NumberFormatException: For input string: "<text>"``."""
    return pl.concat_str([pl.lit(f'{NUMBER_FORMAT}: For input string: "'), text, pl.lit('"')])


# ------------------------------------------------------------------ ordering keys


def ip_key(expr: pl.Expr, multi: bool = False) -> pl.Expr:
    """Sort/compare key of an ip (the address bytes, IPv4 mapped into IPv6)."""
    return ip_sort_key(expr, multi)


def version_key(expr: pl.Expr, multi: bool = False) -> pl.Expr:
    """Sort/compare key of a version (Elasticsearch's VersionEncoder bytes)."""
    return version_sort_key(expr, multi)


def order_expr(expr: pl.Expr, t: DataType, multi: bool = False) -> pl.Expr:
    """``expr`` mapped to something Polars orders as Elasticsearch orders ``t``."""
    if t is T.IP:
        return ip_key(expr, multi)
    if t is T.VERSION:
        return version_key(expr, multi)
    return expr


# ----------------------------------------------------------------- numeric casts

INT_MIN, INT_MAX = -(2**31), 2**31 - 1
LONG_MIN, LONG_MAX = -(2**63), 2**63 - 1
ULONG_MAX = 2**64 - 1


def null_of(t: DataType) -> pl.Expr:
    """A typed null literal."""
    try:
        return pl.lit(None, dtype=physical(t))
    except KeyError:
        return pl.lit(None)


def as_type(col: Col, t: DataType) -> pl.Expr:
    """``col`` widened to type ``t``'s physical dtype (numeric widening, date →
    date_nanos); a null-typed column becomes a typed null."""
    if col.type is T.NULL:
        return null_of(t)
    if col.type is t:
        return col.expr
    return col.expr.cast(physical(t))


def regex_error(pattern: str) -> str | None:
    """Why Polars' (Rust) regex engine refuses ``pattern`` (``unclosed group``), or
    None. Checked once per constant pattern, so that a bad one is a query error
    rather than a failure deep inside the evaluation."""
    try:
        pl.select(pl.lit("").str.contains(pattern))
    except pl.exceptions.ComputeError as e:
        lines = [line.strip() for line in str(e).splitlines() if line.strip()]
        reasons = [line.removeprefix("error: ") for line in lines if line.startswith("error:")]
        return reasons[0] if reasons else lines[0]
    return None


def in_range(expr: pl.Expr, low: int, high: int) -> pl.Expr:
    return (expr >= low) & (expr <= high)


def java_round(expr: pl.Expr) -> pl.Expr:
    """Java's ``Math.round``: halves round up (towards positive infinity)."""
    return (expr + 0.5).floor()


# ----------------------------------------------------------- Java double to text


def java_double_str(expr: pl.Expr) -> pl.Expr:
    """Java's ``Double.toString``: the shortest digits that round-trip, written
    ``123.4`` when 1e-3 <= |x| < 1e7 and ``1.0E20`` (computerized scientific
    notation) otherwise; ``NaN``, ``Infinity``. Polars' own float text has the same
    shortest digits, so they are re-laid out rather than recomputed."""
    text = expr.cast(pl.String)
    sign = pl.when(text.str.starts_with("-")).then(pl.lit("-")).otherwise(pl.lit(""))
    body = text.str.strip_prefix("-")
    mantissa = body.str.extract(r"^([0-9.]+)", 1)
    exp_part = body.str.extract(r"e([+-]?\d+)$", 1).cast(pl.Int64).fill_null(0)
    int_part = mantissa.str.extract(r"^(\d*)", 1)
    frac_part = mantissa.str.extract(r"\.(\d*)$", 1).fill_null("")
    all_digits = pl.concat_str([int_part, frac_part])
    leading_zeros = (
        all_digits.str.len_chars() - all_digits.str.strip_chars_start("0").str.len_chars()
    )
    digits = all_digits.str.strip_chars_start("0").str.strip_chars_end("0")
    # decimal exponent of the first significant digit
    exponent = int_part.str.len_chars().cast(pl.Int64) - 1 - leading_zeros.cast(pl.Int64) + exp_part
    is_zero = digits.str.len_chars() == 0
    digits = pl.when(is_zero).then(pl.lit("0")).otherwise(digits)

    sci_frac = digits.str.slice(1)
    scientific = pl.concat_str(
        [
            digits.str.slice(0, 1),
            pl.lit("."),
            pl.when(sci_frac.str.len_chars() == 0).then(pl.lit("0")).otherwise(sci_frac),
            pl.lit("E"),
            exponent.cast(pl.String),
        ]
    )
    # plain notation, exponent in [-3, 7)
    int_len = exponent + 1
    int_digits = digits.str.slice(0, int_len.clip(lower_bound=0)).str.pad_end(
        int_len.clip(lower_bound=1), "0"
    )
    frac_digits = digits.str.slice(int_len.clip(lower_bound=0))
    frac_digits = pl.when(frac_digits.str.len_chars() == 0).then(pl.lit("0")).otherwise(frac_digits)
    positive_plain = pl.concat_str([int_digits, pl.lit("."), frac_digits])
    negative_plain = pl.concat_str(
        [pl.lit("0."), pl.lit("").str.pad_start((-exponent - 1).clip(lower_bound=0), "0"), digits]
    )
    plain = pl.when(exponent >= 0).then(positive_plain).otherwise(negative_plain)
    laid_out = (
        pl.when(is_zero)
        .then(pl.lit("0.0"))
        .when((exponent >= -3) & (exponent < 7))
        .then(plain)
        .otherwise(scientific)
    )
    finite = pl.concat_str([sign, laid_out])
    return (
        pl.when(expr.is_nan())
        .then(pl.lit("NaN"))
        .when(expr == float("inf"))
        .then(pl.lit("Infinity"))
        .when(expr == float("-inf"))
        .then(pl.lit("-Infinity"))
        .otherwise(finite)
    )


def number_text(expr: pl.Expr, t: DataType) -> pl.Expr:
    """A number as Java prints it (doubles the Java way, integers plainly)."""
    if t is T.DOUBLE:
        return java_double_str(expr)
    return expr.cast(pl.String)


# ------------------------------------------------------------ parsing numbers


def parse_java_double(text: pl.Expr) -> pl.Expr:
    """``Double.parseDouble``: surrounding whitespace allowed, an optional
    ``d``/``f`` suffix, ``NaN`` and ``Infinity`` spelled Java's way; null when the
    text is not a number."""
    s = text.str.strip_chars()
    lowered = s.str.to_lowercase()
    plain = (
        s.str.strip_suffix("d").str.strip_suffix("D").str.strip_suffix("f").str.strip_suffix("F")
    )
    special_word = lowered.str.contains(r"inf|nan")
    looks_numeric = plain.str.contains(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
    special = (
        pl.when(s.str.contains(r"^[+]?Infinity$"))
        .then(pl.lit(float("inf")))
        .when(s == "-Infinity")
        .then(pl.lit(float("-inf")))
        .when(s.str.contains(r"^[+-]?NaN$"))
        .then(pl.lit(float("nan")))
    )
    return (
        pl.when(special_word)
        .then(special)
        .when(looks_numeric)
        .then(plain.cast(pl.Float64, strict=False))
    )


def parse_java_long(text: pl.Expr) -> pl.Expr:
    """``Long.parseLong``: an optional sign and digits, nothing else; null when it
    does not parse or overflows."""
    ok = text.str.contains(r"^[+-]?\d+$")
    return pl.when(ok).then(text.cast(pl.Int64, strict=False))


# ---------------------------------------------------------- element-wise convert


@dataclass(frozen=True)
class Converted:
    """What a scalar conversion builds from one input expression: the value (null
    where it failed) and, if it can fail, the failure mask and message."""

    value: pl.Expr
    failed: pl.Expr | None = None
    message: pl.Expr | str | None = None


Converter = Callable[[pl.Expr], Converted]


def convert_each(col: Col, ctx: EvalContext, fn: Converter, out: DataType) -> Col:
    """Apply ``fn`` to every value of ``col``: a multi-value converts value by value,
    dropping the values that fail (each failure is a warning); a list left empty is
    null."""
    if not col.multi:
        r = fn(col.expr)
        if r.failed is not None:
            ctx.fail_when(r.failed, r.message if r.message is not None else "")
        return Col(r.value.cast(physical(out)), out)
    element = fn(pl.element())
    values = col.expr.list.eval(element.value.cast(physical(out))).list.drop_nulls()
    values = pl.when(values.list.len() > 0).then(values)
    if element.failed is not None:
        failed_any = col.expr.list.eval(element.failed.fill_null(False)).list.any()
        message = element.message if element.message is not None else ""
        msg_expr = pl.lit(message) if isinstance(message, str) else message
        # one failure per bad value, as Elasticsearch's converters record them
        messages = col.expr.list.eval(
            pl.when(element.failed.fill_null(False)).then(msg_expr)
        ).list.drop_nulls()
        ctx.fail_when(failed_any, messages, many=True)
    return Col(values, out, multi=True)


# --------------------------------------------------------------- date parsing

_ISO = (
    r"^(?<y>[+-]?\d{4,9})(?:-(?<mo>\d{2})(?:-(?<d>\d{2})"
    r"(?:[T ](?<h>\d{2})(?::(?<mi>\d{2})(?::(?<s>\d{2})(?:[.,](?<f>\d{1,9}))?)?)?"
    r"(?<z>Z|[+-]\d{2}(?::?\d{2})?)?)?)?)?$"
)


def parse_iso_datetime(text: pl.Expr, unit: str = "ms") -> tuple[pl.Expr, pl.Expr]:
    """Elasticsearch's ``strict_date_optional_time`` parser: ``yyyy[-MM[-dd[THH[:mm
    [:ss[.SSS…]]]][Z|±HH:mm]]]``. Returns (epoch value in ``unit`` ("ms" or "ns") as
    Int64, null where the text does not parse; a mask of the texts that failed)."""
    parts = text.str.extract_groups(_ISO)
    year = parts.struct.field("y").cast(pl.Int32, strict=False)
    month = parts.struct.field("mo").cast(pl.Int32, strict=False).fill_null(1)
    day = parts.struct.field("d").cast(pl.Int32, strict=False).fill_null(1)
    hour = parts.struct.field("h").cast(pl.Int64, strict=False).fill_null(0)
    minute = parts.struct.field("mi").cast(pl.Int64, strict=False).fill_null(0)
    second = parts.struct.field("s").cast(pl.Int64, strict=False).fill_null(0)
    frac = parts.struct.field("f").fill_null("").str.pad_end(9, "0").cast(pl.Int64, strict=False)
    zone = parts.struct.field("z").fill_null("Z")
    zone_sign = pl.when(zone.str.starts_with("-")).then(-1).otherwise(1)
    zone_digits = zone.str.replace_all(r"[^0-9]", "")
    zone_minutes = zone_sign * (
        zone_digits.str.slice(0, 2).cast(pl.Int64, strict=False).fill_null(0) * 60
        + zone_digits.str.slice(2, 2).cast(pl.Int64, strict=False).fill_null(0)
    )
    valid_fields = (
        year.is_not_null() & month.is_between(1, 12) & (hour < 24) & (minute < 60) & (second < 60)
    )
    safe_month = pl.when(month.is_between(1, 12)).then(month).otherwise(1)
    first = pl.date(year.fill_null(1970), safe_month, 1)
    days_in_month = first.dt.month_end().dt.day()
    valid = valid_fields & day.is_between(1, 31) & (day <= days_in_month)
    epoch_day = first.cast(pl.Int64) + day.cast(pl.Int64) - 1
    seconds = epoch_day * 86400 + hour * 3600 + minute * 60 + second - zone_minutes * 60
    if unit == "ns":
        value = seconds * 1_000_000_000 + frac.fill_null(0)
    else:
        value = seconds * 1000 + frac.fill_null(0) // 1_000_000
    ok = valid.fill_null(False) & parts.struct.field("y").is_not_null()
    return pl.when(ok).then(value), text.is_not_null() & ~ok


# Polars' calendar (chrono) ends near the years -262143 and 262142, where formatting
# panics; Elasticsearch's dates are any long of milliseconds (up to the year
# 292278994). Dates this far from the epoch (about 253,000 years) are computed here.
CALENDAR_SAFE_MILLIS = 8_000_000_000_000_000


def in_calendar(expr: pl.Expr) -> pl.Expr:
    """Whether a millisecond date is within Polars' calendar."""
    millis = expr.dt.epoch("ms")
    return (millis > -CALENDAR_SAFE_MILLIS) & (millis < CALENDAR_SAFE_MILLIS)


def format_iso_millis(expr: pl.Expr) -> pl.Expr:
    """A date as Elasticsearch prints it: ``2023-01-01T00:00:00.000Z``; a year past
    9999 has a sign (``+292278994-08-17T07:12:55.807Z``, Java's EXCEEDS_PAD)."""
    near = in_calendar(expr)
    by_calendar = pl.when(near).then(expr).dt.strftime("%Y-%m-%dT%H:%M:%S%.3fZ")
    # Dates past Polars' calendar are printed in Python, once per distinct value:
    # the same arithmetic as Polars expressions took Polars ~50 ms to plan, on every
    # query printing a date.
    far = per_distinct(pl.when(~near).then(expr.dt.epoch("ms")), iso_text, pl.String())
    return pl.coalesce(by_calendar, far)


def iso_text(millis: int) -> str:
    """``format_iso_millis`` of one value, for any long: days to a civil date as
    Howard Hinnant's ``civil_from_days`` computes it."""
    days, rest = divmod(millis, 86_400_000)
    era, doe = divmod(days + 719_468, 146_097)
    yoe = (doe - doe // 1_460 + doe // 36_524 - doe // 146_096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = mp + 3 if mp < 10 else mp - 9
    year = yoe + era * 400 + (month <= 2)
    sign = "+" if year > 9999 else "-" if year < 0 else ""
    hours, rest = divmod(rest, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, ms = divmod(rest, 1000)
    return (
        f"{sign}{abs(year):04d}-{month:02d}-{day:02d}"
        f"T{hours:02d}:{minutes:02d}:{seconds:02d}.{ms:03d}Z"
    )


def format_iso_nanos(expr: pl.Expr) -> pl.Expr:
    """A date_nanos as Elasticsearch prints it: ``2023-10-23T13:55:01.543123456Z``."""
    return expr.dt.strftime("%Y-%m-%dT%H:%M:%S%.9fZ")


# --------------------------------------------------------------- temporal amounts


def offset_date(expr: pl.Expr, amount: TemporalAmount, sign: int = 1) -> pl.Expr:
    """``date ± amount`` as Java's ``ZonedDateTime.plus``: calendar months first
    (clamping the day to the month's end), then days, then the fixed duration."""
    out = expr
    if amount.months:
        # Polars' calendar panics beyond its years: such dates give null
        out = pl.when(in_calendar(out)).then(out).dt.offset_by(f"{sign * amount.months}mo")
    if amount.days:
        out = out.dt.offset_by(f"{sign * amount.days}d")
    if amount.millis:
        out = out + pl.duration(milliseconds=sign * amount.millis)
    return out


def add_amounts(a: TemporalAmount, b: TemporalAmount, sign: int = 1) -> TemporalAmount:
    return TemporalAmount(
        a.months + sign * b.months, a.days + sign * b.days, a.millis + sign * b.millis
    )


# ------------------------------------------------------------------ date rounding

_MS = {"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000}


@dataclass(frozen=True)
class Rounding:
    """A date rounding: a calendar unit (``week``, ``month``, ``quarter``,
    ``year``, ``day``) with a multiple, or a fixed interval in milliseconds
    counted from the epoch."""

    unit: str | None = None
    count: int = 1
    fixed_millis: int = 0

    def polars_every(self) -> str:
        if self.unit is None:
            return f"{self.fixed_millis}ms"
        return {
            "day": f"{self.count}d",
            "week": f"{self.count}w",
            "month": f"{self.count}mo",
            "quarter": f"{self.count}q",
            "year": f"{self.count}y",
        }[self.unit]


def round_date(expr: pl.Expr, rounding: Rounding, nanos: bool = False) -> pl.Expr:
    """Round dates down to the start of their bucket (UTC)."""
    if rounding.unit is None:
        unit = 1_000_000 if nanos else 1
        step = rounding.fixed_millis * unit
        epoch = expr.dt.epoch("ns" if nanos else "ms")
        floored = epoch - (epoch % step)  # Polars' % on ints follows the divisor's sign
        dtype = pl.Datetime("ns" if nanos else "ms", "UTC")
        return floored.cast(dtype)
    return expr.dt.truncate(rounding.polars_every())


def rounding_of(amount: TemporalAmount) -> Rounding:
    """The rounding Elasticsearch's DateTrunc builds for a span (one unit only):
    1 day / 1 week / n months / n years are calendar units, other day counts and
    durations fixed intervals. Raises ValueError with Elasticsearch's message."""
    if amount.millis and (amount.months or amount.days):
        raise ValueError("Time interval with multiple periods is not supported")
    if amount.millis:
        if amount.millis < 0:
            raise ValueError("Zero or negative time interval is not supported")
        return Rounding(fixed_millis=amount.millis)
    if amount.months and amount.days:
        raise ValueError("Time interval with multiple periods is not supported")
    if amount.days:
        if amount.days < 0:
            raise ValueError("Zero or negative time interval is not supported")
        if amount.days == 1:
            return Rounding("day")
        if amount.days == 7:
            return Rounding("week")
        return Rounding(fixed_millis=amount.days * _MS["d"])
    if amount.months > 0:
        if amount.months % 12 == 0:
            return Rounding("year", amount.months // 12)
        if amount.months == 3:
            return Rounding("quarter")
        return Rounding("month", amount.months)
    raise ValueError("Zero or negative time interval is not supported")
