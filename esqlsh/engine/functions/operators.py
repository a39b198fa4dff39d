"""Operators on Polars: arithmetic with Java's overflow and division rules, date
arithmetic with periods and durations, comparisons with Elasticsearch's type
widening and ip/version ordering, three-valued logic, IS NULL, IN, LIKE, RLIKE.

Integer arithmetic is computed in a wider type (Int64 for integer, Int128 for
long and unsigned_long sums) so that overflow is a mask, not a wrap-around; the
rows that overflow are null with ``java.lang.ArithmeticException: … overflow``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import reduce

import polars as pl

from esqlsh.analysis.functions._common import numeric_common
from esqlsh.analysis.functions.operators import _arith_result
from esqlsh.analysis.types import DATE, NUMERIC, STRING, TEMPORAL_AMOUNT, DataType
from esqlsh.engine.compiled import Col, EvalContext, implements
from esqlsh.engine.functions._common import (
    ARITHMETIC,
    DIV_BY_ZERO,
    INT_MAX,
    INT_MIN,
    LONG_MAX,
    LONG_MIN,
    ULONG_MAX,
    add_amounts,
    as_type,
    in_range,
    ip_key,
    null_of,
    offset_date,
    overflow_message,
    regex_error,
    version_key,
)
from esqlsh.engine.functions._shared_b import divide
from esqlsh.errors import ParsingError, QueryExecutionError
from esqlsh.plan.logical import TemporalAmount

T = DataType
BOOL = T.BOOLEAN

# ------------------------------------------------------------------- arithmetic


def _finite(ctx: EvalContext, value: pl.Expr, message: str | None = None) -> pl.Expr:
    """Doubles: a non-finite result is null with Elasticsearch's warning
    (``not a finite double number: Infinity`` unless ``message`` is given)."""
    bad = ~value.is_finite()
    text: pl.Expr | str
    if message is None:
        text = pl.concat_str(
            [
                pl.lit(f"{ARITHMETIC}: not a finite double number: "),
                pl.when(value.is_nan())
                .then(pl.lit("NaN"))
                .when(value > 0)
                .then(pl.lit("Infinity"))
                .otherwise(pl.lit("-Infinity")),
            ]
        )
    else:
        text = message
    ctx.fail_when(bad, text)
    return pl.when(~bad).then(value)


def _checked(ctx: EvalContext, wide: pl.Expr, t: DataType) -> pl.Expr:
    """An integer result computed wide, null (with the overflow warning) when it
    does not fit ``t``."""
    low, high = {
        T.INTEGER: (INT_MIN, INT_MAX),
        T.LONG: (LONG_MIN, LONG_MAX),
        T.UNSIGNED_LONG: (0, ULONG_MAX),
    }[t]
    fits = in_range(wide, low, high)
    ctx.fail_when(~fits, overflow_message(t))
    target = {T.INTEGER: pl.Int32, T.LONG: pl.Int64, T.UNSIGNED_LONG: pl.UInt64}[t]
    return pl.when(fits).then(wide).cast(target, strict=False)


def _wide(t: DataType) -> pl.DataType:
    return pl.Int64() if t is T.INTEGER else pl.Int128()


def _trunc_div(a: pl.Expr, b: pl.Expr) -> pl.Expr:
    """Java's integer division (truncates towards zero); ``b`` must not be 0."""
    floor = a // b
    inexact = (a % b) != 0
    return pl.when(inexact & ((a < 0) != (b < 0))).then(floor + 1).otherwise(floor)


def _java_rem(a: pl.Expr, b: pl.Expr) -> pl.Expr:
    """Java's ``%``: the remainder has the sign of the dividend."""
    return a - _trunc_div(a, b) * b


def _zero_guard(ctx: EvalContext, b: pl.Expr) -> pl.Expr:
    zero = b == 0
    ctx.fail_when(zero, DIV_BY_ZERO)
    return ~zero


def _integral_op(op: str, a: pl.Expr, b: pl.Expr, t: DataType, ctx: EvalContext) -> pl.Expr:
    if t is T.UNSIGNED_LONG:
        return _unsigned_op(op, a, b, ctx)
    wa, wb = a.cast(_wide(t)), b.cast(_wide(t))
    target = pl.Int32 if t is T.INTEGER else pl.Int64
    if op in ("add", "sub", "mul"):
        wide = {"add": wa + wb, "sub": wa - wb, "mul": wa * wb}[op]
        return _checked(ctx, wide, t)
    ok = _zero_guard(ctx, b)
    safe_b = pl.when(ok).then(wb).otherwise(1)
    # Java's MIN / -1 silently wraps to MIN: so does the cast.
    result = _trunc_div(wa, safe_b) if op == "div" else _java_rem(wa, safe_b)
    return pl.when(ok).then(result.cast(target, wrap_numerical=True))


def _unsigned_op(op: str, a: pl.Expr, b: pl.Expr, ctx: EvalContext) -> pl.Expr:
    if op in ("add", "sub"):
        wa, wb = a.cast(pl.Int128), b.cast(pl.Int128)
        return _checked(ctx, wa + wb if op == "add" else wa - wb, T.UNSIGNED_LONG)
    if op == "mul":
        limit = pl.lit(ULONG_MAX, dtype=pl.UInt64) // pl.when(b == 0).then(1).otherwise(b)
        overflow = (b != 0) & (a > limit)
        ctx.fail_when(overflow, overflow_message(T.UNSIGNED_LONG))
        return pl.when(~overflow).then(a * b)
    ok = _zero_guard(ctx, b)
    safe_b = pl.when(ok).then(b).otherwise(1).cast(pl.UInt64)
    return pl.when(ok).then(a // safe_b if op == "div" else a % safe_b)


def _double_op(op: str, a: pl.Expr, b: pl.Expr, ctx: EvalContext) -> pl.Expr:
    if op == "add":
        return _finite(ctx, a + b)
    if op == "sub":
        return _finite(ctx, a - b)
    if op == "mul":
        return _finite(ctx, a * b)
    if op == "div":
        # ``divide``: Polars turns a division by a literal into a multiplication by
        # its reciprocal (2.05 / 0.05 gives 41.0, Java 40.99999999999999).
        return _finite(ctx, divide(a, b), DIV_BY_ZERO)
    # Java's floating % is the exact fmod (the dividend's sign); Polars' follows the
    # divisor and is rounded (a - b * floor(a / b)). Computed on materialised series:
    # as one expression the error-free steps below reuse each other so often that
    # the expression tree explodes.
    fmod = pl.struct(a.alias("a"), b.alias("b")).map_batches(
        _java_fmod, return_dtype=pl.Float64, is_elementwise=True
    )
    return _finite(ctx, pl.when(b != 0).then(fmod).otherwise(float("nan")), DIV_BY_ZERO)


_SPLIT = 134217729.0  # 2**27 + 1: Veltkamp's splitter for doubles


def _split(x: pl.Series) -> tuple[pl.Series, pl.Series]:
    """``x`` as hi + lo, each with at most 26 significant bits (exact)."""
    c = x * _SPLIT
    hi = c - (c - x)
    return hi, x - hi


def _product_error(x: pl.Series, y: pl.Series, p: pl.Series) -> pl.Series:
    """Dekker's TwoProduct: the rounding error of ``p = x * y`` (x*y == p + error)."""
    xh, xl = _split(x)
    yh, yl = _split(y)
    return ((xh * yh - p) + xh * yl + xl * yh) + xl * yl


def _java_fmod(pair: pl.Series) -> pl.Series:
    """Java's ``a % b`` for doubles (the exact IEEE fmod), column-wise. A quotient of
    2**52 or more is first brought down by exact remainders modulo ``b * 2**k`` (a
    multiple of ``b``), a few values' exponents at a time."""
    a = pair.struct.field("a").cast(pl.Float64)
    b = pair.struct.field("b").cast(pl.Float64)
    r = a
    b_exp = b.abs().log(2).floor()
    for _ in range(64):  # each round takes ~50 bits off the quotient's exponent
        diff = r.abs().log(2).floor() - b_exp  # quotient < 2**(diff + 1)
        big = (diff >= 52) & diff.is_finite() & r.is_finite() & b.is_finite()
        if not big.any():
            break
        k = (diff - 50).fill_nan(0.0).clip(0, 2100)
        scaled = b
        for _ in range(3):  # 2**k in factors of at most 2**1000, each exact
            part = k.clip(0, 1000)
            scaled, k = scaled * pl.Series([2.0]).pow(part), k - part
        r = _fmod_small(r, scaled).zip_with(big, r)
    return a.zip_with(b.is_infinite() & a.is_finite(), _fmod_small(r, b))


def _fmod_small(a: pl.Series, b: pl.Series) -> pl.Series:
    """Exact fmod for |a / b| < 2**52: with q = trunc(a / b), ``a - q*b`` computed as
    ``(a - p) - error`` is exact (Sterbenz, and the remainder is representable); q
    may be one off, which one more exact step of ``b`` corrects. A huge ``b`` is
    scaled down by 2**600 first (exactly), so that splitting it cannot overflow."""
    ones = pl.repeat(1.0, len(b), dtype=pl.Float64, eager=True)
    scale = (ones * 2.0**-600).zip_with(b.abs() > 2.0**900, ones)
    a0, a, b = a, a * scale, b * scale
    quotient = a / b  # two series: a true division
    q = quotient.floor().zip_with(quotient >= 0, quotient.ceil())
    p = q * b
    r = (a - p) - _product_error(q, b, p)
    step = b.abs().zip_with(a >= 0, -b.abs())
    wrong_sign = (r != 0) & ((r < 0) != (a < 0))
    r = (r + step).zip_with(wrong_sign, r)
    r = (r - step).zip_with(r.abs() >= b.abs(), r)
    r = (a * 0.0).zip_with(r == 0, r)  # a zero remainder keeps the dividend's sign
    return a0.zip_with(q == 0, r / scale)  # q = 0: |a| < |b|, a itself


def _temporal_op(op: str, a: Col, b: Col, result: DataType) -> Col:
    sign = 1 if op == "add" else -1
    if result in TEMPORAL_AMOUNT:
        left = a.value if isinstance(a.value, TemporalAmount) else None
        right = b.value if isinstance(b.value, TemporalAmount) else None
        if left is None or right is None:
            return Col(pl.lit(None), result, value=None)
        return Col(pl.lit(None), result, value=add_amounts(left, right, sign))
    date, amount = (a, b) if a.type in DATE else (b, a)
    if not isinstance(amount.value, TemporalAmount):
        raise QueryExecutionError(f"[{op}] needs a constant date_period or time_duration")
    return Col(offset_date(date.expr, amount.value, sign), result)


def _shrinking_divisor(b: Col) -> bool:
    """A constant divisor of magnitude at least 1 (``bytes / 1024.0``)."""
    value = b.value if b.is_const and not b.multi else None
    return isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) >= 1


def _arithmetic(op: str) -> Callable[[list[Col], EvalContext], Col]:
    def impl(args: list[Col], ctx: EvalContext) -> Col:
        a, b = args
        result = _arith_result([a.type, b.type])
        if T.NULL in (a.type, b.type):
            return Col(null_of(result), result, value=None)
        if result in DATE or result in TEMPORAL_AMOUNT:
            return _temporal_op(op, a, b, result)
        la, lb = as_type(a, result), as_type(b, result)
        if result is T.DOUBLE and op == "div" and _shrinking_divisor(b):
            # |a / b| <= |a|: finite for every (finite) double a, so no check
            return Col(divide(la, lb), result)
        if result is T.DOUBLE:
            return Col(_double_op(op, la, lb, ctx), result)
        return Col(_integral_op(op, la, lb, result, ctx), result)

    return impl


for _op in ("add", "sub", "mul", "div", "mod"):
    implements(_op)(_arithmetic(_op))


@implements("neg")
def neg(args: list[Col], ctx: EvalContext) -> Col:
    (a,) = args
    if a.type is T.NULL:
        return Col(null_of(T.NULL), T.NULL, value=None)
    if a.type in TEMPORAL_AMOUNT:
        v = a.value
        value = (
            TemporalAmount(-v.months, -v.days, -v.millis) if isinstance(v, TemporalAmount) else None
        )
        return Col(pl.lit(None), a.type, value=value)
    if a.type is T.DOUBLE:
        return Col(-a.expr, a.type)
    if a.type is T.UNSIGNED_LONG:
        raise QueryExecutionError("negation of unsigned_long is not supported")
    low = INT_MIN if a.type is T.INTEGER else LONG_MIN
    overflow = a.expr == low
    ctx.fail_when(overflow, overflow_message(a.type))
    return Col(pl.when(~overflow).then(-a.expr), a.type)


# ------------------------------------------------------------------ comparisons


def comparable_exprs(a: Col, b: Col, ordering: bool) -> tuple[pl.Expr, pl.Expr]:
    """Both operands in one physical form that Polars compares as Elasticsearch
    does: numerics widened, date vs date_nanos in nanoseconds, ips and versions as
    their keys when ordering."""
    ta, tb = a.type, b.type
    if ta in NUMERIC and tb in NUMERIC:
        common = numeric_common(ta, tb)
        return as_type(a, common), as_type(b, common)
    if ta in DATE and tb in DATE and ta is not tb:
        return as_type(a, T.DATE_NANOS), as_type(b, T.DATE_NANOS)
    if ordering and T.IP in (ta, tb):
        return ip_key(a.expr), ip_key(b.expr)
    if ordering and T.VERSION in (ta, tb):
        return version_key(a.expr), version_key(b.expr)
    if ta in STRING and tb in STRING:
        return a.expr, b.expr
    return a.expr, b.expr


_COMPARATORS: dict[str, Callable[[pl.Expr, pl.Expr], pl.Expr]] = {
    "eq": lambda x, y: x == y,
    "neq": lambda x, y: x != y,
    "lt": lambda x, y: x < y,
    "lte": lambda x, y: x <= y,
    "gt": lambda x, y: x > y,
    "gte": lambda x, y: x >= y,
}


def compare(op: str, a: Col, b: Col) -> pl.Expr:
    """``a <op> b`` as a boolean expression (null when either side is null)."""
    if T.NULL in (a.type, b.type):
        return null_of(BOOL)
    x, y = comparable_exprs(a, b, ordering=op not in ("eq", "neq"))
    return _COMPARATORS[op](x, y)


def _comparison(op: str) -> Callable[[list[Col], EvalContext], Col]:
    def impl(args: list[Col], ctx: EvalContext) -> Col:
        a, b = args
        return Col(compare(op, a, b), BOOL)

    return impl


for _op in _COMPARATORS:
    implements(_op)(_comparison(_op))

# ------------------------------------------------------------------------ logic


def _bool(col: Col) -> pl.Expr:
    return null_of(BOOL) if col.type is T.NULL else col.expr


@implements("and")
def and_(args: list[Col], ctx: EvalContext) -> Col:
    return Col(_bool(args[0]) & _bool(args[1]), BOOL)


@implements("or")
def or_(args: list[Col], ctx: EvalContext) -> Col:
    return Col(_bool(args[0]) | _bool(args[1]), BOOL)


@implements("not")
def not_(args: list[Col], ctx: EvalContext) -> Col:
    return Col(~_bool(args[0]), BOOL)


@implements("is_null")
def is_null(args: list[Col], ctx: EvalContext) -> Col:
    (a,) = args
    if a.type is T.NULL:
        return Col(pl.lit(True), BOOL, value=True)
    return Col(a.expr.is_null(), BOOL)


@implements("is_not_null")
def is_not_null(args: list[Col], ctx: EvalContext) -> Col:
    (a,) = args
    if a.type is T.NULL:
        return Col(pl.lit(False), BOOL, value=False)
    return Col(a.expr.is_not_null(), BOOL)


@implements("in")
def in_(args: list[Col], ctx: EvalContext) -> Col:
    """``v IN (items)``: true on a match; else null if ``v`` or an item is null,
    false otherwise — the Kleene OR of the equalities."""
    value, items = args[0], args[1:]
    if value.type is T.NULL:
        return Col(null_of(BOOL), BOOL, value=None)
    tests = [compare("eq", value, item) for item in items]
    return Col(reduce(lambda x, y: x | y, tests), BOOL)


# ------------------------------------------------------------------ LIKE / RLIKE

# Characters Rust's regex syntax treats as meta (what ``regex::escape`` escapes).
_RUST_META = set("\\.+*?()|[]{}^$#&-~")


def rust_escape(text: str) -> str:
    return "".join("\\" + c if c in _RUST_META else c for c in text)


def wildcard_to_regex(pattern: str) -> str:
    """An ES ``LIKE`` pattern (``*`` any string, ``?`` one character, ``\\``
    escapes the next character) as an anchored Rust regex."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern):
            out.append(rust_escape(pattern[i + 1]))
            i += 2
            continue
        out.append(".*" if c == "*" else "." if c == "?" else rust_escape(c))
        i += 1
    return "^(?s:" + "".join(out) + ")$"


def _lucene_class(pattern: str, i: int) -> tuple[str, int]:
    """Translate a ``[...]`` class starting at ``pattern[i] == '['``; returns the
    Rust class and the index after it."""
    out = ["["]
    i += 1
    if i < len(pattern) and pattern[i] == "^":
        out.append("^")
        i += 1
    while i < len(pattern) and pattern[i] != "]":
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern):
            out.append(rust_escape(pattern[i + 1]))
            i += 2
            continue
        if c == "-" and len(out) > 1 and i + 1 < len(pattern) and pattern[i + 1] != "]":
            out.append("-")
        else:
            out.append(rust_escape(c))
        i += 1
    out.append("]")
    return "".join(out), i + 1


def lucene_to_regex(pattern: str) -> str:
    """A Lucene ``RegExp`` (the RLIKE dialect) as an anchored Rust regex. Lucene
    has no anchors (``^``/``$`` are literals), ``"…"`` quotes a literal string,
    ``@`` is any string; ``.`` matches any character including newlines."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern):
            nxt = pattern[i + 1]
            out.append("\\" + nxt if nxt in "dDsSwW" else rust_escape(nxt))
            i += 2
        elif c == '"':
            end = pattern.find('"', i + 1)
            end = len(pattern) if end < 0 else end
            out.append("(?:" + rust_escape(pattern[i + 1 : end]) + ")")
            i = end + 1
        elif c == "[":
            cls, i = _lucene_class(pattern, i)
            out.append(cls)
        elif c in ".?*+|(){},0123456789" or c.isalnum():
            out.append(c)
            i += 1
        elif c == "@":
            out.append(".*")
            i += 1
        else:
            out.append(rust_escape(c))
            i += 1
    return "^(?s:" + "".join(out) + ")$"


def _pattern_match(
    args: list[Col], translate: Callable[[str], str], ctx: EvalContext | None = None
) -> Col:
    """``ctx`` (RLIKE) checks each regex: Elasticsearch refuses a bad one with a
    parsing_exception at the RLIKE (ReplaceRegexMatch)."""
    operand, patterns = args[0], args[1:]
    if operand.type is T.NULL:
        return Col(null_of(BOOL), BOOL, value=None)
    tests = []
    for p in patterns:
        if not p.is_const:
            raise QueryExecutionError("pattern must be a constant")
        if p.value is None:
            tests.append(null_of(BOOL))
            continue
        values = p.value if isinstance(p.value, list) else [p.value]
        for v in values:
            fast = (
                _literal_wildcard(operand.expr, str(v)) if translate is wildcard_to_regex else None
            )
            regex = translate(str(v))
            if ctx is not None and ctx.source is not None and (error := regex_error(regex)):
                raise ParsingError(
                    ctx.source.line,
                    ctx.source.column,
                    f"Invalid regex pattern for RLIKE [{v}]: [{error}]",
                )
            tests.append(fast if fast is not None else operand.expr.str.contains(regex))
    return Col(reduce(lambda x, y: x | y, tests), BOOL)


def _literal_wildcard(operand: pl.Expr, pattern: str) -> pl.Expr | None:
    """LIKE patterns that are a literal with ``*`` only at its ends run as plain
    substring/prefix/suffix tests, several times faster than a regex scan; None when
    the pattern needs the regex."""
    core = pattern.strip("*")
    if any(c in core for c in "*?\\"):
        return None
    leading, trailing = pattern.startswith("*"), pattern.endswith("*")
    if not core:
        return operand.is_not_null() | pl.lit(None, dtype=pl.Boolean) if pattern else operand == ""
    if leading and trailing:
        return operand.str.contains(core, literal=True)
    if trailing:
        return operand.str.starts_with(core)
    if leading:
        return operand.str.ends_with(core)
    return operand == core


@implements("like")
def like(args: list[Col], ctx: EvalContext) -> Col:
    return _pattern_match(args, wildcard_to_regex)


@implements("rlike")
def rlike(args: list[Col], ctx: EvalContext) -> Col:
    return _pattern_match(args, lucene_to_regex, ctx)
