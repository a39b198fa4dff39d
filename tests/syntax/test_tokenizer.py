"""The tokenizer: Elasticsearch's lexer modes, positions and lexer errors."""

from __future__ import annotations

import pytest

from esqlsh.syntax.tokenizer import error_message, tokenize
from esqlsh.syntax.tokens import T, display_name


def kinds(query: str) -> list[tuple[str, str]]:
    return [(t.type.name, t.text) for t in tokenize(query)[:-1]]


def test_commands_and_expressions() -> None:
    assert kinds("ROW a = 1 | where b") == [
        ("ROW", "ROW"), ("UNQUOTED_IDENTIFIER", "a"), ("ASSIGN", "="), ("INTEGER_LITERAL", "1"),
        ("PIPE", "|"), ("WHERE", "where"), ("UNQUOTED_IDENTIFIER", "b"),
    ]  # fmt: skip


def test_keywords_are_case_insensitive_and_win_ties() -> None:
    assert [k for k, _ in kinds("FROM a | WhErE x And NoT nulls IS Null")] == [
        "FROM", "UNQUOTED_SOURCE", "PIPE", "WHERE", "UNQUOTED_IDENTIFIER", "AND", "NOT",
        "NULLS", "IS", "NULL",
    ]  # fmt: skip
    assert kinds("ROW andx = nullx")[1:] == [
        ("UNQUOTED_IDENTIFIER", "andx"), ("ASSIGN", "="), ("UNQUOTED_IDENTIFIER", "nullx")
    ]  # fmt: skip


def test_unknown_command_is_one_word() -> None:
    assert kinds("FROM a | eval(x) y") == [
        ("FROM", "FROM"), ("UNQUOTED_SOURCE", "a"), ("PIPE", "|"), ("UNKNOWN_CMD", "eval(x)"),
        ("UNQUOTED_IDENTIFIER", "y"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    "pattern",
    ["logs-*", "-idx", ".hidden", "<logs-{now/d}>", "a/b", "*", "idx-2024.01.01", "`x`", "a*b?c"],
)
def test_index_patterns_are_one_token(pattern: str) -> None:
    assert kinds(f"FROM {pattern}") == [("FROM", "FROM"), ("UNQUOTED_SOURCE", pattern)]


def test_from_mode_punctuation() -> None:
    assert [k for k, _ in kinds('FROM c:i, i::failures, "q" METADATA _id')] == [
        "FROM", "UNQUOTED_SOURCE", "COLON", "UNQUOTED_SOURCE", "COMMA", "UNQUOTED_SOURCE",
        "CAST_OP", "UNQUOTED_SOURCE", "COMMA", "QUOTED_STRING", "METADATA", "UNQUOTED_SOURCE",
    ]  # fmt: skip


def test_name_patterns() -> None:
    assert kinds("KEEP emp_*, `a b`*, *x, a.b") == [
        ("KEEP", "KEEP"), ("ID_PATTERN", "emp_*"), ("COMMA", ","), ("ID_PATTERN", "`a b`*"),
        ("COMMA", ","), ("ID_PATTERN", "*x"), ("COMMA", ","), ("ID_PATTERN", "a"), ("DOT", "."),
        ("ID_PATTERN", "b"),
    ]  # fmt: skip
    assert [k for k, _ in kinds("RENAME a AS b, c = d")] == [
        "RENAME", "ID_PATTERN", "AS", "ID_PATTERN", "COMMA", "ID_PATTERN", "ASSIGN", "ID_PATTERN"
    ]  # fmt: skip


def test_enrich_modes() -> None:
    assert kinds("ENRICH _remote:my-policy.v1 ON a WITH b = c") == [
        ("ENRICH", "ENRICH"), ("ENRICH_POLICY_NAME", "_remote:my-policy.v1"), ("ON", "ON"),
        ("ID_PATTERN", "a"), ("WITH", "WITH"), ("ID_PATTERN", "b"), ("ASSIGN", "="),
        ("ID_PATTERN", "c"),
    ]  # fmt: skip


def test_lookup_join_switches_to_expressions_after_on() -> None:
    assert [k for k, _ in kinds("LOOKUP JOIN idx ON a.b | LIMIT 1")] == [
        "JOIN_LOOKUP", "JOIN", "UNQUOTED_SOURCE", "ON", "UNQUOTED_IDENTIFIER", "DOT",
        "UNQUOTED_IDENTIFIER", "PIPE", "LIMIT", "INTEGER_LITERAL",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("1", "INTEGER_LITERAL"), ("1.", "DECIMAL_LITERAL"), (".5", "DECIMAL_LITERAL"),
        ("1e3", "DECIMAL_LITERAL"), ("1.5E-3", "DECIMAL_LITERAL"), ("1.e5", "DECIMAL_LITERAL"),
        ('"a\\"b"', "QUOTED_STRING"), ('"""a"b"""', "QUOTED_STRING"), ('""', "QUOTED_STRING"),
        ("`a``b`", "QUOTED_IDENTIFIER"), ("@timestamp", "UNQUOTED_IDENTIFIER"),
        ("_id", "UNQUOTED_IDENTIFIER"), ("?", "PARAM"), ("?1", "NAMED_OR_POSITIONAL_PARAM"),
        ("?name", "NAMED_OR_POSITIONAL_PARAM"), ("??", "DOUBLE_PARAMS"),
        ("??x", "NAMED_OR_POSITIONAL_DOUBLE_PARAMS"), ("::", "CAST_OP"), ("=~", "CIEQ"),
    ],
)  # fmt: skip
def test_expression_tokens(text: str, kind: str) -> None:
    assert kinds(f"ROW {text}")[1:] == [(kind, text)]


def test_longest_match_falls_back() -> None:
    assert kinds("ROW 1e+x")[1:] == [
        ("INTEGER_LITERAL", "1"), ("UNQUOTED_IDENTIFIER", "e"), ("PLUS", "+"),
        ("UNQUOTED_IDENTIFIER", "x"),
    ]  # fmt: skip
    assert kinds('ROW """a""""')[1:] == [("QUOTED_STRING", '"""a""""')]
    assert kinds("ROW a.5")[1:] == [("UNQUOTED_IDENTIFIER", "a"), ("DECIMAL_LITERAL", ".5")]


def test_comments_and_whitespace_are_skipped() -> None:
    query = "FROM a // one\r\n| /* two /* nested */ */ WHERE\tx"
    assert [k for k, _ in kinds(query)] == [
        "FROM",
        "UNQUOTED_SOURCE",
        "PIPE",
        "WHERE",
        "UNQUOTED_IDENTIFIER",
    ]


def test_positions_count_lines_by_newline() -> None:
    tokens = tokenize("FROM a\r\n| WHERE  b")
    where, b, eof = tokens[3], tokens[4], tokens[5]
    assert (where.line, where.col, where.start, where.end) == (2, 3, 10, 15)
    assert (b.line, b.col) == (2, 10)
    assert (eof.type, eof.line, eof.col, eof.start) == (T.EOF, 2, 11, 18)


@pytest.mark.parametrize(
    ("query", "text", "col"),
    [
        ('ROW a = "abc', '"abc', 9),
        ("ROW a = #", "#", 9),
        ("ROW a = _ ", "_ ", 9),
        ("ROW a = !x", "!x", 9),
        ('ROW "a\\qb"', '"a\\q', 5),
        ("ROW `a", "`a", 5),
        ("FROM a /* open", "/* open", 8),
        ("SHOW x", "x", 6),
        ("[", "[", 1),
        ("/x", "/x", 1),
    ],
)
def test_lexer_errors(query: str, text: str, col: int) -> None:
    last = tokenize(query)[-1]
    assert (last.type, last.text, last.col) == (T.ERROR, text, col)


def test_lexer_error_message_escapes_newlines() -> None:
    last = tokenize('ROW "a\nb"')[-1]
    assert error_message(last) == "token recognition error at: '\"a\\n'"


def test_display_names() -> None:
    assert display_name(T.EOF) == "<EOF>"
    assert display_name(T.LP) == "LP"
    assert display_name(T.RP) == "')'"
    assert display_name(T.JOIN_LOOKUP) == "'lookup'"
    assert display_name(T.DEV_LOOKUP) == "DEV_LOOKUP"
