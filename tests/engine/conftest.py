"""Engine test fixtures: test-only functions (named ``t_*``, registered for the
duration of a test so they never clash with, or leak into, the real registry) and
helpers to build plans by hand."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import polars as pl
import pytest

from esqlsh.analysis import registry
from esqlsh.analysis.registry import Param, declare
from esqlsh.analysis.types import DataType as T
from esqlsh.engine.compiled import IMPLS, Col, EvalContext, load_impls
from esqlsh.plan.logical import Attribute, FnCall, Lit, Ref, TExpr
from esqlsh.syntax.ast import Source

ANY = frozenset(T)
DIV_BY_ZERO = "java.lang.ArithmeticException: / by zero"


def _add(args: list[Col], ctx: EvalContext) -> Col:
    return Col(args[0].expr + args[1].expr, args[0].type)


def _div(args: list[Col], ctx: EvalContext) -> Col:
    a, b = args[0].expr, args[1].expr
    ctx.fail_when(b == 0, DIV_BY_ZERO)
    return Col(pl.when(b != 0).then(a // b), args[0].type)


def _gt(args: list[Col], ctx: EvalContext) -> Col:
    return Col(args[0].expr > args[1].expr, T.BOOLEAN)


def _bad(args: list[Col], ctx: EvalContext) -> Col:
    """Fails on negative values, with the value in the message."""
    x = args[0].expr
    ctx.fail_when(x < 0, pl.format("java.lang.IllegalArgumentException: bad [{}]", x))
    return Col(pl.when(x >= 0).then(x), args[0].type)


def _mv_count(args: list[Col], ctx: EvalContext) -> Col:
    a = args[0]
    expr = a.expr.list.len() if a.multi else pl.when(a.expr.is_not_null()).then(pl.lit(1))
    return Col(expr.cast(pl.Int32), T.INTEGER)


def _values_of(col: Col) -> pl.Expr:
    return col.expr.explode() if col.multi else col.expr


def _count(args: list[Col], ctx: EvalContext) -> Col:
    return Col(_values_of(args[0]).count().cast(pl.Int64), T.LONG)


def _sum(args: list[Col], ctx: EvalContext) -> Col:
    values = _values_of(args[0])
    return Col(pl.when(values.count() > 0).then(values.sum()).cast(pl.Int64), T.LONG)


def _values(args: list[Col], ctx: EvalContext) -> Col:
    return Col(
        _values_of(args[0]).drop_nulls().unique(maintain_order=True), args[0].type, multi=True
    )


def _percentile(args: list[Col], ctx: EvalContext) -> Col:
    assert args[1].is_const
    return Col(_values_of(args[0]).quantile(args[1].value / 100), T.DOUBLE)


_TEST_FUNCTIONS = {
    "t_add": ("scalar", _add, False, 2),
    "t_div": ("scalar", _div, False, 2),
    "t_gt": ("scalar", _gt, False, 2),
    "t_bad": ("scalar", _bad, False, 1),
    "t_mv_count": ("scalar", _mv_count, True, 1),
    "t_count": ("aggregate", _count, True, 1),
    "t_sum": ("aggregate", _sum, True, 1),
    "t_values": ("aggregate", _values, True, 1),
    "t_percentile": ("aggregate", _percentile, True, 2),
}


@pytest.fixture(autouse=True)
def test_functions() -> Iterator[None]:
    # Engine tests use only t_* functions: a function module that does not import
    # (work in progress elsewhere) must not fail them.
    with contextlib.suppress(Exception):
        load_impls()
    with contextlib.suppress(Exception):
        registry.all_functions()
    for name, (kind, impl, multivalue, arity) in _TEST_FUNCTIONS.items():
        params = [
            Param(f"p{i}", ANY, constant=(name == "t_percentile" and i == 1)) for i in range(arity)
        ]
        declare(name, kind, params, T.LONG, "test only", multivalue=multivalue)  # type: ignore[arg-type]
        IMPLS[name] = impl
    yield
    for name in _TEST_FUNCTIONS:
        registry.REGISTRY.pop(name, None)
        IMPLS.pop(name, None)


# ------------------------------------------------------------------ plan helpers


def src(text: str, line: int = 1, column: int = 1) -> Source:
    return Source(line, column, 0, len(text), text)


def lit(value: object, t: T) -> Lit:
    return Lit(value, t)


def ref(name: str, t: T) -> Ref:
    return Ref(name, t)


def call(name: str, *args: TExpr, t: T, text: str = "", line: int = 1, column: int = 1) -> FnCall:
    return FnCall(name, tuple(args), t, source=src(text or name, line, column))


def count_star(text: str = "COUNT(*)") -> FnCall:
    return FnCall("count", (), T.LONG, star=True, source=src(text))


def schema(*pairs: tuple[str, T]) -> tuple[Attribute, ...]:
    return tuple(Attribute(n, t) for n, t in pairs)
