"""Date functions on Polars: DATE_TRUNC (ES's ``Rounding``: calendar units counted
from 0001-01-01, fixed intervals from the epoch, weeks from Monday), DATE_DIFF
(``ChronoUnit.between`` semantics), DATE_EXTRACT (``ChronoField``), DATE_FORMAT and
DATE_PARSE (Java ``DateTimeFormatter`` patterns translated to chrono's), NOW.

Dates are UTC; ``date`` is ``Datetime("ms", "UTC")`` and ``date_nanos``
``Datetime("ns", "UTC")``. Everything here is integer arithmetic on epoch values or
Polars' temporal expressions."""

from __future__ import annotations

import re

import polars as pl

from esqlsh.analysis.types import DataType
from esqlsh.engine.compiled import Col, EvalContext
from esqlsh.engine.functions._common import format_iso_millis, in_calendar
from esqlsh.engine.functions._shared_b import (
    INT_MAX,
    INT_MIN,
    InvalidArgumentError,
    failing,
    illegal,
    scalar,
)
from esqlsh.errors import IllegalArgumentError
from esqlsh.plan.logical import TemporalAmount

D = DataType
MS_PER_DAY = 86_400_000
NS_PER_MS = 1_000_000
INVALID_ARGUMENT = "org.elasticsearch.xpack.esql.core.InvalidArgumentException"


def epoch(col: Col, unit: str) -> pl.Expr:
    """Epoch value of a date or date_nanos column in ``unit`` ("ms" or "ns")."""
    return col.expr.dt.epoch(unit)  # type: ignore[arg-type]


def from_epoch(value: pl.Expr, t: DataType) -> pl.Expr:
    dtype = pl.Datetime("ns", "UTC") if t is D.DATE_NANOS else pl.Datetime("ms", "UTC")
    return value.cast(pl.Int64).cast(dtype)


# ---------------------------------------------------------------------------- NOW


@scalar("now")
def _now(args: list[Col], ctx: EvalContext, t: DataType) -> Col:
    return Col(from_epoch(pl.lit(ctx.now_millis), D.DATETIME), D.DATETIME, value=ctx.now_millis)


# --------------------------------------------------------------------- DATE_TRUNC


@scalar("date_trunc")
def _date_trunc(args: list[Col], ctx: EvalContext, t: DataType) -> pl.Expr:
    interval, date = args
    amount = _interval(interval, ctx)
    millis = epoch(date, "ms")
    rounded = truncate_millis(millis, amount)
    if date.type is D.DATE_NANOS:
        # ES rounds date_nanos on their milliseconds.
        return (rounded * NS_PER_MS).cast(pl.Datetime("ns", "UTC"))
    return rounded.cast(pl.Datetime("ms", "UTC"))


def _interval(col: Col, ctx: EvalContext) -> TemporalAmount:
    call = ctx.source.text if ctx.source else "DATE_TRUNC"
    text = _first_argument_text(call)
    value = col.value if col.is_const else None
    prefix = f"Function [{call}] has invalid interval [{text}]."
    if not col.is_const:
        raise IllegalArgumentError(f"Function [{call}] has invalid interval [{text}].")
    if value is None:
        raise IllegalArgumentError(f"{prefix} Interval cannot not be null")
    if not isinstance(value, TemporalAmount):
        raise IllegalArgumentError(f"{prefix} Time interval is not supported")
    parts = [p for p in (value.months, value.days, value.millis) if p != 0]
    if not parts or any(p < 0 for p in parts):
        raise IllegalArgumentError(f"{prefix} Zero or negative time interval is not supported")
    if value.months and value.days:
        raise IllegalArgumentError(f"{prefix} Time interval with multiple periods is not supported")
    return value


def _first_argument_text(call: str) -> str:
    """The source text of a call's first argument (``1 month`` in
    ``DATE_TRUNC(1 month, d)``), for error messages."""
    start = call.find("(")
    depth = 0
    for i in range(start + 1, len(call)):
        c = call[i]
        if c in "([":
            depth += 1
        elif c in ")]":
            if depth == 0:
                return call[start + 1 : i].strip()
            depth -= 1
        elif c == "," and depth == 0:
            return call[start + 1 : i].strip()
    return call[start + 1 :].strip()


def truncate_millis(millis: pl.Expr, amount: TemporalAmount) -> pl.Expr:
    """Round epoch milliseconds down as ES's ``DateTrunc.createRounding`` does."""
    if amount.months:
        return _truncate_months(millis, amount.months)
    if amount.days == 7:
        # Weeks start on Monday; 1970-01-05 (epoch day 4) was one.
        monday = 4 * MS_PER_DAY
        return (millis - monday) // (7 * MS_PER_DAY) * (7 * MS_PER_DAY) + monday
    step = amount.days * MS_PER_DAY if amount.days else amount.millis
    return millis // step * step


def _truncate_months(millis: pl.Expr, months: int) -> pl.Expr:
    """Calendar months (and years, as multiples of 12), counted from 0001-01."""
    date = millis.cast(pl.Datetime("ms", "UTC"))
    index = (date.dt.year().cast(pl.Int64) - 1) * 12 + date.dt.month().cast(pl.Int64) - 1
    start = index // months * months
    year = start // 12 + 1
    month = start % 12 + 1
    first = pl.date(year, month, 1).cast(pl.Datetime("ms")).dt.replace_time_zone("UTC")
    return first.dt.epoch("ms")


# ---------------------------------------------------------------------- DATE_DIFF

# Unit → aliases, in ES's order (also the order of its error message).
DIFF_UNITS: dict[str, tuple[str, ...]] = {
    "YEAR": ("years", "yyyy", "yy"),
    "QUARTER": ("quarters", "qq", "q"),
    "MONTH": ("months", "mm", "m"),
    "DAYOFYEAR": ("dy", "y"),
    "DAY": ("days", "dd", "d"),
    "WEEK": ("weeks", "wk", "ww"),
    "WEEKDAY": ("weekdays", "dw"),
    "HOUR": ("hours", "hh"),
    "MINUTE": ("minutes", "mi", "n"),
    "SECOND": ("seconds", "ss", "s"),
    "MILLISECOND": ("milliseconds", "ms"),
    "MICROSECOND": ("microseconds", "mcs"),
    "NANOSECOND": ("nanoseconds", "ns"),
}
_UNIT_NAMES = {
    name.lower(): unit for unit, aliases in DIFF_UNITS.items() for name in (unit, *aliases)
}
# Length of each fixed unit in nanoseconds.
_FIXED_NS = {
    "DAYOFYEAR": MS_PER_DAY * NS_PER_MS,
    "DAY": MS_PER_DAY * NS_PER_MS,
    "WEEKDAY": MS_PER_DAY * NS_PER_MS,
    "WEEK": 7 * MS_PER_DAY * NS_PER_MS,
    "HOUR": 3_600_000_000_000,
    "MINUTE": 60_000_000_000,
    "SECOND": 1_000_000_000,
    "MILLISECOND": 1_000_000,
    "MICROSECOND": 1_000,
    "NANOSECOND": 1,
}


def diff_unit_error(text: str) -> str:
    units = ", ".join(DIFF_UNITS)
    return f"A value of [{units}] or their aliases is required; received [{text}]"


def resolve_diff_unit(text: str) -> str | None:
    return _UNIT_NAMES.get(text.lower())


@scalar("date_diff")
def _date_diff(args: list[Col], ctx: EvalContext, t: DataType) -> pl.Expr:
    unit, start, end = args
    begin, finish = _instant_ns(start), _instant_ns(end)
    if unit.is_const:
        name = resolve_diff_unit(str(unit.value))
        if name is None:
            call = ctx.source.text if ctx.source else "date_diff"
            raise InvalidArgumentError(
                f"invalid unit format for [{call}]: {diff_unit_error(str(unit.value))}"
            )
        return _in_int_range(ctx, _difference(name, begin, finish))
    lowered = unit.expr.str.to_lowercase()
    result = _difference_per_row(lowered, begin, finish)
    unknown = ~lowered.is_in(list(_UNIT_NAMES))
    message = pl.format(
        "{}[{}]",
        pl.lit(illegal(diff_unit_error("")[: -len("[]")])),
        unit.expr,
    )
    return _in_int_range(ctx, failing(ctx, unknown, message, result))


def _difference_per_row(lowered: pl.Expr, start: pl.Expr, end: pl.Expr) -> pl.Expr:
    """``_difference`` with a unit per row: one division by the row's unit length
    (months for the calendar units). A ``when`` per unit, each with its own copy of
    the month arithmetic, made an expression Polars took tens of seconds to plan."""

    def unit_of(name: str) -> pl.Expr:
        return lowered.is_in([n for n, u in _UNIT_NAMES.items() if u == name])

    fixed: pl.Expr = pl.lit(None, dtype=pl.Int128)
    for name, length in _FIXED_NS.items():
        fixed = pl.when(unit_of(name)).then(pl.lit(length, dtype=pl.Int128)).otherwise(fixed)
    in_months = (
        pl.when(unit_of("MONTH"))
        .then(pl.lit(1, dtype=pl.Int128))
        .when(unit_of("QUARTER"))
        .then(pl.lit(3, dtype=pl.Int128))
        .when(unit_of("YEAR"))
        .then(pl.lit(12, dtype=pl.Int128))
    )
    by_length = _toward_zero(end - start, fixed)
    by_months = _toward_zero(_months_between(start, end), in_months)
    return pl.when(fixed.is_not_null()).then(by_length).otherwise(by_months)


def _instant_ns(col: Col) -> pl.Expr:
    if col.is_const and isinstance(col.value, int):
        # a constant as a literal: the conversion that made it (a string parsed …)
        # would otherwise be copied into every part of the arithmetic below, an
        # expression Polars took seconds to plan
        ns = col.value if col.type is D.DATE_NANOS else col.value * NS_PER_MS
        return pl.lit(ns, dtype=pl.Int128)
    if col.type is D.DATE_NANOS:
        return epoch(col, "ns").cast(pl.Int128)
    return epoch(col, "ms").cast(pl.Int128) * NS_PER_MS


def _toward_zero(value: pl.Expr, divisor: int | pl.Expr) -> pl.Expr:
    quotient = value.abs() // divisor
    return pl.when(value < 0).then(quotient * -1).otherwise(quotient)


def _difference(unit: str, start: pl.Expr, end: pl.Expr) -> pl.Expr:
    """``ChronoUnit.<unit>.between(start, end)`` on epoch nanoseconds (Int128)."""
    if unit in _FIXED_NS:
        return _toward_zero(end - start, _FIXED_NS[unit])
    months = _months_between(start, end)
    return {"MONTH": months, "QUARTER": _toward_zero(months, 3), "YEAR": _toward_zero(months, 12)}[
        unit
    ]


def _months_between(start: pl.Expr, end: pl.Expr) -> pl.Expr:
    """Whole months from ``start`` to ``end``: the month count, less one when the
    end's day and time have not reached the start's (``LocalDateTime.until``)."""

    def parts(ns: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
        # (a millisecond date beyond the nanosecond range has no calendar here: null)
        date = ns.cast(pl.Int64, strict=False).cast(pl.Datetime("ns", "UTC"))
        month = date.dt.year().cast(pl.Int64) * 12 + date.dt.month().cast(pl.Int64)
        day_ns = ns - (ns // (MS_PER_DAY * NS_PER_MS)) * (MS_PER_DAY * NS_PER_MS)
        rest = date.dt.day().cast(pl.Int128) * (MS_PER_DAY * NS_PER_MS) + day_ns
        return month, rest

    m1, r1 = parts(start)
    m2, r2 = parts(end)
    months = (m2 - m1).cast(pl.Int128)
    return (
        pl.when((months > 0) & (r2 < r1))
        .then(months - 1)
        .when((months < 0) & (r2 > r1))
        .then(months + 1)
        .otherwise(months)
    )


def _in_int_range(ctx: EvalContext, value: pl.Expr) -> pl.Expr:
    bad = (value < INT_MIN) | (value > INT_MAX)
    message = pl.format(
        "{}: [{}] out of [integer] range", pl.lit(INVALID_ARGUMENT), value.cast(pl.String)
    )
    return failing(ctx, bad, message, value).cast(pl.Int32)


# ------------------------------------------------------------------- DATE_EXTRACT


def _fields(date: pl.Expr, ns: pl.Expr) -> dict[str, pl.Expr]:
    """Every ``ChronoField`` ES accepts, from a UTC datetime and its epoch nanos."""
    day_ns = MS_PER_DAY * NS_PER_MS
    of_day = ns - (ns // day_ns) * day_ns
    year = date.dt.year().cast(pl.Int64)
    month = date.dt.month().cast(pl.Int64)
    dom = date.dt.day().cast(pl.Int64)
    doy = date.dt.ordinal_day().cast(pl.Int64)
    hour = date.dt.hour().cast(pl.Int64)
    return {
        "NANO_OF_SECOND": date.dt.nanosecond().cast(pl.Int64),
        "NANO_OF_DAY": of_day,
        "MICRO_OF_SECOND": date.dt.nanosecond().cast(pl.Int64) // 1000,
        "MICRO_OF_DAY": of_day // 1000,
        "MILLI_OF_SECOND": date.dt.nanosecond().cast(pl.Int64) // NS_PER_MS,
        "MILLI_OF_DAY": of_day // NS_PER_MS,
        "SECOND_OF_MINUTE": date.dt.second().cast(pl.Int64),
        "SECOND_OF_DAY": of_day // 1_000_000_000,
        "MINUTE_OF_HOUR": date.dt.minute().cast(pl.Int64),
        "MINUTE_OF_DAY": of_day // 60_000_000_000,
        "HOUR_OF_AMPM": hour % 12,
        "CLOCK_HOUR_OF_AMPM": pl.when(hour % 12 == 0).then(12).otherwise(hour % 12),
        "HOUR_OF_DAY": hour,
        "CLOCK_HOUR_OF_DAY": pl.when(hour == 0).then(24).otherwise(hour),
        "AMPM_OF_DAY": hour // 12,
        "DAY_OF_WEEK": date.dt.weekday().cast(pl.Int64),
        "ALIGNED_DAY_OF_WEEK_IN_MONTH": (dom - 1) % 7 + 1,
        "ALIGNED_DAY_OF_WEEK_IN_YEAR": (doy - 1) % 7 + 1,
        "DAY_OF_MONTH": dom,
        "DAY_OF_YEAR": doy,
        "EPOCH_DAY": ns // day_ns,
        "ALIGNED_WEEK_OF_MONTH": (dom - 1) // 7 + 1,
        "ALIGNED_WEEK_OF_YEAR": (doy - 1) // 7 + 1,
        "MONTH_OF_YEAR": month,
        "PROLEPTIC_MONTH": year * 12 + month - 1,
        "YEAR_OF_ERA": pl.when(year >= 1).then(year).otherwise(1 - year),
        "YEAR": year,
        "ERA": pl.when(year >= 1).then(1).otherwise(0),
        "INSTANT_SECONDS": ns // 1_000_000_000,
        "OFFSET_SECONDS": pl.lit(0, dtype=pl.Int64),
    }


@scalar("date_extract")
def _date_extract(args: list[Col], ctx: EvalContext, t: DataType) -> pl.Expr:
    part, date = args
    # (null, not an overflow error, for the dates nanoseconds cannot count)
    ns = _instant_ns(date).cast(pl.Int64, strict=False)
    fields = _fields(date.expr, ns)
    if part.is_const:
        name = str(part.value).upper()
        if name not in fields:
            call = ctx.source.text if ctx.source else "date_extract"
            raise InvalidArgumentError(f"invalid date field for [{call}]: {part.value}")
        return fields[name].cast(pl.Int64)
    upper = part.expr.str.to_uppercase()
    result: pl.Expr = pl.lit(None, dtype=pl.Int64)
    for name, value in fields.items():
        result = pl.when(upper == name).then(value.cast(pl.Int64)).otherwise(result)
    message = pl.format(
        "{}{}", pl.lit(illegal("No enum constant java.time.temporal.ChronoField.")), upper
    )
    return failing(ctx, ~upper.is_in(list(fields)), message, result)


# ------------------------------------------------------------ DATE_FORMAT / PARSE


@scalar("date_format")
def _date_format(args: list[Col], ctx: EvalContext, t: DataType) -> pl.Expr:
    date = args[-1]
    nanos = date.type is D.DATE_NANOS
    if len(args) == 1:
        return format_date(date.expr, DEFAULT_FORMAT, nanos)
    pattern = args[0]
    if pattern.is_const:
        try:
            return format_date(date.expr, str(pattern.value), nanos)
        except ValueError as e:
            # DateFormatter.forPattern, when the evaluator is built
            raise IllegalArgumentError(f"Invalid format: [{pattern.value}]: {e}") from e
    return _per_pattern(pattern.expr, date.expr, lambda p, d: format_date(d, p, nanos), pl.String())


@scalar("date_parse")
def _date_parse(args: list[Col], ctx: EvalContext, t: DataType) -> pl.Expr:
    text = args[-1].expr
    if len(args) == 1:
        pattern: str | None = DEFAULT_FORMAT
    elif args[0].is_const:
        pattern = str(args[0].value)
    else:
        pattern = None
    if pattern is not None:
        try:
            parsed = parse_date(text, pattern)
        except ValueError as e:
            call = ctx.source.text if ctx.source else "date_parse"
            raise InvalidArgumentError(f"invalid date pattern for [{call}]: {e}") from e
        message = pl.format(
            "{}[{}] with format [{}]",
            pl.lit(illegal("failed to parse date field ")),
            text,
            pl.lit(pattern),
        )
        return failing(ctx, text.is_not_null() & parsed.is_null(), message, parsed)
    dtype = pl.Datetime("ms", "UTC")
    parsed = _per_pattern(args[0].expr, text, lambda p, s: parse_date(s, p), dtype)
    message = pl.format(
        "{}[{}] with format [{}]",
        pl.lit(illegal("failed to parse date field ")),
        text,
        args[0].expr,
    )
    return failing(
        ctx, text.is_not_null() & args[0].expr.is_not_null() & parsed.is_null(), message, parsed
    )


def _per_pattern(pattern: pl.Expr, value: pl.Expr, build: object, dtype: pl.DataType) -> pl.Expr:
    """Apply a pattern that differs per row: the rows are handled once per distinct
    pattern (Polars formats and parses with one fixed pattern at a time)."""

    def apply(packed: pl.Series) -> pl.Series:
        frame = packed.struct.unnest()
        out = pl.Series("r", [None] * len(frame), dtype=dtype)
        for p in frame["p"].drop_nulls().unique().to_list():
            mask = frame["p"] == p
            try:
                expr = build(p, pl.col("v"))  # type: ignore[operator]
                done = frame.filter(mask).select(expr.alias("r"))["r"]
            except Exception:  # noqa: BLE001 - an unusable pattern gives nulls
                continue
            out = out.scatter(mask.arg_true(), done)
        return out

    return pl.struct(pattern.alias("p"), value.alias("v")).map_batches(apply, return_dtype=dtype)


# ------------------------------------------------ Java DateTimeFormatter patterns

DEFAULT_FORMAT = "strict_date_optional_time"
# Named ES formats that print like the default one.
_ISO_NAMES = {
    "strict_date_optional_time",
    "date_optional_time",
    "iso8601",
    "strict_date_optional_time_nanos",
}
_NAMED_PATTERNS = {
    "strict_date": "yyyy-MM-dd",
    "date": "yyyy-MM-dd",
    "basic_date": "yyyyMMdd",
    "strict_date_hour_minute_second": "yyyy-MM-dd'T'HH:mm:ss",
    "date_hour_minute_second": "yyyy-MM-dd'T'HH:mm:ss",
    "strict_year_month": "yyyy-MM",
    "year_month": "yyyy-MM",
    "strict_year": "yyyy",
    "year": "yyyy",
    "strict_hour_minute_second": "HH:mm:ss",
    "hour_minute_second": "HH:mm:ss",
}


def _quoted(pattern: str, i: int, out: list[tuple[str, int] | str]) -> int:
    """Read a quoted literal starting at ``pattern[i] == "'"`` (``''`` is a quote);
    returns the index after it."""
    if pattern.startswith("''", i):
        out.append("'")
        return i + 2
    text: list[str] = []
    j = i + 1
    while j < len(pattern):
        if pattern.startswith("''", j):
            text.append("'")
            j += 2
        elif pattern[j] == "'":
            out.append("".join(text))
            return j + 1
        else:
            text.append(pattern[j])
            j += 1
    raise ValueError(f"Pattern ends with an incomplete string literal: {pattern}")


def _tokens(pattern: str) -> list[tuple[str, int] | str]:
    """Split a Java pattern into (letter, count) runs and literal strings."""
    out: list[tuple[str, int] | str] = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "'":
            i = _quoted(pattern, i, out)
        elif c.isascii() and c.isalpha():
            j = i
            while j < len(pattern) and pattern[j] == c:
                j += 1
            out.append((c, j - i))
            i = j
        elif c in "[]":
            i += 1  # optional sections: printed when present, which they always are
        else:
            out.append(c)
            i += 1
    return out


# Pattern letter (and count) → chrono specifier. Offsets are constant: dates are UTC.
def _chrono(letter: str, count: int, parsing: bool) -> str:
    table: dict[str, dict[int, str] | str] = {
        "y": {2: "%y"},
        "u": {2: "%y"},
        "Y": {2: "%g"},
        "M": {1: "%-m", 2: "%m", 3: "%b", 4: "%B"},
        "L": {1: "%-m", 2: "%m", 3: "%b", 4: "%B"},
        "d": {1: "%-d", 2: "%d"},
        "D": {1: "%-j", 2: "%-j", 3: "%j"},
        "H": {1: "%-H", 2: "%H"},
        "h": {1: "%-I", 2: "%I"},
        "m": {1: "%-M", 2: "%M"},
        "s": {1: "%-S", 2: "%S"},
        "a": "%p",
        "E": {1: "%a", 2: "%a", 3: "%a", 4: "%A"},
        "e": "%u",
        "c": "%u",
        "w": {1: "%-V", 2: "%V"},
        "n": "%f",
    }
    if letter in "yu":
        return table[letter].get(count, "%Y") if isinstance(table[letter], dict) else "%Y"  # type: ignore[union-attr]
    if letter == "Y":
        return "%g" if count == 2 else "%G"
    if letter == "S":
        if parsing:
            return "%f" if count > 3 else "%3f"
        return {3: "%3f", 6: "%6f", 9: "%9f"}.get(count, "%3f")
    if letter in "XZx" or letter in "VzO":
        return _offset(letter, count, parsing)
    entry = table.get(letter)
    if entry is None:
        raise ValueError(f"Unknown pattern letter: {letter}")
    if isinstance(entry, str):
        return entry
    return entry.get(count, entry[max(entry)])


def _offset(letter: str, count: int, parsing: bool) -> str:
    if parsing:
        return "%#z" if letter in "XZx" else "%Z"
    if letter == "X" or (letter == "Z" and count == 5) or letter in "Vz":
        return "Z"
    if letter == "O":
        return "GMT"
    if letter == "Z":
        return "GMT" if count == 4 else "+0000"
    return {1: "+00", 2: "+0000", 3: "+00:00"}.get(count, "+0000")


def java_to_chrono(pattern: str, parsing: bool = False) -> str:
    """A Java ``DateTimeFormatter`` pattern (``yyyy-MM-dd'T'HH:mm``) as a chrono
    format string (``%Y-%m-%dT%H:%M``)."""
    pattern = _NAMED_PATTERNS.get(pattern, pattern)
    parts: list[str] = []
    for token in _tokens(pattern):
        if isinstance(token, tuple):
            parts.append(_chrono(token[0], token[1], parsing))
        else:
            parts.append(token.replace("%", "%%"))
    return "".join(parts)


def _iso(date: pl.Expr, nanos: bool) -> pl.Expr:
    """ES's default printer: milliseconds always, nanos with 3 to 9 digits."""
    if not nanos:
        return format_iso_millis(date)
    fraction = date.dt.strftime("%9f").str.replace(r"^(\d{3}\d*?)0*$", "${1}")
    return pl.concat_str([date.dt.strftime("%Y-%m-%dT%H:%M:%S."), fraction, pl.lit("Z")])


def format_date(date: pl.Expr, pattern: str, nanos: bool) -> pl.Expr:
    if pattern in _ISO_NAMES:
        return _iso(date, nanos)
    if pattern == "epoch_millis":
        return date.dt.epoch("ms").cast(pl.String)
    if pattern == "epoch_second":
        return (date.dt.epoch("ms") // 1000).cast(pl.String)
    chrono = java_to_chrono(pattern)
    if nanos:
        return date.dt.strftime(chrono)
    # Polars' calendar cannot print dates this far from the epoch: null (ES prints them)
    return pl.when(in_calendar(date)).then(date).dt.strftime(chrono)


# strict_date_optional_time: yyyy[-MM[-dd]][THH[:mm[:ss[.S…]]]][Z|±HH[:mm]]
_ISO_INPUT = re.compile(
    r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?"
    r"(?:T(\d{2})(?::?(\d{2})(?::?(\d{2})(?:[.,](\d{1,9}))?)?)?)?"
    r"(Z|[+-]\d{2}(?::?\d{2})?)?$"
)


def _parse_iso(text: pl.Expr) -> pl.Expr:
    """Parse ES's default date format into a UTC ``Datetime("ms")``."""
    groups = text.str.extract_groups(_ISO_INPUT.pattern)

    def group(i: int, default: str) -> pl.Expr:
        return groups.struct.field(str(i)).fill_null(default)

    fraction = group(7, "0").str.pad_end(9, "0")
    normal = pl.concat_str(
        [
            group(1, ""),
            pl.lit("-"),
            group(2, "01"),
            pl.lit("-"),
            group(3, "01"),
            pl.lit("T"),
            group(4, "00"),
            pl.lit(":"),
            group(5, "00"),
            pl.lit(":"),
            group(6, "00"),
            pl.lit("."),
            fraction,
        ]
    )
    local = normal.str.to_datetime("%Y-%m-%dT%H:%M:%S%.f", strict=False, time_unit="ns")
    offset = groups.struct.field("8").fill_null("Z")
    digits = offset.str.replace_all(":", "")
    sign = pl.when(digits.str.starts_with("-")).then(-1).otherwise(1)
    hours = digits.str.slice(1, 2).cast(pl.Int64, strict=False).fill_null(0)
    minutes = digits.str.slice(3, 2).cast(pl.Int64, strict=False).fill_null(0)
    shift = sign * (hours * 3600 + minutes * 60) * 1_000_000_000
    utc = local.dt.epoch("ns") - shift
    return (utc // NS_PER_MS).cast(pl.Datetime("ms", "UTC"))


def parse_date(text: pl.Expr, pattern: str) -> pl.Expr:
    """Parse strings with a Java pattern (or ES's default format) into dates."""
    if pattern in _ISO_NAMES:
        return _parse_iso(text)
    if pattern == "epoch_millis":
        return text.cast(pl.Int64, strict=False).cast(pl.Datetime("ms", "UTC"))
    chrono = java_to_chrono(pattern, parsing=True)
    has_offset = "%#z" in chrono
    if has_offset:
        # Java's X accepts "Z" for UTC; chrono wants a numeric offset.
        text = text.str.replace(r"Z$", "+00:00")
    parsed = text.str.to_datetime(
        chrono, strict=False, time_unit="ms", time_zone="UTC" if has_offset else None
    )
    if not has_offset:
        parsed = parsed.dt.replace_time_zone("UTC")
    return parsed


# ----------------------------------------------- after 9.1: DAY_NAME, MONTH_NAME
# Computed from the epoch day with integer arithmetic (Hinnant's civil_from_days), not
# with Polars' calendar, which panics on the far dates a long can hold.

DAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTH_NAMES = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def _epoch_day(col: Col) -> pl.Expr:
    if col.type is D.DATE_NANOS:
        return epoch(col, "ns") // (MS_PER_DAY * NS_PER_MS)
    return epoch(col, "ms") // MS_PER_DAY


def _month_of(days: pl.Expr) -> pl.Expr:
    """The month (1-12) of an epoch day, proleptic Gregorian."""
    z = days + 719_468
    era = z // 146_097
    doe = z - era * 146_097
    yoe = (doe - doe // 1_460 + doe // 36_524 - doe // 146_096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    return pl.when(mp < 10).then(mp + 3).otherwise(mp - 9)


def _named(index: pl.Expr, names: list[str]) -> pl.Expr:
    return index.replace_strict(list(range(len(names))), names, return_dtype=pl.String)


@scalar("day_name")
def _day_name(args: list[Col], ctx: EvalContext, t: DataType) -> pl.Expr:
    # 1970-01-01 was a Thursday (index 3 from Monday)
    return _named((_epoch_day(args[0]) + 3) % 7, DAY_NAMES)


@scalar("month_name")
def _month_name(args: list[Col], ctx: EvalContext, t: DataType) -> pl.Expr:
    return _named(_month_of(_epoch_day(args[0])) - 1, MONTH_NAMES)
