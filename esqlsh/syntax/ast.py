"""The ES|QL abstract syntax tree: what the parser builds and the printer prints.

Every node carries a ``source`` (line, 1-based column, offsets and the original text
of the node) which is excluded from equality, so that ``parse(print(parse(q)))``
equals ``parse(q)``. Elasticsearch names columns after the source text of an
unnamed expression (``STATS MAX(languages)`` → column ``MAX(languages)``) and quotes
that text in warnings (``evaluation of [a + 1] failed``), so ``source.text`` must be
the exact characters of the node in the query.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import field
from typing import TYPE_CHECKING, Union
from typing import Literal as TLiteral

if TYPE_CHECKING:
    from dataclasses import dataclass
else:  # the same classes, made without compiling methods at import (records.py)
    from esqlsh.syntax.records import dataclass

# ---------------------------------------------------------------------------- source


@dataclass(frozen=True)
class Source:
    """Where a node came from. ``line`` and ``column`` are 1-based (Elasticsearch's
    ``line 1:7``); ``start``/``end`` are 0-based character offsets into the query;
    ``text`` is ``query[start:end]``."""

    line: int
    column: int
    start: int
    end: int
    text: str

    @staticmethod
    def synthetic(text: str = "") -> Source:
        return Source(1, 1, 0, len(text), text)


def _src() -> Source:
    return field(default=Source.synthetic(), compare=False, repr=False)


# ---------------------------------------------------------------------- expressions

LiteralKind = TLiteral["integer", "decimal", "string", "boolean", "null"]


@dataclass(frozen=True)
class Literal:
    """A constant. ``value`` is a Python int/float/str/bool/None; ``kind`` says how it
    was written (an integer literal too large for a long stays an int here: the
    analyzer types it unsigned_long or double as Elasticsearch does)."""

    value: object
    kind: LiteralKind
    source: Source = _src()


@dataclass(frozen=True)
class ListLiteral:
    """``[1, 2, 3]`` — a multi-valued constant (ROW, EVAL, IN-less contexts)."""

    items: tuple[Literal, ...]
    source: Source = _src()


@dataclass(frozen=True)
class TimeSpan:
    """A qualified integer: ``1 day``, ``3 hours``, ``1 year``. ``unit`` is as written,
    lower-cased (``day``, ``days``, ``d``…); the analyzer maps it to date_period or
    time_duration."""

    value: int
    unit: str
    source: Source = _src()


ParamKind = TLiteral["anonymous", "positional", "named"]


@dataclass(frozen=True)
class Param:
    """``?`` (anonymous, ``index`` = its 1-based order among anonymous params),
    ``?1`` (positional), ``?name`` (named). Also allowed where identifiers go
    (``?field`` as a field name in 9.1 with ``??``/identifier params is out of scope)."""

    kind: ParamKind
    index: int | None = None
    name: str | None = None
    source: Source = _src()


@dataclass(frozen=True)
class FieldRef:
    """A column reference. ``name`` is the full dotted name without backquotes
    (``languages.long``, ``a b`` for `` `a b` ``)."""

    name: str
    source: Source = _src()


@dataclass(frozen=True)
class Call:
    """A function call. ``name`` as written (matching is case-insensitive);
    ``star`` is True for ``COUNT(*)`` (then ``args`` is empty)."""

    name: str
    args: tuple[Expr, ...]
    star: bool = False
    source: Source = _src()


UnaryOp = TLiteral["-", "+", "NOT"]


@dataclass(frozen=True)
class Unary:
    op: UnaryOp
    operand: Expr
    source: Source = _src()


BinaryOp = TLiteral["+", "-", "*", "/", "%", "==", "!=", "<", "<=", ">", ">=", "AND", "OR"]


@dataclass(frozen=True)
class Binary:
    op: BinaryOp
    left: Expr
    right: Expr
    source: Source = _src()


@dataclass(frozen=True)
class IsNull:
    """``x IS NULL`` / ``x IS NOT NULL`` (``negated``)."""

    operand: Expr
    negated: bool = False
    source: Source = _src()


@dataclass(frozen=True)
class In:
    """``x IN (a, b)`` / ``x NOT IN (…)``."""

    operand: Expr
    items: tuple[Expr, ...]
    negated: bool = False
    source: Source = _src()


@dataclass(frozen=True)
class Like:
    """``x LIKE "a*"`` / ``x RLIKE "a.*"`` / ``NOT LIKE``; a list form
    ``LIKE ("a*", "b*")`` keeps several patterns."""

    operand: Expr
    patterns: tuple[Literal | Param, ...]
    negated: bool = False
    regex: bool = False
    source: Source = _src()


@dataclass(frozen=True)
class Cast:
    """``expr::type`` (``type`` lower-cased as written: ``long``, ``int``, ``string``…)."""

    operand: Expr
    type_name: str
    source: Source = _src()


@dataclass(frozen=True)
class Match:
    """``field : "query"`` (the full-text match operator)."""

    field: Expr
    query: Expr
    source: Source = _src()


Expr = Union[  # noqa: UP007
    Literal,
    ListLiteral,
    TimeSpan,
    Param,
    FieldRef,
    Call,
    Unary,
    Binary,
    IsNull,
    In,
    Like,
    Cast,
    Match,
]


# ------------------------------------------------------------------------- commands


@dataclass(frozen=True)
class Assignment:
    """``name = expr`` or a bare ``expr`` (then ``name`` is None and the column is named
    after ``expr.source.text``)."""

    name: str | None
    expr: Expr
    source: Source = _src()


@dataclass(frozen=True)
class IndexPattern:
    """One comma-separated FROM target: ``cluster:index``, ``index``, ``-index``,
    ``cluster:-index``, ``-cluster:*``, ``<logs-{now/d}>``, ``index::failures``.
    ``cluster`` is None when there is no cluster prefix; ``index`` keeps a leading ``-``
    for exclusions; ``selector`` is the part after ``::``; ``quoted`` says the pattern
    was written in double quotes (the printer keeps quoting it)."""

    index: str
    cluster: str | None = None
    selector: str | None = None
    quoted: bool = False
    source: Source = _src()


@dataclass(frozen=True)
class From:
    patterns: tuple[IndexPattern, ...]
    metadata: tuple[str, ...] = ()
    source: Source = _src()


@dataclass(frozen=True)
class Row:
    fields: tuple[Assignment, ...]
    source: Source = _src()


@dataclass(frozen=True)
class ShowInfo:
    source: Source = _src()


@dataclass(frozen=True)
class Where:
    condition: Expr
    source: Source = _src()


@dataclass(frozen=True)
class Eval:
    fields: tuple[Assignment, ...]
    source: Source = _src()


@dataclass(frozen=True)
class AggItem:
    """One STATS aggregate: ``[name =] agg(...) [WHERE cond]``."""

    assignment: Assignment
    filter: Expr | None = None
    source: Source = _src()


@dataclass(frozen=True)
class Stats:
    aggs: tuple[AggItem, ...]
    groups: tuple[Assignment, ...] = ()
    source: Source = _src()


@dataclass(frozen=True)
class Keep:
    """Patterns are names with optional ``*`` wildcards, backquotes removed."""

    patterns: tuple[str, ...]
    source: Source = _src()


@dataclass(frozen=True)
class Drop:
    patterns: tuple[str, ...]
    source: Source = _src()


@dataclass(frozen=True)
class RenameItem:
    old: str
    new: str
    source: Source = _src()


@dataclass(frozen=True)
class Rename:
    """``RENAME old AS new`` or ``RENAME new = old``; both stored as (old, new)."""

    items: tuple[RenameItem, ...]
    source: Source = _src()


@dataclass(frozen=True)
class Order:
    expr: Expr
    ascending: bool = True
    nulls_first: bool | None = None  # None = default (last for ASC, first for DESC)
    source: Source = _src()


@dataclass(frozen=True)
class Sort:
    orders: tuple[Order, ...]
    source: Source = _src()


@dataclass(frozen=True)
class Limit:
    count: int
    source: Source = _src()


@dataclass(frozen=True)
class Dissect:
    operand: Expr
    pattern: str
    append_separator: str | None = None
    source: Source = _src()


@dataclass(frozen=True)
class Grok:
    """``GROK operand "pattern"``; ``extra_patterns`` holds the second and later
    patterns of ``GROK operand "p1", "p2"`` (after 9.1: the first that matches
    wins)."""

    operand: Expr
    pattern: str
    source: Source = _src()
    extra_patterns: tuple[str, ...] = ()

    @property
    def patterns(self) -> tuple[str, ...]:
        return (self.pattern, *self.extra_patterns)


EnrichMode = TLiteral["_any", "_coordinator", "_remote"]


@dataclass(frozen=True)
class EnrichField:
    """``WITH new = field`` (``name`` = new) or ``WITH field`` (``name`` None)."""

    field: str
    name: str | None = None
    source: Source = _src()


@dataclass(frozen=True)
class Enrich:
    policy: str
    mode: str | None = None  # as written: "_any", "_coordinator", "_remote" (any case) or None
    on: str | None = None
    with_fields: tuple[EnrichField, ...] = ()
    source: Source = _src()


@dataclass(frozen=True)
class MvExpand:
    field: str
    source: Source = _src()


@dataclass(frozen=True)
class LookupJoin:
    """``LOOKUP JOIN index ON a, b`` (``on`` = the field names) or, after 9.1,
    ``LOOKUP JOIN index ON left == right [AND …]`` (``on`` empty, ``condition``
    the expression)."""

    index: str
    on: tuple[str, ...]
    source: Source = _src()
    condition: Expr | None = None


@dataclass(frozen=True)
class InlineStats:
    """``INLINE STATS aggs [BY groups]`` (after 9.1): STATS whose results are
    appended to every input row of their group."""

    aggs: tuple[AggItem, ...]
    groups: tuple[Assignment, ...] = ()
    source: Source = _src()


@dataclass(frozen=True)
class Sample:
    """``SAMPLE probability`` (tech preview in 9.1)."""

    probability: float
    source: Source = _src()


Command = Union[  # noqa: UP007
    From,
    Row,
    ShowInfo,
    Where,
    Eval,
    Stats,
    Keep,
    Drop,
    Rename,
    Sort,
    Limit,
    Dissect,
    Grok,
    Enrich,
    MvExpand,
    LookupJoin,
    Sample,
    InlineStats,
]


@dataclass(frozen=True)
class Setting:
    """``SET name = value;`` before the query (after 9.1). ``value`` is a constant
    (a map value is refused by the parser)."""

    name: str
    value: Expr
    source: Source = _src()


@dataclass(frozen=True)
class Query:
    """A whole query: a source command followed by processing commands, after the
    ``SET`` statements (``settings``) that precede it."""

    commands: tuple[Command, ...]
    source: Source = _src()
    settings: tuple[Setting, ...] = ()


def walk(node: object) -> Iterator[object]:
    """Every AST node under ``node`` (itself included), parents first, in field order."""
    if isinstance(node, Source) or not dataclasses.is_dataclass(node):
        return
    yield node
    for f in dataclasses.fields(node):
        value = getattr(node, f.name)
        for item in value if isinstance(value, tuple) else (value,):
            yield from walk(item)
