"""The ES|QL printer: any AST node → canonical ES|QL text.

``to_esql`` is the inverse of the parser up to formatting: ``parse(to_esql(parse(q)))``
equals ``parse(q)`` (sources aside). It is also how plan fragments are sent to
Elasticsearch clusters, so it prints what Elasticsearch 9.1 reads back with the same
meaning: keywords upper-case, parentheses only where precedence needs them, names
backquoted only when they are not plain identifiers (or are keywords), strings
escaped, and ``*`` wildcards of name patterns kept outside backquotes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from esqlsh.syntax import ast
from esqlsh.syntax.tokens import EXPRESSION_KEYWORDS

__all__ = ["to_esql"]

_PLAIN_IDENTIFIER = re.compile(r"[a-zA-Z][a-zA-Z0-9_]*|[_@][a-zA-Z0-9_]+")
_PLAIN_PATTERN = re.compile(r"[a-zA-Z*][a-zA-Z0-9_*]*|[_@][a-zA-Z0-9_*]+")
_SOURCE_STOP = frozenset(':"=|,[]() \t\r\n')
_POLICY_PART = re.compile(r'[^\\/?"<>| ,#\t\r\n:()]+')
_PATTERN_KEYWORDS = frozenset({"as", "with"})  # keywords of the RENAME / ENRICH name modes
_JOIN_KEYWORDS = frozenset({"join", "as", "on", "using"})

# precedence levels, loosest first: what each operand position accepts unparenthesised
_OR, _AND, _NOT, _PREDICATE, _COMPARISON, _ADD, _MUL, _UNARY, _CAST, _ATOM = range(1, 11)
_BINARY_LEVEL = {"OR": _OR, "AND": _AND, "+": _ADD, "-": _ADD, "*": _MUL, "/": _MUL, "%": _MUL}
_STRING_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def to_esql(node: Any) -> str:
    """Canonical ES|QL text of a query, a command, an expression or a clause."""
    printer = _NODE_PRINTERS.get(type(node))
    if printer is None:
        raise TypeError(f"cannot print {type(node).__name__} as ES|QL")
    return printer(node)


# ------------------------------------------------------------------- names


def identifier(name: str) -> str:
    """A single identifier, backquoted when it is not a plain, non-keyword word."""
    if _PLAIN_IDENTIFIER.fullmatch(name) and name.lower() not in EXPRESSION_KEYWORDS:
        return name
    return "`" + name.replace("`", "``") + "`"


def qualified_name(name: str) -> str:
    """A dotted column name: ``a.b`` as is, anything else as one quoted identifier."""
    parts = name.split(".")
    if all(_PLAIN_IDENTIFIER.fullmatch(p) and p.lower() not in EXPRESSION_KEYWORDS for p in parts):
        return name
    return identifier(name)


def name_pattern(pattern: str) -> str:
    """A KEEP/DROP/RENAME/ENRICH name pattern; ``*`` stays a wildcard."""
    parts = pattern.split(".")
    if all(parts):
        return ".".join(_pattern_part(p) for p in parts)
    return "`" + pattern.replace("`", "``") + "`"


def _pattern_part(part: str) -> str:
    if _PLAIN_PATTERN.fullmatch(part) and part.lower() not in _PATTERN_KEYWORDS:
        return part
    chunks = re.split(r"(\*)", part)
    return "".join(c if c == "*" else "`" + c.replace("`", "``") + "`" for c in chunks if c)


def string(value: str) -> str:
    return '"' + value.translate(_STRING_ESCAPES) + '"'


def _unquoted_source(text: str) -> bool:
    """Would the FROM lexer read ``text`` as one unquoted pattern? (A ``/`` takes the
    next character along unless that starts a comment.)"""
    if not text or text.lower() == "metadata":
        return False
    i = 0
    while i < len(text):
        if text[i] == "/":
            if i + 1 < len(text) and text[i + 1] not in "*/":
                i += 2
                continue
            return False
        if text[i] in _SOURCE_STOP:
            return False
        i += 1
    return True


def index_pattern(pattern: ast.IndexPattern) -> str:
    """``index``, ``cluster:index``, ``index::selector`` or the quoted form (9.1 reads
    a cluster and a selector together only in quotes)."""
    text = pattern.index if pattern.cluster is None else f"{pattern.cluster}:{pattern.index}"
    if pattern.selector is not None:
        text += f"::{pattern.selector}"
    parts = [p for p in (pattern.cluster, pattern.index, pattern.selector) if p is not None]
    both = pattern.cluster is not None and pattern.selector is not None
    plain = not pattern.quoted and not both and all(_unquoted_source(p) for p in parts)
    return text if plain else string(text)


def _policy(node: ast.Enrich) -> str:
    text = node.policy if node.mode is None else f"{node.mode}:{node.policy}"
    parts = [node.policy] if node.mode is None else [node.mode, node.policy]
    plain = all(_POLICY_PART.fullmatch(p) for p in parts) and not text.startswith("[")
    if plain and text.lower() not in ("on", "with"):
        return text
    return string(text)


# ------------------------------------------------------------- expressions


def _level(node: ast.Expr) -> int:
    if isinstance(node, ast.Binary):
        return _BINARY_LEVEL.get(node.op, _COMPARISON)
    if isinstance(node, ast.Unary):
        return _NOT if node.op == "NOT" else _UNARY
    if isinstance(node, ast.IsNull | ast.In | ast.Like | ast.Match):
        return _PREDICATE
    if isinstance(node, ast.Cast):
        return _CAST
    return _ATOM


def expression(node: ast.Expr, minimum: int = 0) -> str:
    """``node``'s text, in parentheses when it binds looser than ``minimum``."""
    text = _EXPRESSION_PRINTERS[type(node)](node)
    return f"({text})" if _level(node) < minimum else text


def _literal(node: ast.Literal) -> str:
    value = node.value
    if node.kind == "null" or value is None:
        return "null"
    if node.kind == "boolean":
        return "true" if value else "false"
    if node.kind == "string":
        return string(str(value))
    if node.kind == "decimal":
        return repr(float(value))  # type: ignore[arg-type]
    return str(value)


def _list(node: ast.ListLiteral) -> str:
    return "[" + ", ".join(_literal(i) for i in node.items) + "]"


def _time_span(node: ast.TimeSpan) -> str:
    return f"{node.value} {identifier(node.unit)}"


def _param(node: ast.Param) -> str:
    if node.kind == "anonymous":
        return "?"
    return f"?{node.index}" if node.kind == "positional" else f"?{node.name}"


def _field(node: ast.FieldRef) -> str:
    return qualified_name(node.name)


def _call(node: ast.Call) -> str:
    args = "*" if node.star else ", ".join(expression(a) for a in node.args)
    return f"{identifier(node.name)}({args})"


def _unary(node: ast.Unary) -> str:
    if node.op == "NOT":
        return "NOT " + expression(node.operand, _NOT)
    operand = expression(node.operand, _UNARY)
    if operand[0].isdigit() or operand[0] == ".":
        operand = f"({operand})"  # "-1" would read back as the literal -1
    elif operand[0] in "+-":
        operand = " " + operand
    return node.op + operand


def _binary(node: ast.Binary) -> str:
    level = _level(node)
    if level == _COMPARISON:
        left, right = expression(node.left, _ADD), expression(node.right, _ADD)
    else:
        left, right = expression(node.left, level), expression(node.right, level + 1)
    return f"{left} {node.op} {right}"


def _is_null(node: ast.IsNull) -> str:
    return expression(node.operand, _COMPARISON) + (" IS NOT NULL" if node.negated else " IS NULL")


def _in(node: ast.In) -> str:
    items = ", ".join(expression(i, _COMPARISON) for i in node.items)
    return f"{expression(node.operand, _COMPARISON)} {'NOT IN' if node.negated else 'IN'} ({items})"


def _like(node: ast.Like) -> str:
    keyword = ("NOT " if node.negated else "") + ("RLIKE" if node.regex else "LIKE")
    patterns = [_PATTERN_PRINTERS[type(p)](p) for p in node.patterns]
    shown = patterns[0] if len(patterns) == 1 else "(" + ", ".join(patterns) + ")"
    return f"{expression(node.operand, _COMPARISON)} {keyword} {shown}"


def _cast(node: ast.Cast) -> str:
    return f"{expression(node.operand, _CAST)}::{identifier(node.type_name)}"


def _match(node: ast.Match) -> str:
    return f"{expression(node.field, _CAST)}:{expression(node.query, _ATOM)}"


_PATTERN_PRINTERS: dict[type, Callable[[Any], str]] = {ast.Literal: _literal, ast.Param: _param}

_EXPRESSION_PRINTERS: dict[type, Callable[[Any], str]] = {
    ast.Literal: _literal,
    ast.ListLiteral: _list,
    ast.TimeSpan: _time_span,
    ast.Param: _param,
    ast.FieldRef: _field,
    ast.Call: _call,
    ast.Unary: _unary,
    ast.Binary: _binary,
    ast.IsNull: _is_null,
    ast.In: _in,
    ast.Like: _like,
    ast.Cast: _cast,
    ast.Match: _match,
}


# ------------------------------------------------------------------ clauses


def _assignment(node: ast.Assignment) -> str:
    text = expression(node.expr)
    return text if node.name is None else f"{qualified_name(node.name)} = {text}"


def _agg_item(node: ast.AggItem) -> str:
    text = _assignment(node.assignment)
    return text if node.filter is None else f"{text} WHERE {expression(node.filter)}"


def _order(node: ast.Order) -> str:
    text = expression(node.expr)
    if not node.ascending:
        text += " DESC"
    if node.nulls_first is not None:
        text += " NULLS FIRST" if node.nulls_first else " NULLS LAST"
    return text


def _rename_item(node: ast.RenameItem) -> str:
    return f"{name_pattern(node.old)} AS {name_pattern(node.new)}"


def _enrich_field(node: ast.EnrichField) -> str:
    field = name_pattern(node.field)
    return field if node.name is None else f"{name_pattern(node.name)} = {field}"


# ----------------------------------------------------------------- commands


def _from(node: ast.From) -> str:
    text = "FROM " + ", ".join(index_pattern(p) for p in node.patterns)
    if node.metadata:
        text += " METADATA " + ", ".join(node.metadata)
    return text


def _stats(node: ast.Stats | ast.InlineStats) -> str:
    text = "INLINE STATS" if isinstance(node, ast.InlineStats) else "STATS"
    if node.aggs:
        text += " " + ", ".join(_agg_item(a) for a in node.aggs)
    if node.groups:
        text += " BY " + ", ".join(_assignment(g) for g in node.groups)
    return text


def _dissect(node: ast.Dissect) -> str:
    text = f"DISSECT {expression(node.operand, _CAST)} {string(node.pattern)}"
    if node.append_separator is not None:
        text += f" APPEND_SEPARATOR={string(node.append_separator)}"
    return text


def _enrich(node: ast.Enrich) -> str:
    text = "ENRICH " + _policy(node)
    if node.on is not None:
        text += " ON " + name_pattern(node.on)
    if node.with_fields:
        text += " WITH " + ", ".join(_enrich_field(f) for f in node.with_fields)
    return text


def _grok(node: ast.Grok) -> str:
    patterns = ", ".join(string(p) for p in node.patterns)
    return f"GROK {expression(node.operand, _CAST)} {patterns}"


def _lookup_join(node: ast.LookupJoin) -> str:
    plain = _unquoted_source(node.index) and node.index.lower() not in _JOIN_KEYWORDS
    index = node.index if plain else string(node.index)
    if node.condition is not None:
        return f"LOOKUP JOIN {index} ON {expression(node.condition)}"
    return f"LOOKUP JOIN {index} ON " + ", ".join(qualified_name(f) for f in node.on)


def _setting(node: ast.Setting) -> str:
    return f"SET {identifier(node.name)} = {expression(node.value)};"


def _query(node: ast.Query) -> str:
    query = " | ".join(to_esql(c) for c in node.commands)
    return " ".join([*(_setting(s) for s in node.settings), query])


_NODE_PRINTERS: dict[type, Callable[[Any], str]] = {
    **_EXPRESSION_PRINTERS,
    ast.Query: _query,
    ast.From: _from,
    ast.Row: lambda n: "ROW " + ", ".join(_assignment(f) for f in n.fields),
    ast.ShowInfo: lambda n: "SHOW INFO",
    ast.Where: lambda n: "WHERE " + expression(n.condition),
    ast.Eval: lambda n: "EVAL " + ", ".join(_assignment(f) for f in n.fields),
    ast.Stats: _stats,
    ast.Keep: lambda n: "KEEP " + ", ".join(name_pattern(p) for p in n.patterns),
    ast.Drop: lambda n: "DROP " + ", ".join(name_pattern(p) for p in n.patterns),
    ast.Rename: lambda n: "RENAME " + ", ".join(_rename_item(i) for i in n.items),
    ast.Sort: lambda n: "SORT " + ", ".join(_order(o) for o in n.orders),
    ast.Limit: lambda n: f"LIMIT {n.count}",
    ast.Dissect: _dissect,
    ast.Grok: _grok,
    ast.Enrich: _enrich,
    ast.MvExpand: lambda n: "MV_EXPAND " + qualified_name(n.field),
    ast.LookupJoin: _lookup_join,
    ast.InlineStats: _stats,
    ast.Setting: _setting,
    ast.Sample: lambda n: f"SAMPLE {n.probability!r}",
    ast.Assignment: _assignment,
    ast.AggItem: _agg_item,
    ast.Order: _order,
    ast.RenameItem: _rename_item,
    ast.EnrichField: _enrich_field,
    ast.IndexPattern: index_pattern,
}
