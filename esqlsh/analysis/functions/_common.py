"""Helpers shared by the function declaration modules: type sets, Elasticsearch's
type names in messages, and return / check rules that several families use.

No polars here: declarations are imported at start-up by the completer.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from esqlsh.analysis.registry import CheckRule, ReturnRule
from esqlsh.analysis.types import DATE, NUMERIC, STRING, DataType

T = DataType
NULL = DataType.NULL


def types(*ts: DataType | Iterable[DataType]) -> frozenset[DataType]:
    """A frozenset of the given types (sets are flattened)."""
    out: set[DataType] = set()
    for t in ts:
        if isinstance(t, DataType):
            out.add(t)
        else:
            out.update(t)
    return frozenset(out)


NUMBERS = types(NUMERIC)
STRINGS = types(STRING)
DATES = types(DATE)
# What ES|QL can order: comparisons, MIN/MAX, GREATEST/LEAST, SORT.
ORDERABLE = types(NUMERIC, STRING, DATE, T.IP, T.VERSION)
SPATIAL_T = types(T.GEO_POINT, T.CARTESIAN_POINT, T.GEO_SHAPE, T.CARTESIAN_SHAPE)
# Everything that can sit in a column.
ANY_VALUE = types(ORDERABLE, T.BOOLEAN, SPATIAL_T)


def es_type_name(t: DataType) -> str:
    """The name Elasticsearch uses for a type in error messages (``typeName()``):
    the ``date`` type is ``datetime`` there."""
    return "datetime" if t is T.DATETIME else t.value


def es_upper_name(t: DataType) -> str:
    """``DataType.toString()`` in Elasticsearch: the enum constant name
    (``DATETIME``, ``DATE_PERIOD``) used by a few messages."""
    return es_type_name(t).upper()


def is_null(t: DataType) -> bool:
    return t is NULL


def numeric_common(a: DataType, b: DataType) -> DataType:
    """Elasticsearch's ``commonType`` for two numeric (or null) types."""
    if a is NULL:
        return b
    if b is NULL or a is b:
        return a
    for t in (T.DOUBLE, T.UNSIGNED_LONG, T.LONG, T.INTEGER):
        if t in (a, b):
            return t
    return a


def common_of(ts: Sequence[DataType]) -> DataType | None:
    """The common type of several value types (CASE, COALESCE, GREATEST …):
    null joins anything, numerics widen, keyword and text join as keyword, date and
    date_nanos as date_nanos; None when two types cannot be joined."""
    out: DataType = NULL
    for t in ts:
        if t is NULL or t is out:
            continue
        if out is NULL:
            out = t
        elif out in NUMERIC and t in NUMERIC:
            out = numeric_common(out, t)
        elif out in STRING and t in STRING:
            out = T.KEYWORD
        elif out in DATE and t in DATE:
            out = T.DATE_NANOS
        else:
            return None
    return out


def no_text(t: DataType) -> DataType:
    """Functions never emit ``text`` (since Elasticsearch 8.17): it becomes keyword."""
    return T.KEYWORD if t is T.TEXT else t


def same_type_no_text(ts: Sequence[DataType]) -> DataType:
    """Return rule: the first argument's type, text as keyword."""
    return no_text(ts[0])


def returns_common(start: int = 0, step: int = 1) -> ReturnRule:
    """Return rule: the common type of args ``start, start+step, …`` (text as
    keyword)."""

    def rule(ts: Sequence[DataType]) -> DataType:
        return no_text(common_of(list(ts[start::step])) or ts[start])

    return rule


ORDINALS = (
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
)


def ordinal(i: int) -> str:
    """``first``, ``second`` … for argument ``i`` (0-based), as ES's ParamOrdinal."""
    return ORDINALS[i] if i < len(ORDINALS) else f"{i + 1}th"


def join_or(names: Sequence[str]) -> str:
    """``a, b or c`` — how TypeResolutions lists accepted types."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " or " + names[-1]


def type_error(ord_: str, call: str, expected: str, arg: str, t: DataType) -> str:
    """Elasticsearch's standard type error text."""
    prefix = f"{ord_} argument" if ord_ else "argument"
    return (
        f"{prefix} of [{call}] must be [{expected}], found value [{arg}] type [{es_type_name(t)}]"
    )


def no_check(_ts: Sequence[DataType], _srcs: Sequence[str], _call: str) -> str | None:
    return None


def all_checks(*rules: CheckRule) -> CheckRule:
    """A check that runs ``rules`` in order and reports the first problem."""

    def check(ts: Sequence[DataType], srcs: Sequence[str], call: str) -> str | None:
        for rule in rules:
            problem = rule(ts, srcs, call)
            if problem:
                return problem
        return None

    return check
