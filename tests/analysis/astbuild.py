"""Build ASTs by hand with real positions: each node's Source is found in the query
text, so analyzer messages and positions can be checked exactly (until the parser
lands, and for cases the parser cannot produce)."""

from __future__ import annotations

from esqlsh.syntax import ast


class Q:
    """``Q(text)``; ``q.s("frag", nth)`` is the Source of the nth occurrence of
    ``frag`` in the text; node helpers take the fragment their Source covers."""

    def __init__(self, text: str):
        self.text = text

    def s(self, frag: str, nth: int = 0) -> ast.Source:
        start = -1
        for _ in range(nth + 1):
            start = self.text.index(frag, start + 1)
        before = self.text[:start]
        line = before.count("\n") + 1
        column = start - (before.rfind("\n") + 1) + 1
        return ast.Source(line, column, start, start + len(frag), frag)

    # ---------------------------------------------------------- expressions

    def f(self, name: str, nth: int = 0, written: str | None = None) -> ast.FieldRef:
        return ast.FieldRef(name, self.s(written or name, nth))

    def lit(self, frag: str, nth: int = 0) -> ast.Literal:
        src = self.s(frag, nth)
        if frag.startswith('"'):
            return ast.Literal(frag.strip('"'), "string", src)
        if frag.lower() in ("true", "false"):
            return ast.Literal(frag.lower() == "true", "boolean", src)
        if frag.lower() == "null":
            return ast.Literal(None, "null", src)
        if any(c in frag for c in ".eE"):
            return ast.Literal(float(frag), "decimal", src)
        return ast.Literal(int(frag), "integer", src)

    def call(
        self, frag: str, name: str, *args: ast.Expr, nth: int = 0, star: bool = False
    ) -> ast.Call:
        return ast.Call(name, tuple(args), star, self.s(frag, nth))

    def bin(self, frag: str, op: str, left: ast.Expr, right: ast.Expr, nth: int = 0) -> ast.Binary:
        return ast.Binary(op, left, right, self.s(frag, nth))  # type: ignore[arg-type]

    def neg(self, frag: str, operand: ast.Expr, nth: int = 0) -> ast.Unary:
        return ast.Unary("-", operand, self.s(frag, nth))

    def span(self, frag: str, value: int, unit: str, nth: int = 0) -> ast.TimeSpan:
        return ast.TimeSpan(value, unit, self.s(frag, nth))

    def assign(self, frag: str, name: str | None, expr: ast.Expr, nth: int = 0) -> ast.Assignment:
        return ast.Assignment(name, expr, self.s(frag, nth))

    # ------------------------------------------------------------- commands

    def from_(self, frag: str, *indices: str, metadata: tuple[str, ...] = ()) -> ast.From:
        src = self.s(frag)
        patterns = []
        for name in indices:
            cluster, _, index = name.rpartition(":") if ":" in name else (None, "", name)
            patterns.append(ast.IndexPattern(index, cluster or None, source=self.s(name)))
        return ast.From(tuple(patterns), metadata, src)

    def row(self, frag: str, *fields: ast.Assignment) -> ast.Row:
        return ast.Row(fields, self.s(frag))

    def where(self, frag: str, cond: ast.Expr) -> ast.Where:
        return ast.Where(cond, self.s(frag))

    def eval(self, frag: str, *fields: ast.Assignment) -> ast.Eval:
        return ast.Eval(fields, self.s(frag))

    def stats(
        self, frag: str, aggs: list[ast.AggItem], groups: list[ast.Assignment] = ()
    ) -> ast.Stats:  # type: ignore[assignment]
        return ast.Stats(tuple(aggs), tuple(groups), self.s(frag))

    def agg(
        self, frag: str, assignment: ast.Assignment, flt: ast.Expr | None = None
    ) -> ast.AggItem:
        return ast.AggItem(assignment, flt, self.s(frag))

    def query(self, *commands: ast.Command) -> ast.Query:
        return ast.Query(tuple(commands), ast.Source(1, 1, 0, len(self.text), self.text))
