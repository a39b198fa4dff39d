"""Expression resolution: operators, functions, casts, literals, parameters and the
messages Elasticsearch gives for them (VerifierTests / AnalyzerTests wording)."""

from __future__ import annotations

import pytest

from esqlsh.errors import ParsingError
from esqlsh.plan.logical import EvalNode, Filter, FnCall, Lit, Ref, TemporalAmount
from esqlsh.syntax import ast
from tests.analysis.astbuild import Q
from tests.analysis.helpers import error_of, plan_of


def _eval_of(text: str, frag: str, name: str | None, expr_fn) -> ast.Query:  # type: ignore[no-untyped-def]
    """``FROM test | EVAL <name => frag>``."""
    q = Q(text)
    e = expr_fn(q)
    eval_text = (
        text[text.index("| eval") + 2 :] if "| eval" in text else text[text.index("| EVAL") + 2 :]
    )
    return q.query(q.from_(text.split(" |")[0], "test"), q.eval(eval_text, q.assign(frag, name, e)))


def test_operators_become_registry_calls() -> None:
    q = Q("FROM test | WHERE NOT emp_no > 1 AND salary IS NOT NULL")
    cond = ast.Binary(
        "AND",
        ast.Unary(
            "NOT", q.bin("emp_no > 1", ">", q.f("emp_no"), q.lit("1")), q.s("NOT emp_no > 1")
        ),
        ast.IsNull(q.f("salary"), True, q.s("salary IS NOT NULL")),
        q.s("NOT emp_no > 1 AND salary IS NOT NULL"),
    )
    plan = plan_of(
        q.query(
            q.from_("FROM test", "test"),
            q.where("WHERE NOT emp_no > 1 AND salary IS NOT NULL", cond),
        )
    )
    node = plan.nodes[1]
    assert isinstance(node, Filter)
    assert node.condition == FnCall(
        "and",
        (
            FnCall(
                "not",
                (
                    FnCall(
                        "gt",
                        (Ref("emp_no", ast_t("integer")), Lit(1, ast_t("integer"))),
                        ast_t("boolean"),
                    ),
                ),
                ast_t("boolean"),
            ),
            FnCall("is_not_null", (Ref("salary", ast_t("integer")),), ast_t("boolean")),
        ),
        ast_t("boolean"),
    )


def ast_t(name: str):  # type: ignore[no-untyped-def]
    from esqlsh.analysis.types import DataType

    return DataType(name)


def test_unknown_column_suggests_similar_names() -> None:
    q = Q("from test | where `languages.*` in (1, 2)")
    cond = ast.In(
        q.f("languages.*", written="`languages.*`"),
        (q.lit("1"), q.lit("2")),
        False,
        q.s("`languages.*` in (1, 2)"),
    )
    query = q.query(q.from_("from test", "test"), q.where("where `languages.*` in (1, 2)", cond))
    assert error_of(query) == (
        "1:19: Unknown column [languages.*], did you mean any of "
        "[languages, languages.byte, languages.long, languages.short]?"
    )


def test_unknown_function() -> None:
    query = _eval_of(
        "from test | eval x = func(languages)",
        "x = func(languages)",
        "x",
        lambda q: q.call("func(languages)", "func", q.f("languages")),
    )
    assert error_of(query) == "1:22: Unknown function [func]"


def test_unknown_function_suggests_similar_names() -> None:
    query = _eval_of(
        "from test | eval x = tolower(first_name)",
        "x = tolower(first_name)",
        "x",
        lambda q: q.call("tolower(first_name)", "tolower", q.f("first_name")),
    )
    # similarity 0.875, 0.571 (alias to_ver), 0.5: best first
    assert error_of(query) == (
        "1:22: Unknown function [tolower], did you mean any of [to_lower, to_ver, to_upper]?"
    )


def test_arity_error_is_a_parsing_exception_before_anything_else() -> None:
    q = Q("from nope | eval x = abs(1, 2)")
    query = q.query(
        q.from_("from nope", "nope"),
        q.eval(
            "eval x = abs(1, 2)",
            q.assign("x = abs(1, 2)", "x", q.call("abs(1, 2)", "abs", q.lit("1"), q.lit("2"))),
        ),
    )
    with pytest.raises(ParsingError) as info:
        plan_of(query)
    assert info.value.reason == "line 1:22: error building [abs]: expects exactly one argument"


def test_argument_type_error_uses_typeresolutions_wording() -> None:
    q = Q('row a = 1, b = "c" | eval x = round(b, 3)')
    query = q.query(
        q.row(
            'row a = 1, b = "c"',
            q.assign("a = 1", "a", q.lit("1")),
            q.assign('b = "c"', "b", q.lit('"c"')),
        ),
        q.eval(
            "eval x = round(b, 3)",
            q.assign(
                "x = round(b, 3)", "x", q.call("round(b, 3)", "round", q.f("b", 1), q.lit("3"))
            ),
        ),
    )
    assert error_of(query) == (
        "1:31: first argument of [round(b, 3)] must be [numeric], found value [b] type [keyword]"
    )


def test_single_parameter_functions_have_no_ordinal_and_dates_print_as_datetime() -> None:
    q = Q("from test | stats sum(hire_date)")
    query = q.query(
        q.from_("from test", "test"),
        q.stats(
            "stats sum(hire_date)",
            [
                q.agg(
                    "sum(hire_date)",
                    q.assign(
                        "sum(hire_date)", None, q.call("sum(hire_date)", "sum", q.f("hire_date"))
                    ),
                )
            ],
        ),
    )
    message = error_of(query)
    assert message.startswith("1:19: argument of [sum(hire_date)] must be [")
    assert message.endswith("found value [hire_date] type [datetime]")


def test_string_literal_is_cast_where_a_number_is_expected() -> None:
    q = Q('row a = round(123.45, "c")')
    query = q.query(
        q.row(
            q.text,
            q.assign(
                'a = round(123.45, "c")',
                "a",
                q.call('round(123.45, "c")', "round", q.lit("123.45"), q.lit('"c"')),
            ),
        )
    )
    assert (
        error_of(query)
        == "1:23: Cannot convert string [c] to [LONG], error [Cannot parse number [c]]"
    )


def test_string_literal_compared_with_a_date_is_converted_by_to_datetime() -> None:
    q = Q('from test | where hire_date > "2020-01-01"')
    cond = q.bin('hire_date > "2020-01-01"', ">", q.f("hire_date"), q.lit('"2020-01-01"'))
    plan = plan_of(
        q.query(q.from_("from test", "test"), q.where('where hire_date > "2020-01-01"', cond))
    )
    node = plan.nodes[1]
    assert isinstance(node, Filter)
    right = node.condition.args[1]  # type: ignore[union-attr]
    assert isinstance(right, FnCall) and right.name == "to_datetime"
    assert right.args == (Lit("2020-01-01", ast_t("keyword")),)


def test_string_literal_becomes_a_temporal_amount_for_date_trunc() -> None:
    q = Q('from test | eval d = date_trunc("1 month", hire_date)')
    call = q.call(
        'date_trunc("1 month", hire_date)', "date_trunc", q.lit('"1 month"'), q.f("hire_date")
    )
    plan = plan_of(
        q.query(
            q.from_("from test", "test"),
            q.eval(
                'eval d = date_trunc("1 month", hire_date)',
                q.assign('d = date_trunc("1 month", hire_date)', "d", call),
            ),
        )
    )
    node = plan.nodes[1]
    assert isinstance(node, EvalNode)
    arg = node.fields[0][1].args[0]  # type: ignore[union-attr]
    assert arg == Lit(TemporalAmount(months=1), ast_t("date_period"))


def test_time_spans_are_temporal_amounts() -> None:
    q = Q("from test | eval d = hire_date + 2 hours + 1 week")
    inner = q.bin("hire_date + 2 hours", "+", q.f("hire_date"), q.span("2 hours", 2, "hours"))
    outer = q.bin("hire_date + 2 hours + 1 week", "+", inner, q.span("1 week", 1, "week"))
    plan = plan_of(
        q.query(
            q.from_("from test", "test"),
            q.eval(
                "eval d = hire_date + 2 hours + 1 week",
                q.assign("d = hire_date + 2 hours + 1 week", "d", outer),
            ),
        )
    )
    node = plan.nodes[1]
    assert isinstance(node, EvalNode)
    expr = node.fields[0][1]
    assert expr.type.value == "date"
    assert expr.args[1] == Lit(TemporalAmount(days=7), ast_t("date_period"))  # type: ignore[union-attr]
    assert expr.args[0].args[1] == Lit(TemporalAmount(millis=7_200_000), ast_t("time_duration"))  # type: ignore[union-attr]


def test_eval_cannot_return_a_temporal_amount() -> None:
    q = Q("row x = 1 | eval y = 1 day")
    query = q.query(
        q.row("row x = 1", q.assign("x = 1", "x", q.lit("1"))),
        q.eval("eval y = 1 day", q.assign("y = 1 day", "y", q.span("1 day", 1, "day"))),
    )
    assert (
        error_of(query)
        == "1:18: EVAL does not support type [date_period] as the return data type of expression [1 day]"
    )


def test_cast_operator_calls_the_conversion_function() -> None:
    q = Q("from test | eval x = salary::long, y = emp_no::string")
    plan = plan_of(
        q.query(
            q.from_("from test", "test"),
            q.eval(
                "eval x = salary::long, y = emp_no::string",
                q.assign(
                    "x = salary::long", "x", ast.Cast(q.f("salary"), "long", q.s("salary::long"))
                ),
                q.assign(
                    "y = emp_no::string",
                    "y",
                    ast.Cast(q.f("emp_no"), "string", q.s("emp_no::string")),
                ),
            ),
        )
    )
    node = plan.nodes[1]
    assert isinstance(node, EvalNode)
    assert [(n, e.name, e.type.value) for n, e in node.fields] == [
        ("x", "to_long", "long"),
        ("y", "to_string", "keyword"),
    ]  # type: ignore[union-attr]


def test_like_and_not_in() -> None:
    q = Q('from test | where first_name like "G*" and emp_no not in (1, 2)')
    like = ast.Like(q.f("first_name"), (q.lit('"G*"'),), False, False, q.s('first_name like "G*"'))
    not_in = ast.In(q.f("emp_no"), (q.lit("1"), q.lit("2")), True, q.s("emp_no not in (1, 2)"))
    cond = ast.Binary("AND", like, not_in, q.s('first_name like "G*" and emp_no not in (1, 2)'))
    plan = plan_of(
        q.query(
            q.from_("from test", "test"),
            q.where('where first_name like "G*" and emp_no not in (1, 2)', cond),
        )
    )
    node = plan.nodes[1]
    assert isinstance(node, Filter)
    left, right = node.condition.args  # type: ignore[union-attr]
    assert left.name == "like" and right.name == "not" and right.args[0].name == "in"  # type: ignore[union-attr]
    assert len(right.args[0].args) == 3  # type: ignore[union-attr]


def test_positional_and_named_parameters() -> None:
    q = Q("from test | where emp_no > ? and first_name == ?name")
    cond = ast.Binary(
        "AND",
        q.bin("emp_no > ?", ">", q.f("emp_no"), ast.Param("anonymous", 1, None, q.s("?"))),
        q.bin(
            "first_name == ?name",
            "==",
            q.f("first_name"),
            ast.Param("named", None, "name", q.s("?name")),
        ),
        q.s("emp_no > ? and first_name == ?name"),
    )
    query = q.query(
        q.from_("from test", "test"), q.where("where emp_no > ? and first_name == ?name", cond)
    )
    plan = plan_of(query, params={"x": 10, "name": "Georgi"})
    node = plan.nodes[1]
    assert isinstance(node, Filter)
    assert node.condition.args[0].args[1] == Lit(10, ast_t("integer"))  # type: ignore[union-attr]
    assert node.condition.args[1].args[1] == Lit("Georgi", ast_t("keyword"))  # type: ignore[union-attr]


def test_missing_parameters_are_reported_together() -> None:
    q = Q("from test | where x < ?0 and y < ?2")
    cond = ast.Binary(
        "AND",
        q.bin("x < ?0", "<", q.f("x"), ast.Param("positional", 0, None, q.s("?0"))),
        q.bin("y < ?2", "<", q.f("y"), ast.Param("positional", 2, None, q.s("?2"))),
        q.s("x < ?0 and y < ?2"),
    )
    query = q.query(q.from_("from test", "test"), q.where("where x < ?0 and y < ?2", cond))
    with pytest.raises(ParsingError) as info:
        plan_of(query, params=[5])
    assert info.value.reason == (
        "line 1:23: No parameter is defined for position 0, did you mean position 1?; "
        "line 1:34: No parameter is defined for position 2, did you mean position 1?"
    )


def test_unknown_named_parameter_suggests() -> None:
    q = Q("row a = ?n0")
    query = q.query(
        q.row(q.text, q.assign("a = ?n0", "a", ast.Param("named", None, "n0", q.s("?n0"))))
    )
    with pytest.raises(ParsingError) as info:
        plan_of(query, params={"n1": "v1"})
    assert info.value.reason == "line 1:9: Unknown query parameter [n0], did you mean [n1]?"


def test_errors_in_children_hide_errors_of_parents() -> None:
    q = Q("from test | eval x = abs(nope) + missing")
    expr = q.bin(
        "abs(nope) + missing", "+", q.call("abs(nope)", "abs", q.f("nope")), q.f("missing")
    )
    query = q.query(
        q.from_("from test", "test"),
        q.eval("eval x = abs(nope) + missing", q.assign("x = abs(nope) + missing", "x", expr)),
    )
    assert error_of(query) == "1:26: Unknown column [nope]\nline 1:34: Unknown column [missing]"
