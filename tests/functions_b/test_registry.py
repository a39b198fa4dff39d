"""Part B's functions: each declared once and implemented once under the same
names, with complete declarations."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from esqlsh.analysis.registry import all_functions, lookup
from esqlsh.analysis.types import DataType
from esqlsh.engine.compiled import load_impls

MATH = [
    "abs",
    "acos",
    "asin",
    "atan",
    "atan2",
    "cbrt",
    "ceil",
    "copy_sign",
    "cos",
    "cosh",
    "e",
    "exp",
    "floor",
    "hypot",
    "log",
    "log10",
    "pi",
    "pow",
    "round",
    "round_to",
    "scalb",
    "signum",
    "sin",
    "sinh",
    "sqrt",
    "tan",
    "tanh",
    "tau",
    "acosh",
    "asinh",
    "atanh",
]
STRING = [
    "bit_length",
    "byte_length",
    "concat",
    "ends_with",
    "from_base64",
    "hash",
    "left",
    "length",
    "locate",
    "ltrim",
    "md5",
    "repeat",
    "replace",
    "reverse",
    "right",
    "rtrim",
    "sha1",
    "sha256",
    "space",
    "split",
    "starts_with",
    "substring",
    "to_base64",
    "to_lower",
    "to_upper",
    "trim",
    "contains",
]
DATE = [
    "date_diff",
    "date_extract",
    "date_format",
    "date_parse",
    "date_trunc",
    "now",
    "day_name",
    "month_name",
]
IP = ["cidr_match", "ip_prefix"]
MULTIVALUE = [
    "mv_append",
    "mv_avg",
    "mv_concat",
    "mv_count",
    "mv_dedupe",
    "mv_first",
    "mv_last",
    "mv_max",
    "mv_median",
    "mv_median_absolute_deviation",
    "mv_min",
    "mv_percentile",
    "mv_pseries_weighted_sum",
    "mv_slice",
    "mv_sort",
    "mv_sum",
    "mv_zip",
    "mv_contains",
]
DECLARATIONS = Path(__file__).resolve().parents[2] / "esqlsh" / "analysis" / "functions"
PART_B = MATH + STRING + DATE + IP + MULTIVALUE
MODULES = {"math": MATH, "string": STRING, "date": DATE, "ip": IP, "multivalue": MULTIVALUE}


def test_every_part_b_function_is_declared_and_implemented() -> None:
    declared = all_functions()
    impls = load_impls()
    assert [n for n in PART_B if n not in declared] == []
    assert [n for n in PART_B if n not in impls] == []


@pytest.mark.parametrize("module", sorted(MODULES))
def test_declarations_of_each_module_are_exactly_the_list(module: str) -> None:
    """The declaration modules declare what this test lists, no more: a function
    added to a module must be implemented and listed here."""
    source = (DECLARATIONS / f"{module}.py").read_text()
    names = set(
        re.findall(r"(?:declare|_mv|_unary_double|_constant|_trig)\(\s*\"([a-z0-9_]+)\"", source)
    )
    assert names == set(MODULES[module])


@pytest.mark.parametrize("module", sorted(MODULES))
def test_implementations_of_each_module_are_declared(module: str) -> None:
    impls = load_impls()
    implemented = {n for n, impl in impls.items() if _impl_module(impl) == module}
    assert implemented == set(MODULES[module])


@pytest.mark.parametrize("name", PART_B)
def test_declaration_is_complete(name: str) -> None:
    fn = lookup(name)
    assert fn is not None
    assert fn.doc and fn.doc[0].isupper()
    for param in fn.params:
        assert param.types, f"{name}.{param.name} accepts no type"
        assert param.expected, f"{name}.{param.name} has no type-error phrase"
        assert DataType.NULL not in param.types  # null is always accepted implicitly
    multivalued = name.startswith("mv_") or name in ("abs", "to_lower", "to_upper")
    assert fn.multivalue is multivalued


def test_signatures_read_like_elasticsearch_docs() -> None:
    assert lookup("round").signature == "ROUND(number, [decimals])"  # type: ignore[union-attr]
    assert lookup("log").signature == "LOG([base], number)"  # type: ignore[union-attr]
    assert lookup("concat").signature == "CONCAT(string1, string2...)"  # type: ignore[union-attr]


def test_return_rules() -> None:
    T = DataType
    assert lookup("abs").return_type([T.INTEGER]) is T.INTEGER  # type: ignore[union-attr]
    assert lookup("abs").return_type([T.NULL]) is T.NULL  # type: ignore[union-attr]
    assert lookup("sqrt").return_type([T.LONG]) is T.DOUBLE  # type: ignore[union-attr]
    assert lookup("date_trunc").return_type([T.DATE_PERIOD, T.NULL]) is T.DATETIME  # type: ignore[union-attr]
    assert lookup("date_trunc").return_type([T.TIME_DURATION, T.DATE_NANOS]) is T.DATE_NANOS  # type: ignore[union-attr]
    assert lookup("round_to").return_type([T.INTEGER, T.LONG, T.INTEGER]) is T.LONG  # type: ignore[union-attr]
    assert lookup("mv_append").return_type([T.NULL, T.KEYWORD]) is T.KEYWORD  # type: ignore[union-attr]
    assert lookup("to_lower").return_type([T.TEXT]) is T.KEYWORD  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "name", ["mv_dedupe", "mv_first", "mv_last", "mv_max", "mv_min", "mv_slice", "mv_sort"]
)
def test_multivalue_functions_never_return_text(name: str) -> None:
    # Elasticsearch 8.17+ (#114334): functions taking text return keyword
    fn = lookup(name)
    assert fn is not None
    args = [DataType.TEXT] + [DataType.INTEGER] * (len(fn.params) - 1)
    assert fn.return_type(args) is DataType.KEYWORD
    assert lookup("mv_append").return_type([DataType.TEXT, DataType.TEXT]) is DataType.KEYWORD  # type: ignore[union-attr]


def test_mv_append_check_wants_matching_types() -> None:
    fn = lookup("mv_append")
    assert fn is not None and fn.check is not None
    T = DataType
    assert fn.check([T.INTEGER, T.INTEGER], ["a", "b"], "mv_append(a, b)") is None
    assert fn.check([T.INTEGER, T.LONG], ["a", "b"], "mv_append(a, b)") == (
        "second argument of [mv_append(a, b)] must be [integer], found value [b] type [long]"
    )


def test_round_to_check_wants_a_common_type() -> None:
    fn = lookup("round_to")
    assert fn is not None and fn.check is not None
    T = DataType
    message = "all arguments must be numeric, date, or data_nanos"
    assert fn.check([T.INTEGER, T.DOUBLE], ["a", "1.5"], "round_to(a, 1.5)") is None
    assert fn.check([T.NULL, T.NULL], ["null", "null"], "round_to(null, null)") is None
    # no common type at all (boolean and keyword) is as wrong as a non-numeric one
    assert fn.check([T.BOOLEAN, T.KEYWORD], ["true", '"a"'], 'round_to(true, "a")') == message
    assert fn.check([T.INTEGER, T.KEYWORD], ["3", '"a"'], 'round_to(3, "a")') == message


def _impl_module(impl: object) -> str:
    module = getattr(impl, "__module__", "")
    short = module.rsplit(".", 1)[-1]
    return short if short in MODULES else ""
