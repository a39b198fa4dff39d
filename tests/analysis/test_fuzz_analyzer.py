"""Random and mutated queries through ``parse`` and ``analyze`` over the conformance
fixture cluster: either a plan comes out, or an ``EsqlError`` of our own.

Positions: Elasticsearch's ``parsing_exception`` and ``verification_exception`` always
point into the query (``line 1:7: …``), so ours must carry a line and a column inside
the query (every problem of a ``VerificationError`` too). Three errors have no
position in Elasticsearch either, and may have none here: a cluster prefix naming
no remote (``no_such_remote_cluster_exception``), parameter values the request
parser rejects (``Failed to parse params: …``, an ``IllegalArgumentError``) and a
value out of range while building the query (``[-1] out of [unsigned_long] range``,
an ``InvalidArgumentError``). If they have one, it must be inside the query.
Anything else escaping (KeyError, TypeError, AssertionError, RecursionError …) is a bug.

Inputs (about 11,600, in about 25 s):

* the conformance spec queries, mutated at the token level (:func:`mutate`): field
  and function names swapped, literals retyped, casts and parameters inserted,
  arguments swapped, added or dropped, commands dropped, duplicated or moved, index
  patterns replaced; with parameter values or without;
* queries written by a small grammar (:func:`queries`): FROM or ROW, then random
  commands over the fixture indices' real field names, with function calls whose
  arguments mostly have the types the function takes;
* FROM over random index patterns (wildcards, exclusions, ``cluster:``, selectors)
  and parameters (``?``, ``?1``, ``?name``) against random values;
* a few deep and wide queries at the parser's nesting limit.

Hypothesis runs derandomized, so every run tries the same inputs.
``tests/engine/test_fuzz_execute.py`` executes the queries that analyse.
"""

from __future__ import annotations

import functools
import random
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from esqlsh.analysis.analyzer import analyze
from esqlsh.analysis.literals import InvalidArgumentError
from esqlsh.analysis.registry import Param, all_functions
from esqlsh.analysis.sources import NoSuchRemoteClusterError
from esqlsh.analysis.types import CAST_NAMES, DataType
from esqlsh.clusters.embedded import EmbeddedCluster
from esqlsh.errors import EsqlError, IllegalArgumentError, ParsingError, VerificationError
from esqlsh.plan.logical import Plan
from esqlsh.syntax.parser import parse
from esqlsh.syntax.tokenizer import tokenize
from esqlsh.syntax.tokens import T, Token
from tests.conformance.csvspec import read_spec_file
from tests.conformance.fixtures import fixture_cluster

CONFORMANCE = Path("/work/shared/conformance")
POSITIONLESS: tuple[type[EsqlError], ...] = (
    NoSuchRemoteClusterError,
    IllegalArgumentError,
    InvalidArgumentError,
)

Params = list[object] | dict[str, object] | None
FUZZ = settings(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)


@functools.cache
def cluster() -> EmbeddedCluster:
    return fixture_cluster(CONFORMANCE)


@functools.cache
def spec_queries() -> tuple[str, ...]:
    paths = sorted((CONFORMANCE / "specs").glob("*.csv-spec"))
    return tuple(t.query for p in paths for t in read_spec_file(p))


@functools.cache
def index_fields() -> dict[str, tuple[str, ...]]:
    """Field names of every fixture index (lookup indices included)."""
    c = cluster()
    return {n: tuple(info.fields) for n in c.indices() if (info := c.index(n)) is not None}


@functools.cache
def all_fields() -> tuple[str, ...]:
    return tuple(sorted({f for fields in index_fields().values() for f in fields}))


def function_names() -> tuple[str, ...]:
    return tuple(sorted(n for n in all_functions() if not is_test_function(n)))


def is_test_function(name: str) -> bool:
    # tests/engine registers test-only ``t_*`` functions while each of its tests runs.
    return name.startswith("t_")


# ------------------------------------------------------------------ the property


def check(query: str, params: Params = None) -> Plan | None:
    """Parse and analyse ``query``: the plan, or None after an error that obeys the
    rules of the module docstring. Any other exception fails the test."""
    try:
        return analyze(parse(query), cluster(), params)
    except EsqlError as e:
        check_error(query, e)
        return None
    except Exception as e:  # noqa: BLE001 - the point of the test
        pytest.fail(f"{type(e).__name__}: {e}\nquery: {query!r}\nparams: {params!r}")


def check_error(query: str, error: EsqlError) -> None:
    assert isinstance(error.reason, str) and error.reason, (query, error)
    if isinstance(error, VerificationError):
        assert error.problems, query
        for p in error.problems:
            check_position(query, p.line, p.column, error)
    assert isinstance(error, (ParsingError, VerificationError, *POSITIONLESS)), (query, error)
    if isinstance(error, POSITIONLESS) and error.line is None and error.column is None:
        return
    check_position(query, error.line, error.column, error)


def check_position(query: str, line: int | None, column: int | None, error: EsqlError) -> None:
    lines = query.split("\n")
    assert line is not None and column is not None, (query, error.reason)
    assert 1 <= line <= len(lines), (query, error.reason)
    assert 1 <= column <= len(lines[line - 1]) + 1, (query, error.reason)


# ------------------------------------------------------------------ vocabularies

LITERALS = [
    "0", "1", "-1", "42", "2147483647", "2147483648", "-2147483649", "9223372036854775807",
    "9223372036854775808", "18446744073709551615", "18446744073709551616", "1.5", "0.0",
    "-0.0", "1e308", "1e-320", ".5", '"abc"', '""', '" "', '"2023-10-23T13:55:01.543Z"',
    '"1.2.3"', '"127.0.0.1"', '"::1"', '"10.0.0.0/8"', '"POINT(1 2)"', '"true"', '"1"',
    '"1.5"', '"1 day"', '"%{a} %{b}"', '"%{WORD:w} %{NUMBER:n:int}"', '"*"', '".*"', "true",
    "false", "null", "1 day", "3 hours", "2 weeks", "1 month", "1 year", "0 seconds",
    "[1, 2]", '["a", "b"]', "[1.5, 2]", "[true, false]", "[1, null]", "[null]",
]  # fmt: skip
TYPE_NAMES = sorted(CAST_NAMES) + [
    "float", "short", "byte", "object", "null", "unsupported", "counter_long", "_source",
    "DATE", "Long", "half_float", "foo", "nested",
]  # fmt: skip
PATTERNS = [
    "employees", "*", "emp*", "-employees", "employees, -employees", "*, -*", "cluster:employees",
    "remote:*", "*:*", "*:employees, employees", "-cluster:x", "nope", "nope*", "employees::failures",
    "employees::data", '"employees"', '"<logs-{now/d}>"', "employees_alias", ".hidden", "_all",
    "languages_lookup", "sample_data*", "employees, employees", "apps, apps_short",
    "employees, employees_incompatible", "*lookup*", "ul_logs", "date_nanos", "hosts, hosts_ip_is_kwd",
]  # fmt: skip
UNKNOWN_NAMES = ["nope", "`a b`", "x", "`x.y`", "_id", "_index", "@timestamp", "`*`", "a.b.c"]
PARAM_VALUES: list[object] = [
    0, 1, -5, 2**31, 2**63, 2**64, 1.5, "a", "", "2023-01-01", "employees", "1 day", True,
    None, [1, 2], ["a", "b"], [1, "a"], [], [1.5, None], [[1]],
]  # fmt: skip

_IDENTIFIERS = frozenset({T.UNQUOTED_IDENTIFIER, T.QUOTED_IDENTIFIER})
_LITERAL_TOKENS = frozenset(
    {T.INTEGER_LITERAL, T.DECIMAL_LITERAL, T.QUOTED_STRING, T.TRUE, T.FALSE, T.NULL}
)
_PLAIN_NAME = re.compile(r"[a-zA-Z_@][a-zA-Z0-9_.@]*")


def quote(name: str) -> str:
    return name if _PLAIN_NAME.fullmatch(name) and ".." not in name else f"`{name}`"


def field_name(rng: random.Random) -> str:
    if rng.random() < 0.85:
        return quote(rng.choice(all_fields()))
    return rng.choice(UNKNOWN_NAMES)


# ------------------------------------------------------------------ mutations


class _Tokens:
    """The visible tokens of one query (without EOF) and edits on its text."""

    def __init__(self, query: str):
        self.query = query
        self.tokens = [t for t in tokenize(query) if t.type not in (T.EOF, T.ERROR)]

    def where(self, test: Callable[[int, Token], bool]) -> list[int]:
        return [i for i, t in enumerate(self.tokens) if test(i, t)]

    def next_type(self, i: int) -> T | None:
        return self.tokens[i + 1].type if i + 1 < len(self.tokens) else None

    def prev_type(self, i: int) -> T | None:
        return self.tokens[i - 1].type if i > 0 else None

    def replace(self, start: int, end: int, text: str) -> str:
        return self.query[:start] + text + self.query[end:]

    def matching_paren(self, i: int) -> int | None:
        depth = 0
        for j in range(i, len(self.tokens)):
            if self.tokens[j].type in (T.LP, T.OPENING_BRACKET):
                depth += 1
            elif self.tokens[j].type in (T.RP, T.CLOSING_BRACKET):
                depth -= 1
                if depth == 0:
                    return j
        return None

    def arguments(self, lp: int) -> list[tuple[int, int]] | None:
        """Character spans of the top-level arguments between ``lp`` and its ``)``."""
        rp = self.matching_paren(lp)
        if rp is None or rp == lp + 1:
            return [] if rp is not None else None
        spans, start, depth = [], self.tokens[lp].end, 0
        for t in self.tokens[lp + 1 : rp]:
            if t.type in (T.LP, T.OPENING_BRACKET):
                depth += 1
            elif t.type in (T.RP, T.CLOSING_BRACKET):
                depth -= 1
            elif t.type is T.COMMA and depth == 0:
                spans.append((start, t.start))
                start = t.end
        spans.append((start, self.tokens[rp].start))
        return spans


def _is_call(tokens: _Tokens, i: int, t: Token) -> bool:
    return t.type in _IDENTIFIERS and tokens.next_type(i) is T.LP


def _is_field(tokens: _Tokens, i: int, t: Token) -> bool:
    if t.type is T.ID_PATTERN:
        return True
    return (
        t.type in _IDENTIFIERS
        and tokens.next_type(i) is not T.LP
        and tokens.prev_type(i) is not T.CAST_OP
    )


def _pick(rng: random.Random, items: list[int]) -> int | None:
    return rng.choice(items) if items else None


def swap_field(query: str, rng: random.Random) -> str:
    tokens = _Tokens(query)
    i = _pick(rng, tokens.where(lambda i, t: _is_field(tokens, i, t)))
    if i is None:
        return query
    t = tokens.tokens[i]
    name = field_name(rng)
    if t.type is T.ID_PATTERN and rng.random() < 0.3:
        name = name.strip("`")[: rng.randrange(1, 4)] + "*"
    return tokens.replace(t.start, t.end, name)


def swap_function(query: str, rng: random.Random) -> str:
    tokens = _Tokens(query)
    i = _pick(rng, tokens.where(lambda i, t: _is_call(tokens, i, t)))
    if i is None:
        return query
    t = tokens.tokens[i]
    name = rng.choice(function_names()) if rng.random() < 0.95 else "nope"
    return tokens.replace(t.start, t.end, name.upper() if rng.random() < 0.3 else name)


def retype_literal(query: str, rng: random.Random) -> str:
    tokens = _Tokens(query)
    i = _pick(rng, tokens.where(lambda i, t: t.type in _LITERAL_TOKENS))
    if i is None:
        return query
    t = tokens.tokens[i]
    return tokens.replace(t.start, t.end, rng.choice(LITERALS))


def insert_cast(query: str, rng: random.Random) -> str:
    tokens = _Tokens(query)
    castable = _IDENTIFIERS | _LITERAL_TOKENS | {T.RP}
    i = _pick(rng, tokens.where(lambda i, t: t.type in castable))
    if i is None:
        return query
    end = tokens.tokens[i].end
    return tokens.replace(end, end, "::" + rng.choice(TYPE_NAMES))


def edit_arguments(query: str, rng: random.Random) -> str:
    """Swap two arguments of a call, drop one, repeat one, add one or drop them all."""
    tokens = _Tokens(query)
    i = _pick(rng, tokens.where(lambda i, t: _is_call(tokens, i, t)))
    if i is None:
        return query
    spans = tokens.arguments(i + 1)
    if spans is None:
        return query
    args = [query[a:b].strip() for a, b in spans]
    kind = rng.randrange(5)
    if kind == 0 and len(args) >= 2:
        j, k = rng.sample(range(len(args)), 2)
        args[j], args[k] = args[k], args[j]
    elif kind == 1 and args:
        del args[rng.randrange(len(args))]
    elif kind == 2 and args:
        args.insert(rng.randrange(len(args) + 1), rng.choice(args))
    elif kind == 3:
        args.append(rng.choice(LITERALS) if rng.random() < 0.5 else field_name(rng))
    else:
        args = []
    start = tokens.tokens[i + 1].end
    end = spans[-1][1] if spans else start
    return tokens.replace(start, end, ", ".join(args))


def edit_commands(query: str, rng: random.Random) -> str:
    """Drop, duplicate or move a processing command."""
    tokens = _Tokens(query)
    cuts = [t.start for t in tokens.tokens if t.type is T.PIPE]
    if not cuts:
        return query
    bounds = [0, *cuts, len(query)]
    parts = [query[a:b] for a, b in zip(bounds, bounds[1:], strict=False)]
    head, commands = parts[0], parts[1:]
    kind = rng.randrange(4)
    j = rng.randrange(len(commands))
    if kind == 0:
        del commands[j]
    elif kind == 1:
        commands.insert(j, commands[j])
    elif kind == 2:
        commands.insert(rng.randrange(len(commands) + 1), commands.pop(j))
    else:  # a processing command first, the source command after it
        return commands[j].lstrip("|").strip() + " | " + head.strip() + "".join(commands)
    return head + "".join(commands)


def swap_index(query: str, rng: random.Random) -> str:
    tokens = _Tokens(query)
    i = _pick(rng, tokens.where(lambda i, t: t.type is T.UNQUOTED_SOURCE))
    if i is None:
        return query
    t = tokens.tokens[i]
    return tokens.replace(t.start, t.end, rng.choice(PATTERNS + sorted(index_fields())))


def insert_param(query: str, rng: random.Random) -> str:
    tokens = _Tokens(query)
    i = _pick(rng, tokens.where(lambda i, t: t.type in _LITERAL_TOKENS))
    if i is None:
        return query
    t = tokens.tokens[i]
    return tokens.replace(t.start, t.end, rng.choice(["?", "?", "?1", "?2", "?p", "?q", "?_x"]))


def reword(query: str, rng: random.Random) -> str:
    """Insert a keyword, operator or name between two tokens."""
    tokens = _Tokens(query)
    if not tokens.tokens:
        return query
    at = rng.choice(tokens.tokens).end
    word = rng.choice(["NOT", "-", "+", "AND true", "OR", "IS NULL", ",", "BY", "(", ")", "*"])
    return tokens.replace(at, at, f" {word} ")


MUTATIONS = [
    swap_field, swap_field, swap_function, swap_function, retype_literal, retype_literal,
    insert_cast, edit_arguments, edit_arguments, edit_commands, swap_index, insert_param,
    reword,
]  # fmt: skip


def mutate(query: str, rng: random.Random) -> str:
    for _ in range(rng.choice((1, 1, 1, 2, 2, 3))):
        query = rng.choice(MUTATIONS)(query, rng)
    return query


def params_for(query: str, rng: random.Random) -> Params:
    """Values for the ``?`` parameters of ``query``: none, too few, enough, named,
    positional or a mixture."""
    if "?" not in query or rng.random() < 0.15:
        return None
    names = re.findall(r"\?([a-zA-Z_]\w*)", query)
    values = [rng.choice(PARAM_VALUES) for _ in range(rng.randrange(4))]
    if names and rng.random() < 0.7:
        return {n: rng.choice(PARAM_VALUES) for n in names if rng.random() < 0.9}
    return values


# ------------------------------------------------------------------ mutated specs


def mutated_cases(count: int, seed: int) -> list[tuple[str, Params]]:
    """``count`` deterministic mutations of the spec queries, in turn."""
    rng = random.Random(seed)
    seeds = spec_queries()
    cases = []
    for n in range(count):
        query = mutate(seeds[n % len(seeds)], rng)
        cases.append((query, params_for(query, rng)))
    return cases


def test_deterministic_mutations_of_every_spec_query() -> None:
    for query, params in mutated_cases(5 * len(spec_queries()), seed=20250901):
        check(query, params)


@settings(FUZZ, max_examples=1_500)
@given(st.data())
def test_mutated_spec_queries(data: st.DataObject) -> None:
    query = data.draw(st.sampled_from(spec_queries()), "seed")
    rng = random.Random(data.draw(st.integers(0, 2**32), "salt"))
    query = mutate(query, rng)
    check(query, params_for(query, rng))


# ------------------------------------------------------------------ grammar

Schema = tuple[tuple[str, DataType], ...]

# Literals of each type, for arguments a function accepts.
TYPED_LITERALS: dict[DataType, list[str]] = {
    DataType.INTEGER: ["1", "0", "-3", "2147483647"],
    DataType.LONG: ["9223372036854775807", "3000000000"],
    DataType.UNSIGNED_LONG: ["18446744073709551615"],
    DataType.DOUBLE: ["1.5", "-0.0", "1e300"],
    DataType.KEYWORD: ['"abc"', '""', '"2023-10-23T13:55:01.543Z"', '"1.2.3"', '"a,b"'],
    DataType.BOOLEAN: ["true", "false"],
    DataType.DATETIME: ['"2023-10-23T13:55:01.543Z"', 'to_datetime("1985-01-01")'],
    DataType.DATE_NANOS: ['to_date_nanos("2023-10-23T13:55:01.123456789Z")'],
    DataType.IP: ['to_ip("127.0.0.1")', '"::1"'],
    DataType.VERSION: ['to_version("1.2.3")'],
    DataType.DATE_PERIOD: ["1 day", "2 months"],
    DataType.TIME_DURATION: ["1 hour", "30 minutes"],
    DataType.GEO_POINT: ['to_geopoint("POINT(1 2)")'],
    DataType.CARTESIAN_POINT: ['to_cartesianpoint("POINT(1 2)")'],
    DataType.GEO_SHAPE: ['to_geoshape("POLYGON((0 0, 1 0, 1 1, 0 0))")'],
    DataType.CARTESIAN_SHAPE: ['to_cartesianshape("POINT(1 2)")'],
    DataType.NULL: ["null"],
}
ROW_FIELDS: Schema = (
    ("a", DataType.INTEGER), ("b", DataType.KEYWORD), ("c", DataType.DOUBLE),
    ("d", DataType.DATETIME), ("e", DataType.INTEGER), ("f", DataType.BOOLEAN),
    ("g", DataType.IP), ("h", DataType.VERSION), ("i", DataType.LONG),
)  # fmt: skip
ROW_VALUES = {
    "a": ["1", "-5", "null"], "b": ['"a b"', '"x,y"', '["b", "a", "b"]'], "c": ["1.5", "[2.5, -1.0]"],
    "d": ['to_datetime("2023-01-01T00:00:00Z")'], "e": ["[1, 2, 3]", "[1]"], "f": ["true", "[true, false]"],
    "g": ['to_ip("10.0.0.1")', 'to_ip(["::1", "1.1.1.1"])'], "h": ['to_version("1.2.3")'],
    "i": ["9223372036854775807", "[1, 3000000000]"],
}  # fmt: skip


@functools.cache
def schemas() -> dict[str, Schema]:
    c = cluster()
    return {n: tuple(info.fields.items()) for n in c.indices() if (info := c.index(n)) is not None}


@functools.cache
def _names(schema: Schema) -> st.SearchStrategy[str]:
    real = st.sampled_from([quote(n) for n, _ in schema])
    other = st.sampled_from(["x", "nope", "`a b`", "_id", "_index"])
    return st.one_of(real, real, real, real, real, other)


def _literals() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(LITERALS),
        st.integers(-(2**65), 2**65).map(str),
        st.floats(allow_nan=False, allow_infinity=False).map(repr),
        st.text("ab%{}:* .\\", max_size=8).map(lambda s: '"' + s.replace("\\", "\\\\") + '"'),
    )


@functools.cache
def _argument(
    param: Param | None, schema: Schema, inner: st.SearchStrategy[str]
) -> st.SearchStrategy[str]:
    """Mostly an argument of a type ``param`` accepts: a field or a literal."""
    if param is None:
        return inner
    fields = [quote(n) for n, t in schema if t in param.types]
    literals = [lit for t in param.types for lit in TYPED_LITERALS.get(t, [])]
    typed = [st.sampled_from(options) for options in (fields, fields, literals) if options]
    return st.one_of(*typed, inner)


@functools.cache
def _call(name: str, schema: Schema, inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    fn = all_functions()[name]
    params = list(fn.params)
    required = sum(1 for p in params if not p.optional)
    top = len(params) + (2 if params and params[-1].variadic else 0)
    counts = st.integers(max(0, required - 1), top + 1) | st.integers(required, top)

    def args(count: int) -> st.SearchStrategy[list[str]]:
        picks = [params[min(i, len(params) - 1)] if params else None for i in range(count)]
        return st.tuples(*(_argument(p, schema, inner) for p in picks)).map(list)

    return counts.flatmap(args).map(lambda a: f"{fn.name}({', '.join(a)})")


@functools.cache
def _expressions(schema: Schema) -> st.SearchStrategy[str]:
    names = _names(schema)
    leaves = st.one_of(names, names, _literals(), st.sampled_from(["?", "?p"]))
    functions = [n for n in function_names() if all_functions()[n].kind != "operator"]

    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        ops = st.sampled_from(
            ["+", "-", "*", "/", "%", "==", "!=", "<", "<=", ">", ">=", "AND", "OR"]
        )
        call = st.sampled_from(functions).flatmap(lambda name: _call(name, schema, inner))
        return st.one_of(
            st.tuples(inner, ops, inner).map(lambda t: f"{t[0]} {t[1]} {t[2]}"),
            call,
            call,
            st.tuples(st.sampled_from(["-", "NOT "]), inner).map("".join),
            st.sampled_from(["count(*)", "COUNT(*)", "nope(1)", "max(*)"]),
            st.tuples(inner, st.sampled_from(TYPE_NAMES)).map(lambda t: f"({t[0]})::{t[1]}"),
            st.tuples(inner, st.sampled_from([" IS NULL", " IS NOT NULL"])).map("".join),
            st.tuples(
                inner,
                st.sampled_from([" IN ", " NOT IN "]),
                st.lists(inner, min_size=1, max_size=3),
            ).map(lambda t: f"{t[0]}{t[1]}({', '.join(t[2])})"),
            st.tuples(
                inner,
                st.sampled_from([" LIKE ", " RLIKE ", " NOT LIKE "]),
                st.sampled_from(['"a*"', '"*"', '"[a-z]+"', '"a?"', "?"]),
            ).map("".join),
            st.tuples(names, _literals()).map(lambda t: f"{t[0]} : {t[1]}"),
            inner.map(lambda s: f"({s})"),
        )

    return st.recursive(leaves, extend, max_leaves=5)


def _assignments(
    names: st.SearchStrategy[str], exprs: st.SearchStrategy[str]
) -> st.SearchStrategy[str]:
    one = st.one_of(exprs, st.tuples(names, exprs).map(lambda t: f"{t[0]} = {t[1]}"))
    return st.lists(one, min_size=1, max_size=3).map(", ".join)


@st.composite
def _command(draw: st.DrawFn, schema: Schema) -> str:
    names = _names(schema)
    exprs = _expressions(schema)
    kind = draw(st.integers(0, 14))
    if kind == 0:
        return "WHERE " + draw(exprs)
    if kind == 1:
        return "EVAL " + draw(_assignments(st.sampled_from(["x", "y"]) | names, exprs))
    if kind == 2:
        aggs = draw(_assignments(st.sampled_from(["c", "x"]), exprs))
        where = draw(st.sampled_from(["", ""]) | exprs.map(lambda e: f" WHERE {e}"))
        by = draw(st.sampled_from(["", " BY "]))
        groups = draw(_assignments(names, exprs)) if by else ""
        return (
            f"STATS {aggs}{where}{by}{groups}" if draw(st.booleans()) else f"STATS {groups or 'x'}"
        )
    if kind in (3, 4):
        pats = st.one_of(names, st.sampled_from(["*", "emp*", "*name", "languages.*", "`x*`"]))
        items = draw(st.lists(pats, min_size=1, max_size=3))
        return ("KEEP " if kind == 3 else "DROP ") + ", ".join(items)
    if kind == 5:
        return f"RENAME {draw(names)} AS {draw(names)}"
    if kind == 6:
        order = draw(st.sampled_from(["", " ASC", " DESC", " NULLS FIRST", " DESC NULLS LAST"]))
        return f"SORT {draw(exprs)}{order}"
    if kind == 7:
        return (
            f"LIMIT {draw(st.sampled_from(['0', '1', '5', '10000', '2147483647', '2147483648']))}"
        )
    if kind == 8:
        return f"MV_EXPAND {draw(names)}"
    if kind == 9:
        pattern = draw(st.sampled_from(['"%{a} %{b}"', '"%{x}"', '"%{a}->%{?b}"', '"%{}"', '"a"']))
        sep = draw(st.sampled_from(["", ' APPEND_SEPARATOR=","', " APPEND_SEPARATOR=1"]))
        return f"DISSECT {draw(names)} {pattern}{sep}"
    if kind == 10:
        pattern = draw(
            st.sampled_from(
                [
                    '"%{WORD:a} %{NUMBER:b:int}"',
                    '"%{IP:x}"',
                    '"%{NOPE:a}"',
                    '"%{WORD:a:float}"',
                    '"("',
                    '"%{WORD:x} %{WORD:x}"',
                ]
            )
        )
        return f"GROK {draw(names)} {pattern}"
    if kind == 11:
        policy = draw(
            st.sampled_from(
                sorted(cluster().policies())
                + ["nope", "_any:languages_policy", "_remote:clientip_policy"]
            )
        )
        on = draw(st.sampled_from(["", " ON "]))
        on = f"{on}{draw(names)}" if on else ""
        with_ = draw(st.sampled_from(["", " WITH "]))
        with_ = f"{with_}{draw(names)}" if with_ else ""
        return f"ENRICH {policy}{on}{with_}"
    if kind == 12:
        index = draw(st.sampled_from(sorted(schemas()) + ["nope", "lang*"]))
        return f"LOOKUP JOIN {index} ON {draw(names)}"
    if kind == 13:
        return f"SAMPLE {draw(st.sampled_from(['0.5', '0.999', '0.001', '1', '0']))}"
    return "WHERE " + draw(names) + " IS NOT NULL"


@st.composite
def queries(draw: st.DrawFn) -> str:
    """FROM an index (or ROW) then up to five random commands over its fields."""
    if draw(st.integers(0, 4)) == 0:
        schema = ROW_FIELDS
        values = [f"{n} = {draw(st.sampled_from(ROW_VALUES[n]))}" for n, _ in schema]
        source = "ROW " + ", ".join(values)
    else:
        index = draw(st.sampled_from(sorted(schemas())))
        schema = schemas()[index] or (("x", DataType.NULL),)
        source = f"FROM {index}" + draw(st.sampled_from(["", " METADATA _id, _index"]))
    commands = draw(st.lists(_command(schema), max_size=5))
    return " | ".join([source, *commands])


@settings(FUZZ, max_examples=2_500)
@given(queries(), st.sampled_from([None, [1], {"p": "a"}, ["x"], [2.5]]))
def test_grammar_queries(query: str, params: Params) -> None:
    check(query, params)


# ------------------------------------------------------------------ indices, params


@settings(FUZZ, max_examples=600)
@given(
    st.lists(
        st.deferred(lambda: st.sampled_from(PATTERNS + sorted(index_fields()))),
        min_size=1,
        max_size=3,
    ),
    st.sampled_from(["", " METADATA _id", " METADATA _index, _version, _score", " METADATA x"]),
    st.sampled_from(["", " | KEEP emp_no", " | STATS c = COUNT(*)", " | WHERE salary > 1"]),
)
def test_index_patterns(patterns: list[str], metadata: str, rest: str) -> None:
    check(f"FROM {', '.join(patterns)}{metadata}{rest}")


@settings(FUZZ, max_examples=600)
@given(
    st.lists(st.sampled_from(["?", "?1", "?2", "?p", "?q", "1", '"a"']), min_size=1, max_size=4),
    st.one_of(
        st.none(),
        st.lists(st.sampled_from(PARAM_VALUES), max_size=4),
        st.dictionaries(st.sampled_from(["p", "q", "r", "1"]), st.sampled_from(PARAM_VALUES)),
    ),
    st.sampled_from(
        [
            "ROW a = {0}",
            "ROW a = {0} + 1",
            "FROM employees | WHERE salary > {0}",
            "ROW a = abs({0})",
            "ROW a = [1, 2] | EVAL b = mv_slice(a, {0})",
            "FROM employees | STATS c = percentile(salary, {0}) BY gender",
            "ROW a = {0} | EVAL b = a::long",
            "ROW a = 1 | LIMIT {0}",
        ]
    ),
)
def test_parameters(values: list[str], params: Params, template: str) -> None:
    for value in values:
        check(template.format(value), params)


# ------------------------------------------------------------------ depth


@pytest.mark.parametrize(
    "query",
    [
        "ROW a = " + " + ".join(["1"] * 390),
        "ROW a = " + "abs(" * 190 + "1" + ")" * 190,
        "ROW a = " + "-" * 390 + "1",
        "FROM employees | WHERE " + " AND ".join(["salary > 1"] * 300),
        "FROM employees | EVAL " + ", ".join(f"x{i} = salary + {i}" for i in range(500)),
        "FROM employees" + " | EVAL x = 1" * 500,
    ],
    ids=["sum", "calls", "negations", "conjunction", "wide-eval", "long-pipe"],
)
def test_deep_and_wide_queries(query: str) -> None:
    check(query)
