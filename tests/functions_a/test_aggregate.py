"""Aggregates called directly, in group_by and in a whole-frame select."""

from __future__ import annotations

import math

from tests.functions_a.helpers import T, aggregate, const

G = [1, 1, 2, 2, 3]


def test_count_counts_each_value_of_a_multivalue() -> None:
    per, overall, _ = aggregate(
        "count", G, [[1, 2], [3], None, [4, 4], None], T.INTEGER, multi=True
    )
    assert per == {1: 3, 2: 2, 3: 0}
    assert overall == 5


def test_sum_and_avg() -> None:
    per, overall, _ = aggregate("sum", G, [1, 2, None, 4, None], T.INTEGER)
    assert per == {1: 3, 2: 4, 3: None}
    assert overall == 7
    per, overall, _ = aggregate("avg", G, [1, 2, None, 4, None], T.INTEGER)
    assert per == {1: 1.5, 2: 4.0, 3: None}
    assert overall == 7 / 3


def test_sum_long_overflow() -> None:
    per, _, failures = aggregate("sum", [1, 1, 2], [2**63 - 1, 1, 5], T.LONG)
    assert per == {1: None, 2: 5}
    assert failures == ["java.lang.ArithmeticException: long overflow", None]


def test_min_max() -> None:
    per, overall, _ = aggregate("max", G, [[1, 9], [3], None, [4, 4], None], T.INTEGER, multi=True)
    assert per == {1: 9, 2: 4, 3: None}
    assert overall == 9
    _, overall, _ = aggregate("min", G, ["b", "a", None, "c", None], T.TEXT)
    assert overall == "a"
    _, overall, _ = aggregate("max", G, [True, False, None, False, None], T.BOOLEAN)
    assert overall is True


def test_min_max_ip_and_version_use_their_order() -> None:
    per, overall, _ = aggregate("max", G, ["10.0.0.2", "9.0.0.1", "::1", "1.1.1.1", None], T.IP)
    assert per == {1: "10.0.0.2", 2: "1.1.1.1", 3: None}
    assert overall == "10.0.0.2"
    _, overall, _ = aggregate("max", G, ["1.11.0", "1.2.3.4", "bad", "5.2.9", None], T.VERSION)
    assert overall == "bad"
    _, overall, _ = aggregate("min", G, ["1.11.0", "1.2.3.4", "bad", "5.2.9", None], T.VERSION)
    assert overall == "1.2.3.4"


def test_median_percentile_mad() -> None:
    values = [3, 5, 1, 6, None]
    _, overall, _ = aggregate("median", G, values, T.INTEGER)
    assert overall == 4.0
    _, overall, _ = aggregate("percentile", G, values, T.INTEGER, extra=[const(25, T.INTEGER)])
    assert overall == 2.5
    _, overall, _ = aggregate("median_absolute_deviation", G, values, T.INTEGER)
    assert overall == 1.5


def test_std_dev_is_population() -> None:
    _, overall, _ = aggregate("std_dev", G, [2.0, 4.0, 4.0, 4.0, 5.0], T.DOUBLE)
    assert math.isclose(overall, math.sqrt(0.96))


def test_count_distinct() -> None:
    per, overall, _ = aggregate("count_distinct", G, ["a", "a", None, "b", None], T.KEYWORD)
    assert per == {1: 1, 2: 1, 3: 0}
    assert overall == 2


def test_values_distinct_in_order_and_null_when_empty() -> None:
    per, overall, _ = aggregate("values", G, [[2, 1], [2], None, [4], None], T.INTEGER, multi=True)
    assert per == {1: [2, 1], 2: [4], 3: None}
    assert overall == [2, 1, 4]


def test_top() -> None:
    args = [const(2, T.INTEGER), const("desc", T.KEYWORD)]
    per, overall, _ = aggregate("top", G, [5, 7, 1, None, None], T.INTEGER, extra=args)
    assert per == {1: [7, 5], 2: [1], 3: None}
    assert overall == [7, 5]
    asc = [const(2, T.INTEGER), const("ASC", T.KEYWORD)]
    _, overall, _ = aggregate("top", G, [5, 7, 1, 1, None], T.INTEGER, extra=asc)
    assert overall == [1, 1]


def test_weighted_avg() -> None:
    _, overall, _ = aggregate(
        "weighted_avg", G, [1.0, 3.0, None, 5.0, 2.0], T.DOUBLE, extra=[const(2, T.INTEGER)]
    )
    assert overall == 2.75


def test_sample_picks_existing_values() -> None:
    per, overall, _ = aggregate(
        "sample", G, [5, 7, 1, None, None], T.INTEGER, extra=[const(2, T.INTEGER)]
    )
    assert sorted(per[1]) == [5, 7]
    assert per[3] is None
    assert len(overall) == 2 and set(overall) <= {5, 7, 1}
