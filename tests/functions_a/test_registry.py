"""Part A's functions: each declared once and implemented once, under the same
names (aliases included), with declarations Elasticsearch's way."""

from __future__ import annotations

import pytest

from esqlsh.analysis.registry import all_functions, lookup
from esqlsh.analysis.types import DataType
from esqlsh.engine.compiled import load_impls

OPERATORS = [
    "add",
    "sub",
    "mul",
    "div",
    "mod",
    "neg",
    "eq",
    "neq",
    "lt",
    "lte",
    "gt",
    "gte",
    "and",
    "or",
    "not",
    "is_null",
    "is_not_null",
    "in",
    "like",
    "rlike",
]
CONVERSIONS = [
    "to_boolean",
    "to_bool",
    "to_cartesianpoint",
    "to_cartesianshape",
    "to_datetime",
    "to_dt",
    "to_date_nanos",
    "to_datenanos",
    "to_dateperiod",
    "to_double",
    "to_dbl",
    "to_degrees",
    "to_geopoint",
    "to_geoshape",
    "to_integer",
    "to_int",
    "to_ip",
    "to_long",
    "to_radians",
    "to_string",
    "to_str",
    "to_text",
    "to_timeduration",
    "to_unsigned_long",
    "to_ulong",
    "to_ul",
    "to_version",
    "to_ver",
]
CONDITIONAL = ["case", "coalesce", "greatest", "least", "clamp", "clamp_min", "clamp_max"]
AGGREGATES = [
    "avg",
    "count",
    "count_distinct",
    "max",
    "median",
    "median_absolute_deviation",
    "min",
    "percentile",
    "sample",
    "std_dev",
    "sum",
    "top",
    "values",
    "weighted_avg",
    "first",
    "last",
    "present",
    "absent",
]
GROUPING = ["bucket", "bin"]
PART_A = OPERATORS + CONVERSIONS + CONDITIONAL + AGGREGATES + GROUPING

MY_ENGINE_MODULES = {
    f"esqlsh.engine.functions.{m}"
    for m in ("operators", "conversion", "conditional", "aggregate", "grouping")
}


@pytest.mark.parametrize("name", PART_A)
def test_declared_and_implemented(name: str) -> None:
    assert lookup(name) is not None, f"{name} is not declared"
    assert name in load_impls(), f"{name} has no implementation"


def test_no_implementation_without_declaration() -> None:
    impls = load_impls()
    mine = {name for name, fn in impls.items() if fn.__module__ in MY_ENGINE_MODULES}
    assert mine == set(PART_A)
    registry = all_functions()
    assert not [name for name in impls if name not in registry]


def test_kinds() -> None:
    for name in OPERATORS:
        assert lookup(name).kind == "operator"  # type: ignore[union-attr]
    for name in AGGREGATES:
        fn = lookup(name)
        assert fn is not None and fn.kind == "aggregate" and fn.multivalue
    assert lookup("bucket").kind == "grouping"  # type: ignore[union-attr]
    for name in CONVERSIONS:
        assert lookup(name).multivalue  # type: ignore[union-attr]


def test_docs_present() -> None:
    for name in PART_A:
        fn = lookup(name)
        assert fn is not None and fn.doc.endswith((".", "`")), name


@pytest.mark.parametrize(
    ("name", "args", "expected"),
    [
        ("add", [DataType.INTEGER, DataType.LONG], DataType.LONG),
        ("add", [DataType.DATETIME, DataType.DATE_PERIOD], DataType.DATETIME),
        ("sub", [DataType.TIME_DURATION, DataType.TIME_DURATION], DataType.TIME_DURATION),
        ("div", [DataType.INTEGER, DataType.DOUBLE], DataType.DOUBLE),
        ("sum", [DataType.INTEGER], DataType.LONG),
        ("sum", [DataType.DOUBLE], DataType.DOUBLE),
        ("max", [DataType.TEXT], DataType.KEYWORD),
        ("case", [DataType.BOOLEAN, DataType.INTEGER, DataType.DOUBLE], DataType.DOUBLE),
        ("case", [DataType.BOOLEAN, DataType.TEXT], DataType.KEYWORD),
        ("coalesce", [DataType.NULL, DataType.KEYWORD], DataType.KEYWORD),
        ("bucket", [DataType.INTEGER, DataType.DOUBLE], DataType.DOUBLE),
        ("bucket", [DataType.DATETIME, DataType.DATE_PERIOD], DataType.DATETIME),
        ("to_str", [DataType.INTEGER], DataType.KEYWORD),
    ],
)
def test_return_types(name: str, args: list[DataType], expected: DataType) -> None:
    fn = lookup(name)
    assert fn is not None
    assert fn.return_type(args) is expected


@pytest.mark.parametrize(
    ("name", "args", "srcs", "call", "message"),
    [
        (
            "add",
            [DataType.INTEGER, DataType.DATETIME],
            ["1", "d"],
            "1 + d",
            "[+] has arguments with incompatible types [integer] and [datetime]",
        ),
        (
            "sub",
            [DataType.DATE_PERIOD, DataType.DATETIME],
            ["1 year", '"2024-01-01"'],
            "",
            "[-] arguments are in unsupported order: cannot subtract a [DATETIME] value "
            '["2024-01-01"] from a [DATE_PERIOD] amount [1 year]',
        ),
        (
            "sub",
            [DataType.DATETIME, DataType.DATETIME],
            ["a", "b"],
            "a - b",
            "[-] has arguments with incompatible types [datetime] and [datetime]",
        ),
        (
            "mul",
            [DataType.UNSIGNED_LONG, DataType.INTEGER],
            ["a", "b"],
            "a * b",
            "[*] has arguments with incompatible types [unsigned_long] and [integer]",
        ),
        (
            "eq",
            [DataType.KEYWORD, DataType.INTEGER],
            ["a", "1"],
            "a == 1",
            "first argument of [a == 1] is [keyword] so second argument must also be [keyword] "
            "but was [integer]",
        ),
        (
            "lt",
            [DataType.UNSIGNED_LONG, DataType.LONG],
            ["a", "b"],
            "a < b",
            "first argument of [a < b] is [unsigned_long] and second is [long]. [unsigned_long] "
            "can only be operated on together with another [unsigned_long]",
        ),
        (
            "case",
            [DataType.INTEGER, DataType.KEYWORD],
            ["1", '"a"'],
            'case(1, "a")',
            'first argument of [case(1, "a")] must be [boolean], found value [1] type [integer]',
        ),
        (
            "coalesce",
            [DataType.KEYWORD, DataType.INTEGER],
            ["a", "1"],
            "coalesce(a, 1)",
            "second argument of [coalesce(a, 1)] must be [keyword], found value [1] type [integer]",
        ),
        (
            # ImplicitCasting casts no long to unsigned_long after a long came first
            "coalesce",
            [DataType.LONG, DataType.UNSIGNED_LONG],
            ["a", "18446744073709551615"],
            "coalesce(a, 18446744073709551615)",
            "second argument of [coalesce(a, 18446744073709551615)] must be [long], "
            "found value [18446744073709551615] type [unsigned_long]",
        ),
        (
            "bucket",
            [DataType.DATETIME, DataType.INTEGER],
            ["d", "20"],
            "bucket(d, 20)",
            "function expects exactly four arguments when the first one is of type [DATETIME] "
            "and the second of type [INTEGER]",
        ),
    ],
)
def test_check_messages(
    name: str, args: list[DataType], srcs: list[str], call: str, message: str
) -> None:
    fn = lookup(name)
    assert fn is not None and fn.check is not None
    assert fn.check(args, srcs, call) == message


def test_compatible_pairs_pass_checks() -> None:
    for name, args in (
        ("add", [DataType.DATETIME, DataType.TIME_DURATION]),
        ("add", [DataType.NULL, DataType.DATETIME]),
        ("eq", [DataType.KEYWORD, DataType.TEXT]),
        ("eq", [DataType.DATETIME, DataType.DATE_NANOS]),
        ("in", [DataType.INTEGER, DataType.LONG, DataType.DOUBLE, DataType.NULL]),
        ("case", [DataType.BOOLEAN, DataType.INTEGER, DataType.BOOLEAN, DataType.DOUBLE]),
        ("bucket", [DataType.INTEGER, DataType.INTEGER, DataType.INTEGER, DataType.INTEGER]),
        ("bucket", [DataType.INTEGER, DataType.INTEGER]),
    ):
        fn = lookup(name)
        assert fn is not None and fn.check is not None
        assert fn.check(args, ["x"] * len(args), "call") is None, (name, args)
