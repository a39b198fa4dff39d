"""The split's correctness oracle: a query over the index split across three
clusters (``run_split_in_process``) answers what the same query answers over the
whole index in one cluster: same columns, same rows (in the same order when the
query orders them), same warnings."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from esqlsh.coordinator.session import run_query
from esqlsh.coordinator.split_exec import run_split_in_process
from esqlsh.engine.result import Result
from tests.plan.dataset import federate, storages, whole

NOW = 1_700_000_000_000

# (query, ordered): ordered queries must give their rows in the same order.
CASES: list[tuple[str, bool]] = [
    # --- every decomposable aggregate, no BY and BY
    (
        "FROM emp | STATS c = COUNT(*), cs = COUNT(salary), s = SUM(salary), sd = SUM(height),"
        " mn = MIN(salary), mx = MAX(hire_date), a = AVG(salary), ad = AVG(height),"
        " mnk = MIN(first_name), mxt = MAX(job), mxi = MAX(ip), mnb = MIN(still_hired)",
        True,
    ),
    (
        "FROM emp | STATS c = COUNT(*), cs = COUNT(salary), s = SUM(salary), a = AVG(height),"
        " mn = MIN(hire_date), mx = MAX(first_name) BY languages | SORT languages",
        True,
    ),
    ("FROM emp | STATS COUNT(*), AVG(salary) BY gender", False),
    ("FROM emp | STATS count(*), avg(salary), Sum(height) BY gender", False),
    ("FROM emp | STATS v = MV_SORT(VALUES(tags)), vi = MV_SORT(VALUES(ip)) BY gender", False),
    ("FROM emp | STATS v = VALUES(first_name) BY languages", False),
    (
        'FROM emp | STATS t = TOP(salary, 3, "desc"), tb = TOP(first_name, 2, "asc") BY still_hired',
        False,
    ),
    ('FROM emp | STATS t = TOP(tags, 2, "asc"), th = TOP(hire_date, 2, "desc")', True),
    ('FROM emp | STATS t = TOP(salary, 2, "desc", first_name) BY still_hired', False),
    (
        "FROM emp | STATS cd = COUNT_DISTINCT(tags), cdp = COUNT_DISTINCT(languages, 100) BY gender",
        False,
    ),
    ("FROM emp | STATS cd = COUNT_DISTINCT(job), ci = COUNT_DISTINCT(ip)", True),
    ("FROM emp | STATS c = COUNT(tags), ct = COUNT(job), cn = COUNT(null)", True),
    ("FROM emp | STATS p = PRESENT(salary), a = ABSENT(salary), pn = PRESENT(null) BY job", False),
    ("FROM emp | STATS p = PRESENT(extra), a = ABSENT(extra) BY languages", False),
    (
        "FROM emp | STATS f = FIRST(first_name, hire_date), l = LAST(salary, emp_no) BY gender",
        False,
    ),
    # --- aggregate filters
    (
        "FROM emp | STATS c = COUNT(*) WHERE salary > 300, s = SUM(salary) WHERE languages == 1,"
        " a = AVG(height) WHERE still_hired, n = COUNT(*) BY gender",
        False,
    ),
    ('FROM emp | STATS COUNT(*) WHERE languages > 1, MAX(salary) WHERE gender == "F"', True),
    # --- grouping forms
    ("FROM emp | STATS c = COUNT(*) BY b = BUCKET(salary, 500.) | SORT b", True),
    ("FROM emp | STATS c = COUNT(*) BY BUCKET(hire_date, 1 year)", False),
    ("FROM emp | STATS c = COUNT(*) + bucket(salary, 500.) BY BUCKET(salary, 500.)", False),
    ("FROM emp | STATS c = COUNT(*) BY languages+1", False),
    ("FROM emp | STATS c = COUNT(*) BY l = languages * 2, gender", False),
    ("FROM emp | STATS c = COUNT(*) BY tags | SORT tags", True),
    ("FROM emp | STATS BY gender, languages", False),
    ("FROM emp | STATS c = COUNT(*) BY ip", False),
    # --- expressions over aggregates
    (
        "FROM emp | STATS x = AVG(salary) + 1, y = ROUND(AVG(height), 2), z = MAX(salary) - MIN(salary),"
        " w = COUNT(*) * 2, r = MAX(salary) + languages BY languages",
        False,
    ),
    ("FROM emp | STATS x = SUM(salary) / COUNT(salary), y = AVG(salary)", True),
    # --- duplicate names
    ("FROM emp | STATS x = COUNT(*), x = SUM(salary) BY gender", False),
    ("FROM emp | STATS gender = COUNT(*) BY gender", False),
    ("FROM emp | STATS c = COUNT(*), c = MAX(languages) BY c = gender", False),
    # --- not decomposable: ship rows
    (
        "FROM emp | STATS m = MEDIAN(salary), p = PERCENTILE(height, 90), sd = STD_DEV(salary),"
        " mad = MEDIAN_ABSOLUTE_DEVIATION(salary), w = WEIGHTED_AVG(salary, languages) BY gender",
        False,
    ),
    (
        "FROM emp | STATS m = MEDIAN(salary), c = COUNT(*), s = SUM(salary) WHERE languages > 1",
        True,
    ),
    ("FROM emp | EVAL k = 1 | STATS m = MEDIAN(k)", True),
    # --- around STATS
    ("FROM emp | WHERE salary > 250 | EVAL s2 = salary * 2 | STATS SUM(s2) BY gender", False),
    ("FROM emp | STATS c = COUNT(*) BY gender | WHERE c > 3 | SORT c DESC, gender", True),
    ("FROM emp | STATS c = COUNT(*) BY gender, languages | STATS m = MAX(c) BY gender", False),
    ("FROM emp | SORT salary | STATS s = SUM(salary) BY gender", False),
    (
        "FROM emp | SORT salary | MV_EXPAND tags | ENRICH langs ON languages | STATS c = COUNT(*) BY tags",
        False,
    ),
    ("FROM emp | STATS s = SUM(extra), c = COUNT(extra), a = AVG(extra) BY gender", False),
    ("FROM emp | STATS s = SUM(big), a = AVG(big) BY gender", False),
    ("FROM emp | STATS s = SUM(big)", True),
    # --- LIMIT, SORT, top-n
    ("FROM emp", True),
    ("FROM emp | LIMIT 5", True),
    ("FROM emp | LIMIT 0", True),
    ("FROM emp | SORT salary DESC NULLS LAST | LIMIT 5", True),
    ("FROM emp | SORT height | KEEP emp_no, height | LIMIT 4", True),
    ("FROM emp | SORT emp_no", True),
    ("FROM emp | WHERE salary > 300 | SORT first_name | LIMIT 3 | EVAL x = salary + 1", True),
    ("FROM emp | SORT emp_no | WHERE salary > 300 | LIMIT 3", True),
    ("FROM emp | SORT emp_no DESC | EVAL y = emp_no * 2 | LIMIT 3", True),
    ("FROM emp | SORT languages, emp_no | MV_EXPAND tags | LIMIT 6", True),
    ("FROM emp | SORT emp_no DESC | MV_EXPAND tags | EVAL t = tags | MV_EXPAND t | LIMIT 7", True),
    ("FROM emp | SORT emp_no | LOOKUP JOIN lang_lookup ON languages | LIMIT 5", True),
    ('FROM emp | SORT emp_no | MV_EXPAND tags | WHERE tags == "x" | LIMIT 3', True),
    ("FROM emp | ENRICH _coordinator:langs ON languages | MV_EXPAND tags | LIMIT 5", True),
    ("FROM emp | LIMIT 6 | SORT emp_no DESC", True),
    ("FROM emp | SORT emp_no | LIMIT 10 | SORT salary DESC | LIMIT 3", True),
    (
        "FROM emp | SORT salary DESC, emp_no | KEEP first_name, salary | RENAME salary AS pay | LIMIT 4",
        True,
    ),
    ("FROM emp | KEEP emp_no, salary | LIMIT 20000", True),
    ("FROM emp | SORT gender NULLS FIRST, emp_no | DROP tags | LIMIT 7", True),
    # --- MV_EXPAND
    ("FROM emp | MV_EXPAND tags | STATS c = COUNT(*) BY tags", False),
    ("FROM emp | MV_EXPAND tags | KEEP emp_no, tags | SORT emp_no, tags", True),
    ("FROM emp | KEEP emp_no, tags | MV_EXPAND tags | LIMIT 5", True),
    # --- ENRICH
    ("FROM emp | ENRICH langs ON languages | KEEP emp_no, lang_name | SORT emp_no", True),
    (
        "FROM emp | ENRICH _coordinator:langs ON languages WITH lang_name | STATS c = COUNT(*) BY lang_name",
        False,
    ),
    ("FROM emp | ENRICH _coordinator:langs ON languages | KEEP emp_no, lang_name | LIMIT 5", True),
    (
        "FROM emp | STATS c = COUNT(*) BY languages | ENRICH langs ON languages | SORT languages",
        True,
    ),
    ("FROM emp | ENRICH _remote:langs ON languages | SORT emp_no | LIMIT 5", True),
    ("FROM emp | SORT emp_no | LIMIT 5 | ENRICH _remote:langs ON languages", True),
    (
        "FROM emp | LIMIT 5 | EVAL l = languages | ENRICH _remote:langs ON l WITH name = lang_name",
        True,
    ),
    # --- LOOKUP JOIN
    (
        "FROM emp | LOOKUP JOIN lang_lookup ON languages | KEEP emp_no, language_name | SORT emp_no",
        True,
    ),
    (
        "FROM emp | STATS c = COUNT(*) BY languages | LOOKUP JOIN lang_lookup ON languages | SORT languages",
        True,
    ),
    ("FROM emp | SORT emp_no | LIMIT 6 | LOOKUP JOIN lang_lookup ON languages | SORT emp_no", True),
    # --- DISSECT / GROK
    (
        'FROM emp | EVAL s = CONCAT(first_name, "-", TO_STRING(emp_no)) | DISSECT s "%{a}-%{b}"'
        " | KEEP emp_no, a, b | SORT emp_no",
        True,
    ),
    (
        'FROM emp | EVAL s = CONCAT(first_name, " ", TO_STRING(salary))'
        ' | GROK s "%{WORD:w} %{NUMBER:n:int}" | STATS SUM(n) BY w',
        False,
    ),
    # --- names and text the printer must keep
    ("FROM emp | EVAL salary+1 | KEEP emp_no, `salary+1` | SORT emp_no", True),
    ("FROM emp | EVAL `a b` = salary | STATS `sum of a b` = SUM(`a b`) BY `gender`", False),
    # --- union fields missing on a cluster
    ("FROM emp | WHERE extra > 5 | KEEP emp_no, extra | SORT emp_no", True),
    ("FROM emp | KEEP emp_no, extra | SORT emp_no", True),
    ("FROM emp | KEEP emp_no, e* | SORT emp_no", True),
    ("FROM emp | SORT emp_no | LIMIT 20", True),
    # --- commands after 9.1, settings
    ("FROM emp | INLINE STATS m = MAX(salary) BY gender | KEEP emp_no, m | SORT emp_no", True),
    ("FROM emp | WHERE languages > 1 | INLINE STATS c = COUNT(*) | KEEP emp_no, c", True),
    (
        'SET time_zone = "+05:00"; FROM emp | STATS c = COUNT(*) BY d = DATE_TRUNC(1 day, hire_date)'
        " | SORT d",
        True,
    ),
    ('SET unmapped_fields = "NULLIFY"; FROM emp | KEEP emp_no, nope | SORT emp_no', True),
    (
        'SET unmapped_fields = "NULLIFY"; FROM emp | EVAL x = 1 | SORT emp_no DESC'
        " | KEEP emp_no, nope, x | LIMIT 3",
        True,
    ),
    (
        'SET unmapped_fields = "NULLIFY"; FROM emp | STATS c = COUNT(nope), m = MAX(salary) BY nope',
        False,
    ),
    # --- warnings
    ("FROM emp | EVAL d = 10 / (languages - 1) | KEEP emp_no, d | SORT emp_no", True),
    ("FROM emp | EVAL d = 10 / (languages - 1) | STATS s = SUM(d)", True),
    ('FROM emp | WHERE tags == "x" | KEEP emp_no | SORT emp_no', True),
    ("FROM emp | EVAL x = TO_INTEGER(job) | STATS c = COUNT(x)", True),
]

PARAM_CASES: list[tuple[str, Any]] = [
    ("FROM emp | WHERE salary > ? | STATS c = COUNT(*) WHERE languages > ? BY gender", [300, 1]),
    ("FROM emp | WHERE salary > ?1 | SORT emp_no | EVAL x = ?2 | LIMIT 3", None),
    (
        "FROM emp | WHERE salary > ?min | STATS s = SUM(salary) | EVAL t = s + ?add",
        {"min": 260, "add": 5},
    ),
]


def _run_both(query: str, params: Any = None) -> tuple[Result, Result]:
    federated = federate(query)
    # padded to the federated FROM's length, so that warnings' positions agree
    padded = query.replace("FROM emp", "FROM emp".ljust(len(federated) - len(query) + 8), 1)
    single = run_query(padded, whole(), params, now_millis=NOW)
    split = run_split_in_process(federated, storages(), "local", params, now_millis=NOW)
    return single, split


def _rows(result: Result) -> list[tuple[object, ...]]:
    return [tuple(_hashable(v) for v in row) for row in result.frame.rows()]


def _hashable(value: object) -> object:
    return tuple(value) if isinstance(value, list) else value


def assert_same(single: Result, split: Result, ordered: bool) -> None:
    assert split.columns == single.columns
    if ordered:
        assert _rows(split) == _rows(single)
    else:
        assert Counter(_rows(split)) == Counter(_rows(single))
    assert split.warnings == single.warnings


@pytest.mark.parametrize(("query", "ordered"), CASES, ids=[q for q, _ in CASES])
def test_split_answers_as_one_cluster(query: str, ordered: bool) -> None:
    single, split = _run_both(query)
    assert_same(single, split, ordered)


@pytest.mark.parametrize(("query", "params"), PARAM_CASES, ids=[q for q, _ in PARAM_CASES])
def test_params_reach_fragments_and_coordinator(query: str, params: Any) -> None:
    if params is None:
        params = [300, 4]
    single, split = _run_both(query, params)
    assert_same(single, split, ordered=False)


def test_the_oracle_can_fail() -> None:
    """A split that lost a cluster's rows would be caught."""
    single = run_query("FROM emp | STATS c = COUNT(*)", whole(), now_millis=NOW)
    parts = storages()
    del parts["c3"]
    split = run_split_in_process("FROM emp,c2:emp | STATS c = COUNT(*)", parts, "local")
    with pytest.raises(AssertionError):
        assert_same(single, split, ordered=True)
