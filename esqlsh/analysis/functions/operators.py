"""Declarations of the operators, as registry functions: arithmetic (``add sub mul
div mod neg``), comparisons (``eq neq lt lte gt gte``), logic (``and or not``),
``is_null is_not_null``, ``in``, ``like rlike``.

The analyzer turns ``a + b`` into ``FnCall("add", (a, b))``; the check rules here
produce Elasticsearch's messages for operand combinations that each type alone
allows but the pair does not (``[+] has arguments with incompatible types …``).
"""

from __future__ import annotations

from collections.abc import Sequence

from esqlsh.analysis.functions._common import (
    ANY_VALUE,
    NULL,
    NUMBERS,
    STRINGS,
    T,
    es_type_name,
    es_upper_name,
    numeric_common,
    ordinal,
    types,
)
from esqlsh.analysis.registry import CheckRule, Param, declare
from esqlsh.analysis.types import DATE, NUMERIC, STRING, TEMPORAL_AMOUNT, DataType

# ------------------------------------------------------------------ arithmetic

_DATE_MATH = types(NUMBERS, DATE, TEMPORAL_AMOUNT)
_DATE_MATH_EXPECTED = "date_nanos, datetime or numeric"


def _incompatible(symbol: str, a: DataType, b: DataType) -> str:
    return (
        f"[{symbol}] has arguments with incompatible types "
        f"[{es_type_name(a)}] and [{es_type_name(b)}]"
    )


def _numeric_compat(symbol: str, a: DataType, b: DataType) -> str | None:
    """unsigned_long only combines with unsigned_long (or null)."""
    ul = T.UNSIGNED_LONG
    if (b is ul and a not in (ul, NULL)) or (a is ul and b not in (ul, NULL)):
        return _incompatible(symbol, a, b)
    if a in NUMERIC and b not in NUMERIC and b is not NULL:
        return _incompatible(symbol, a, b)
    return None


def _date_math_compat(symbol: str, a: DataType, b: DataType) -> str | None:
    special = DATE | TEMPORAL_AMOUNT
    if a in special or b in special:
        if NULL in (a, b):
            return None
        if (a in DATE and b in TEMPORAL_AMOUNT) or (a in TEMPORAL_AMOUNT and b in DATE):
            return None
        if a in TEMPORAL_AMOUNT and a is b:
            return None
        return _incompatible(symbol, a, b)
    return _numeric_compat(symbol, a, b)


def _arith_result(ts: Sequence[DataType]) -> DataType:
    """Elasticsearch's ``commonType`` for arithmetic operands."""
    a, b = ts[0], ts[1]
    for date_t in (T.DATETIME, T.DATE_NANOS):
        if (a is date_t and (b in TEMPORAL_AMOUNT or b is NULL)) or (
            b is date_t and (a in TEMPORAL_AMOUNT or a is NULL)
        ):
            return date_t
    for amount in (T.TIME_DURATION, T.DATE_PERIOD):
        if a in (amount, NULL) and b in (amount, NULL) and amount in (a, b):
            return amount
    if (a in NUMERIC or a is NULL) and (b in NUMERIC or b is NULL):
        return numeric_common(a, b)
    return a if a is not NULL else b


def _add_check(ts: Sequence[DataType], _srcs: Sequence[str], _call: str) -> str | None:
    return _date_math_compat("+", ts[0], ts[1])


def _sub_check(ts: Sequence[DataType], srcs: Sequence[str], _call: str) -> str | None:
    problem = _date_math_compat("-", ts[0], ts[1])
    if problem:
        return problem
    result = _arith_result(ts)
    if (result in DATE or result in TEMPORAL_AMOUNT) and ts[1] is T.DATETIME:
        return (
            f"[-] arguments are in unsupported order: cannot subtract a "
            f"[{es_upper_name(ts[1])}] value [{srcs[1]}] from a "
            f"[{es_upper_name(ts[0])}] amount [{srcs[0]}]"
        )
    return None


def _numeric_check(symbol: str) -> CheckRule:
    def check(ts: Sequence[DataType], _srcs: Sequence[str], _call: str) -> str | None:
        return _numeric_compat(symbol, ts[0], ts[1])

    return check


def _binary(desc: str, accepted: frozenset[DataType], expected: str) -> list[Param]:
    return [
        Param("lhs", accepted, expected, doc=desc),
        Param("rhs", accepted, expected, doc=desc),
    ]


declare(
    "add",
    "operator",
    _binary("A numeric value or a date time value.", _DATE_MATH, _DATE_MATH_EXPECTED),
    _arith_result,
    "Add two numbers together. If either field is multivalued then the result is `null`.",
    check=_add_check,
    extra={"symbol": "+"},
)
declare(
    "sub",
    "operator",
    _binary("A numeric value or a date time value.", _DATE_MATH, _DATE_MATH_EXPECTED),
    _arith_result,
    "Subtract one number from another. If either field is multivalued then the result is `null`.",
    check=_sub_check,
    extra={"symbol": "-"},
)
for _name, _symbol, _doc in (
    ("mul", "*", "Multiply two numbers together."),
    ("div", "/", "Divide one number by another. Division of integer types truncates."),
    ("mod", "%", "Divide one number by another and return the remainder."),
):
    declare(
        _name,
        "operator",
        _binary("A numeric value.", NUMBERS, "numeric"),
        _arith_result,
        _doc + " If either field is multivalued then the result is `null`.",
        check=_numeric_check(_symbol),
        extra={"symbol": _symbol},
    )

declare(
    "neg",
    "operator",
    [
        Param(
            "field",
            types(T.INTEGER, T.LONG, T.DOUBLE, TEMPORAL_AMOUNT),
            "numeric, date_period or time_duration",
            doc="A numeric value or a date time interval.",
        )
    ],
    lambda ts: ts[0],
    "Returns the negation of the argument.",
    extra={"symbol": "-"},
)

# ----------------------------------------------------------------- comparisons

_EQUALITY = types(
    NUMBERS,
    STRINGS,
    DATE,
    T.BOOLEAN,
    T.IP,
    T.VERSION,
    T.GEO_POINT,
    T.GEO_SHAPE,
    T.CARTESIAN_POINT,
    T.CARTESIAN_SHAPE,
)
_EQUALITY_EXPECTED = (
    "boolean, cartesian_point, cartesian_shape, date_nanos, datetime, double, geo_point, "
    "geo_shape, integer, ip, keyword, long, text, unsigned_long or version"
)
_ORDERING = types(NUMBERS, STRINGS, DATE, T.IP, T.VERSION)
_ORDERING_EXPECTED = (
    "date_nanos, datetime, double, integer, ip, keyword, long, text, unsigned_long or version"
)


def comparable(a: DataType, b: DataType) -> bool:
    """Whether two operand types can be compared (ES's checkCompatibility)."""
    ul = T.UNSIGNED_LONG
    if (b is ul and a not in (ul, NULL)) or (a is ul and b not in (ul, NULL)):
        return False
    return (
        (a in NUMERIC and b in NUMERIC)
        or (a in STRING and b in STRING)
        or (a in DATE and b in DATE)
        or a is b
        or NULL in (a, b)
    )


def _comparison_check(ts: Sequence[DataType], _srcs: Sequence[str], call: str) -> str | None:
    a, b = ts[0], ts[1]
    if comparable(a, b):
        return None
    ul_tail = "[unsigned_long] can only be operated on together with another [unsigned_long]"
    if a is T.UNSIGNED_LONG:
        return (
            f"first argument of [{call}] is [unsigned_long] and second is "
            f"[{es_type_name(b)}]. {ul_tail}"
        )
    if b is T.UNSIGNED_LONG:
        return (
            f"first argument of [{call}] is [{es_type_name(a)}] and second is "
            f"[unsigned_long]. {ul_tail}"
        )
    left = "numeric" if a in NUMERIC else es_type_name(a)
    return (
        f"first argument of [{call}] is [{left}] so second argument must also be "
        f"[{left}] but was [{es_type_name(b)}]"
    )


for _name, _symbol, _accepted, _expected, _doc in (
    ("eq", "==", _EQUALITY, _EQUALITY_EXPECTED, "Check if two fields are equal."),
    ("neq", "!=", _EQUALITY, _EQUALITY_EXPECTED, "Check if two fields are unequal."),
    ("lt", "<", _ORDERING, _ORDERING_EXPECTED, "Check if one field is less than another."),
    (
        "lte",
        "<=",
        _ORDERING,
        _ORDERING_EXPECTED,
        "Check if one field is less than or equal to another.",
    ),
    ("gt", ">", _ORDERING, _ORDERING_EXPECTED, "Check if one field is greater than another."),
    (
        "gte",
        ">=",
        _ORDERING,
        _ORDERING_EXPECTED,
        "Check if one field is greater than or equal to another.",
    ),
):
    declare(
        _name,
        "operator",
        _binary("An expression.", _accepted, _expected),
        T.BOOLEAN,
        _doc + " If either field is multivalued then the result is `null`.",
        check=_comparison_check,
        extra={"symbol": _symbol},
    )

# ----------------------------------------------------------------------- logic

_BOOL = types(T.BOOLEAN)
declare(
    "and",
    "operator",
    _binary("A boolean expression.", _BOOL, "boolean"),
    T.BOOLEAN,
    "Logical AND (three-valued: false wins over null).",
    extra={"symbol": "AND"},
)
declare(
    "or",
    "operator",
    _binary("A boolean expression.", _BOOL, "boolean"),
    T.BOOLEAN,
    "Logical OR (three-valued: true wins over null).",
    extra={"symbol": "OR"},
)
declare(
    "not",
    "operator",
    [Param("field", _BOOL, "boolean", doc="A boolean expression.")],
    T.BOOLEAN,
    "Logical NOT; null stays null.",
    extra={"symbol": "NOT"},
)

_ANYTHING = types(
    ANY_VALUE, T.NULL, T.UNSUPPORTED, T.COUNTER_LONG, T.COUNTER_INTEGER, T.COUNTER_DOUBLE
)
declare(
    "is_null",
    "operator",
    [Param("field", _ANYTHING, doc="Value to check. It can be a single- or multi-valued column.")],
    T.BOOLEAN,
    "Returns `true` if the value is null, `false` otherwise.",
    multivalue=True,
    extra={"symbol": "IS NULL"},
)
declare(
    "is_not_null",
    "operator",
    [Param("field", _ANYTHING, doc="Value to check. It can be a single- or multi-valued column.")],
    T.BOOLEAN,
    "Returns `false` if the value is null, `true` otherwise.",
    multivalue=True,
    extra={"symbol": "IS NOT NULL"},
)


def _in_check(ts: Sequence[DataType], srcs: Sequence[str], call: str) -> str | None:
    value_t = ts[0]
    for i in range(1, len(ts)):
        if value_t is NULL or comparable(value_t, ts[i]):
            continue
        return (
            f"{ordinal(i)} argument of [{call}] must be [{es_type_name(value_t)}], "
            f"found value [{srcs[i]}] type [{es_type_name(ts[i])}]"
        )
    return None


declare(
    "in",
    "operator",
    [
        Param("field", _EQUALITY, _EQUALITY_EXPECTED, doc="An expression."),
        Param(
            "inlist",
            _EQUALITY,
            _EQUALITY_EXPECTED,
            variadic=True,
            optional=False,
            doc="A list of items.",
        ),
    ],
    T.BOOLEAN,
    "The `IN` operator allows testing whether a field or expression equals an element "
    "in a list of literals, fields or expressions.",
    check=_in_check,
    extra={"symbol": "IN"},
)

for _name, _doc in (
    (
        "like",
        "Use `LIKE` to filter data based on string patterns using wildcards. `*` matches "
        "zero or more characters, `?` matches one character.",
    ),
    (
        "rlike",
        "Use `RLIKE` to filter data based on string patterns using regular expressions.",
    ),
):
    declare(
        _name,
        "operator",
        [
            Param("str", STRINGS, "string", doc="A literal expression."),
            Param(
                "pattern",
                STRINGS,
                "string",
                variadic=True,
                optional=False,
                constant=True,
                doc="Pattern.",
            ),
        ],
        T.BOOLEAN,
        _doc,
        extra={"symbol": _name.upper()},
    )
