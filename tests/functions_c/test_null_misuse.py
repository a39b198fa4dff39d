"""The null-misuse lint (``esqlsh.analysis.null_misuse``), with the cases of
Elasticsearch's WarnNullMisuseTests. The lint is not wired into ``analyze`` (the
conformance specs older than #158059 expect no such warnings), so it is called on
the analyzed plan here."""

from __future__ import annotations

import pytest

from esqlsh.analysis.analyzer import analyze
from esqlsh.analysis.null_misuse import null_misuse_warnings
from esqlsh.analysis.types import DataType as T
from esqlsh.syntax.parser import parse
from tests.engine.memstorage import MemStorage


@pytest.fixture(scope="module")
def catalog() -> MemStorage:
    s = MemStorage()
    s.add(
        "test",
        {
            "emp_no": T.INTEGER,
            "first_name": T.KEYWORD,
            "last_name": T.KEYWORD,
            "languages": T.INTEGER,
        },
        {"emp_no": [1], "first_name": ["a"], "last_name": ["b"], "languages": [1]},
    )
    return s


def lint(catalog: MemStorage, text: str) -> list[str]:
    return null_misuse_warnings(analyze(parse(text), catalog))


@pytest.mark.parametrize(
    ("text", "warning"),
    [
        (
            "ROW emp_no = 1\n| EVAL x = emp_no == NULL",
            "Line 2:12: Expression [emp_no == NULL] always evaluates to NULL, "
            "did you mean [emp_no IS NULL]?",
        ),
        (
            "ROW emp_no = 1\n| EVAL x = emp_no != NULL",
            "Line 2:12: Expression [emp_no != NULL] always evaluates to NULL, "
            "did you mean [emp_no IS NOT NULL]?",
        ),
        (
            "ROW emp_no = 1\n| EVAL x = NOT (emp_no == NULL)",
            "Line 2:12: Expression [NOT (emp_no == NULL)] always evaluates to NULL, "
            "did you mean [emp_no IS NOT NULL]?",
        ),
        (
            "ROW emp_no = 1\n| EVAL x = emp_no + NULL",
            "Line 2:12: Expression [emp_no + NULL] always evaluates to NULL.",
        ),
        (
            'ROW name = "a"\n| EVAL x = CONCAT(name, NULL)',
            "Line 2:12: Expression [CONCAT(name, NULL)] always evaluates to NULL.",
        ),
        (
            "FROM test\n| EVAL x = first_name == CONCAT(first_name, CONCAT(NULL, last_name))",
            "Line 2:45: Expression [CONCAT(NULL, last_name)] always evaluates to NULL.",
        ),
        (
            "ROW emp_no = 1\n| EVAL x = NULL == emp_no",
            "Line 2:12: Expression [NULL == emp_no] always evaluates to NULL, "
            "did you mean [emp_no IS NULL]?",
        ),
        (
            "FROM test\n  | KEEP emp_no\n  | EVAL values = emp_no + NULL",
            "Line 3:19: Expression [emp_no + NULL] always evaluates to NULL.",
        ),
        (
            "FROM test\n| RENAME languages AS language_code\n| SORT emp_no, language_code\n"
            "| LIMIT 4\n| EVAL language_code = TO_INTEGER(NULL)",
            "Line 5:24: Expression [TO_INTEGER(NULL)] always evaluates to NULL.",
        ),
        (
            # conditional.csv-spec nullValue
            'from employees\n| sort emp_no\n| eval g = case(gender == "F", 1 + null, 10)',
            "Line 3:32: Expression [1 + null] always evaluates to NULL.",
        ),
    ],
)
def test_warns_once_at_the_innermost_call(catalog: MemStorage, text: str, warning: str) -> None:
    if text.startswith("from employees"):
        catalog = _employees()
    assert lint(catalog, text) == [warning]


def _employees() -> MemStorage:
    s = MemStorage()
    s.add("employees", {"emp_no": T.INTEGER, "gender": T.KEYWORD}, {"emp_no": [1], "gender": ["F"]})
    return s


@pytest.mark.parametrize(
    ("text", "warning"),
    [
        (
            "ROW x = 1 | WHERE x IN (1, null)",
            "Line 1:19: NULL in the IN list of [x IN (1, null)] is ignored, "
            "you can move it to [OR x IS NULL].",
        ),
        (
            "ROW x = 1 | WHERE x IN (null)",
            "Line 1:19: NULL in the IN list of [x IN (null)] is ignored, did you mean [x IS NULL]?",
        ),
        (
            "ROW x = 1 | WHERE x NOT IN (null)",
            "Line 1:19: NULL in the IN list of [x NOT IN (null)] is ignored, "
            "did you mean [x IS NOT NULL]?",
        ),
        (
            "ROW x = 1 | WHERE x NOT IN (1, null)",
            "Line 1:19: NULL in the IN list of [x NOT IN (1, null)] is ignored.",
        ),
    ],
)
def test_null_in_an_in_list_is_ignored(catalog: MemStorage, text: str, warning: str) -> None:
    assert lint(catalog, text) == [warning]


@pytest.mark.parametrize(
    "text",
    [
        "ROW x = null | WHERE x == 5",  # a null-typed column is not a written null
        "ROW x = 1 | EVAL y = COALESCE(x, null), z = CASE(x > 0, null, 1), w = x IS NULL",
        "ROW x = 1 | EVAL y = x > 0 OR null",
        "FROM test | STATS s = SUM(null), c = COUNT(null)",
        "ROW x = ?p + 1",
    ],
)
def test_no_warning(catalog: MemStorage, text: str) -> None:
    params = {"p": None} if "?p" in text else None
    assert null_misuse_warnings(analyze(parse(text), catalog, params)) == []
