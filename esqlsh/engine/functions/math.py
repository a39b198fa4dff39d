"""Math functions on Polars: ABS … TAU, with Elasticsearch's failure rules (null plus a
warning for ``Log of non-positive number``, ``not a finite double number``, integer
overflow …) and its rounding (``Maths.round``: half away from zero, integers keep
their type, unsigned longs round as unsigned)."""

from __future__ import annotations

import decimal
import math

import polars as pl

from esqlsh.analysis.types import DataType
from esqlsh.engine.compiled import Col, EvalContext
from esqlsh.engine.expressions import single_valued
from esqlsh.engine.functions._shared_b import (
    INT_MAX,
    INT_MIN,
    LONG_MAX,
    LONG_MIN,
    UL_MAX,
    arithmetic,
    as_f64,
    divide,
    failing,
    finite,
    per_distinct,
    scalar,
    typed_null,
)

D = DataType
LIMITS = {D.INTEGER: (INT_MIN, INT_MAX, "integer"), D.LONG: (LONG_MIN, LONG_MAX, "long")}


# ------------------------------------------------------------------- constants


def _constant(value: float) -> Col:
    return Col(pl.lit(value, dtype=pl.Float64), D.DOUBLE, value=value)


@scalar("e")
def _e(args: list[Col], ctx: EvalContext, t: DataType) -> Col:
    return _constant(math.e)


@scalar("pi")
def _pi(args: list[Col], ctx: EvalContext, t: DataType) -> Col:
    return _constant(math.pi)


@scalar("tau")
def _tau(args: list[Col], ctx: EvalContext, t: DataType) -> Col:
    return _constant(math.tau)


# ------------------------------------------------------------- sign and rounding


@scalar("abs")
def _abs(args: list[Col], ctx: EvalContext, t: DataType) -> pl.Expr | Col:
    x = args[0]
    if x.type is D.UNSIGNED_LONG:
        return Col(x.expr, t, multi=x.multi)
    x = single_valued(x, ctx)
    if x.type in LIMITS:
        low, _, name = LIMITS[x.type]
        # Math.absExact: the minimum value has no positive counterpart.
        return failing(ctx, x.expr == low, arithmetic(f"{name} overflow"), x.expr.abs())
    return x.expr.abs()


@scalar("ceil")
def _ceil(args: list[Col], ctx: EvalContext, t: DataType) -> pl.Expr:
    x = args[0]
    return x.expr.ceil() if x.type is D.DOUBLE else x.expr


@scalar("floor")
def _floor(args: list[Col], ctx: EvalContext, t: DataType) -> pl.Expr:
    x = args[0]
    return x.expr.floor() if x.type is D.DOUBLE else x.expr


@scalar("signum")
def _signum(args: list[Col], ctx: EvalContext, t: DataType) -> pl.Expr:
    return as_f64(args[0]).sign().cast(pl.Float64)


def _is_negative(x: pl.Expr) -> pl.Expr:
    """Sign bit of a double (``-0.0`` counts as negative, as in ``Math.copySign``)."""
    return (x < 0) | ((x == 0) & ((1.0 / x) < 0))


@scalar("copy_sign")
def _copy_sign(args: list[Col], ctx: EvalContext, t: DataType) -> pl.Expr:
    magnitude, sign = args
    s = as_f64(sign)
    m = magnitude.expr
    if magnitude.type is D.DOUBLE:
        return pl.when(_is_negative(s)).then(-m.abs()).otherwise(m.abs())
    # Integers: ``sign < 0 ? -|m| : |m|`` (Java's negation of MIN_VALUE wraps).
    negated = pl.when(m < 0).then(m).otherwise(-m)
    positive = pl.when(m < 0).then(-m).otherwise(m)
    return pl.when(s < 0).then(negated).otherwise(positive)


def _java_round_abs(x: pl.Expr) -> pl.Expr:
    """``Math.round`` of a non-negative double: ties go up; exact for any double."""
    whole = x.floor()
    return pl.when(x - whole >= 0.5).then(whole + 1).otherwise(whole)


def _round_double(x: pl.Expr, decimals: pl.Expr) -> pl.Expr:
    """ES's ``Maths.round(double, precision)``."""
    ten = pl.lit(10.0).pow(decimals.cast(pl.Float64))
    middle = x * ten
    sign = pl.when(middle >= 0).then(1.0).otherwise(-1.0)
    rounded = divide(_java_round_abs(middle.abs()), ten) * sign
    big = middle.abs() >= 9.223372036854775e18
    return (
        pl.when(x.is_nan() | (ten == 0) | (x == 0))
        .then(0.0)
        .when(middle.is_infinite() | big)
        .then(x)
        .otherwise(rounded)
    )


def _round_integral(ctx: EvalContext, x: pl.Expr, decimals: pl.Expr, t: DataType) -> pl.Expr:
    """ES's ``Maths.round(long, precision)`` (and its unsigned variant): rounds half
    away from zero to ``10^-decimals``; the result must fit the type.

    Quirk kept from ES: a value (below 2^63) with no more digits than are rounded
    away becomes 0, so ``ROUND(5, -1)`` is 0 while ``ROUND(15, -1)`` is 20."""
    wide = x.cast(pl.Int128)
    digits = (-decimals).cast(pl.Int64)
    exponent = digits.clip(0, 38)  # beyond 38 digits every value rounds to 0
    scale = pl.lit(10, dtype=pl.Int128).pow(exponent.cast(pl.UInt32))
    quotient = wide.abs() // scale
    remainder = wide.abs() % scale
    magnitude = pl.when(remainder * 2 >= scale).then(quotient + 1).otherwise(quotient) * scale
    rounded = pl.when(wide < 0).then(magnitude * -1).otherwise(magnitude)
    # ES counts digits through a double: (int) (log10(|n|) + 1).
    value_digits = (x.cast(pl.Float64).abs().log10() + 1).floor()
    too_short = (wide.abs() < 2**63) & (value_digits <= digits.cast(pl.Float64))
    rounded = (
        pl.when((digits <= 0) | (wide == 0))
        .then(wide)
        .when((digits > 38) | too_short)
        .then(pl.lit(0, dtype=pl.Int128))
        .otherwise(rounded)
    )
    low, high, name = (0, UL_MAX, "unsigned_long") if t is D.UNSIGNED_LONG else LIMITS[t]
    bad = (rounded < low) | (rounded > high)
    return failing(ctx, bad, arithmetic(f"{name} overflow"), rounded).cast(_physical(t))


def _physical(t: DataType) -> pl.DataType:
    return {D.INTEGER: pl.Int32(), D.LONG: pl.Int64(), D.UNSIGNED_LONG: pl.UInt64()}[t]


@scalar("round")
def _round(args: list[Col], ctx: EvalContext, t: DataType) -> pl.Expr:
    x = args[0]
    decimals = args[1].expr.cast(pl.Int64) if len(args) > 1 else pl.lit(0, dtype=pl.Int64)
    if x.type is D.DOUBLE:
        return _round_double(x.expr, decimals)
    if len(args) == 1:
        return x.expr
    return _round_integral(ctx, x.expr, decimals, x.type)


@scalar("round_to")
def _round_to(args: list[Col], ctx: EvalContext, t: DataType) -> pl.Expr:
    """Rounds down to the greatest point not above the value; below every point,
    the smallest point."""
    field, points = args[0], args[1:]
    dtype = _target_dtype(t)
    values = [p.value for p in points if p.is_const and p.value is not None]
    if len(values) != len(points):
        return typed_null(t)
    values = sorted(values)
    x = field.expr.cast(dtype)
    if isinstance(dtype, pl.Datetime):
        x = x.dt.epoch(dtype.time_unit or "ms")  # compare as epoch integers
    result = pl.lit(values[0])
    for point in values[1:]:
        result = pl.when(x >= point).then(pl.lit(point)).otherwise(result)
    result = pl.when(x.is_null()).then(None).otherwise(result)
    if isinstance(dtype, pl.Datetime):
        return result.cast(pl.Int64).cast(dtype)
    return result.cast(dtype)


def _target_dtype(t: DataType) -> pl.DataType:
    return {
        D.INTEGER: pl.Int32(),
        D.LONG: pl.Int64(),
        D.DOUBLE: pl.Float64(),
        D.DATETIME: pl.Datetime("ms", "UTC"),
        D.DATE_NANOS: pl.Datetime("ns", "UTC"),
    }[t]


# ---------------------------------------------------------- powers and logarithms


@scalar("sqrt")
def _sqrt(args: list[Col], ctx: EvalContext, t: DataType) -> pl.Expr:
    x = as_f64(args[0])
    return failing(ctx, x < 0, arithmetic("Square root of negative"), x.sqrt())


@scalar("cbrt")
def _cbrt(args: list[Col], ctx: EvalContext, t: DataType) -> pl.Expr:
    return as_f64(args[0]).cbrt()


@scalar("exp")
def _exp(args: list[Col], ctx: EvalContext, t: DataType) -> pl.Expr:
    return as_f64(args[0]).exp()


@scalar("pow")
def _pow(args: list[Col], ctx: EvalContext, t: DataType) -> pl.Expr:
    return finite(ctx, as_f64(args[0]).pow(as_f64(args[1])))


def log10(x: pl.Expr) -> pl.Expr:
    """Base-10 logarithm as Java's ``Math.log10`` (and C's ``log10``) computes it.

    Java's result is the correctly rounded one. Polars' ``log10`` divides natural
    logarithms and is an ulp off for half of all inputs (even ``log10(1e12)`` is
    not 12), and C's ``log10`` misses now and then; ES's results are compared
    exactly, so this computes the logarithm in decimal (34 digits) and rounds it
    once, per distinct value."""
    positive = pl.when(x > 0).then(x)
    return per_distinct(positive, _correct_log10, pl.Float64())


def _correct_log10(value: float) -> float:
    with decimal.localcontext() as context:
        context.prec = 34
        return float(decimal.Decimal(value).log10())


@scalar("log10")
def _log10(args: list[Col], ctx: EvalContext, t: DataType) -> pl.Expr:
    x = as_f64(args[0])
    return failing(ctx, x <= 0, arithmetic("Log of non-positive number"), log10(x))


@scalar("log")
def _log(args: list[Col], ctx: EvalContext, t: DataType) -> pl.Expr:
    if len(args) == 1:
        x = as_f64(args[0])
        return failing(ctx, x <= 0, arithmetic("Log of non-positive number"), x.log())
    base, value = as_f64(args[0]), as_f64(args[1])
    non_positive = (base <= 0) | (value <= 0)
    message = (
        pl.when(non_positive)
        .then(pl.lit(arithmetic("Log of non-positive number")))
        .otherwise(pl.lit(arithmetic("Log of base 1")))
    )
    # ES divides base-10 logarithms (not natural ones): keep its rounding.
    result = divide(log10(value), log10(base))
    return failing(ctx, non_positive | (base == 1), message, result)


@scalar("scalb")
def _scalb(args: list[Col], ctx: EvalContext, t: DataType) -> pl.Expr:
    d, factor = as_f64(args[0]), args[1].expr.cast(pl.Int64)
    if args[1].type is D.LONG:
        out_of_int = (factor < INT_MIN) | (factor > INT_MAX)
        factor = failing(ctx, out_of_int, arithmetic("integer overflow"), factor)
    # 2^n is exact in a double for the exponents where the product can be finite
    # and non-zero; split the scaling in two so 2^n itself never overflows.
    half = factor // 2
    scaled = (
        d
        * pl.lit(2.0).pow(half.cast(pl.Float64))
        * pl.lit(2.0).pow((factor - half).cast(pl.Float64))
    )
    return finite(ctx, scaled)


# ------------------------------------------------------------------ trigonometry


def _trig(name: str, apply: str) -> None:
    @scalar(name)
    def body(args: list[Col], ctx: EvalContext, t: DataType) -> pl.Expr:
        result: pl.Expr = getattr(as_f64(args[0]), apply)()
        return result

    body.__name__ = f"_{name}"


for _name, _method in (
    ("sin", "sin"),
    ("cos", "cos"),
    ("tan", "tan"),
    ("atan", "arctan"),
    ("tanh", "tanh"),
):
    _trig(_name, _method)


def _bounded(name: str, apply: str, label: str) -> None:
    """ASIN/ACOS: inputs outside [-1, 1] fail with ``<Label> input out of range``."""

    @scalar(name)
    def body(args: list[Col], ctx: EvalContext, t: DataType) -> pl.Expr:
        x = as_f64(args[0])
        return failing(
            ctx, x.abs() > 1, arithmetic(f"{label} input out of range"), getattr(x, apply)()
        )

    body.__name__ = f"_{name}"


_bounded("asin", "arcsin", "Asin")
_bounded("acos", "arccos", "Acos")


def _hyperbolic(name: str, apply: str) -> None:
    """SINH/COSH: an infinite (or NaN) result fails with ``<name> overflow``."""

    @scalar(name)
    def body(args: list[Col], ctx: EvalContext, t: DataType) -> pl.Expr:
        value = getattr(as_f64(args[0]), apply)()
        return failing(
            ctx, value.is_infinite() | value.is_nan(), arithmetic(f"{name} overflow"), value
        )

    body.__name__ = f"_{name}"


_hyperbolic("sinh", "sinh")
_hyperbolic("cosh", "cosh")


@scalar("atan2")
def _atan2(args: list[Col], ctx: EvalContext, t: DataType) -> pl.Expr:
    return pl.arctan2(as_f64(args[0]), as_f64(args[1]))


@scalar("hypot")
def _hypot(args: list[Col], ctx: EvalContext, t: DataType) -> pl.Expr:
    a, b = as_f64(args[0]), as_f64(args[1])
    # Scale by the larger magnitude so squares cannot overflow (as Math.hypot).
    big = pl.max_horizontal(a.abs(), b.abs())
    small = pl.min_horizontal(a.abs(), b.abs())
    ratio = pl.when(big == 0).then(0.0).otherwise(divide(small, big))
    return big * (1 + ratio * ratio).sqrt()


# ------------------------------------------------ inverse hyperbolic (after 9.1)
# Elasticsearch's ESSloppyMath ports Go's math.Acosh/Asinh/Atanh; the same branches
# here give the same doubles.

_LN2 = 6.93147180559945286227e-01
_NEAR_ZERO = 1.0 / (1 << 28)
_LARGE = float(1 << 28)


def _go_acosh(x: pl.Expr) -> pl.Expr:
    return (
        pl.when(x == 1.0)
        .then(0.0)
        .when(x >= _LARGE)
        .then(x.log() + _LN2)
        .when(x > 2)
        .then((2 * x - 1 / (x + (x * x - 1).sqrt())).log())
        .otherwise(((x - 1) + (2 * (x - 1) + (x - 1) * (x - 1)).sqrt()).log1p())
    )


def _go_asinh(x: pl.Expr) -> pl.Expr:
    a = x.abs()
    magnitude = (
        pl.when(a > _LARGE)
        .then(a.log() + _LN2)
        .when(a > 2)
        .then((2 * a + 1 / ((a * a + 1).sqrt() + a)).log())
        .when(a < _NEAR_ZERO)
        .then(a)
        .otherwise((a + a * a / (1 + (1 + a * a).sqrt())).log1p())
    )
    return (
        pl.when(x.is_infinite() | x.is_nan())
        .then(x)
        .when(x < 0)
        .then(-magnitude)
        .otherwise(magnitude)
    )


def _go_atanh(x: pl.Expr) -> pl.Expr:
    a = x.abs()
    magnitude = (
        pl.when(a < _NEAR_ZERO)
        .then(a)
        .when(a < 0.5)
        .then(0.5 * ((a + a) + (a + a) * a / (1 - a)).log1p())
        .otherwise(0.5 * ((a + a) / (1 - a)).log1p())
    )
    return pl.when(x < 0).then(-magnitude).otherwise(magnitude)


@scalar("acosh")
def _acosh(args: list[Col], ctx: EvalContext, t: DataType) -> pl.Expr:
    x = as_f64(args[0])
    return failing(ctx, x < 1.0, arithmetic("Acosh input out of range"), _go_acosh(x))


@scalar("asinh")
def _asinh(args: list[Col], ctx: EvalContext, t: DataType) -> pl.Expr:
    return _go_asinh(as_f64(args[0]))


@scalar("atanh")
def _atanh(args: list[Col], ctx: EvalContext, t: DataType) -> pl.Expr:
    x = as_f64(args[0])
    return failing(ctx, x.abs() >= 1.0, arithmetic("Atanh input out of range"), _go_atanh(x))
