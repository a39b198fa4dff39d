"""FIRST and LAST (and TOP with an output field, PRESENT, ABSENT): aggregations of
Elasticsearch after 9.1, with cases from its stats_first_last, null and docs specs."""

from __future__ import annotations

import pytest

from esqlsh.syntax.parser import parse
from tests.engine.memstorage import MemStorage
from tests.functions_c.helpers import columns_of, employees, query

# ES's stats_first_last.csv-spec builds its rows like this
DATASET = """ROW row = [
  "2025-11-25T00:00:00.000Z | alpha   | 1",
  "2025-11-25T00:00:01.000Z | alpha   | 2",
  "2025-11-25T00:00:02.000Z | bravo   | ",
  "2025-11-25T00:00:03.000Z | alpha   | 4",
  "2025-11-25T00:00:04.000Z | bravo   | 5",
  "2025-11-25T00:00:05.000Z | charlie | 6",
  "2025-11-25T00:00:06.000Z | delta   | "
]
| MV_EXPAND row
| DISSECT row \"\"\"%{@timestamp} | %{name} | %{number}\"\"\"
| KEEP @timestamp, name, number
| EVAL @timestamp = TO_DATETIME(@timestamp), name = TRIM(name), number = TO_LONG(number)
"""


@pytest.fixture(scope="module")
def storage() -> MemStorage:
    return employees()


def test_first_and_last_by_timestamp(storage: MemStorage) -> None:
    rows, _ = query(
        storage,
        DATASET + "| STATS f = FIRST(number, @timestamp), l = LAST(number, @timestamp)",
    )
    assert rows == [[1, None]]  # the latest row (delta) has no number


def test_last_by_group(storage: MemStorage) -> None:
    rows, _ = query(storage, DATASET + "| STATS l = LAST(number, @timestamp) BY name | SORT name")
    assert rows == [[4, "alpha"], [5, "bravo"], [6, "charlie"], [None, "delta"]]


def test_first_takes_multi_values_whole_and_sorts_null_keys_last(storage: MemStorage) -> None:
    rows, _ = query(
        storage,
        "FROM emp | STATS j = FIRST(jobs, hired), k = FIRST(first_name, languages), "
        "m = LAST(first_name, languages)",
    )
    # emp 10005 has the earliest hire date but no jobs; languages: 10005 has none
    assert rows == [[None, "Georgi", "Bezalel"]]
    rows, _ = query(storage, "FROM emp | WHERE emp_no == 10001 | STATS j = FIRST(jobs, emp_no)")
    assert rows == [[["Accountant", "Senior Python Developer"]]]


def test_null_arguments_as_in_null_spec(storage: MemStorage) -> None:
    # null.csv-spec nullLiteralArgInMultiInputAggs
    text = (
        'FROM emp | STATS w = WEIGHTED_AVG(null, 2), t1 = TOP(null, 3, "asc"), '
        't2 = TOP(salary, 3, "asc", null), f1 = FIRST(null, emp_no), f2 = FIRST(emp_no, null), '
        "f3 = FIRST(null, null), l1 = LAST(null, emp_no), l2 = LAST(emp_no, null), "
        "l3 = LAST(null, null)"
    )
    assert [t for _, t in columns_of(storage, text)] == [
        "double",
        "null",
        "null",
        "null",
        "integer",
        "null",
        "null",
        "integer",
        "null",
    ]
    rows, _ = query(storage, text)
    assert rows == [[None, None, None, None, 10001, None, None, 10001, None]]


def test_empty_input_gives_null(storage: MemStorage) -> None:
    rows, _ = query(storage, "FROM emp | WHERE emp_no < 0 | STATS f = FIRST(salary, hired)")
    assert rows == [[None]]


def test_first_and_last_are_function_names_but_nulls_first_still_parses() -> None:
    parse("ROW a = 1 | STATS f = FIRST(a, a), l = last (a, a)")
    parse("ROW a = 1 | SORT a ASC NULLS FIRST | SORT a DESC NULLS LAST")


def test_top_with_output_field(storage: MemStorage) -> None:
    rows, _ = query(
        storage,
        'FROM emp | STATS names = TOP(salary, 2, "desc", first_name), '
        'low = TOP(salary, 1, "asc", emp_no), plain = TOP(salary, 2)',
    )
    assert rows == [[["Kyoichi", "Parto"], 10004, [36174, 56371]]]


def test_present_and_absent(storage: MemStorage) -> None:
    # ES's PRESENT docs examples
    rows, _ = query(storage, "FROM emp | STATS is_present = PRESENT(languages)")
    assert rows == [[True]]
    rows, _ = query(
        storage,
        "FROM emp | WHERE emp_no == 10005 | STATS p = TO_INTEGER(PRESENT(languages)), "
        "a = ABSENT(languages), n = PRESENT(null)",
    )
    assert rows == [[0, True, False]]
    rows, _ = query(storage, "FROM emp | STATS p = PRESENT(languages) BY gender | SORT gender")
    assert rows == [[True, "F"], [True, "M"]]
