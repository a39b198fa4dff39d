"""The ES|QL parser: tokens → ``ast.Query``, raising Elasticsearch's errors.

A recursive-descent parser with one small method per grammar rule of Elasticsearch
9.1's ``EsqlBaseParser``; commands are dispatched from a table of command token →
method. Syntax errors reproduce what Elasticsearch's ANTLR parser reports:

* where ANTLR checks the next token against a rule's first set (``sync``), a wrong
  token gives ``mismatched input 'x' expecting {…}`` (or ``extraneous input`` when
  the token after it would fit);
* where ANTLR matches one token, it tries deleting the wrong token (``extraneous
  input``), inserting the expected one (``missing X at 'y'``), then gives up
  (``mismatched input``);
* where ANTLR predicts which alternative an expression takes, it looks ahead through
  the whole leading value expression, so an error anywhere in it becomes ``no
  viable alternative at input '<text from the expression's start>'``.

Errors Elasticsearch raises while building its tree (bad ``LIKE`` pattern, negative
``LIMIT``, unknown metadata field, unknown temporal unit …) are collected while
parsing and the first one is raised once the whole query parsed, as Elasticsearch
only builds the tree of a syntactically valid query.
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Callable
from typing import NamedTuple, TypeVar

from esqlsh.errors import EsqlError, ParsingError, Problem, VerificationError
from esqlsh.syntax import ast
from esqlsh.syntax.tokenizer import error_message, escape_ws, tokenize
from esqlsh.syntax.tokens import COMPARISON_OPERATORS, T, Token, display_name

__all__ = ["join_comparison", "parse", "parse_expression"]

_N = TypeVar("_N")


def _set(*types: T) -> frozenset[T]:
    return frozenset(types)


# ----------------------------------------------------------------- token sets

IDENT = _set(T.UNQUOTED_IDENTIFIER, T.QUOTED_IDENTIFIER)
PARAMS = _set(T.PARAM, T.NAMED_OR_POSITIONAL_PARAM)
DOUBLE_PARAMS = _set(T.DOUBLE_PARAMS, T.NAMED_OR_POSITIONAL_DOUBLE_PARAMS)
IDENT_OR_PARAM = IDENT | PARAMS | DOUBLE_PARAMS
SIGNS = _set(T.PLUS, T.MINUS)
NUMBERS = _set(T.INTEGER_LITERAL, T.DECIMAL_LITERAL)
FIRST_NUMERIC = NUMBERS | SIGNS
FIRST_CONSTANT = (
    _set(T.NULL, T.TRUE, T.FALSE, T.QUOTED_STRING, T.OPENING_BRACKET) | FIRST_NUMERIC | PARAMS
)
FIRST_VALUE = FIRST_CONSTANT | IDENT_OR_PARAM | _set(T.LP)
FIRST_BOOL = FIRST_VALUE | _set(T.NOT)
FIRST_ID_PATTERN = _set(T.ID_PATTERN) | PARAMS | DOUBLE_PARAMS
FIRST_INDEX = _set(T.QUOTED_STRING, T.UNQUOTED_SOURCE)
FIRST_SOURCE_COMMAND = _set(T.DEV_EXPLAIN, T.ROW, T.FROM, T.DEV_TIME_SERIES, T.SHOW)
FIRST_PROCESSING_COMMAND = _set(
    T.CHANGE_POINT, T.ENRICH, T.COMPLETION, T.DISSECT, T.EVAL, T.GROK, T.LIMIT, T.SAMPLE,
    T.SORT, T.STATS, T.WHERE, T.DEV_INLINESTATS, T.DEV_RERANK, T.FORK, T.JOIN_LOOKUP,
    T.DEV_JOIN_LEFT, T.DEV_JOIN_RIGHT, T.DEV_LOOKUP, T.MV_EXPAND, T.DROP, T.KEEP,
    T.DEV_INSIST, T.DEV_RRF, T.RENAME, T.DEV_INLINE,
)  # fmt: skip
MUL_OPS = _set(T.ASTERISK, T.SLASH, T.PERCENT)
END = _set(T.PIPE, T.EOF)
COMMA_RP = _set(T.COMMA, T.RP)
COMMA_CLOSING = _set(T.COMMA, T.CLOSING_BRACKET)
BOOL_LOOP = _set(T.AND, T.OR)
# what may follow an expression of each command (ANTLR's context-aware follow)
FIELDS_FOLLOW = _set(T.COMMA) | END
AGG_FOLLOW = _set(T.COMMA, T.WHERE, T.BY) | END
AGG_FILTER_FOLLOW = _set(T.COMMA, T.BY) | END
ORDER_FOLLOW = _set(T.ASC, T.DESC, T.NULLS, T.COMMA) | END
PRIMARY_FOLLOW = _set(T.CAST_OP, T.QUOTED_STRING)

_UNSUPPORTED_COMMANDS = {T.CHANGE_POINT: "CHANGE_POINT", T.COMPLETION: "COMPLETION", T.FORK: "FORK"}
_METADATA_FIELDS = frozenset(
    {"_version", "_index", "_id", "_ignored", "_source", "_index_mode", "_score"}
)
_ENRICH_MODES = ("any", "coordinator", "remote")
_MAX_EXPRESSION_DEPTH = 400
_INT_MAX = 2**31 - 1
_LONG_MAX = 2**63 - 1
_ULONG_MAX = 2**64 - 1
_PARAM_MIX = (
    "Inconsistent parameter declaration, use one of positional, named or anonymous params "
    "but not a combination of "
)

# EsqlDataTypeConverter.parseTemporalAmount: unit → the largest value it accepts
_TEMPORAL_UNITS: dict[str, int] = {
    **dict.fromkeys(("millisecond", "milliseconds", "ms"), _LONG_MAX),
    **dict.fromkeys(("second", "seconds", "sec", "s"), _LONG_MAX),
    **dict.fromkeys(("minute", "minutes", "min"), _LONG_MAX // 60),
    **dict.fromkeys(("hour", "hours", "h"), _LONG_MAX // 3600),
    **dict.fromkeys(("day", "days", "d"), _INT_MAX),
    **dict.fromkeys(("week", "weeks", "w"), _INT_MAX // 7),
    **dict.fromkeys(("month", "months", "mo"), _INT_MAX),
    **dict.fromkeys(("quarter", "quarters", "q"), _INT_MAX // 3),
    **dict.fromkeys(("year", "years", "yr", "y"), _INT_MAX),
}

# Elasticsearch drops snapshot-only tokens from the messages of release builds with
# exactly this pattern (EsqlParser.ERROR_LISTENER); a leading one leaves "{, ".
_REPLACE_DEV = re.compile(r",*\s*DEV_\w+\s*")


# Expressions nest through ~6 Python frames per level; Elasticsearch's own limit
# (400 levels) must be reachable, so the interpreter's default of 1000 is too low.
if sys.getrecursionlimit() < 20_000:
    sys.setrecursionlimit(20_000)


# ------------------------------------------------------------------ entry points


def parse(text: str) -> ast.Query:
    """Parse a whole ES|QL query; raises ``ParsingError`` (or, for a grouping key
    repeated as an aggregate, ``VerificationError``) worded as Elasticsearch does."""
    return _run(text, lambda p: p.query())


def parse_expression(text: str) -> ast.Expr:
    """Parse one expression, as written after ``EVAL x =`` (for tests and the REPL)."""
    return _run(text, lambda p: p.standalone_expression(), mode="expression")


def _run(text: str, rule: Callable[[_Parser], _N], mode: str = "default") -> _N:
    parser = _Parser(text, mode)
    try:
        return rule(parser)
    except SyntaxProblem as problem:
        raise parser.to_error(problem) from None
    except RecursionError:
        raise ParsingError(
            1,
            1,
            "ESQL statement is too large, causing stack overflow when generating the "
            f"parsing tree: [{text}]",
        ) from None


# --------------------------------------------------------------------- errors


class SyntaxProblem(Exception):
    """An ANTLR-style syntax error at token ``index``: ``mismatched``, ``extraneous``
    or ``missing`` (with the ``expected`` token types), or ``noviable`` (``start`` is
    the token where the failed prediction began). Raised internally, turned into a
    ``ParsingError`` by ``_Parser.to_error``."""

    def __init__(self, kind: str, index: int, expected: frozenset[T] = frozenset(), start: int = 0):
        super().__init__(kind)
        self.kind = kind
        self.index = index
        self.expected = expected
        self.start = start


def expected_set(expected: frozenset[T]) -> str:
    """ANTLR's ``IntervalSet.toString``: one name bare, several in braces, ordered by
    token type."""
    names = [display_name(t) for t in sorted(expected)]
    return names[0] if len(names) == 1 else "{" + ", ".join(names) + "}"


def token_display(token: Token) -> str:
    """ANTLR's ``getTokenErrorDisplay``."""
    text = "<EOF>" if token.type == T.EOF else token.text
    return f"'{escape_ws(text)}'"


class _NamePattern(NamedTuple):
    """A parsed ``KEEP``/``DROP``/``RENAME``/``ENRICH`` name pattern."""

    name: str  # backquotes removed
    raw: str  # as written (Elasticsearch quotes this form in some messages)
    source: ast.Source
    wildcard: bool  # an unquoted part holds a '*'
    star: bool  # exactly '*'


# ---------------------------------------------------------------------- parser


class _Parser:
    def __init__(self, text: str, mode: str = "default"):
        self.text = text
        self.toks = tokenize(text) if mode == "default" else _tokenize_expression(text)
        self.last = len(self.toks) - 1
        self.i = 0
        self.touched = -1
        self.deferred: list[EsqlError] = []
        self.expr_follow = END
        self.depth = 0
        self.anonymous: dict[int, int] = {}
        self.param_error: tuple[int, str] | None = None
        if "?" in text:
            self._number_params()

    # ----------------------------------------------------------- token access

    def la(self, k: int = 1) -> T:
        """Type of the k-th token ahead. Looking at a token is what makes
        Elasticsearch's lazy lexer report an error there."""
        j = self.i + k - 1
        if j > self.last:
            j = self.last
        if j > self.touched:
            self._touch(j)
        return self.toks[j].type

    def _touch(self, j: int) -> None:
        if self.param_error is not None and self.touched < self.param_error[0] <= j:
            tok = self.toks[self.param_error[0]]
            raise ParsingError(tok.line, tok.col, self.param_error[1])
        if j == self.last and self.toks[j].type == T.ERROR:
            tok = self.toks[j]
            raise ParsingError(tok.line, tok.col, error_message(tok))
        self.touched = j

    def _consume(self) -> Token:
        self.la()
        tok = self.toks[self.i]
        if self.i < self.last:
            self.i += 1
        return tok

    def _comma_list(self, item: Callable[[], _N]) -> list[_N]:
        """``item (',' item)*``: the items of a comma-separated list, in order."""
        items = [item()]
        while self.la() == T.COMMA:
            self._consume()
            items.append(item())
        return items

    def _number_params(self) -> None:
        """Ordinals of ``?`` params, and Elasticsearch's error for mixing kinds."""
        seen: list[str] = []
        count = 0
        for index, tok in enumerate(self.toks):
            if tok.type == T.PARAM:
                count += 1
                self.anonymous[index] = count
                kind = "anonymous"
            elif tok.type == T.NAMED_OR_POSITIONAL_PARAM:
                kind = "positional" if tok.text[1:].isdigit() else "named"
            else:
                continue
            if kind not in seen:
                seen.append(kind)
            if len(seen) > 1 and self.param_error is None:
                other = next(
                    k for k in ("anonymous", "named", "positional") if k in seen and k != kind
                )
                self.param_error = (index, f"{_PARAM_MIX}{kind} and {other}")

    def _src(self, start: int) -> ast.Source:
        """Source of the tokens from ``start`` to the last consumed one."""
        first = self.toks[start]
        end = self.toks[self.i - 1].end if self.i > start else first.start
        end = max(end, first.start)
        return ast.Source(first.line, first.col, first.start, end, self.text[first.start : end])

    def _token_source(self, tok: Token) -> ast.Source:
        return ast.Source(tok.line, tok.col, tok.start, tok.end, tok.text)

    def _raw(self, start: int) -> str:
        """ANTLR's ``getText`` of a rule: its tokens' text without whitespace."""
        return "".join(t.text for t in self.toks[start : self.i])

    # -------------------------------------------------------------- errors

    def to_error(self, problem: SyntaxProblem) -> ParsingError:
        token = self.toks[problem.index]
        if problem.kind == "noviable":
            first = self.toks[problem.start]
            end = len(self.text) if token.type == T.EOF else token.end
            shown = "<EOF>" if first.type == T.EOF else self.text[first.start : end]
            message = f"no viable alternative at input '{escape_ws(shown)}'"
        elif problem.kind == "missing":
            message = f"missing {expected_set(problem.expected)} at {token_display(token)}"
        else:
            expecting = expected_set(problem.expected)
            message = f"{problem.kind} input {token_display(token)} expecting {expecting}"
        return ParsingError(token.line, token.col, _REPLACE_DEV.sub("", message))

    def _sync(self, expected: frozenset[T]) -> None:
        """ANTLR's ``sync`` before a decision the input must enter."""
        if self.la() in expected:
            return
        kind = "extraneous" if self.la(2) in expected else "mismatched"
        raise SyntaxProblem(kind, self.i, expected)

    def _sync_loop_back(self, expected: frozenset[T]) -> None:
        """ANTLR's ``sync`` at the end of a loop iteration: a wrong token is
        always reported as extraneous."""
        if self.la() not in expected:
            raise SyntaxProblem("extraneous", self.i, expected)

    def _match(self, expected: frozenset[T], after: frozenset[T]) -> Token:
        """Match one of ``expected``; ``after`` is what may follow it (ANTLR's
        single-token insertion check)."""
        if self.la() in expected:
            return self._consume()
        if self.la(2) in expected:
            kind = "extraneous"
        elif self.la() in after:
            kind = "missing"
        else:
            kind = "mismatched"
        raise SyntaxProblem(kind, self.i, expected)

    def _predicted(self, start: int, rule: Callable[[], _N]) -> _N:
        """Parse what an ANTLR prediction starting at ``start`` looks ahead through:
        an error in it is a ``no viable alternative`` from ``start``."""
        try:
            return rule()
        except SyntaxProblem as problem:
            raise SyntaxProblem("noviable", problem.index, start=start) from None

    def _defer(self, source: ast.Source, message: str) -> None:
        self.deferred.append(ParsingError(source.line, source.column, message))

    def _defer_at(self, tok: Token, message: str) -> None:
        self.deferred.append(ParsingError(tok.line, tok.col, message))

    def _unsupported_param(self, tok: Token) -> None:
        self._defer_at(
            tok, f"query parameters as identifiers or patterns are not supported [{tok.text}]"
        )

    # -------------------------------------------------------------- queries

    def query(self) -> ast.Query:
        settings: list[ast.Setting] = []
        while self.la() == T.DEV_SET:
            settings.append(self._set_statement())
        commands = [self._source_command()]
        while self.la() == T.PIPE:
            self._consume()
            commands.append(self._processing_command())
        self._match(_set(T.EOF), frozenset())
        if self.deferred:
            raise self.deferred[0]
        return ast.Query(tuple(commands), self._src(0), tuple(settings))

    def _set_statement(self) -> ast.Setting:
        """``SET name = constant;`` (after 9.1; Elasticsearch's ``setCommand``)."""
        start = self.i
        self._consume()
        name = self._match(IDENT, _set(T.ASSIGN))
        self._match(_set(T.ASSIGN), FIRST_CONSTANT | _set(T.LEFT_BRACES))
        value: ast.Expr
        if self.la() == T.LEFT_BRACES:
            value_start = self.i
            self._map_expression("map values in SET are not supported by esqlsh")
            value = ast.Literal(None, "null", self._src(value_start))
        else:
            value = self._constant()
        self._match(_set(T.SEMICOLON), FIRST_SOURCE_COMMAND | _set(T.DEV_SET))
        return ast.Setting(_unquote_identifier(name.text), value, self._src(start))

    def standalone_expression(self) -> ast.Expr:
        expr = self._bool_expr()
        self._match(_set(T.EOF), frozenset())
        if self.deferred:
            raise self.deferred[0]
        return expr

    def _source_command(self) -> ast.Command:
        self._sync(FIRST_SOURCE_COMMAND)
        return _SOURCE_COMMANDS[self.la()](self)

    def _processing_command(self) -> ast.Command:
        self._sync(FIRST_PROCESSING_COMMAND)
        method = _PROCESSING_COMMANDS.get(self.la())
        if method is None:
            tok = self.toks[self.i]
            name = _UNSUPPORTED_COMMANDS.get(tok.type, tok.text.upper())
            raise ParsingError(tok.line, tok.col, f"the {name} command is not supported by esqlsh")
        return method(self)

    # ------------------------------------------------------------------ FROM

    def _parse_from(self) -> ast.From:
        start = self.i
        self._consume()
        follow = _set(T.COMMA, T.METADATA) | END
        groups = self._comma_list(lambda: self._index_pattern(follow))
        self._check_index_patterns(groups)
        metadata = self._metadata() if self.la() == T.METADATA else ()
        patterns = tuple(p for group in groups for p in group)
        return ast.From(patterns, metadata, self._src(start))

    def _check_index_patterns(self, groups: list[list[ast.IndexPattern]]) -> None:
        """Elasticsearch's ``IdentifierBuilder.validateIndexPattern``: local index
        names must be valid index names (remote ones are the remote's business)."""
        seen_star = False
        for group in groups:
            first = group[0]
            if not first.quoted and first.cluster is not None:
                continue
            parts = [_pattern_text(p) for p in group] if first.quoted else [first.index]
            seen_star = seen_star or any("*" in p for p in parts)
            message = _index_problem(parts, seen_star)
            if message is not None:
                self._defer(first.source, message)
                return

    def _index_pattern(self, follow: frozenset[T]) -> list[ast.IndexPattern]:
        self._sync(FIRST_INDEX)
        start = self.i
        first = self._consume()
        if first.type == T.UNQUOTED_SOURCE and self.la() in (T.COLON, T.CAST_OP):
            separator = self._consume()
            second = self._match(_set(T.UNQUOTED_SOURCE), follow)
            source = self._src(start)
            if separator.type == T.COLON:
                return [ast.IndexPattern(second.text, cluster=first.text, source=source)]
            return [ast.IndexPattern(first.text, selector=second.text, source=source)]
        source = self._src(start)
        if first.type == T.UNQUOTED_SOURCE:
            return [ast.IndexPattern(first.text, source=source)]
        return [_quoted_pattern(part, source) for part in _unquote_string(first.text).split(",")]

    def _metadata(self) -> tuple[str, ...]:
        self._consume()
        follow = _set(T.COMMA) | END
        fields = self._comma_list(lambda: self._match(_set(T.UNQUOTED_SOURCE), follow))
        declared: dict[str, Token] = {}
        for tok in fields:
            if tok.text not in _METADATA_FIELDS:
                self._defer_at(tok, f"unsupported metadata field [{tok.text}]")
            elif tok.text in declared:
                first = declared[tok.text]
                self._defer_at(
                    tok, f"metadata field [{tok.text}] already declared [@{first.line}:{first.col}]"
                )
            declared.setdefault(tok.text, tok)
        return tuple(tok.text for tok in fields)

    # ------------------------------------------------------------ ROW, SHOW

    def _parse_row(self) -> ast.Row:
        start = self.i
        self._consume()
        return ast.Row(self._fields(FIELDS_FOLLOW), self._src(start))

    def _parse_show(self) -> ast.ShowInfo:
        start = self.i
        self._consume()
        self._match(_set(T.INFO), END)
        return ast.ShowInfo(self._src(start))

    # ---------------------------------------------------------- EVAL, WHERE

    def _parse_eval(self) -> ast.Eval:
        start = self.i
        self._consume()
        return ast.Eval(self._fields(FIELDS_FOLLOW), self._src(start))

    def _parse_where(self) -> ast.Where:
        start = self.i
        self._consume()
        self.expr_follow = END
        return ast.Where(self._bool_expr(), self._src(start))

    def _fields(self, follow: frozenset[T]) -> tuple[ast.Assignment, ...]:
        return tuple(self._comma_list(lambda: self._field(follow)))

    def _field(self, follow: frozenset[T]) -> ast.Assignment:
        """``[name =] expression``."""
        self._sync(FIRST_BOOL)
        start = self.i
        name = None
        if self._named_field_ahead():
            name = self._qualified_name()
            self._consume()
        self.expr_follow = follow
        expr = self._bool_expr()
        return ast.Assignment(name, expr, self._src(start))

    def _named_field_ahead(self) -> bool:
        """ANTLR's prediction of ``(qualifiedName ASSIGN)?``."""
        k = 1
        while self.la(k) in IDENT_OR_PARAM:
            if self.la(k + 1) != T.DOT:
                return self.la(k + 1) == T.ASSIGN
            k += 2
        return False

    def _qualified_name(self) -> str:
        parts = [self._identifier_or_param()]
        while self.la() == T.DOT:
            self._consume()
            parts.append(self._identifier_or_param())
        return ".".join(parts)

    def _identifier_or_param(self) -> str:
        self._sync(IDENT_OR_PARAM)
        tok = self._consume()
        if tok.type not in IDENT:
            self._unsupported_param(tok)
        return _unquote_identifier(tok.text)

    # ------------------------------------------------------------------ STATS

    def _parse_stats(self) -> ast.Stats:
        start = self.i
        self._consume()
        return ast.Stats(*self._stats_clauses(start))

    def _parse_inline_stats(self) -> ast.InlineStats:
        """``INLINE STATS aggs [BY groups]`` (after 9.1): the aggregates are
        required."""
        start = self.i
        self._consume()
        self._match(_set(T.DEV_INLINE_STATS), FIRST_BOOL)
        self._sync(FIRST_BOOL)
        return ast.InlineStats(*self._stats_clauses(start))

    def _stats_clauses(
        self, start: int
    ) -> tuple[tuple[ast.AggItem, ...], tuple[ast.Assignment, ...], ast.Source]:
        """``[aggs] [BY groups]`` of STATS and INLINE STATS, checked as
        ``LogicalPlanBuilder.stats`` checks them."""
        outer, self.deferred = self.deferred, []
        aggs: tuple[ast.AggItem, ...] = ()
        if self.la() in FIRST_BOOL:
            aggs = self._agg_fields()
        agg_errors, self.deferred = self.deferred, []
        groups: tuple[ast.Assignment, ...] = ()
        if self.la() == T.BY:
            self._consume()
            groups = self._fields(FIELDS_FOLLOW)
        # Elasticsearch builds the groupings before the aggregates
        self.deferred = outer + self.deferred + agg_errors
        source = self._src(start)
        if not aggs and not groups:
            self._defer(
                source,
                f"At least one aggregation or grouping expression required in [{source.text}]",
            )
        self._check_grouping_keys(aggs, groups)
        return aggs, groups, source

    def _agg_fields(self) -> tuple[ast.AggItem, ...]:
        return tuple(self._comma_list(self._agg_field))

    def _agg_field(self) -> ast.AggItem:
        start = self.i
        assignment = self._field(AGG_FOLLOW)
        condition = None
        if self.la() == T.WHERE:
            self._consume()
            self.expr_follow = AGG_FILTER_FOLLOW
            condition = self._bool_expr()
        return ast.AggItem(assignment, condition, self._src(start))

    def _check_grouping_keys(
        self, aggs: tuple[ast.AggItem, ...], groups: tuple[ast.Assignment, ...]
    ) -> None:
        """``LogicalPlanBuilder.stats``: an aggregate that only repeats a grouping."""
        if not aggs or not groups:
            return
        names = {_grouping_name(g) for g in groups}
        references = {ref for g in groups for ref in _field_refs(g.expr)}
        for agg in aggs:
            expr = agg.assignment.expr
            if isinstance(expr, ast.Call) or not _unresolved(expr):
                continue
            text = expr.source.text
            if text in names:
                message = f"grouping key [{text}] already specified in the STATS BY clause"
            elif text in references:
                message = f"Cannot specify grouping expression [{text}] as an aggregate"
            else:
                continue
            problem = Problem(expr.source.line, expr.source.column, message)
            self.deferred.append(VerificationError([problem]))
            return

    # ------------------------------------------------------------------- SORT

    def _parse_sort(self) -> ast.Sort:
        start = self.i
        self._consume()
        orders = self._comma_list(self._order)
        return ast.Sort(tuple(orders), self._src(start))

    def _order(self) -> ast.Order:
        start = self.i
        self.expr_follow = ORDER_FOLLOW
        expr = self._bool_expr()
        ascending = True
        if self.la() in (T.ASC, T.DESC):
            ascending = self._consume().type == T.ASC
        nulls_first = None
        if self.la() == T.NULLS:
            self._consume()
            nulls_first = self._match(_set(T.FIRST, T.LAST), _set(T.COMMA) | END).type == T.FIRST
        return ast.Order(expr, ascending, nulls_first, self._src(start))

    # --------------------------------------------------------- LIMIT, SAMPLE

    def _parse_limit(self) -> ast.Limit:
        start = self.i
        self._consume()
        value_start = self.i
        value = self._constant()
        source = self._src(start)
        if isinstance(value, ast.Literal) and value.kind == "integer":
            count = value.value
            if isinstance(count, int) and 0 <= count <= _INT_MAX:
                return ast.Limit(count, source)
        if isinstance(value, ast.Param):
            self._defer(
                source,
                f"query parameters in LIMIT are not supported by esqlsh [{value.source.text}]",
            )
            return ast.Limit(0, source)
        found = self._raw(value_start)
        self._defer(
            source,
            f"value of [{source.text}] must be a non negative integer, "
            f"found value [{found}] type [{_constant_type(value)}]",
        )
        return ast.Limit(0, source)

    def _parse_sample(self) -> ast.Sample:
        start = self.i
        self._consume()
        value = self._constant()
        source = self._src(start)
        probability = value.value if isinstance(value, ast.Literal) else None
        if isinstance(probability, float) and 0.0 < probability < 1.0:
            return ast.Sample(probability, source)
        if isinstance(value, ast.Param):
            self._defer(
                source,
                f"query parameters in SAMPLE are not supported by esqlsh [{value.source.text}]",
            )
            return ast.Sample(0.5, source)
        self._defer(
            source,
            f"invalid value for SAMPLE probability [{_java_string(value)}], "
            "expecting a number between 0 and 1, exclusive",
        )
        return ast.Sample(0.5, source)

    # ------------------------------------------------------ KEEP, DROP, RENAME

    def _parse_keep(self) -> ast.Keep:
        start = self.i
        self._consume()
        patterns = self._name_patterns()
        stars = [p for p in patterns if p.star]
        if len(stars) > 1:
            self._defer(stars[1].source, "Cannot specify [*] more than once")
        return ast.Keep(tuple(p.name for p in patterns), self._src(start))

    def _parse_drop(self) -> ast.Drop:
        start = self.i
        self._consume()
        patterns = self._name_patterns()
        for pattern in patterns:
            if pattern.star:
                self._defer(
                    pattern.source, f"Removing all fields is not allowed [{pattern.source.text}]"
                )
        return ast.Drop(tuple(p.name for p in patterns), self._src(start))

    def _name_patterns(self) -> list[_NamePattern]:
        return self._comma_list(self._name_pattern)

    def _name_pattern(self) -> _NamePattern:
        start = self.i
        parts = [self._identifier_pattern()]
        while self.la() == T.DOT:
            self._consume()
            parts.append(self._identifier_pattern())
        source = self._src(start)
        raw = ".".join(p[0] for p in parts)
        name = ".".join(p[1] for p in parts)
        wildcard = any(p[2] for p in parts)
        return _NamePattern(name, raw, source, wildcard, raw == "*")

    def _identifier_pattern(self) -> tuple[str, str, bool]:
        """One ``ID_PATTERN``: (as written, unquoted, has an unquoted ``*``)."""
        self._sync(FIRST_ID_PATTERN)
        tok = self._consume()
        if tok.type != T.ID_PATTERN:
            self._unsupported_param(tok)
            return tok.text, tok.text, False
        name, wildcard = _unquote_pattern(tok.text)
        return tok.text, name, wildcard

    def _parse_rename(self) -> ast.Rename:
        start = self.i
        self._consume()
        items = self._comma_list(self._rename_clause)
        return ast.Rename(tuple(items), self._src(start))

    def _rename_clause(self) -> ast.RenameItem:
        """``old AS new`` or ``new = old``."""
        self._sync(FIRST_ID_PATTERN)
        start = self.i
        first = self._predicted(start, self._name_pattern)
        if self.la() not in (T.AS, T.ASSIGN):
            raise SyntaxProblem("noviable", self.i, start=start)
        keyword = self._consume().type
        second = self._name_pattern()
        old, new = (first, second) if keyword == T.AS else (second, first)
        source = self._src(start)
        if old.wildcard or new.wildcard or old.star or new.star:
            self._defer(source, f"Using wildcards [*] in RENAME is not allowed [{source.text}]")
        return ast.RenameItem(old.name, new.name, source)

    # ----------------------------------------------------------- DISSECT, GROK

    def _parse_dissect(self) -> ast.Dissect:
        start = self.i
        self._consume()
        operand = self._primary_operand()
        pattern = _unquote_string(self._match(_set(T.QUOTED_STRING), IDENT | END).text)
        options: list[tuple[Token, ast.Expr]] = []
        if self.la() in IDENT:
            options = self._command_options()
        source = self._src(start)
        separator = self._append_separator(options, source)
        return ast.Dissect(operand, pattern, separator, source)

    def _command_options(self) -> list[tuple[Token, ast.Expr]]:
        return self._comma_list(self._command_option)

    def _command_option(self) -> tuple[Token, ast.Expr]:
        key = self._match(IDENT, _set(T.ASSIGN))
        self._match(_set(T.ASSIGN), FIRST_CONSTANT)
        return key, self._constant()

    def _append_separator(
        self, options: list[tuple[Token, ast.Expr]], source: ast.Source
    ) -> str | None:
        separator = None
        for key, value in options:
            name = _unquote_identifier(key.text)
            if name.lower() != "append_separator":
                self._defer(source, f"Invalid option for dissect: [{name}]")
            elif not (isinstance(value, ast.Literal) and value.kind == "string"):
                shown = _java_string(value)
                self._defer(
                    source,
                    f"Invalid value for dissect append_separator: expected a string, but was [{shown}]",
                )
            else:
                separator = str(value.value)
        return separator

    def _parse_grok(self) -> ast.Grok:
        """``GROK operand "pattern" [, "pattern" …]`` (several patterns: after 9.1)."""
        start = self.i
        self._consume()
        operand = self._primary_operand()
        pattern = _unquote_string(self._match(_set(T.QUOTED_STRING), END).text)
        extra: list[str] = []
        while self.la() == T.COMMA:
            self._consume()
            tok = self._match(_set(T.QUOTED_STRING), _set(T.COMMA) | END)
            extra.append(_unquote_string(tok.text))
        return ast.Grok(operand, pattern, self._src(start), tuple(extra))

    def _primary_operand(self) -> ast.Expr:
        """The ``primaryExpression`` DISSECT and GROK read their input from."""
        self._sync(FIRST_VALUE)
        return self._primary()

    # ----------------------------------------------------------------- ENRICH

    def _parse_enrich(self) -> ast.Enrich:
        start = self.i
        self._consume()
        policy_tok = self._match(
            _set(T.ENRICH_POLICY_NAME, T.QUOTED_STRING), _set(T.ON, T.WITH) | END
        )
        mode, policy = self._policy_name(policy_tok)
        on = None
        if self.la() == T.ON:
            self._consume()
            on = self._name_pattern()
        fields: list[ast.EnrichField] = []
        if self.la() == T.WITH:
            self._consume()
            fields = self._comma_list(self._enrich_with)
        source = self._src(start)
        if on is not None and (on.wildcard or on.star):
            self._defer(
                source,
                f"Using wildcards [*] in ENRICH WITH projections is not allowed, found [{on.raw}]",
            )
        return ast.Enrich(policy, mode, on.name if on else None, tuple(fields), source)

    def _policy_name(self, tok: Token) -> tuple[str | None, str]:
        """``[_mode:]policy``; Elasticsearch's ``parsePolicyName``."""
        text = tok.text if tok.type == T.ENRICH_POLICY_NAME else _unquote_string(tok.text)
        colon = text.find(":")
        if colon < 0:
            return None, text
        mode = text[:colon]
        if not (mode.startswith("_") and mode[1:].lower() in _ENRICH_MODES):
            self._defer_at(
                tok,
                f"Unrecognized value [{mode}], ENRICH policy qualifier needs to be one of "
                "[_ANY, _COORDINATOR, _REMOTE]",
            )
        return mode, text[colon + 1 :]

    def _enrich_with(self) -> ast.EnrichField:
        """``[new =] field``."""
        self._sync(FIRST_ID_PATTERN)
        start = self.i
        first = self._predicted(start, self._name_pattern)
        new = None
        field = first
        if self.la() == T.ASSIGN:
            self._consume()
            new, field = first, self._name_pattern()
        for pattern in (field, new):
            if pattern is not None and (pattern.wildcard or pattern.star):
                self._defer(
                    pattern.source,
                    f"Using wildcards [*] in ENRICH WITH projections is not allowed, found [{pattern.source.text}]",
                )
        return ast.EnrichField(field.name, new.name if new else None, self._src(start))

    # ---------------------------------------------------- MV_EXPAND, LOOKUP JOIN

    def _parse_mv_expand(self) -> ast.MvExpand:
        start = self.i
        self._consume()
        return ast.MvExpand(self._qualified_name(), self._src(start))

    def _parse_lookup_join(self) -> ast.LookupJoin:
        start = self.i
        self._consume()
        self._match(_set(T.JOIN), FIRST_INDEX)
        target_start = self.i
        targets = self._index_pattern(_set(T.ON))
        target_source = self._src(target_start)
        self._check_index_patterns([targets])
        on_start = self.i
        self._match(_set(T.ON), FIRST_VALUE)
        predicates = self._comma_list(self._join_predicate)
        on_source = self._src(on_start)
        index = ",".join(_pattern_text(p) for p in targets)
        if "*" in index:
            self._defer(
                target_source, f"invalid index pattern [{index}], * is not allowed in LOOKUP JOIN"
            )
        elif any(p.cluster is not None for p in targets):
            self._defer(
                target_source,
                f"invalid index pattern [{index}], remote clusters are not supported in LOOKUP JOIN",
            )
        source = self._src(start)
        if not isinstance(predicates[0], ast.FieldRef | ast.Literal):
            condition = self._join_condition(predicates, on_source)
            return ast.LookupJoin(index, (), source, condition)
        fields: list[str] = []
        for predicate in predicates:
            if isinstance(predicate, ast.FieldRef):
                fields.append(predicate.name)
            else:
                self._defer(
                    predicate.source,
                    "JOIN ON clause must be a comma separated list of fields or a single "
                    f"expression, found [{predicate.source.text}]",
                )
        return ast.LookupJoin(index, tuple(fields), source)

    def _join_predicate(self) -> ast.Expr:
        """A join field, or (after 9.1) a boolean expression of comparisons."""
        self._sync(FIRST_VALUE)
        self.expr_follow = _set(T.COMMA) | END
        return self._bool_expr()

    def _join_condition(self, predicates: list[ast.Expr], on_source: ast.Source) -> ast.Expr:
        """``LogicalPlanBuilder.processExpressionBasedJoin``: one expression, an AND
        of conditions, at least one comparing two fields."""
        if len(predicates) != 1:
            shown = ", ".join(p.source.text for p in predicates)
            self._defer(
                on_source,
                f"JOIN ON clause with expressions only supports a single expression, found [{shown}]",
            )
            return predicates[0]
        condition = predicates[0]
        relating = False
        for part in _and_parts(condition):
            if _has_bare_field(part):
                self._defer(
                    on_source,
                    "JOIN ON clause only supports fields or AND of Binary Expressions at the "
                    f"moment, found [{part.source.text}]",
                )
                return condition
            relating = relating or join_comparison(part) is not None
        if not relating:
            self._defer(
                on_source,
                "JOIN ON clause with expressions must contain at least one condition relating "
                "the left index and the lookup index",
            )
        return condition

    # ------------------------------------------------------------ expressions

    def _bool_expr(self, precedence: int = 0) -> ast.Expr:
        """``booleanExpression``: NOT > AND > OR, by ANTLR precedence climbing."""
        self._sync(FIRST_BOOL)
        start = self.i
        self._enter(start)
        left: ast.Expr
        if self.la() == T.NOT:
            self._consume()
            left = ast.Unary("NOT", self._bool_expr(8), self._src(start))
        else:
            left = self._predicate(start)
        while True:
            t = self.la()
            if t == T.AND and precedence <= 5:
                right_precedence, op = 6, "AND"
            elif t == T.OR and precedence <= 4:
                right_precedence, op = 5, "OR"
            else:
                break
            self._consume()
            right = self._bool_expr(right_precedence)
            left = ast.Binary(op, left, right, self._src(start))  # type: ignore[arg-type]
        self.depth -= 1
        return left

    def _enter(self, start: int) -> None:
        self.depth += 1
        if self.depth == _MAX_EXPRESSION_DEPTH + 1:
            tok = self.toks[start]
            self._defer_at(
                tok,
                f"ESQL statement exceeded the maximum expression depth allowed ({_MAX_EXPRESSION_DEPTH}): "
                f"[{self.text[tok.start : tok.start + 80]}]",
            )

    def _predicate(self, start: int) -> ast.Expr:
        """A value expression, then maybe ``[NOT] IN``, ``IS [NOT] NULL``,
        ``[NOT] LIKE``/``RLIKE`` or ``:``; which one is ANTLR's prediction."""
        value = self._predicted(start, self._value_expr)
        t = self.la()
        negated = t == T.NOT
        if negated:
            if self.la(2) not in (T.IN, T.LIKE, T.RLIKE):
                raise SyntaxProblem("noviable", min(self.i + 1, self.last), start=start)
            t = self.la(2)
        if t == T.IN:
            self._consume_n(2 if negated else 1)
            return self._in(value, negated, start)
        if t in (T.LIKE, T.RLIKE):
            return self._regex(value, negated, start)
        if t == T.IS:
            return self._is_null(value, start)
        if t == T.COLON and self._is_match_field(start):
            self._consume()
            query = self._constant()
            return ast.Match(value, query, self._src(start))
        return value

    def _consume_n(self, n: int) -> None:
        for _ in range(n):
            self._consume()

    def _in(self, value: ast.Expr, negated: bool, start: int) -> ast.In:
        self._match(_set(T.LP), FIRST_VALUE)
        items = [self._value_predicted()]
        self._sync(COMMA_RP)
        while self.la() == T.COMMA:
            self._consume()
            items.append(self._value_predicted())
            self._sync_loop_back(COMMA_RP)
        self._consume()
        return ast.In(value, tuple(items), negated, self._src(start))

    def _value_predicted(self) -> ast.Expr:
        self._sync(FIRST_VALUE)
        start = self.i
        return self._predicted(start, self._value_expr)

    def _is_null(self, value: ast.Expr, start: int) -> ast.IsNull:
        self._consume()
        self._sync(_set(T.NOT, T.NULL))
        negated = self.la() == T.NOT
        if negated:
            self._consume()
        self._match(_set(T.NULL), BOOL_LOOP | self.expr_follow)
        return ast.IsNull(value, negated, self._src(start))

    def _regex(self, value: ast.Expr, negated: bool, start: int) -> ast.Like:
        offset = 2 if negated else 1
        regex = self.la(offset) == T.RLIKE
        if not regex and self.la(offset + 1) not in (T.QUOTED_STRING, T.LP):
            raise SyntaxProblem("noviable", min(self.i + offset, self.last), start=start)
        self._consume_n(offset)
        patterns: list[ast.Literal]
        if not regex and self.la() == T.LP:
            self._consume()
            patterns = [self._string(COMMA_RP)]
            self._sync(COMMA_RP)
            while self.la() == T.COMMA:
                self._consume()
                patterns.append(self._string(COMMA_RP))
                self._sync_loop_back(COMMA_RP)
            self._consume()
        else:
            patterns = [self._string(BOOL_LOOP | self.expr_follow)]
        source = self._src(start)
        if not regex:
            self._check_like(patterns, source)
        return ast.Like(value, tuple(patterns), negated, regex, source)

    def _check_like(self, patterns: list[ast.Literal], source: ast.Source) -> None:
        for pattern in patterns:
            problem = _wildcard_problem(str(pattern.value))
            if problem is not None:
                self._defer(source, f"Invalid pattern for LIKE [{pattern.value}]: [{problem}]")
                return

    def _is_match_field(self, start: int) -> bool:
        """Was the value expression ``qualifiedName [:: type]`` (the match operator's
        left side)?"""
        types = [t.type for t in self.toks[start : self.i]]
        if not types or types[0] not in IDENT_OR_PARAM:
            return False
        j = 1
        while j + 1 < len(types) and types[j] == T.DOT and types[j + 1] in IDENT_OR_PARAM:
            j += 2
        if j + 1 < len(types) and types[j] == T.CAST_OP and types[j + 1] in IDENT:
            j += 2
        return j == len(types)

    def _value_expr(self) -> ast.Expr:
        """``operatorExpression [comparison operatorExpression]``."""
        start = self.i
        left = self._op_expr(0)
        if self.la() in COMPARISON_OPERATORS:
            op = self._consume().text
            right = self._op_expr(0)
            return ast.Binary(op, left, right, self._src(start))  # type: ignore[arg-type]
        return left

    def _op_expr(self, precedence: int) -> ast.Expr:
        """``operatorExpression``: unary sign > ``* / %`` > ``+ -``."""
        self._sync(FIRST_VALUE)
        start = self.i
        self._enter(start)
        left: ast.Expr
        if self.la() in SIGNS and self.la(2) not in NUMBERS:
            op = self._consume().text
            left = ast.Unary(op, self._op_expr(3), self._src(start))  # type: ignore[arg-type]
        else:
            left = self._primary()
        while True:
            t = self.la()
            if t in MUL_OPS and precedence <= 2:
                right_precedence = 3
            elif t in SIGNS and precedence <= 1:
                right_precedence = 2
            else:
                break
            op = self._consume().text
            right = self._op_expr(right_precedence)
            left = ast.Binary(op, left, right, self._src(start))  # type: ignore[arg-type]
        self.depth -= 1
        return left

    def _primary(self) -> ast.Expr:
        """``primaryExpression``: constant, name, function call or ``( … )``, then
        ``::type`` casts."""
        self._sync(FIRST_VALUE)
        start = self.i
        t = self.la()
        node: ast.Expr
        if t == T.LP:
            self._consume()
            node = self._bool_expr()
            self._match(_set(T.RP), PRIMARY_FOLLOW)
        elif t in IDENT or t in DOUBLE_PARAMS or (t in PARAMS and self.la(2) in (T.LP, T.DOT)):
            if self.la(2) == T.LP:
                node = self._function(start)
            else:
                node = ast.FieldRef(self._qualified_name(), self._src(start))
        else:
            node = self._constant()
        while self.la() == T.CAST_OP:
            self._consume()
            type_name = _unquote_identifier(self._match(IDENT, PRIMARY_FOLLOW).text)
            node = ast.Cast(node, type_name.lower(), self._src(start))
        return node

    def _function(self, start: int) -> ast.Call:
        name_tok = self._consume()
        if name_tok.type not in IDENT:
            self._unsupported_param(name_tok)
        self._consume()
        args: list[ast.Expr] = []
        star = False
        if self.la() == T.ASTERISK:
            self._consume()
            star = True
        elif self.la() in FIRST_BOOL:
            args.append(self._bool_expr())
            self._sync(COMMA_RP)
            while self.la() == T.COMMA:
                self._consume()
                if self.la() == T.LEFT_BRACES:
                    self._map_expression()
                    break
                args.append(self._bool_expr())
                self._sync_loop_back(COMMA_RP)
        self._match(_set(T.RP), PRIMARY_FOLLOW)
        return ast.Call(_unquote_identifier(name_tok.text), tuple(args), star, self._src(start))

    def _map_expression(
        self, refusal: str = "function options ({...}) are not supported by esqlsh"
    ) -> None:
        """``{"option": constant, …}`` function options (or a SET value): parsed,
        then refused (the AST has no place for them)."""
        start = self.i
        self._consume()
        self._map_entry()
        self._sync(_set(T.COMMA, T.RIGHT_BRACES))
        while self.la() == T.COMMA:
            self._consume()
            self._map_entry()
            self._sync_loop_back(_set(T.COMMA, T.RIGHT_BRACES))
        self._consume()
        self._defer(self._src(start), refusal)

    def _map_entry(self) -> None:
        self._match(_set(T.QUOTED_STRING), _set(T.COLON))
        self._match(_set(T.COLON), FIRST_CONSTANT)
        self._constant()

    # -------------------------------------------------------------- constants

    def _constant(self) -> ast.Expr:
        """``constant``: null, numbers, time spans, booleans, params, strings, lists."""
        self._sync(FIRST_CONSTANT)
        start = self.i
        t = self.la()
        if t in FIRST_NUMERIC:
            return self._number(start, qualified=True)
        if t == T.OPENING_BRACKET:
            return self._list(start)
        tok = self._consume()
        source = self._token_source(tok)
        if t == T.NULL:
            return ast.Literal(None, "null", source)
        if t in (T.TRUE, T.FALSE):
            return ast.Literal(t == T.TRUE, "boolean", source)
        if t == T.QUOTED_STRING:
            return ast.Literal(_unquote_string(tok.text), "string", source)
        return self._param(tok, start)

    def _param(self, tok: Token, index: int) -> ast.Param:
        source = self._token_source(tok)
        if tok.type == T.PARAM:
            return ast.Param("anonymous", index=self.anonymous[index], source=source)
        name = tok.text[1:]
        if name.isdigit():
            return ast.Param("positional", index=int(name), source=source)
        return ast.Param("named", name=name, source=source)

    def _number(self, start: int, qualified: bool) -> ast.Expr:
        """``[+|-] integer [unit]`` or ``[+|-] decimal``."""
        k = 2 if self.la() in SIGNS else 1
        if self.la(k) not in NUMBERS:
            raise SyntaxProblem("noviable", min(self.i + k - 1, self.last), start=start)
        is_integer = self.la(k) == T.INTEGER_LITERAL
        span = qualified and is_integer and self.la(k + 1) == T.UNQUOTED_IDENTIFIER
        self._consume_n(k)
        text = self._raw(start)
        source = self._src(start)
        if not is_integer:
            value = float(text)
            if math.isinf(value):
                self._defer(source, f"Number [{text}] is too large")
            return ast.Literal(value, "decimal", source)
        number = int(text)
        if abs(number) > _ULONG_MAX and math.isinf(_to_float(text)):
            self._defer(source, f"Number [{text}] is too large")
        if not span:
            return ast.Literal(number, "integer", source)
        unit_tok = self._consume()
        unit = unit_tok.text.lower()
        span_source = self._src(start)
        limit = _TEMPORAL_UNITS.get(unit)
        if limit is None:
            self._defer(span_source, f"Unexpected temporal unit: '{unit}'")
        elif abs(number) > limit:
            self._defer(span_source, f"Number [{text}] outside of [{unit}] range")
        return ast.TimeSpan(number, unit, span_source)

    def _list(self, start: int) -> ast.ListLiteral:
        """``[1, 2]``, ``[true, false]``, ``["a", "b"]``: one kind per list."""
        self._consume()
        t = self.la()
        element: Callable[[], ast.Literal]
        if t in FIRST_NUMERIC:
            element = self._numeric_value
        elif t in (T.TRUE, T.FALSE):
            element = self._boolean_value
        elif t == T.QUOTED_STRING:
            element = self._list_string
        else:
            raise SyntaxProblem("noviable", self.i, start=start)
        items = [element()]
        self._sync(COMMA_CLOSING)
        while self.la() == T.COMMA:
            self._consume()
            items.append(element())
            self._sync_loop_back(COMMA_CLOSING)
        self._consume()
        return ast.ListLiteral(tuple(items), self._src(start))

    def _numeric_value(self) -> ast.Literal:
        self._sync(FIRST_NUMERIC)
        literal = self._number(self.i, qualified=False)
        assert isinstance(literal, ast.Literal)
        return literal

    def _boolean_value(self) -> ast.Literal:
        tok = self._match(_set(T.TRUE, T.FALSE), COMMA_CLOSING)
        return ast.Literal(tok.type == T.TRUE, "boolean", self._token_source(tok))

    def _list_string(self) -> ast.Literal:
        return self._string(COMMA_CLOSING)

    def _string(self, after: frozenset[T]) -> ast.Literal:
        tok = self._match(_set(T.QUOTED_STRING), after)
        return ast.Literal(_unquote_string(tok.text), "string", self._token_source(tok))


_Rule = Callable[[_Parser], ast.Command]

# command token → the method parsing it (adding a command is one entry and one method)
_SOURCE_COMMANDS: dict[T, _Rule] = {
    T.FROM: _Parser._parse_from,
    T.ROW: _Parser._parse_row,
    T.SHOW: _Parser._parse_show,
}
_PROCESSING_COMMANDS: dict[T, _Rule] = {
    T.EVAL: _Parser._parse_eval,
    T.WHERE: _Parser._parse_where,
    T.KEEP: _Parser._parse_keep,
    T.DROP: _Parser._parse_drop,
    T.LIMIT: _Parser._parse_limit,
    T.STATS: _Parser._parse_stats,
    T.SORT: _Parser._parse_sort,
    T.RENAME: _Parser._parse_rename,
    T.DISSECT: _Parser._parse_dissect,
    T.GROK: _Parser._parse_grok,
    T.ENRICH: _Parser._parse_enrich,
    T.MV_EXPAND: _Parser._parse_mv_expand,
    T.JOIN_LOOKUP: _Parser._parse_lookup_join,
    T.SAMPLE: _Parser._parse_sample,
    T.DEV_INLINE: _Parser._parse_inline_stats,
}


# ---------------------------------------------------------------- helpers


def _tokenize_expression(text: str) -> list[Token]:
    """Tokens of a bare expression: lexed as if it followed ``EVAL x =``."""
    prefix = "EVAL x = "
    tokens = tokenize(prefix + text)[3:]
    shift = len(prefix)
    for tok in tokens:
        tok.start -= shift
        tok.end -= shift
        if tok.line == 1:
            tok.col -= shift
    return tokens


def _unquote_string(text: str) -> str:
    """Elasticsearch's ``unquoteString``: triple-quoted strings have no escapes."""
    if text.startswith('"""'):
        return text[3:-3]
    body = text[1:-1]
    if "\\" not in body:
        return body
    out: list[str] = []
    i = 0
    while i < len(body):
        c = body[i]
        if c == "\\" and i + 1 < len(body):
            out.append(_ESCAPED.get(body[i + 1], body[i + 1]))
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


_ESCAPED = {"t": "\t", "n": "\n", "r": "\r", '"': '"', "\\": "\\"}


def _unquote_identifier(text: str) -> str:
    if text.startswith("`") and text.endswith("`") and len(text) >= 2:
        return text[1:-1].replace("``", "`")
    return text


def _unquote_pattern(text: str) -> tuple[str, bool]:
    """An ``ID_PATTERN``'s name with backquoted fragments unquoted, and whether an
    unquoted fragment holds a ``*`` wildcard."""
    out: list[str] = []
    wildcard = False
    i = 0
    while i < len(text):
        if text[i] != "`":
            j = text.find("`", i)
            j = len(text) if j < 0 else j
            wildcard = wildcard or "*" in text[i:j]
            out.append(text[i:j])
            i = j
            continue
        j = i + 1
        while j < len(text):
            if text[j] == "`":
                if j + 1 < len(text) and text[j + 1] == "`":
                    j += 2
                    continue
                break
            j += 1
        out.append(text[i + 1 : j].replace("``", "`"))
        i = j + 1
    return "".join(out), wildcard


def _quoted_pattern(part: str, source: ast.Source) -> ast.IndexPattern:
    """One comma-separated part of a quoted FROM pattern: ``[cluster:]index[::selector]``
    (a date-math ``<…>`` pattern has no cluster)."""
    selector = None
    if "::" in part:
        part, selector = part.split("::", 1)
    cluster = None
    if ":" in part and not part.startswith("<"):
        cluster, part = part.split(":", 1)
    return ast.IndexPattern(part, cluster, selector, quoted=True, source=source)


def _pattern_text(pattern: ast.IndexPattern) -> str:
    text = pattern.index if pattern.cluster is None else f"{pattern.cluster}:{pattern.index}"
    return text if pattern.selector is None else f"{text}::{pattern.selector}"


_INVALID_FILENAME_CHARS = frozenset('\\/*?"<>| ,')
# Java prints Strings.INVALID_FILENAME_CHARS (a HashSet) in this order
_INVALID_FILENAME_SHOWN = '[ , ", *, \\, <, |, ,, >, /, ?]'
_DATE_MATH = re.compile(r"(?<!\\)\{(?:[^{}]|\{[^{}]*\})*\}")


def _index_problem(parts: list[str], seen_star: bool) -> str | None:
    """The first invalid index name among the comma-separated ``parts`` of one
    pattern; invalid names that are exclusions after a wildcard are tolerated."""
    for part in parts:
        index = part.strip()
        if _is_remote(index):
            if "::" in index:
                return f"Invalid index name [{index}], Selectors are not yet supported on remote cluster patterns"
            continue
        index = index.split("::", 1)[0]
        seen_star = seen_star or "*" in index
        index = index.replace("*", "").strip()
        if not index:
            continue
        excluded = index.startswith("-")
        index = index.removeprefix("-")
        resolved = _resolve_date_math(index)
        excluded = excluded or resolved.startswith("-")
        index = index if resolved == index else resolved.removeprefix("-")
        problem = _index_name_problem(index)
        if problem is not None and not (seen_star and excluded):
            return f"Invalid index name [{index}], {problem}"
    return None


def _is_remote(index: str) -> bool:
    """``RemoteClusterAware.isRemoteIndexName``."""
    if not index or index.startswith(("<", "-<")):
        return False
    colon = index.find(":")
    return colon > 0 and not index.startswith("::", colon)


def _resolve_date_math(index: str) -> str:
    """``<logs-{now/d}>`` → a concrete name of the same shape (only its validity
    matters here)."""
    if not (index.startswith("<") and index.endswith(">")):
        return index
    return _DATE_MATH.sub("2025.01.01", index[1:-1]).replace("\\{", "{").replace("\\}", "}")


def _index_name_problem(index: str) -> str | None:
    """``MetadataCreateIndexService.validateIndexOrAliasName``."""
    if any(c in _INVALID_FILENAME_CHARS for c in index):
        return f"must not contain the following characters {_INVALID_FILENAME_SHOWN}"
    if not index:
        return "must not be empty"
    if "#" in index:
        return "must not contain '#'"
    if ":" in index:
        return "must not contain ':'"
    if index[0] in "_-+":
        return "must not start with '_', '-', or '+'"
    size = len(index.encode("utf-8"))
    if size > 255:
        return f"index name is too long, ({size} > 255)"
    if index in (".", ".."):
        return "must not be '.' or '..'"
    return None


def _wildcard_problem(pattern: str) -> str | None:
    """``StringUtils.wildcardToJavaPattern``'s complaint about a LIKE pattern, if any."""
    escaped = False
    for i, c in enumerate(pattern):
        if not escaped and c == "\\":
            escaped = True
            if i + 1 == len(pattern):
                return "Invalid sequence - escape character at the end of string"
            continue
        if escaped and c not in "*?\\":
            return "Invalid sequence - escape character is not followed by special wildcard char"
        escaped = False
    return None


def _to_float(text: str) -> float:
    try:
        return float(text)
    except OverflowError:
        return math.inf


_COMPARISON_OPS = frozenset({"==", "!=", "<", "<=", ">", ">="})


def _and_parts(expr: ast.Expr) -> list[ast.Expr]:
    """``Predicates.splitAnd``."""
    if isinstance(expr, ast.Binary) and expr.op == "AND":
        return [*_and_parts(expr.left), *_and_parts(expr.right)]
    return [expr]


def _has_bare_field(expr: ast.Expr) -> bool:
    """``containsBareFieldsInBooleanExpression``: a field used as a condition."""
    if isinstance(expr, ast.FieldRef):
        return True
    if isinstance(expr, ast.Binary) and expr.op in ("AND", "OR"):
        return _has_bare_field(expr.left) or _has_bare_field(expr.right)
    return False


def join_comparison(expr: ast.Expr) -> tuple[ast.FieldRef, str, ast.FieldRef] | None:
    """An expression-join condition ``left op right`` between two fields, as (left,
    op, right); ``NOT a == b`` reads as ``a != b`` (``handleNegationOfEquals``)."""
    op = None
    if isinstance(expr, ast.Unary) and expr.op == "NOT":
        expr, op = expr.operand, "!="
        if not (isinstance(expr, ast.Binary) and expr.op == "=="):
            return None
    if (
        isinstance(expr, ast.Binary)
        and expr.op in _COMPARISON_OPS
        and isinstance(expr.left, ast.FieldRef)
        and isinstance(expr.right, ast.FieldRef)
    ):
        return expr.left, op or expr.op, expr.right
    return None


def _grouping_name(group: ast.Assignment) -> str:
    if group.name is not None:
        return group.name
    if isinstance(group.expr, ast.FieldRef):
        return group.expr.name
    return group.source.text


def _field_refs(expr: ast.Expr) -> list[str]:
    return [node.name for node in _walk(expr) if isinstance(node, ast.FieldRef)]


def _unresolved(expr: ast.Expr) -> bool:
    """Elasticsearch's ``resolved() == false`` before analysis: the expression reads
    a column or calls a function."""
    return any(isinstance(node, ast.FieldRef | ast.Call) for node in _walk(expr))


def _walk(expr: ast.Expr) -> list[ast.Expr]:
    nodes: list[ast.Expr] = []
    stack: list[ast.Expr] = [expr]
    while stack:
        node = stack.pop()
        nodes.append(node)
        stack.extend(_children(node))
    return nodes


def _children(node: ast.Expr) -> list[ast.Expr]:
    if isinstance(node, ast.Call):
        return list(node.args)
    if isinstance(node, ast.Unary | ast.Cast | ast.IsNull):
        return [node.operand]
    if isinstance(node, ast.Binary):
        return [node.left, node.right]
    if isinstance(node, ast.In):
        return [node.operand, *node.items]
    if isinstance(node, ast.Like):
        return [node.operand, *node.patterns]
    if isinstance(node, ast.Match):
        return [node.field, node.query]
    if isinstance(node, ast.ListLiteral):
        return list(node.items)
    return []


def _constant_type(value: ast.Expr) -> str:
    """Elasticsearch's type name of a folded constant."""
    if isinstance(value, ast.ListLiteral):
        return _constant_type(value.items[0]) if value.items else "null"
    if isinstance(value, ast.TimeSpan):
        return "time_duration" if _TEMPORAL_UNITS.get(value.unit, 0) > _INT_MAX else "date_period"
    if isinstance(value, ast.Literal):
        if value.kind == "integer" and isinstance(value.value, int):
            v = value.value
            if -_INT_MAX - 1 <= v <= _INT_MAX:
                return "integer"
            if -_LONG_MAX - 1 <= v <= _LONG_MAX:
                return "long"
            return "unsigned_long" if 0 <= v <= _ULONG_MAX else "double"
        return {"decimal": "double", "string": "keyword", "boolean": "boolean", "null": "null"}[
            value.kind
        ]
    return "keyword"


def _java_string(value: ast.Expr) -> str:
    """``BytesRefs.toString`` of a folded constant, as Java prints it."""
    if isinstance(value, ast.ListLiteral):
        return "[" + ", ".join(_java_string(i) for i in value.items) + "]"
    if isinstance(value, ast.Literal):
        v = value.value
        if v is None:
            return "null"
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, float):
            return java_double(v)
        return str(v)
    return value.source.text


def java_double(value: float) -> str:
    """Java's ``Double.toString`` (shortest digits, as JDK 19+ prints them)."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "-0.0" if math.copysign(1.0, value) < 0 else "0.0"
    if 1e-3 <= abs(value) < 1e7:
        text = repr(value)
        return text if "." in text else text + ".0"
    sign = "-" if value < 0 else ""
    mantissa, exponent = _scientific(repr(abs(value)))
    return f"{sign}{mantissa}E{exponent}"


def _scientific(text: str) -> tuple[str, int]:
    """Python's shortest ``repr`` of a positive float as ``d.ddd`` and an exponent."""
    mantissa, _, exp_text = text.partition("e")
    int_part, _, frac_part = mantissa.partition(".")
    digits = int_part + frac_part
    exponent = int(exp_text or "0") + len(int_part) - 1
    stripped = digits.lstrip("0")
    exponent -= len(digits) - len(stripped)
    digits = stripped.rstrip("0") or "0"
    return digits[0] + "." + (digits[1:] or "0"), exponent
