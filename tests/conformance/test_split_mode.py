"""``--split N`` pieces: the contiguous split of the fixtures, the FROM rewrite,
the moved warning positions and the ``METADATA _index`` expectations."""

from __future__ import annotations

import polars as pl
import pytest

from esqlsh.clusters import layout
from esqlsh.clusters.embedded import EmbeddedCluster
from tests.conformance.csvspec import SpecTest, read_spec_text
from tests.conformance.fixtures import (
    chunk_bounds,
    fixture_cluster,
    fixture_cluster_split,
    fixture_split_local,
)
from tests.conformance.modes import NotApplicable
from tests.conformance.run_specs import default_conformance_dir
from tests.conformance.split_mode import Edit, Rewriter, move_warning

CONFORMANCE = default_conformance_dir()


@pytest.fixture(scope="module")
def full() -> EmbeddedCluster:
    return fixture_cluster(CONFORMANCE)


@pytest.fixture(scope="module")
def parts() -> list[EmbeddedCluster]:
    return fixture_cluster_split(CONFORMANCE, 3)


@pytest.fixture(scope="module")
def rewriter(full: EmbeddedCluster, parts: list[EmbeddedCluster]) -> Rewriter:
    return Rewriter(full, parts)


def spec(query: str, table: str = "a:integer\n1", warnings: str = "") -> SpecTest:
    (test,) = read_spec_text(f"t\n{query};\n{warnings}{table}\n;\n", "split.csv-spec")
    return test


# ------------------------------------------------------------------------ data


def test_chunks_are_contiguous_and_nearly_equal() -> None:
    assert chunk_bounds(100, 3) == [(0, 34), (34, 67), (67, 100)]
    assert chunk_bounds(2, 3) == [(0, 1), (1, 2), (2, 2)]


def test_clusters_in_order_give_every_index_back_in_order(
    full: EmbeddedCluster, parts: list[EmbeddedCluster]
) -> None:
    for index in full.indices():
        info = full.index(index)
        assert info is not None
        whole = pl.read_parquet(layout.data_files(full.path / index))
        chunks = [pl.read_parquet(layout.data_files(p.path / index)) for p in parts]
        if info.mode == "lookup":
            assert all(chunk.equals(whole) for chunk in chunks), index
        else:
            assert pl.concat(chunks).equals(whole), index


def test_the_local_cluster_holds_lookups_and_policies_but_no_rows(
    full: EmbeddedCluster,
) -> None:
    local = fixture_split_local(CONFORMANCE, 3)
    lookups = {i for i in full.indices() if getattr(full.index(i), "mode", "") == "lookup"}
    assert set(local.resolve("*")) == lookups
    assert set(local.policies()) == set(full.policies())
    policy = local.policies()["languages_policy"]
    assert local.row_count(policy.indices[0]) == full.row_count("languages_lookup")


# --------------------------------------------------------------------- rewrite


def test_from_spans_every_cluster_and_keeps_the_rest(rewriter: Rewriter) -> None:
    test = spec("FROM employees, apps METADATA _id | WHERE emp_no > 1")
    assert rewriter.rewrite(test).query == (
        "FROM c1:employees,c2:employees,c3:employees,c1:apps,c2:apps,c3:apps"
        " METADATA _id | WHERE emp_no > 1"
    )
    assert rewriter.rewrite(spec('from "employees"')).query == (
        'from "c1:employees","c2:employees","c3:employees"'
    )
    for unchanged in ("ROW a = 1", "SHOW INFO", "FROM | nonsense"):
        assert rewriter.rewrite(spec(unchanged)).query == unchanged


def test_lookup_indices_are_read_once(rewriter: Rewriter) -> None:
    assert rewriter.rewrite(spec("FROM languages_lookup")).query == "FROM c1:languages_lookup"
    query = rewriter.rewrite(spec("FROM languages*,-languages")).query
    assert query.startswith(
        "FROM c1:languages*,c2:languages*,c3:languages*,c1:-languages,c2:-languages,c3:-languages,"
    )
    assert "c2:-languages_lookup," in query and "c3:-languages_lookup," in query
    assert "c1:-languages_lookup" not in query


def test_date_math_is_not_applicable(rewriter: Rewriter) -> None:
    with pytest.raises(NotApplicable, match="date-math"):
        rewriter.rewrite(spec("FROM <logs-{now/d}>"))


def test_positions_after_from_move_by_what_from_gained() -> None:
    text = "FROM a | EVAL x = 1\r\n| EVAL y = 2"
    edit = Edit(text, 5, 6, "c1:a,c2:a")
    assert edit.new_text == "FROM c1:a,c2:a | EVAL x = 1\r\n| EVAL y = 2"
    assert edit.moved(1, 1) == (1, 1)
    assert edit.moved(1, 10) == (1, 18)
    assert edit.moved(2, 3) == (2, 3)
    assert (
        move_warning(edit, "Line 1:10: Field 'x' shadowed by field at line 1:12")
        == "Line 1:18: Field 'x' shadowed by field at line 1:20"
    )
    assert move_warning(edit, r"Line \d+:\d+: evaluation") == r"Line \d+:\d+: evaluation"


def test_expected_warnings_follow_the_rewritten_text(rewriter: Rewriter) -> None:
    query = "FROM employees | EVAL x = 1 | EVAL y = x"
    column = query.index("EVAL y") + 1
    test = spec(query, warnings=f"warning:Line 1:{column}: evaluation of [x] failed\n")
    split = rewriter.rewrite(test)
    moved = split.query.index("EVAL y") + 1
    assert moved == column + len("c1:employees,c2:employees,c3:employees") - len("employees")
    assert split.test.warnings == [f"Line 1:{moved}: evaluation of [x] failed"]


# ------------------------------------------------------------- METADATA _index


def test_passed_through_index_names_get_their_cluster(rewriter: Rewriter) -> None:
    table = "emp_no:integer | i:keyword\n10001 | employees\n10100 | employees"
    query = "FROM employees METADATA _index | EVAL i = _index | SORT i | KEEP emp_no, i"
    split = rewriter.rewrite(spec(query, table))
    assert split.test.rows == [["10001", "c1:employees"], ["10100", "c3:employees"]]


def test_an_overwritten_index_column_is_left_alone(rewriter: Rewriter) -> None:
    table = "emp_no:integer | _index:integer\n10001 | 3"
    query = "FROM employees METADATA _index | EVAL _index = 3 | KEEP emp_no, _index"
    assert rewriter.rewrite(spec(query, table)).test.rows == [["10001", "3"]]


@pytest.mark.parametrize(
    "query",
    [
        'FROM employees METADATA _index | WHERE _index == "employees"',
        "FROM employees METADATA _index | STATS c = COUNT(*) BY _index",
        "FROM employees METADATA _index | EVAL i = _index | STATS c = COUNT(*) BY i",
        'FROM employees METADATA _index | EVAL k = CONCAT(_index, "x")',
    ],
)
def test_computing_with_index_names_is_not_applicable(rewriter: Rewriter, query: str) -> None:
    with pytest.raises(NotApplicable, match="METADATA _index"):
        rewriter.rewrite(spec(query))


def test_a_row_that_cannot_be_placed_is_not_applicable(rewriter: Rewriter) -> None:
    table = "_index:keyword\nemployees"
    with pytest.raises(NotApplicable, match="no column tells"):
        rewriter.rewrite(spec("FROM employees METADATA _index | KEEP _index | LIMIT 1", table))
