"""Declarations of the conditional functions: ``CASE``, ``COALESCE``, ``GREATEST``,
``LEAST``, and ``CLAMP``, ``CLAMP_MIN``, ``CLAMP_MAX``.

All four take multi-values whole (``multivalue``): CASE and COALESCE return a
multi-valued value as it is, GREATEST/LEAST consider every value of every argument.
CLAMP* are ordinary single-value functions. The values of one call must share a type (numerics widen, keyword/text join); the
check rules give Elasticsearch's messages when they do not.
"""

from __future__ import annotations

from collections.abc import Sequence

from esqlsh.analysis.functions._common import (
    ANY_VALUE,
    NULL,
    T,
    common_of,
    es_type_name,
    no_text,
    ordinal,
    type_error,
    types,
)
from esqlsh.analysis.registry import Param, declare
from esqlsh.analysis.types import NUMERIC, TEMPORAL_AMOUNT, DataType

_VALUES = types(ANY_VALUE, TEMPORAL_AMOUNT)


def _value_positions(n: int) -> list[int]:
    """Positions of CASE's values: 1, 3, 5 … and the trailing else value."""
    positions = list(range(1, n, 2))
    if n % 2 == 1 and n > 1:
        positions.append(n - 1)
    return positions


def _same_type_check(
    positions: Sequence[int], ts: Sequence[DataType], srcs: Sequence[str], call: str
) -> str | None:
    """Each value must join the type of the values before it. An unsigned_long
    joins no other number: the analyzer has already cast the numbers to the first
    one's type where Elasticsearch's ImplicitCasting does (``COALESCE(ul, long)``);
    what is left (``COALESCE(long, ul)``) Elasticsearch refuses."""
    current: DataType = NULL
    for i in positions:
        joined = common_of([current, ts[i]])
        numbers = current in NUMERIC and ts[i] in NUMERIC and current is not ts[i]
        if joined is None or (numbers and T.UNSIGNED_LONG in (current, ts[i])):
            return type_error(ordinal(i), call, es_type_name(current), srcs[i], ts[i])
        current = joined
    return None


def _case_check(ts: Sequence[DataType], srcs: Sequence[str], call: str) -> str | None:
    n = len(ts)
    conditions = [i for i in range(0, n, 2) if not (n % 2 == 1 and i == n - 1)]
    for i in conditions:
        if ts[i] not in (T.BOOLEAN, NULL):
            return type_error(ordinal(i), call, "boolean", srcs[i], ts[i])
    return _same_type_check(_value_positions(n), ts, srcs, call)


def _case_result(ts: Sequence[DataType]) -> DataType:
    values = [ts[i] for i in _value_positions(len(ts))]
    return no_text(common_of(values) or (values[0] if values else NULL))


declare(
    "case",
    "scalar",
    [
        Param("condition", types(T.BOOLEAN), "boolean", doc="A condition."),
        Param(
            "trueValue",
            _VALUES,
            doc="The value that's returned when the corresponding condition is the first to "
            "evaluate to `true`. The default value is returned when no condition matches.",
        ),
        Param(
            "elseValue",
            _VALUES,
            optional=True,
            variadic=True,
            doc="Further conditions and values, and the default value.",
        ),
    ],
    _case_result,
    "Accepts pairs of conditions and values. The function returns the value that belongs "
    "to the first condition that evaluates to `true`. If the number of arguments is odd, "
    "the last argument is the default value which is returned when no condition matches. "
    "If the number of arguments is even, and no condition matches, the function returns "
    "`null`.",
    multivalue=True,
    check=_case_check,
)


def _all_same_check(ts: Sequence[DataType], srcs: Sequence[str], call: str) -> str | None:
    return _same_type_check(range(len(ts)), ts, srcs, call)


def _common_result(ts: Sequence[DataType]) -> DataType:
    return no_text(common_of(list(ts)) or ts[0])


declare(
    "coalesce",
    "scalar",
    [
        Param("first", ANY_VALUE, doc="Expression to evaluate."),
        Param("rest", ANY_VALUE, optional=True, variadic=True, doc="Other expression to evaluate."),
    ],
    _common_result,
    "Returns the first of its arguments that is not null. If all arguments are null, it "
    "returns `null`.",
    multivalue=True,
    check=_all_same_check,
)

_GREATEST_TYPES = types(
    T.BOOLEAN,
    T.DATETIME,
    T.DATE_NANOS,
    T.DOUBLE,
    T.INTEGER,
    T.IP,
    T.KEYWORD,
    T.LONG,
    T.TEXT,
    T.VERSION,
)
_GREATEST_EXPECTED = (
    "boolean, date, date_nanos, double, integer, ip, keyword, long, text or version"
)

for _name, _what, _mv in (("greatest", "maximum", "MV_MAX"), ("least", "minimum", "MV_MIN")):
    declare(
        _name,
        "scalar",
        [
            Param(
                "first",
                _GREATEST_TYPES,
                _GREATEST_EXPECTED,
                doc="First of the columns to evaluate.",
            ),
            Param(
                "rest",
                _GREATEST_TYPES,
                _GREATEST_EXPECTED,
                optional=True,
                variadic=True,
                doc="The rest of the columns to evaluate.",
            ),
        ],
        _common_result,
        f"Returns the {_what} value from multiple columns. This is similar to `{_mv}` "
        "except it is intended to run on multiple columns at once.",
        multivalue=True,
        check=_all_same_check,
    )


# ------------------------------------------------------------------------ CLAMP
# CLAMP, CLAMP_MIN and CLAMP_MAX (Elasticsearch 9.3, capability ``clamp_functions``).
# The bounds must have the field's type, except that any number bounds a number;
# numbers are compared in the widest type of the arguments (Elasticsearch sorts
# them by size, a double winning a tie, and takes the last).

_CLAMP_TYPES = types(
    NUMERIC, T.KEYWORD, T.TEXT, T.IP, T.BOOLEAN, T.DATETIME, T.DATE_NANOS, T.VERSION
)
_CLAMP_EXPECTED = "boolean, date, ip, string, version or numeric"
_SIZE = {T.INTEGER: 4, T.LONG: 8, T.UNSIGNED_LONG: 8, T.DOUBLE: 8}


def clamp_type(ts: Sequence[DataType]) -> DataType:
    """The type CLAMP computes in: the field's (text as keyword), or for numbers the
    widest argument type, as Elasticsearch's ``Clamp.resolveType``."""
    field = no_text(ts[0])
    if field not in NUMERIC:
        return field
    numbers = [t for t in ts if t in NUMERIC]
    # a stable sort, so of equally wide integral types the last argument's wins
    ordered = sorted(numbers, key=lambda t: (_SIZE[t], t is T.DOUBLE))
    return ordered[-1]


def _clamp_check(ts: Sequence[DataType], srcs: Sequence[str], call: str) -> str | None:
    field = no_text(ts[0])
    if field is NULL:
        return "'field' must not be null in clamp()"
    for i in range(1, len(ts)):
        t = ts[i]
        if t is NULL:
            continue
        fits = field in NUMERIC if t in NUMERIC else no_text(t) is field
        if not fits:
            return type_error(ordinal(i), call, es_type_name(field), srcs[i], t)
    return None


def _clamp_param(name: str, doc: str) -> Param:
    return Param(name, _CLAMP_TYPES, _CLAMP_EXPECTED, doc=doc)


_FIELD_PARAM = _clamp_param("field", "Numeric expression. If `null`, the function returns `null`.")
declare(
    "clamp",
    "scalar",
    [
        _FIELD_PARAM,
        _clamp_param("min", "The min value to clamp data into."),
        _clamp_param("max", "The max value to clamp data into."),
    ],
    clamp_type,
    "Limits (or clamps) the values of all samples to have a lower limit of min and an "
    "upper limit of max.",
    check=_clamp_check,
    examples=("ROW x = 15 | EVAL c = CLAMP(x, 1, 10)",),
)
declare(
    "clamp_min",
    "scalar",
    [_FIELD_PARAM, _clamp_param("min", "The min value to clamp data into.")],
    clamp_type,
    "Limits (or clamps) all input sample values to a lower bound of min. Any value below "
    "min is set to min.",
    check=_clamp_check,
    examples=("ROW x = -3 | EVAL c = CLAMP_MIN(x, 0)",),
)
declare(
    "clamp_max",
    "scalar",
    [_FIELD_PARAM, _clamp_param("max", "The max value to clamp data into.")],
    clamp_type,
    "Limits (or clamps) all input sample values to an upper bound of max. Any value above "
    "max is reduced to max.",
    check=_clamp_check,
    examples=("ROW x = 42 | EVAL c = CLAMP_MAX(x, 10)",),
)
