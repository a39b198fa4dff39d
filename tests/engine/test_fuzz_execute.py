"""Random and mutated queries that analyse cleanly, executed over the conformance
fixture cluster: a result comes out (runtime failures are warnings in ES|QL, so most
queries succeed), or an ``EsqlError`` of our own; never anything else (a Polars
error, a KeyError, a panic of Polars' Rust code …).

The queries are those of ``tests/analysis/test_fuzz_analyzer.py`` (mutations of the
spec queries, queries of its small grammar) and calls of every function with
arguments of the types it takes (and a few it does not). Each result is also
rendered to the values of ES's JSON response, and must have the plan's columns and
respect its limit.
"""

from __future__ import annotations

import functools
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.exceptions import PanicException

from esqlsh.analysis.registry import FunctionDef, all_functions
from esqlsh.analysis.types import DataType
from esqlsh.engine.executor import execute
from esqlsh.errors import EsqlError
from esqlsh.plan.logical import LimitNode, Plan
from esqlsh.render.values import to_es_values
from tests.analysis.test_fuzz_analyzer import (
    FUZZ,
    LITERALS,
    TYPED_LITERALS,
    Params,
    check,
    cluster,
    function_names,
    mutated_cases,
    queries,
)

NOW = 1_700_000_000_000  # a fixed NOW(), so that runs repeat
EXECUTED = 1_100


def run(query: str, plan: Plan) -> None:
    """Execute ``plan`` (analysed from ``query``): a result of the plan's shape, or an
    EsqlError; anything else fails the test."""
    try:
        result = execute(plan, cluster(), now_millis=NOW)
        values = to_es_values(result)
    except EsqlError as e:
        assert isinstance(e.reason, str) and e.reason, query
        return
    except (Exception, PanicException) as e:  # noqa: BLE001 - the point of the test
        pytest.fail(f"{type(e).__name__}: {e}\nquery: {query!r}")
    assert result.columns == plan.schema, query
    assert result.frame.width == len(plan.schema), query
    limit = plan.nodes[-1]
    assert isinstance(limit, LimitNode) and len(values) <= limit.count, query
    assert all(len(row) == len(plan.schema) for row in values), query


# ------------------------------------------------------------------ mutated specs


@functools.cache
def analysed_mutations() -> tuple[tuple[str, Plan], ...]:
    """The first ``EXECUTED`` mutated spec queries that analyse cleanly."""
    plans: list[tuple[str, Plan]] = []
    for query, params in mutated_cases(6_000, seed=7):
        plan = check(query, params)
        if plan is not None:
            plans.append((query, plan))
        if len(plans) == EXECUTED:
            break
    return tuple(plans)


def test_enough_mutations_analyse() -> None:
    assert len(analysed_mutations()) == EXECUTED


@pytest.mark.parametrize("part", range(4))
def test_mutated_spec_queries_execute(part: int) -> None:
    for query, plan in analysed_mutations()[part::4]:
        run(query, plan)


# ------------------------------------------------------------------ grammar


@settings(FUZZ, max_examples=500)
@given(queries(), st.sampled_from([None, [1], {"p": "a"}, ["x"], [2.5]]))
def test_grammar_queries_execute(query: str, params: Params) -> None:
    plan = check(query, params)
    if plan is not None:
        run(query, plan)


# ------------------------------------------------------------------ every function

# Values of each type (several multi-valued), as ROW fields for the calls below.
SWEEP_FIELDS: dict[str, tuple[DataType, str]] = {
    "i": (DataType.INTEGER, "1"),
    "ints": (DataType.INTEGER, "[3, -1, 3]"),
    "l": (DataType.LONG, "3000000000"),
    "u": (DataType.UNSIGNED_LONG, "to_ul(5)"),
    "d": (DataType.DOUBLE, "1.5"),
    "ds": (DataType.DOUBLE, "[1.5, -2.5]"),
    "k": (DataType.KEYWORD, '"x y"'),
    "ks": (DataType.KEYWORD, '["b", "a"]'),
    "e": (DataType.KEYWORD, '""'),
    "b": (DataType.BOOLEAN, "true"),
    "t": (DataType.DATETIME, "to_datetime(1672574400000)"),
    "far": (DataType.DATETIME, "to_datetime(9223372036854775807)"),
    "n": (DataType.DATE_NANOS, "to_date_nanos(1672574400123456789)"),
    "ip": (DataType.IP, 'to_ip(["127.0.0.1", "::1"])'),
    "v": (DataType.VERSION, 'to_version("1.2.3")'),
    "g": (DataType.GEO_POINT, 'to_geopoint("POINT(1 2)")'),
    "z": (DataType.NULL, "null"),
}


def _argument(fn: FunctionDef, index: int, rng: random.Random) -> str:
    """A field or literal of a type parameter ``index`` takes; now and then any."""
    param = fn.params[min(index, len(fn.params) - 1)]
    fields = [name for name, (t, _) in SWEEP_FIELDS.items() if t in param.types]
    literals = [lit for t in param.types for lit in TYPED_LITERALS.get(t, [])]
    if rng.random() < 0.1 or not fields + literals:
        return rng.choice([*SWEEP_FIELDS, *LITERALS])
    return rng.choice(fields + literals)


def _call(fn: FunctionDef, rng: random.Random) -> tuple[str, list[str]]:
    """A call of ``fn`` and the fields it reads."""
    params = fn.params
    count = len(params)
    if params and params[-1].variadic:
        count += rng.randrange(3)
    if any(p.optional for p in params):
        count -= rng.randrange(2)
    args = [_argument(fn, i, rng) for i in range(max(count, 0))] if params else []
    return f"{fn.name}({', '.join(args)})", [a for a in args if a in SWEEP_FIELDS]


def function_sweep(per_function: int, seed: int) -> list[str]:
    """``per_function`` queries calling each function (operators excepted), over a
    ROW of the fields the call reads (a wider ROW costs every query)."""
    rng = random.Random(seed)
    out = []
    for name in function_names():
        fn = all_functions()[name]
        if fn.kind == "operator" or fn.name != name:  # aliases share a definition
            continue
        for _ in range(per_function):
            call, fields = _call(fn, rng)
            if fn.kind == "aggregate":
                fields.append("ints")
            row = "ROW " + ", ".join(f"{f} = {SWEEP_FIELDS[f][1]}" for f in dict.fromkeys(fields))
            row = row if fields else "ROW r = 1"
            if fn.kind == "aggregate":
                by = rng.choice(["", " BY ints", f" BY {fields[0]}"])
                out.append(f"{row} | MV_EXPAND ints | STATS x = {call}{by}")
            elif fn.kind == "grouping":
                out.append(f"{row} | STATS c = COUNT(*) BY x = {call}")
            else:
                then = rng.choice(
                    [
                        "",
                        " | WHERE x IS NOT NULL",
                        " | SORT x | LIMIT 1",
                        " | STATS c = COUNT(*) BY x",
                        " | MV_EXPAND x",
                    ]
                )
                out.append(f"{row} | EVAL x = {call}{then}")
    return out


@pytest.mark.parametrize("part", range(2))
def test_every_function_executes(part: int) -> None:
    executed = 0
    for query in function_sweep(8, seed=part):
        plan = check(query)
        if plan is not None:
            run(query, plan)
            executed += 1
    assert executed >= 600  # most calls are well typed: the sweep must stay useful
