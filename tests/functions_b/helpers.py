"""Calling part B's implementations directly on small Polars frames."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from esqlsh.analysis.types import DataType
from esqlsh.engine.compiled import Col, physical
from esqlsh.plan.logical import TemporalAmount
from tests.functions_a.helpers import call as evaluate

T = DataType


@dataclass
class Outcome:
    values: list[Any]
    failures: list[str | None]  # per row: the first failure message, or None
    col: Col

    @property
    def value(self) -> Any:
        assert len(self.values) == 1
        return self.values[0]

    @property
    def failure(self) -> str | None:
        assert len(self.failures) == 1
        return self.failures[0]


def series(name: str, values: list[Any], t: DataType, multi: bool = False) -> pl.Series:
    dtype = physical(t)
    if isinstance(dtype, pl.Datetime):
        raw = pl.Series(name, values, dtype=pl.List(pl.Int64) if multi else pl.Int64)
        return raw.cast(pl.List(dtype) if multi else dtype)
    return pl.Series(name, values, dtype=pl.List(dtype) if multi else dtype)


def const(value: Any, t: DataType) -> Col:
    """A constant argument, as the executor hands it over after folding."""
    if isinstance(value, TemporalAmount) or value is None:
        return Col(pl.lit(None, dtype=physical(t) if t in _PHYSICAL else pl.Null()), t, value=value)
    dtype = physical(t)
    if isinstance(value, list):
        return Col(pl.lit(value, dtype=pl.List(dtype)), t, multi=True, value=value)
    if isinstance(dtype, pl.Datetime):
        return Col(pl.lit(value, dtype=pl.Int64).cast(dtype), t, value=value)
    return Col(pl.lit(value, dtype=dtype), t, value=value)


_PHYSICAL = {t for t in DataType if t not in (T.DATE_PERIOD, T.TIME_DURATION, T.SOURCE)}


def ref(name: str, t: DataType, multi: bool = False) -> Col:
    return Col(pl.col(name), t, multi=multi)


def call(name: str, frame: pl.DataFrame, args: list[Col]) -> Outcome:
    """Compile ``name`` over ``args``, evaluate it and its failure checks on
    ``frame`` (with a fixed NOW())."""
    done = evaluate(name, frame, args, now_millis=1_700_000_000_000)
    return Outcome(done.values, done.failures, done.col)


def unary(name: str, values: list[Any], t: DataType, multi: bool = False) -> Outcome:
    frame = pl.DataFrame([series("v", values, t, multi)])
    return call(name, frame, [ref("v", t, multi)])


def columns(
    name: str, *cols: tuple[list[Any], DataType] | tuple[list[Any], DataType, bool] | Col
) -> Outcome:
    """``name`` over columns given as (values, type[, multi]) or ready ``Col``s."""
    data = []
    args = []
    for i, c in enumerate(cols):
        if isinstance(c, Col):
            args.append(c)
            continue
        multi = len(c) > 2 and bool(c[2])
        data.append(series(f"c{i}", c[0], c[1], multi))
        args.append(ref(f"c{i}", c[1], multi))
    frame = pl.DataFrame(data) if data else pl.DataFrame({"_": [0]})
    return call(name, frame, args)
