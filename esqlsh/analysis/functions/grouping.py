"""Declarations of the grouping functions: ``BUCKET`` (alias ``BIN``).

BUCKET is evaluated like a scalar (the bucket key of each row); its span, count and
range arguments must be constants. The check rule reproduces Elasticsearch's
Bucket.resolveType messages for the argument combinations it rejects.
"""

from __future__ import annotations

from collections.abc import Sequence

from esqlsh.analysis.functions._common import (
    NULL,
    NUMBERS,
    STRINGS,
    T,
    es_upper_name,
    type_error,
    types,
)
from esqlsh.analysis.registry import Param, declare
from esqlsh.analysis.types import DATE, INTEGRAL, NUMERIC, TEMPORAL_AMOUNT, DataType

_RANGE = types(T.INTEGER, T.LONG, T.UNSIGNED_LONG, T.DOUBLE, T.DATETIME, T.DATE_NANOS, STRINGS)


def _args_count(expected: int, ts: Sequence[DataType]) -> str | None:
    n = len(ts)
    has_from, has_to = n > 2, n > 3
    word = None
    if expected == 2 and (has_from or has_to):
        word = "two"
    elif expected == 4 and not (has_from and has_to):
        word = "four"
    if word is None:
        return None
    return (
        f"function expects exactly {word} arguments when the first one is of type "
        f"[{es_upper_name(ts[0])}] and the second of type [{es_upper_name(ts[1])}]"
    )


def _bucket_check(ts: Sequence[DataType], srcs: Sequence[str], call: str) -> str | None:
    field_t, buckets_t = ts[0], ts[1]
    if NULL in (field_t, buckets_t):
        return None
    if field_t in DATE:
        if buckets_t not in INTEGRAL and buckets_t not in TEMPORAL_AMOUNT:
            return type_error(
                "second", call, "integral, date_period or time_duration", srcs[1], buckets_t
            )
        if buckets_t in INTEGRAL:
            problem = _args_count(4, ts)
            if problem:
                return problem
            for i, ord_ in ((2, "third"), (3, "fourth")):
                if ts[i] not in STRINGS and ts[i] not in DATE and ts[i] is not NULL:
                    return type_error(ord_, call, "datetime, date_nanos or string", srcs[i], ts[i])
            return None
        return _args_count(2, ts)
    if field_t in NUMERIC:
        if buckets_t not in NUMERIC:
            return type_error("second", call, "numeric", srcs[1], buckets_t)
        if buckets_t is T.DOUBLE:
            return _args_count(2, ts)
        if len(ts) == 2:
            return None
        problem = _args_count(4, ts)
        if problem:
            return problem
        for i, ord_ in ((2, "third"), (3, "fourth")):
            if ts[i] not in NUMERIC and ts[i] is not NULL:
                return type_error(ord_, call, "numeric", srcs[i], ts[i])
        return None
    return type_error("first", call, "datetime or numeric", srcs[0], field_t)


def _bucket_result(ts: Sequence[DataType]) -> DataType:
    return T.DOUBLE if ts[0] in NUMERIC else ts[0]


declare(
    "bucket",
    "grouping",
    [
        Param(
            "field",
            types(NUMBERS, DATE),
            "datetime or numeric",
            doc="Numeric or date expression from which to derive buckets.",
        ),
        Param(
            "buckets",
            types(T.INTEGER, T.LONG, T.DOUBLE, TEMPORAL_AMOUNT),
            "integral, date_period or time_duration",
            constant=True,
            doc="Target number of buckets, or desired bucket size if `from` and `to` "
            "parameters are omitted.",
        ),
        Param(
            "from",
            _RANGE,
            "datetime, date_nanos or string",
            optional=True,
            constant=True,
            doc="Start of the range. Can be a number, a date or a date expressed as a string.",
        ),
        Param(
            "to",
            _RANGE,
            "datetime, date_nanos or string",
            optional=True,
            constant=True,
            doc="End of the range. Can be a number, a date or a date expressed as a string.",
        ),
    ],
    _bucket_result,
    "Creates groups of values - buckets - out of a datetime or numeric input. The size of "
    "the buckets can either be provided directly, or chosen based on a recommended count "
    "and values range.",
    check=_bucket_check,
    aliases=("bin",),
)
