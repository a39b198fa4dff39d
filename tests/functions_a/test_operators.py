"""Operators called directly: arithmetic, comparisons, logic, IN, LIKE/RLIKE."""

from __future__ import annotations

import datetime as dt
import math

import polars as pl
import pytest

from esqlsh.engine.functions.operators import lucene_to_regex, wildcard_to_regex
from esqlsh.errors import ParsingError
from esqlsh.plan.logical import TemporalAmount
from tests.functions_a.helpers import T, binary, call, column, const, ref, unary

LONG_MAX = 2**63 - 1
INT_MAX = 2**31 - 1
ULONG_MAX = 2**64 - 1


def test_long_add_overflow_is_null_with_warning() -> None:
    out = binary("add", [LONG_MAX, 1, None], T.LONG, [1, 2, 3], T.LONG)
    assert out.values == [None, 3, None]
    assert out.failures == ["java.lang.ArithmeticException: long overflow", None, None]


def test_integer_overflow_message() -> None:
    out = binary("mul", [INT_MAX, 3], T.INTEGER, [2, 3], T.INTEGER)
    assert out.values == [None, 9]
    assert out.failures[0] == "java.lang.ArithmeticException: integer overflow"


def test_mixed_int_long_widens_to_long() -> None:
    out = binary("add", [INT_MAX], T.INTEGER, [1], T.LONG)
    assert out.values == [INT_MAX + 1]
    assert out.col.type is T.LONG


def test_int_and_double_widen_to_double() -> None:
    out = binary("add", [10001], T.INTEGER, [2.03], T.DOUBLE)
    assert out.values == [10003.03]


@pytest.mark.parametrize(
    ("op", "a", "b", "expected"),
    [
        ("div", -7, 2, -3),
        ("div", 7, -2, -3),
        ("mod", -7, 3, -1),
        ("mod", 7, -3, 1),
        ("div", 7, 2, 3),
    ],
)
def test_integer_division_truncates_like_java(op: str, a: int, b: int, expected: int) -> None:
    assert binary(op, [a], T.LONG, [b], T.LONG).values == [expected]
    assert binary(op, [a], T.INTEGER, [b], T.INTEGER).values == [expected]


@pytest.mark.parametrize("op", ["div", "mod"])
def test_division_by_zero(op: str) -> None:
    out = binary(op, [LONG_MAX, 5], T.LONG, [0, 2], T.LONG)
    assert out.values[0] is None
    assert out.failures[0] == "java.lang.ArithmeticException: / by zero"
    assert out.failures[1] is None


def test_double_division_by_zero_is_null() -> None:
    out = binary("div", [1.0, 0.0, 3.0], T.DOUBLE, [0.0, 0.0, 2.0], T.DOUBLE)
    assert out.values == [None, None, 1.5]
    assert out.failures[:2] == ["java.lang.ArithmeticException: / by zero"] * 2


def test_double_overflow_is_not_finite() -> None:
    out = binary("mul", [1e308], T.DOUBLE, [10.0], T.DOUBLE)
    assert out.values == [None]
    assert out.failures == ["java.lang.ArithmeticException: not a finite double number: Infinity"]


def test_double_mod_keeps_dividend_sign() -> None:
    out = binary("mod", [5.5, -5.5], T.DOUBLE, [2.0, 2.0], T.DOUBLE)
    assert out.values == [1.5, -1.5]


def test_double_division_by_a_constant_is_a_true_division() -> None:
    # Polars multiplies by the reciprocal of a literal: 2.05 * (1 / 0.05) == 41.0
    frame = pl.DataFrame([column("a", [2.05, 1.45], T.DOUBLE)])
    out = call("div", frame, [ref("a", T.DOUBLE), const(0.05, T.DOUBLE)])
    assert out.values == [2.05 / 0.05, 1.45 / 0.05] == [40.99999999999999, 28.999999999999996]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (2.03, 0.05),  # a - b * trunc(a / b) would give 0.029999999999999805
        (-0.3, 0.1),
        (-0.2, 0.1),  # a zero remainder keeps the dividend's sign: -0.0
        (1e17, 0.05),  # quotient above 2**52
        (1.7e308, 5e-324),
        (8.7e-298, -9.8e297),  # |a| < |b| with a huge b
        (7.0, float("inf")),
    ],
)
def test_double_mod_is_the_exact_fmod(a: float, b: float) -> None:
    out = binary("mod", [a], T.DOUBLE, [b], T.DOUBLE)
    expected = math.fmod(a, b)
    assert out.values == [expected]
    assert math.copysign(1.0, out.values[0]) == math.copysign(1.0, expected)


def test_double_mod_by_a_constant() -> None:
    frame = pl.DataFrame([column("a", [2.03, 2.08, 1.83], T.DOUBLE)])
    out = call("mod", frame, [ref("a", T.DOUBLE), const(0.05, T.DOUBLE)])
    assert out.values == [math.fmod(x, 0.05) for x in (2.03, 2.08, 1.83)]


def test_unsigned_long_arithmetic() -> None:
    out = binary("add", [2**63 - 1, ULONG_MAX], T.UNSIGNED_LONG, [1, 1], T.UNSIGNED_LONG)
    assert out.values == [2**63, None]
    assert out.failures[1] == "java.lang.ArithmeticException: unsigned_long overflow"
    sub = binary("sub", [0, 2**63], T.UNSIGNED_LONG, [1, 1], T.UNSIGNED_LONG)
    assert sub.values == [None, 2**63 - 1]
    mul = binary("mul", [2**63 - 1, 2**63], T.UNSIGNED_LONG, [2, 2], T.UNSIGNED_LONG)
    assert mul.values == [ULONG_MAX - 1, None]
    div = binary("div", [ULONG_MAX, ULONG_MAX], T.UNSIGNED_LONG, [2, 2**63], T.UNSIGNED_LONG)
    assert div.values == [2**63 - 1, 1]
    mod = binary("mod", [ULONG_MAX], T.UNSIGNED_LONG, [2**63], T.UNSIGNED_LONG)
    assert mod.values == [2**63 - 1]


def test_neg_overflow() -> None:
    assert unary("neg", [-(2**31), 5], T.INTEGER).values == [None, -5]
    out = unary("neg", [-(2**63)], T.LONG)
    assert out.failures == ["java.lang.ArithmeticException: long overflow"]


def test_null_operand_gives_typed_null() -> None:
    frame = pl.DataFrame([column("a", [1, 2], T.INTEGER)])
    out = call("add", frame, [ref("a", T.INTEGER), const(None, T.NULL)])
    assert set(out.values) == {None}
    assert out.col.type is T.INTEGER


def _millis(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> int:
    moment = dt.datetime(year, month, day, hour, minute, tzinfo=dt.UTC)
    return int(moment.timestamp() * 1000)


def test_date_plus_period_clamps_month_end() -> None:
    frame = pl.DataFrame([column("d", [_millis(2024, 1, 31)], T.DATETIME)])
    out = call("add", frame, [ref("d", T.DATETIME), const(TemporalAmount(months=1), T.DATE_PERIOD)])
    assert out.values == [dt.datetime(2024, 2, 29, tzinfo=dt.UTC)]
    # amount on the left works too
    out = call("add", frame, [const(TemporalAmount(days=1), T.DATE_PERIOD), ref("d", T.DATETIME)])
    assert out.values == [dt.datetime(2024, 2, 1, tzinfo=dt.UTC)]


def test_date_minus_duration() -> None:
    frame = pl.DataFrame([column("d", [_millis(2024, 1, 1)], T.DATETIME)])
    out = call(
        "sub",
        frame,
        [ref("d", T.DATETIME), const(TemporalAmount(millis=3_600_000), T.TIME_DURATION)],
    )
    assert out.values == [dt.datetime(2023, 12, 31, 23, tzinfo=dt.UTC)]


def test_period_plus_period_is_constant() -> None:
    out = call(
        "add",
        pl.DataFrame(),
        [
            const(TemporalAmount(months=1), T.DATE_PERIOD),
            const(TemporalAmount(days=2), T.DATE_PERIOD),
        ],
    )
    assert out.col.value == TemporalAmount(months=1, days=2)
    neg = call("neg", pl.DataFrame(), [const(TemporalAmount(days=2), T.DATE_PERIOD)])
    assert neg.col.value == TemporalAmount(days=-2)


def test_comparisons_widen_numerics() -> None:
    assert binary("lt", [1, 3], T.INTEGER, [1.5, 2.5], T.DOUBLE).values == [True, False]
    assert binary("eq", [2], T.INTEGER, [2], T.LONG).values == [True]
    assert binary("gte", [None], T.INTEGER, [1], T.LONG).values == [None]


def test_ip_and_version_ordering() -> None:
    ips = binary(
        "lt", ["::1", "10.0.0.2", "9.0.0.1"], T.IP, ["1.2.3.4", "10.0.0.10", "10.0.0.1"], T.IP
    )
    assert ips.values == [True, True, True]
    versions = binary(
        "lt",
        ["1.2.3.4", "5.2.9-SNAPSHOT", "2.12.0", "5.2.9"],
        T.VERSION,
        ["1.11.0", "5.2.9", "bad", "2.3.4"],
        T.VERSION,
    )
    assert versions.values == [True, True, True, False]


def test_date_vs_date_nanos() -> None:
    frame = pl.DataFrame(
        [
            column("m", [1000], T.DATETIME),
            column("n", [1_000_000_001], T.DATE_NANOS),
        ]
    )
    out = call("lt", frame, [ref("m", T.DATETIME), ref("n", T.DATE_NANOS)])
    assert out.values == [True]


def test_null_literal_comparison_is_null() -> None:
    frame = pl.DataFrame([column("a", [1], T.INTEGER)])
    assert call("eq", frame, [const(None, T.NULL), ref("a", T.INTEGER)]).values == [None]


def test_three_valued_logic() -> None:
    left = [True, False, None, None, None]
    right = [None, None, True, False, None]
    assert binary("and", left, T.BOOLEAN, right, T.BOOLEAN).values == [
        None,
        False,
        None,
        False,
        None,
    ]
    assert binary("or", left, T.BOOLEAN, right, T.BOOLEAN).values == [True, None, True, None, None]
    assert unary("not", [True, None], T.BOOLEAN).values == [False, None]


def test_is_null_sees_multivalues_as_not_null() -> None:
    out = unary("is_null", [[1, 2], None, [3]], T.INTEGER, multi=True)
    assert out.values == [False, True, False]
    assert unary("is_not_null", [1, None], T.INTEGER).values == [True, False]


def test_in_null_semantics() -> None:
    frame = pl.DataFrame([column("x", [1, 2, None], T.INTEGER)])
    items = [const(1, T.INTEGER), const(None, T.NULL)]
    assert call("in", frame, [ref("x", T.INTEGER), *items]).values == [True, None, None]
    plain = call("in", frame, [ref("x", T.INTEGER), const(1, T.INTEGER), const(3, T.LONG)])
    assert plain.values == [True, False, None]


def test_in_with_field_items() -> None:
    frame = pl.DataFrame([column("x", [4, 5], T.INTEGER), column("y", [5, 5], T.LONG)])
    out = call("in", frame, [ref("x", T.INTEGER), const(1, T.INTEGER), ref("y", T.LONG)])
    assert out.values == [False, True]


@pytest.mark.parametrize(
    ("pattern", "text", "matches"),
    [
        ("*error*", "an error here", True),
        ("*error*", "Error", False),
        ("a?c", "abc", True),
        ("a?c", "abbc", False),
        (r"a\*c", "a*c", True),
        (r"a\*c", "abc", False),
        ("1.5*", "1.5.0", True),
        ("1.5*", "1x5", False),
        ("(x)", "(x)", True),
        ("", "", True),
    ],
)
def test_like(pattern: str, text: str, matches: bool) -> None:
    frame = pl.DataFrame([column("s", [text], T.KEYWORD)])
    out = call("like", frame, [ref("s", T.KEYWORD), const(pattern, T.KEYWORD)])
    assert out.values == [matches]
    assert wildcard_to_regex(pattern).startswith("^")


@pytest.mark.parametrize(
    ("pattern", "text", "matches"),
    [
        ("Geor.*", "Georgi", True),
        ("eor", "Georgi", False),
        (".*eor.*", "Georgi", True),
        ("[A-C].*", "Berni", True),
        ("[^A-C].*", "Berni", False),
        ('"a.b"c', "a.bc", True),
        ('"a.b"c', "axbc", False),
        ("a$b", "a$b", True),
        ("a^b", "a^b", True),
        ("@x", "yyyx", True),
        ("(ab|cd){2}", "abcd", True),
        ("a\\.b", "a.b", True),
        ("a\\.b", "axb", False),
    ],
)
def test_rlike(pattern: str, text: str, matches: bool) -> None:
    frame = pl.DataFrame([column("s", [text], T.KEYWORD)])
    out = call("rlike", frame, [ref("s", T.KEYWORD), const(pattern, T.KEYWORD)])
    assert out.values == [matches], lucene_to_regex(pattern)


def test_rlike_refuses_a_pattern_that_is_no_regex() -> None:
    # ReplaceRegexMatch: a parsing_exception at the RLIKE, not a failure mid-query
    frame = pl.DataFrame([column("s", ["x"], T.KEYWORD)])
    with pytest.raises(ParsingError, match=r"Invalid regex pattern for RLIKE \[\(\]: \[unclosed"):
        call("rlike", frame, [ref("s", T.KEYWORD), const("(", T.KEYWORD)])


def test_like_null_operand() -> None:
    frame = pl.DataFrame([column("s", [None], T.KEYWORD)])
    assert call("like", frame, [ref("s", T.KEYWORD), const("*", T.KEYWORD)]).values == [None]
