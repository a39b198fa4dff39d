"""Calling function implementations directly on small Polars frames."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from esqlsh.analysis.types import DataType
from esqlsh.engine.compiled import Col, EvalContext, load_impls, physical
from esqlsh.plan.logical import TemporalAmount
from esqlsh.syntax.ast import Source

T = DataType


@dataclass
class Outcome:
    values: list[Any]
    # per row: the first failure message, or None
    failures: list[str | None]
    treated_as: list[str]
    col: Col


def column(name: str, values: list[Any], t: DataType, multi: bool = False) -> pl.Series:
    dtype = physical(t)
    if isinstance(dtype, pl.Datetime):
        raw = pl.Series(name, values, dtype=pl.List(pl.Int64) if multi else pl.Int64)
        return raw.cast(pl.List(dtype) if multi else dtype)
    return pl.Series(name, values, dtype=pl.List(dtype) if multi else dtype)


def const(value: Any, t: DataType) -> Col:
    """A constant argument, as the executor's folding hands it over."""
    if isinstance(value, TemporalAmount) or value is None:
        return Col(pl.lit(None), t, value=value)
    dtype = physical(t)
    if isinstance(value, list):
        return Col(pl.lit(value, dtype=pl.List(dtype)), t, multi=True, value=value)
    if isinstance(dtype, pl.Datetime):
        return Col(pl.lit(value, dtype=pl.Int64).cast(dtype), t, value=value)
    return Col(pl.lit(value, dtype=dtype), t, value=value)


def call(name: str, frame: pl.DataFrame, args: list[Col], now_millis: int = 0) -> Outcome:
    """Compile ``name`` over ``args`` and evaluate it (and its failure checks)
    on ``frame``. Part B's helpers evaluate through this too."""
    ctx = EvalContext(source=Source.synthetic(name), now_millis=now_millis)
    col = load_impls()[name](args, ctx)
    exprs = [col.expr.alias("out")]
    for i, check in enumerate(ctx.checks):
        message = pl.lit(check.message) if isinstance(check.message, str) else check.message
        exprs.append(pl.when(check.mask.fill_null(False)).then(message).alias(f"m{i}"))
    if frame.width == 0:
        frame = pl.DataFrame({"_": [0]})
    out = frame.select(exprs)
    failures = []
    for row in out.iter_rows(named=True):
        messages = [row[f"m{i}"] for i in range(len(ctx.checks)) if row[f"m{i}"] is not None]
        failures.append(messages[0] if messages else None)
    return Outcome(out["out"].to_list(), failures, [c.treated_as for c in ctx.checks], col)


def ref(name: str, t: DataType, multi: bool = False) -> Col:
    return Col(pl.col(name), t, multi=multi)


def unary(name: str, values: list[Any], t: DataType, multi: bool = False) -> Outcome:
    frame = pl.DataFrame([column("v", values, t, multi)])
    return call(name, frame, [ref("v", t, multi)])


def binary(name: str, left: list[Any], lt: DataType, right: list[Any], rt: DataType) -> Outcome:
    frame = pl.DataFrame([column("a", left, lt), column("b", right, rt)])
    return call(name, frame, [ref("a", lt), ref("b", rt)])


def aggregate(
    name: str,
    groups: list[Any],
    values: list[Any],
    t: DataType,
    multi: bool = False,
    extra: list[Col] | None = None,
) -> tuple[dict[Any, Any], Any, list[str | None]]:
    """(result per group, result over all rows, failure message per group)."""
    frame = pl.DataFrame([pl.Series("g", groups), column("v", values, t, multi)])
    ctx = EvalContext(source=Source.synthetic(name))
    col = load_impls()[name]([ref("v", t, multi), *(extra or [])], ctx)
    exprs = [col.expr.alias("out")]
    for i, check in enumerate(ctx.checks):
        message = pl.lit(check.message) if isinstance(check.message, str) else check.message
        exprs.append(pl.when(check.mask.fill_null(False)).then(message).alias(f"m{i}"))
    grouped = frame.group_by("g", maintain_order=True).agg(exprs)
    per_group = dict(zip(grouped["g"].to_list(), grouped["out"].to_list(), strict=True))
    failures = [
        next((row[f"m{i}"] for i in range(len(ctx.checks)) if row[f"m{i}"]), None)
        for row in grouped.iter_rows(named=True)
    ]
    overall = frame.select(col.expr.alias("out"))["out"].to_list()[0]
    return per_group, overall, failures
