"""Typing of constants as Elasticsearch types them: numeric literals, list literals,
query parameters, time spans (``1 day``) and the string literals the analyzer
converts implicitly (``"1.5"`` where a double is expected, ``"1 day"`` where a
date_period is).

Values are in ``Lit``'s logical form (see ``esqlsh.plan.logical.Lit``).
"""

from __future__ import annotations

import math
import re

from esqlsh.analysis.types import NUMERIC, DataType
from esqlsh.errors import EsqlError
from esqlsh.plan.logical import TemporalAmount

INT_MIN, INT_MAX = -(2**31), 2**31 - 1
LONG_MIN, LONG_MAX = -(2**63), 2**63 - 1
ULONG_MAX = 2**64 - 1


def integer_literal(value: int) -> tuple[object, DataType]:
    """``ExpressionBuilder.visitIntegerValue``: integer if it fits, then long, then
    unsigned_long, and a double beyond that."""
    if INT_MIN <= value <= INT_MAX:
        return value, DataType.INTEGER
    if LONG_MIN <= value <= LONG_MAX:
        return value, DataType.LONG
    if 0 <= value <= ULONG_MAX:
        return value, DataType.UNSIGNED_LONG
    return float(value), DataType.DOUBLE


def common_list_type(types: list[DataType]) -> DataType | None:
    """The type of a ``[…]`` literal: numeric lists widen (double, then unsigned_long,
    then long); other lists must be of one type (null items excepted)."""
    present = [t for t in types if t is not DataType.NULL]
    if not present:
        return DataType.NULL
    if all(t in NUMERIC for t in present):
        for t in (DataType.DOUBLE, DataType.UNSIGNED_LONG, DataType.LONG):
            if t in present:
                return t
        return DataType.INTEGER
    first = present[0]
    return first if all(t is first for t in present) else None


class InvalidArgumentError(EsqlError):
    """Elasticsearch's ``InvalidArgumentException`` while building the query, which
    carries no position (``[-1] out of [unsigned_long] range``)."""

    type = "invalid_argument_exception"
    status = 400


def convert_number(value: object, target: DataType) -> object:
    """Coerce a numeric list item to the list's common type. A negative number in
    an unsigned_long list raises InvalidArgumentError (``bigIntegerToUnsignedLong``)."""
    if value is None:
        return None
    if target is DataType.DOUBLE:
        return float(value)  # type: ignore[arg-type]
    if target is DataType.UNSIGNED_LONG and value < 0:  # type: ignore[operator]
        raise InvalidArgumentError(f"[{value}] out of [unsigned_long] range")
    return int(value)  # type: ignore[call-overload]


def param_literal(value: object) -> tuple[object, DataType]:
    """The type of a query parameter value as the ``_query`` API types JSON values."""
    if value is None:
        return None, DataType.NULL
    if isinstance(value, bool):
        return value, DataType.BOOLEAN
    if isinstance(value, int):
        return integer_literal(value)
    if isinstance(value, float):
        return value, DataType.DOUBLE
    if isinstance(value, str):
        return value, DataType.KEYWORD
    if isinstance(value, (list, tuple)):
        if not value:  # an empty multi-value is null, as an empty ``[…]`` would be
            return None, DataType.NULL
        typed = [param_literal(v) for v in value]
        common = common_list_type([t for _, t in typed]) or DataType.KEYWORD
        if common in NUMERIC:
            return [convert_number(v, common) for v, _ in typed], common
        return [v for v, _ in typed], common
    raise ValueError(f"unsupported parameter value [{value!r}]")


def param_problems(value: object, name: str | None = None) -> list[str]:
    """Why Elasticsearch's ``RequestXContent.parseParams`` rejects a parameter value
    (its messages, without their position in the request's JSON): only null,
    booleans, numbers, strings and flat lists of them are values, and a list may hold
    neither a null nor values of different types. Numbers of different types are let
    through: ``param_literal`` widens them as a ``[…]`` literal widens."""
    if not isinstance(value, (list, tuple)):
        return [] if _param_family(value) else [_unsupported_param(value)]
    families = [_param_family(v) for v in value]
    problems = [_unsupported_param(v) for v, f in zip(value, families, strict=True) if not f]
    label = f"[{name}] " if name is not None else ""
    items = zip(value, families, strict=True)
    shown = "[" + ", ".join(_java_text(v) if f else "null" for v, f in items) + "]"
    if None in families or "null" in families:
        problems.append(
            f"Parameter {label}contains a null entry: {shown}. "
            "Null values are not allowed in multivalued params"
        )
    elif len(set(families)) > 1:
        problems.append(
            f"Parameter {label}contains mixed data types: {shown}. "
            "Mixed data types are not allowed in multivalued params."
        )
    return problems


def _param_family(value: object) -> str | None:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    return "string" if isinstance(value, str) else None


def _unsupported_param(value: object) -> str:
    # The JSON token Elasticsearch names: a nested array or an object.
    token = "START_OBJECT" if isinstance(value, dict) else "START_ARRAY"
    if not isinstance(value, (dict, list, tuple)):
        token = f"[{value!r}]"
    return f"{token} is not supported as a parameter"


def _java_text(value: object) -> str:
    """``String.valueOf`` of a JSON scalar, as a Java list prints its items."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# ------------------------------------------------------------------ time spans

_DURATION_UNITS = {
    **dict.fromkeys(("millisecond", "milliseconds", "ms"), 1),
    **dict.fromkeys(("second", "seconds", "sec", "s"), 1000),
    **dict.fromkeys(("minute", "minutes", "min"), 60_000),
    **dict.fromkeys(("hour", "hours", "h"), 3_600_000),
}
_PERIOD_UNITS = {
    **dict.fromkeys(("day", "days", "d"), (0, 1)),
    **dict.fromkeys(("week", "weeks", "w"), (0, 7)),
    **dict.fromkeys(("month", "months", "mo"), (1, 0)),
    **dict.fromkeys(("quarter", "quarters", "q"), (3, 0)),
    **dict.fromkeys(("year", "years", "yr", "y"), (12, 0)),
}


class TemporalUnitError(ValueError):
    """``Unexpected temporal unit: 'x'`` (a parsing error in Elasticsearch)."""

    def __init__(self, unit: str):
        super().__init__(f"Unexpected temporal unit: '{unit}'")


def time_span(value: int, unit: str) -> tuple[TemporalAmount, DataType]:
    """``EsqlDataTypeConverter.parseTemporalAmount``: hours and smaller units make a
    time_duration, days and larger a date_period."""
    key = unit.lower()
    if key in _DURATION_UNITS:
        return TemporalAmount(millis=value * _DURATION_UNITS[key]), DataType.TIME_DURATION
    if key in _PERIOD_UNITS:
        months, days = _PERIOD_UNITS[key]
        return TemporalAmount(months=value * months, days=value * days), DataType.DATE_PERIOD
    raise TemporalUnitError(unit)


_TEMPORAL_STRING = re.compile(r"^([+-]?\d+)\s*([A-Za-z]+)$")


def parse_temporal_string(text: str) -> tuple[TemporalAmount, DataType] | None:
    """``maybeParseTemporalAmount``: ``"1 day"`` → a date_period; None when the text
    is not ``<integer> <unit>`` (raises TemporalUnitError for an unknown unit)."""
    match = _TEMPORAL_STRING.match(text.strip())
    if match is None:
        return None
    return time_span(int(match.group(1)), match.group(2))


# ----------------------------------------------------- string literal casting


class ConversionError(ValueError):
    """The ``error [...]`` part of ``Cannot convert string [x] to [T], error [...]``."""


def _parse_number(text: str) -> float | int:
    stripped = text.strip()
    try:
        return int(stripped)
    except ValueError:
        pass
    try:
        number = float(stripped)
    except ValueError:
        raise ConversionError(f"Cannot parse number [{text}]") from None
    if math.isinf(number) or math.isnan(number):
        raise ConversionError(f"Cannot parse number [{text}]")
    return number


def _to_integral(text: str, target: DataType) -> int:
    number = _parse_number(text)
    value = int(number)  # doubles truncate, as Elasticsearch's safeToLong does
    low, high, name = {
        DataType.INTEGER: (INT_MIN, INT_MAX, "integer"),
        DataType.LONG: (LONG_MIN, LONG_MAX, "long"),
        DataType.UNSIGNED_LONG: (0, ULONG_MAX, "unsigned_long"),
    }[target]
    if not low <= value <= high:
        raise ConversionError(f"[{text}] out of [{name}] range")
    return value


def convert_string(text: str, target: DataType) -> object:
    """Convert a string literal at analysis time for the targets where the result is
    a plain Python value (numbers, booleans). Raises ConversionError."""
    if target is DataType.DOUBLE:
        return float(_parse_number(text))
    if target in (DataType.INTEGER, DataType.LONG, DataType.UNSIGNED_LONG):
        return _to_integral(text, target)
    if target is DataType.BOOLEAN:
        return text.strip().lower() == "true"  # Boolean.parseBoolean
    raise ValueError(f"no analysis-time conversion to {target}")


ANALYSIS_TIME_TARGETS = frozenset(
    {DataType.DOUBLE, DataType.INTEGER, DataType.LONG, DataType.UNSIGNED_LONG, DataType.BOOLEAN}
)
