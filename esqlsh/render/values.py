"""A result's cells as Elasticsearch's ``_query`` API returns them.

Elasticsearch turns each cell into a JSON value (``ResponseValueUtils.valueAt``):
dates as ``strict_date_optional_time`` text (``1953-09-02T00:00:00.000Z``),
date_nanos as ``strict_date_optional_time_nanos`` (3 to 9 fraction digits, trailing
zeros dropped), ip/version/keyword/text/spatial as strings, numbers and booleans as
themselves, null as null. A multi-valued cell is a list, except that a one-value
cell is the bare value. The text formats (``csv``, ``txt`` …) print those same
objects with Java's ``Objects.toString``: :func:`es_text` reproduces it.

Column conversions run as Polars expressions; Python touches each cell only when
materialising the values (which is what a JSON answer is).
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from esqlsh.analysis.types import DataType

if TYPE_CHECKING:
    import polars as pl

    from esqlsh.engine.result import Result

_NANOS_FORMAT = "%Y-%m-%dT%H:%M:%S%.9fZ"
# Java's appendFraction(NANO_OF_SECOND, 3, 9): at least 3 digits, trailing zeros cut.
_NANOS_TRIM = (r"^(.*\.\d{3}(?:\d*[1-9])?)0*Z$", "${1}Z")


def to_es_values(result: Result) -> list[list[Any]]:
    """Rows of JSON-ready values, exactly as ES's ``_query`` JSON ``values``."""
    columns = to_columnar(result)
    if not columns:
        return [[] for _ in range(result.frame.height)]
    return [list(row) for row in zip(*columns, strict=True)]


def to_columnar(result: Result) -> list[list[Any]]:
    """The same values column by column (ES's ``columnar=true`` ``values``)."""
    import polars as pl

    frame = result.frame
    exprs = [
        _column_expr(attr.type, pl.nth(i), frame.dtypes[i]).alias(f"c{i}")
        for i, attr in enumerate(result.columns)
    ]
    converted = frame.select(exprs) if exprs else frame.clear()
    return [_column_values(series) for series in converted.iter_columns()]


def es_response(result: Result, *, columnar: bool = False) -> dict[str, Any]:
    """The body of Elasticsearch's ``_query`` answer for ``result``; a cross-cluster
    result adds ``_clusters`` when it should show it (``FederatedResult``)."""
    body: dict[str, Any] = {
        "took": result.took_ms,
        "is_partial": result.is_partial,
        "columns": [{"name": a.name, "type": a.type.es_name} for a in result.columns],
        "values": to_columnar(result) if columnar else to_es_values(result),
    }
    if getattr(result, "shows_clusters", False):
        body["_clusters"] = result.clusters_json()  # type: ignore[attr-defined]
    return body


# ------------------------------------------------------------------ column conversion


def _column_expr(t: DataType, expr: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    import polars as pl

    if isinstance(dtype, pl.List):
        inner = dtype.inner
        assert isinstance(inner, pl.DataType)
        converted = expr.list.eval(_value_expr(t, pl.element(), inner))
        # Elasticsearch never answers an empty multi-value: no values is null.
        return pl.when(expr.list.len() > 0).then(converted)
    return _value_expr(t, expr, dtype)


def _value_expr(t: DataType, expr: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    import polars as pl

    if isinstance(dtype, pl.Null):
        return expr
    if t in (DataType.NULL, DataType.UNSUPPORTED):
        # Elasticsearch answers null for fields of unsupported types.
        return pl.when(pl.lit(False)).then(expr)
    if t is DataType.DATETIME:
        from esqlsh.engine.functions._common import format_iso_millis

        # (any long of millis, beyond the years Polars' strftime can print)
        return format_iso_millis(_utc(expr, dtype, "ms"))
    if t is DataType.DATE_NANOS:
        text = _utc(expr, dtype, "ns").dt.strftime(_NANOS_FORMAT)
        return text.str.replace(*_NANOS_TRIM)
    if isinstance(dtype, pl.Float32):
        return expr.cast(pl.Float64)
    return expr


def _utc(expr: pl.Expr, dtype: pl.DataType, unit: Literal["ms", "ns"]) -> pl.Expr:
    """``expr`` as a UTC datetime, whatever form the engine left it in."""
    import polars as pl

    if isinstance(dtype, pl.Datetime):
        if dtype.time_zone is None:
            return expr.dt.replace_time_zone("UTC")
        return expr.dt.convert_time_zone("UTC")
    if dtype.is_integer():
        return pl.from_epoch(expr, time_unit=unit).dt.replace_time_zone("UTC")
    return expr


def _column_values(series: pl.Series) -> list[Any]:
    import polars as pl

    values = series.to_list()
    if isinstance(series.dtype, pl.List):
        # A Polars column cannot mix scalars and lists, so the one-value-is-a-scalar
        # rule of Elasticsearch's answer is applied while materialising.
        return [v[0] if v is not None and len(v) == 1 else v for v in values]
    return values


# ------------------------------------------------------------------ Java text forms


def java_double(x: float) -> str:
    """``Double.toString``: ``1.0``, ``0.001``, ``1.0E7``, ``1.234E-5``, ``NaN``."""
    if x != x:
        return "NaN"
    if x in (float("inf"), float("-inf")):
        return "Infinity" if x > 0 else "-Infinity"
    if x == 0:
        return "-0.0" if str(x).startswith("-") else "0.0"
    sign = "-" if x < 0 else ""
    magnitude = abs(x)
    digits_t, exponent = _shortest_digits(magnitude)
    digits = "".join(map(str, digits_t))
    if 1e-3 <= magnitude < 1e7:
        text = format(Decimal(f"{digits}E{exponent}"), "f")
        return sign + (text if "." in text else text + ".0")
    sci_exp = len(digits) + exponent - 1
    mantissa = digits[0] + "." + (digits[1:] or "0")
    return f"{sign}{mantissa}E{sci_exp}"


def _shortest_digits(magnitude: float) -> tuple[tuple[int, ...], int]:
    """The shortest round-tripping decimal digits of a positive float (Python's
    ``repr`` and Java 19+'s ``Double.toString`` both choose them), zeros trimmed."""
    _, digits, exponent = Decimal(repr(magnitude)).normalize().as_tuple()
    assert isinstance(exponent, int)
    return tuple(digits), exponent


def es_text(value: Any) -> str:
    """Java's ``Objects.toString`` of an ES response value: what ``format=txt``
    prints. Lists are ``[a, b]``; null is ``null``; doubles are Java's."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return java_double(value)
    if isinstance(value, list):
        return "[" + ", ".join(es_text(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={es_text(v)}" for k, v in value.items()) + "}"
    return str(value)
