"""Helpers shared by the math, string, date, ip and multi-value implementations.

- ``scalar``: registers an implementation that returns null (of the declared
  return type) when any argument has the ``null`` type, as Elasticsearch's
  evaluators do, and wraps a returned ``pl.Expr`` in a ``Col``;
- ``failing``: null where a failure condition holds, recording the warning;
- numeric views (``as_f64``), the ``Col`` helpers for multi-values (``as_list``,
  ``empty_to_null``) and ``per_distinct``, the one sanctioned escape to Python
  for work Polars has no expression for (hashes), run once per distinct value.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import polars as pl

from esqlsh.analysis.registry import lookup
from esqlsh.analysis.types import DataType
from esqlsh.engine.compiled import Col, EvalContext, implements, null_col, physical
from esqlsh.errors import EsqlError

D = DataType
Body = Callable[[list[Col], EvalContext, DataType], "pl.Expr | Col"]

INT_MIN, INT_MAX = -(2**31), 2**31 - 1
LONG_MIN, LONG_MAX = -(2**63), 2**63 - 1
UL_MAX = 2**64 - 1
MAX_BYTES = 1024 * 1024  # ES's limit on strings built by CONCAT, REPEAT, SPACE …


class InvalidArgumentError(EsqlError):
    """Elasticsearch's ``InvalidArgumentException``: a constant argument that cannot
    work (``invalid unit format for [...]``), raised before any row is read."""

    type = "invalid_argument_exception"
    status = 400


def return_type(name: str, args: Sequence[Col]) -> DataType:
    """The declared return type of ``name`` for these arguments."""
    fn = lookup(name)
    assert fn is not None, name
    return fn.return_type([a.type for a in args])


def scalar(*names: str, nulls: bool = True) -> Callable[[Body], Body]:
    """Register ``body`` for ``names``. With ``nulls`` (the default) a ``null``-typed
    argument, or a constant null of any type (a multi-valued constant reduced to null),
    makes the whole result null without calling ``body``."""

    def register(body: Body) -> Body:
        for name in names:
            implements(name)(_wrap(name, body, nulls))
        return body

    return register


def _wrap(name: str, body: Body, nulls: bool) -> Callable[[list[Col], EvalContext], Col]:
    def impl(args: list[Col], ctx: EvalContext) -> Col:
        t = return_type(name, args)
        if nulls and any(a.type is D.NULL or (a.is_const and a.value is None) for a in args):
            return null_col(t)
        out = body(args, ctx, t)
        return out if isinstance(out, Col) else Col(out, t)

    impl.__name__ = f"impl_{name}"
    impl.__module__ = body.__module__  # where the function is implemented
    return impl


def typed_null(t: DataType) -> pl.Expr:
    return pl.lit(None, dtype=physical(t))


def failing(ctx: EvalContext, mask: pl.Expr, message: pl.Expr | str, value: pl.Expr) -> pl.Expr:
    """``value``, null where ``mask`` holds; the rows where it holds get a warning."""
    mask = mask.fill_null(False)
    ctx.fail_when(mask, message)
    return pl.when(mask).then(None).otherwise(value)


def arithmetic(message: str) -> str:
    return f"java.lang.ArithmeticException: {message}"


def illegal(message: str) -> str:
    return f"java.lang.IllegalArgumentException: {message}"


def as_f64(col: Col) -> pl.Expr:
    """The values as doubles (unsigned longs included), as ES's ``Cast.cast``."""
    return col.expr.cast(pl.Float64)


def divide(a: pl.Expr, b: pl.Expr) -> pl.Expr:
    """IEEE ``a / b`` for doubles, as Java divides.

    Polars divides a column by a *scalar* by multiplying with its reciprocal
    (``19.0 / 10`` gives ``1.9000000000000001``), and a broadcast (``repeat``) still
    counts as a scalar, as does ``b`` masked where ``a`` is null (simplified when
    ``a`` has no nulls). Adding a zero that depends on ``a`` (``|sign(a)| * 0``:
    +0 for an infinite ``a`` too, NaN only where ``a`` is, which makes the
    quotient NaN anyway) makes the divisor a column, so the division is true: far
    cheaper than a materialised ``int_range`` zero, which made a 10M-row EVAL
    division several times slower."""
    return a / (b + a.sign().abs() * 0.0)


def java_double(value: pl.Expr) -> pl.Expr:
    """Java's ``Double.toString`` for the special values and plain numbers as Polars
    prints them; used only in warning texts."""
    return (
        pl.when(value.is_nan())
        .then(pl.lit("NaN"))
        .when(value == float("inf"))
        .then(pl.lit("Infinity"))
        .when(value == float("-inf"))
        .then(pl.lit("-Infinity"))
        .otherwise(value.cast(pl.String))
    )


def finite(ctx: EvalContext, value: pl.Expr) -> pl.Expr:
    """ES's ``NumericUtils.asFiniteNumber``: NaN and infinities fail with
    ``not a finite double number: <value>``."""
    bad = value.is_nan() | value.is_infinite()
    message = pl.format(
        "{}: {}", pl.lit(arithmetic("not a finite double number")), java_double(value)
    )
    return failing(ctx, bad, message, value)


# ------------------------------------------------------------------ multi-values


def as_list(col: Col) -> pl.Expr:
    """``col`` as a list per row (a single value becomes a one-element list; null
    stays null)."""
    if col.multi:
        return col.expr
    dtype = physical(col.type)
    return pl.when(col.expr.is_null()).then(None).otherwise(pl.concat_list(col.expr.cast(dtype)))


def empty_to_null(expr: pl.Expr) -> pl.Expr:
    """A list expression with empty lists replaced by null (ES never has empty
    multi-values)."""
    return pl.when(expr.list.len() == 0).then(None).otherwise(expr)


def scalar_arg(col: Col) -> pl.Expr:
    """A parameter that should be single-valued in a multi-value function (a
    start index, a delimiter): a multi-value becomes null."""
    if not col.multi:
        return col.expr
    return pl.when(col.expr.list.len() == 1).then(col.expr.list.first())


# ----------------------------------------------------------- per distinct value


def per_distinct(expr: pl.Expr, fn: Callable[[Any], Any], dtype: pl.DataType) -> pl.Expr:
    """Apply the Python ``fn`` to each *distinct* non-null value of ``expr``.

    Only for work Polars has no expression for (MD5, SHA …): the cost is one
    Python call per distinct value, not per row."""

    def apply(series: pl.Series) -> pl.Series:
        distinct = series.drop_nulls().unique(maintain_order=True)
        mapped = pl.Series("v", [fn(v) for v in distinct.to_list()], dtype=dtype)
        table = pl.DataFrame({"k": distinct, "v": mapped})
        keys = series.alias("k").to_frame()
        return keys.join(table, on="k", how="left", maintain_order="left")["v"]

    return expr.map_batches(apply, return_dtype=dtype)
