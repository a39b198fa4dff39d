"""Typed plan expressions (``TExpr``) compiled to Polars expressions (``Col``).

``Lit`` becomes a literal of the type's physical dtype, ``Ref`` a column, and
``FnCall`` whatever the function's implementation (``esqlsh.engine.functions``)
builds. Around the implementation the compiler does what Elasticsearch's
evaluators do for every function:

- arguments of functions that are not ``multivalue`` are reduced to single values
  first: a one-element list gives its element, a longer one gives null and the
  warning ``single-value function encountered multi-value``;
- a call whose arguments are all constants is evaluated once (constant folding),
  so that ``Col.value`` carries the constant to implementations that need one
  (patterns, precisions, BUCKET bounds).

Aggregate calls are not compiled here: the STATS translator replaces them with
references to their computed columns first.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import polars as pl

from esqlsh.analysis import registry
from esqlsh.analysis.types import DataType
from esqlsh.engine.columns import col
from esqlsh.engine.compiled import Col, EvalContext, Impl, load_impls, physical
from esqlsh.errors import QueryExecutionError
from esqlsh.plan.logical import FnCall, Lit, Ref, TemporalAmount, TExpr

MULTI_VALUE_MESSAGE = (
    "java.lang.IllegalArgumentException: single-value function encountered multi-value"
)


def physical_of(t: DataType) -> pl.DataType:
    """The physical dtype of ``t``; types no column holds (date_period …) are Null."""
    try:
        return physical(t)
    except KeyError:
        return pl.Null()


def literal_expr(value: object, t: DataType) -> pl.Expr:
    """A Polars literal holding ``value`` (logical form, see ``Lit``) as type ``t``."""
    dtype = physical_of(t)
    if isinstance(value, TemporalAmount) or value is None:
        return pl.lit(None, dtype=dtype)
    if isinstance(value, (list, tuple)):
        items = list(value)
        if isinstance(dtype, pl.Datetime):
            return pl.lit(items, dtype=pl.List(pl.Int64)).cast(pl.List(dtype))
        return pl.lit(items, dtype=pl.List(dtype))
    if isinstance(dtype, pl.Datetime):
        return pl.lit(value, dtype=pl.Int64).cast(dtype)
    return pl.lit(value, dtype=dtype)


def literal(value: object, t: DataType) -> Col:
    """A constant column (``Col.value`` set)."""
    multi = isinstance(value, (list, tuple))
    logical = list(value) if isinstance(value, (list, tuple)) else value
    return Col(literal_expr(value, t), t, multi=multi, value=logical)


def logical_value(series: pl.Series) -> Any:
    """The first value of ``series`` in the logical form of ``Lit`` (dates as epoch
    integers, multi-values as lists)."""
    dtype = series.dtype
    if isinstance(dtype, pl.Datetime):
        series = series.cast(pl.Int64)
    elif isinstance(dtype, pl.List) and isinstance(dtype.inner, pl.Datetime):
        series = series.cast(pl.List(pl.Int64))
    value = series[0]
    if isinstance(value, pl.Series):
        return value.to_list()
    return value


def is_multi(dtype: pl.DataType) -> bool:
    return isinstance(dtype, pl.List)


def function_def(name: str) -> registry.FunctionDef | None:
    return registry.lookup(name)


def is_aggregate(call: FnCall) -> bool:
    fn = function_def(call.name)
    return call.star or (fn is not None and fn.kind == "aggregate")


def single_valued(col: Col, ctx: EvalContext) -> Col:
    """``col`` reduced to one value per row: a longer list is null, with
    Elasticsearch's multi-value warning (``ctx.source`` must be the call)."""
    if not col.multi:
        return col
    if col.is_const:
        values = col.value
        if values is None:
            return literal(None, col.type)
        if len(values) == 1:
            return literal(values[0], col.type)
        ctx.fail_when(pl.lit(True), MULTI_VALUE_MESSAGE)
        return literal(None, col.type)
    count = col.expr.list.len()
    ctx.fail_when(count > 1, MULTI_VALUE_MESSAGE)
    return Col(pl.when(count == 1).then(col.expr.list.first()), col.type)


def fold(col: Col) -> Col:
    """``col`` with ``value`` set when it evaluates to one constant row."""
    try:
        series = pl.select(col.expr.alias("v")).get_column("v")
    except Exception:  # noqa: BLE001 - left for the real evaluation to report
        return col
    if len(series) != 1:
        return col
    return replace(col, value=logical_value(series))


class ExprCompiler:
    """Compiles expressions over a frame with the given column dtypes; failure
    conditions go to ``ctx.checks``."""

    def __init__(self, schema: Mapping[str, pl.DataType], ctx: EvalContext):
        self.schema = schema
        self.ctx = ctx

    def compile(self, expr: TExpr) -> Col:
        if isinstance(expr, Lit):
            return literal(expr.value, expr.type)
        if isinstance(expr, Ref):
            return self._ref(expr)
        return self._call(expr)

    def _ref(self, ref: Ref) -> Col:
        dtype = self.schema.get(ref.name)
        if dtype is None:
            raise QueryExecutionError(f"column [{ref.name}] is not available to the engine")
        return Col(col(ref.name), ref.type, multi=is_multi(dtype))

    def _call(self, call: FnCall) -> Col:
        if is_aggregate(call):
            raise QueryExecutionError(f"aggregate [{call.source.text or call.name}] outside STATS")
        args = [self.compile(a) for a in call.args]
        return self.apply(call, args)

    def apply(self, call: FnCall, args: list[Col]) -> Col:
        """Run ``call``'s implementation on compiled ``args``."""
        impl = self.impl(call.name)
        fn = function_def(call.name)
        saved = self.ctx.source
        self.ctx.source = call.source
        try:
            if fn is None or not fn.multivalue:
                args = [single_valued(a, self.ctx) for a in args]
            result = impl(args, self.ctx)
        finally:
            self.ctx.source = saved
        if result.type is not call.type and call.type is not DataType.NULL:
            result = replace(result, type=call.type)
        if all(a.is_const for a in args) and not result.is_const:
            result = fold(result)
        return result

    def impl(self, name: str) -> Impl:
        # The implementation modules are imported on the first call compiled, not
        # with the compiler: a query calling no function (ROW a = 1) needs none.
        impl = load_impls().get(name)
        if impl is None:
            raise QueryExecutionError(
                f"function [{name}] is not implemented by the embedded engine"
            )
        return impl
