"""A small hand-built result covering the types and shapes renderers must handle."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from esqlsh.analysis.types import DataType as T
from esqlsh.engine.result import Result
from esqlsh.plan.logical import Attribute

UTC = dt.UTC


def sample_result() -> Result:
    columns = (
        Attribute("name", T.KEYWORD),
        Attribute("age", T.INTEGER),
        Attribute("big", T.UNSIGNED_LONG),
        Attribute("salary", T.DOUBLE),
        Attribute("ok", T.BOOLEAN),
        Attribute("born", T.DATETIME),
        Attribute("seen", T.DATE_NANOS),
        Attribute("ip", T.IP),
        Attribute("langs", T.KEYWORD),
        Attribute("note", T.TEXT),
    )
    frame = pl.DataFrame(
        [
            pl.Series("name", ["Georgi", None, "Zoë"], pl.String),
            pl.Series("age", [42, 7, None], pl.Int32),
            pl.Series("big", [18446744073709551615, 0, None], pl.UInt64),
            pl.Series("salary", [1.0, 12345678.5, None], pl.Float64),
            pl.Series("ok", [True, None, False], pl.Boolean),
            pl.Series(
                "born",
                [
                    dt.datetime(1953, 9, 2, tzinfo=UTC),
                    None,
                    dt.datetime(2023, 1, 1, 12, 30, 5, 250000, tzinfo=UTC),
                ],
                pl.Datetime("ms", "UTC"),
            ),
            pl.Series("seen", [1698069301543123456, 1698069301540000000, None], pl.Int64).cast(
                pl.Datetime("ns", "UTC")
            ),
            pl.Series("ip", ["192.168.1.1", "::1", None], pl.String),
            pl.Series("langs", [["en", "fr"], ["de"], None], pl.List(pl.String)),
            pl.Series("note", ['say "hi", then\tgo', "two\nlines", "a|b"], pl.String),
        ]
    )
    return Result(columns, frame, warnings=[], took_ms=3)


@pytest.fixture
def result() -> Result:
    return sample_result()
