"""BUCKET called directly, with the spans the bucket.csv-spec examples use."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from esqlsh.engine.functions._common import Rounding
from esqlsh.engine.functions.grouping import number_span, pick_rounding
from esqlsh.plan.logical import TemporalAmount
from tests.functions_a.helpers import T, call, column, const, ref

UTC = dt.UTC


def _ms(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> int:
    moment = dt.datetime(year, month, day, hour, minute, tzinfo=dt.UTC)
    return int(moment.timestamp() * 1000)


Y1985, Y1986 = _ms(1985, 1, 1), _ms(1986, 1, 1)


@pytest.mark.parametrize(
    ("buckets", "expected"),
    [
        (20, Rounding("month")),
        (100, Rounding("week")),
        (55, Rounding("week")),
        (2, Rounding("year")),
        (400, Rounding("day")),
        (1000, Rounding(fixed_millis=12 * 3_600_000)),
    ],
)
def test_pick_rounding(buckets: int, expected: Rounding) -> None:
    assert pick_rounding(buckets, Y1985, Y1986) == expected


def _dates(values: list[int]) -> pl.DataFrame:
    return pl.DataFrame([column("d", values, T.DATETIME)])


def test_date_bucket_with_count_and_range() -> None:
    f = _dates([_ms(1985, 7, 9), _ms(1985, 2, 24)])
    args = [
        ref("d", T.DATETIME),
        const(20, T.INTEGER),
        const("1985-01-01T00:00:00Z", T.KEYWORD),
        const("1986-01-01T00:00:00Z", T.KEYWORD),
    ]
    assert call("bucket", f, args).values == [
        dt.datetime(1985, 7, 1, tzinfo=UTC),
        dt.datetime(1985, 2, 1, tzinfo=UTC),
    ]
    args[1] = const(100, T.INTEGER)
    assert call("bucket", f, args).values == [
        dt.datetime(1985, 7, 8, tzinfo=UTC),
        dt.datetime(1985, 2, 18, tzinfo=UTC),
    ]


def test_date_bucket_with_span() -> None:
    f = _dates([_ms(1985, 7, 9, 13, 45)])
    month = call(
        "bucket", f, [ref("d", T.DATETIME), const(TemporalAmount(months=1), T.DATE_PERIOD)]
    )
    assert month.values == [dt.datetime(1985, 7, 1, tzinfo=UTC)]
    half_hour = call(
        "bin", f, [ref("d", T.DATETIME), const(TemporalAmount(millis=1_800_000), T.TIME_DURATION)]
    )
    assert half_hour.values == [dt.datetime(1985, 7, 9, 13, 30, tzinfo=UTC)]
    week = call("bucket", f, [ref("d", T.DATETIME), const(TemporalAmount(days=7), T.DATE_PERIOD)])
    assert week.values == [dt.datetime(1985, 7, 8, tzinfo=UTC)]


def test_numeric_bucket_with_count_and_range() -> None:
    f = pl.DataFrame([column("s", [66174, 26436, 74999], T.INTEGER)])
    args = [
        ref("s", T.INTEGER),
        const(20, T.INTEGER),
        const(25324, T.INTEGER),
        const(74999, T.INTEGER),
    ]
    out = call("bucket", f, args)
    assert out.values == [65000.0, 25000.0, 70000.0]
    assert out.col.type is T.DOUBLE


def test_numeric_bucket_with_span_and_bad_spans() -> None:
    f = pl.DataFrame([column("s", [66174, None], T.INTEGER)])
    assert call("bucket", f, [ref("s", T.INTEGER), const(5000.0, T.DOUBLE)]).values == [
        65000.0,
        None,
    ]
    zero = call("bucket", f, [ref("s", T.INTEGER), const(0.0, T.DOUBLE)])
    assert zero.values == [None, None]
    assert zero.failures == ["java.lang.ArithmeticException: / by zero", None]
    for count in (0, -1, 100000000000):
        args = [ref("s", T.INTEGER), const(count, T.LONG), const(0, T.INTEGER), const(0, T.INTEGER)]
        assert call("bucket", f, args).failures[0] == "java.lang.ArithmeticException: / by zero"


def test_double_bucket_divides_truly() -> None:
    # span 0.05: Java's 1.45 / 0.05 is 28.999999999999996, so the bucket is 28 * 0.05;
    # Polars' reciprocal multiplication would give 29.0 (bucketWithFloats)
    f = pl.DataFrame([column("h", [1.45, 1.41], T.DOUBLE)])
    args = [ref("h", T.DOUBLE), const(20, T.INTEGER), const(1.41, T.DOUBLE), const(2.10, T.DOUBLE)]
    assert call("bucket", f, args).values == [28 * 0.05, 28 * 0.05]


def test_unsigned_long_range_uses_elasticsearch_encoding() -> None:
    args = [
        const(None, T.NULL),
        const(20, T.INTEGER),
        const(5480608687137202404, T.LONG),
        const(17764691215469285192, T.UNSIGNED_LONG),
    ]
    assert number_span(args) == 5e17
