"""CASE, COALESCE, GREATEST and LEAST on Polars.

They take multi-values whole. CASE and COALESCE pass a multi-valued value through
(single values are wrapped as one-element lists when another branch is a list);
a multi-valued CASE condition counts as false with Elasticsearch's warning
(``treating result as false``). GREATEST/LEAST compare every value of every
argument, in Elasticsearch's order for the type (ips and versions by key).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import reduce

import polars as pl

from esqlsh.analysis.functions._common import common_of, no_text
from esqlsh.analysis.functions.conditional import clamp_type
from esqlsh.analysis.types import DataType
from esqlsh.engine.compiled import Col, EvalContext, implements, physical
from esqlsh.engine.expressions import MULTI_VALUE_MESSAGE
from esqlsh.engine.functions._common import as_type, null_of, order_expr, out_of_range

T = DataType


def result_type(cols: list[Col]) -> DataType:
    return no_text(common_of([c.type for c in cols]) or cols[0].type)


def _dtype(t: DataType) -> pl.DataType:
    try:
        return physical(t)
    except KeyError:
        return pl.Null()


def _typed_list_null(t: DataType) -> pl.Expr:
    return pl.lit(None, dtype=pl.List(_dtype(t)))


def as_list(col: Col, t: DataType) -> pl.Expr:
    """``col`` as a list column of ``t`` (a single value becomes a one-element
    list; null stays null)."""
    if col.type is T.NULL:
        return _typed_list_null(t)
    if col.multi:
        return col.expr.cast(pl.List(_dtype(t)))
    expr = as_type(col, t)
    return pl.when(expr.is_not_null()).then(pl.concat_list([expr]))


def _unify(cols: list[Col], t: DataType) -> tuple[list[pl.Expr], bool]:
    """The value expressions of ``cols`` in one physical form: all lists if any is."""
    if any(c.multi for c in cols):
        return [as_list(c, t) for c in cols], True
    return [as_type(c, t) for c in cols], False


# -------------------------------------------------------------------------- CASE


def _condition(col: Col, ctx: EvalContext) -> pl.Expr:
    """A condition as a non-null boolean; a multi-value is false, with a warning."""
    if col.type is T.NULL:
        return pl.lit(False)
    if not col.multi:
        return col.expr.fill_null(False)
    count = col.expr.list.len()
    ctx.fail_when(count > 1, MULTI_VALUE_MESSAGE, treated_as="false")
    return pl.when(count == 1).then(col.expr.list.first()).otherwise(False).fill_null(False)


def _constant_truth(col: Col) -> bool | None:
    """True/False for a constant single-valued condition, None otherwise."""
    if not col.is_const:
        return None
    value = col.value
    if isinstance(value, list):
        if len(value) != 1:
            return None
        value = value[0]
    return bool(value) if value is not None else False


def _branches(args: list[Col]) -> tuple[list[tuple[Col, Col]], Col | None]:
    pairs = [(args[i], args[i + 1]) for i in range(0, len(args) - 1, 2)]
    default = args[-1] if len(args) % 2 == 1 else None
    return pairs, default


@implements("case")
def case(args: list[Col], ctx: EvalContext) -> Col:
    pairs, default = _branches(args)
    values = [v for _, v in pairs] + ([default] if default is not None else [])
    t = result_type(values)
    # Constant conditions pick their branch now (that is also how a CASE of
    # date_period/time_duration values folds to a constant).
    live: list[tuple[Col, Col]] = []
    for cond, value in pairs:
        truth = _constant_truth(cond)
        if truth is False:
            continue
        if truth is True:
            default = value  # every row reaching this branch takes it
            break
        live.append((cond, value))
    if not live:
        return _retyped(default, t) if default is not None else Col(null_of(t), t, value=None)
    exprs, multi = _unify([v for _, v in live] + ([default] if default is not None else []), t)
    conditions = [_condition(c, ctx) for c, _ in live]
    otherwise = exprs[-1] if default is not None else _typed_list_null(t) if multi else null_of(t)
    out = otherwise
    # built from the last branch back, so the first true condition wins
    for test, expr in reversed(list(zip(conditions, exprs[: len(live)], strict=True))):
        out = pl.when(test).then(expr).otherwise(out)
    return Col(out, t, multi=multi)


def _retyped(col: Col, t: DataType) -> Col:
    if col.type is T.NULL:
        return Col(null_of(t), t, value=None)
    if col.type is t or col.type in (T.DATE_PERIOD, T.TIME_DURATION):
        return (
            Col(col.expr, t, multi=col.multi, value=col.value)
            if col.is_const
            else Col(col.expr, t, multi=col.multi)
        )
    expr = as_type(col, t) if not col.multi else col.expr.cast(pl.List(_dtype(t)))
    return Col(expr, t, multi=col.multi)


# ---------------------------------------------------------------------- COALESCE


@implements("coalesce")
def coalesce(args: list[Col], ctx: EvalContext) -> Col:
    present = [a for a in args if a.type is not T.NULL]
    t = result_type(args)
    if not present:
        return Col(null_of(t), t, value=None)
    exprs, multi = _unify(present, t)
    if len(exprs) == 1:
        return Col(exprs[0], t, multi=multi)
    return Col(pl.coalesce(exprs), t, multi=multi)


# ------------------------------------------------------------- GREATEST / LEAST


def _extreme_of_list(expr: pl.Expr, t: DataType, pick_max: bool) -> pl.Expr:
    """The greatest (or least) value of a list column, in ES order for ``t``."""
    if t in (T.IP, T.VERSION):
        element = pl.element()
        ordered = expr.list.eval(element.sort_by(order_expr(element, t)))
        return ordered.list.last() if pick_max else ordered.list.first()
    return expr.list.max() if pick_max else expr.list.min()


def _extreme(pick_max: bool) -> Callable[[list[Col], EvalContext], Col]:
    def impl(args: list[Col], ctx: EvalContext) -> Col:
        t = result_type(args)
        if any(a.type is T.NULL for a in args):
            return Col(null_of(t), t, value=None)
        values = []
        for a in args:
            expr = as_type(a, t) if not a.multi else a.expr.cast(pl.List(_dtype(t)))
            values.append(_extreme_of_list(expr, t, pick_max) if a.multi else expr)
        if len(values) == 1:
            return Col(values[0], t)

        def better(acc: pl.Expr, nxt: pl.Expr) -> pl.Expr:
            ka, kn = order_expr(acc, t), order_expr(nxt, t)
            wins = kn > ka if pick_max else kn < ka
            return pl.when(wins).then(nxt).otherwise(acc)

        out = reduce(better, values)
        any_null = reduce(lambda x, y: x | y, [v.is_null() for v in values])
        return Col(pl.when(~any_null).then(out), t)

    return impl


implements("greatest")(_extreme(True))
implements("least")(_extreme(False))


# ------------------------------------------------------------------------ CLAMP


def _bound(pick_max: bool) -> Callable[[pl.Expr, pl.Expr, DataType], pl.Expr]:
    """Elasticsearch's ClampMin (``pick_max``: the larger of value and bound) or
    ClampMax (the smaller), comparing in the type's order (ips and versions by key,
    false before true)."""

    def bound(value: pl.Expr, limit: pl.Expr, t: DataType) -> pl.Expr:
        kv, kl = order_expr(value, t), order_expr(limit, t)
        beyond = kv < kl if pick_max else kv > kl
        return (
            pl.when(value.is_null() | limit.is_null())
            .then(null_of(t))
            .when(beyond)
            .then(limit)
            .otherwise(value)
        )

    return bound


_clamp_min = _bound(True)
_clamp_max = _bound(False)


Bound = Callable[[pl.Expr, pl.Expr, DataType], pl.Expr]


def _clamp(ops: tuple[Bound, ...]) -> Callable[[list[Col], EvalContext], Col]:
    def impl(args: list[Col], ctx: EvalContext) -> Col:
        t = clamp_type([a.type for a in args])
        if any(a.type is T.NULL for a in args):
            return Col(null_of(t), t, value=None)
        out = _narrowed(args[0], t, ctx)
        for op, limit in zip(ops, args[1:], strict=True):
            out = op(out, _narrowed(limit, t, ctx), t)
        return Col(out, t)

    return impl


def _narrowed(col: Col, t: DataType, ctx: EvalContext) -> pl.Expr:
    """``col`` in CLAMP's computing type. An unsigned_long computed as a long (the
    last of equally wide types wins) can be out of range: null and Elasticsearch's
    range warning, as its cast does, instead of a failing strict cast."""
    if col.type is T.UNSIGNED_LONG and t is T.LONG:
        too_big = col.expr > pl.lit(2**63 - 1, dtype=pl.UInt64)
        ctx.fail_when(too_big, out_of_range(col.expr.cast(pl.String), "long"))
        return pl.when(too_big).then(None).otherwise(col.expr).cast(pl.Int64, strict=False)
    if t is T.UNSIGNED_LONG and col.type in (T.INTEGER, T.LONG):
        negative = col.expr < 0
        ctx.fail_when(negative, out_of_range(col.expr.cast(pl.String), "unsigned_long"))
        return pl.when(negative).then(None).otherwise(col.expr).cast(pl.UInt64, strict=False)
    return as_type(col, t)


implements("clamp")(_clamp((_clamp_min, _clamp_max)))
implements("clamp_min")(_clamp((_clamp_min,)))
implements("clamp_max")(_clamp((_clamp_max,)))
