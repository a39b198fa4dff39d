"""Declarations of the type conversion functions (``TO_LONG``, ``TO_STRING`` …).

Conversions take multi-values whole and convert each value (a value that fails is
dropped with a warning), so they are ``multivalue``. The accepted types and the
``expected`` phrase follow Elasticsearch's AbstractConvertFunction: numeric types
collapse to ``numeric``, keyword/text to ``string``, joined with `` or ``.
"""

from __future__ import annotations

from esqlsh.analysis.functions._common import NUMBERS, STRINGS, T, es_type_name, types
from esqlsh.analysis.registry import Param, declare
from esqlsh.analysis.types import DataType

_FIELD_DOC = "Input value. The input can be a single- or multi-valued column or an expression."


def convert_expected(accepted: frozenset[DataType]) -> str:
    """Elasticsearch's ``supportedTypesNames``: sorted, ``numeric`` and ``string``
    standing for their whole families, joined with `` or ``."""
    names: list[str] = []
    rest = set(accepted)
    if rest >= NUMBERS:
        names.append("numeric")
        rest -= NUMBERS
    if rest >= STRINGS:
        names.append("string")
        rest -= STRINGS
    names.extend(es_type_name(t) for t in rest)
    return " or ".join(sorted(names))


# name, aliases, accepted input types, result type, description
CONVERSIONS: tuple[tuple[str, tuple[str, ...], frozenset[DataType], DataType, str], ...] = (
    (
        "to_boolean",
        ("to_bool",),
        types(T.BOOLEAN, NUMBERS, STRINGS),
        T.BOOLEAN,
        "Converts an input value to a boolean value. A string value of `true` will be "
        "case-insensitive converted to the Boolean `true`. For anything else, including "
        "the empty string, the function will return `false`. The numerical value of `0` "
        "will be converted to `false`, anything else will be converted to `true`.",
    ),
    (
        "to_cartesianpoint",
        (),
        types(T.CARTESIAN_POINT, STRINGS),
        T.CARTESIAN_POINT,
        "Converts an input value to a `cartesian_point` value. A string will only be "
        "successfully converted if it respects the WKT Point format.",
    ),
    (
        "to_cartesianshape",
        (),
        types(T.CARTESIAN_POINT, T.CARTESIAN_SHAPE, STRINGS),
        T.CARTESIAN_SHAPE,
        "Converts an input value to a `cartesian_shape` value. A string will only be "
        "successfully converted if it respects the WKT format.",
    ),
    (
        "to_datetime",
        ("to_dt",),
        types(T.DATETIME, T.DATE_NANOS, NUMBERS, STRINGS),
        T.DATETIME,
        "Converts an input value to a date value. A string will only be successfully "
        "converted if it's respecting the format `yyyy-MM-dd'T'HH:mm:ss.SSS'Z'`. To convert "
        "dates in other formats, use `DATE_PARSE`.",
    ),
    (
        "to_date_nanos",
        ("to_datenanos",),
        types(T.DATETIME, T.DATE_NANOS, T.DOUBLE, T.LONG, T.UNSIGNED_LONG, STRINGS),
        T.DATE_NANOS,
        "Converts an input to a nanosecond-resolution date value (aka date_nanos).",
    ),
    (
        "to_dateperiod",
        (),
        types(T.DATE_PERIOD, STRINGS),
        T.DATE_PERIOD,
        "Converts an input value into a `date_period` value.",
    ),
    (
        "to_double",
        ("to_dbl",),
        types(
            T.BOOLEAN,
            T.DATETIME,
            NUMBERS,
            STRINGS,
            T.COUNTER_DOUBLE,
            T.COUNTER_INTEGER,
            T.COUNTER_LONG,
        ),
        T.DOUBLE,
        "Converts an input value to a double value. If the input parameter is of a date "
        "type, its value will be interpreted as milliseconds since the Unix epoch, "
        "converted to double. Boolean `true` will be converted to double `1.0`, `false` "
        "to `0.0`.",
    ),
    (
        "to_geopoint",
        (),
        types(T.GEO_POINT, STRINGS),
        T.GEO_POINT,
        "Converts an input value to a `geo_point` value. A string will only be "
        "successfully converted if it respects the WKT Point format.",
    ),
    (
        "to_geoshape",
        (),
        types(T.GEO_POINT, T.GEO_SHAPE, STRINGS),
        T.GEO_SHAPE,
        "Converts an input value to a `geo_shape` value. A string will only be "
        "successfully converted if it respects the WKT format.",
    ),
    (
        "to_integer",
        ("to_int",),
        types(T.BOOLEAN, T.DATETIME, NUMBERS, STRINGS, T.COUNTER_INTEGER),
        T.INTEGER,
        "Converts an input value to an integer value. If the input parameter is of a date "
        "type, its value will be interpreted as milliseconds since the Unix epoch, "
        "converted to integer. Boolean `true` will be converted to integer `1`, `false` "
        "to `0`.",
    ),
    (
        "to_ip",
        (),
        types(T.IP, STRINGS),
        T.IP,
        "Converts an input string to an IP value.",
    ),
    (
        "to_long",
        (),
        types(
            T.BOOLEAN, T.DATETIME, T.DATE_NANOS, NUMBERS, STRINGS, T.COUNTER_INTEGER, T.COUNTER_LONG
        ),
        T.LONG,
        "Converts an input value to a long value. If the input parameter is of a date "
        "type, its value will be interpreted as milliseconds since the Unix epoch, "
        "converted to long. Boolean `true` will be converted to long `1`, `false` to `0`.",
    ),
    (
        "to_string",
        ("to_str",),
        types(
            T.BOOLEAN,
            T.CARTESIAN_POINT,
            T.CARTESIAN_SHAPE,
            T.DATETIME,
            T.DATE_NANOS,
            NUMBERS,
            T.GEO_POINT,
            T.GEO_SHAPE,
            T.IP,
            STRINGS,
            T.VERSION,
        ),
        T.KEYWORD,
        "Converts an input value into a string.",
    ),
    (
        "to_text",
        (),
        types(STRINGS),
        T.TEXT,
        "Converts an input value into text.",
    ),
    (
        "to_timeduration",
        (),
        types(T.TIME_DURATION, STRINGS),
        T.TIME_DURATION,
        "Converts an input value into a `time_duration` value.",
    ),
    (
        "to_unsigned_long",
        ("to_ulong", "to_ul"),
        types(T.BOOLEAN, T.DATETIME, NUMBERS, STRINGS),
        T.UNSIGNED_LONG,
        "Converts an input value to an unsigned long value. If the input parameter is of "
        "a date type, its value will be interpreted as milliseconds since the Unix epoch, "
        "converted to unsigned long. Boolean `true` will be converted to unsigned long "
        "`1`, `false` to `0`.",
    ),
    (
        "to_version",
        ("to_ver",),
        types(T.VERSION, STRINGS),
        T.VERSION,
        "Converts an input string to a version value.",
    ),
)

# Which conversion function a ``::type`` cast uses (the analyzer may use this).
CAST_FUNCTION: dict[DataType, str] = {result: name for name, _, _, result, _ in CONVERSIONS}
CAST_FUNCTION[T.TEXT] = "to_string"

for _name, _aliases, _accepted, _result, _doc in CONVERSIONS:
    _constant = _result in (T.DATE_PERIOD, T.TIME_DURATION)
    declare(
        _name,
        "scalar",
        [
            Param(
                "field", _accepted, convert_expected(_accepted), constant=_constant, doc=_FIELD_DOC
            )
        ],
        _result,
        _doc,
        multivalue=True,
        aliases=_aliases,
        extra={"conversion": True},
    )

# TO_DEGREES / TO_RADIANS are conversion functions in Elasticsearch too
# (AbstractConvertFunction: numbers only, each value of a multi-value converted),
# but not the target of a ``::double`` cast, so they stay out of CONVERSIONS.
_ANGLES = types(NUMBERS)
for _name, _doc in (
    ("to_degrees", "Converts a number in radians to degrees."),
    ("to_radians", "Converts a number in degrees to radians."),
):
    declare(
        _name,
        "scalar",
        [Param("number", _ANGLES, convert_expected(_ANGLES), doc=_FIELD_DOC)],
        T.DOUBLE,
        _doc,
        multivalue=True,
        extra={"conversion": True},
    )
