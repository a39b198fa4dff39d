"""What kind of thing may be typed at the cursor: ``suggest(text_before_cursor)``.

The first of the completer's two steps (pgcli's shape): pure, no I/O, never raises.
The text is cut to the statement being typed (after the last top-level ``;``) and
tokenized with esqlsh's own tokenizer, whose lexer modes already tell an index
pattern from a field pattern or a policy name. The word at the cursor becomes the
``prefix`` of every suggestion (the text a candidate replaces); the tokens before it
are split at ``|`` into commands, and the command being typed picks the
suggestions from its clause and its last token, one small function per command.

Fields are described, not listed: a ``Field`` suggestion carries a ``FieldScope``
(the FROM patterns and what each completed command did to the columns: EVAL added
``x``, STATS replaced them, KEEP kept ``a*`` …), built by parsing each completed
command with esqlsh's parser (a light token scan when it does not parse). The
matchers turn a scope into names with the clusters' cached metadata.
"""

from __future__ import annotations

import functools
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from esqlsh.analysis.types import CAST_NAMES, DataType
from esqlsh.syntax import ast
from esqlsh.syntax.parser import (
    _METADATA_FIELDS,  # the parser's own table of METADATA fields
    _TEMPORAL_UNITS,  # and of time-span units
    _UNSUPPORTED_COMMANDS,
    FIRST_PROCESSING_COMMAND,
    FIRST_SOURCE_COMMAND,
    parse,
)
from esqlsh.syntax.tokenizer import tokenize
from esqlsh.syntax.tokens import COMMANDS, EXPRESSION_KEYWORDS, T, Token

__all__ = [
    "AddFields",
    "AddLookupFields",
    "AddPolicyFields",
    "Cluster",
    "Command",
    "DropFields",
    "Field",
    "FieldScope",
    "FilePath",
    "Format",
    "Function",
    "Index",
    "KeepFields",
    "Keyword",
    "LookupIndex",
    "META_COMMANDS",
    "MetaCommand",
    "NewField",
    "Policy",
    "PolicyField",
    "RenameFields",
    "ReplaceFields",
    "Source",
    "Step",
    "Suggestion",
    "suggest",
    "suggest_strict",
]

# ------------------------------------------------------------------ field scopes


@dataclass(frozen=True)
class Source:
    """One FROM pattern: ``index`` keeps a leading ``-`` (exclusion); ``cluster`` is
    the alias pattern before ``:`` (``None`` on the local cluster)."""

    index: str
    cluster: str | None = None


@dataclass(frozen=True)
class NewField:
    """A column a command makes. ``type`` when the expression tells it; ``copy_of``
    names the column whose type it has (``BY host``, ``EVAL y = x``)."""

    name: str
    type: DataType | None = None
    copy_of: str | None = None
    expr: ast.Expr | None = None  # typed once the input columns' types are known

    def type_given(self, column_type: Callable[[str], str | None]) -> str:
        """Its type name given the input columns' (``""`` when unknown)."""
        if self.type is not None:
            return self.type.value
        if self.copy_of is not None:
            return column_type(self.copy_of) or ""
        if self.expr is not None:
            inferred = infer_type(self.expr, column_type)
            return inferred.value if inferred is not None else ""
        return ""


@dataclass(frozen=True)
class AddFields:
    """EVAL, DISSECT, GROK, ROW, METADATA, ENRICH … WITH, INLINE STATS: columns
    added (replacing any of the same name)."""

    fields: tuple[NewField, ...]
    origin: str = ""


@dataclass(frozen=True)
class ReplaceFields:
    """STATS: the columns are now exactly these."""

    fields: tuple[NewField, ...]


@dataclass(frozen=True)
class KeepFields:
    patterns: tuple[str, ...]


@dataclass(frozen=True)
class DropFields:
    patterns: tuple[str, ...]


@dataclass(frozen=True)
class RenameFields:
    pairs: tuple[tuple[str, str], ...]  # (old, new)


@dataclass(frozen=True)
class AddPolicyFields:
    """ENRICH: the policy's enrich fields (``renames`` empty) or the ``WITH`` ones
    as ``(new name, policy field)``."""

    policy: str
    mode: str | None = None
    renames: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class AddLookupFields:
    """LOOKUP JOIN: the lookup index's fields."""

    index: str


Step = (
    AddFields
    | ReplaceFields
    | KeepFields
    | DropFields
    | RenameFields
    | AddPolicyFields
    | AddLookupFields
)


@dataclass(frozen=True)
class FieldScope:
    """The columns at a point of a query: those of ``sources`` (none: a query
    without FROM) after ``steps``."""

    sources: tuple[Source, ...] = ()
    steps: tuple[Step, ...] = ()

    def __hash__(self) -> int:
        # computed once: scopes key the matchers' memo on every keystroke
        cached: int | None = self.__dict__.get("_hash")
        if cached is None:
            cached = hash((self.sources, self.steps))
            object.__setattr__(self, "_hash", cached)
        return cached

    def then(self, *steps: Step) -> FieldScope:
        return FieldScope(self.sources, (*self.steps, *steps))

    def clusters(self) -> tuple[str, ...]:
        """The cluster alias patterns FROM names (``""`` for the local cluster)."""
        return tuple(dict.fromkeys(s.cluster or "" for s in self.sources))


# ------------------------------------------------------------------ suggestions


@dataclass(frozen=True)
class Command:
    """A command name: a source command (``FROM``, ``ROW``, ``SHOW INFO``) when
    ``source``, else a processing command (after ``|``)."""

    prefix: str
    source: bool


@dataclass(frozen=True)
class Keyword:
    """Fixed words. ``verbatim`` words keep their case (types, ``_remote:``);
    others follow the completer's keyword casing."""

    prefix: str
    words: tuple[str, ...]
    verbatim: bool = False


@dataclass(frozen=True)
class Function:
    """Function names of the registry kinds ``kinds`` (scalar, aggregate, grouping)."""

    prefix: str
    kinds: frozenset[str]


@dataclass(frozen=True)
class Field:
    """A column of ``scope``. A ``prefix`` starting with a backquote is a quoted name."""

    prefix: str
    scope: FieldScope


@dataclass(frozen=True)
class Cluster:
    """A remote cluster alias (and ``*``); ``colon`` adds the ``:`` of ``alias:index``."""

    prefix: str
    colon: bool = True


@dataclass(frozen=True)
class Index:
    """An index (or index alias) on ``cluster`` (an alias pattern, ``None`` for the
    local cluster)."""

    prefix: str
    cluster: str | None = None


@dataclass(frozen=True)
class Policy:
    """An enrich policy; ``mode`` is the ``_any``/``_coordinator``/``_remote`` written
    before it, ``clusters`` the alias patterns of the query's FROM."""

    prefix: str
    mode: str | None = None
    clusters: tuple[str, ...] = ()


@dataclass(frozen=True)
class PolicyField:
    """An enrich field of ``policy`` (after ``WITH``)."""

    prefix: str
    policy: str
    mode: str | None = None


@dataclass(frozen=True)
class LookupIndex:
    """An index in ``lookup`` mode on the local cluster (after ``LOOKUP JOIN``)."""

    prefix: str


@dataclass(frozen=True)
class MetaCommand:
    """A REPL meta command (``prefix`` includes the backslash)."""

    prefix: str


@dataclass(frozen=True)
class Format:
    """An output format name (after ``\\format``)."""

    prefix: str


@dataclass(frozen=True)
class FilePath:
    """A file name (after ``\\i`` and ``\\o``)."""

    prefix: str


Suggestion = (
    Command
    | Keyword
    | Function
    | Field
    | Cluster
    | Index
    | Policy
    | PolicyField
    | LookupIndex
    | MetaCommand
    | Format
    | FilePath
)

# The REPL's meta commands and what each does (shown next to the candidate).
META_COMMANDS: dict[str, str] = {
    "\\clusters": "list clusters and their status",
    "\\indices": "list indices [pattern]",
    "\\describe": "fields of an index",
    "\\policies": "list enrich policies",
    "\\functions": "list functions [pattern]",
    "\\help": "help on a command or function",
    "\\format": "set the output format",
    "\\timing": "toggle query timing",
    "\\explain": "show how a query is split across clusters",
    "\\o": "tee results to a file",
    "\\i": "run queries from a file",
    "\\e": "edit the query in $EDITOR",
    "\\refresh": "reload cluster metadata",
    "\\chart": "chart a numeric column of the last result",
    "\\q": "quit",
}

SCALAR = frozenset({"scalar"})
AGGREGATE = frozenset({"aggregate", "scalar"})
GROUPING = frozenset({"grouping", "scalar"})
ALL_FUNCTIONS = frozenset({"scalar", "aggregate", "grouping"})

ENRICH_MODES = ("_any:", "_coordinator:", "_remote:")
_OPERATOR_WORDS = ("AND", "OR", "NOT", "IN", "IS NULL", "IS NOT NULL", "LIKE", "RLIKE")
_SORT_WORDS = ("ASC", "DESC", "NULLS FIRST", "NULLS LAST")
_CAST_TYPES = tuple(sorted(CAST_NAMES))
# time-span units spelled out (the parser also takes `d`, `h`, `ms` …)
_TIME_UNITS = tuple(u for u in _TEMPORAL_UNITS if len(u) > 2 and u not in ("sec", "min"))
_METADATA = tuple(sorted(_METADATA_FIELDS))

_WORD = frozenset(
    {
        T.UNQUOTED_IDENTIFIER,
        T.QUOTED_IDENTIFIER,
        T.UNQUOTED_SOURCE,
        T.ID_PATTERN,
        T.ENRICH_POLICY_NAME,
        T.UNKNOWN_CMD,
        T.SETTING,
        T.METADATA,
        T.JOIN,
        T.AS,
        T.USING,
        T.INFO,
        *(t for t, _ in COMMANDS.values()),
        *EXPRESSION_KEYWORDS.values(),
    }
)
_NAME_PARTS = frozenset({T.UNQUOTED_IDENTIFIER, T.QUOTED_IDENTIFIER, T.ID_PATTERN})
_VALUE_END = frozenset(
    {
        T.UNQUOTED_IDENTIFIER,
        T.QUOTED_IDENTIFIER,
        T.QUOTED_STRING,
        T.INTEGER_LITERAL,
        T.DECIMAL_LITERAL,
        T.RP,
        T.CLOSING_BRACKET,
        T.PARAM,
        T.NAMED_OR_POSITIONAL_PARAM,
        T.TRUE,
        T.FALSE,
        T.NULL,
    }
)
_OPENERS = frozenset({T.LP, T.OPENING_BRACKET})
_CLOSERS = frozenset({T.RP, T.CLOSING_BRACKET})


def _command_words(first: frozenset[T]) -> tuple[str, ...]:
    """Command names of a first set as users type them (``LOOKUP JOIN``)."""
    spelled = {T.JOIN_LOOKUP: "LOOKUP JOIN", T.SHOW: "SHOW INFO", T.DEV_INLINE: "INLINE STATS"}
    names = [
        spelled.get(t, word.upper())
        for word, (t, _) in COMMANDS.items()
        if t in first and t not in _UNSUPPORTED_COMMANDS
    ]
    return tuple(sorted(names))


SOURCE_COMMANDS = _command_words(FIRST_SOURCE_COMMAND)
PROCESSING_COMMANDS = _command_words(FIRST_PROCESSING_COMMAND)


# ----------------------------------------------------------------- entry point


def suggest(text_before_cursor: str) -> list[Suggestion]:
    """What may be typed at the end of ``text_before_cursor``. Never raises: a
    text it cannot make sense of suggests nothing."""
    try:
        return suggest_strict(text_before_cursor)
    except Exception:  # a completer must never break typing
        return []


def suggest_strict(text: str) -> list[Suggestion]:
    """``suggest`` letting errors out (for tests: a prefix that raises is a bug)."""
    stripped = text.lstrip()
    if stripped.startswith("\\"):
        return _meta(stripped)
    start, inside = _statement(text)
    if inside:
        return []  # in a string or a comment
    return _query(text[start:])


def _query(text: str) -> list[Suggestion]:
    tokens = _tokens(text)
    ended = _end_of_tokens(tokens, len(text))
    if ended is None:
        return []
    before, prefix = ended
    return _Context(text, before, prefix).suggestions()


# ------------------------------------------------------------------ tokens

# Texts up to the end of a top-level ``|`` (where the lexer is back in command
# mode) → their tokens: typing re-lexes only the command being typed.
_STABLE: OrderedDict[str, list[Token]] = OrderedDict()
_STABLE_SIZE = 32
_STABLE_LOCK = threading.Lock()


def _tokens(text: str) -> list[Token]:
    """``tokenize(text)``, resuming after the longest known stable prefix."""
    with _STABLE_LOCK:
        known = max((k for k in _STABLE if text.startswith(k)), key=len, default="")
        head = _STABLE[known] if known else []
    tail = tokenize(text[len(known) :])
    if known:
        shift = len(known)
        tail = [Token(t.type, t.text, t.line, t.col, t.start + shift, t.end + shift) for t in tail]
    tokens = head + tail
    stable = _stable_end(tokens, len(head))
    if stable is not None and stable > len(known):
        with _STABLE_LOCK:
            _STABLE[text[:stable]] = tokens[: _count_upto(tokens, stable)]
            while len(_STABLE) > _STABLE_SIZE:
                _STABLE.popitem(last=False)
    return tokens


def _stable_end(tokens: list[Token], start: int) -> int | None:
    """End offset of the last ``|`` at nesting depth 0 (before any FORK, whose
    branches nest commands), or None."""
    depth, end = 0, None
    for t in tokens[start:]:
        if t.type in _OPENERS:
            depth += 1
        elif t.type in _CLOSERS:
            depth = max(0, depth - 1)
        elif t.type == T.FORK or t.type == T.ERROR:
            return end
        elif t.type == T.PIPE and depth == 0:
            end = t.end
    return end


def _count_upto(tokens: list[Token], end: int) -> int:
    return next(i for i, t in enumerate(tokens) if t.end == end and t.type == T.PIPE) + 1


# ------------------------------------------------------------ the text at the end

_STATE_RE = re.compile(r'"""|"|`|//|/\*|;')


def _statement(text: str) -> tuple[int, bool]:
    """Where the statement at the end of ``text`` starts (after the last top-level
    ``;``) and whether the end is inside a string or a comment."""
    start, pos, n = 0, 0, len(text)
    while True:
        m = _STATE_RE.search(text, pos)
        if m is None:
            return start, False
        what, pos = m.group(), m.end()
        if what == ";":
            start = pos
            continue
        end = _closing(text, what, pos)
        if end is None:
            return start, what != "`"  # an open backquote is a name being typed
        pos = end
        if pos >= n:
            return start, False


def _closing(text: str, opener: str, pos: int) -> int | None:
    """End of the string, quoted name or comment opened just before ``pos``."""
    if opener == "//":
        end = text.find("\n", pos)
        return None if end < 0 else end + 1
    if opener == "/*":
        end = text.find("*/", pos)
        return None if end < 0 else end + 2
    if opener == '"""':
        end = text.find('"""', pos)
        return None if end < 0 else end + 3
    if opener == "`":
        end = text.find("`", pos)
        return None if end < 0 else end + 1
    i = pos
    while i < len(text):
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == '"':
            return i + 1
        if c in "\r\n":
            return i  # ES ends an unterminated string at the line
        i += 1
    return None


def _end_of_tokens(tokens: list[Token], n: int) -> tuple[list[Token], str] | None:
    """The tokens before the word at the cursor, and that word (``""`` after a
    space or punctuation); None when the text cannot be completed."""
    if tokens and tokens[-1].type == T.EOF:
        tokens = tokens[:-1]
    if not tokens:
        return [], ""
    last = tokens[-1]
    if last.type == T.ERROR:
        return _after_error(tokens, n)
    if last.end < n:
        return tokens, ""
    if last.type == T.DOT or last.type in _NAME_PARTS:
        return _dotted(tokens)
    if last.type in _WORD:
        return tokens[:-1], last.text
    return tokens, ""


def _after_error(tokens: list[Token], n: int) -> tuple[list[Token], str] | None:
    """A lexer error at the cursor: a word the lexer cannot end yet (``_``, an open
    backquote, ``_remote:``, ``INLINE ST``) is a prefix; anything else is not."""
    error = tokens[-1]
    if error.end < n:
        return None
    if re.fullmatch(r"[_@]|`[^`]*|[A-Za-z_@][\w]*", error.text):
        return tokens[:-1], error.text
    if error.text == ":" and len(tokens) > 1 and tokens[-2].type == T.ENRICH_POLICY_NAME:
        return tokens[:-2], tokens[-2].text + ":"
    return None


def _dotted(tokens: list[Token]) -> tuple[list[Token], str]:
    """A dotted name at the cursor (``user.``, ``user.i``) is one prefix."""
    i = len(tokens) - 1
    while i > 0 and tokens[i - 1].end == tokens[i].start:
        prev, cur = tokens[i - 1].type, tokens[i].type
        if not ((prev == T.DOT and cur in _NAME_PARTS) or (prev in _NAME_PARTS and cur == T.DOT)):
            break
        i -= 1
    if tokens[i].type == T.DOT:
        i += 1
        if i == len(tokens):
            return tokens, ""
    return tokens[:i], "".join(t.text for t in tokens[i:])


# ---------------------------------------------------------------- the context


class _Context:
    """The command being typed and what came before it."""

    def __init__(self, text: str, before: list[Token], prefix: str):
        self.text = text
        self.prefix = prefix
        self.before = before
        # ``_statement`` cut the text at the last ``;``: every boundary is a ``|``
        last = _last_pipe(before)
        self.first = last < 0
        self.boundary = last
        self.segment = before[last + 1 :]

    def suggestions(self) -> list[Suggestion]:
        if not self.segment:
            return [Command(self.prefix, self.first)]
        handler = _HANDLERS.get(self.segment[0].type)
        if handler is None:
            return []
        return handler(self, self.segment[1:])

    @functools.cached_property
    def scope(self) -> FieldScope:
        """The columns before this command: those of the completed commands of
        this query (computed once per distinct text before the ``|``)."""
        if self.first:
            return FieldScope()
        return _scope_of_text(self.text[: self.before[self.boundary].start])

    def field(self, scope: FieldScope | None = None) -> Field:
        return Field(self.prefix, scope if scope is not None else self.scope)

    def keywords(self, *words: str, verbatim: bool = False) -> Keyword:
        return Keyword(self.prefix, words, verbatim)


def _last_pipe(tokens: list[Token]) -> int:
    """Index of the last ``|`` (-1: none)."""
    for i in range(len(tokens) - 1, -1, -1):
        if tokens[i].type == T.PIPE:
            return i
    return -1


@functools.lru_cache(maxsize=64)
def _scope_of_text(text: str) -> FieldScope:
    """The scope after a text of complete commands (``FROM a | EVAL x = 1``)."""
    tokens = [t for t in _tokens(text) if t.type != T.EOF]
    pipes = [i for i, t in enumerate(tokens) if t.type == T.PIPE]
    segments, begin = [], 0
    for pipe in [*pipes, len(tokens)]:
        if begin < pipe:
            stop = tokens[pipe].start if pipe < len(tokens) else len(text)
            segments.append(text[tokens[begin].start : stop])
        begin = pipe + 1
    return _scope(tuple(segments))


Handler = Callable[[_Context, list[Token]], list[Suggestion]]


# ------------------------------------------------------------ source commands


def _from(ctx: _Context, args: list[Token]) -> list[Suggestion]:
    prefix = ctx.prefix
    if any(t.type == T.METADATA for t in args):
        if args[-1].type in (T.METADATA, T.COMMA):
            return [ctx.keywords(*_METADATA, verbatim=True)]
        return []
    prev = args[-1] if args else None
    if prev is not None and prev.type == T.COLON:
        named = len(args) > 1 and args[-2].type == T.UNQUOTED_SOURCE
        cluster = args[-2].text.lstrip("-") if named else ""
        return [Index(prefix.lstrip("-"), cluster or "*")]
    if prev is None or prev.type == T.COMMA:
        bare = prefix.lstrip("-")
        return [Cluster(bare), Index(bare, None)]
    if prev.type in (T.UNQUOTED_SOURCE, T.QUOTED_STRING):
        return [ctx.keywords("METADATA")]
    return []


def _show(ctx: _Context, args: list[Token]) -> list[Suggestion]:
    return [ctx.keywords("INFO")] if not args else []


def _nothing(ctx: _Context, args: list[Token]) -> list[Suggestion]:
    return []


# --------------------------------------------------------------- expressions


@dataclass
class _Clause:
    """Where in an expression command the cursor is: nesting depth, the innermost
    open call, whether ``BY`` or an aggregate's ``WHERE`` came at depth 0."""

    depth: int = 0
    calls: tuple[str | None, ...] = ()
    by: bool = False
    agg_filter: bool = False
    assigned: tuple[str, ...] = ()  # names assigned by earlier items (EVAL a = 1, …)


def _clause(args: list[Token]) -> _Clause:
    clause = _Clause()
    calls: list[str | None] = []
    item_start = 0
    for i, t in enumerate(args):
        if t.type in _OPENERS:
            before = args[i - 1] if i else None
            is_call = t.type == T.LP and before is not None and before.type in _NAME_PARTS
            calls.append(before.text if is_call and before else None)
        elif t.type in _CLOSERS:
            if calls:
                calls.pop()
        elif calls:
            continue
        elif t.type == T.BY:
            clause.by, clause.agg_filter = True, False
        elif t.type == T.WHERE:
            clause.agg_filter = True
        elif t.type == T.COMMA:
            clause.agg_filter = False
            name = _assigned_name(args[item_start:i])
            if name is not None:
                clause.assigned += (name,)
            item_start = i + 1
    clause.depth, clause.calls = len(calls), tuple(calls)
    return clause


def _assigned_name(item: list[Token]) -> str | None:
    if len(item) > 2 and item[1].type == T.ASSIGN and item[0].type in _NAME_PARTS:
        return _unquote(item[0].text)
    return None


def _unquote(name: str) -> str:
    if name.startswith("`") and name.endswith("`") and len(name) > 1:
        return name[1:-1].replace("``", "`")
    return name


def _expression(
    ctx: _Context,
    args: list[Token],
    *,
    command: T,
    scope: FieldScope | None = None,
) -> list[Suggestion]:
    """Suggestions inside an expression command (WHERE, EVAL, STATS, SORT …)."""
    prev = args[-1] if args else None
    clause = _clause(args)
    if prev is not None and prev.type == T.CAST_OP:
        return [ctx.keywords(*_CAST_TYPES, verbatim=True)]
    if prev is not None and prev.type in _VALUE_END:
        return _after_value(ctx, prev, clause, command)
    if prev is not None and prev.type in (T.NULLS, T.IS, T.NOT, T.ASC, T.DESC, T.LIKE, T.RLIKE):
        words = _after_word(prev, args, command)
        if words is not None:
            return [ctx.keywords(*words)] if words else []
    return _value(ctx, clause, command, scope)


def _after_word(prev: Token, args: list[Token], command: T) -> tuple[str, ...] | None:
    """Words that must follow a keyword, or None when a value follows."""
    if prev.type == T.NULLS:
        return ("FIRST", "LAST")
    if prev.type == T.IS:
        return ("NULL", "NOT NULL")
    if prev.type == T.NOT and len(args) > 1 and args[-2].type == T.IS:
        return ("NULL",)
    if prev.type in (T.ASC, T.DESC):
        return ("NULLS FIRST", "NULLS LAST")
    if prev.type in (T.LIKE, T.RLIKE):
        return ()  # a pattern string
    return None


def _after_value(ctx: _Context, prev: Token, clause: _Clause, command: T) -> list[Suggestion]:
    """After a complete value: operators and the command's clause words."""
    if command in (T.ROW, T.DEV_SET):
        return []
    words: tuple[str, ...] = _OPERATOR_WORDS
    if clause.depth == 0:
        if command in (T.STATS, T.DEV_INLINE_STATS) and not clause.by:
            words += ("BY",) if clause.agg_filter else ("BY", "WHERE")
        elif command == T.SORT:
            words += _SORT_WORDS
        elif command == T.DISSECT and prev.type == T.QUOTED_STRING:
            words = ("APPEND_SEPARATOR",)
    out: list[Suggestion] = [ctx.keywords(*words)]
    if prev.type == T.INTEGER_LITERAL:  # `1 day`: a time span
        out.append(ctx.keywords(*_TIME_UNITS, verbatim=True))
    return out


def _value(
    ctx: _Context, clause: _Clause, command: T, scope: FieldScope | None
) -> list[Suggestion]:
    """A value goes here: a column or a function call."""
    base = scope if scope is not None else ctx.scope
    if clause.assigned and command in (T.EVAL, T.DEV_INLINE_STATS):
        base = base.then(AddFields(tuple(NewField(n) for n in clause.assigned), "EVAL"))
    kinds = _function_kinds(clause, command)
    out: list[Suggestion] = [Field(ctx.prefix, base)]
    if kinds:
        out.append(Function(ctx.prefix, kinds))
    return out


def _function_kinds(clause: _Clause, command: T) -> frozenset[str]:
    if command in (T.STATS, T.DEV_INLINE_STATS):
        if clause.by:
            return GROUPING
        if clause.agg_filter:
            return SCALAR
        if clause.depth and _is_aggregate(clause.calls[0]):
            return SCALAR  # inside an aggregation: no nested aggregations
        return AGGREGATE
    if command in (T.MV_EXPAND, T.JOIN_LOOKUP):
        return frozenset()
    return SCALAR


def _is_aggregate(name: str | None) -> bool:
    if name is None:
        return False
    from esqlsh.analysis.registry import lookup

    fn = lookup(name)
    return fn is not None and fn.kind == "aggregate"


def _expression_handler(command: T) -> Handler:
    def handle(ctx: _Context, args: list[Token]) -> list[Suggestion]:
        if not args and command in (T.STATS, T.DEV_INLINE_STATS):
            return [Function(ctx.prefix, AGGREGATE), ctx.keywords("BY")]
        if not args and command == T.ROW:
            return []  # a new column's name
        return _expression(ctx, args, command=command)

    return handle


def _stats(ctx: _Context, args: list[Token]) -> list[Suggestion]:
    return _expression_handler(T.STATS)(ctx, args)


def _inline(ctx: _Context, args: list[Token]) -> list[Suggestion]:
    if not args or args[0].type != T.DEV_INLINE_STATS:
        return [ctx.keywords("STATS")] if not args else []
    return _expression_handler(T.DEV_INLINE_STATS)(ctx, args[1:])


def _dissect_grok(ctx: _Context, args: list[Token]) -> list[Suggestion]:
    if not args:
        return [ctx.field()]
    command = T.DISSECT if ctx.segment[0].type == T.DISSECT else T.GROK
    if any(t.type == T.QUOTED_STRING for t in args):
        if command == T.DISSECT and args[-1].type == T.QUOTED_STRING:
            return [ctx.keywords("APPEND_SEPARATOR")]
        return []
    if args[-1].type in _VALUE_END and _clause(args).depth == 0:
        return []  # the operand is complete: a pattern string follows
    return _expression(ctx, args, command=command)


def _limit(ctx: _Context, args: list[Token]) -> list[Suggestion]:
    return []


# ---------------------------------------------------------- names and patterns


def _keep_drop(ctx: _Context, args: list[Token]) -> list[Suggestion]:
    if not args or args[-1].type == T.COMMA:
        return [ctx.field()]
    return []


def _rename(ctx: _Context, args: list[Token]) -> list[Suggestion]:
    item = _last_item(args)
    if not item or (len(item) == 2 and item[-1].type == T.ASSIGN):
        return [ctx.field()]
    if len(item) == 1 and item[0].type == T.ID_PATTERN:
        return [ctx.keywords("AS")]
    return []


def _last_item(args: list[Token]) -> list[Token]:
    commas = [i for i, t in enumerate(args) if t.type == T.COMMA]
    return args[commas[-1] + 1 :] if commas else args


def _mv_expand(ctx: _Context, args: list[Token]) -> list[Suggestion]:
    return [ctx.field()] if not args else []


# -------------------------------------------------------------------- ENRICH


def _enrich(ctx: _Context, args: list[Token]) -> list[Suggestion]:
    if not args:
        return _policy_name(ctx)
    policy, mode = _policy_and_mode(args[0].text)
    rest = args[1:]
    keywords = [t.type for t in rest if t.type in (T.ON, T.WITH)]
    if not keywords:
        return [ctx.keywords("ON", "WITH")] if not rest else []
    if keywords[-1] == T.ON:
        if rest[-1].type == T.ON:
            return [ctx.field()]
        return [ctx.keywords("WITH")] if rest[-1].type == T.ID_PATTERN else []
    if rest[-1].type in (T.WITH, T.COMMA, T.ASSIGN):
        return [PolicyField(ctx.prefix, policy, mode)]
    return []


def _policy_name(ctx: _Context) -> list[Suggestion]:
    clusters = ctx.scope.clusters()
    if ":" in ctx.prefix:
        mode, _, name = ctx.prefix.partition(":")
        return [Policy(name, mode.lower(), clusters)]
    return [ctx.keywords(*ENRICH_MODES, verbatim=True), Policy(ctx.prefix, None, clusters)]


def _policy_and_mode(text: str) -> tuple[str, str | None]:
    mode, sep, name = text.partition(":")
    return (name, mode.lower()) if sep else (text, None)


# --------------------------------------------------------------- LOOKUP JOIN


def _lookup(ctx: _Context, args: list[Token]) -> list[Suggestion]:
    if not args:
        return [ctx.keywords("JOIN")]
    if args[0].type != T.JOIN:
        return []
    rest = args[1:]
    if not rest:
        return [LookupIndex(ctx.prefix)]
    on = next((i for i, t in enumerate(rest) if t.type == T.ON), None)
    if on is None:
        return [ctx.keywords("ON")] if rest[-1].type == T.UNQUOTED_SOURCE else []
    index = rest[0].text if rest[0].type == T.UNQUOTED_SOURCE else ""
    scope = ctx.scope.then(AddLookupFields(index)) if index else ctx.scope
    condition = rest[on + 1 :]
    if condition and condition[-1].type in _NAME_PARTS:
        return [ctx.keywords("AND")] if _is_expression_join(condition) else []
    return _expression(ctx, condition, command=T.JOIN_LOOKUP, scope=scope)


def _is_expression_join(condition: list[Token]) -> bool:
    return any(t.type in (T.EQ, T.NEQ, T.LT, T.LTE, T.GT, T.GTE) for t in condition)


# --------------------------------------------------------------------- table

_HANDLERS: dict[T, Handler] = {
    T.FROM: _from,
    T.ROW: _expression_handler(T.ROW),
    T.SHOW: _show,
    T.WHERE: _expression_handler(T.WHERE),
    T.EVAL: _expression_handler(T.EVAL),
    T.STATS: _stats,
    T.DEV_INLINE: _inline,
    T.SORT: _expression_handler(T.SORT),
    T.LIMIT: _limit,
    T.SAMPLE: _limit,
    T.KEEP: _keep_drop,
    T.DROP: _keep_drop,
    T.RENAME: _rename,
    T.DISSECT: _dissect_grok,
    T.GROK: _dissect_grok,
    T.ENRICH: _enrich,
    T.MV_EXPAND: _mv_expand,
    T.JOIN_LOOKUP: _lookup,
    T.DEV_SET: _nothing,
}


# -------------------------------------------------------------- meta commands

_META_LINE = re.compile(r"\\(\S*)(?:(\s+)(.*))?\Z", re.DOTALL)


def _meta(text: str) -> list[Suggestion]:
    m = _META_LINE.match(text)
    if m is None:
        return []
    name = "\\" + m.group(1)
    if m.group(2) is None:
        return [MetaCommand(name)]
    argument = m.group(3) or ""
    handler = _META_ARGUMENTS.get(name.lower())
    return handler(argument) if handler else []


def _last_word(argument: str) -> str | None:
    """The argument's only word so far (None once a second one starts)."""
    parts = argument.split()
    if not parts or argument[-1:].isspace():
        return "" if not parts else None
    return parts[-1] if len(parts) == 1 else None


def _index_argument(argument: str) -> list[Suggestion]:
    word = _last_word(argument)
    if word is None:
        return []
    cluster, sep, index = word.rpartition(":")
    if sep:
        return [Index(index, cluster or "*")]
    return [Cluster(word), Index(word, None)]


def _single(make: Callable[[str], Suggestion]) -> Callable[[str], list[Suggestion]]:
    def handle(argument: str) -> list[Suggestion]:
        word = _last_word(argument)
        return [make(word)] if word is not None else []

    return handle


def _help(argument: str) -> list[Suggestion]:
    word = _last_word(argument)
    if word is None:
        return []
    commands = tuple(sorted({*SOURCE_COMMANDS, *PROCESSING_COMMANDS}))
    return [Keyword(word, commands), Function(word, ALL_FUNCTIONS)]


_META_ARGUMENTS: dict[str, Callable[[str], list[Suggestion]]] = {
    "\\format": _single(Format),
    "\\describe": _index_argument,
    "\\d": _index_argument,
    "\\indices": _index_argument,
    "\\help": _help,
    "\\h": _help,
    "\\?": _help,
    "\\functions": _single(lambda w: Function(w, ALL_FUNCTIONS)),
    "\\df": _single(lambda w: Function(w, ALL_FUNCTIONS)),
    "\\explain": lambda argument: suggest_strict(argument),
    "\\i": lambda argument: [FilePath(argument)],
    "\\include": lambda argument: [FilePath(argument)],
    "\\o": lambda argument: [FilePath(argument)],
    "\\out": lambda argument: [FilePath(argument)],
    "\\timing": _single(lambda w: Keyword(w, ("on", "off"), verbatim=True)),
    "\\refresh": _single(lambda w: Cluster(w, colon=False)),
    "\\policies": _single(lambda w: Cluster(w, colon=False)),
}


# ------------------------------------------------------------ the field scope


@functools.lru_cache(maxsize=256)
def _scope(commands: tuple[str, ...]) -> FieldScope:
    """The scope after the completed ``commands`` (each its own text)."""
    if not commands:
        return FieldScope()
    sources, steps = _source_steps(commands[0])
    all_steps = list(steps)
    for text in commands[1:]:
        all_steps += _processing_steps(text)
    return FieldScope(sources, tuple(all_steps))


@functools.lru_cache(maxsize=1024)
def _source_steps(text: str) -> tuple[tuple[Source, ...], tuple[Step, ...]]:
    try:
        command = parse(text).commands[0]
    except Exception:  # not parseable yet: read the FROM patterns from the tokens
        return _scan_sources(text), ()
    return _command_sources(command), _command_steps(command)


@functools.lru_cache(maxsize=1024)
def _processing_steps(text: str) -> tuple[Step, ...]:
    try:
        query = parse("ROW a = 0 | " + text)
    except Exception:  # not parseable: a light scan of its assignments
        return _scan_steps(text)
    return _command_steps(query.commands[1]) if len(query.commands) > 1 else ()


def _command_sources(command: ast.Command) -> tuple[Source, ...]:
    if not isinstance(command, ast.From):
        return ()
    return tuple(Source(p.index, p.cluster) for p in command.patterns if not p.quoted)


def _scan_sources(text: str) -> tuple[Source, ...]:
    tokens = [t for t in tokenize(text) if t.type not in (T.EOF, T.ERROR)]
    if not tokens or tokens[0].type != T.FROM:
        return ()
    out: list[Source] = []
    cluster: str | None = None
    for t in tokens[1:]:
        if t.type == T.METADATA:
            break
        if t.type == T.UNQUOTED_SOURCE:
            out.append(Source(t.text, cluster))
            cluster = None
        elif t.type == T.COLON and out:
            cluster = out.pop().index
    return tuple(out)


_SHOW_INFO = tuple(NewField(n, DataType.KEYWORD) for n in ("version", "date", "hash"))
_METADATA_TYPES = {
    "_index": DataType.KEYWORD,
    "_id": DataType.KEYWORD,
    "_version": DataType.LONG,
    "_ignored": DataType.KEYWORD,
    "_score": DataType.DOUBLE,
    "_index_mode": DataType.KEYWORD,
}


def _command_steps(command: ast.Command) -> tuple[Step, ...]:
    step = _STEP_OF.get(type(command))
    return step(command) if step else ()


def _from_steps(c: ast.From) -> tuple[Step, ...]:
    if not c.metadata:
        return ()
    fields = tuple(NewField(n, _METADATA_TYPES.get(n)) for n in c.metadata)
    return (AddFields(fields, "METADATA"),)


def _assignments(items: Sequence[ast.Assignment]) -> tuple[NewField, ...]:
    return tuple(_new_field(a) for a in items)


def _new_field(a: ast.Assignment) -> NewField:
    name = a.name if a.name is not None else _column_name(a.expr)
    if isinstance(a.expr, ast.FieldRef):
        return NewField(name, None, a.expr.name)
    known = infer_type(a.expr, lambda _: None)
    return NewField(name, known, None, None if known is not None else a.expr)


def _column_name(expr: ast.Expr) -> str:
    """Elasticsearch names an unnamed column after its text (a field: its name)."""
    return expr.name if isinstance(expr, ast.FieldRef) else expr.source.text


_BOOLEAN_OPS = frozenset({"==", "!=", "<", "<=", ">", ">=", "AND", "OR"})
_LITERAL_TYPES = {
    "integer": DataType.INTEGER,
    "decimal": DataType.DOUBLE,
    "string": DataType.KEYWORD,
    "boolean": DataType.BOOLEAN,
    "null": DataType.NULL,
}


_ARITHMETIC = frozenset({"+", "-", "*", "/", "%"})


def infer_type(expr: ast.Expr, column_type: Callable[[str], str | None]) -> DataType | None:
    """The type of an expression as far as a glance tells (literals, casts,
    conditions, columns of a known type, calls whose return type follows from
    known argument types, arithmetic); None when it takes the analyzer."""
    simple = _simple_type(expr)
    if simple is not None or not isinstance(expr, ast.FieldRef | ast.Call | ast.Binary | ast.Unary):
        return simple
    if isinstance(expr, ast.FieldRef):
        text = column_type(expr.name)
        return DataType(text) if text in _TYPE_NAMES else None
    if isinstance(expr, ast.Unary):
        return infer_type(expr.operand, column_type)
    if isinstance(expr, ast.Binary):
        return _arithmetic_type(expr, column_type)
    return _call_type(expr, column_type)


_TYPE_NAMES = frozenset(t.value for t in DataType)


def _simple_type(expr: ast.Expr) -> DataType | None:
    if isinstance(expr, ast.Literal):
        return _LITERAL_TYPES.get(expr.kind)
    if isinstance(expr, ast.ListLiteral):
        return _simple_type(expr.items[0]) if expr.items else None
    if isinstance(expr, ast.TimeSpan):
        duration = _TEMPORAL_UNITS.get(expr.unit, 0) > 2**31 - 1
        return DataType.TIME_DURATION if duration else DataType.DATE_PERIOD
    if isinstance(expr, ast.Cast):
        return CAST_NAMES.get(expr.type_name.lower())
    if isinstance(expr, ast.IsNull | ast.In | ast.Like | ast.Match):
        return DataType.BOOLEAN
    if isinstance(expr, ast.Binary) and expr.op in _BOOLEAN_OPS:
        return DataType.BOOLEAN
    if isinstance(expr, ast.Unary) and expr.op == "NOT":
        return DataType.BOOLEAN
    if isinstance(expr, ast.Call):
        from esqlsh.analysis.registry import lookup

        fn = lookup(expr.name)
        return fn.returns if fn is not None and isinstance(fn.returns, DataType) else None
    return None


def _arithmetic_type(expr: ast.Binary, column_type: Callable[[str], str | None]) -> DataType | None:
    from esqlsh.analysis.types import DATE, NUMERIC, widest_numeric

    if expr.op not in _ARITHMETIC:
        return None
    left = infer_type(expr.left, column_type)
    right = infer_type(expr.right, column_type)
    if left in NUMERIC and right in NUMERIC:
        assert left is not None and right is not None
        return widest_numeric(left, right)
    for side in (left, right):
        if side in DATE:
            return side  # a date plus or minus a time span
    return None


def _call_type(expr: ast.Call, column_type: Callable[[str], str | None]) -> DataType | None:
    from esqlsh.analysis.registry import lookup

    fn = lookup(expr.name)
    if fn is None:
        return None
    args = [infer_type(a, column_type) for a in expr.args]
    if any(a is None for a in args):
        return None
    try:
        return fn.return_type([a for a in args if a is not None])
    except Exception:  # a rule that cannot type these arguments: leave it unknown
        return None


def _stats_fields(c: ast.Stats | ast.InlineStats) -> tuple[NewField, ...]:
    return tuple(_new_field(item.assignment) for item in c.aggs)


def _groups(c: ast.Stats | ast.InlineStats) -> tuple[NewField, ...]:
    return _assignments(c.groups)


def _dissect_fields(c: ast.Dissect) -> tuple[Step, ...]:
    from esqlsh.analysis.dissect import parse_dissect

    try:
        keys = parse_dissect(c.pattern).output_keys
    except ValueError:
        return ()
    return (AddFields(tuple(NewField(k, DataType.KEYWORD) for k in keys), "DISSECT"),)


def _grok_fields(c: ast.Grok) -> tuple[Step, ...]:
    from esqlsh.analysis.grok import compile_grok

    fields: dict[str, NewField] = {}
    for pattern in c.patterns:
        try:
            spec = compile_grok(pattern)
        except ValueError:
            continue
        for attribute in spec.fields:
            fields.setdefault(attribute.name, NewField(attribute.name, attribute.type))
    return (AddFields(tuple(fields.values()), "GROK"),) if fields else ()


def _enrich_steps(c: ast.Enrich) -> tuple[Step, ...]:
    renames = tuple((f.name or f.field, f.field) for f in c.with_fields)
    mode = c.mode.lower() if c.mode else None
    return (AddPolicyFields(c.policy, mode, renames),)


def _row_steps(c: ast.Row) -> tuple[Step, ...]:
    return (AddFields(_assignments(c.fields), "ROW"),)


def _show_steps(c: ast.ShowInfo) -> tuple[Step, ...]:
    return (AddFields(_SHOW_INFO, "SHOW"),)


def _eval_steps(c: ast.Eval) -> tuple[Step, ...]:
    return (AddFields(_assignments(c.fields), "EVAL"),)


def _stats_steps(c: ast.Stats) -> tuple[Step, ...]:
    return (ReplaceFields(_stats_fields(c) + _groups(c)),)


def _inline_stats_steps(c: ast.InlineStats) -> tuple[Step, ...]:
    return (AddFields(_stats_fields(c) + _groups(c), "INLINE STATS"),)


def _keep_steps(c: ast.Keep) -> tuple[Step, ...]:
    return (KeepFields(c.patterns),)


def _drop_steps(c: ast.Drop) -> tuple[Step, ...]:
    return (DropFields(c.patterns),)


def _rename_steps(c: ast.Rename) -> tuple[Step, ...]:
    return (RenameFields(tuple((i.old, i.new) for i in c.items)),)


def _lookup_steps(c: ast.LookupJoin) -> tuple[Step, ...]:
    return (AddLookupFields(c.index),)


# command type → what it does to the columns (commands absent here keep them)
_STEP_OF: dict[type, Callable[[Any], tuple[Step, ...]]] = {
    ast.From: _from_steps,
    ast.Row: _row_steps,
    ast.ShowInfo: _show_steps,
    ast.Eval: _eval_steps,
    ast.Stats: _stats_steps,
    ast.InlineStats: _inline_stats_steps,
    ast.Keep: _keep_steps,
    ast.Drop: _drop_steps,
    ast.Rename: _rename_steps,
    ast.Dissect: _dissect_fields,
    ast.Grok: _grok_fields,
    ast.Enrich: _enrich_steps,
    ast.LookupJoin: _lookup_steps,
}


def _scan_steps(text: str) -> tuple[Step, ...]:
    """A command that does not parse yet: EVAL's ``name =`` items still count."""
    tokens = [t for t in tokenize(text) if t.type not in (T.EOF, T.ERROR)]
    if not tokens or tokens[0].type != T.EVAL:
        return ()
    clause = _clause([*tokens[1:], Token(T.COMMA, ",", 1, 1, len(text), len(text))])
    if not clause.assigned:
        return ()
    return (AddFields(tuple(NewField(n) for n in clause.assigned), "EVAL"),)
