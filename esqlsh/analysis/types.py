"""ES|QL data types: their names, how mapping types widen, and families used by
function signatures.

The names are Elasticsearch's (``keyword``, ``long``, ``unsigned_long`` …) because
they appear verbatim in responses (``{"name": "a", "type": "integer"}``) and errors.
This module must not import polars: the analyzer and the completer use it at
start-up.
"""

from __future__ import annotations

from enum import StrEnum


class DataType(StrEnum):
    KEYWORD = "keyword"
    TEXT = "text"
    LONG = "long"
    INTEGER = "integer"
    UNSIGNED_LONG = "unsigned_long"
    DOUBLE = "double"
    BOOLEAN = "boolean"
    DATETIME = "date"
    DATE_NANOS = "date_nanos"
    IP = "ip"
    VERSION = "version"
    GEO_POINT = "geo_point"
    CARTESIAN_POINT = "cartesian_point"
    GEO_SHAPE = "geo_shape"
    CARTESIAN_SHAPE = "cartesian_shape"
    NULL = "null"
    UNSUPPORTED = "unsupported"
    # Only in expressions, never stored in a column:
    DATE_PERIOD = "date_period"
    TIME_DURATION = "time_duration"
    # Internal markers
    SOURCE = "_source"
    COUNTER_LONG = "counter_long"
    COUNTER_INTEGER = "counter_integer"
    COUNTER_DOUBLE = "counter_double"

    def __str__(self) -> str:
        return self.value

    @property
    def es_name(self) -> str:
        """The name Elasticsearch prints in responses and errors."""
        return self.value


# Mapping types that the ES|QL engine widens when loading (``short`` → integer …).
MAPPING_WIDENING: dict[str, DataType] = {
    "byte": DataType.INTEGER,
    "short": DataType.INTEGER,
    "integer": DataType.INTEGER,
    "long": DataType.LONG,
    "unsigned_long": DataType.UNSIGNED_LONG,
    "float": DataType.DOUBLE,
    "half_float": DataType.DOUBLE,
    "scaled_float": DataType.DOUBLE,
    "double": DataType.DOUBLE,
    "keyword": DataType.KEYWORD,
    "constant_keyword": DataType.KEYWORD,
    "wildcard": DataType.KEYWORD,
    "match_only_text": DataType.TEXT,
    "text": DataType.TEXT,
    "semantic_text": DataType.TEXT,
    "boolean": DataType.BOOLEAN,
    "date": DataType.DATETIME,
    "datetime": DataType.DATETIME,
    "date_nanos": DataType.DATE_NANOS,
    "ip": DataType.IP,
    "version": DataType.VERSION,
    "geo_point": DataType.GEO_POINT,
    "point": DataType.CARTESIAN_POINT,
    "cartesian_point": DataType.CARTESIAN_POINT,
    "geo_shape": DataType.GEO_SHAPE,
    "shape": DataType.CARTESIAN_SHAPE,
    "cartesian_shape": DataType.CARTESIAN_SHAPE,
    "null": DataType.NULL,
}

INTEGRAL = frozenset({DataType.INTEGER, DataType.LONG, DataType.UNSIGNED_LONG})
RATIONAL = frozenset({DataType.DOUBLE})
NUMERIC = INTEGRAL | RATIONAL
STRING = frozenset({DataType.KEYWORD, DataType.TEXT})
DATE = frozenset({DataType.DATETIME, DataType.DATE_NANOS})
TEMPORAL_AMOUNT = frozenset({DataType.DATE_PERIOD, DataType.TIME_DURATION})
SPATIAL = frozenset(
    {DataType.GEO_POINT, DataType.CARTESIAN_POINT, DataType.GEO_SHAPE, DataType.CARTESIAN_SHAPE}
)
# Types that may be stored in a column (and so appear in responses).
REPRESENTABLE = frozenset(
    t for t in DataType if t not in TEMPORAL_AMOUNT and t is not DataType.SOURCE
)

# Type names accepted by ``::`` casts and TO_* (``x::int``), lower-case.
CAST_NAMES: dict[str, DataType] = {
    "bool": DataType.BOOLEAN,
    "boolean": DataType.BOOLEAN,
    "cartesian_point": DataType.CARTESIAN_POINT,
    "cartesian_shape": DataType.CARTESIAN_SHAPE,
    "date": DataType.DATETIME,
    "datetime": DataType.DATETIME,
    "date_nanos": DataType.DATE_NANOS,
    "date_period": DataType.DATE_PERIOD,
    "double": DataType.DOUBLE,
    "geo_point": DataType.GEO_POINT,
    "geo_shape": DataType.GEO_SHAPE,
    "int": DataType.INTEGER,
    "integer": DataType.INTEGER,
    "ip": DataType.IP,
    "keyword": DataType.KEYWORD,
    "long": DataType.LONG,
    "string": DataType.KEYWORD,
    "text": DataType.TEXT,
    "time_duration": DataType.TIME_DURATION,
    "unsigned_long": DataType.UNSIGNED_LONG,
    "version": DataType.VERSION,
}


def from_mapping(es_type: str) -> DataType:
    """The ES|QL type of a mapping type; unknown mapping types are ``unsupported``."""
    return MAPPING_WIDENING.get(es_type, DataType.UNSUPPORTED)


def is_numeric(t: DataType) -> bool:
    return t in NUMERIC


def is_string(t: DataType) -> bool:
    return t in STRING


def widest_numeric(a: DataType, b: DataType) -> DataType:
    """The common type of two numeric types for arithmetic and comparison:
    double wins, then unsigned_long, then long, then integer."""
    for t in (DataType.DOUBLE, DataType.UNSIGNED_LONG, DataType.LONG, DataType.INTEGER):
        if t in (a, b):
            return t
    raise ValueError(f"not numeric: {a}, {b}")


def common_type(a: DataType, b: DataType) -> DataType | None:
    """The type both sides can be compared or combined as (COALESCE, CASE, IN …),
    or None when there is none. ``null`` joins anything; keyword and text join as
    keyword; numerics widen."""
    if a is DataType.NULL:
        return b
    if b is DataType.NULL or a is b:
        return a
    if a in NUMERIC and b in NUMERIC:
        return widest_numeric(a, b)
    if a in STRING and b in STRING:
        return DataType.KEYWORD
    if a in DATE and b in DATE:
        return DataType.DATE_NANOS
    return None
