"""Token types of ES|QL and the spelling tables the tokenizer reads.

Token type numbers are the ones Elasticsearch 9.1's ANTLR grammar gives its tokens:
ANTLR prints "expecting" sets ordered by these numbers, so keeping them makes the
syntax errors read exactly as Elasticsearch's. ``display_name`` is ANTLR's
vocabulary display name (the quoted literal when the token has one, its symbolic
name otherwise); tokens of Elasticsearch's snapshot-only commands (``DEV_*``) exist
only so that error messages can drop them the way Elasticsearch does.

Keywords are case-insensitive: every table is keyed by lower-case spelling.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class T(IntEnum):
    """Token types, numbered as in Elasticsearch 9.1's ``EsqlBaseLexer``."""

    ERROR = -2  # a lexer error: the token's text is the unrecognised input
    EOF = -1
    CHANGE_POINT = 4
    ENRICH = 5
    DEV_EXPLAIN = 6
    COMPLETION = 7
    DISSECT = 8
    EVAL = 9
    GROK = 10
    LIMIT = 11
    ROW = 12
    SAMPLE = 13
    SORT = 14
    STATS = 15
    WHERE = 16
    DEV_INLINESTATS = 17
    DEV_RERANK = 18
    FROM = 19
    DEV_TIME_SERIES = 20
    FORK = 21
    JOIN_LOOKUP = 22
    DEV_JOIN_FULL = 23
    DEV_JOIN_LEFT = 24
    DEV_JOIN_RIGHT = 25
    DEV_LOOKUP = 26
    MV_EXPAND = 27
    DROP = 28
    KEEP = 29
    DEV_INSIST = 30
    DEV_RRF = 31
    RENAME = 32
    SHOW = 33
    UNKNOWN_CMD = 34
    ENRICH_POLICY_NAME = 38
    SETTING = 45
    PIPE = 52
    QUOTED_STRING = 53
    INTEGER_LITERAL = 54
    DECIMAL_LITERAL = 55
    AND = 56
    ASC = 57
    ASSIGN = 58
    BY = 59
    CAST_OP = 60
    COLON = 61
    COMMA = 62
    DESC = 63
    DOT = 64
    FALSE = 65
    FIRST = 66
    IN = 67
    IS = 68
    LAST = 69
    LIKE = 70
    NOT = 71
    NULL = 72
    NULLS = 73
    ON = 74
    OR = 75
    PARAM = 76
    RLIKE = 77
    TRUE = 78
    WITH = 79
    EQ = 80
    CIEQ = 81
    NEQ = 82
    LT = 83
    LTE = 84
    GT = 85
    GTE = 86
    PLUS = 87
    MINUS = 88
    ASTERISK = 89
    SLASH = 90
    PERCENT = 91
    LEFT_BRACES = 92
    RIGHT_BRACES = 93
    DOUBLE_PARAMS = 94
    NAMED_OR_POSITIONAL_PARAM = 95
    NAMED_OR_POSITIONAL_DOUBLE_PARAMS = 96
    OPENING_BRACKET = 97
    CLOSING_BRACKET = 98
    LP = 99
    RP = 100
    UNQUOTED_IDENTIFIER = 101
    QUOTED_IDENTIFIER = 102
    METADATA = 106
    UNQUOTED_SOURCE = 107
    JOIN = 114
    USING = 115
    ID_PATTERN = 128
    AS = 132
    INFO = 136
    # Statements and commands Elasticsearch added after 9.1 (``SET name = value;``,
    # ``INLINE STATS``). Named DEV_* so that, like snapshot-only tokens, they stay
    # out of the 9.1 "expecting" sets of syntax errors; numbered past 9.1's tokens.
    DEV_SET = 200
    DEV_INLINE = 201
    DEV_INLINE_STATS = 202
    SEMICOLON = 203


# ANTLR literal names (Elasticsearch 9.1); tokens missing here print symbolically.
LITERAL_NAMES: dict[T, str] = {
    T.CHANGE_POINT: "change_point",
    T.ENRICH: "enrich",
    T.COMPLETION: "completion",
    T.DISSECT: "dissect",
    T.EVAL: "eval",
    T.GROK: "grok",
    T.LIMIT: "limit",
    T.ROW: "row",
    T.SAMPLE: "sample",
    T.SORT: "sort",
    T.STATS: "stats",
    T.WHERE: "where",
    T.FROM: "from",
    T.FORK: "fork",
    T.JOIN_LOOKUP: "lookup",
    T.MV_EXPAND: "mv_expand",
    T.DROP: "drop",
    T.KEEP: "keep",
    T.RENAME: "rename",
    T.SHOW: "show",
    T.PIPE: "|",
    T.AND: "and",
    T.ASC: "asc",
    T.ASSIGN: "=",
    T.BY: "by",
    T.CAST_OP: "::",
    T.COLON: ":",
    T.COMMA: ",",
    T.DESC: "desc",
    T.DOT: ".",
    T.FALSE: "false",
    T.FIRST: "first",
    T.IN: "in",
    T.IS: "is",
    T.LAST: "last",
    T.LIKE: "like",
    T.NOT: "not",
    T.NULL: "null",
    T.NULLS: "nulls",
    T.ON: "on",
    T.OR: "or",
    T.PARAM: "?",
    T.RLIKE: "rlike",
    T.TRUE: "true",
    T.WITH: "with",
    T.EQ: "==",
    T.CIEQ: "=~",
    T.NEQ: "!=",
    T.LT: "<",
    T.LTE: "<=",
    T.GT: ">",
    T.GTE: ">=",
    T.PLUS: "+",
    T.MINUS: "-",
    T.ASTERISK: "*",
    T.SLASH: "/",
    T.PERCENT: "%",
    T.LEFT_BRACES: "{",
    T.RIGHT_BRACES: "}",
    T.DOUBLE_PARAMS: "??",
    T.CLOSING_BRACKET: "]",
    T.RP: ")",
    T.METADATA: "metadata",
    T.JOIN: "join",
    T.USING: "USING",
    T.AS: "as",
    T.INFO: "info",
    T.SEMICOLON: ";",
}


def display_name(t: T) -> str:
    """ANTLR's ``Vocabulary.getDisplayName``."""
    if t == T.EOF:
        return "<EOF>"
    literal = LITERAL_NAMES.get(t)
    return f"'{literal}'" if literal is not None else t.name


@dataclass(slots=True)
class Token:
    """One token. ``line``/``col`` are 1-based as Elasticsearch prints them
    (``col`` counts characters since the last ``\\n``); ``start``/``end`` are
    0-based offsets into the query (``end`` exclusive). An ``ERROR`` token carries
    the input the lexer could not recognise."""

    type: T
    text: str
    line: int
    col: int
    start: int
    end: int


# --------------------------------------------------------------- spelling tables

# Commands recognised at the start of a command (Elasticsearch's default lexer
# mode) and the lexer mode each one switches to. Snapshot-only commands are absent:
# a release build lexes them as unknown commands.
COMMANDS: dict[str, tuple[T, str]] = {
    "change_point": (T.CHANGE_POINT, "change_point"),
    "enrich": (T.ENRICH, "enrich"),
    "completion": (T.COMPLETION, "expression"),
    "dissect": (T.DISSECT, "expression"),
    "eval": (T.EVAL, "expression"),
    "grok": (T.GROK, "expression"),
    "limit": (T.LIMIT, "expression"),
    "row": (T.ROW, "expression"),
    "sample": (T.SAMPLE, "expression"),
    "sort": (T.SORT, "expression"),
    "stats": (T.STATS, "expression"),
    "where": (T.WHERE, "expression"),
    "from": (T.FROM, "from"),
    "fork": (T.FORK, "fork"),
    "lookup": (T.JOIN_LOOKUP, "join"),
    "mv_expand": (T.MV_EXPAND, "mvexpand"),
    "drop": (T.DROP, "project"),
    "keep": (T.KEEP, "project"),
    "rename": (T.RENAME, "rename"),
    "show": (T.SHOW, "show"),
    # after 9.1: statements before the query, and INLINE STATS
    "set": (T.DEV_SET, "set"),
    "inline": (T.DEV_INLINE, "inline"),
}

# Words that are keywords inside expressions (they win over identifiers of the
# same length, as earlier ANTLR rules do).
EXPRESSION_KEYWORDS: dict[str, T] = {
    "and": T.AND,
    "asc": T.ASC,
    "by": T.BY,
    "desc": T.DESC,
    "false": T.FALSE,
    "first": T.FIRST,
    "in": T.IN,
    "is": T.IS,
    "last": T.LAST,
    "like": T.LIKE,
    "not": T.NOT,
    "null": T.NULL,
    "nulls": T.NULLS,
    "on": T.ON,
    "or": T.OR,
    "rlike": T.RLIKE,
    "true": T.TRUE,
    "with": T.WITH,
    "where": T.WHERE,
}

# Operators of the expression mode, longest spellings first.
OPERATORS: dict[str, T] = {
    "==": T.EQ,
    "=~": T.CIEQ,
    "!=": T.NEQ,
    "<=": T.LTE,
    ">=": T.GTE,
    "::": T.CAST_OP,
    "=": T.ASSIGN,
    ":": T.COLON,
    ",": T.COMMA,
    ".": T.DOT,
    "<": T.LT,
    ">": T.GT,
    "+": T.PLUS,
    "-": T.MINUS,
    "*": T.ASTERISK,
    "/": T.SLASH,
    "%": T.PERCENT,
    "{": T.LEFT_BRACES,
    "}": T.RIGHT_BRACES,
    "|": T.PIPE,
    "[": T.OPENING_BRACKET,
    "]": T.CLOSING_BRACKET,
    "(": T.LP,
    ")": T.RP,
}

COMPARISON_OPERATORS: frozenset[T] = frozenset({T.EQ, T.NEQ, T.LT, T.LTE, T.GT, T.GTE})
