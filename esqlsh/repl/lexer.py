"""A pygments lexer for ES|QL (``pygmentize -l esql``, the REPL's highlighting).

Like esqlsh's tokenizer (``syntax/tokenizer.py``), the lexer is modal: a command
keyword switches to the state that lexes its arguments (``FROM`` index patterns,
``KEEP`` name patterns, ``ENRICH`` policy names, expressions) and ``|`` returns to
command position. Command and keyword spellings come from ``syntax/tokens.py``,
time-span units from the parser, and function names from the function registry
(read once, on first use, so that importing the lexer stays cheap).

In ``FROM`` and ``LOOKUP JOIN`` a ``cluster:index`` pattern is styled in parts: the
cluster alias (``Name.Namespace``), the ``:`` (``Punctuation``), the index
(``Name.Class``), an exclusion ``-`` and ``*`` wildcards (``Operator``).
A line starting with ``\\`` is a REPL meta command (``Keyword.Pseudo``); the
argument of ``\\explain`` is lexed as a query.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

from pygments.lexer import Lexer, RegexLexer, bygroups, default, include, words
from pygments.token import (
    Comment,
    Error,
    Keyword,
    Name,
    Number,
    Operator,
    Punctuation,
    String,
    Whitespace,
    _TokenType,
)

from esqlsh.analysis.types import CAST_NAMES
from esqlsh.syntax.parser import _TEMPORAL_UNITS  # the parser's own unit table
from esqlsh.syntax.tokens import COMMANDS, EXPRESSION_KEYWORDS

__all__ = ["EsqlLexer", "function_names"]

# The tokenizer's lexer mode of each command → the state lexing its arguments.
_STATE_OF_MODE = {
    "expression": "expression",
    "from": "from",
    "project": "project",
    "rename": "rename",
    "enrich": "enrich",
    "mvexpand": "names",
    "change_point": "names",
    "show": "show",
    "join": "join",
    "fork": "fork",
    "set": "set",
    "inline": "inline",
}

_CONSTANTS = ("true", "false", "null")
_WORD_OPERATORS = ("and", "or", "not", "in", "is", "like", "rlike")
# FIRST and LAST name the FIRST()/LAST() aggregations when a call follows.
_CALLABLE_KEYWORDS = ("first", "last")
_CLAUSE_KEYWORDS = tuple(
    k
    for k in EXPRESSION_KEYWORDS
    if k not in _CONSTANTS and k not in _WORD_OPERATORS and k not in _CALLABLE_KEYWORDS
)

# A command word ends where the tokenizer's ends (whitespace, brackets, '/').
_COMMAND_END = r"(?![^\s\[\]/|])"
# An unquoted index pattern (UNQUOTED_SOURCE): '/' only as in date math.
_SOURCE = r"(?:[^:\"=|,\[\]/()\s]|/(?![*/]))+"
_SOURCE_END = r"(?![^:\"=|,\[\]/()\s])"
# An ENRICH policy name part (ENRICH_POLICY_NAME).
_POLICY = r"[^\\/?\"<>|\s,#:()]+"
_POLICY_END = r"(?![^\\/?\"<>|\s,#:()])"
_IDENT = r"(?:[a-zA-Z][a-zA-Z0-9_]*|[_@][a-zA-Z0-9_]+)"
_ID_PATTERN = r"(?:[a-zA-Z*][a-zA-Z0-9_*]*|[_@][a-zA-Z0-9_*]+|`(?:[^`]|``)*`)+"
_PARAM = r"\?\??(?:[a-zA-Z_][a-zA-Z0-9_]*|\d+)?"
_UNITS = sorted(_TEMPORAL_UNITS, key=len, reverse=True)


@functools.cache
def function_names() -> frozenset[str]:
    """Lower-case names (aliases included) of every callable function."""
    from esqlsh.analysis.registry import all_functions

    return frozenset(name for name, fn in all_functions().items() if fn.kind != "operator")


def _call(lexer: Lexer, match: re.Match[str]) -> Iterator[tuple[int, _TokenType, str]]:
    """``name (``: a registry function is ``Name.Function``, anything else ``Name``."""
    name = match.group(1)
    known = name.lower() in function_names()
    yield match.start(1), Name.Function if known else Name, name
    if match.group(2):
        yield match.start(2), Whitespace, match.group(2)
    yield match.start(3), Punctuation, match.group(3)


def _pattern_parts(
    text: str, start: int, name: _TokenType
) -> Iterator[tuple[int, _TokenType, str]]:
    """An index (or alias) pattern: leading ``-`` and ``*`` as operators."""
    pos = 0
    if text.startswith("-"):
        yield start, Operator, "-"
        pos = 1
    for part in re.finditer(r"\*+|[^*]+", text[pos:]):
        token = Operator if part.group().startswith("*") else name
        yield start + pos + part.start(), token, part.group()


def _cluster_prefix(lexer: Lexer, match: re.Match[str]) -> Iterator[tuple[int, _TokenType, str]]:
    yield from _pattern_parts(match.group(1), match.start(1), Name.Namespace)
    yield match.start(2), Punctuation, match.group(2)


def _index(lexer: Lexer, match: re.Match[str]) -> Iterator[tuple[int, _TokenType, str]]:
    yield from _pattern_parts(match.group(), match.start(), Name.Class)


def _name_pattern(lexer: Lexer, match: re.Match[str]) -> Iterator[tuple[int, _TokenType, str]]:
    """A KEEP/DROP/RENAME pattern: names, with ``*`` as an operator."""
    for part in re.finditer(r"`(?:[^`]|``)*`|\*+|[^*`]+", match.group()):
        token = Operator if part.group().startswith("*") else Name
        yield match.start() + part.start(), token, part.group()


def _command_rules() -> list[tuple[str, _TokenType, str]]:
    """One rule per lexer mode: its commands as keywords, entering its state."""
    by_state: dict[str, list[str]] = {}
    for word, (_, mode) in COMMANDS.items():
        by_state.setdefault(_STATE_OF_MODE.get(mode, "expression"), []).append(word)
    return [
        (words(sorted(names, key=len, reverse=True), suffix=_COMMAND_END), Keyword, state)
        for state, names in by_state.items()
    ]


class EsqlLexer(RegexLexer):  # type: ignore[misc]
    """ES|QL, as Elasticsearch 9.1 lexes it (plus esqlsh's ``\\`` meta commands)."""

    name = "ES|QL"
    aliases = ["esql", "es|ql"]
    filenames = ["*.esql"]
    mimetypes = ["text/x-esql"]
    url = "https://www.elastic.co/docs/reference/query-languages/esql"
    flags = re.IGNORECASE | re.MULTILINE

    tokens = {
        "hidden": [
            (r"\s+", Whitespace),
            (r"//[^\n]*", Comment.Single),
            (r"/\*", Comment.Multiline, "comment"),
        ],
        "comment": [
            (r"[^*/]+", Comment.Multiline),
            (r"/\*", Comment.Multiline, "#push"),
            (r"\*/", Comment.Multiline, "#pop"),
            (r"[*/]", Comment.Multiline),
        ],
        "root": [
            # \explain's argument is a query: stay in command position
            (r"^(\s*)(\\explain)\b", bygroups(Whitespace, Keyword.Pseudo)),
            (r"^(\s*)(\\\S*)([^\n]*)", bygroups(Whitespace, Keyword.Pseudo, String)),
            include("hidden"),
            (r"\|", Punctuation),
            (r";", Punctuation),
            (r"\)", Punctuation, "#pop"),
            *_command_rules(),
            (r"[^\s\[\]/|;()]+", Error, "expression"),
        ],
        "expression": [
            include("hidden"),
            (r"\|", Punctuation, "#pop"),
            include("literals"),
            (
                r"(::)(\s*)(" + "|".join(sorted(CAST_NAMES)) + r")\b",
                bygroups(Operator, Whitespace, Keyword.Type),
            ),
            (words(_CONSTANTS, suffix=r"\b"), Keyword.Constant),
            (words(_WORD_OPERATORS, suffix=r"\b"), Operator.Word),
            (words(_CLAUSE_KEYWORDS, suffix=r"\b"), Keyword),
            (r"(" + _IDENT + r")(\s*)(\()", _call, ("expression", "expression")),
            (words(_CALLABLE_KEYWORDS, suffix=r"\b"), Keyword),
            (_IDENT, Name),
            (r"`(?:[^`]|``)*`?", Name),
            (r"[(\[]", Punctuation, ("expression", "expression")),
            (r"[)\]]", Punctuation, "#pop:2"),
            (r"==|=~|!=|<=|>=|::|[=<>+\-*/%:]", Operator),
            (r"[,.{}]", Punctuation),
        ],
        "literals": [
            (r'"""[^\r\n]*?"""(?:"{0,2})', String),
            (r'"""[^\r\n]*', String),
            (r'"', String.Double, "string"),
            (
                r"(\d+)(\s*)(" + "|".join(_UNITS) + r")\b",
                bygroups(Number.Integer, Whitespace, Keyword.Constant),
            ),
            (r"(?:\d+\.?\d*|\.\d+)[eE][+-]?\d+", Number.Float),
            (r"\d+\.\d*|\.\d+", Number.Float),
            (r"\d+", Number.Integer),
            (_PARAM, Name.Variable),
        ],
        "string": [
            (r'[^"\\\r\n]+', String.Double),
            (r'\\[tnr"\\]', String.Escape),
            (r'"', String.Double, "#pop"),
            (r"\\", Error),
            default("#pop"),  # a newline ends an unterminated string
        ],
        "from": [
            include("hidden"),
            (r"\|", Punctuation, "#pop"),
            (r"metadata" + _SOURCE_END, Keyword, ("#pop", "metadata")),
            (r"(::)(\w+)", bygroups(Operator, Keyword)),
            (r'"(?:[^"\\\r\n]|\\.)*"?', String),
            (r"(" + _SOURCE + r")(:)(?!:)", _cluster_prefix),
            (_SOURCE, _index),
            (r"[,\[\]=]", Punctuation),
            (r"\)", Punctuation, "#pop:2"),
        ],
        "metadata": [
            include("hidden"),
            (r"\|", Punctuation, "#pop"),
            (r",", Punctuation),
            (_SOURCE, Name.Builtin.Pseudo),
        ],
        "project": [
            include("hidden"),
            (r"\|", Punctuation, "#pop"),
            (r"\)", Punctuation, "#pop:2"),
            (r"[,.]", Punctuation),
            (_PARAM, Name.Variable),
            (_ID_PATTERN, _name_pattern),
        ],
        "rename": [
            (r"as(?![a-zA-Z0-9_*`])", Keyword),
            (r"=", Operator),
            include("project"),
        ],
        "enrich": [
            include("hidden"),
            (r"\|", Punctuation, "#pop"),
            (r"\)", Punctuation, "#pop:2"),
            (r"\[", Punctuation, "setting"),
            (r'"(?:[^"\\\r\n]|\\.)*"?', String),
            (r"(?:on|with)" + _POLICY_END, Keyword, "enrich_field"),
            (
                r"(" + _POLICY + r")(:)(" + _POLICY + r")",
                bygroups(Keyword.Pseudo, Punctuation, Name.Entity),
            ),
            (r"(" + _POLICY + r")(:)", bygroups(Keyword.Pseudo, Punctuation)),
            (_POLICY, Name.Entity),
        ],
        "enrich_field": [
            include("hidden"),
            (r"\|", Punctuation, "#pop:2"),
            (r"\)", Punctuation, "#pop:3"),
            (r"with(?![a-zA-Z0-9_*`])", Keyword),
            (r"=", Operator),
            (r"[,.]", Punctuation),
            (_PARAM, Name.Variable),
            (_ID_PATTERN, _name_pattern),
        ],
        "setting": [
            include("hidden"),
            (r"\]", Punctuation, "#pop"),
            (r":", Punctuation),
            (r"[@0-9.a-zA-Z_]+", Name.Attribute),
        ],
        "names": [
            include("hidden"),
            (r"\|", Punctuation, "#pop"),
            (r"\)", Punctuation, "#pop:2"),
            (words(("on", "as"), suffix=r"\b"), Keyword),
            (_IDENT, Name),
            (r"`(?:[^`]|``)*`?", Name),
            (_PARAM, Name.Variable),
            (r"[,.]", Punctuation),
        ],
        "show": [
            include("hidden"),
            (r"\|", Punctuation, "#pop"),
            (r"info\b", Keyword),
        ],
        "join": [
            include("hidden"),
            (r"\|", Punctuation, "#pop"),
            (r"on" + _SOURCE_END, Keyword, ("#pop", "expression")),
            (words(("join", "as", "using"), suffix=_SOURCE_END), Keyword),
            (r'"(?:[^"\\\r\n]|\\.)*"?', String),
            (r"(" + _SOURCE + r")(:)(?!:)", _cluster_prefix),
            (_SOURCE, _index),
        ],
        "fork": [
            include("hidden"),
            (r"\|", Punctuation, "#pop"),
            (r"\(", Punctuation, "root"),
            (r"\)", Punctuation, "#pop"),
        ],
        "set": [
            include("hidden"),
            (r";", Punctuation, "#pop"),
            include("literals"),
            (words(_CONSTANTS, suffix=r"\b"), Keyword.Constant),
            (_IDENT, Name),
            (r"`(?:[^`]|``)*`?", Name),
            (r"=", Operator),
            (r"[:,.{}\[\]]", Punctuation),
        ],
        "inline": [
            include("hidden"),
            (r"stats\b", Keyword, ("#pop", "expression")),
            default("#pop"),
        ],
    }
