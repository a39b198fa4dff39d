"""Random and mutated queries: ``parse`` either returns a query that prints back to
itself, or raises a parsing/verification error that points inside the query. No
other exception may escape (no IndexError, no RecursionError, no KeyError…)."""

from __future__ import annotations

import random
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from esqlsh.errors import ParsingError, VerificationError
from esqlsh.syntax.parser import parse
from esqlsh.syntax.printer import to_esql
from tests.syntax.specs import all_queries

SEEDS = [q.query for q in all_queries()]
VOCABULARY = [
    "FROM", "ROW", "SHOW", "INFO", "WHERE", "EVAL", "STATS", "BY", "KEEP", "DROP", "RENAME",
    "AS", "SORT", "ASC", "DESC", "NULLS", "FIRST", "LAST", "LIMIT", "DISSECT", "GROK",
    "ENRICH", "ON", "WITH", "MV_EXPAND", "LOOKUP", "JOIN", "SAMPLE", "METADATA", "AND", "OR",
    "NOT", "IN", "IS", "NULL", "LIKE", "RLIKE", "true", "false", "|", ",", ".", "(", ")", "[",
    "]", "{", "}", "=", "==", "!=", "<", "<=", ">", ">=", "+", "-", "*", "/", "%", "::", ":",
    "?", "??", "?1", "?x", "1", "-1", "1.5", ".5", "1e3", "1 day", '"s"', '"""t"""', "`q`",
    "a", "a.b", "*", "x*", "_id", "@timestamp", "//", "/*", "*/", "\r\n", "\n", '"', "`", "#",
    "\\", "_any:p", "c:idx", "idx::failures", "<logs-{now/d}>", "count(*)", "f(", "~", "'",
]  # fmt: skip
_PIECES = re.compile(r"\s+|\w+|[^\w\s]")


def check(query: str) -> None:
    """The property every input must satisfy."""
    try:
        tree = parse(query)
    except ParsingError as e:
        _check_position(query, e.line, e.column)
        return
    except VerificationError as e:
        assert e.problems
        _check_position(query, e.problems[0].line, e.problems[0].column)
        return
    printed = to_esql(tree)
    assert parse(printed) == tree, (query, printed)


def _check_position(query: str, line: int | None, column: int | None) -> None:
    assert line is not None and column is not None
    lines = query.split("\n")
    assert 1 <= line <= len(lines), (query, line)
    assert 1 <= column <= len(lines[line - 1]) + 1, (query, line, column)


def mutate(query: str, rng: random.Random, count: int) -> str:
    """Delete, insert, swap or duplicate characters and tokens."""
    for _ in range(count):
        pieces = _PIECES.findall(query) or [""]
        kind = rng.randrange(7)
        i = rng.randrange(len(query) + 1)
        j = rng.randrange(len(pieces))
        k = rng.randrange(len(pieces))
        if kind == 0 and query:
            query = query[: min(i, len(query) - 1)] + query[min(i, len(query) - 1) + 1 :]
        elif kind == 1:
            query = query[:i] + rng.choice(VOCABULARY)[0] + query[i:]
        elif kind == 2 and len(query) > 1:
            i = min(i, len(query) - 2)
            query = query[:i] + query[i + 1] + query[i] + query[i + 2 :]
        elif kind == 3:
            del pieces[j]
            query = "".join(pieces)
        elif kind == 4:
            pieces.insert(j, " " + rng.choice(VOCABULARY) + " ")
            query = "".join(pieces)
        elif kind == 5:
            pieces[j], pieces[k] = pieces[k], pieces[j]
            query = "".join(pieces)
        else:
            pieces.insert(j, pieces[k])
            query = "".join(pieces)
    return query


@settings(
    max_examples=1_500,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.sampled_from(SEEDS), st.integers(0, 2**32), st.integers(1, 4))
def test_mutated_spec_queries(seed: str, salt: int, count: int) -> None:
    check(mutate(seed, random.Random(salt), count))


@settings(max_examples=800, deadline=None, database=None)
@given(st.lists(st.sampled_from(VOCABULARY), max_size=25).map(" ".join))
def test_random_token_sequences(query: str) -> None:
    check(query)


@settings(max_examples=500, deadline=None, database=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("FROMWHERErowx1.5\"`'|,()[]{}=<>!+-*/%:?@_ \n\r\t\\#")),
        max_size=40,
    )
)
def test_random_characters(query: str) -> None:
    check(query)


def test_deterministic_mutations() -> None:
    rng = random.Random(20250801)
    for n in range(10_000):
        seed = SEEDS[n % len(SEEDS)]
        check(mutate(seed, rng, 1 + n % 3))


def test_deterministic_random_token_sequences() -> None:
    rng = random.Random(91)
    for _ in range(3_000):
        check(" ".join(rng.choice(VOCABULARY) for _ in range(rng.randrange(1, 20))))


def test_deep_nesting_is_a_parsing_error() -> None:
    for depth in (50, 300, 2_000):
        check("ROW a = " + "(" * depth + "1" + ")" * depth)
        check("ROW a = " + "-" * depth + "x")
        check("ROW a = " + "f(" * depth + "1" + ")" * depth)
