"""Turning source values into what an Elasticsearch index would give back to ES|QL.

Input: a column of a source table, either raw text (``List(String)``: the values
of each document as written, null when the document has none) or typed (Parquet).
Output: ``List(<physical>)`` (``esqlsh.engine.compiled.PHYSICAL``) holding the
values as the field's doc values return them:

- numbers coerced as the field type does (``2.9`` into a ``long`` is ``2``;
  ``float``/``half_float`` rounded to their precision; ``scaled_float`` to its
  scaling factor), out-of-range or malformed values are errors;
- ``date`` as ``strict_date_optional_time||epoch_millis`` (UTC when no zone),
  to milliseconds (floored, as ``Instant.toEpochMilli``); ``date_nanos`` to ns;
- ``ip`` as canonical text (IPv4 dotted, IPv6 RFC 5952; IPv4-mapped as IPv4);
- ``geo_point``/``cartesian_point`` as WKT ``POINT (x y)`` with Java's double text;
- multi-values ordered as doc values store them: keyword, ip, version sorted and
  de-duplicated (``SORTED_SET``: by UTF-8 bytes, ip bytes, version encoding);
  numbers, booleans and dates sorted with duplicates kept (``SORTED_NUMERIC``);
  text, shapes and points as in the source (ES|QL reads those from ``_source``);
  a field with ``doc_values: false`` also keeps its source order;
- range fields as ``Struct{gte, lte}`` (bounds inclusive, as Elasticsearch stores
  ``lt``/``gt``).

Everything is Polars expressions over list elements (ip text through
``ip_text``), except point and range parsing and version sort keys, which run in
Python once per distinct value (Polars has no expression for them).
"""

from __future__ import annotations

import ipaddress
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

import polars as pl

from esqlsh.analysis.types import DataType
from esqlsh.clusters.ip_text import canonical_ips, ip_sort_keys
from esqlsh.clusters.mapping import RANGE_TYPES, FieldSpec
from esqlsh.engine.compiled import PHYSICAL
from esqlsh.engine.ordering import encode_version
from esqlsh.errors import EsqlError

RAW = pl.List(pl.String())

_INT_BOUNDS: dict[str, tuple[int, int]] = {
    "byte": (-(2**7), 2**7 - 1),
    "short": (-(2**15), 2**15 - 1),
    "integer": (-(2**31), 2**31 - 1),
    "long": (-(2**63), 2**63 - 1),
}
_FLOATS = frozenset({"double", "float", "half_float", "scaled_float"})
_SORTED_SET = frozenset({"keyword", "constant_keyword", "wildcard", "ip", "version"})
_SORTED_NUMERIC = frozenset(
    {"long", "integer", "short", "byte", "unsigned_long", "boolean", "date", "date_nanos"} | _FLOATS
)

_ISO_DATE = (
    r"^([+-]?\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2})(?::(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?)?)?)?"
    r"(Z|[+-]\d{2}(?::?\d{2})?)?$"
)
_EPOCH = r"^(-?\d+)(?:\.(\d{1,6}))?$"
_DAY = "[0-9]{4}-[0-9]{2}-[0-9]{2}"
_TIME = "T[0-9]{2}:[0-9]{2}:[0-9]{2}"
_ISO_FAST_PATHS = [
    (f"^{_DAY}{_TIME}\\.[0-9]{{3}}Z$", "%Y-%m-%dT%H:%M:%S%.3fZ"),
    (f"^{_DAY}{_TIME}Z$", "%Y-%m-%dT%H:%M:%SZ"),
    (f"^{_DAY}$", "%Y-%m-%d"),
]


class DocumentParsingError(EsqlError):
    """Elasticsearch's ``document_parsing_exception`` for a value a field rejects."""

    type = "document_parsing_exception"
    status = 400


def max_values(lists: pl.Series) -> int:
    """The most values any document has in ``lists`` (0 when all are null)."""
    longest = lists.list.len().max()
    return int(longest) if isinstance(longest, int) else 0


def is_raw(dtype: pl.DataType) -> bool:
    return dtype == pl.String() or dtype == RAW


def physical_of(spec: FieldSpec) -> pl.DataType:
    """The dtype one value of ``spec`` is stored as."""
    if spec.type in RANGE_TYPES:
        bound = physical_of(FieldSpec(spec.name, RANGE_TYPES[spec.type]))
        return pl.Struct({"gte": bound, "lte": bound})
    return PHYSICAL.get(spec.es_type, pl.Null())


def is_stored(spec: FieldSpec) -> bool:
    """Whether values of this field go to the data files at all."""
    return spec.type in RANGE_TYPES or spec.es_type not in (DataType.UNSUPPORTED, DataType.NULL)


# --- the entry point ---------------------------------------------------------


def convert_field(
    values: pl.Series, spec: FieldSpec, row_ids: pl.Series | None = None
) -> pl.Series:
    """``values`` (raw or typed, one entry per document) as ``List(<physical>)``
    doc values of ``spec``. Raises ``DocumentParsingError`` for a value the field
    type rejects; ``row_ids`` names the documents in that message."""
    converted, failure = convert_values(values, spec)
    if failure is not None:
        where = f"with id '{row_ids[failure.row]}'" if row_ids is not None else None
        raise parsing_error(spec, failure, where)
    return converted


@dataclass(frozen=True)
class Failure:
    """The first value a field rejects: its document (position) and the value."""

    row: int
    value: Any


def convert_values(values: pl.Series, spec: FieldSpec) -> tuple[pl.Series, Failure | None]:
    """``convert_field`` without raising: the doc values, or the first failure."""
    lists = as_lists(values)
    convert = _convert_raw if is_raw(lists.dtype) else _convert_typed
    converted = convert(lists, spec)
    failure = _first_failure(lists, converted)
    if failure is not None:
        return converted, failure
    converted = converted.cast(pl.List(physical_of(spec)))
    converted = _ignore_above(converted, spec)
    return order_values(converted, spec).rename(spec.name), None


def parsing_error(spec: FieldSpec, failure: Failure, where: str | None) -> DocumentParsingError:
    """Elasticsearch's error for ``failure``; ``where`` names the document
    (``with id '…'``), else its position does."""
    value = failure.value
    preview = value if isinstance(value, str) else json.dumps(value, default=str)
    return DocumentParsingError(
        f"failed to parse field [{spec.name}] of type [{spec.type}] in document "
        f"{where or f'at row [{failure.row + 1}]'}. Preview of field's value: '{preview}'"
    )


def _ignore_above(lists: pl.Series, spec: FieldSpec) -> pl.Series:
    """Keyword values longer than ``ignore_above`` are not indexed: ES|QL, reading
    doc values, does not see them."""
    limit = spec.params.get("ignore_above")
    if limit is None or spec.type not in ("keyword", "wildcard"):
        return lists
    kept = lists.list.eval(pl.element().filter(pl.element().str.len_chars() <= int(limit)))
    return as_lists(kept)


def as_lists(values: pl.Series) -> pl.Series:
    """Every entry as a list without nulls inside; no values means null."""
    s = values
    if not isinstance(s.dtype, pl.List):
        s = pl.select(pl.when(s.is_null()).then(None).otherwise(pl.concat_list(s))).to_series()
    elif s.explode().null_count() > s.null_count() + int((s.list.len() == 0).sum()):
        # Some list holds a null (``list.drop_nulls`` is slow: only then).
        s = s.list.eval(pl.element().filter(pl.element().is_not_null()))
    if (s.list.len() == 0).any():
        s = pl.select(pl.when(s.list.len() > 0).then(s)).to_series()
    return s.rename(values.name)


def _first_failure(lists: pl.Series, converted: pl.Series) -> Failure | None:
    src = lists.explode()
    dst = converted.explode()
    bad = src.is_not_null() & dst.is_null()
    if not bad.any():
        return None
    pos = int(bad.arg_true()[0])
    return Failure(_row_of(lists, pos), src[pos])


def _row_of(lists: pl.Series, flat_pos: int) -> int:
    """The document whose values hold exploded position ``flat_pos``."""
    sizes = lists.list.len().fill_null(1)
    ends = sizes.cum_sum()
    return int(ends.search_sorted(flat_pos + 1, side="left"))


# --- raw text ----------------------------------------------------------------


def _convert_raw(lists: pl.Series, spec: FieldSpec) -> pl.Series:
    t = spec.type
    if t in RANGE_TYPES:
        return _ranges(lists, spec)
    if t == "geo_point":
        return _mapped(lists, lambda v: canonical_point(v, geo=True), pl.String())
    if t in ("point", "cartesian_point"):
        return _mapped(lists, lambda v: canonical_point(v, geo=False), pl.String())
    return _each_value(lists, lambda values: raw_values(values, spec), physical_of(spec))


def raw_values(values: pl.Series, spec: FieldSpec) -> pl.Series:
    """Text values as ``spec``'s physical values, null where the field type
    rejects one."""
    t = spec.type
    if t == "ip":
        return canonical_ips(values)
    if t in ("date", "date_nanos"):
        unit = "ns" if t == "date_nanos" else "ms"
        return parse_date_values(values, unit, spec.params.get("format"))
    if t in _INT_BOUNDS:
        return _integers(values, t)
    return evaluate(values, raw_value_expr(pl.col("v"), spec)).cast(physical_of(spec))


def evaluate(values: pl.Series, expr: pl.Expr) -> pl.Series:
    """``expr`` over ``values`` (as column ``v``), through the lazy engine: an
    eager ``select`` computes a sub-expression once per use."""
    return values.to_frame("v").lazy().select(expr).collect().to_series()


def _integers(values: pl.Series, t: str) -> pl.Series:
    """``_integer`` in steps: the float parse only for what is not an integer."""
    low, high = _INT_BOUNDS[t]
    out = values.cast(pl.Int64, strict=False)
    unparsed = out.is_null() & values.is_not_null()
    if unparsed.any():
        where = unparsed.arg_true()
        coerced = evaluate(
            values.gather(where),
            _coerced_int(
                pl.lit(None, pl.Int64), pl.col("v").cast(pl.Float64, strict=False), "long"
            ),
        )
        out = out.scatter(where, coerced)
    if t != "long":
        out = evaluate(out, pl.when(pl.col("v").is_between(low, high)).then(pl.col("v")))
    return out.cast(pl.Int64 if t == "long" else pl.Int32)


def raw_value_expr(e: pl.Expr, spec: FieldSpec) -> pl.Expr:
    """The expression turning a text value into ``spec``'s physical value, null
    when it cannot."""
    t = spec.type
    if t in _INT_BOUNDS:
        return _integer(e, t)
    if t == "unsigned_long":
        as_float = e.cast(pl.Float64, strict=False)
        truncated = pl.when(as_float.is_finite() & (as_float >= 0)).then(as_float.floor())
        return pl.coalesce(e.cast(pl.UInt64, strict=False), truncated.cast(pl.UInt64, strict=False))
    if t in _FLOATS:
        return float_precision(e.cast(pl.Float64, strict=False), spec)
    if t == "boolean":
        return pl.when(e == "true").then(True).when(e == "false").then(False)
    if t in ("date", "date_nanos"):
        return parse_dates(e, "ns" if t == "date_nanos" else "ms", spec.params.get("format"))
    return e.cast(PHYSICAL.get(spec.es_type, pl.String()))


def _integer(e: pl.Expr, t: str) -> pl.Expr:
    return _coerced_int(e.cast(pl.Int64, strict=False), e.cast(pl.Float64, strict=False), t)


def _coerced_int(as_int: pl.Expr, as_float: pl.Expr, t: str) -> pl.Expr:
    low, high = _INT_BOUNDS[t]
    # Coercion: a decimal is truncated (Java's (long) cast), if it is in range.
    coerced = pl.when(as_float.is_finite() & (as_float >= low) & (as_float < high + 1)).then(
        as_float.cast(pl.Int64, strict=False)
    )
    value = pl.coalesce(as_int, coerced)
    value = pl.when((value >= low) & (value <= high)).then(value)
    return value.cast(pl.Int64 if t == "long" else pl.Int32)


def float_precision(e: pl.Expr, spec: FieldSpec) -> pl.Expr:
    """A double as the field type stores it (only finite values are accepted)."""
    e = pl.when(e.is_finite()).then(e)
    if spec.type == "float":
        return e.cast(pl.Float32).cast(pl.Float64)
    if spec.type == "half_float":
        # Elasticsearch parses a float, then rounds it to half precision.
        return e.cast(pl.Float32).cast(pl.Float16).cast(pl.Float64)
    if spec.type == "scaled_float":
        factor = float(spec.params.get("scaling_factor", 1))
        # Math.round(value * factor), read back as long / factor. The divisor is a
        # column, not a scalar: Polars divides by a scalar through its reciprocal,
        # which would give 2.0300000000000002 for 203 / 100.
        scaled = (e * factor + 0.5).floor()
        return scaled / (scaled * 0.0 + factor)
    return e


def parse_dates(e: pl.Expr, unit: str, fmt: object = None) -> pl.Expr:
    """Text as ``strict_date_optional_time||epoch_millis`` (or ``epoch_second`` when
    the mapping's format says so) to ``Datetime(unit, "UTC")``."""
    formats = str(fmt or "strict_date_optional_time||epoch_millis").split("||")
    epoch_unit = "s" if any(f.strip() == "epoch_second" for f in formats) else "ms"
    ticks = pl.coalesce(_iso_ticks(e, unit), _epoch_ticks(e, unit, epoch_unit))
    return ticks.cast(pl.Datetime(unit, "UTC"))  # type: ignore[arg-type]


def parse_date_values(values: pl.Series, unit: str, fmt: object = None) -> pl.Series:
    """``parse_dates`` over a Series, with fast paths for the common ISO shapes
    (Polars' ``to_datetime`` alone, on values whose shape is checked first so that
    it accepts exactly what ``parse_dates`` does); the rest take the general path."""
    time_unit: Literal["ms", "ns"] = "ns" if unit == "ns" else "ms"
    dtype = pl.Datetime(time_unit, "UTC")
    out = pl.repeat(None, values.len(), dtype=dtype, eager=True).rename(values.name)
    rest = values.is_not_null()
    for shape, layout in _ISO_FAST_PATHS:
        out, rest = _parse_where(values, out, rest, shape, _by_strptime(layout, time_unit))
    if rest.any():
        general = evaluate(values.filter(rest), parse_dates(pl.col("v"), unit, fmt))
        out = out.scatter(rest.arg_true(), general)
    return out


Parse = Callable[[pl.Series], pl.Series]


def _parse_where(
    values: pl.Series, out: pl.Series, rest: pl.Series, pattern: str, parse: Parse
) -> tuple[pl.Series, pl.Series]:
    """``out`` with the ``rest`` values that match ``pattern`` parsed, and what is
    left."""
    if not rest.any():
        return out, rest
    idx = rest.arg_true()
    candidates = values.gather(idx)
    fits = candidates.str.contains(pattern)
    if not fits.any():
        return out, rest
    done = idx.filter(fits)
    return out.scatter(done, parse(candidates.filter(fits))), rest.scatter(done, False)


def _by_strptime(layout: str, unit: Literal["ms", "ns"]) -> Parse:
    return lambda values: values.str.to_datetime(
        layout, time_unit=unit, time_zone="UTC", strict=False
    )


def _iso_ticks(e: pl.Expr, unit: str) -> pl.Expr:
    g = e.str.extract_groups(_ISO_DATE)
    zone = g.struct.field("8")
    zone = (
        pl.when(zone.is_null() | (zone == "Z"))
        .then(pl.lit("+00:00"))
        .when(zone.str.len_chars() == 3)
        .then(zone + ":00")
        .when(zone.str.len_chars() == 5)
        .then(zone.str.slice(0, 3) + ":" + zone.str.slice(3, 2))
        .otherwise(zone)
    )
    canonical = pl.format(
        "{}-{}-{}T{}:{}:{}.{}{}",
        g.struct.field("1"),
        g.struct.field("2").fill_null("01"),
        g.struct.field("3").fill_null("01"),
        g.struct.field("4").fill_null("00"),
        g.struct.field("5").fill_null("00"),
        g.struct.field("6").fill_null("00"),
        g.struct.field("7").fill_null("0").str.pad_end(9, "0"),
        zone,
    )
    # Microseconds cover any year for ``date``; ``date_nanos`` needs (and is limited to) ns.
    parse_unit: Literal["ns", "us"] = "ns" if unit == "ns" else "us"
    parsed = canonical.str.to_datetime(
        "%Y-%m-%dT%H:%M:%S%.f%:z", time_unit=parse_unit, time_zone="UTC", strict=False
    )
    parsed = pl.when(g.struct.field("1").is_not_null()).then(parsed)
    if unit == "ns":
        return parsed.dt.epoch("ns")
    return parsed.dt.epoch("us").floordiv(1000)


def _epoch_ticks(e: pl.Expr, unit: str, epoch_unit: str) -> pl.Expr:
    g = e.str.extract_groups(_EPOCH)
    whole = g.struct.field("1").cast(pl.Int64, strict=False)
    fraction = g.struct.field("2").fill_null("0").str.pad_end(6, "0").cast(pl.Int64, strict=False)
    # ``fraction`` is in millionths of the epoch unit.
    per_unit = {("ms", "ms"): 1, ("ns", "ms"): 1_000_000, ("ms", "s"): 1000, ("ns", "s"): 10**9}
    scale = per_unit[(unit, epoch_unit)]
    ticks = whole * scale + (fraction * scale).floordiv(1_000_000)
    return ticks


def _each_value(
    lists: pl.Series, fn: Callable[[pl.Series], pl.Series], dtype: pl.DataType
) -> pl.Series:
    """``fn`` (vectorised) applied to all the values of all the lists at once."""
    return lists.list.eval(pl.element().map_batches(fn, return_dtype=dtype, is_elementwise=True))


def _mapped(lists: pl.Series, fn: Callable[[str], Any], dtype: pl.DataType) -> pl.Series:
    """Each value mapped by ``fn``, computed once per distinct value (for points
    and ranges: their parsing has no Polars expression)."""
    distinct = lists.explode().drop_nulls().unique()
    mapped = pl.Series([fn(v) for v in distinct], dtype=dtype)
    return lists.list.eval(
        pl.element().replace_strict(distinct, mapped, default=None, return_dtype=dtype)
    )


def canonical_ip(text: str) -> str | None:
    """An ip as Elasticsearch prints it, or None when it is not one."""
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address):
        if address.scope_id is not None:
            return None
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return address.compressed
    return str(address)


_WKT_POINT = re.compile(
    r"^\s*POINT\s*\(\s*([-+0-9.eE]+)\s+([-+0-9.eE]+)(?:\s+[-+0-9.eE]+)?\s*\)\s*$", re.IGNORECASE
)
_LAT_LON = re.compile(r"^\s*([-+0-9.eE]+)\s*,\s*([-+0-9.eE]+)\s*$")


def canonical_point(text: str, *, geo: bool) -> str | None:
    """A point (WKT, ``"lat,lon"`` for geo, or GeoJSON / ``{"lat", "lon"}`` /
    ``{"x", "y"}`` objects) as WKT with Java's number formatting."""
    x: float | None = None
    y: float | None = None
    m = _WKT_POINT.match(text)
    if m:
        x, y = float(m.group(1)), float(m.group(2))
    elif geo and (m := _LAT_LON.match(text)):
        y, x = float(m.group(1)), float(m.group(2))
    elif text.lstrip().startswith("{"):
        x, y = _point_from_json(text)
    if x is None or y is None or not (math.isfinite(x) and math.isfinite(y)):
        return None
    if geo and not (-180 <= x <= 180 and -90 <= y <= 90):
        return None
    return f"POINT ({java_double(x)} {java_double(y)})"


def _point_from_json(text: str) -> tuple[float | None, float | None]:
    try:
        obj = json.loads(text)
    except ValueError:
        return None, None
    if not isinstance(obj, dict):
        return None, None
    if "coordinates" in obj and isinstance(obj["coordinates"], list):
        coords = obj["coordinates"]
        return float(coords[0]), float(coords[1])
    if "lat" in obj and "lon" in obj:
        return float(obj["lon"]), float(obj["lat"])
    if "x" in obj and "y" in obj:
        return float(obj["x"]), float(obj["y"])
    return None, None


def java_double(value: float) -> str:
    """``Double.toString``: shortest digits; plain notation for 1e-3 <= |v| < 1e7,
    otherwise ``d.dddE±n``."""
    if value == 0:
        return "-0.0" if math.copysign(1, value) < 0 else "0.0"
    sign = "-" if value < 0 else ""
    digits_tuple = Decimal(repr(abs(value))).as_tuple()
    digits = "".join(map(str, digits_tuple.digits)).rstrip("0") or "0"
    exponent = int(digits_tuple.exponent) + len(digits_tuple.digits) - 1  # of the first digit
    if 1e-3 <= abs(value) < 1e7:
        if exponent >= 0:
            whole = digits[: exponent + 1].ljust(exponent + 1, "0")
            frac = digits[exponent + 1 :] or "0"
        else:
            whole = "0"
            frac = "0" * (-exponent - 1) + digits
        return f"{sign}{whole}.{frac}"
    mantissa = digits[0] + "." + (digits[1:] or "0")
    return f"{sign}{mantissa}E{exponent}"


# --- ranges ------------------------------------------------------------------

_RANGE_TEXT = re.compile(r"^\s*(.+?)\s*\.\.\s*(.+?)\s*$")


def _ranges(lists: pl.Series, spec: FieldSpec) -> pl.Series:
    """Range values (``from..to``: gte/lt as the conformance loader writes them;
    ``a.b.c.d/n`` for ip_range; a JSON ``{gte|gt, lte|lt}`` object) to inclusive
    ``{gte, lte}`` structs."""
    bound_spec = FieldSpec(spec.name, RANGE_TYPES[spec.type], params=spec.params)
    distinct = lists.explode().drop_nulls().unique().to_list()
    bounds = [_range_bounds(v, spec.type) for v in distinct]
    lows = _typed_bounds([b[0] if b else None for b in bounds], bound_spec)
    highs = _typed_bounds([b[1] if b else None for b in bounds], bound_spec)
    lows, highs = _inclusive(
        lows, highs, [b[2:] if b else (True, True) for b in bounds], bound_spec
    )
    dtype = physical_of(spec)
    structs = (
        pl.DataFrame({"gte": lows, "lte": highs})
        .select(
            pl.when(pl.col("gte").is_not_null() | pl.col("lte").is_not_null())
            .then(pl.struct("gte", "lte"))
            .alias("r")
        )["r"]
        .cast(dtype)
    )
    return lists.list.eval(
        pl.element().replace_strict(
            pl.Series(distinct, dtype=pl.String()), structs, default=None, return_dtype=dtype
        )
    )


def _range_bounds(text: str, kind: str) -> tuple[str | None, str | None, bool, bool] | None:
    """(low, high, low_inclusive, high_inclusive) as text."""
    if kind == "ip_range" and "/" in text and not text.lstrip().startswith("{"):
        try:
            net = ipaddress.ip_network(text.strip(), strict=False)
        except ValueError:
            return None
        return str(net.network_address), str(net.broadcast_address), True, True
    if text.lstrip().startswith("{"):
        try:
            obj = json.loads(text)
        except ValueError:
            return None
        low = obj.get("gte", obj.get("gt"))
        high = obj.get("lte", obj.get("lt"))
        return (
            None if low is None else str(low),
            None if high is None else str(high),
            "gt" not in obj,
            "lt" not in obj,
        )
    m = _RANGE_TEXT.match(text)
    if not m:
        return None
    return m.group(1), m.group(2), True, False


def _typed_bounds(texts: list[str | None], spec: FieldSpec) -> pl.Series:
    raw = pl.Series([None if t is None else [t] for t in texts], dtype=RAW)
    return _convert_raw(raw, spec).list.first()


def _inclusive(
    lows: pl.Series, highs: pl.Series, flags: list[tuple[Any, ...]], spec: FieldSpec
) -> tuple[pl.Series, pl.Series]:
    """Exclusive bounds made inclusive, as Elasticsearch's range fields store them."""
    lo = lows.to_list()
    hi = highs.to_list()
    for i, (low_inclusive, high_inclusive) in enumerate(flags):
        if not low_inclusive and lo[i] is not None:
            lo[i] = _step(lo[i], spec.type, +1)
        if not high_inclusive and hi[i] is not None:
            hi[i] = _step(hi[i], spec.type, -1)
    return pl.Series(lo, dtype=lows.dtype), pl.Series(hi, dtype=highs.dtype)


def _step(value: Any, kind: str, direction: int) -> Any:
    if kind in ("double", "float"):
        return math.nextafter(value, math.inf * direction)
    if kind == "ip":
        address = ipaddress.ip_address(value)
        stepped = address + direction
        return canonical_ip(str(stepped))
    if kind in ("date",):
        from datetime import timedelta

        return value + timedelta(milliseconds=direction)
    return value + direction


# --- typed sources (Parquet) ---------------------------------------------------


def _convert_typed(lists: pl.Series, spec: FieldSpec) -> pl.Series:
    inner = lists.dtype.inner  # type: ignore[attr-defined]
    t = spec.type
    e = pl.element()
    if t in _INT_BOUNDS and inner.is_float():
        return lists.list.eval(_coerced_int(pl.lit(None, pl.Int64), e.cast(pl.Float64), t))
    if t in _INT_BOUNDS and inner.is_integer():
        return lists.list.eval(
            _coerced_int(e.cast(pl.Int64, strict=False), pl.lit(None, pl.Float64), t)
        )
    if t == "unsigned_long" and inner.is_numeric():
        return lists.list.eval(pl.when(e >= 0).then(e.cast(pl.UInt64, strict=False)))
    if t in _FLOATS and (inner.is_numeric()):
        return lists.list.eval(float_precision(e.cast(pl.Float64), spec))
    if t == "boolean" and inner == pl.Boolean():
        return lists
    if t in ("date", "date_nanos") and inner.is_temporal():
        unit = "ns" if t == "date_nanos" else "ms"
        return lists.list.eval(_to_utc(e, inner, unit))
    if t in ("date", "date_nanos") and inner.is_integer():
        # Numbers are epoch millis, as for a JSON number.
        unit = "ns" if t == "date_nanos" else "ms"
        ticks = e.cast(pl.Int64) * (1_000_000 if unit == "ns" else 1)
        return lists.list.eval(ticks.cast(pl.Datetime(unit, "UTC")))  # type: ignore[arg-type]
    return _convert_raw(lists.list.eval(e.cast(pl.String)), spec)


def _to_utc(e: pl.Expr, dtype: pl.DataType, unit: str) -> pl.Expr:
    if dtype == pl.Date():
        e = e.cast(pl.Datetime("ms"))
        dtype = pl.Datetime("ms")
    if getattr(dtype, "time_zone", None) is None:
        e = e.dt.replace_time_zone("UTC")
    else:
        e = e.dt.convert_time_zone("UTC")
    return e.dt.cast_time_unit(unit)  # type: ignore[arg-type]


# --- doc-values order -------------------------------------------------------------


def order_values(lists: pl.Series, spec: FieldSpec) -> pl.Series:
    """Multi-values in the order (and with the de-duplication) ES|QL reads them."""
    t = spec.type
    if spec.params.get("doc_values") is False or max_values(lists) <= 1:
        return lists
    if t == "ip":
        return _sorted_lists(lists, unique=True, keys=ip_sort_keys)
    if t == "version":
        return _sorted_lists(lists, unique=True, keys=_version_keys)
    if t in _SORTED_SET or t in _SORTED_NUMERIC:
        return _sorted_lists(lists, unique=t in _SORTED_SET)
    return lists


def _sorted_lists(
    lists: pl.Series, unique: bool, keys: Callable[[pl.Series], pl.Series] | None = None
) -> pl.Series:
    """Each list sorted (by ``keys`` of its values when given), duplicates dropped
    when ``unique``. All values are sorted at once by (document, key) and the
    lists rebuilt around them: per-list sorting (``list.eval``) costs twice as
    much, ``list.sort`` far more."""
    import pyarrow.compute as pc  # here: only ingest needs it, not start-up

    nested = lists.to_arrow()
    flat = pl.DataFrame(
        {
            "row": pl.Series(pc.list_parent_indices(nested)).cast(pl.Int64),
            "v": pl.Series(pc.list_flatten(nested)),
        }
    ).drop_nulls()
    by = "v"
    if keys is not None:
        flat = flat.with_columns(key=keys(flat.get_column("v")))
        by = "key"
    flat = flat.sort("row", by)
    if unique:
        row, v = pl.col("row"), pl.col("v")
        first = row.shift(1).is_null() | (row != row.shift(1)) | (v != v.shift(1))
        flat = flat.filter(first)
    return lists_from_rows(flat.get_column("row"), flat.get_column("v"), lists.len()).rename(
        lists.name
    )


def lists_from_rows(rows: pl.Series, values: pl.Series, height: int) -> pl.Series:
    """``List`` of ``height`` documents from values and their (ascending)
    document positions; null where a document has none."""
    import pyarrow as pa  # here: only ingest needs it, not start-up

    runs = rows.rle().struct.unnest()
    counts = pl.repeat(0, height, dtype=pl.Int64, eager=True).scatter(
        runs.get_column("value"), runs.get_column("len")
    )
    offsets = pl.concat([pl.Series([0], dtype=pl.Int64), counts.cum_sum()])
    lists = pa.LargeListArray.from_arrays(
        offsets.to_arrow(), values.to_arrow(), mask=(counts == 0).to_arrow()
    )
    return pl.Series(lists).cast(pl.List(values.dtype))


def _version_keys(values: pl.Series) -> pl.Series:
    """``VersionEncoder`` bytes, once per distinct value: the encoding (numeric
    identifiers by length, then digits; pre-releases first) has no Polars
    expression. Only versions of multi-valued documents get here."""
    distinct = values.drop_nulls().unique()
    keys = pl.Series([encode_version(v) for v in distinct], dtype=pl.Binary())
    return values.replace_strict(distinct, keys, default=None, return_dtype=pl.Binary())


# --- inference -----------------------------------------------------------------------


def infer_type(values: pl.Series, kinds: frozenset[str] | None = None) -> str:
    """A mapping type for a column without one: from JSON value kinds when known,
    else from the text (integers → long, numbers → double, true/false → boolean,
    ISO dates → date, anything else → keyword)."""
    dtype = values.dtype
    inner: pl.DataType = dtype.inner if isinstance(dtype, pl.List) else dtype  # type: ignore[assignment]
    if inner != pl.String():
        return infer_type_of_dtype(inner)
    if kinds:
        if kinds == frozenset({"bool"}):
            return "boolean"
        if kinds == frozenset({"int"}):
            return "long"
        if kinds <= frozenset({"int", "float"}):
            return "double"
        if kinds != frozenset({"str"}):
            return "keyword"
    flat = values.explode().drop_nulls() if isinstance(dtype, pl.List) else values.drop_nulls()
    if flat.is_empty():
        return "keyword"
    checks: list[tuple[str, pl.Expr]] = [
        ("long", pl.col("v").str.contains(r"^-?\d{1,18}$")),
        ("double", pl.col("v").cast(pl.Float64, strict=False).is_finite()),
        ("boolean", pl.col("v").is_in(["true", "false"])),
        ("date", pl.col("v").str.contains(r"^\d{4}-\d{2}-\d{2}(T|$)")),
    ]
    frame = flat.to_frame("v")
    sample = frame.head(1000)
    for kind, check in checks:
        if kinds == frozenset({"str"}) and kind != "date":
            continue
        every = check.fill_null(False).all()
        # A kind the first values rule out needs no look at the rest.
        if sample.select(every).item() and frame.select(every).item():
            if kind == "date" and parse_date_values(flat, "ms").null_count():
                continue
            return kind
    return "keyword"


def infer_type_of_dtype(dtype: pl.DataType) -> str:
    """The mapping type for a typed (Parquet) column."""
    if dtype in (pl.Int8(), pl.Int16(), pl.Int32(), pl.UInt8(), pl.UInt16()):
        return "integer"
    if dtype in (pl.Int64(), pl.UInt32()):
        return "long"
    if dtype == pl.UInt64():
        return "unsigned_long"
    if dtype == pl.Float32():
        return "float"
    if dtype.is_float() or dtype.is_decimal():
        return "double"
    if dtype == pl.Boolean():
        return "boolean"
    if dtype.is_temporal() and dtype not in (pl.Time(),) and not isinstance(dtype, pl.Duration):
        return "date"
    return "keyword"
