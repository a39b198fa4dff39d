"""The parser: the AST it builds, the sources it records, the errors it raises."""

from __future__ import annotations

import time

import pytest

from esqlsh.errors import ParsingError, VerificationError
from esqlsh.syntax import ast
from esqlsh.syntax.parser import parse, parse_expression


def command(query: str, index: int = 1) -> ast.Command:
    return parse(query).commands[index]


def expr(text: str) -> ast.Expr:
    return parse_expression(text)


# ------------------------------------------------------------------ structure


def test_precedence() -> None:
    tree = expr("a OR b AND NOT c == 1 + 2 * -x::long")
    assert isinstance(tree, ast.Binary) and tree.op == "OR"
    conj = tree.right
    assert isinstance(conj, ast.Binary) and conj.op == "AND"
    neg = conj.right
    assert isinstance(neg, ast.Unary) and neg.op == "NOT"
    cmp_ = neg.operand
    assert isinstance(cmp_, ast.Binary) and cmp_.op == "=="
    add = cmp_.right
    assert isinstance(add, ast.Binary) and add.op == "+"
    mul = add.right
    assert isinstance(mul, ast.Binary) and mul.op == "*"
    assert mul.right == ast.Unary("-", ast.Cast(ast.FieldRef("x"), "long"))


def test_left_associativity() -> None:
    assert expr("a - b - c") == ast.Binary(
        "-", ast.Binary("-", ast.FieldRef("a"), ast.FieldRef("b")), ast.FieldRef("c")
    )
    assert expr("a AND b AND c") == ast.Binary(
        "AND", ast.Binary("AND", ast.FieldRef("a"), ast.FieldRef("b")), ast.FieldRef("c")
    )


def test_signed_numbers_are_literals() -> None:
    assert expr("-1") == ast.Literal(-1, "integer")
    assert expr("- 2.5") == ast.Literal(-2.5, "decimal")
    assert expr("-(1)") == ast.Unary("-", ast.Literal(1, "integer"))
    assert expr("2 -1") == ast.Binary("-", ast.Literal(2, "integer"), ast.Literal(1, "integer"))
    assert expr("-1 day") == ast.TimeSpan(-1, "day")


def test_predicates() -> None:
    assert expr("a IS NOT NULL") == ast.IsNull(ast.FieldRef("a"), negated=True)
    assert expr("a NOT IN (1, b)") == ast.In(
        ast.FieldRef("a"), (ast.Literal(1, "integer"), ast.FieldRef("b")), negated=True
    )
    assert expr('a NOT RLIKE "x.*"') == ast.Like(
        ast.FieldRef("a"), (ast.Literal("x.*", "string"),), negated=True, regex=True
    )
    like = expr('a LIKE ("x*", "y")')
    assert isinstance(like, ast.Like) and len(like.patterns) == 2 and not like.regex
    assert expr('f : "q"') == ast.Match(ast.FieldRef("f"), ast.Literal("q", "string"))


def test_names() -> None:
    assert expr("`a b`.c.`d``e`") == ast.FieldRef("a b.c.d`e")
    assert expr("@timestamp") == ast.FieldRef("@timestamp")
    assert expr("COUNT(*)") == ast.Call("COUNT", (), star=True)
    assert expr("`mv_count`(x)") == ast.Call("mv_count", (ast.FieldRef("x"),))


def test_params() -> None:
    row = command("ROW a = ?, b = ? + ?", 0)
    assert isinstance(row, ast.Row)
    values = [
        n
        for f in row.fields
        for n in (f.expr, getattr(f.expr, "left", None), getattr(f.expr, "right", None))
    ]
    indexes = [p.index for p in values if isinstance(p, ast.Param)]
    assert indexes == [1, 2, 3]
    assert expr("?1") == ast.Param("positional", index=1)
    assert expr("?name") == ast.Param("named", name="name")


def test_literals() -> None:
    assert expr('"a\\tb\\\\"') == ast.Literal("a\tb\\", "string")
    assert expr('"""a\\tb"""') == ast.Literal("a\\tb", "string")
    assert expr("[1, -2.5]") == ast.ListLiteral(
        (ast.Literal(1, "integer"), ast.Literal(-2.5, "decimal"))
    )
    assert expr("18446744073709551616") == ast.Literal(18446744073709551616, "integer")
    assert expr("null") == ast.Literal(None, "null")
    assert expr("TRUE") == ast.Literal(True, "boolean")


def test_from() -> None:
    src = command('FROM a, c:-b*, -c:*, i::failures, "x,r:y" METADATA _id, _index', 0)
    assert isinstance(src, ast.From)
    assert [(p.cluster, p.index, p.selector, p.quoted) for p in src.patterns] == [
        (None, "a", None, False),
        ("c", "-b*", None, False),
        ("-c", "*", None, False),
        (None, "i", "failures", False),
        (None, "x", None, True),
        ("r", "y", None, True),
    ]
    assert src.metadata == ("_id", "_index")


def test_commands() -> None:
    stats = command("FROM a | STATS c = COUNT(*) WHERE x > 1, MAX(y) BY z")
    assert isinstance(stats, ast.Stats)
    assert stats.aggs[0].filter is not None and stats.aggs[1].assignment.name is None
    rename = command("FROM a | RENAME a AS b, c = d")
    assert rename == ast.Rename((ast.RenameItem("a", "b"), ast.RenameItem("d", "c")))
    enrich = command("FROM a | ENRICH _ANY:p ON k WITH x = y, z")
    assert enrich == ast.Enrich("p", "_ANY", "k", (ast.EnrichField("y", "x"), ast.EnrichField("z")))
    dissect = command('FROM a | DISSECT m "%{x}" append_separator = "-"')
    assert dissect == ast.Dissect(ast.FieldRef("m"), "%{x}", "-")
    join = command("FROM a | LOOKUP JOIN l ON x, y.z")
    assert join == ast.LookupJoin("l", ("x", "y.z"))
    assert command("FROM a | SAMPLE .5") == ast.Sample(0.5)
    assert command("FROM a | SORT x DESC NULLS LAST") == ast.Sort(
        (ast.Order(ast.FieldRef("x"), ascending=False, nulls_first=False),)
    )
    assert command("SHOW INFO", 0) == ast.ShowInfo()


# -------------------------------------------------------------------- sources


def test_sources_are_exact_text_and_positions() -> None:
    query = "FROM t\r\n| EVAL  x = (a +  b) * 2, f(c)  \r\n| WHERE NOT  y"
    tree = parse(query)
    ev = tree.commands[1]
    assert isinstance(ev, ast.Eval)
    assert ev.source.text == "EVAL  x = (a +  b) * 2, f(c)"
    assert (ev.source.line, ev.source.column) == (2, 3)
    first, second = ev.fields
    assert first.source.text == "x = (a +  b) * 2"
    assert isinstance(first.expr, ast.Binary)
    assert first.expr.source.text == "(a +  b) * 2"
    assert first.expr.left.source.text == "a +  b"  # parentheses belong to no node
    assert second.name is None and second.expr.source.text == "f(c)"
    where = tree.commands[2]
    assert where.source.text == "WHERE NOT  y" and where.source.line == 3
    assert tree.source.text == query


def test_unnamed_assignment_source_keeps_parentheses() -> None:
    ev = command("ROW x = 1 | EVAL (x + 1)")
    assert isinstance(ev, ast.Eval)
    assert ev.fields[0].source.text == "(x + 1)"  # Elasticsearch's column name
    assert ev.fields[0].expr.source.text == "x + 1"


# --------------------------------------------------------------------- errors


def test_errors_are_parsing_errors_with_positions() -> None:
    with pytest.raises(ParsingError) as info:
        parse("FROM a\r\n| WHERE x ==")
    assert (info.value.line, info.value.column) == (2, 13)
    assert info.value.message == "no viable alternative at input 'x =='"
    assert info.value.to_es()["status"] == 400


def test_empty_query() -> None:
    with pytest.raises(
        ParsingError, match=r"line 1:1: mismatched input '<EOF>' expecting \{, 'row'"
    ):
        parse("")


def test_syntax_errors_win_over_tree_errors() -> None:
    with pytest.raises(ParsingError, match="extraneous input"):
        parse("FROM a | LIMIT -1 | WHERE x y")


def test_tree_errors_in_order() -> None:
    with pytest.raises(ParsingError, match="value of \\[LIMIT -1\\]"):
        parse("FROM a | LIMIT -1 | SAMPLE 2")


def test_stats_groupings_are_checked_before_aggregates() -> None:
    with pytest.raises(ParsingError, match="Unexpected temporal unit: 'b'"):
        parse("FROM a | STATS x = 1 a BY y = 1 b")
    with pytest.raises(VerificationError) as info:
        parse("FROM a | STATS a BY a")
    assert info.value.problems[0].column == 16


def test_unsupported_commands_are_refused() -> None:
    with pytest.raises(ParsingError, match="the FORK command is not supported"):
        parse("FROM a | FORK (WHERE x) (WHERE y)")


# ---------------------------------------------------------------- performance


def test_parsing_is_fast() -> None:
    query = (
        'FROM employees | WHERE emp_no > 10010 AND gender == "F" | EVAL x = salary * 2, '
        'y = CONCAT(first_name, " ", last_name) | STATS avg = AVG(x) BY languages '
        "| SORT avg DESC | LIMIT 10"
    )
    for _ in range(20):
        parse(query)
    start = time.process_time()
    for _ in range(200):
        parse(query)
    assert (time.process_time() - start) / 200 < 0.002
