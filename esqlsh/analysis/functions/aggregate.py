"""Declarations of the aggregate functions used in STATS (``COUNT``, ``SUM``,
``AVG``, ``MIN``, ``MAX``, ``MEDIAN``, ``PERCENTILE``, ``VALUES``, ``TOP`` …).

Aggregates see every value of a multi-valued field (``multivalue``). ``COUNT(*)``
is a ``FnCall("count", (), star=True)`` that the executor handles itself.
"""

from __future__ import annotations

from collections.abc import Sequence

from esqlsh.analysis.functions._common import (
    ANY_VALUE,
    NULL,
    SPATIAL_T,
    STRINGS,
    T,
    no_text,
    same_type_no_text,
    type_error,
    types,
)
from esqlsh.analysis.registry import Param, declare
from esqlsh.analysis.types import DATE, DataType

_NUMBER = types(T.INTEGER, T.LONG, T.DOUBLE)
_NUMBER_EXPECTED = "numeric except unsigned_long or counter types"
_MIN_MAX = types(
    T.BOOLEAN, DATE, T.DOUBLE, T.INTEGER, T.IP, STRINGS, T.LONG, T.UNSIGNED_LONG, T.VERSION
)
_MIN_MAX_EXPECTED = "representable except spatial types"
# What SAMPLE and VALUES collect.
_COLLECTABLE = types(
    T.BOOLEAN, DATE, T.DOUBLE, T.INTEGER, T.IP, STRINGS, T.LONG, T.VERSION, SPATIAL_T
)
_COLLECTABLE_EXPECTED = "any type except unsigned_long and counter types"
# The second parameter of SAMPLE and TOP.
_LIMIT = Param(
    "limit",
    types(T.INTEGER),
    "integer",
    constant=True,
    doc="The maximum number of values to collect.",
)


def _number_param(
    name: str = "number", doc: str = "Expression that outputs values to aggregate."
) -> Param:
    return Param(name, _NUMBER, _NUMBER_EXPECTED, doc=doc)


def _sum_result(ts: Sequence[DataType]) -> DataType:
    if ts[0] is NULL:
        return NULL
    return T.DOUBLE if ts[0] is T.DOUBLE else T.LONG


declare(
    "avg",
    "aggregate",
    [_number_param()],
    T.DOUBLE,
    "The average of a numeric field.",
    multivalue=True,
)
declare(
    "count",
    "aggregate",
    [
        Param(
            "field",
            types(
                ANY_VALUE,
                T.NULL,
                T.UNSUPPORTED,
                T.COUNTER_LONG,
                T.COUNTER_INTEGER,
                T.COUNTER_DOUBLE,
            ),
            optional=True,
            doc="Expression that outputs values to be counted. If omitted, equivalent to "
            "`COUNT(*)` (the number of rows).",
        )
    ],
    T.LONG,
    "Returns the total number (count) of input values.",
    multivalue=True,
)
declare(
    "count_distinct",
    "aggregate",
    [
        Param(
            "field",
            types(T.BOOLEAN, DATE, T.DOUBLE, T.INTEGER, T.IP, STRINGS, T.LONG, T.VERSION),
            "any exact type except unsigned_long, _source, or counter types",
            doc="Column or literal for which to count the number of distinct values.",
        ),
        Param(
            "precision",
            types(T.INTEGER, T.LONG, T.UNSIGNED_LONG),
            "integer, long or unsigned_long",
            optional=True,
            constant=True,
            doc="Precision threshold. The maximum supported value is 40000. Thresholds above "
            "this number will have the same effect as a threshold of 40000. The default "
            "value is 3000.",
        ),
    ],
    T.LONG,
    "Returns the approximate number of distinct values.",
    multivalue=True,
)
for _name, _doc in (
    ("max", "The maximum value of a field."),
    ("min", "The minimum value of a field."),
):
    declare(
        _name,
        "aggregate",
        [Param("field", _MIN_MAX, _MIN_MAX_EXPECTED, doc="Field to aggregate.")],
        same_type_no_text,
        _doc,
        multivalue=True,
    )
declare(
    "median",
    "aggregate",
    [_number_param()],
    T.DOUBLE,
    "The value that is greater than half of all values and less than half of all values, "
    "also known as the 50% `PERCENTILE`.",
    multivalue=True,
)
declare(
    "median_absolute_deviation",
    "aggregate",
    [_number_param()],
    T.DOUBLE,
    "Returns the median absolute deviation, a measure of variability. It is a robust "
    "statistic, meaning that it is useful for describing data that may have outliers, or "
    "may not be normally distributed.",
    multivalue=True,
)
declare(
    "percentile",
    "aggregate",
    [
        _number_param(),
        Param(
            "percentile",
            _NUMBER,
            "numeric except unsigned_long",
            constant=True,
            doc="The percentile to compute, between 0 and 100.",
        ),
    ],
    T.DOUBLE,
    "Returns the value at which a certain percentage of observed values occur. For "
    "example, the 95th percentile is the value which is greater than 95% of the observed "
    "values and the 50th percentile is the `MEDIAN`.",
    multivalue=True,
)
declare(
    "sample",
    "aggregate",
    [
        Param(
            "field",
            _COLLECTABLE,
            _COLLECTABLE_EXPECTED,
            doc="The field to collect sample values for.",
        ),
        _LIMIT,
    ],
    same_type_no_text,
    "Collects sample values for a field.",
    multivalue=True,
)
declare(
    "std_dev",
    "aggregate",
    [_number_param()],
    T.DOUBLE,
    "The population standard deviation of a numeric field.",
    multivalue=True,
)
declare(
    "sum",
    "aggregate",
    [_number_param()],
    _sum_result,
    "The sum of a numeric expression.",
    multivalue=True,
)


_TOP_OUTPUT = types(T.DATETIME, T.DOUBLE, T.INTEGER, T.LONG, STRINGS)
_TOP_OUTPUT_EXPECTED = "date, numeric except unsigned_long or counter types or string"


def _top_check(ts: Sequence[DataType], srcs: Sequence[str], call: str) -> str | None:
    if len(ts) > 2 and ts[2] not in (T.KEYWORD, T.TEXT, NULL):
        return type_error("third", call, "string", srcs[2], ts[2])
    if len(ts) > 3 and ts[0] not in _TOP_OUTPUT and ts[0] is not NULL:
        # Elasticsearch's isType(..., "when fourth argument is set, ", ...)
        return "when fourth argument is set, " + type_error(
            "first", call, _TOP_OUTPUT_EXPECTED, srcs[0], ts[0]
        )
    return None


def _top_result(ts: Sequence[DataType]) -> DataType:
    """The field's type, or with an output field (Elasticsearch 9.3) that one's."""
    return no_text(ts[3] if len(ts) > 3 else ts[0])


declare(
    "top",
    "aggregate",
    [
        Param(
            "field",
            types(T.BOOLEAN, T.DATETIME, T.DOUBLE, T.INTEGER, T.IP, STRINGS, T.LONG),
            "boolean, date, ip, string or numeric except unsigned_long or counter types",
            doc="The field to collect the top values for.",
        ),
        _LIMIT,
        Param(
            "order",
            STRINGS,
            "string",
            optional=True,
            constant=True,
            doc="The order to calculate the top values. Either `asc` or `desc`, and defaults "
            "to `asc` if omitted.",
        ),
        Param(
            "outputField",
            _TOP_OUTPUT,
            _TOP_OUTPUT_EXPECTED,
            optional=True,
            doc="The extra field that, if present, will be the output of the TOP call "
            "instead of `field`.",
        ),
    ],
    _top_result,
    "Collects the top values for a field. Includes repeated values.",
    multivalue=True,
    check=_top_check,
    examples=(
        'FROM employees | STATS top_salaries = TOP(salary, 3, "desc"), top_salary = MAX(salary)',
    ),
)
declare(
    "values",
    "aggregate",
    [
        Param(
            "field",
            _COLLECTABLE,
            _COLLECTABLE_EXPECTED,
            doc="Field to collect the values of.",
        )
    ],
    same_type_no_text,
    "Returns unique values as a multivalued field. The order of the returned values isn't "
    "guaranteed. If you need the values returned in order use `MV_SORT`.",
    multivalue=True,
)
declare(
    "weighted_avg",
    "aggregate",
    [
        _number_param(doc="A numeric value."),
        _number_param("weight", doc="A numeric weight."),
    ],
    T.DOUBLE,
    "The weighted average of a numeric expression.",
    multivalue=True,
)


# FIRST and LAST (Elasticsearch 9.3 preview, capability agg_first_last): the value
# of the row whose sort key is the smallest (largest), the value whole (null or
# multi-valued as it is). Rows without a sort key come last; ties keep input order.
_FIRST_LAST_FIELD = types(T.BOOLEAN, DATE, T.IP, STRINGS, T.INTEGER, T.LONG, T.DOUBLE)
_FIRST_LAST_FIELD_EXPECTED = (
    "boolean, date, ip, string or numeric except unsigned_long or counter types"
)
_SORT_TYPES = types(T.INTEGER, T.LONG, DATE)
for _name, _which in (("first", "earliest"), ("last", "latest")):
    declare(
        _name,
        "aggregate",
        [
            Param("field", _FIRST_LAST_FIELD, _FIRST_LAST_FIELD_EXPECTED, doc="The search field"),
            Param(
                "sortField",
                _SORT_TYPES,
                "integer or long or date_nanos or datetime",
                doc="The sort field",
            ),
        ],
        same_type_no_text,
        f"This function calculates the {_which} occurrence of the search field (the first "
        "parameter), where sorting order is determined by the sort field (the second "
        "parameter). This sorting order is always ascending and null values always sort "
        "last. Both fields support null, single-valued, and multi-valued input. If the "
        f"{_which} sort field value appears in multiple documents, this function is allowed "
        "to return any corresponding search field value.",
        multivalue=True,
        examples=(f"FROM employees | STATS {_name}_salary = {_name.upper()}(salary, hire_date)",),
    )

# PRESENT and ABSENT (Elasticsearch 9.2): whether the group has any non-null value.
_ANY_FIELD = types(ANY_VALUE)
for _name, _doc in (
    (
        "present",
        "Returns true if the input expression yields any non-null values within the current "
        "aggregation context. Otherwise it returns false.",
    ),
    (
        "absent",
        "Returns true if the input expression yields no non-null values within the current "
        "aggregation context. Otherwise it returns false.",
    ),
):
    declare(
        _name,
        "aggregate",
        [
            Param(
                "field",
                _ANY_FIELD,
                doc="Expression that outputs values to be checked for presence.",
            )
        ],
        T.BOOLEAN,
        _doc,
        multivalue=True,
        examples=(f"FROM employees | STATS is_{_name} = {_name.upper()}(languages)",),
    )
