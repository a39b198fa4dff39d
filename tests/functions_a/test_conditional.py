"""CASE, COALESCE, GREATEST, LEAST called directly."""

from __future__ import annotations

import polars as pl

from esqlsh.plan.logical import TemporalAmount
from tests.functions_a.helpers import T, call, column, const, ref

MV_WARNING = "java.lang.IllegalArgumentException: single-value function encountered multi-value"


def _frame() -> pl.DataFrame:
    return pl.DataFrame(
        [
            column("lang", [1, 2, 5, None], T.INTEGER),
            column("h", [1.5, 2.0, None, 1.7], T.DOUBLE),
            column("name", ["a", "b", "c", None], T.KEYWORD),
        ]
    )


def test_case_picks_first_true_branch() -> None:
    f = _frame()
    lang = ref("lang", T.INTEGER)
    le1 = call("lte", f, [lang, const(1, T.INTEGER)]).col
    le2 = call("lte", f, [lang, const(2, T.INTEGER)]).col
    out = call(
        "case",
        f,
        [le1, const("mono", T.KEYWORD), le2, const("bi", T.KEYWORD), const("poly", T.KEYWORD)],
    )
    assert out.values == ["mono", "bi", "poly", "poly"]


def test_case_without_else_is_null() -> None:
    f = _frame()
    cond = call("eq", f, [ref("name", T.KEYWORD), const("b", T.KEYWORD)]).col
    assert call("case", f, [cond, const(True, T.BOOLEAN)]).values == [None, True, None, None]


def test_case_mixed_numerics_widen() -> None:
    f = _frame()
    cond = call("eq", f, [ref("name", T.KEYWORD), const("a", T.KEYWORD)]).col
    out = call("case", f, [cond, ref("h", T.DOUBLE), ref("lang", T.INTEGER)])
    assert out.values == [1.5, 2.0, 5.0, None]
    assert out.col.type is T.DOUBLE


def test_case_multivalued_condition_is_false_with_warning() -> None:
    f = pl.DataFrame([column("c", [[False, True], [True]], T.BOOLEAN, multi=True)])
    out = call(
        "case", f, [ref("c", T.BOOLEAN, multi=True), const("a", T.KEYWORD), const("b", T.KEYWORD)]
    )
    assert out.values == ["b", "a"]
    assert out.failures == [MV_WARNING, None]
    assert out.treated_as == ["false"]


def test_case_returns_multivalues_whole() -> None:
    f = pl.DataFrame(
        [
            column("c", [True, False], T.BOOLEAN),
            column("m", [[1.0, 2.0], [3.0]], T.DOUBLE, multi=True),
        ]
    )
    out = call(
        "case", f, [ref("c", T.BOOLEAN), ref("m", T.DOUBLE, multi=True), const(7, T.INTEGER)]
    )
    assert out.values == [[1.0, 2.0], [7.0]]


def test_case_constant_condition_folds_temporal_amounts() -> None:
    day, ten = TemporalAmount(days=1), TemporalAmount(days=10)
    out = call(
        "case",
        pl.DataFrame(),
        [const(True, T.BOOLEAN), const(day, T.DATE_PERIOD), const(ten, T.DATE_PERIOD)],
    )
    assert out.col.value == day
    out = call(
        "case",
        pl.DataFrame(),
        [const(False, T.BOOLEAN), const(day, T.DATE_PERIOD), const(ten, T.DATE_PERIOD)],
    )
    assert out.col.value == ten
    out = call(
        "case",
        pl.DataFrame(),
        [const([True], T.BOOLEAN), const("a", T.KEYWORD), const("b", T.KEYWORD)],
    )
    assert out.values == ["a"]
    assert out.failures == [None]


def test_case_text_values_return_keyword() -> None:
    f = _frame()
    out = call("case", f, [const(True, T.BOOLEAN), ref("name", T.TEXT)])
    assert out.col.type is T.KEYWORD


def test_coalesce() -> None:
    f = _frame()
    out = call("coalesce", f, [ref("name", T.KEYWORD), const("X", T.KEYWORD)])
    assert out.values == ["a", "b", "c", "X"]
    mixed = call("coalesce", f, [ref("lang", T.INTEGER), ref("h", T.DOUBLE), const(0, T.INTEGER)])
    assert mixed.values == [1.0, 2.0, 5.0, 1.7]
    assert call("coalesce", f, [const(None, T.NULL), const("b", T.KEYWORD)]).values == ["b"]


def test_coalesce_mixes_single_and_multi() -> None:
    f = pl.DataFrame(
        [column("m", [[1, 2], None], T.INTEGER, multi=True), column("s", [3, 4], T.INTEGER)]
    )
    out = call("coalesce", f, [ref("m", T.INTEGER, multi=True), ref("s", T.INTEGER)])
    assert out.values == [[1, 2], [4]]


def test_greatest_least_over_multivalues() -> None:
    f = pl.DataFrame(
        [column("m", [[1, 9], [3]], T.INTEGER, multi=True), column("s", [4, None], T.INTEGER)]
    )
    args = [ref("m", T.INTEGER, multi=True), ref("s", T.INTEGER)]
    assert call("greatest", f, args).values == [9, None]
    assert call("least", f, args).values == [1, None]


def test_greatest_orders_ips_and_strings() -> None:
    f = pl.DataFrame(
        [column("a", ["10.0.0.2", "::1"], T.IP), column("b", ["9.0.0.1", "1.1.1.1"], T.IP)]
    )
    assert call("greatest", f, [ref("a", T.IP), ref("b", T.IP)]).values == ["10.0.0.2", "1.1.1.1"]
    g = pl.DataFrame([column("a", ["Georgi"], T.KEYWORD), column("b", ["Facello"], T.KEYWORD)])
    assert call("least", g, [ref("a", T.KEYWORD), ref("b", T.KEYWORD)]).values == ["Facello"]


def test_greatest_mixed_numeric() -> None:
    f = pl.DataFrame([column("a", [1], T.INTEGER), column("b", [2.5], T.DOUBLE)])
    out = call("greatest", f, [ref("a", T.INTEGER), ref("b", T.DOUBLE)])
    assert out.values == [2.5]
    assert out.col.type is T.DOUBLE
