"""STATS: groups (multi-valued and null keys), COUNT(*), filters, expressions over
aggregates, constant parameters, empty input."""

from __future__ import annotations

import pytest

from esqlsh.analysis.types import DataType as T
from esqlsh.engine.executor import execute
from esqlsh.plan.logical import Aggregate, AggSpec, Filter, Plan, Relation
from tests.engine.conftest import call, count_star, lit, ref, schema
from tests.engine.memstorage import MemStorage

SRC = schema(("g", T.KEYWORD), ("x", T.INTEGER), ("tags", T.KEYWORD))


@pytest.fixture
def storage() -> MemStorage:
    s = MemStorage()
    s.add(
        "t",
        {a.name: a.type for a in SRC},
        {
            "g": ["a", "b", "a", None, "b"],
            "x": [1, 2, 3, 4, None],
            "tags": [["p", "q"], "p", None, "q", ["q", "r"]],
        },
    )
    return s


def _stats(storage: MemStorage, node: Aggregate, *before: object) -> list[tuple[object, ...]]:
    plan = Plan((Relation("t", ("t",), SRC), *before, node))  # type: ignore[arg-type]
    return execute(plan, storage).frame.rows()


X = ref("x", T.INTEGER)


def test_group_by_with_null_group(storage: MemStorage) -> None:
    node = Aggregate(
        (AggSpec("c", count_star()), AggSpec("s", call("t_sum", X, t=T.LONG))),
        (("g", ref("g", T.KEYWORD)),),
        schema(("c", T.LONG), ("s", T.LONG), ("g", T.KEYWORD)),
    )
    # null first (Elasticsearch gives it group id 0), then by first appearance
    assert _stats(storage, node) == [(1, 4, None), (2, 4, "a"), (2, 2, "b")]


def test_multi_valued_keys_count_in_each_group(storage: MemStorage) -> None:
    node = Aggregate(
        (AggSpec("c", count_star()),),
        (("tags", ref("tags", T.KEYWORD)),),
        schema(("c", T.LONG), ("tags", T.KEYWORD)),
    )
    assert sorted(_stats(storage, node), key=str) == sorted(
        [(2, "p"), (3, "q"), (1, "r"), (1, None)], key=str
    )


def test_two_groups(storage: MemStorage) -> None:
    node = Aggregate(
        (AggSpec("c", count_star()),),
        (("g", ref("g", T.KEYWORD)), ("tags", ref("tags", T.KEYWORD))),
        schema(("c", T.LONG), ("g", T.KEYWORD), ("tags", T.KEYWORD)),
    )
    rows = _stats(storage, node)
    assert (1, "a", "p") in rows and (1, "b", "r") in rows and len(rows) == 7


def test_no_by_on_no_rows_gives_one_row(storage: MemStorage) -> None:
    node = Aggregate(
        (AggSpec("c", count_star()), AggSpec("s", call("t_sum", X, t=T.LONG))),
        (),
        schema(("c", T.LONG), ("s", T.LONG)),
    )
    assert _stats(storage, node, Filter(lit(False, T.BOOLEAN), SRC)) == [(0, None)]


def test_by_on_no_rows_gives_no_rows(storage: MemStorage) -> None:
    node = Aggregate(
        (AggSpec("c", count_star()),),
        (("g", ref("g", T.KEYWORD)),),
        schema(("c", T.LONG), ("g", T.KEYWORD)),
    )
    assert _stats(storage, node, Filter(lit(False, T.BOOLEAN), SRC)) == []


def test_aggregate_filters(storage: MemStorage) -> None:
    big = call("t_gt", X, lit(1, T.INTEGER), t=T.BOOLEAN)
    node = Aggregate(
        (
            AggSpec("all", count_star()),
            AggSpec("big", count_star(), filter=big),
            AggSpec("s", call("t_sum", X, t=T.LONG), filter=big),
            AggSpec("n", call("t_count", X, t=T.LONG), filter=big),
        ),
        (),
        schema(("all", T.LONG), ("big", T.LONG), ("s", T.LONG), ("n", T.LONG)),
    )
    assert _stats(storage, node) == [(5, 3, 9, 3)]


def test_expressions_over_aggregates(storage: MemStorage) -> None:
    expr = call("t_add", call("t_sum", X, t=T.LONG), count_star(), t=T.LONG)
    node = Aggregate(
        (AggSpec("e", expr),),
        (("g", ref("g", T.KEYWORD)),),
        schema(("e", T.LONG), ("g", T.KEYWORD)),
    )
    assert _stats(storage, node) == [(5, None), (6, "a"), (4, "b")]


def test_aggregate_arguments_are_expressions(storage: MemStorage) -> None:
    arg = call("t_add", X, lit(10, T.INTEGER), t=T.INTEGER)
    node = Aggregate((AggSpec("s", call("t_sum", arg, t=T.LONG)),), (), schema(("s", T.LONG)))
    assert _stats(storage, node) == [(50,)]


def test_constant_parameters_reach_the_implementation(storage: MemStorage) -> None:
    node = Aggregate(
        (AggSpec("p", call("t_percentile", X, lit(50, T.INTEGER), t=T.DOUBLE)),),
        (),
        schema(("p", T.DOUBLE)),
    )
    assert _stats(storage, node) == [(3.0,)]  # nearest rank, as the test impl does


def test_multi_valued_results(storage: MemStorage) -> None:
    node = Aggregate(
        (AggSpec("v", call("t_values", ref("tags", T.KEYWORD), t=T.KEYWORD)),),
        (("g", ref("g", T.KEYWORD)),),
        schema(("v", T.KEYWORD), ("g", T.KEYWORD)),
    )
    assert _stats(storage, node) == [(["q"], None), (["p", "q"], "a"), (["p", "q", "r"], "b")]


def test_failures_in_arguments_are_reported(storage: MemStorage) -> None:
    arg = call("t_div", X, lit(0, T.INTEGER), t=T.INTEGER, text="x / 0", column=20)
    node = Aggregate((AggSpec("s", call("t_sum", arg, t=T.LONG)),), (), schema(("s", T.LONG)))
    plan = Plan((Relation("t", ("t",), SRC), node))
    result = execute(plan, storage)
    assert result.frame.rows() == [(None,)]
    assert result.warnings[-1] == "Line 1:20: java.lang.ArithmeticException: / by zero"


def test_grouping_expression(storage: MemStorage) -> None:
    key = call("t_gt", X, lit(2, T.INTEGER), t=T.BOOLEAN)
    node = Aggregate(
        (AggSpec("c", count_star()),), (("big", key),), schema(("c", T.LONG), ("big", T.BOOLEAN))
    )
    assert _stats(storage, node) == [(1, None), (2, False), (2, True)]
