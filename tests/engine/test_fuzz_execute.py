"""Random and mutated queries that analyse cleanly, executed over the conformance
fixture cluster: a result comes out (runtime failures are warnings in ES|QL, so most
queries succeed), or an ``EsqlError`` of our own; never anything else.

The queries are those of ``tests/analysis/test_fuzz_analyzer.py``: mutations of the
spec queries and queries of its small grammar. Each result is also rendered to the
values of ES's JSON response, and must have the plan's columns and respect its limit.
"""

from __future__ import annotations

import functools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from esqlsh.engine.executor import execute
from esqlsh.errors import EsqlError
from esqlsh.plan.logical import LimitNode, Plan
from esqlsh.render.values import to_es_values
from tests.analysis.test_fuzz_analyzer import FUZZ, Params, check, cluster, mutated_cases, queries

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
    except Exception as e:  # noqa: BLE001 - the point of the test
        pytest.fail(f"{type(e).__name__}: {e}\nquery: {query!r}")
    assert result.columns == plan.schema, query
    assert result.frame.width == len(plan.schema), query
    limit = plan.nodes[-1]
    assert isinstance(limit, LimitNode) and len(values) <= limit.count, query
    assert all(len(row) == len(plan.schema) for row in values), query


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


@settings(FUZZ, max_examples=500)
@given(queries(), st.sampled_from([None, [1], {"p": "a"}, ["x"], [2.5]]))
def test_grammar_queries_execute(query: str, params: Params) -> None:
    plan = check(query, params)
    if plan is not None:
        run(query, plan)
