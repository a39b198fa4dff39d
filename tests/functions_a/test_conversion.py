"""Conversion functions called directly, single- and multi-valued."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from esqlsh.analysis.functions.conversion import convert_expected
from esqlsh.analysis.registry import lookup
from esqlsh.engine.functions._common import java_double_str
from esqlsh.engine.functions.conversion import canonical_ip, parse_temporal_amount
from esqlsh.plan.logical import TemporalAmount
from tests.functions_a.helpers import T, call, const, unary

QL = "org.elasticsearch.xpack.ql.QlIllegalArgumentException"


def test_string_to_long() -> None:
    out = unary("to_long", ["2147483648", "2147483648.2", "foo", None], T.KEYWORD)
    assert out.values == [2147483648, 2147483648, None, None]
    assert out.failures == [
        None,
        None,
        'java.lang.NumberFormatException: For input string: "foo"',
        None,
    ]


def test_string_to_integer_overflow_reports_the_text() -> None:
    out = unary("to_integer", ["2147483647", "2147483647.2", "2147483648"], T.KEYWORD)
    assert out.values == [2147483647, 2147483647, None]
    assert out.failures[2] == 'java.lang.NumberFormatException: For input string: "2147483648"'


def test_multivalue_drops_failing_values() -> None:
    out = unary("to_integer", [[5013792, 2147483647, 501379200000]], T.LONG, multi=True)
    assert out.values == [[5013792, 2147483647]]
    # a multi-value fails once per bad value: the message is a list per row
    assert out.failures == [[f"{QL}: [501379200000] out of [integer] range"]]
    assert out.col.multi


def test_multivalue_records_every_failing_value() -> None:
    out = unary("to_integer", [["one", "1", "two"]], T.KEYWORD, multi=True)
    assert out.values == [[1]]
    assert out.failures == [
        [
            'java.lang.NumberFormatException: For input string: "one"',
            'java.lang.NumberFormatException: For input string: "two"',
        ]
    ]


def test_unsigned_long_to_int_goes_through_long() -> None:
    out = unary("to_int", [[2147483647, 2**63]], T.UNSIGNED_LONG, multi=True)
    assert out.values == [[2147483647]]
    assert out.failures == [[f"{QL}: [9223372036854775808] out of [long] range"]]


def test_double_to_long_rounds_half_up() -> None:
    out = unary("to_long", [123.4, 2.5, -2.5, 1e19], T.DOUBLE)
    assert out.values == [123, 3, -2, None]
    assert out.failures[3] == f"{QL}: [1.0E19] out of [long] range"


def test_to_unsigned_long() -> None:
    out = unary("to_ul", [123.4, 1e20], T.DOUBLE)
    assert out.values == [123, None]
    assert out.failures[1] == f"{QL}: [1.0E20] out of [unsigned_long] range"
    text = unary("to_unsigned_long", ["2147483648", "2147483648.2", "foo", "-1"], T.KEYWORD)
    assert text.values == [2147483648, 2147483648, None, None]
    assert text.failures[2] == (
        "java.lang.NumberFormatException: Character f is neither a decimal digit number, "
        'decimal point, nor "e" notation exponential mark.'
    )
    assert unary("to_ul", [[True, False]], T.BOOLEAN, multi=True).values == [[1, 0]]


def test_to_boolean() -> None:
    assert unary("to_boolean", ["TRUE", "yes", ""], T.KEYWORD).values == [True, False, False]
    assert unary("to_bool", [0.0, -0.4], T.DOUBLE).values == [False, True]
    assert unary("to_bool", [2**63, 0], T.UNSIGNED_LONG).values == [True, False]


def test_to_double() -> None:
    out = unary("to_double", ["1e5", " 2.5 ", "foo"], T.KEYWORD)
    assert out.values == [100000.0, 2.5, None]
    assert out.failures[2] == 'java.lang.NumberFormatException: For input string: "foo"'
    assert unary("to_dbl", [True], T.BOOLEAN).values == [1.0]
    assert unary("to_double", [1000], T.DATETIME).values == [1000.0]


def test_to_string() -> None:
    assert unary("to_string", [1.0, 1e20, 0.001, 123.4], T.DOUBLE).values == [
        "1.0",
        "1.0E20",
        "0.001",
        "123.4",
    ]
    assert unary("to_str", [True, False], T.BOOLEAN).values == ["true", "false"]
    assert unary("to_string", [0, -86_400_000], T.DATETIME).values == [
        "1970-01-01T00:00:00.000Z",
        "1969-12-31T00:00:00.000Z",
    ]
    assert unary("to_string", [1_698_069_301_543_123_456], T.DATE_NANOS).values == [
        "2023-10-23T13:55:01.543123456Z"
    ]
    assert unary("to_string", [[1, 2]], T.INTEGER, multi=True).values == [["1", "2"]]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1.0, "1.0"),
        (100.0, "100.0"),
        (1e7, "1.0E7"),
        (9999999.0, "9999999.0"),
        (1e-3, "0.001"),
        (1e-4, "1.0E-4"),
        (-0.0, "-0.0"),
        (7.029999999999999, "7.029999999999999"),
        (3.0744573456182584e18, "3.0744573456182584E18"),
        (float("nan"), "NaN"),
        (float("-inf"), "-Infinity"),
    ],
)
def test_java_double_text(value: float, text: str) -> None:
    assert pl.select(java_double_str(pl.lit(value, dtype=pl.Float64))).item() == text


def test_to_datetime() -> None:
    out = unary(
        "to_datetime",
        [
            "1985-07-09T00:00:00.000Z",
            "2023-01-01",
            "2023-02-30",
            "2023-01-01T12:00:00+01:00",
            "foo",
        ],
        T.KEYWORD,
    )
    utc = dt.UTC
    assert out.values == [
        dt.datetime(1985, 7, 9, tzinfo=utc),
        dt.datetime(2023, 1, 1, tzinfo=utc),
        None,
        dt.datetime(2023, 1, 1, 11, tzinfo=utc),
        None,
    ]
    assert out.failures[4] == (
        "java.lang.IllegalArgumentException: failed to parse date field [foo] with format "
        "[strict_date_optional_time]"
    )
    millis = unary("to_dt", [[5013792, 520128]], T.INTEGER, multi=True)
    assert millis.values == [
        [
            dt.datetime(1970, 1, 1, 1, 23, 33, 792000, tzinfo=utc),
            dt.datetime(1970, 1, 1, 0, 8, 40, 128000, tzinfo=utc),
        ]
    ]


def test_date_to_numbers() -> None:
    assert unary("to_long", [520128000000], T.DATETIME).values == [520128000000]
    assert unary("to_integer", [520128], T.DATETIME).values == [520128]
    assert unary("to_ul", [520128000000], T.DATETIME).values == [520128000000]


def test_to_date_nanos() -> None:
    out = unary("to_date_nanos", [1000, -5], T.LONG)
    assert out.values[0] == dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(microseconds=1)
    assert out.values[1] is None
    assert out.failures[1] is not None


def test_to_ip() -> None:
    out = unary("to_ip", ["1.2.3.4", "::ffff:1.2.3.4", "2001:0DB8::1", "foo"], T.KEYWORD)
    assert out.values == ["1.2.3.4", "1.2.3.4", "2001:db8::1", None]
    assert (
        out.failures[3] == "java.lang.IllegalArgumentException: 'foo' is not an IP string literal."
    )
    assert canonical_ip("1.02.3.4") is None


def test_to_version_and_geo_are_identity_on_strings() -> None:
    assert unary("to_ver", ["1.2.3"], T.KEYWORD).values == ["1.2.3"]
    assert unary("to_geopoint", ["POINT (1 2)"], T.KEYWORD).values == ["POINT (1 2)"]


def test_temporal_amount_conversions() -> None:
    out = call("to_dateperiod", pl.DataFrame(), [const("3 days", T.KEYWORD)])
    assert out.col.value == TemporalAmount(days=3)
    out = call("to_timeduration", pl.DataFrame(), [const("2 hours", T.KEYWORD)])
    assert out.col.value == TemporalAmount(millis=7_200_000)
    assert parse_temporal_amount("1 quarter", T.DATE_PERIOD) == TemporalAmount(months=3)
    with pytest.raises(ValueError, match="did you mean TIME_DURATION"):
        parse_temporal_amount("1 hour", T.DATE_PERIOD)


def test_null_input() -> None:
    out = call("to_long", pl.DataFrame(), [const(None, T.NULL)])
    assert out.values == [None]
    assert out.col.type is T.LONG


def test_expected_phrases() -> None:
    fn = lookup("to_integer")
    assert fn is not None
    assert fn.params[0].expected == "boolean or counter_integer or datetime or numeric or string"
    assert convert_expected(lookup("to_ip").params[0].types) == "ip or string"  # type: ignore[union-attr]
    assert lookup("to_ul") is lookup("to_unsigned_long")


def test_to_degrees_and_to_radians() -> None:
    # Math.toDegrees / Math.toRadians: multiplications by fixed constants (JDK 9+)
    out = unary("to_degrees", [[1, 4], None], T.INTEGER, multi=True)
    assert out.values == [[57.29577951308232, 229.1831180523293], None]
    rad = unary("to_radians", [90.0], T.DOUBLE)
    assert rad.values == [1.5707963267948966]
    big = unary("to_degrees", [[1e308, -1e308, 1.0]], T.DOUBLE, multi=True)
    assert big.values == [[57.29577951308232]]
    assert big.failures == [
        [
            "java.lang.ArithmeticException: not a finite double number: Infinity",
            "java.lang.ArithmeticException: not a finite double number: -Infinity",
        ]
    ]
