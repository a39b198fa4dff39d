"""Multi-value implementations: lists whole, single values as one-element lists,
ES's integer arithmetic and failures."""

from __future__ import annotations

import pytest

from esqlsh.analysis.types import DataType as T
from esqlsh.engine.functions._shared_b import InvalidArgumentError

from .helpers import columns, const, unary

INT, K, DBL = T.INTEGER, T.KEYWORD, T.DOUBLE
ARITH = "java.lang.ArithmeticException: "
INVALID = "org.elasticsearch.xpack.esql.core.InvalidArgumentException: "
INTS = [[3, 5, 1, 6], [3, 7, 1, 6], [-3, -2], [5], None]
DOUBLES = [[-6.77, 4.69, 5.05, 12.15], [-1.89, 9.07], [0.04], None]


def test_picking_values() -> None:
    assert unary("mv_count", INTS, INT, multi=True).values == [4, 4, 2, 1, None]
    assert unary("mv_first", INTS, INT, multi=True).values == [3, 3, -3, 5, None]
    assert unary("mv_last", INTS, INT, multi=True).values == [6, 6, -2, 5, None]
    assert unary("mv_max", INTS, INT, multi=True).values == [6, 7, -2, 5, None]
    assert unary("mv_min", INTS, INT, multi=True).values == [1, 1, -3, 5, None]
    assert unary("mv_max", [["foo", "zoo", "bar"]], K, multi=True).values == ["zoo"]
    assert unary("mv_min", [[True, False]], T.BOOLEAN, multi=True).values == [False]


def test_single_values_are_one_value_lists() -> None:
    assert unary("mv_count", [7, None], INT).values == [1, None]
    assert unary("mv_sum", [7], INT).values == [7]
    assert unary("mv_median", [7.5], DBL).values == [7.5]


def test_ips_order_by_address() -> None:
    ips = [["10.0.0.2", "9.0.0.1", "::1", "fe80::1"], None]
    assert unary("mv_max", ips, T.IP, multi=True).values == ["fe80::1", None]
    assert unary("mv_min", ips, T.IP, multi=True).values == ["::1", None]
    assert unary("mv_sort", ips, T.IP, multi=True).values == [
        ["::1", "9.0.0.1", "10.0.0.2", "fe80::1"],
        None,
    ]


def test_versions_order_by_version() -> None:
    versions = [["1.11.0", "1.2.3", "1.2.3-SNAPSHOT", "bad"]]
    assert unary("mv_max", versions, T.VERSION, multi=True).values == ["bad"]
    assert unary("mv_min", versions, T.VERSION, multi=True).values == ["1.2.3-SNAPSHOT"]
    assert unary("mv_sort", versions, T.VERSION, multi=True).values == [
        ["1.2.3-SNAPSHOT", "1.2.3", "1.11.0", "bad"]
    ]


def test_median_rounds_integers_toward_zero() -> None:
    assert unary("mv_median", INTS, INT, multi=True).values == [4, 4, -2, 5, None]  # toward zero
    assert unary("mv_median", DOUBLES, DBL, multi=True).values == [
        4.87,
        3.5900000000000003,
        0.04,
        None,
    ]
    big = [[18446744073709551615, 0, 1, 9223372036854775807, 9223372036854775808]]
    assert unary("mv_median", big, T.UNSIGNED_LONG, multi=True).values == [9223372036854775807]


def test_median_absolute_deviation() -> None:
    assert unary("mv_median_absolute_deviation", DOUBLES, DBL, multi=True).values[
        0
    ] == pytest.approx(3.73)
    # median 3; deviations 3, 1, 2, 3: their median (2 + 3) / 2 toward zero
    assert unary("mv_median_absolute_deviation", [[0, 2, 5, 6], [7]], INT, multi=True).values == [
        2,
        0,
    ]


def test_avg_and_sum() -> None:
    assert unary(
        "mv_avg", [[3, 5, 1, 6], [0, 1, 9223372036854775807]], T.LONG, multi=True
    ).values == [
        3.75,
        3.0744573456182584e18,
    ]
    assert unary("mv_avg", DOUBLES, DBL, multi=True).values[0] == 3.7800000000000002
    out = unary("mv_sum", [[3, 5, 6], [0, 1, 2147483647]], INT, multi=True)
    assert out.values == [14, None]
    assert out.failures == [None, ARITH + "integer overflow"]
    assert unary("mv_sum", [[0, 1, 2**64 - 1]], T.UNSIGNED_LONG, multi=True).failures == [
        ARITH + "unsigned_long overflow"
    ]
    assert unary("mv_sum", [[2**63 - 1, 1]], T.LONG, multi=True).failures == [
        ARITH + "long overflow"
    ]


def test_percentile() -> None:
    out = columns("mv_percentile", (INTS, INT, True), const(50, INT))
    assert out.values == [4, 4, -3, 5, None]
    doubles = columns("mv_percentile", (DOUBLES, DBL, True), const(75.0, DBL))
    assert doubles.values[0] == 6.825
    bad = columns("mv_percentile", ([[1, 2]], INT, True), const(101.0, DBL))
    assert bad.values == [None]
    assert bad.failures == [
        "java.lang.IllegalArgumentException: Percentile parameter must be a number between 0 and 100, found [101.0]"
    ]


def test_pseries_weighted_sum() -> None:
    out = columns(
        "mv_pseries_weighted_sum", ([[70.0, 45.0, 21.0, 21.0, 21.0]], DBL, True), const(1.5, DBL)
    )
    assert out.values == [pytest.approx(94.45465156212452)]


def test_dedupe_sort_slice_append() -> None:
    assert unary("mv_dedupe", [["foo", "foo", "bar", "foo"]], K, multi=True).values == [
        ["foo", "bar"]
    ]
    assert columns("mv_sort", (INTS, INT, True), const("DESC", K)).values[0] == [6, 5, 3, 1]
    assert columns("mv_sort", (INTS, INT, True)).values[0] == [1, 3, 5, 6]
    with pytest.raises(
        InvalidArgumentError,
        match=r"Invalid order value in \[mv_sort\], expected one of \[ASC, DESC\] but got \[up\]",
    ):
        columns("mv_sort", (INTS, INT, True), const("up", K))
    sliced = columns("mv_slice", (INTS, INT, True), const(1, INT), const(2, INT))
    assert sliced.values == [[5, 1], [7, 1], [-2], None, None]
    assert columns("mv_slice", (INTS, INT, True), const(-3, INT), const(-1, INT)).values[0] == [
        5,
        1,
        6,
    ]
    assert columns("mv_slice", ([[1, 2]], INT, True), const(5, INT)).values == [None]
    with pytest.raises(InvalidArgumentError, match="Start offset is greater than end offset"):
        columns("mv_slice", (INTS, INT, True), const(2, INT), const(1, INT))
    per_row = columns("mv_slice", ([[1, 2], [1, 2]], INT, True), ([0, -1], INT), ([1, 1], INT))
    assert per_row.values == [[1, 2], None]
    assert per_row.failures[1] == INVALID + "Start and end offset have different signs"
    appended = columns("mv_append", (INTS, INT, True), ([1, 2, 3, 4, 5], INT))
    assert appended.values == [[3, 5, 1, 6, 1], [3, 7, 1, 6, 2], [-3, -2, 3], [5, 4], None]


def test_concat_and_zip() -> None:
    out = columns("mv_concat", ([["foo", "zoo", "bar"], ["x"], None], K, True), const(", ", K))
    assert out.values == ["foo, zoo, bar", "x", None]
    left = [["x", "y", "z"], ["a"], None, ["q"]]
    right = [["1", "2"], ["b", "c"], ["k"], None]
    assert columns("mv_zip", (left, K, True), (right, K, True)).values == [
        ["x,1", "y,2", "z"],
        ["a,b", "c"],
        ["k"],
        ["q"],
    ]
    dashed = columns("mv_zip", (left, K, True), (right, K, True), (["-", "+", "*", "/"], K))
    assert dashed.values[:2] == [["x-1", "y-2", "z"], ["a+b", "c"]]


def test_null_typed_arguments() -> None:
    assert columns("mv_count", const(None, T.NULL)).col.type is INT
    assert columns("mv_zip", const(None, T.NULL), (["a"], K)).values == [["a"]]
