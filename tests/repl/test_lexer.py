"""EsqlLexer: registered with pygments (``pygmentize -l esql``), and what each part
of a query is styled as."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from pygments.lexers import get_lexer_by_name, get_lexer_for_filename
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

from esqlsh.repl.lexer import EsqlLexer
from tests.repl.test_suggest import VALID

SPEC_QUERY = (
    "FROM my-index-000001,cluster_one:my-index-000001,cluster_two:my-index-000001\n"
    "| ENRICH _remote:hosts ON ip\n"
    "| SORT host_name\n"
    "| LIMIT 10\n"
)


def tokens(text: str) -> list[tuple[_TokenType, str]]:
    return [(t, v) for t, v in EsqlLexer().get_tokens(text) if t is not Whitespace and v.strip()]


def styled(text: str, value: str) -> list[_TokenType]:
    return [t for t, v in tokens(text) if v == value]


def test_registered_as_a_pygments_plugin() -> None:
    assert isinstance(get_lexer_by_name("esql"), EsqlLexer)
    assert isinstance(get_lexer_by_name("es|ql"), EsqlLexer)
    assert isinstance(get_lexer_for_filename("q.esql"), EsqlLexer)
    assert EsqlLexer.name == "ES|QL"


def test_pygmentize_highlights_a_spec_page_query(tmp_path: Path) -> None:
    pygmentize = Path(sys.executable).with_name("pygmentize")
    done = subprocess.run(
        [str(pygmentize), "-l", "esql", "-f", "terminal"],
        input=SPEC_QUERY,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "\x1b[" in done.stdout
    assert re.sub(r"\x1b\[[0-9;]*m", "", done.stdout) == SPEC_QUERY


def test_cluster_index_patterns_are_styled_in_parts() -> None:
    found = tokens("FROM cluster_one:logs-*,-cluster_three:*,c2:-old METADATA _index, _id")
    assert found == [
        (Keyword, "FROM"),
        (Name.Namespace, "cluster_one"),
        (Punctuation, ":"),
        (Name.Class, "logs-"),
        (Operator, "*"),
        (Punctuation, ","),
        (Operator, "-"),
        (Name.Namespace, "cluster_three"),
        (Punctuation, ":"),
        (Operator, "*"),
        (Punctuation, ","),
        (Name.Namespace, "c2"),
        (Punctuation, ":"),
        (Operator, "-"),
        (Name.Class, "old"),
        (Keyword, "METADATA"),
        (Name.Builtin.Pseudo, "_index"),
        (Punctuation, ","),
        (Name.Builtin.Pseudo, "_id"),
    ]


def test_commands_functions_and_names() -> None:
    text = "from logs | eval x = to_upper(user.name), y = nosuch(x) | stats c = count(*) by x"
    assert styled(text, "from") == [Keyword]
    assert styled(text, "eval") == [Keyword]
    assert styled(text, "stats") == [Keyword]
    assert styled(text, "by") == [Keyword]
    assert styled(text, "to_upper") == [Name.Function]
    assert styled(text, "count") == [Name.Function]
    assert styled(text, "nosuch") == [Name]  # not in the registry
    assert styled(text, "user") == [Name]
    assert styled(text, "|") == [Punctuation, Punctuation]


def test_literals() -> None:
    text = 'ROW a = 12, b = 1.5e3, c = "x\\ty", d = """q"uote""", e = ?, f = ?1, g = ?name, h = true, i = null'
    assert styled(text, "12") == [Number.Integer]
    assert styled(text, "1.5e3") == [Number.Float]
    assert String.Escape in styled(text, "\\t")
    assert styled(text, '"""q"uote"""') == [String]
    assert styled(text, "?") == [Name.Variable]
    assert styled(text, "?1") == [Name.Variable]
    assert styled(text, "?name") == [Name.Variable]
    assert styled(text, "true") == [Keyword.Constant]
    assert styled(text, "null") == [Keyword.Constant]


def test_time_spans() -> None:
    text = "FROM a | WHERE @timestamp > NOW() - 1 day AND t < NOW() - 2h"
    found = tokens(text)
    assert (Number.Integer, "1") in found and (Keyword.Constant, "day") in found
    assert (Number.Integer, "2") in found and (Keyword.Constant, "h") in found
    assert styled(text, "AND") == [Operator.Word]


def test_comments_and_operators() -> None:
    text = "FROM a // note\n| WHERE x::long >= 2 /* a /* nested */ one */ AND y != 3"
    assert styled(text, "// note") == [Comment.Single]
    assert Comment.Multiline in styled(text, "*/")
    assert styled(text, "::") == [Operator]
    assert styled(text, "long") == [Keyword.Type]
    assert styled(text, ">=") == [Operator]
    assert styled(text, "!=") == [Operator]


def test_enrich_lookup_and_patterns() -> None:
    text = (
        "FROM a | ENRICH _coordinator:hosts ON ip WITH name = host_name"
        " | LOOKUP JOIN owners ON ip | KEEP emp*, `a b` | RENAME x AS y"
    )
    assert styled(text, "_coordinator") == [Keyword.Pseudo]
    assert styled(text, "hosts") == [Name.Entity]
    assert styled(text, "WITH") == [Keyword]
    assert styled(text, "owners") == [Name.Class]
    assert styled(text, "JOIN") == [Keyword]
    assert styled(text, "emp") == [Name]
    assert styled(text, "`a b`") == [Name]
    assert styled(text, "AS") == [Keyword]


def test_meta_commands() -> None:
    assert tokens("\\describe cluster_one:logs")[0] == (Keyword.Pseudo, "\\describe")
    explained = tokens("\\explain FROM a | LIMIT 1")
    assert explained[:3] == [(Keyword.Pseudo, "\\explain"), (Keyword, "FROM"), (Name.Class, "a")]


@pytest.mark.parametrize("query", VALID, ids=[str(i) for i in range(len(VALID))])
def test_corpus_queries_lex_without_errors_and_losslessly(query: str) -> None:
    lexed = list(EsqlLexer().get_tokens_unprocessed(query))
    assert "".join(v for _, _, v in lexed) == query
    if query.lstrip().startswith("\\"):
        return
    errors = [(pos, v) for pos, t, v in lexed if t in Error]
    assert errors == [], query
