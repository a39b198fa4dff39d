"""``to_es_values``: cells exactly as Elasticsearch's ``_query`` JSON has them."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from esqlsh.analysis.types import DataType as T
from esqlsh.engine.result import Result
from esqlsh.plan.logical import Attribute
from esqlsh.render.values import es_response, es_text, java_double, to_columnar, to_es_values


def one_column(t: T, series: pl.Series) -> Result:
    return Result((Attribute("c", t),), series.alias("c").to_frame())


def values(t: T, series: pl.Series) -> list[object]:
    return [row[0] for row in to_es_values(one_column(t, series))]


def test_sample_rows(result: Result) -> None:
    rows = to_es_values(result)
    assert rows[0] == [
        "Georgi",
        42,
        18446744073709551615,
        1.0,
        True,
        "1953-09-02T00:00:00.000Z",
        "2023-10-23T13:55:01.543123456Z",
        "192.168.1.1",
        ["en", "fr"],
        'say "hi", then\tgo',
    ]
    assert rows[1][0] is None and rows[1][8] == "de"
    assert to_columnar(result)[0] == ["Georgi", None, "Zoë"]


def test_dates_in_other_physical_forms() -> None:
    naive = pl.Series([dt.datetime(2020, 1, 2, 3, 4, 5, 6000)], dtype=pl.Datetime("us"))
    assert values(T.DATETIME, naive) == ["2020-01-02T03:04:05.006Z"]
    millis = pl.Series([0, -1], dtype=pl.Int64)
    assert values(T.DATETIME, millis) == ["1970-01-01T00:00:00.000Z", "1969-12-31T23:59:59.999Z"]
    nanos = pl.Series([1_000_000_001, 1_500_000_000], dtype=pl.Int64)
    assert values(T.DATE_NANOS, nanos) == [
        "1970-01-01T00:00:01.000000001Z",
        "1970-01-01T00:00:01.500Z",
    ]


def test_multi_valued_dates_and_empty_lists() -> None:
    s = pl.Series([[0, 86_400_000], [0], [], None], dtype=pl.List(pl.Int64)).cast(
        pl.List(pl.Datetime("ms", "UTC"))
    )
    assert values(T.DATETIME, s) == [
        ["1970-01-01T00:00:00.000Z", "1970-01-02T00:00:00.000Z"],
        "1970-01-01T00:00:00.000Z",
        None,
        None,
    ]


def test_null_and_unsupported_columns() -> None:
    assert values(T.NULL, pl.Series([None, None], dtype=pl.Null)) == [None, None]
    assert values(T.UNSUPPORTED, pl.Series(["x"])) == [None]


def test_response_shape() -> None:
    body = es_response(one_column(T.LONG, pl.Series([1, 2], dtype=pl.Int64)))
    assert body == {
        "took": 0,
        "is_partial": False,
        "columns": [{"name": "c", "type": "long"}],
        "values": [[1], [2]],
    }
    assert es_response(one_column(T.LONG, pl.Series([1], dtype=pl.Int64)), columnar=True)[
        "values"
    ] == [[1]]


@pytest.mark.parametrize(
    ("x", "text"),
    [
        (1.0, "1.0"),
        (-2.5, "-2.5"),
        (0.001, "0.001"),
        (0.0001, "1.0E-4"),
        (9999999.0, "9999999.0"),
        (1e7, "1.0E7"),
        (123456789.0, "1.23456789E8"),
        (1.234e-5, "1.234E-5"),
        (0.1 + 0.2, "0.30000000000000004"),
        (0.0, "0.0"),
        (-0.0, "-0.0"),
        (float("nan"), "NaN"),
        (float("-inf"), "-Infinity"),
    ],
)
def test_java_double(x: float, text: str) -> None:
    assert java_double(x) == text


def test_es_text() -> None:
    assert es_text(None) == "null"
    assert es_text([1.0, "a", True]) == "[1.0, a, true]"
    assert es_text(18446744073709551615) == "18446744073709551615"
