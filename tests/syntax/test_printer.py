"""The printer: hand-built trees print to text that parses back to the same tree,
with the fewest parentheses and quotes."""

from __future__ import annotations

import pytest

from esqlsh.syntax import ast
from esqlsh.syntax.parser import parse, parse_expression
from esqlsh.syntax.printer import to_esql

a, b, c = ast.FieldRef("a"), ast.FieldRef("b"), ast.FieldRef("c")
one, two = ast.Literal(1, "integer"), ast.Literal(2, "integer")


def B(op: str, left: ast.Expr, right: ast.Expr) -> ast.Binary:
    return ast.Binary(op, left, right)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("tree", "text"),
    [
        (B("*", B("+", a, b), c), "(a + b) * c"),
        (B("+", a, B("*", b, c)), "a + b * c"),
        (B("-", a, B("-", b, c)), "a - (b - c)"),
        (B("-", B("-", a, b), c), "a - b - c"),
        (B("AND", B("OR", a, b), c), "(a OR b) AND c"),
        (B("OR", a, B("AND", b, c)), "a OR b AND c"),
        (B("AND", a, B("AND", b, c)), "a AND (b AND c)"),
        (ast.Unary("NOT", B("AND", a, b)), "NOT (a AND b)"),
        (ast.Unary("NOT", B("==", a, b)), "NOT a == b"),
        (B("==", B("==", a, b), c), "(a == b) == c"),
        (ast.IsNull(B("==", a, b)), "a == b IS NULL"),
        (ast.IsNull(ast.IsNull(a)), "(a IS NULL) IS NULL"),
        (B("==", ast.IsNull(a), b), "(a IS NULL) == b"),
        (ast.In(B("+", a, one), (B("<", b, c),)), "a + 1 IN (b < c)"),
        (ast.Unary("-", one), "-(1)"),
        (ast.Unary("-", ast.Literal(-1, "integer")), "- -1"),
        (ast.Unary("-", ast.Cast(one, "long")), "-(1::long)"),
        (ast.Unary("-", B("*", a, b)), "-(a * b)"),
        (B("*", ast.Unary("-", a), b), "-a * b"),
        (ast.Cast(ast.Unary("-", a), "long"), "(-a)::long"),
        (ast.Cast(ast.Literal(-1, "integer"), "long"), "-1::long"),
        (ast.Cast(B("+", a, b), "double"), "(a + b)::double"),
        (ast.Call("f", (B("OR", a, b), one)), "f(a OR b, 1)"),
        (ast.Call("first", (a,)), "`first`(a)"),
        (ast.Call("count", (), star=True), "count(*)"),
        (ast.FieldRef("by"), "`by`"),
        (ast.FieldRef("a b.c"), "`a b.c`"),
        (ast.FieldRef("a.b"), "a.b"),
        (ast.FieldRef("x`y"), "`x``y`"),
        (ast.Literal('q"\\\n\t', "string"), '"q\\"\\\\\\n\\t"'),
        (ast.Literal(1e-5, "decimal"), "1e-05"),
        (ast.Literal(2.0, "decimal"), "2.0"),
        (ast.TimeSpan(3, "days"), "3 days"),
        (ast.Param("anonymous", index=1), "?"),
        (ast.Param("positional", index=2), "?2"),
        (ast.Param("named", name="p"), "?p"),
        (ast.Match(a, ast.Literal("x", "string")), 'a:"x"'),
        (
            ast.Like(a, (ast.Literal("a*", "string"), ast.Literal("b", "string"))),
            'a LIKE ("a*", "b")',
        ),
        (ast.ListLiteral((one, two)), "[1, 2]"),
    ],
)
def test_expressions(tree: ast.Expr, text: str) -> None:
    assert to_esql(tree) == text
    assert parse_expression(text) == tree


@pytest.mark.parametrize(
    ("tree", "text"),
    [
        (ast.IndexPattern("logs-*"), "logs-*"),
        (ast.IndexPattern("i", cluster="c"), "c:i"),
        (ast.IndexPattern("i", selector="failures"), "i::failures"),
        (ast.IndexPattern("i", cluster="c", quoted=True), '"c:i"'),
        (ast.IndexPattern("i", selector="failures", quoted=True), '"i::failures"'),
        (ast.IndexPattern("a b", cluster="c", quoted=True), '"c:a b"'),
        (ast.IndexPattern("/ a", cluster="c"), "c:/ a"),
        (ast.IndexPattern("metadata", quoted=True), '"metadata"'),
    ],
)
def test_index_patterns(tree: ast.IndexPattern, text: str) -> None:
    assert to_esql(tree) == text
    query = parse(f"FROM {text}").commands[0]
    assert isinstance(query, ast.From) and query.patterns == (tree,)


def test_commands_print_canonically() -> None:
    tree = ast.Query(
        (
            ast.From((ast.IndexPattern("e"),), ("_id",)),
            ast.Eval((ast.Assignment("x y", B("+", a, one)), ast.Assignment(None, b))),
            ast.Stats(
                (ast.AggItem(ast.Assignment("m", ast.Call("max", (a,))), B(">", b, one)),),
                (ast.Assignment(None, c),),
            ),
            ast.Keep(("a*", "my field*", "x.y")),
            ast.Drop(("as",)),
            ast.Rename((ast.RenameItem("old name", "new"),)),
            ast.Sort((ast.Order(a, ascending=False, nulls_first=True),)),
            ast.Dissect(ast.Call("f", (a,)), "%{x}", ","),
            ast.Grok(B("+", a, b), "%{WORD:w}"),
            ast.Enrich("my-policy", "_remote", "k", (ast.EnrichField("f", "n"),)),
            ast.Enrich("on", None),
            ast.MvExpand("a.b"),
            ast.LookupJoin("lookup_idx", ("a", "b")),
            ast.Sample(0.1),
            ast.Limit(5),
        )
    )
    text = to_esql(tree)
    assert text == (
        "FROM e METADATA _id | EVAL `x y` = a + 1, b | STATS m = max(a) WHERE b > 1 BY c"
        " | KEEP a*, `my field`*, x.y | DROP `as` | RENAME `old name` AS new"
        ' | SORT a DESC NULLS FIRST | DISSECT f(a) "%{x}" APPEND_SEPARATOR=","'
        ' | GROK (a + b) "%{WORD:w}" | ENRICH _remote:my-policy ON k WITH n = f'
        ' | ENRICH "on" | MV_EXPAND a.b | LOOKUP JOIN lookup_idx ON a, b | SAMPLE 0.1 | LIMIT 5'
    )
    assert parse(text) == tree


def test_show_and_row() -> None:
    assert to_esql(parse("show info")) == "SHOW INFO"
    assert to_esql(parse("row a=1,b = 2")) == "ROW a = 1, b = 2"


def test_unknown_nodes_are_refused() -> None:
    with pytest.raises(TypeError):
        to_esql(object())


def test_constructs_after_91_print_canonically() -> None:
    tree = ast.Query(
        (
            ast.Row((ast.Assignment("t", ast.Literal("x", "string")),)),
            ast.Grok(a, "%{WORD:w}", extra_patterns=('%{NUMBER:n} "q"',)),
            ast.InlineStats(
                (ast.AggItem(ast.Assignment("m", ast.Call("max", (a,))), B(">", b, one)),),
                (ast.Assignment("g", B("+", c, one)),),
            ),
            ast.InlineStats((ast.AggItem(ast.Assignment(None, ast.Call("count", (), True))),)),
            ast.LookupJoin(
                "l", (), condition=B("AND", B("==", a, b), ast.Unary("NOT", B("==", c, a)))
            ),
        ),
        settings=(
            ast.Setting("time_zone", ast.Literal("+10:00", "string")),
            ast.Setting("on", ast.Literal(True, "boolean")),
            ast.Setting("n", ast.TimeSpan(1, "day")),
        ),
    )
    text = to_esql(tree)
    assert text == (
        'SET time_zone = "+10:00"; SET `on` = true; SET n = 1 day; ROW t = "x"'
        ' | GROK a "%{WORD:w}", "%{NUMBER:n} \\"q\\""'
        " | INLINE STATS m = max(a) WHERE b > 1 BY g = c + 1 | INLINE STATS count(*)"
        " | LOOKUP JOIN l ON a == b AND NOT c == a"
    )
    assert parse(text) == tree
    assert to_esql(tree.settings[0]) == 'SET time_zone = "+10:00";'
