"""Date and time functions of ES|QL 9.1 (DATE_DIFF, DATE_EXTRACT, DATE_FORMAT, DATE_PARSE,
DATE_TRUNC, NOW): signatures, return types and doc lines.

DATE_FORMAT and DATE_PARSE have an *optional first* parameter (the pattern), as in
Elasticsearch: with one argument it is the date (string). Implementations live in
``esqlsh.engine.functions.date``.
"""

from __future__ import annotations

from collections.abc import Sequence

from esqlsh.analysis.registry import Param, declare
from esqlsh.analysis.types import DATE, STRING, TEMPORAL_AMOUNT, DataType

D = DataType
DATE_EXPECTED = "datetime or date_nanos"


def _date(
    name: str, doc: str = "Date expression. If `null`, the function returns `null`."
) -> Param:
    return Param(name, DATE, DATE_EXPECTED, doc=doc)


def _trunc_type(types: Sequence[DataType]) -> DataType:
    # A null date truncates to a (null) date, as before date_nanos existed.
    return D.DATETIME if types[-1] is D.NULL else types[-1]


declare(
    "date_diff",
    "scalar",
    [
        Param("unit", STRING, "string", doc="Time difference unit"),
        _date("startTimestamp", "A string representing a start timestamp"),
        _date("endTimestamp", "A string representing an end timestamp"),
    ],
    D.INTEGER,
    "Subtracts the `startTimestamp` from the `endTimestamp` and returns the difference in "
    "multiples of `unit`. If `startTimestamp` is later than the `endTimestamp`, negative "
    "values are returned.",
)
declare(
    "date_extract",
    "scalar",
    [
        Param(
            "datePart",
            STRING,
            "string",
            doc="Part of the date to extract. Can be: `aligned_day_of_week_in_month`, "
            "`aligned_day_of_week_in_year`, `aligned_week_of_month`, `aligned_week_of_year`, "
            "`ampm_of_day`, `clock_hour_of_ampm`, `clock_hour_of_day`, `day_of_month`, "
            "`day_of_week`, `day_of_year`, `epoch_day`, `era`, `hour_of_ampm`, `hour_of_day`, "
            "`instant_seconds`, `micro_of_day`, `micro_of_second`, `milli_of_day`, "
            "`milli_of_second`, `minute_of_day`, `minute_of_hour`, `month_of_year`, "
            "`nano_of_day`, `nano_of_second`, `offset_seconds`, `proleptic_month`, "
            "`second_of_day`, `second_of_minute`, `year`, or `year_of_era`. If `null`, the "
            "function returns `null`.",
        ),
        _date("date"),
    ],
    D.LONG,
    "Extracts parts of a date, like year, month, day, hour.",
)


def _type_name(t: DataType) -> str:
    return "datetime" if t is D.DATETIME else t.es_name


def _format_check(types: Sequence[DataType], texts: Sequence[str], call: str) -> str | None:
    """DATE_FORMAT's optional parameter comes first: with one argument it is the
    date; with two, the first must be the format."""
    if len(types) == 1 and types[0] not in DATE and types[0] is not D.NULL:
        expected = DATE_EXPECTED
    elif len(types) == 2 and types[0] in DATE:
        expected = "string"
    else:
        return None
    return (
        f"first argument of [{call}] must be [{expected}], found value [{texts[0]}] "
        f"type [{_type_name(types[0])}]"
    )


# Declared as (format-or-date, [date]) because arguments bind to parameters by
# position; ES documents the first parameter's types the same way.
declare(
    "date_format",
    "scalar",
    [
        Param(
            "dateFormat",
            STRING | DATE,
            "string",
            doc="Date format (optional).  If no format is specified, the "
            "`yyyy-MM-dd'T'HH:mm:ss.SSSZ` format is used. If `null`, the function returns `null`.",
        ),
        Param(
            "date",
            DATE,
            DATE_EXPECTED,
            optional=True,
            doc="Date expression. If `null`, the function returns `null`.",
        ),
    ],
    D.KEYWORD,
    "Returns a string representation of a date, in the provided format.",
    check=_format_check,
)
declare(
    "date_parse",
    "scalar",
    [
        Param(
            "datePattern",
            STRING,
            "string",
            optional=True,
            doc="The date format. Refer to the `DateTimeFormatter` documentation for the syntax. "
            "If `null`, the function returns `null`.",
        ),
        Param(
            "dateString",
            STRING,
            "string",
            doc="Date expression as a string. If `null` or an empty string, the function "
            "returns `null`.",
        ),
    ],
    D.DATETIME,
    "Returns a date by parsing the second argument using the format specified in the first "
    "argument.",
)
declare(
    "date_trunc",
    "scalar",
    [
        Param(
            "interval",
            TEMPORAL_AMOUNT,
            "dateperiod or timeduration",
            constant=True,
            doc="Interval; expressed using the timespan literal syntax.",
        ),
        Param("date", DATE, "date_nanos or datetime", doc="Date expression"),
    ],
    _trunc_type,
    "Rounds down a date to the closest interval since epoch, which starts at "
    "`0001-01-01T00:00:00Z`.",
)
declare(
    "now",
    "scalar",
    [],
    D.DATETIME,
    "Returns current date and time.",
)

# -- After 9.1: DAY_NAME and MONTH_NAME (Elasticsearch 9.2). Names are English (the
# request's default locale), of the date in UTC.
declare(
    "day_name",
    "scalar",
    [_date("date")],
    D.KEYWORD,
    "Returns the name of the weekday for date based on the configured Locale.",
    examples=('ROW dt = TO_DATETIME("1953-09-02T00:00:00.000Z") | EVAL weekday = DAY_NAME(dt)',),
)
declare(
    "month_name",
    "scalar",
    [_date("date")],
    D.KEYWORD,
    "Returns the month name for the provided date based on the configured Locale.",
    examples=('ROW dt = TO_DATETIME("1996-03-21T00:00:00.000Z") | EVAL month = MONTH_NAME(dt)',),
)
