"""End to end through ``run_query``: parse, analyze, execute over an in-memory
storage, with the real function implementations."""

from __future__ import annotations

import pytest

from esqlsh.analysis.types import DataType as T
from esqlsh.coordinator.session import run_query
from tests.engine.memstorage import MemStorage

MULTI = "java.lang.IllegalArgumentException: single-value function encountered multi-value"
NO_LIMIT = "No limit defined, adding default limit of [1000]"


@pytest.fixture
def storage() -> MemStorage:
    s = MemStorage()
    s.add(
        "emp",
        {"emp_no": T.INTEGER, "gender": T.KEYWORD, "change": T.INTEGER, "salary": T.INTEGER},
        {
            "emp_no": [1, 2, 3, 4, 5],
            "gender": ["M", "F", None, "M", "F"],
            "change": [[1, 2], 0, [-3], None, 7],
            "salary": [100, 200, 300, 400, 500],
        },
    )
    s.add(
        "langs",
        {"change": T.INTEGER, "name": T.KEYWORD},
        {"change": [0, 7, 7, [1, 2]], "name": ["zero", "seven", "sept", "multi"]},
        mode="lookup",
    )
    return s


def test_row_and_eval(storage: MemStorage) -> None:
    result = run_query("ROW a = 1, b = [1, 2] | EVAL c = a + 10", storage)
    assert [a.name for a in result.columns] == ["a", "b", "c"]
    assert result.frame.rows() == [(1, [1, 2], 11)]
    assert result.warnings == [NO_LIMIT]
    assert result.took_ms >= 0


def test_multi_value_warning_positions(storage: MemStorage) -> None:
    result = run_query("ROW a = [1, 2]\n| EVAL b = a + 1 | LIMIT 1", storage)
    assert result.frame.rows() == [([1, 2], None)]
    assert result.warnings == [
        "Line 2:12: evaluation of [a + 1] failed, treating result as null. Only first 20 failures recorded.",
        f"Line 2:12: {MULTI}",
    ]


def test_where_on_the_index_is_silent_about_multi_values(storage: MemStorage) -> None:
    # Elasticsearch runs it as a Lucene query: multi-valued documents just do not match.
    result = run_query("FROM emp | WHERE change < 1 | KEEP emp_no | LIMIT 10", storage)
    assert result.frame["emp_no"].to_list() == [2, 3]
    assert result.warnings == []


def test_where_after_eval_warns(storage: MemStorage) -> None:
    result = run_query("FROM emp | EVAL c = change | WHERE c < 1 | KEEP emp_no | LIMIT 10", storage)
    assert result.frame["emp_no"].to_list() == [2, 3]
    assert result.warnings[1] == f"Line 1:36: {MULTI}"


def test_stats_null_group_first(storage: MemStorage) -> None:
    result = run_query("FROM emp | STATS s = SUM(salary) BY gender | LIMIT 10", storage)
    assert result.frame.rows() == [(300, None), (500, "M"), (700, "F")]


def test_filter_moves_before_lookup_join(storage: MemStorage) -> None:
    # WHERE emp_no == 5 runs first, so the multi-valued key of emp 1 is never looked up.
    query = (
        "FROM emp | LOOKUP JOIN langs ON change | WHERE emp_no == 5 | KEEP emp_no, name | LIMIT 10"
    )
    result = run_query(query, storage)
    assert result.frame.rows() == [(5, "seven"), (5, "sept")]
    assert result.warnings == []


def test_lookup_join_multi_valued_key(storage: MemStorage) -> None:
    query = (
        "FROM emp\n| LOOKUP JOIN langs ON change | KEEP emp_no, name | SORT emp_no, name | LIMIT 10"
    )
    result = run_query(query, storage)
    assert result.frame.rows() == [
        (1, None),
        (2, "zero"),
        (3, None),
        (4, None),
        (5, "sept"),
        (5, "seven"),
    ]
    assert result.warnings == [
        "Line 2:3: evaluation of [LOOKUP JOIN langs ON change] failed, treating result as null. "
        "Only first 20 failures recorded.",
        "Line 2:3: java.lang.IllegalArgumentException: LOOKUP JOIN encountered multi-value",
    ]


def test_mv_expand_then_limit_stays_small(storage: MemStorage) -> None:
    values = ", ".join(str(i) for i in range(40))
    fields = ", ".join(f"{c} = [{values}]" for c in "abcdef")
    expands = " ".join(f"| MV_EXPAND {c}" for c in "abcdef")
    result = run_query(f"ROW {fields} {expands} | LIMIT 3", storage)
    assert result.frame["f"].to_list() == [0, 1, 2]


def test_dissect_and_sort(storage: MemStorage) -> None:
    query = 'ROW a = "x-1" | DISSECT a "%{k}-%{v}" | KEEP v, k'
    assert run_query(query, storage).frame.rows() == [("1", "x")]


def test_columns_named_like_polars_patterns(storage: MemStorage) -> None:
    # Polars reads ``*`` and ``^…$`` as patterns; ES|QL columns may be named so.
    query = (
        "ROW x = 3, `*` = [2, 1], `^x$` = 5 | MV_EXPAND `*` | SORT `*` | EVAL y = `*` + `^x$`"
        "| STATS m = MAX(y) BY `*`, x | DROP x"
    )
    result = run_query(query, storage)
    assert [a.name for a in result.columns] == ["m", "*"]
    assert result.frame.rows() == [(6, 1), (7, 2)]
    kept = run_query("ROW `*` = 1, a = 2, `^a$` = 3 | DROP a | KEEP `^a$`", storage)
    assert kept.frame.rows() == [(3,)]


def test_constant_parameters_of_aggregates_may_be_expressions(storage: MemStorage) -> None:
    # Elasticsearch folds them: PERCENTILE(x, 10 + 40) is PERCENTILE(x, 50).
    query = 'FROM emp | STATS a = PERCENTILE(salary, 10 + 40), b = TOP(salary, 1 + 1, "desc")'
    assert run_query(query, storage).frame.rows() == [(300.0, [500, 400])]
