"""Multi-value functions of ES|QL 9.1 (MV_APPEND … MV_ZIP): signatures, return types and
doc lines.

All are declared ``multivalue=True``: they receive multi-valued arguments whole.
Implementations live in ``esqlsh.engine.functions.multivalue``.
"""

from __future__ import annotations

from collections.abc import Sequence

from esqlsh.analysis.functions._common import no_text, same_type_no_text
from esqlsh.analysis.registry import Param, declare, same_as
from esqlsh.analysis.types import NUMERIC, SPATIAL, STRING, DataType

D = DataType
REPRESENTABLE = frozenset(
    {
        D.BOOLEAN,
        D.CARTESIAN_POINT,
        D.CARTESIAN_SHAPE,
        D.DATETIME,
        D.DATE_NANOS,
        D.DOUBLE,
        D.GEO_POINT,
        D.GEO_SHAPE,
        D.INTEGER,
        D.IP,
        D.KEYWORD,
        D.LONG,
        D.TEXT,
        D.UNSIGNED_LONG,
        D.VERSION,
    }
)
NON_SPATIAL = REPRESENTABLE - SPATIAL
NUM_NO_UL = frozenset({D.DOUBLE, D.INTEGER, D.LONG})
INT = frozenset({D.INTEGER})
MV_DOC = "Multivalue expression."


def _field(types: frozenset[DataType], expected: str, doc: str = MV_DOC) -> Param:
    return Param("field", types, expected, doc=doc)


def _number(types: frozenset[DataType] = NUMERIC, expected: str = "numeric") -> Param:
    return Param("number", types, expected, doc=MV_DOC)


def _mv(name: str, params: list[Param], returns: object, doc: str) -> None:
    declare(name, "scalar", params, returns, doc, multivalue=True)  # type: ignore[arg-type]


def _append_type(types: Sequence[DataType]) -> DataType:
    return no_text(types[1] if types[0] is D.NULL else types[0])


def _second_like_first(
    types: Sequence[DataType], texts: Sequence[str], call: str, *, text_is_keyword: bool
) -> str | None:
    """The second argument must have the first one's type (null goes with any);
    with ``text_is_keyword`` text and keyword count as one type."""
    first, second = types[0], types[1]
    if text_is_keyword:
        first, second = no_text(first), no_text(second)
    if first is D.NULL or second is D.NULL or first is second:
        return None
    return (
        f"second argument of [{call}] must be [{first.es_name}], "
        f"found value [{texts[1]}] type [{types[1].es_name}]"
    )


def _append_check(types: Sequence[DataType], texts: Sequence[str], call: str) -> str | None:
    return _second_like_first(types, texts, call, text_is_keyword=False)


declare(
    "mv_append",
    "scalar",
    [
        Param("field1", REPRESENTABLE, "representable"),
        Param("field2", REPRESENTABLE, "representable"),
    ],
    _append_type,
    "Concatenates values of two multi-value fields.",
    multivalue=True,
    check=_append_check,
)
_mv(
    "mv_avg",
    [_number()],
    D.DOUBLE,
    "Converts a multivalued field into a single valued field containing the average of all "
    "of the values.",
)
_mv(
    "mv_concat",
    [
        Param("string", STRING, "string", doc=MV_DOC),
        Param("delim", STRING, "string", doc="Delimiter."),
    ],
    D.KEYWORD,
    "Converts a multivalued string expression into a single valued column containing the "
    "concatenation of all values separated by a delimiter.",
)
_mv(
    "mv_count",
    [_field(REPRESENTABLE, "representable")],
    D.INTEGER,
    "Converts a multivalued expression into a single valued column containing a count of "
    "the number of values.",
)
_mv(
    "mv_dedupe",
    [_field(REPRESENTABLE, "representable")],
    same_type_no_text,
    "Remove duplicate values from a multivalued field.",
)
_mv(
    "mv_first",
    [_field(REPRESENTABLE, "representable")],
    same_type_no_text,
    "Converts a multivalued expression into a single valued column containing the first value.",
)
_mv(
    "mv_last",
    [_field(REPRESENTABLE, "representable")],
    same_type_no_text,
    "Converts a multivalue expression into a single valued column containing the last value.",
)
_mv(
    "mv_max",
    [_field(NON_SPATIAL, "representableNonSpatial")],
    same_type_no_text,
    "Converts a multivalued expression into a single valued column containing the maximum value.",
)
_mv(
    "mv_median",
    [_number()],
    same_as(0),
    "Converts a multivalued field into a single valued field containing the median value.",
)
_mv(
    "mv_median_absolute_deviation",
    [_number()],
    same_as(0),
    "Converts a multivalued field into a single valued field containing the median "
    "absolute deviation.",
)
_mv(
    "mv_min",
    [_field(NON_SPATIAL, "representableNonSpatial")],
    same_type_no_text,
    "Converts a multivalued expression into a single valued column containing the minimum value.",
)
_mv(
    "mv_percentile",
    [
        _number(NUM_NO_UL, "numeric except unsigned_long"),
        Param(
            "percentile",
            NUM_NO_UL,
            "numeric except unsigned_long",
            doc="The percentile to calculate. Must be a number between 0 and 100. Numbers out "
            "of range will return a null instead.",
        ),
    ],
    same_as(0),
    "Converts a multivalued field into a single valued field containing the value at which "
    "a certain percentage of observed values occur.",
)
_mv(
    "mv_pseries_weighted_sum",
    [
        _number(frozenset({D.DOUBLE}), "double"),
        Param(
            "p",
            frozenset({D.DOUBLE}),
            "double",
            constant=True,
            doc="It is a constant number that represents the *p* parameter in the P-Series. It "
            "impacts every element's contribution to the weighted sum.",
        ),
    ],
    lambda types: D.NULL if types[1] is D.NULL else types[0],
    "Converts a multivalued expression into a single-valued column by multiplying every "
    "element on the input list by its corresponding term in P-Series and computing the sum.",
)
_mv(
    "mv_slice",
    [
        _field(REPRESENTABLE, "representable"),
        Param(
            "start",
            INT,
            "integer",
            doc="Start position. If `null`, the function returns `null`. The start argument "
            "can be negative. An index of -1 is used to specify the last value in the list.",
        ),
        Param(
            "end",
            INT,
            "integer",
            optional=True,
            doc="End position(included). Optional; if omitted, the position at `start` is "
            "returned. The end argument can be negative. An index of -1 is used to specify "
            "the last value in the list.",
        ),
    ],
    same_type_no_text,
    "Returns a subset of the multivalued field using the start and end index values. This "
    "is most useful when reading from a function that emits multivalued columns in a known "
    "order like `SPLIT` or `MV_SORT`.",
)


def _sort_order_check(types: Sequence[DataType], texts: Sequence[str], call: str) -> str | None:
    """ES validates a literal order before running anything."""
    if len(texts) < 2 or not (texts[1].startswith('"') and texts[1].endswith('"')):
        return None
    order = texts[1][1:-1]
    if order.upper() in ("ASC", "DESC"):
        return None
    return f"Invalid order value in [{call}], expected one of [ASC, DESC] but got [{order}]"


declare(
    "mv_sort",
    "scalar",
    [
        _field(NON_SPATIAL, "representable"),
        Param(
            "order",
            STRING,
            "string",
            optional=True,
            constant=True,
            doc="Sort order. The valid options are ASC and DESC, the default is ASC.",
        ),
    ],
    same_type_no_text,
    "Sorts a multivalued field in lexicographical order.",
    multivalue=True,
    check=_sort_order_check,
)
_mv(
    "mv_sum",
    [_number()],
    same_as(0),
    "Converts a multivalued field into a single valued field containing the sum of all of "
    "the values.",
)
_mv(
    "mv_zip",
    [
        Param("string1", STRING, "string", doc=MV_DOC),
        Param("string2", STRING, "string", doc=MV_DOC),
        Param(
            "delim",
            STRING,
            "string",
            optional=True,
            doc="Delimiter. Optional; if omitted, `,` is used as a default delimiter.",
        ),
    ],
    D.KEYWORD,
    "Combines the values from two multivalued fields with a delimiter that joins them together.",
)


# -- After 9.1: MV_CONTAINS (Elasticsearch 9.2 preview).
def _contains_check(types: Sequence[DataType], texts: Sequence[str], call: str) -> str | None:
    return _second_like_first(types, texts, call, text_is_keyword=True)


declare(
    "mv_contains",
    "scalar",
    [
        Param("superset", REPRESENTABLE, "representable", doc="Multivalue expression."),
        Param("subset", REPRESENTABLE, "representable", doc="Multivalue expression."),
    ],
    D.BOOLEAN,
    "Checks if all values yielded by the second multivalue expression are present in the "
    "values yielded by the first multivalue expression. Returns a boolean. Null values are "
    "treated as an empty set.",
    multivalue=True,
    check=_contains_check,
    examples=('ROW set = ["a", "b", "c"], element = "a" | EVAL c = MV_CONTAINS(set, element)',),
)
