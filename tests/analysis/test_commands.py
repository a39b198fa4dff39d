"""KEEP/DROP/RENAME, SORT, LIMIT, DISSECT, GROK, MV_EXPAND, ENRICH, LOOKUP JOIN."""

from __future__ import annotations

import pytest

from esqlsh.errors import ParsingError
from esqlsh.plan.logical import (
    DissectNode,
    EnrichNode,
    GrokNode,
    LimitNode,
    LookupJoinNode,
    Project,
)
from esqlsh.syntax import ast
from tests.analysis.astbuild import Q
from tests.analysis.helpers import error_of, plan_of, schema_of


def _row(q: Q, frag: str, *names: str) -> ast.Row:
    """``ROW a = 1, b = 2 …`` with integer values 1, 2 …."""
    fields = []
    for i, name in enumerate(names, 1):
        text = f"{name} = {i}"
        fields.append(q.assign(text, name, ast.Literal(i, "integer", q.s(text))))
    return q.row(frag, *fields)


def _keep(text: str, *patterns: str) -> list[str]:
    q = Q(text)
    head, keep = text.split(" | ")
    names = [p.split(" = ")[0] for p in head[4:].split(", ")]
    query = q.query(_row(q, head, *names), ast.Keep(patterns, q.s(keep)))
    return [a.name for a in plan_of(query).schema]


@pytest.mark.parametrize(
    ("patterns", "expected"),
    [
        (("foo", "bar", "foo"), ["bar", "foo"]),
        (("foo", "bar", "foo*"), ["foo", "bar"]),
        (("foo*", "bar", "fo*"), ["bar", "foo"]),
        (("*", "foo"), ["bar", "foo"]),
        (("foo", "*"), ["foo", "bar"]),
        (("bar*", "foo", "*"), ["bar", "foo"]),
    ],
)
def test_keep_precedence_as_analyzer_resolvekeep_documents(
    patterns: tuple[str, ...], expected: list[str]
) -> None:
    assert _keep("row foo = 1, bar = 2 | keep " + ", ".join(patterns), *patterns) == expected


def test_keep_unknown_column_and_pattern() -> None:
    q = Q("from test | keep emp_no, foobar*, firts_name")
    query = q.query(
        q.from_("from test", "test"),
        ast.Keep(("emp_no", "foobar*", "firts_name"), q.s("keep emp_no, foobar*, firts_name")),
    )
    assert error_of(query) == (
        "1:26: No matches found for pattern [foobar*]\n"
        "line 1:35: Unknown column [firts_name], did you mean any of [first_name, last_name, hire_date]?"
    )


def test_drop_and_drop_after_rename() -> None:
    q = Q("from test | rename emp_no as r1 | drop emp_no")
    query = q.query(
        q.from_("from test", "test"),
        ast.Rename(
            (ast.RenameItem("emp_no", "r1", q.s("emp_no as r1")),), q.s("rename emp_no as r1")
        ),
        ast.Drop(("emp_no",), q.s("drop emp_no")),
    )
    assert error_of(query) == "1:40: Unknown column [emp_no]"


def test_drop_pattern_matching_nothing() -> None:
    q = Q("from test | drop foobar*")
    query = q.query(q.from_("from test", "test"), ast.Drop(("foobar*",), q.s("drop foobar*")))
    assert error_of(query) == "1:18: No matches found for pattern [foobar*]"


def test_rename_is_sequential() -> None:
    q = Q("row a = 1, b = 2 | rename a as c, c as d, b = x")
    items = (
        ast.RenameItem("a", "c", q.s("a as c")),
        ast.RenameItem("c", "d", q.s("c as d")),
        ast.RenameItem("x", "b", q.s("b = x")),
    )
    query = q.query(
        _row(q, "row a = 1, b = 2", "a", "b"), ast.Rename(items[:2], q.s("rename a as c, c as d"))
    )
    plan = plan_of(query)
    assert schema_of(plan) == ["d:integer", "b:integer"]
    project = plan.nodes[1]
    assert isinstance(project, Project) and project.columns == (("d", "a"), ("b", "b"))


def test_rename_over_an_existing_name_drops_it() -> None:
    q = Q("row a = 1, b = 2 | rename a as b")
    query = q.query(
        _row(q, "row a = 1, b = 2", "a", "b"),
        ast.Rename((ast.RenameItem("a", "b", q.s("a as b")),), q.s("rename a as b")),
    )
    assert schema_of(plan_of(query)) == ["b:integer"]


def test_rename_of_a_renamed_column() -> None:
    q = Q("from test | rename emp_no as r1, r1 as r2, emp_no as r3")
    items = (
        ast.RenameItem("emp_no", "r1", q.s("emp_no as r1")),
        ast.RenameItem("r1", "r2", q.s("r1 as r2")),
        ast.RenameItem("emp_no", "r3", q.s("emp_no as r3")),
    )
    query = q.query(
        q.from_("from test", "test"),
        ast.Rename(items, q.s("rename emp_no as r1, r1 as r2, emp_no as r3")),
    )
    assert (
        error_of(query)
        == "1:44: Column [emp_no] renamed to [r1] and is no longer available [emp_no as r3]"
    )


def test_sort_defaults_and_unsortable_types() -> None:
    q = Q("from test | sort salary desc, location")
    orders = (
        ast.Order(q.f("salary"), False, None, q.s("salary desc")),
        ast.Order(q.f("location"), True, None, q.s("location")),
    )
    query = q.query(
        q.from_("from test", "test"), ast.Sort(orders, q.s("sort salary desc, location"))
    )
    assert error_of(query) == "1:31: cannot sort on geo_point"


def test_default_and_maximum_limit() -> None:
    q = Q("row a = 1 | limit 5 | eval b = a")
    query = q.query(
        _row(q, "row a = 1", "a"),
        ast.Limit(5, q.s("limit 5")),
        q.eval("eval b = a", q.assign("b = a", "b", q.f("a", 2))),
    )
    plan = plan_of(query)
    assert plan.warnings == ()
    last = plan.nodes[-1]
    assert isinstance(last, LimitNode) and last.count == 10000
    q = Q("row a = 1")
    plan = plan_of(q.query(_row(q, "row a = 1", "a")))
    assert plan.warnings == ("No limit defined, adding default limit of [1000]",)
    assert plan.nodes[-1].count == 1000  # type: ignore[union-attr]


def test_dissect_keys_in_pattern_order_replace_existing_columns() -> None:
    q = Q('row a = 1, b = 2 | eval s = "x" | dissect s "%{b} %{+c} %{?skip} %{} %{+c/1}"')
    query = q.query(
        _row(q, "row a = 1, b = 2", "a", "b"),
        q.eval('eval s = "x"', q.assign('s = "x"', "s", q.lit('"x"'))),
        ast.Dissect(
            q.f("s", 1),
            "%{b} %{+c} %{?skip} %{} %{+c/1}",
            None,
            q.s('dissect s "%{b} %{+c} %{?skip} %{} %{+c/1}"'),
        ),
    )
    plan = plan_of(query)
    assert schema_of(plan) == ["a:integer", "s:keyword", "b:keyword", "c:keyword"]
    node = plan.nodes[2]
    assert isinstance(node, DissectNode) and node.keys == ("b", "c") and node.append_separator == ""


def test_dissect_errors() -> None:
    q = Q('from test | dissect emp_no "%{foo}"')
    query = q.query(
        q.from_("from test", "test"),
        ast.Dissect(q.f("emp_no"), "%{foo}", None, q.s('dissect emp_no "%{foo}"')),
    )
    assert (
        error_of(query)
        == "1:21: Dissect only supports KEYWORD or TEXT values, found expression [emp_no] type [INTEGER]"
    )
    q = Q('from test | dissect first_name "no keys"')
    query = q.query(
        q.from_("from test", "test"),
        ast.Dissect(q.f("first_name"), "no keys", None, q.s('dissect first_name "no keys"')),
    )
    with pytest.raises(ParsingError, match=r"Invalid pattern for dissect: \[no keys\]"):
        plan_of(query)


def test_grok_fields_sorted_by_name_with_types() -> None:
    q = Q('from test | grok first_name "%{WORD:z} %{NUMBER:a:int} %{NUMBER:m:float}"')
    query = q.query(
        q.from_("from test", "test"),
        ast.Grok(
            q.f("first_name"), "%{WORD:z} %{NUMBER:a:int} %{NUMBER:m:float}", q.s(q.text[12:])
        ),
    )
    plan = plan_of(query)
    assert schema_of(plan)[-3:] == ["a:integer", "m:double", "z:keyword"]
    node = plan.nodes[1]
    assert isinstance(node, GrokNode) and "(?P<f2_0>" in node.regex


def test_grok_errors() -> None:
    q = Q('from test | grok emp_no "%{WORD:foo}"')
    query = q.query(
        q.from_("from test", "test"), ast.Grok(q.f("emp_no"), "%{WORD:foo}", q.s(q.text[12:]))
    )
    assert (
        error_of(query)
        == "1:18: Grok only supports KEYWORD or TEXT values, found expression [emp_no] type [INTEGER]"
    )
    q = Q('from test | grok first_name "%{NOPE:foo}"')
    query = q.query(
        q.from_("from test", "test"), ast.Grok(q.f("first_name"), "%{NOPE:foo}", q.s(q.text[12:]))
    )
    with pytest.raises(ParsingError) as info:
        plan_of(query)
    assert info.value.reason == (
        "line 1:13: Invalid pattern [%{NOPE:foo}] for grok: Unable to find pattern [NOPE] in Grok's pattern dictionary"
    )


def test_mv_expand_unknown_field() -> None:
    q = Q("from test | mv_expand nope")
    query = q.query(q.from_("from test", "test"), ast.MvExpand("nope", q.s("mv_expand nope")))
    assert error_of(query) == "1:23: Unknown column [nope]"


def test_enrich_defaults_and_shadowing() -> None:
    q = Q('row os = "x", ip = "1.1.1.1" | eval ip = to_ip(ip) | enrich hosts_policy')
    row = q.row(
        'row os = "x", ip = "1.1.1.1"',
        q.assign('os = "x"', "os", q.lit('"x"')),
        q.assign('ip = "1.1.1.1"', "ip", q.lit('"1.1.1.1"')),
    )
    ev = q.eval(
        "eval ip = to_ip(ip)",
        q.assign("ip = to_ip(ip)", "ip", q.call("to_ip(ip)", "to_ip", q.f("ip", 3))),
    )
    query = q.query(row, ev, ast.Enrich("hosts_policy", None, None, (), q.s("enrich hosts_policy")))
    plan = plan_of(query)
    assert schema_of(plan) == ["ip:ip", "host_name:keyword", "os:keyword"]
    node = plan.nodes[2]
    assert isinstance(node, EnrichNode)
    assert node.mode == "_any" and node.policy_match_field == "ip" and node.policy_type == "match"


def test_enrich_errors() -> None:
    q = Q("from test | enrich languages_polcy on first_name")
    query = q.query(
        q.from_("from test", "test"),
        ast.Enrich("languages_polcy", None, "first_name", (), q.s(q.text[12:])),
    )
    assert error_of(query) == (
        "1:20: cannot find enrich policy [languages_polcy], did you mean any of [languages_policy, ages_policy]?"
    )
    q = Q("from test | enrich languages_policy on emp_no with nope")
    query = q.query(
        q.from_("from test", "test"),
        ast.Enrich(
            "languages_policy", None, "emp_no", (ast.EnrichField("nope"),), q.s(q.text[12:])
        ),
    )
    assert (
        error_of(query) == "1:13: Enrich field [nope] not found in enrich policy [languages_policy]"
    )
    q = Q("from test | enrich hosts_policy on still_hired")
    query = q.query(
        q.from_("from test", "test"),
        ast.Enrich("hosts_policy", None, "still_hired", (), q.s(q.text[12:])),
    )
    assert error_of(query) == (
        "1:36: Unsupported type [boolean] for enrich matching field [still_hired]; only "
        "[keyword, text, ip, long, integer, float, double, datetime] allowed for type [match]"
    )
    q = Q("from test | enrich _nope:languages_policy")
    query = q.query(
        q.from_("from test", "test"),
        ast.Enrich("languages_policy", "_nope", None, (), q.s(q.text[12:])),
    )
    with pytest.raises(
        ParsingError,
        match=r"Unrecognized value \[_nope\], ENRICH policy qualifier needs to be one of \[_ANY, _COORDINATOR, _REMOTE\]",
    ):
        plan_of(query)


def test_lookup_join_replaces_left_fields_and_keeps_the_key() -> None:
    q = Q(
        "row language_code = 1, country = 2 | lookup join languages_lookup_non_unique_key on language_code"
    )
    row = _row(q, "row language_code = 1, country = 2", "language_code", "country")
    join = ast.LookupJoin("languages_lookup_non_unique_key", ("language_code",), q.s(q.text[37:]))
    plan = plan_of(q.query(row, join))
    assert schema_of(plan) == [
        "language_code:integer",
        "country:text",
        "country.keyword:keyword",
        "language_name:keyword",
    ]
    node = plan.nodes[1]
    assert isinstance(node, LookupJoinNode) and node.index == "languages_lookup_non_unique_key"


def test_lookup_join_errors() -> None:
    q = Q("FROM test | LOOKUP JOIN test ON languages")
    query = q.query(
        q.from_("FROM test", "test"), ast.LookupJoin("test", ("languages",), q.s(q.text[12:]))
    )
    assert (
        error_of(query)
        == "1:25: invalid [test] resolution in lookup mode to an index in [standard] mode"
    )
    q = Q("FROM test | LOOKUP JOIN languages_lookup ON missing_altogether")
    query = q.query(
        q.from_("FROM test", "test"),
        ast.LookupJoin("languages_lookup", ("missing_altogether",), q.s(q.text[12:])),
    )
    assert error_of(query) == (
        "1:45: Unknown column [missing_altogether] in left side of join\n"
        "line 1:45: Unknown column [missing_altogether] in right side of join"
    )
    q = Q(
        "FROM test | EVAL language_code = first_name | LOOKUP JOIN languages_lookup ON language_code"
    )
    query = q.query(
        q.from_("FROM test", "test"),
        q.eval(
            "EVAL language_code = first_name",
            q.assign("language_code = first_name", "language_code", q.f("first_name")),
        ),
        ast.LookupJoin("languages_lookup", ("language_code",), q.s(q.text[46:])),
    )
    assert error_of(query) == (
        "1:79: JOIN left field [language_code] of type [KEYWORD] is incompatible with right field "
        "[language_code] of type [INTEGER]"
    )


def test_sort_before_lookup_join_warns() -> None:
    q = Q(
        "FROM test\n| SORT emp_no\n| EVAL language_code = languages\n| LOOKUP JOIN languages_lookup ON language_code"
    )
    query = q.query(
        q.from_("FROM test", "test"),
        ast.Sort((ast.Order(q.f("emp_no"), True, None, q.s("emp_no")),), q.s("SORT emp_no")),
        q.eval(
            "EVAL language_code = languages",
            q.assign("language_code = languages", "language_code", q.f("languages", 0)),
        ),
        ast.LookupJoin(
            "languages_lookup",
            ("language_code",),
            q.s("LOOKUP JOIN languages_lookup ON language_code"),
        ),
    )
    plan = plan_of(query)
    assert plan.warnings[-1] == (
        "Line 2:3: SORT is followed by a LOOKUP JOIN which does not preserve order; "
        "add another SORT after the LOOKUP JOIN if order is required"
    )
