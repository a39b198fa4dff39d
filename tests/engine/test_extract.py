"""DISSECT and GROK, with cases from Elasticsearch's dissect/grok csv-specs."""

from __future__ import annotations

import pytest

from esqlsh.analysis.types import DataType as T
from esqlsh.engine.executor import execute
from esqlsh.engine.extract import parse_dissect
from esqlsh.plan.logical import Attribute, DissectNode, GrokNode, Plan, Relation, RowSource
from tests.engine.conftest import lit, ref, schema
from tests.engine.memstorage import MemStorage


def _dissect(
    value: object, pattern: str, keys: tuple[str, ...], sep: str = ""
) -> list[tuple[object, ...]]:
    sch = schema(("input", T.KEYWORD))
    out = sch + tuple(Attribute(k, T.KEYWORD) for k in keys)
    plan = Plan(
        (
            RowSource((("input", lit(value, T.KEYWORD)),), sch),
            DissectNode(ref("input", T.KEYWORD), pattern, keys, sep, out),
        )
    )
    return execute(plan, MemStorage()).frame.drop("input").rows()


@pytest.mark.parametrize(
    ("value", "pattern", "keys", "sep", "expected"),
    [
        ("foo bar", "%{b} %{c}", ("b", "c"), "", ("foo", "bar")),
        ("foo bar", "%{b} %{c} baz", ("b", "c"), "", (None, None)),
        (
            "1953-01-23T12:15:00Z - some text - 127.0.0.1;",
            "%{Y}-%{M}-%{D}T%{h}:%{m}:%{s}Z - %{msg} - %{ip};",
            ("Y", "M", "D", "h", "m", "s", "msg", "ip"),
            "",
            ("1953", "01", "23", "12", "15", "00", "some text", "127.0.0.1"),
        ),
        (
            "foo 1 bar 2 baz",
            "%{+b} %{c} %{+b} %{d} %{+b}",
            ("b", "c", "d"),
            "",
            ("foobarbaz", "1", "2"),
        ),
        (
            "foo 1 bar 2 baz",
            "%{+b/3} %{c} %{+b/2} %{d} %{+b/1}",
            ("b", "c", "d"),
            "",
            ("bazbarfoo", "1", "2"),
        ),
        (
            "foo 1 bar 2 baz",
            "%{+b} %{c} %{+b} %{d} %{+b}",
            ("b", "c", "d"),
            ",",
            ("foo,bar,baz", "1", "2"),
        ),
        ("foo bar baz", "%{b} %{?c} %{d}", ("b", "d"), "", ("foo", "baz")),
        ("foo           bar", "%{b->} %{c}", ("b", "c"), "", ("foo", "bar")),
        ("x b c d", "%{} %{b} %{} %{d}", ("b", "d"), "", ("b", "d")),
        ("b c d x", "%{b} %{} %{d} %{}", ("b", "d"), "", ("b", "d")),
        ("[x] rest", "[%{a}] %{b}", ("a", "b"), "", ("x", "rest")),
        ("x;y;z", "%{a};", ("a",), "", ("x",)),
        ("a,,b", "%{a},%{b},%{c}", ("a", "b", "c"), "", ("a", "", "b")),
        (None, "%{a} %{b}", ("a", "b"), "", (None, None)),
        ("", "%{a}", ("a",), "", (None,)),
    ],
)
def test_dissect(
    value: object, pattern: str, keys: tuple[str, ...], sep: str, expected: tuple[object, ...]
) -> None:
    assert _dissect(value, pattern, keys, sep) == [expected]


def test_dissect_pattern_parsing() -> None:
    leading, pairs = parse_dissect("[%{a}] %{+b/2} %{?c->}|%{}")
    assert leading == "["
    assert [(k.name, k.modifier, k.skip, k.padding, k.order, d) for k, d in pairs] == [
        ("a", "", False, False, 0, "] "),
        ("b", "/", False, False, 2, " "),
        ("c", "?", True, True, 0, "|"),
        ("", "", True, False, 0, ""),
    ]


def test_dissect_multi_valued_input_matches_value_by_value() -> None:
    s = MemStorage()
    s.add(
        "e",
        {"no": T.INTEGER, "jobs": T.KEYWORD},
        {
            "no": [1, 2, 3],
            "jobs": [
                ["Accountant", "Senior Python Developer"],
                ["Principal Support Engineer", "Senior Team Lead"],
                None,
            ],
        },
    )
    sch = schema(("no", T.INTEGER), ("jobs", T.KEYWORD))
    out = sch + schema(("a", T.KEYWORD), ("b", T.KEYWORD), ("c", T.KEYWORD))
    plan = Plan(
        (
            Relation("e", ("e",), sch),
            DissectNode(ref("jobs", T.KEYWORD), "%{a} %{b} %{c}", ("a", "b", "c"), "", out),
        )
    )
    frame = execute(plan, s).frame
    assert frame.select("a", "b", "c").rows() == [
        (["Senior"], ["Python"], ["Developer"]),
        (["Principal", "Senior"], ["Support", "Team"], ["Engineer", "Lead"]),
        (None, None, None),
    ]


def test_dissect_shadows_existing_columns() -> None:
    sch = schema(("a", T.KEYWORD), ("b", T.KEYWORD))
    out = schema(("a", T.KEYWORD), ("b", T.KEYWORD))
    plan = Plan(
        (
            RowSource((("a", lit("x y", T.KEYWORD)), ("b", lit("old", T.KEYWORD))), sch),
            DissectNode(ref("a", T.KEYWORD), "%{b} %{?}", ("b",), "", out),
        )
    )
    assert execute(plan, MemStorage()).frame.rows() == [("x y", "x")]


def _grok(value: object, regex: str, fields: tuple[Attribute, ...]) -> list[tuple[object, ...]]:
    sch = schema(("a", T.KEYWORD))
    plan = Plan(
        (
            RowSource((("a", lit(value, T.KEYWORD)),), sch),
            GrokNode(ref("a", T.KEYWORD), "", regex, fields, sch + fields),
        )
    )
    return execute(plan, MemStorage()).frame.drop("a").rows()


def test_grok_types_its_captures() -> None:
    fields = schema(("n", T.INTEGER), ("w", T.KEYWORD), ("d", T.DOUBLE), ("b", T.BOOLEAN))
    regex = r"(?<f1_0>\w+) (?<f0_0>\d+) (?<f2_0>[\d.]+) (?<f3_0>\w+)"
    assert _grok("foo 42 1.5 TRUE", regex, fields) == [(42, "foo", 1.5, True)]


def test_grok_no_match_is_null() -> None:
    fields = schema(
        ("w", T.KEYWORD),
    )
    assert _grok("123", r"(?<f0_0>[a-z]+)", fields) == [(None,)]


def test_grok_field_captured_twice_is_multi_valued() -> None:
    fields = schema(
        ("b", T.KEYWORD),
    )
    assert _grok("foo bar", r"(?<f0_0>\w+) (?<f0_1>\w+)", fields) == [(["foo", "bar"],)]
