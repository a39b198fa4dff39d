"""Math functions of ES|QL 9.1 (ABS … TAU): signatures, return types and doc lines.

Type-error phrases (``Param.expected``) are the ones Elasticsearch's ``resolveType``
uses: ``numeric`` for ``isNumeric``, ``integer`` for ``isWholeNumber`` …
Implementations live in ``esqlsh.engine.functions.math``.
"""

from __future__ import annotations

from collections.abc import Sequence

from esqlsh.analysis.registry import Param, declare, same_as
from esqlsh.analysis.types import NUMERIC, DataType, common_type

D = DataType
NUM = NUMERIC
WHOLE = frozenset({D.INTEGER, D.LONG})
NUM_NO_UL = frozenset({D.INTEGER, D.LONG, D.DOUBLE})


def _num(
    name: str, doc: str = "Numeric expression. If `null`, the function returns `null`."
) -> Param:
    return Param(name, NUM, "numeric", doc=doc)


def _unary_double(name: str, doc: str, param_doc: str = "") -> None:
    declare(
        name,
        "scalar",
        [
            _num(
                "number", param_doc or "Numeric expression. If `null`, the function returns `null`."
            )
        ],
        D.DOUBLE,
        doc,
    )


def _constant(name: str, doc: str) -> None:
    declare(name, "scalar", [], D.DOUBLE, doc)


declare(
    "abs",
    "scalar",
    [_num("number")],
    same_as(0),
    "Returns the absolute value.",
    examples=("ROW number = -1.0 | EVAL abs_number = ABS(number)",),
    # ES evaluates ABS of an unsigned long as the value itself, so a multi-valued
    # unsigned long passes through whole; the implementation reduces other types.
    multivalue=True,
)
_unary_double(
    "acos",
    "Returns the arccosine of `n` as an angle, expressed in radians.",
    "Number between -1 and 1. If `null`, the function returns `null`.",
)
_unary_double(
    "asin",
    "Returns the arcsine of the input numeric expression as an angle, expressed in radians.",
    "Number between -1 and 1. If `null`, the function returns `null`.",
)
_unary_double(
    "atan",
    "Returns the arctangent of the input numeric expression as an angle, expressed in radians.",
)
declare(
    "atan2",
    "scalar",
    [
        _num("y_coordinate", "y coordinate. If `null`, the function returns `null`."),
        _num("x_coordinate", "x coordinate. If `null`, the function returns `null`."),
    ],
    D.DOUBLE,
    "The angle between the positive x-axis and the ray from the origin to the point (x , y) "
    "in the Cartesian plane, expressed in radians.",
)
_unary_double(
    "cbrt",
    "Returns the cube root of a number. The input can be any numeric value, the return value "
    "is always a double. Cube roots of infinities are null.",
)
declare(
    "ceil",
    "scalar",
    [_num("number")],
    same_as(0),
    "Round a number up to the nearest integer.",
)
declare(
    "copy_sign",
    "scalar",
    [
        Param(
            "magnitude",
            NUM_NO_UL,
            "numeric",
            doc="The expression providing the magnitude of the result. Must be a numeric type.",
        ),
        Param(
            "sign",
            NUM_NO_UL,
            "numeric",
            doc="The expression providing the sign of the result. Must be a numeric type.",
        ),
    ],
    same_as(0),
    "Returns a value with the magnitude of the first argument and the sign of the second argument.",
)
_unary_double(
    "cos",
    "Returns the cosine of an angle.",
    "An angle, in radians. If `null`, the function returns `null`.",
)
_unary_double(
    "cosh",
    "Returns the hyperbolic cosine of a number.",
)
_constant("e", "Returns Euler's number.")
_unary_double("exp", "Returns the value of e raised to the power of the given number.")
declare(
    "floor",
    "scalar",
    [_num("number")],
    same_as(0),
    "Round a number down to the nearest integer.",
)
declare(
    "hypot",
    "scalar",
    [
        _num("number1", "Numeric expression. If `null`, the function returns `null`."),
        _num("number2", "Numeric expression. If `null`, the function returns `null`."),
    ],
    D.DOUBLE,
    "Returns the hypotenuse of two numbers. The input can be any numeric values, the return "
    "value is always a double. Hypotenuses of infinities are null.",
)
declare(
    "log",
    "scalar",
    [
        Param(
            "base",
            NUM,
            "numeric",
            optional=True,
            doc="Base of logarithm. If `null`, the function returns `null`. If not provided, this "
            "function returns the natural logarithm (base e) of a value.",
        ),
        _num("number", "Numeric expression. If `null`, the function returns `null`."),
    ],
    D.DOUBLE,
    "Returns the logarithm of a value to a base. The input can be any numeric value, the "
    "return value is always a double.  Logs of zero, negative numbers, and base of one return "
    "`null` as well as a warning.",
)
_unary_double(
    "log10",
    "Returns the logarithm of a value to base 10. The input can be any numeric value, the "
    "return value is always a double.  Logs of 0 and negative numbers return `null` as well "
    "as a warning.",
)
_constant("pi", "Returns Pi, the ratio of a circle's circumference to its diameter.")
declare(
    "pow",
    "scalar",
    [
        _num("base", "Numeric expression for the base. If `null`, the function returns `null`."),
        _num(
            "exponent",
            "Numeric expression for the exponent. If `null`, the function returns `null`.",
        ),
    ],
    D.DOUBLE,
    "Returns the value of `base` raised to the power of `exponent`.",
)
declare(
    "round",
    "scalar",
    [
        _num("number", "The numeric value to round. If `null`, the function returns `null`."),
        Param(
            "decimals",
            WHOLE,
            "integer",
            optional=True,
            doc="The number of decimal places to round to. Defaults to 0. If `null`, the function "
            "returns `null`.",
        ),
    ],
    same_as(0),
    "Rounds a number to the specified number of decimal places. Defaults to 0, which returns "
    "the nearest integer. If the precision is a negative number, rounds to the number of "
    "digits left of the decimal point.",
)

_ROUND_TO_TYPES = frozenset({D.DOUBLE, D.INTEGER, D.LONG, D.DATETIME, D.DATE_NANOS})
# ES checks ROUND_TO's types together (the common type of all arguments), so each
# parameter takes any value type and the check rule words the error.
_ANY_VALUE = frozenset(t for t in D if t not in (D.NULL, D.SOURCE, D.DATE_PERIOD, D.TIME_DURATION))


def _round_to_common(types: Sequence[DataType]) -> DataType | None:
    """The common type of the field and every point (ES's ``commonType``); None
    when two of them have none."""
    result: DataType | None = types[0]
    for t in types[1:]:
        if result is None:
            break
        result = common_type(result, t)
    return result


def _round_to_type(types: Sequence[DataType]) -> DataType:
    return _round_to_common(types) or D.NULL


def _round_to_check(types: Sequence[DataType], texts: Sequence[str], call: str) -> str | None:
    if any(t is D.UNSIGNED_LONG for t in types):
        return "all arguments must be numeric, date, or data_nanos"
    t = _round_to_common(types)
    if t is None or (t is not D.NULL and t not in _ROUND_TO_TYPES):
        return "all arguments must be numeric, date, or data_nanos"
    return None


declare(
    "round_to",
    "scalar",
    [
        Param(
            "field",
            _ANY_VALUE,
            "numeric, date, or data_nanos",
            doc="The numeric value to round. If `null`, the function returns `null`.",
        ),
        Param(
            "points",
            _ANY_VALUE,
            "numeric, date, or data_nanos",
            variadic=True,
            optional=False,
            constant=True,
            doc="Remaining rounding points. Must be constants.",
        ),
    ],
    _round_to_type,
    "Rounds down to one of a list of fixed points.",
    check=_round_to_check,
)
declare(
    "scalb",
    "scalar",
    [
        _num("d", "Numeric expression for the multiplier. If `null`, the function returns `null`."),
        Param(
            "scaleFactor",
            WHOLE,
            "whole number except unsigned_long or counter types",
            doc="Numeric expression for the scale factor. If `null`, the function returns `null`.",
        ),
    ],
    D.DOUBLE,
    "Returns the result of `d * 2 ^ scaleFactor`, Similar to Java's `scalb` function. Result "
    "is rounded as if performed by a single correctly rounded floating-point multiply to a "
    "member of the double value set.",
)
_unary_double(
    "signum",
    "Returns the sign of the given number. It returns `-1` for negative numbers, `0` for `0` "
    "and `1` for positive numbers.",
)
_unary_double(
    "sin",
    "Returns the sine of an angle.",
    "An angle, in radians. If `null`, the function returns `null`.",
)
_unary_double("sinh", "Returns the hyperbolic sine of a number.")
_unary_double(
    "sqrt",
    "Returns the square root of a number. The input can be any numeric value, the return "
    "value is always a double. Square roots of negative numbers and infinities are null.",
)
_unary_double(
    "tan",
    "Returns the tangent of an angle.",
    "An angle, in radians. If `null`, the function returns `null`.",
)
_unary_double("tanh", "Returns the hyperbolic tangent of a number.")
_constant("tau", "Returns the ratio of a circle's circumference to its radius.")

# -- After 9.1: the inverse hyperbolic functions (ESSloppyMath, ported from Go's math).
_unary_double(
    "acosh",
    "Returns the inverse hyperbolic cosine of a number.",
    "Number greater than or equal to 1. If `null`, the function returns `null`.",
)
_unary_double(
    "asinh",
    "Returns the inverse hyperbolic sine of a number.",
    "Numeric expression. If `null`, the function returns `null`.",
)
_unary_double(
    "atanh",
    "Returns the inverse hyperbolic tangent of a number.",
    "Number between -1 and 1, exclusive. If `null`, the function returns `null`.",
)
