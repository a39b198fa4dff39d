"""Analyzer behaviour checked through the parser: plan shapes Elasticsearch's csv-specs
rely on."""

from __future__ import annotations

from esqlsh.analysis.analyzer import analyze
from esqlsh.plan.explain import expr_text, plan_to_text
from esqlsh.plan.logical import Aggregate, EvalNode, Filter, Lit, Plan, Project, RowSource
from esqlsh.syntax.parser import parse
from tests.analysis.conftest import make_catalog


def plan(text: str, params: object = None) -> Plan:
    return analyze(parse(text), make_catalog(), params)  # type: ignore[arg-type]


def names(p: Plan) -> list[str]:
    return [a.name for a in p.schema]


def test_columns_set_to_constants_satisfy_constant_parameters() -> None:
    p = plan(
        'FROM test | EVAL s = "1985-01-01T00:00:00Z", e = "1986-01-01T00:00:00Z" | RENAME s AS bs '
        "| STATS c = COUNT(*) BY b = BUCKET(hire_date, 5, bs, e)"
    )
    agg = next(n for n in p.nodes if isinstance(n, Aggregate))
    bucket = agg.groups[0][1]
    assert expr_text(bucket) == (
        'bucket(hire_date, 5:integer, "1985-01-01T00:00:00Z":keyword, "1986-01-01T00:00:00Z":keyword)'
    )


def test_grouping_function_reused_in_an_aggregate_expression_reads_the_group() -> None:
    p = plan(
        "FROM test | STATS sum = 1 + AVG(BUCKET(salary, 1000.)) + BUCKET(salary, 1000.) "
        "BY bucket = BUCKET(salary, 1000.)"
    )
    evals = [n for n in p.nodes if isinstance(n, EvalNode)]
    assert (
        expr_text(evals[0].fields[0][1])
        == "add(add(1:integer, $$AVG(BUCKET(salary, 1000.))$0), bucket)"
    )
    assert names(p) == ["sum", "bucket"]


def test_rename_swaps_as_elasticsearch_processes_them() -> None:
    p = plan(
        "FROM test | KEEP first_name, last_name, emp_no "
        "| RENAME first_name AS last_name, last_name AS first_name, first_name as emp_no, emp_no AS first_name"
    )
    project = p.nodes[2]
    assert isinstance(project, Project) and project.columns == (("first_name", "first_name"),)
    p = plan(
        "FROM test | KEEP first_name, last_name "
        "| RENAME first_name AS last_name, last_name AS first_name, first_name as name"
    )
    assert p.nodes[2].columns == (("name", "first_name"),)  # type: ignore[union-attr]


def test_in_list_string_literals_take_the_value_type() -> None:
    p = plan('FROM test | WHERE hire_date IN ("1985-01-01", "1986-01-01")')
    node = p.nodes[1]
    assert isinstance(node, Filter)
    assert expr_text(node.condition) == (
        'in(hire_date, to_datetime("1985-01-01":keyword), to_datetime("1986-01-01":keyword))'
    )


def test_boolean_and_number_literals_convert_at_analysis() -> None:
    p = plan('FROM test | WHERE still_hired == "true" | EVAL x = ROUND(salary, "2")')
    assert expr_text(p.nodes[1].condition) == "eq(still_hired, true:boolean)"  # type: ignore[union-attr]
    assert expr_text(p.nodes[2].fields[0][1]) == "round(salary, 2:long)"  # type: ignore[union-attr]


def test_to_dateperiod_of_a_constant_folds() -> None:
    p = plan('FROM test | EVAL d = hire_date + TO_DATEPERIOD("3 months") + "1 day"::date_period')
    text = expr_text(p.nodes[1].fields[0][1])  # type: ignore[union-attr]
    assert text == "add(add(hire_date, P(months=3):date_period), P(days=1):date_period)"


def test_mixed_numerics_in_coalesce_are_cast_to_the_first() -> None:
    p = plan("FROM test | EVAL x = COALESCE(salary_change, languages, 0)")
    value = p.nodes[1].fields[0][1]  # type: ignore[union-attr]
    assert expr_text(value) == "coalesce(salary_change, to_double(languages), to_double(0:integer))"
    assert value.type.value == "double"


def test_eval_redefinition_moves_to_the_end_and_later_fields_see_it() -> None:
    p = plan("ROW a = 1, b = 2 | EVAL a = b + 1, c = a * 2")
    assert names(p) == ["b", "a", "c"]
    assert expr_text(p.nodes[1].fields[1][1]) == "mul(a, 2:integer)"  # type: ignore[union-attr]


def test_literal_row_value_of_a_param() -> None:
    p = plan("ROW a = ?, b = ?", params=[9223372036854775807, [1.5, 2]])
    row = p.nodes[0]
    assert row.fields[0][1] == Lit(9223372036854775807, row.schema[0].type)  # type: ignore[union-attr]
    assert [str(a.type) for a in row.schema] == ["long", "double"]


def test_stats_shadowing_grouping_has_priority() -> None:
    p = plan("FROM test | stats languages = avg(height), languages = min(height) by languages")
    assert names(p) == ["languages"]
    assert p.warnings == (
        "No limit defined, adding default limit of [1000]",
        "Line 1:19: Field 'languages' shadowed by field at line 1:71",
        "Line 1:44: Field 'languages' shadowed by field at line 1:71",
    )


def test_plan_text_is_one_line_per_node() -> None:
    text = plan_to_text(plan("ROW a = 1 | LIMIT 0"))
    assert text.splitlines() == [
        "RowSource[a = 1:integer] -> [a:integer]",
        "LimitNode[0] -> [a:integer]",
        "LimitNode[10000] -> [a:integer]",
    ]


def test_star_argument_only_counts_for_count() -> None:
    # Elasticsearch's parser drops the ``*`` of any function but COUNT: PI(*) is PI().
    p = plan("ROW a = PI(*), b = 1 | STATS c = COUNT(*), m = MAX(a)")
    assert names(p) == ["c", "m"]
    assert [str(a.type) for a in p.schema] == ["long", "double"]


def test_unnamed_grouping_column_keeps_its_name() -> None:
    # ``visitGrouping`` reuses the attribute: the column is ``a b``, not ```a b```.
    p = plan("ROW `a b` = 1, c = 2 | STATS n = COUNT(*) BY `a b`, (c), c + 1")
    assert names(p) == ["n", "a b", "c", "c + 1"]


def test_empty_list_param_is_null() -> None:
    p = plan("ROW a = ?, b = ?", params=[[], ["x"]])
    row = p.nodes[0]
    assert isinstance(row, RowSource)
    assert row.fields[0][1] == Lit(None, row.schema[0].type)
    assert [str(a.type) for a in row.schema] == ["null", "keyword"]
