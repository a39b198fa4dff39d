"""ES|QL Elasticsearch added after 9.1, end to end through ``run_query``: ``SET``
statements (``unmapped_fields``, ``time_zone``), INLINE STATS, GROK with several
patterns and LOOKUP JOIN ON expressions.

``specs/inlinestats.csv-spec`` holds tests of Elasticsearch's own
``inlinestats.csv-spec`` over the conformance indices; they run here as the
conformance runner runs a spec."""

from __future__ import annotations

from pathlib import Path

import pytest

from esqlsh.analysis.types import DataType as T
from esqlsh.clusters.embedded import EmbeddedCluster
from esqlsh.coordinator.session import run_query
from esqlsh.errors import ParsingError, VerificationError
from esqlsh.syntax import ast
from esqlsh.syntax.parser import parse
from esqlsh.syntax.printer import to_esql
from tests.conformance.compare import compare_result
from tests.conformance.csvspec import SpecTest, read_spec_file
from tests.conformance.fixtures import fixture_cluster
from tests.engine.memstorage import MemStorage

CONFORMANCE = Path("/work/shared/conformance")
SPECS = sorted((Path(__file__).parent / "specs").glob("*.csv-spec"))
SPEC_TESTS = [t for path in SPECS for t in read_spec_file(path)]
NO_LIMIT = "No limit defined, adding default limit of [1000]"
LOOKUP_MV = "java.lang.IllegalArgumentException: LOOKUP JOIN encountered multi-value"


@pytest.fixture(scope="module")
def cluster() -> EmbeddedCluster:
    return fixture_cluster(CONFORMANCE)


@pytest.fixture
def storage() -> MemStorage:
    s = MemStorage()
    s.add(
        "emp",
        {"emp_no": T.INTEGER, "dept": T.KEYWORD, "tags": T.KEYWORD, "salary": T.INTEGER},
        {
            "emp_no": [1, 2, 3, 4, 5],
            "dept": ["a", "b", None, "a", None],
            "tags": [["x", "y"], "x", None, "y", "z"],
            "salary": [100, 200, 300, 400, 500],
        },
    )
    s.add(
        "codes",
        {"code": T.INTEGER, "label": T.KEYWORD},
        {"code": [1, 2, 3, [4, 5]], "label": ["one", "two", "three", "four-five"]},
        mode="lookup",
    )
    return s


def rows(query: str, storage: MemStorage | EmbeddedCluster) -> list[tuple[object, ...]]:
    """The result rows, a one-value multi-value shown as that value (as
    Elasticsearch prints it)."""
    return [
        tuple(v[0] if isinstance(v, list) and len(v) == 1 else v for v in row)
        for row in run_query(query, storage).frame.rows()
    ]


def names(query: str, storage: MemStorage | EmbeddedCluster) -> list[str]:
    return [a.name for a in run_query(query, storage).columns]


# ------------------------------------------------------------------- specs


def test_specs_are_read() -> None:
    assert len(SPEC_TESTS) > 30


@pytest.mark.parametrize("test", SPEC_TESTS, ids=[t.name for t in SPEC_TESTS])
def test_spec(test: SpecTest, cluster: EmbeddedCluster) -> None:
    comparison = compare_result(test, run_query(test.query, cluster))
    assert comparison.ok, comparison.describe()


# -------------------------------------------------------------------- SET


def test_settings_parse_and_print() -> None:
    query = parse('SET time_zone = "+01:00";\nSET unmapped_fields="nullify"; ROW a = 1')
    assert [(s.name, s.value) for s in query.settings] == [
        ("time_zone", ast.Literal("+01:00", "string")),
        ("unmapped_fields", ast.Literal("nullify", "string")),
    ]
    assert to_esql(query) == 'SET time_zone = "+01:00"; SET unmapped_fields = "nullify"; ROW a = 1'


@pytest.mark.parametrize(
    ("query", "error"),
    [
        ("SET foo = 1; ROW a = 1", "line 1:1: Unknown setting [foo]"),
        (
            "SET unmapped_fields = 1; ROW a = 1",
            "line 1:1: Setting [unmapped_fields] must be of type KEYWORD",
        ),
        (
            'SET unmapped_fields = "load"; ROW a = 1',
            "line 1:1: Error validating setting [unmapped_fields]: Invalid unmapped_fields "
            "resolution [load], must be one of [FAIL, NULLIFY]",
        ),
        (
            'SET time_zone = "Mars/Base"; ROW a = 1',
            "line 1:1: Error validating setting [time_zone]: Invalid time zone [Mars/Base]",
        ),
        (
            'SET time_zone = "+25:00"; ROW a = 1',
            "line 1:1: Error validating setting [time_zone]: Invalid time zone [+25:00]",
        ),
    ],
)
def test_setting_errors(query: str, error: str, storage: MemStorage) -> None:
    with pytest.raises(ParsingError) as info:
        run_query(query, storage)
    assert str(info.value) == error


def test_nullify_adds_unknown_columns_at_the_source(storage: MemStorage) -> None:
    query = 'SET unmapped_fields="nullify"; FROM emp | WHERE emp_no < 3 | EVAL y = foo | KEEP emp_no, foo, y, bar'
    result = run_query(query, storage)
    assert [(a.name, a.type) for a in result.columns] == [
        ("emp_no", T.INTEGER),
        ("foo", T.NULL),
        ("y", T.NULL),
        ("bar", T.NULL),
    ]
    assert result.frame.rows() == [(1, None, None, None), (2, None, None, None)]


def test_nullify_on_row_inserts_nulls_after_it(storage: MemStorage) -> None:
    query = 'SET unmapped_fields="NULLIFY"; ROW x = 1 | EVAL y = foo + 1, z = bar'
    assert names(query, storage) == ["x", "foo", "bar", "y", "z"]
    assert rows(query, storage) == [(1, None, None, None, None)]


def test_nullify_does_not_reach_past_stats(storage: MemStorage) -> None:
    with pytest.raises(VerificationError, match=r"Unknown column \[foo\]"):
        run_query(
            'SET unmapped_fields="nullify"; FROM emp | STATS c = COUNT(*) | EVAL y = foo', storage
        )


def test_without_nullify_unknown_columns_fail(storage: MemStorage) -> None:
    with pytest.raises(VerificationError, match=r"Unknown column \[foo\]"):
        run_query('SET unmapped_fields="nullify"; SET unmapped_fields="fail"; ROW x = foo', storage)


def test_time_zone_offsets_round_date_trunc_locally(storage: MemStorage) -> None:
    query = (
        'SET time_zone = "-05:30"; ROW d = "2025-03-04T02:09:08Z"::date'
        " | EVAL day = DATE_TRUNC(1 day, d), hour = DATE_TRUNC(1 hour, d), month = DATE_TRUNC(1 month, d)"
        " | EVAL day = TO_STRING(day), hour = TO_STRING(hour), month = TO_STRING(month) | DROP d"
    )
    assert rows(query, storage) == [
        ("2025-03-03T05:30:00.000Z", "2025-03-04T01:30:00.000Z", "2025-03-01T05:30:00.000Z")
    ]


def test_fixed_region_zones_are_offsets(storage: MemStorage) -> None:
    query = 'SET time_zone = "Etc/GMT-10"; ROW d = "2025-03-04T10:09:08Z"::date | EVAL t = TO_STRING(DATE_TRUNC(1 day, d))'
    assert rows(query, storage)[0][1] == "2025-03-03T14:00:00.000Z"


def test_zones_with_transitions_are_refused_for_date_trunc(storage: MemStorage) -> None:
    assert rows('SET time_zone = "Europe/Paris"; ROW a = 1', storage) == [(1,)]
    with pytest.raises(ParsingError, match=r"DATE_TRUNC in time zone \[Europe/Paris\]"):
        run_query(
            'SET time_zone = "Europe/Paris"; ROW d = NOW() | EVAL t = DATE_TRUNC(1 day, d)', storage
        )


# ------------------------------------------------------------ INLINE STATS


def test_inline_stats_appends_group_aggregates(storage: MemStorage) -> None:
    query = (
        "FROM emp | KEEP emp_no, dept, salary | INLINE STATS s = SUM(salary) BY dept | SORT emp_no"
    )
    assert names(query, storage) == ["emp_no", "salary", "s", "dept"]
    # null keys are a group of their own, as in STATS
    assert rows(query, storage) == [
        (1, 100, 500, "a"),
        (2, 200, 200, "b"),
        (3, 300, 800, None),
        (4, 400, 500, "a"),
        (5, 500, 800, None),
    ]


def test_inline_stats_multi_valued_key_gets_every_group(storage: MemStorage) -> None:
    # Elasticsearch's byMultivaluedSimple: a row counted in several groups gets the
    # aggregates of each of them, as a multi-value, and keeps its key
    query = "FROM emp | KEEP emp_no, tags | INLINE STATS c = COUNT(*) BY tags | SORT emp_no"
    assert rows(query, storage) == [
        (1, [2, 2], ["x", "y"]),
        (2, 2, "x"),
        (3, 1, None),
        (4, 2, "y"),
        (5, 1, "z"),
    ]


def test_inline_stats_without_groups_and_with_expressions(storage: MemStorage) -> None:
    query = (
        "FROM emp | KEEP emp_no, salary | INLINE STATS m = MAX(salary), r = AVG(salary) + 1,"
        " c = COUNT(*) WHERE salary > 250 | SORT emp_no | LIMIT 2"
    )
    assert rows(query, storage) == [(1, 100, 500, 301.0, 3), (2, 200, 500, 301.0, 3)]


def test_inline_stats_computed_group(storage: MemStorage) -> None:
    query = "FROM emp | KEEP emp_no, salary | INLINE STATS c = COUNT(*) BY big = salary > 250 | SORT emp_no"
    assert names(query, storage) == ["emp_no", "salary", "c", "big"]
    assert [r[2:] for r in rows(query, storage)] == [
        (2, False),
        (2, False),
        (3, True),
        (3, True),
        (3, True),
    ]


def test_unread_inline_stats_is_pruned(storage: MemStorage) -> None:
    # nothing reads the aggregate: Elasticsearch never runs it, so it cannot fail
    query = (
        "FROM emp | INLINE STATS x = SUM(salary / 0) BY dept | KEEP emp_no | SORT emp_no | LIMIT 2"
    )
    result = run_query(query, storage)
    assert result.frame.rows() == [(1,), (2,)]
    assert result.warnings == []


def test_inline_stats_keeps_the_limit_after_it(storage: MemStorage) -> None:
    query = "FROM emp | INLINE STATS c = COUNT(*) | LIMIT 2 | STATS v = VALUES(c)"
    assert rows(query, storage) == [(5,)]


# ------------------------------------------------------------- GROK patterns


def test_grok_first_matching_pattern_wins(storage: MemStorage) -> None:
    query = 'ROW t = ["A 1", "B 2", "C 3"] | MV_EXPAND t | GROK t "A %{NUMBER:n:int}", "%{WORD:w} %{NUMBER:n:int}"'
    result = run_query(query, storage)
    assert [(a.name, a.type) for a in result.columns] == [
        ("t", T.KEYWORD),
        ("n", T.INTEGER),
        ("w", T.KEYWORD),
    ]
    assert result.frame.rows() == [("A 1", 1, None), ("B 2", 2, "B"), ("C 3", 3, "C")]


def test_grok_patterns_must_agree_on_types(storage: MemStorage) -> None:
    with pytest.raises(
        ParsingError, match=r"the attribute \[n\] is defined multiple times with different types"
    ):
        run_query('ROW t = "1" | GROK t "%{NUMBER:n:int}", "%{NUMBER:n:long}"', storage)


# ---------------------------------------------------- LOOKUP JOIN ON expressions


def test_expression_join_keeps_the_lookup_join_fields(storage: MemStorage) -> None:
    query = "FROM emp | KEEP emp_no | EVAL k = emp_no | LOOKUP JOIN codes ON k == code | SORT emp_no | LIMIT 3"
    assert names(query, storage) == ["emp_no", "k", "code", "label"]
    assert rows(query, storage) == [(1, 1, 1, "one"), (2, 2, 2, "two"), (3, 3, 3, "three")]


def test_expression_join_with_inequalities_either_way_round(storage: MemStorage) -> None:
    for on in ("x < code", "code > x"):
        query = f"ROW x = 1 | LOOKUP JOIN codes ON {on} | SORT code"
        assert rows(query, storage) == [(1, 2, "two"), (1, 3, "three")]


def test_expression_join_conditions_all_hold(storage: MemStorage) -> None:
    query = 'ROW x = 2, l = "two" | LOOKUP JOIN codes ON x == code AND NOT l == label'
    assert rows(query, storage) == [(2, "two", None, None)]
    query = 'ROW x = 2, l = "one" | LOOKUP JOIN codes ON x >= code AND l != label'
    assert rows(query, storage) == [(2, "one", 2, "two")]


def test_expression_join_multi_values_warn(storage: MemStorage) -> None:
    result = run_query("ROW x = 4 | LOOKUP JOIN codes ON x == code", storage)
    assert result.frame.rows() == [(4, None, None)]
    assert result.warnings[1:] == [
        "Line 1:13: evaluation of [LOOKUP JOIN codes ON x == code] failed, treating result as null."
        " Only first 20 failures recorded.",
        f"Line 1:13: {LOOKUP_MV}",
    ]


@pytest.mark.parametrize(
    ("on", "error"),
    [
        ("y == code", "line 1:50: Unknown column [y] in left side of join"),
        ("x == y", "line 1:55: Unknown column [y] in right side of join"),
        ("x == code AND x < z", "line 1:64: Unsupported join filter expression:x < z"),
        (
            'x == code AND label == "one"',
            "line 1:64: LOOKUP JOIN ON conditions other than comparisons of an input field with a "
            'lookup field are not supported by esqlsh, found [label == "one"]',
        ),
        (
            "s == code",
            "line 1:50: JOIN left field [s] of type [KEYWORD] is incompatible with right field "
            "[code] of type [INTEGER]",
        ),
    ],
)
def test_expression_join_errors(on: str, error: str, storage: MemStorage) -> None:
    with pytest.raises(VerificationError) as info:
        run_query(f'ROW x = 1, z = 2, s = "a" | LOOKUP JOIN codes ON {on}', storage)
    assert info.value.problems[0].__str__() == error


def test_nullify_leaves_join_keys_unknown(storage: MemStorage) -> None:
    # as Elasticsearch's testNullifyLookupJoinUnknownLeftField
    with pytest.raises(VerificationError, match=r"Unknown column \[code\] in left side of join"):
        run_query('SET unmapped_fields="nullify"; FROM emp | LOOKUP JOIN codes ON code', storage)
