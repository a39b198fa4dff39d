"""Part A's functions through the whole pipeline (parse, analyze, execute) over a
small in-memory index."""

from __future__ import annotations

from typing import Any

import pytest

from esqlsh.analysis.types import DataType as T
from esqlsh.coordinator.session import run_query
from esqlsh.errors import EsqlError
from esqlsh.render.values import to_es_values
from tests.engine.memstorage import MemStorage

LIMIT_WARNING = "No limit defined, adding default limit of [1000]"


@pytest.fixture(scope="module")
def storage() -> MemStorage:
    s = MemStorage()
    s.add(
        "emp",
        {
            "id": T.INTEGER,
            "name": T.KEYWORD,
            "salary": T.INTEGER,
            "height": T.DOUBLE,
            "hired": T.DATETIME,
            "langs": T.INTEGER,
            "ip": T.IP,
            "ver": T.VERSION,
            "big": T.UNSIGNED_LONG,
        },
        {
            "id": [1, 2, 3, 4],
            "name": ["Georgi", "Bezalel", None, "Parto"],
            "salary": [57305, 56371, 61805, 36174],
            "height": [2.03, 2.08, 1.83, 1.78],
            "hired": [520128000000, 501379200000, 525571200000, 498441600000],
            "langs": [[1, 2], 5, None, [4]],
            "ip": ["10.0.0.2", "9.0.0.1", "::1", None],
            "ver": ["1.11.0", "1.2.3", "bad", "5.2.9-SNAPSHOT"],
            "big": [2**64 - 1, 1, 0, 2**63],
        },
    )
    return s


def query(storage: MemStorage, text: str) -> tuple[list[list[Any]], list[str]]:
    result = run_query(text, storage)
    warnings = [w for w in result.warnings if w != LIMIT_WARNING]
    return to_es_values(result), warnings


def test_long_overflow_warns(storage: MemStorage) -> None:
    rows, warnings = query(storage, "ROW a = 9223372036854775807 | EVAL b = a + 1, c = a - 1")
    assert rows == [[9223372036854775807, None, 9223372036854775806]]
    assert warnings == [
        "Line 1:40: evaluation of [a + 1] failed, treating result as null. Only first 20 failures recorded.",
        "Line 1:40: java.lang.ArithmeticException: long overflow",
    ]


def test_arithmetic_and_comparisons_over_fields(storage: MemStorage) -> None:
    rows, warnings = query(
        storage,
        "FROM emp | EVAL d = salary / 1000, m = salary % 1000, h = height * 2, "
        'gt = ip > "9.0.0.5", v = ver < "1.5" | KEEP id, d, m, h, gt, v | SORT id',
    )
    assert rows == [
        [1, 57, 305, 4.06, True, False],
        [2, 56, 371, 4.16, False, True],
        [3, 61, 805, 3.66, False, False],
        [4, 36, 174, 3.56, None, False],
    ]
    assert warnings == []


def test_unsigned_long_sum_overflow(storage: MemStorage) -> None:
    rows, warnings = query(storage, "FROM emp | EVAL b = big + big | KEEP id, b | SORT id")
    assert rows == [[1, None], [2, 2], [3, 0], [4, None]]
    assert warnings[1] == "Line 1:21: java.lang.ArithmeticException: unsigned_long overflow"


def test_conversions(storage: MemStorage) -> None:
    rows, warnings = query(
        storage,
        'ROW s = ["1", "foo", "2.7"] | EVAL l = TO_LONG(s), d = TO_DBL(s), t = TO_STRING(1.0E20)',
    )
    assert rows == [[["1", "foo", "2.7"], [1, 3], [1.0, 2.7], "1.0E20"]]
    assert 'Line 1:40: java.lang.NumberFormatException: For input string: "foo"' in warnings


def test_case_and_coalesce(storage: MemStorage) -> None:
    rows, warnings = query(
        storage,
        'FROM emp | EVAL c = CASE(langs > 1, "multi", "mono"), n = COALESCE(name, "X"), '
        "g = GREATEST(langs, 3) | KEEP id, c, n, g | SORT id",
    )
    assert rows == [
        [1, "mono", "Georgi", 3],
        [2, "multi", "Bezalel", 5],
        [3, "mono", "X", None],
        [4, "multi", "Parto", 4],
    ]
    assert warnings == [
        "Line 1:26: evaluation of [langs > 1] failed, treating result as null. Only first 20 failures recorded.",
        "Line 1:26: java.lang.IllegalArgumentException: single-value function encountered multi-value",
    ]


def test_case_multivalued_condition(storage: MemStorage) -> None:
    rows, warnings = query(storage, 'ROW c = [true, false] | EVAL x = CASE(c, "a", "b")')
    assert rows == [[[True, False], "b"]]
    assert warnings[0].endswith(
        "failed, treating result as false. Only first 20 failures recorded."
    )


def test_stats(storage: MemStorage) -> None:
    rows, _ = query(
        storage,
        "FROM emp | STATS c = COUNT(langs), s = SUM(salary), a = AVG(salary), mx = MAX(ip), "
        'mn = MIN(ver), med = MEDIAN(height), v = VALUES(langs), t = TOP(salary, 2, "desc")',
    )
    assert rows == [[4, 211655, 52913.75, "10.0.0.2", "1.2.3", 1.93, [1, 2, 5, 4], [61805, 57305]]]


def test_stats_by_bucket(storage: MemStorage) -> None:
    rows, _ = query(
        storage,
        "FROM emp | STATS c = COUNT(*) BY b = BUCKET(salary, 20, 25000, 75000) | SORT b",
    )
    assert rows == [[1, 35000.0], [2, 55000.0], [1, 60000.0]]
    rows, _ = query(
        storage,
        "FROM emp | STATS c = COUNT(*) BY m = BUCKET(hired, 1 year) | SORT m",
    )
    assert rows == [[2, "1985-01-01T00:00:00.000Z"], [2, "1986-01-01T00:00:00.000Z"]]


def test_in_like_rlike(storage: MemStorage) -> None:
    rows, _ = query(
        storage,
        'FROM emp | WHERE name LIKE "*e*" OR name RLIKE "P.r.*" OR id IN (5, null) | KEEP id | SORT id',
    )
    assert rows == [[1], [2], [4]]


def test_type_errors_use_elasticsearch_wording(storage: MemStorage) -> None:
    with pytest.raises(EsqlError, match=r"\[-\] arguments are in unsupported order"):
        query(storage, "FROM emp | EVAL x = 1 day - hired")
    with pytest.raises(
        EsqlError, match=r"is \[keyword\] so second argument must also be \[keyword\]"
    ):
        query(storage, "FROM emp | WHERE name == 1")
