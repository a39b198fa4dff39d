"""STATS: plan shapes, verification messages (VerifierTests wording), shadowing."""

from __future__ import annotations

from esqlsh.plan.explain import plan_to_text
from esqlsh.syntax import ast
from tests.analysis.astbuild import Q
from tests.analysis.helpers import error_of, plan_of, schema_of


def _stats(
    q: Q, frag: str, aggs: list[ast.AggItem], groups: list[ast.Assignment] = ()
) -> ast.Query:  # type: ignore[assignment]
    return q.query(q.from_("from test", "test"), q.stats(frag, aggs, groups))


def test_expression_over_aggregates_plans_hidden_aggregate_eval_and_project() -> None:
    q = Q("from test | stats m = max(salary) + 1, c = count(*) by g = languages % 2")
    query = _stats(
        q,
        "stats m = max(salary) + 1, c = count(*) by g = languages % 2",
        [
            q.agg(
                "m = max(salary) + 1",
                q.assign(
                    "m = max(salary) + 1",
                    "m",
                    q.bin(
                        "max(salary) + 1",
                        "+",
                        q.call("max(salary)", "max", q.f("salary")),
                        q.lit("1"),
                    ),
                ),
            ),
            q.agg(
                "c = count(*)",
                q.assign("c = count(*)", "c", q.call("count(*)", "count", star=True)),
            ),
        ],
        [
            q.assign(
                "g = languages % 2", "g", q.bin("languages % 2", "%", q.f("languages"), q.lit("2"))
            )
        ],
    )
    plan = plan_of(query)
    assert plan_to_text(plan).splitlines()[1:4] == [
        "Aggregate[$$max(salary)$0 = max(salary), c = count(*) BY g = mod(languages, 2:integer)]"
        " -> [$$max(salary)$0:integer, c:long, g:integer]",
        "EvalNode[m = add($$max(salary)$0, 1:integer)] -> [$$max(salary)$0:integer, c:long, g:integer, m:integer]",
        "Project[m, c, g] -> [m:integer, c:long, g:integer]",
    ]


def test_unnamed_items_are_named_after_their_text_and_groups_come_last() -> None:
    q = Q("from test | stats COUNT(*), max(salary) by languages")
    query = _stats(
        q,
        "stats COUNT(*), max(salary) by languages",
        [
            q.agg("COUNT(*)", q.assign("COUNT(*)", None, q.call("COUNT(*)", "COUNT", star=True))),
            q.agg(
                "max(salary)",
                q.assign("max(salary)", None, q.call("max(salary)", "max", q.f("salary"))),
            ),
        ],
        [q.assign("languages", None, q.f("languages"))],
    )
    assert schema_of(plan_of(query)) == [
        "COUNT(*):long",
        "max(salary):integer",
        "languages:integer",
    ]


def test_stats_only_by() -> None:
    q = Q("from test | stats by gender")
    query = _stats(q, "stats by gender", [], [q.assign("gender", None, q.f("gender"))])
    assert schema_of(plan_of(query)) == ["gender:keyword"]


def test_column_must_appear_in_by() -> None:
    q = Q("from test | stats x = avg(salary), salary by emp_no")
    query = _stats(
        q,
        "stats x = avg(salary), salary by emp_no",
        [
            q.agg(
                "x = avg(salary)",
                q.assign("x = avg(salary)", "x", q.call("avg(salary)", "avg", q.f("salary"))),
            ),
            q.agg("salary by", q.assign("salary", None, q.f("salary", 1))),
        ],
        [q.assign("emp_no", None, q.f("emp_no"))],
    )
    assert (
        error_of(query)
        == "1:36: column [salary] must appear in the STATS BY clause or be used in an aggregate function"
    )


def test_expected_an_aggregate_function() -> None:
    q = Q("from test | stats 5 by emp_no")
    query = _stats(
        q,
        "stats 5 by emp_no",
        [q.agg("5", q.assign("5", None, q.lit("5")))],
        [q.assign("emp_no", None, q.f("emp_no"))],
    )
    assert error_of(query) == "1:19: expected an aggregate function but found [5]"


def test_grouping_key_already_specified() -> None:
    q = Q("from test | stats emp_no BY emp_no")
    query = _stats(
        q,
        "stats emp_no BY emp_no",
        [q.agg("emp_no", q.assign("emp_no", None, q.f("emp_no")))],
        [q.assign("emp_no", None, q.f("emp_no", 1))],
    )
    assert error_of(query) == "1:19: grouping key [emp_no] already specified in the STATS BY clause"


def test_column_used_in_a_grouping_key() -> None:
    q = Q("from test| stats max(languages) + languages by l = languages % 3")
    expr = q.bin(
        "max(languages) + languages",
        "+",
        q.call("max(languages)", "max", q.f("languages")),
        q.f("languages", 1),
    )
    query = q.query(
        q.from_("from test", "test"),
        q.stats(
            "stats max(languages) + languages by l = languages % 3",
            [
                q.agg(
                    "max(languages) + languages", q.assign("max(languages) + languages", None, expr)
                )
            ],
            [
                q.assign(
                    "l = languages % 3",
                    "l",
                    q.bin("languages % 3", "%", q.f("languages", 2), q.lit("3")),
                )
            ],
        ),
    )
    assert error_of(query) == (
        "1:35: column [languages] cannot be used as an aggregate once declared in the STATS BY "
        "grouping key [l = languages % 3]"
    )


def test_nested_aggregations() -> None:
    q = Q("from test | stats max(max(salary)) by first_name")
    inner = q.call("max(salary)", "max", q.f("salary"))
    query = _stats(
        q,
        "stats max(max(salary)) by first_name",
        [
            q.agg(
                "max(max(salary))",
                q.assign("max(max(salary))", None, q.call("max(max(salary))", "max", inner)),
            )
        ],
        [q.assign("first_name", None, q.f("first_name"))],
    )
    assert (
        error_of(query)
        == "1:23: nested aggregations [max(salary)] not allowed inside other aggregations [max(max(salary))]"
    )


def test_aggregate_outside_stats_reported_last_command_first() -> None:
    q = Q("from test | eval s = sum(salary), l = avg(languages) | where salary > avg(salary)")
    query = q.query(
        q.from_("from test", "test"),
        q.eval(
            "eval s = sum(salary), l = avg(languages)",
            q.assign("s = sum(salary)", "s", q.call("sum(salary)", "sum", q.f("salary"))),
            q.assign("l = avg(languages)", "l", q.call("avg(languages)", "avg", q.f("languages"))),
        ),
        q.where(
            "where salary > avg(salary)",
            q.bin(
                "salary > avg(salary)",
                ">",
                q.f("salary", 1),
                q.call("avg(salary)", "avg", q.f("salary", 2)),
            ),
        ),
    )
    assert error_of(query) == (
        "1:71: aggregate function [avg(salary)] not allowed outside STATS command\n"
        "line 1:22: aggregate function [sum(salary)] not allowed outside STATS command\n"
        "line 1:39: aggregate function [avg(languages)] not allowed outside STATS command"
    )


def test_where_on_an_aggregate_and_its_checks() -> None:
    q = Q(
        "from test | stats c = count(*) where languages > 1, m = max(languages) WHERE max(salary) > 1"
    )
    query = _stats(
        q,
        q.text[12:],
        [
            q.agg(
                "c = count(*) where languages > 1",
                q.assign("c = count(*)", "c", q.call("count(*)", "count", star=True)),
                q.bin("languages > 1", ">", q.f("languages"), q.lit("1")),
            ),
            q.agg(
                "m = max(languages) WHERE max(salary) > 1",
                q.assign(
                    "m = max(languages)", "m", q.call("max(languages)", "max", q.f("languages", 1))
                ),
                q.bin(
                    "max(salary) > 1",
                    ">",
                    q.call("max(salary)", "max", q.f("salary")),
                    q.lit("1", 1),
                ),
            ),
        ],
    )
    assert error_of(query) == (
        "1:78: cannot use aggregate function [max(salary)] in aggregate WHERE clause "
        "[m = max(languages) WHERE max(salary) > 1]"
    )


def test_filter_needs_an_aggregate() -> None:
    q = Q("from test | stats emp_no + 1 where languages > 1 by emp_no")
    query = _stats(
        q,
        q.text[12:],
        [
            q.agg(
                "emp_no + 1 where languages > 1",
                q.assign("emp_no + 1", None, q.bin("emp_no + 1", "+", q.f("emp_no"), q.lit("1"))),
                q.bin("languages > 1", ">", q.f("languages"), q.lit("1", 1)),
            )
        ],
        [q.assign("emp_no", None, q.f("emp_no", 1))],
    )
    assert error_of(query).startswith(
        "1:36: WHERE clause allowed only for aggregate functions, none found in [emp_no + 1 where languages > 1]"
    )


def test_duplicate_names_keep_the_last_with_shadow_warnings() -> None:
    q = Q("from test | stats languages = avg(height), languages = min(height) by languages")
    query = _stats(
        q,
        q.text[12:],
        [
            q.agg(
                "languages = avg(height)",
                q.assign(
                    "languages = avg(height)",
                    "languages",
                    q.call("avg(height)", "avg", q.f("height")),
                ),
            ),
            q.agg(
                "languages = min(height)",
                q.assign(
                    "languages = min(height)",
                    "languages",
                    q.call("min(height)", "min", q.f("height", 1)),
                ),
            ),
        ],
        [q.assign("languages", None, q.f("languages", 2), nth=2)],
    )
    plan = plan_of(query)
    assert schema_of(plan) == ["languages:integer"]
    assert plan.warnings[1:] == (
        "Line 1:19: Field 'languages' shadowed by field at line 1:71",
        "Line 1:44: Field 'languages' shadowed by field at line 1:71",
    )


def test_grouping_function_only_in_by() -> None:
    q = Q("from test | eval b = bucket(salary, 10)")
    query = q.query(
        q.from_("from test", "test"),
        q.eval(
            "eval b = bucket(salary, 10)",
            q.assign(
                "b = bucket(salary, 10)",
                "b",
                q.call("bucket(salary, 10)", "bucket", q.f("salary"), q.lit("10")),
            ),
        ),
    )
    assert (
        error_of(query)
        == "1:22: cannot use grouping function [bucket(salary, 10)] outside of a STATS command"
    )
