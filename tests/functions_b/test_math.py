"""Math implementations: values, types kept, and ES's failures (null + warning)."""

from __future__ import annotations

import math

import pytest

from esqlsh.analysis.types import DataType as T

from .helpers import columns, const, unary

ARITH = "java.lang.ArithmeticException: "


def test_abs_keeps_type_and_fails_on_minimum() -> None:
    out = unary("abs", [-5, 3, None, -(2**31)], T.INTEGER)
    assert out.values == [5, 3, None, None]
    assert out.failures == [None, None, None, ARITH + "integer overflow"]
    assert unary("abs", [-(2**63), -2], T.LONG).failures[0] == ARITH + "long overflow"
    assert unary("abs", [-2.5, 0.0], T.DOUBLE).values == [2.5, 0.0]


def test_abs_of_multi_valued_unsigned_long_is_the_values() -> None:
    out = unary("abs", [[0, 2**64 - 1], None], T.UNSIGNED_LONG, multi=True)
    assert out.values == [[0, 2**64 - 1], None]
    assert out.col.multi


def test_abs_of_other_multi_values_is_null_with_warning() -> None:
    out = unary("abs", [[-1, 2], [-3]], T.INTEGER, multi=True)
    assert out.values == [None, 3]
    assert "single-value function encountered multi-value" in (out.failures[0] or "")


@pytest.mark.parametrize("name", ["ceil", "floor"])
def test_ceil_floor_keep_integers(name: str) -> None:
    assert unary(name, [5, -5], T.INTEGER).values == [5, -5]
    expected = [2.0, -1.0] if name == "ceil" else [1.0, -2.0]
    assert unary(name, [1.5, -1.5], T.DOUBLE).values == expected


def test_sqrt_of_negative_fails() -> None:
    out = unary("sqrt", [4, -1, None], T.INTEGER)
    assert out.values == [2.0, None, None]
    assert out.failures == [None, ARITH + "Square root of negative", None]


def test_cbrt_and_exp() -> None:
    assert unary("cbrt", [27.0], T.DOUBLE).value == pytest.approx(3.0)
    assert unary("exp", [5.0], T.DOUBLE).value == 148.4131591025766


def test_log10_is_correctly_rounded() -> None:
    out = unary("log10", [1000.0, 1e12, 0.0, -1.0], T.DOUBLE)
    assert out.values == [3.0, 12.0, None, None]
    assert out.failures[2] == ARITH + "Log of non-positive number"
    assert unary("log10", [10**18], T.UNSIGNED_LONG).value == 18.0


def test_log_with_base_divides_base_ten_logarithms() -> None:
    out = columns(
        "log", ([2.0, 1.0, -2.0, 1000000000000], T.DOUBLE), ([8.0, 2.0, 2.0, 10], T.DOUBLE)
    )
    assert out.values == [3.0, None, None, 0.08333333333333333]
    assert out.failures[1] == ARITH + "Log of base 1"
    assert out.failures[2] == ARITH + "Log of non-positive number"
    # Java's Math.log10 is correctly rounded; C's log10(56371) is not.
    assert columns("log", ([5], T.INTEGER), ([56371], T.INTEGER)).value == 6.797224072039991


def test_natural_log() -> None:
    out = unary("log", [100, 0], T.INTEGER)
    assert out.values == [4.605170185988092, None]
    assert out.failures[1] == ARITH + "Log of non-positive number"


def test_pow_is_finite_or_fails() -> None:
    out = columns("pow", ([2, -4, 2], T.INTEGER), ([2.0, 0.5, 10000.0], T.DOUBLE))
    assert out.values == [4.0, None, None]
    assert out.failures[1] == ARITH + "not a finite double number: NaN"
    assert out.failures[2] == ARITH + "not a finite double number: Infinity"
    assert (
        columns("pow", ([2**63], T.UNSIGNED_LONG), ([2], T.INTEGER)).value == 8.507059173023462e37
    )


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (1.87, 1, 1.9),  # a true division: 19 / 10, not 19 * 0.1
        (2.5, 0, 3.0),
        (-2.5, 0, -3.0),
        (123.456, 2, 123.46),
        (123.456, -1, 120.0),
        (0.49999999999999994, 0, 0.0),
        (1e300, 2, 1e300),
    ],
)
def test_round_double_half_away_from_zero(value: float, decimals: int, expected: float) -> None:
    out = columns("round", ([value], T.DOUBLE), const(decimals, T.INTEGER))
    assert out.value == expected


def test_round_without_decimals() -> None:
    assert unary("round", [2.5, -0.4], T.DOUBLE).values == [3.0, -0.0]
    assert unary("round", [7], T.INTEGER).values == [7]


def test_round_integers_keep_type_and_es_quirks() -> None:
    out = columns("round", ([5, 15, 55, -25, 2147483647], T.INTEGER), const(-1, T.INTEGER))
    # ES rounds a value to 0 when it has no more digits than are rounded away.
    assert out.values == [0, 20, 60, -30, None]
    assert out.failures[4] == ARITH + "integer overflow"
    assert (
        columns("round", ([9223372036854775807], T.LONG), const(-1, T.INTEGER)).failure
        == ARITH + "long overflow"
    )


def test_round_unsigned_long() -> None:
    values = [18446744073709551615, 12446744073709551615, 9223372036854775808, 18446744073709551614]
    out = columns("round", (values, T.UNSIGNED_LONG), ([-6144415263046370459, -19, -1, -1], T.LONG))
    assert out.values == [0, 10000000000000000000, 9223372036854775810, 18446744073709551610]
    overflow = columns("round", ([18446744073709551615], T.UNSIGNED_LONG), const(-19, T.LONG))
    assert overflow.failure == ARITH + "unsigned_long overflow"


def test_round_to_rounds_down_to_points() -> None:
    points = [const(0, T.INTEGER), const(10, T.INTEGER), const(100, T.INTEGER)]
    out = columns("round_to", ([-5, 0, 9, 10, 99, 1000, None], T.INTEGER), *points)
    assert out.values == [0, 0, 0, 10, 10, 100, None]
    dates = [const(0, T.DATETIME), const(86_400_000, T.DATETIME)]
    assert columns("round_to", ([90_000_000], T.DATETIME), *dates).value.timestamp() == 86400.0


def test_signum_and_copy_sign() -> None:
    assert unary("signum", [-3, 0, 8], T.INTEGER).values == [-1.0, 0.0, 1.0]
    assert columns("copy_sign", ([3, -3], T.INTEGER), ([-1.0, 2.0], T.DOUBLE)).values == [-3, 3]
    assert columns("copy_sign", ([3.0, 3.0], T.DOUBLE), ([-0.0, 0.0], T.DOUBLE)).values == [
        -3.0,
        3.0,
    ]


def test_scalb() -> None:
    out = columns("scalb", ([3.0, 1.0, 1.0], T.DOUBLE), ([10, 2000, -2], T.INTEGER))
    assert out.values == [3072.0, None, 0.25]
    assert out.failures[1] == ARITH + "not a finite double number: Infinity"
    assert (
        columns("scalb", ([1.0], T.DOUBLE), ([2**40], T.LONG)).failure == ARITH + "integer overflow"
    )


def test_trigonometry() -> None:
    assert unary("sin", [0.0], T.DOUBLE).value == 0.0
    assert unary("cos", [0.0], T.DOUBLE).value == 1.0
    assert unary("tan", [0.0], T.DOUBLE).value == 0.0
    assert unary("atan", [1.0], T.DOUBLE).value == pytest.approx(math.pi / 4)
    assert columns("atan2", ([12.9], T.DOUBLE), ([0.6], T.DOUBLE)).value == 1.5243181954438936
    assert unary("tanh", [0.0], T.DOUBLE).value == 0.0


@pytest.mark.parametrize(("name", "label"), [("asin", "Asin"), ("acos", "Acos")])
def test_inverse_trigonometry_out_of_range(name: str, label: str) -> None:
    out = unary(name, [0.5, 2.0], T.DOUBLE)
    assert out.values[1] is None
    assert out.failures[1] == ARITH + f"{label} input out of range"


@pytest.mark.parametrize("name", ["sinh", "cosh"])
def test_hyperbolic_overflow(name: str) -> None:
    out = unary(name, [0.0, 1000.0], T.DOUBLE)
    assert out.values[1] is None
    assert out.failures[1] == ARITH + f"{name} overflow"


def test_hypot() -> None:
    assert columns("hypot", ([3.0, 1e300], T.DOUBLE), ([4.0, 1e300], T.DOUBLE)).values == [
        5.0,
        1.4142135623730952e300,
    ]


@pytest.mark.parametrize(("name", "value"), [("e", math.e), ("pi", math.pi), ("tau", math.tau)])
def test_constants(name: str, value: float) -> None:
    out = columns(name)
    assert out.value == value
    assert out.col.value == value


def test_null_typed_argument_gives_typed_null() -> None:
    out = columns("sqrt", const(None, T.NULL))
    assert out.value is None
    assert out.col.type is T.DOUBLE
    assert columns("abs", const(None, T.NULL)).col.type is T.NULL
