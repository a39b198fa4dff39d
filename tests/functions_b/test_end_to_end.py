"""Part B's functions through the whole pipeline (parse, analyze, execute) over a
small in-memory index."""

from __future__ import annotations

from typing import Any

import pytest

from esqlsh.analysis.types import DataType as T
from esqlsh.coordinator.session import run_query
from esqlsh.errors import EsqlError, VerificationError
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
            "tags": T.KEYWORD,
        },
        {
            "id": [1, 2, 3, 4],
            "name": ["Georgi", "Bezalel", None, "Parto"],
            "salary": [57305, 56371, 61805, 36174],
            "height": [2.03, 1.87, 1.83, 1.94],
            "hired": [520128000000, 501379200000, 525571200000, 498441600000],
            "langs": [[1, 2], 5, None, [4]],
            "ip": ["10.0.0.2", "9.0.0.1", "::1", None],
            "tags": [["b", "a"], "c", None, ["x", "y", "z"]],
        },
    )
    return s


def query(storage: MemStorage, text: str) -> tuple[list[list[Any]], list[str]]:
    result = run_query(text, storage)
    warnings = [w for w in result.warnings if w != LIMIT_WARNING]
    return to_es_values(result), warnings


def test_math_over_fields(storage: MemStorage) -> None:
    rows, warnings = query(
        storage,
        "FROM emp | EVAL r = ROUND(height, 1), l = LOG(5, salary), s = SQRT(salary - 57000), "
        "p = POW(2, id) | KEEP id, r, l, s, p | SORT id",
    )
    assert rows == [
        [1, 2.0, 6.807434492680007, 17.46424919657298, 2.0],
        [2, 1.9, 6.797224072039991, None, 4.0],
        [3, 1.8, 6.8544051690926135, 69.31810730249349, 8.0],
        [4, 1.9, 6.5215910639530374, None, 16.0],
    ]
    assert warnings == [
        "Line 1:63: evaluation of [SQRT(salary - 57000)] failed, treating result as null. Only first 20 failures recorded.",
        "Line 1:63: java.lang.ArithmeticException: Square root of negative",
    ]


def test_types_in_the_response(storage: MemStorage) -> None:
    result = run_query(
        "ROW a = ABS(-2), b = SQRT(4), c = ROUND(2.5), d = ABS(null), e = E()", storage
    )
    assert [(c.name, c.type.value) for c in result.columns] == [
        ("a", "integer"),
        ("b", "double"),
        ("c", "double"),
        ("d", "null"),
        ("e", "double"),
    ]
    assert to_es_values(result) == [[2, 2.0, 3.0, None, 2.718281828459045]]


def test_strings(storage: MemStorage) -> None:
    rows, warnings = query(
        storage,
        'FROM emp | EVAL l = LENGTH(name), s = SUBSTRING(name, -3), c = CONCAT(name, "!"), '
        'u = TO_UPPER(tags), sp = SPLIT(name, "e") | KEEP id, l, s, c, u, sp | SORT id',
    )
    assert rows == [
        [1, 6, "rgi", "Georgi!", ["B", "A"], ["G", "orgi"]],
        [2, 7, "lel", "Bezalel!", "C", ["B", "zal", "l"]],
        [3, None, None, None, None, None],
        [4, 5, "rto", "Parto!", ["X", "Y", "Z"], "Parto"],
    ]
    assert warnings == []


def test_multi_value_functions(storage: MemStorage) -> None:
    rows, warnings = query(
        storage,
        'FROM emp | EVAL n = MV_COUNT(langs), j = MV_CONCAT(MV_SORT(tags), "+"), '
        "m = MV_MAX(ip), z = MV_ZIP(tags, TO_STRING(langs)) | KEEP id, n, j, m, z | SORT id",
    )
    assert rows == [
        [1, 2, "a+b", "10.0.0.2", ["b,1", "a,2"]],
        [2, 1, "c", "9.0.0.1", "c,5"],
        [3, None, None, "::1", None],
        [4, 1, "x+y+z", None, ["x,4", "y", "z"]],
    ]
    assert warnings == []


def test_mv_sum_overflow_warns(storage: MemStorage) -> None:
    rows, warnings = query(
        storage, "ROW ints = [0, 1, 2147483647]\n| EVAL mvsum = mv_sum(ints)\n| KEEP mvsum"
    )
    assert rows == [[None]]
    assert warnings == [
        "Line 2:16: evaluation of [mv_sum(ints)] failed, treating result as null. Only first 20 failures recorded.",
        "Line 2:16: java.lang.ArithmeticException: integer overflow",
    ]


def test_dates(storage: MemStorage) -> None:
    rows, warnings = query(
        storage,
        "FROM emp | EVAL y = DATE_TRUNC(1 year, hired), w = DATE_TRUNC(1 week, hired), "
        'e = DATE_EXTRACT("month_of_year", hired), f = DATE_FORMAT("yyyy/MM/dd", hired), '
        'd = DATE_DIFF("days", hired, "1987-01-01") | KEEP id, y, w, e, f, d | SORT id',
    )
    assert rows == [
        [1, "1986-01-01T00:00:00.000Z", "1986-06-23T00:00:00.000Z", 6, "1986/06/26", 189],
        [2, "1985-01-01T00:00:00.000Z", "1985-11-18T00:00:00.000Z", 11, "1985/11/21", 406],
        [3, "1986-01-01T00:00:00.000Z", "1986-08-25T00:00:00.000Z", 8, "1986/08/28", 126],
        [4, "1985-01-01T00:00:00.000Z", "1985-10-14T00:00:00.000Z", 10, "1985/10/18", 440],
    ]
    assert warnings == []


def test_date_parse_warns_with_the_value(storage: MemStorage) -> None:
    rows, warnings = query(
        storage,
        'ROW s = ["2023-01-02", "junk"] | MV_EXPAND s | EVAL d = DATE_PARSE("yyyy-MM-dd", s)',
    )
    assert rows == [["2023-01-02", "2023-01-02T00:00:00.000Z"], ["junk", None]]
    assert warnings[1] == (
        "Line 1:57: java.lang.IllegalArgumentException: failed to parse date field [junk] with format [yyyy-MM-dd]"
    )


def test_ip_functions(storage: MemStorage) -> None:
    rows, warnings = query(
        storage,
        'FROM emp | EVAL c = CIDR_MATCH(ip, "10.0.0.0/8", "::/120"), p = IP_PREFIX(ip, 8, 64) '
        "| KEEP id, c, p | SORT id",
    )
    assert rows == [[1, True, "10.0.0.0"], [2, False, "9.0.0.0"], [3, True, "::"], [4, None, None]]
    assert warnings == []


def test_now_is_fixed_per_query(storage: MemStorage) -> None:
    result = run_query("ROW a = NOW(), b = NOW()", storage, now_millis=1_700_000_000_000)
    assert to_es_values(result) == [["2023-11-14T22:13:20.000Z", "2023-11-14T22:13:20.000Z"]]


def test_type_errors_use_the_declared_phrases(storage: MemStorage) -> None:
    with pytest.raises(VerificationError) as error:
        run_query("FROM emp | EVAL a = SQRT(name)", storage)
    assert "must be [numeric], found value [name] type [keyword]" in str(error.value)


def test_constant_errors_stop_the_query(storage: MemStorage) -> None:
    with pytest.raises(EsqlError, match="invalid unit format"):
        run_query('ROW a = DATE_DIFF("fortnights", NOW(), NOW())', storage)


def test_dates_beyond_the_calendar_of_polars(storage: MemStorage) -> None:
    # Any long of millis is a date to Elasticsearch; Polars' calendar ends near the
    # year 262142 and panics past it.
    rows, _ = query(
        storage,
        "ROW a = TO_DATETIME(9223372036854775807), b = TO_DATETIME(-9223372036854775808) "
        "| EVAL s = TO_STRING(a), y = a + 1 year, t = DATE_TRUNC(1 hour, a), "
        'f = DATE_FORMAT("yyyy", b), n = TO_DATE_NANOS(a)',
    )
    assert rows == [
        [
            "+292278994-08-17T07:12:55.807Z",
            "-292275055-05-16T16:47:04.192Z",
            "+292278994-08-17T07:12:55.807Z",
            None,  # long overflow in Elasticsearch; beyond the calendar here
            "+292278994-08-17T07:00:00.000Z",
            None,  # Elasticsearch prints it; Polars cannot
            None,
        ]
    ]
