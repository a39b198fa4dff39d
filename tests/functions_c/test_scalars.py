"""DAY_NAME, MONTH_NAME, ACOSH, ASINH, ATANH, CONTAINS and MV_CONTAINS (Elasticsearch
9.2+) with the examples of Elasticsearch's function docs."""

from __future__ import annotations

import pytest

from tests.engine.memstorage import MemStorage
from tests.functions_c.helpers import employees, query


@pytest.fixture(scope="module")
def storage() -> MemStorage:
    return employees()


def test_day_and_month_names(storage: MemStorage) -> None:
    rows, _ = query(
        storage,
        'ROW dt = TO_DATETIME("1953-09-02T00:00:00.000Z"), m = TO_DATETIME("1996-03-21T00:00:00.000Z") '
        "| EVAL weekday = DAY_NAME(dt), monthName = MONTH_NAME(m), "
        "n = DAY_NAME(TO_DATE_NANOS(m)), none = MONTH_NAME(null) | KEEP weekday, monthName, n, none",
    )
    assert rows == [["Wednesday", "March", "Thursday", None]]


def test_names_of_dates_beyond_the_calendar(storage: MemStorage) -> None:
    # Long.MAX_VALUE millis is +292278994-08-17T07:12:55.807Z, a Sunday
    rows, warnings = query(
        storage,
        "ROW far = TO_DATETIME(9223372036854775807) | EVAL d = DAY_NAME(far), m = MONTH_NAME(far) "
        "| KEEP d, m",
    )
    assert rows == [["Sunday", "August"]]
    assert warnings == []


def test_inverse_hyperbolic_functions(storage: MemStorage) -> None:
    rows, _ = query(
        storage, "ROW a = 1.8 | EVAL acosh = ACOSH(a), asinh = ASINH(a), atanh = ATANH(0.5)"
    )
    assert rows == [[1.8, 1.1929107309930491, 1.3504407402749725, 0.5493061443340548]]


def test_inverse_hyperbolic_out_of_range(storage: MemStorage) -> None:
    rows, warnings = query(
        storage, "ROW a = 0.5, b = 1 | EVAL c = ACOSH(a), t = ATANH(b) | KEEP c, t"
    )
    assert rows == [[None, None]]
    assert warnings == [
        "Line 1:31: evaluation of [ACOSH(a)] failed, treating result as null. "
        "Only first 20 failures recorded.",
        "Line 1:31: java.lang.ArithmeticException: Acosh input out of range",
        "Line 1:45: evaluation of [ATANH(b)] failed, treating result as null. "
        "Only first 20 failures recorded.",
        "Line 1:45: java.lang.ArithmeticException: Atanh input out of range",
    ]


def test_contains(storage: MemStorage) -> None:
    rows, _ = query(
        storage,
        'ROW a = "hello" | EVAL has_ll = CONTAINS(a, "ll"), no = CONTAINS(a, "x"), '
        'dot = CONTAINS("a.b", "."), n = CONTAINS(a, null)',
    )
    assert rows == [["hello", True, False, True, None]]


def test_mv_contains_docs_examples(storage: MemStorage) -> None:
    rows, _ = query(
        storage,
        'ROW set = ["a", "b", "c"], element = "a" | EVAL set_contains_element = mv_contains(set, element)',
    )
    assert rows == [[["a", "b", "c"], "a", True]]
    rows, _ = query(
        storage,
        'ROW setA = ["a","c"], setB = ["a", "b", "c"] | EVAL a_subset_of_b = mv_contains(setB, setA) '
        "| EVAL b_subset_of_a = mv_contains(setA, setB)",
    )
    assert rows == [[["a", "c"], ["a", "b", "c"], True, False]]


def test_mv_contains_null_is_the_empty_set(storage: MemStorage) -> None:
    rows, _ = query(
        storage,
        'FROM emp | EVAL c = MV_CONTAINS(jobs, "Accountant"), e = MV_CONTAINS(jobs, null) '
        "| KEEP emp_no, c, e | SORT emp_no | LIMIT 3",
    )
    assert rows == [[10001, True, True], [10002, False, True], [10003, False, True]]
