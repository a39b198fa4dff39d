"""An Elasticsearch ``_query`` answer (Arrow IPC stream or JSON) as a Polars frame in
the engine's physical column forms (``esqlsh.engine.compiled.PHYSICAL``).

What each format carries and how it becomes physical:

- Arrow: each field's ES|QL type is its ``elastic:type`` metadata (inferred from
  the Arrow type when absent). Numbers, booleans and strings arrive as themselves;
  ``date``/``date_nanos`` as timestamps; ``ip`` as the address bytes (4 bytes for
  IPv4, 16 otherwise: Elasticsearch shortens mapped IPv4) → canonical text;
  spatial values as WKB → WKT; multi-valued columns as lists.
- JSON (``columnar``): values as ES prints them — dates as ISO text, ip, version
  and spatial values as text, a multi-value as a JSON array (a single value bare).

A multi-valued column is ``List(<physical>)`` with empty lists made null, as the
engine expects. Conversions run column by column on whole Series; WKB decoding is
Python per distinct value (Polars has no expression for it).
"""

from __future__ import annotations

import io
import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import polars as pl
import pyarrow as pa

from esqlsh.analysis.types import DataType
from esqlsh.clusters.convert import java_double, parse_date_values
from esqlsh.clusters.ip_text import canonical_ips
from esqlsh.engine.compiled import PHYSICAL


class UnreadableAnswer(Exception):
    """The body is not the Arrow stream / JSON document it should be."""


@dataclass
class Table:
    """A result as the transport hands it on."""

    columns: list[tuple[str, DataType]]
    frame: pl.DataFrame


# --- Arrow -----------------------------------------------------------------------


def from_arrow(body: bytes) -> Table:
    """The frame of an Arrow IPC stream (``format=arrow``)."""
    try:
        with pa.ipc.open_stream(io.BytesIO(body)) as reader:
            table = reader.read_all()
    except (pa.ArrowInvalid, pa.ArrowException, OSError) as err:
        raise UnreadableAnswer(f"unreadable Arrow stream: {err}") from None
    columns: list[tuple[str, DataType]] = []
    series: list[pl.Series] = []
    for i, arrow_field in enumerate(table.schema):
        es_type = _arrow_es_type(arrow_field)
        raw = pl.Series(arrow_field.name, table.column(i).combine_chunks())
        columns.append((arrow_field.name, es_type))
        series.append(physical_series(raw, es_type).alias(arrow_field.name))
    return Table(columns, pl.DataFrame(series, height=table.num_rows))


def _arrow_es_type(arrow_field: pa.Field) -> DataType:
    meta = arrow_field.metadata or {}
    name = meta.get(b"elastic:type")
    if name is not None:
        try:
            return DataType(name.decode())
        except ValueError:
            return DataType.UNSUPPORTED
    return _infer_type(arrow_field.type)


def _infer_type(arrow_type: pa.DataType) -> DataType:
    """The ES|QL type an Arrow type most likely carries (no ``elastic:type``)."""
    if pa.types.is_list(arrow_type) or pa.types.is_large_list(arrow_type):
        return _infer_type(arrow_type.value_type)
    checks: list[tuple[Callable[[pa.DataType], bool], DataType]] = [
        (pa.types.is_null, DataType.NULL),
        (pa.types.is_boolean, DataType.BOOLEAN),
        (pa.types.is_int32, DataType.INTEGER),
        (pa.types.is_uint64, DataType.UNSIGNED_LONG),
        (pa.types.is_integer, DataType.LONG),
        (pa.types.is_floating, DataType.DOUBLE),
        (pa.types.is_timestamp, DataType.DATETIME),
        (pa.types.is_string, DataType.KEYWORD),
        (pa.types.is_large_string, DataType.KEYWORD),
        (pa.types.is_binary, DataType.IP),
    ]
    for check, es_type in checks:
        if check(arrow_type):
            if es_type is DataType.DATETIME and arrow_type.unit == "ns":
                return DataType.DATE_NANOS
            return es_type
    return DataType.UNSUPPORTED


# --- JSON ------------------------------------------------------------------------

# The Polars dtype of a type's values as JSON gives them.
_JSON_SOURCE: dict[DataType, pl.DataType] = {
    DataType.INTEGER: pl.Int64(),
    DataType.LONG: pl.Int64(),
    DataType.COUNTER_INTEGER: pl.Int64(),
    DataType.COUNTER_LONG: pl.Int64(),
    DataType.UNSIGNED_LONG: pl.UInt64(),
    DataType.DOUBLE: pl.Float64(),
    DataType.COUNTER_DOUBLE: pl.Float64(),
    DataType.BOOLEAN: pl.Boolean(),
    DataType.NULL: pl.Null(),
    DataType.UNSUPPORTED: pl.Null(),
}


def from_json(body: Any, *, columnar: bool) -> Table:
    """The frame of a JSON ``_query`` answer; ``columnar``: the request asked for
    ``values`` by column (else they are by row)."""
    if not isinstance(body, dict) or not isinstance(body.get("columns"), list):
        raise UnreadableAnswer("the answer has no [columns]")
    try:
        columns = [(str(c["name"]), _json_es_type(c.get("type"))) for c in body["columns"]]
        values = body.get("values") or []
        by_column = _by_column(values, len(columns), columnar)
        series = [
            physical_series(_json_series(name, t, col), t).alias(name)
            for (name, t), col in zip(columns, by_column, strict=True)
        ]
    except (KeyError, TypeError, ValueError, pl.exceptions.PolarsError) as err:
        raise UnreadableAnswer(f"unreadable [values]: {err}") from None
    height = len(by_column[0]) if by_column else 0
    return Table(columns, pl.DataFrame(series, height=height))


def _json_es_type(name: Any) -> DataType:
    try:
        return DataType(str(name))
    except ValueError:
        return DataType.UNSUPPORTED


def _by_column(values: list[Any], width: int, columnar: bool) -> list[list[Any]]:
    if not values:
        return [[] for _ in range(width)]
    if columnar:
        if len(values) != width:
            raise ValueError(f"[{len(values)}] value lists for [{width}] columns")
        return [list(v) for v in values]
    # By row: one transposition (the JSON decoder already made every value).
    return [list(col) for col in zip(*values, strict=True)]


def _json_series(name: str, t: DataType, values: list[Any]) -> pl.Series:
    source = _JSON_SOURCE.get(t, pl.String())
    try:
        return pl.Series(name, values, dtype=source, strict=True)
    except (TypeError, pl.exceptions.PolarsError):
        pass
    # A multi-valued column: JSON gives a lone value bare, the engine wants lists.
    # (One pass over values json.loads already materialised one by one.)
    lists = [v if v is None or isinstance(v, list) else [v] for v in values]
    return pl.Series(name, lists, dtype=pl.List(source), strict=False)


# --- physical forms --------------------------------------------------------------


def physical_series(values: pl.Series, t: DataType) -> pl.Series:
    """``values`` (as a format delivered them) in ``t``'s physical form."""
    target = PHYSICAL.get(t, pl.Null())
    if isinstance(values.dtype, pl.List | pl.Array):
        lists = (
            values.cast(pl.List(values.dtype.inner))
            if isinstance(values.dtype, pl.Array)
            else values
        )
        converted = lists.list.eval(
            pl.element().map_batches(
                lambda flat: convert_values(flat, t), return_dtype=target, is_elementwise=True
            )
        )
        # Elasticsearch never answers an empty multi-value: no values is null.
        v = pl.col(values.name)
        return converted.to_frame().select(pl.when(v.list.len() > 0).then(v)).to_series()
    return convert_values(values, t)


def convert_values(values: pl.Series, t: DataType) -> pl.Series:
    """Single values in their physical form."""
    target = PHYSICAL.get(t, pl.Null())
    dtype = values.dtype
    if isinstance(target, pl.Null) or isinstance(dtype, pl.Null):
        return pl.Series(values.name, [None] * values.len(), dtype=target)
    if t in (DataType.DATETIME, DataType.DATE_NANOS):
        return _dates(values, "ns" if t is DataType.DATE_NANOS else "ms")
    if t is DataType.IP and isinstance(dtype, pl.Binary):
        return ip_text(values)
    if isinstance(dtype, pl.Binary) and t in (
        DataType.GEO_POINT,
        DataType.CARTESIAN_POINT,
        DataType.GEO_SHAPE,
        DataType.CARTESIAN_SHAPE,
    ):
        return _per_distinct(values, wkb_to_wkt)
    if isinstance(dtype, pl.Binary):
        return values.cast(pl.String)
    return values.cast(target, strict=False)


def _dates(values: pl.Series, unit: str) -> pl.Series:
    time_unit: Literal["ns", "ms"] = "ns" if unit == "ns" else "ms"
    target = pl.Datetime(time_unit, "UTC")
    dtype = values.dtype
    if isinstance(dtype, pl.Datetime):
        zoned = (
            values.dt.replace_time_zone("UTC")
            if dtype.time_zone is None
            else values.dt.convert_time_zone("UTC")
        )
        return zoned.cast(target)
    if dtype.is_integer():
        return values.cast(pl.Int64).cast(pl.Datetime(time_unit)).dt.replace_time_zone("UTC")
    return parse_date_values(values.cast(pl.String), unit)


def ip_text(values: pl.Series) -> pl.Series:
    """Address bytes (4 or 16) as canonical text."""
    hexed = values.bin.encode("hex")
    frame = hexed.to_frame("h")
    h = pl.col("h")
    v4 = pl.concat_str(
        [h.str.slice(2 * i, 2).str.to_integer(base=16).cast(pl.String) for i in range(4)],
        separator=".",
    )
    v6 = pl.concat_str([h.str.slice(4 * i, 4) for i in range(8)], separator=":")
    text = frame.select(
        pl.when(h.str.len_bytes() == 8).then(v4).when(h.str.len_bytes() == 32).then(v6)
    ).to_series()
    # canonical_ips compresses IPv6 (RFC 5952) and turns mapped IPv4 into IPv4.
    return canonical_ips(text).rename(values.name)


def _per_distinct(values: pl.Series, fn: Callable[[bytes], str | None]) -> pl.Series:
    distinct = values.drop_nulls().unique()
    mapped = pl.Series([fn(v) for v in distinct], dtype=pl.String)
    return values.replace_strict(distinct, mapped, default=None, return_dtype=pl.String)


# --- WKB → WKT -------------------------------------------------------------------

_WKB_NAMES = {
    1: "POINT",
    2: "LINESTRING",
    3: "POLYGON",
    4: "MULTIPOINT",
    5: "MULTILINESTRING",
    6: "MULTIPOLYGON",
    7: "GEOMETRYCOLLECTION",
}


def wkb_to_wkt(data: bytes) -> str | None:
    """Well-known binary as Elasticsearch's well-known text (``POINT (1.0 2.0)``,
    coordinates as Java prints doubles); None when it cannot be read."""
    try:
        text, _ = _read_geometry(memoryview(data), 0)
    except (struct.error, KeyError, ValueError):
        return None
    return text


def _read_geometry(buf: memoryview, pos: int) -> tuple[str, int]:
    order = "<" if buf[pos] == 1 else ">"
    (code,) = struct.unpack_from(order + "I", buf, pos + 1)
    pos += 5
    dims = 2
    if code & 0x80000000:  # EWKB Z flag
        dims = 3
    code &= 0x0FFFFFFF
    if code > 1000:  # ISO WKB: 1001 = POINT Z …
        dims = 3 if code // 1000 in (1, 3) else 2
        code %= 1000
    name = _WKB_NAMES[code]
    if code == 1:
        coords = struct.unpack_from(order + "d" * dims, buf, pos)
        pos += 8 * dims
        if all(c != c for c in coords):
            return "POINT EMPTY", pos
        return f"POINT ({_coords(coords)})", pos
    body, pos = _read_body(buf, pos, order, code, dims)
    return (f"{name} EMPTY" if body == "" else f"{name} ({body})"), pos


def _read_body(buf: memoryview, pos: int, order: str, code: int, dims: int) -> tuple[str, int]:
    (count,) = struct.unpack_from(order + "I", buf, pos)
    pos += 4
    parts: list[str] = []
    for _ in range(count):
        if code == 2:  # LINESTRING: points
            coords = struct.unpack_from(order + "d" * dims, buf, pos)
            pos += 8 * dims
            parts.append(_coords(coords))
        elif code == 3:  # POLYGON: rings of points
            ring, pos = _read_body(buf, pos, order, 2, dims)
            parts.append(f"({ring})")
        elif code == 4:  # MULTIPOINT: points written bare
            point, pos = _read_geometry(buf, pos)
            parts.append(point.removeprefix("POINT ").strip("()"))
        elif code in (5, 6):  # MULTILINESTRING / MULTIPOLYGON: bodies in parentheses
            part, pos = _read_geometry(buf, pos)
            parts.append(part[part.index("(") :])
        else:  # GEOMETRYCOLLECTION
            part, pos = _read_geometry(buf, pos)
            parts.append(part)
    return ", ".join(parts), pos


def _coords(coords: Sequence[float]) -> str:
    return " ".join(java_double(c) for c in coords)


__all__ = [
    "Table",
    "UnreadableAnswer",
    "convert_values",
    "from_arrow",
    "from_json",
    "ip_text",
    "physical_series",
    "wkb_to_wkt",
]
