"""The split's rules one by one: fragment text that reads back, ``_index`` of
remote rows, where each ENRICH mode runs, the remote-ENRICH verification errors,
typed nulls for missing fields, and exchange sizes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from esqlsh.analysis.analyzer import analyze
from esqlsh.analysis.types import DataType as T
from esqlsh.coordinator.session import run_query
from esqlsh.coordinator.split_exec import _UnionCatalog, run_fragment, run_split_in_process
from esqlsh.errors import ParsingError, VerificationError
from esqlsh.plan.split import (
    Fragment,
    SplitPlan,
    enrich_requirements,
    split,
    verify_ccs,
    with_missing_fields,
)
from esqlsh.syntax import ast
from esqlsh.syntax.parser import parse
from esqlsh.syntax.printer import to_esql
from tests.plan.dataset import CHUNKS, EMP_ROWS, federate, storages, whole
from tests.plan.test_split_oracle import CASES, assert_same


@dataclass(frozen=True)
class Target:
    """A stand-in for ``clusters.patterns.ClusterTarget`` (no ``local`` mark)."""

    alias: str
    patterns: tuple[ast.IndexPattern, ...]
    expression: str


def _targets(query: ast.Query) -> dict[str, Target]:
    source = query.commands[0]
    assert isinstance(source, ast.From)
    grouped: dict[str, list[ast.IndexPattern]] = {}
    for p in source.patterns:
        grouped.setdefault(p.cluster or "local", []).append(ast.IndexPattern(p.index))
    return {a: Target(a, tuple(ps), ",".join(p.index for p in ps)) for a, ps in grouped.items()}


def plan_split(text: str, params: Any = None) -> SplitPlan:
    query = parse(text)
    plan = analyze(query, _UnionCatalog(storages(), "local"), params)
    return split(query, plan, _targets(query))


def _rows(text: str, **kwargs: Any) -> list[tuple[object, ...]]:
    parts = storages(**kwargs)
    return run_split_in_process(text, parts, "local").frame.rows()


# -------------------------------------------------------------- round trip


@pytest.mark.parametrize("query", [q for q, _ in CASES], ids=[q for q, _ in CASES])
def test_every_part_prints_to_text_that_reads_back(query: str) -> None:
    """What an Elasticsearch cluster is sent means what the embedded one runs."""
    planned = plan_split(federate(query))
    for fragment in planned.fragments.values():
        assert parse(fragment.text()) == fragment.query
    assert parse(to_esql(planned.coordinator)) == planned.coordinator


# --------------------------------------------------------------- _index


def test_remote_rows_report_alias_and_index() -> None:
    rows = _rows("FROM emp,c2:emp,c3:emp METADATA _index | KEEP emp_no, _index | SORT emp_no")
    expected = []
    for alias, (start, end) in CHUNKS.items():
        prefix = "" if alias == "local" else f"{alias}:"
        expected += [(n, f"{prefix}emp") for n in EMP_ROWS["emp_no"][start:end]]
    assert rows == expected


def test_index_is_prefixed_before_the_query_reads_it() -> None:
    grouped = _rows(
        "FROM emp,c2:emp,c3:emp METADATA _index | STATS c = COUNT(*) BY _index | SORT _index"
    )
    assert grouped == [(4, "c2:emp"), (4, "c3:emp"), (4, "emp")]
    filtered = _rows(
        'FROM emp,c2:emp,c3:emp METADATA _index | WHERE _index == "c3:emp" | KEEP emp_no'
    )
    assert sorted(r[0] for r in filtered) == EMP_ROWS["emp_no"][8:12]


def test_metadata_columns_keep_their_order() -> None:
    result = run_split_in_process(
        "FROM emp,c2:emp METADATA _index, _id | LIMIT 1", storages(), "local"
    )
    assert [a.name for a in result.columns][-2:] == ["_index", "_id"]


# ----------------------------------------------------------------- ENRICH


@pytest.mark.parametrize(
    ("enrich", "ran_on"),
    [
        ("ENRICH _remote:langs ON languages", ["local", "c2", "c3"]),
        ("ENRICH langs ON languages", ["local", "c2", "c3"]),  # _any before the breaker
        ("ENRICH _coordinator:langs ON languages", ["local", "local", "local"]),
        ("LIMIT 100 | ENRICH langs ON languages", ["local", "local", "local"]),
        ("LIMIT 100 | ENRICH _remote:langs ON languages", ["local", "c2", "c3"]),
    ],
)
def test_each_mode_uses_the_policy_of_the_cluster_it_runs_on(
    enrich: str, ran_on: list[str]
) -> None:
    """Each cluster's ``langs`` policy names English ``en-<its alias>``."""
    rows = _rows(
        f"FROM emp,c2:emp,c3:emp | {enrich} | WHERE languages == 1 | KEEP emp_no, lang_name",
        per_cluster_policies=True,
    )
    local, c2, c3 = (f"en-{a}" for a in ran_on)
    assert dict(rows) == {10001: local, 10005: c2, 10008: c2, 10012: c3}


def test_enrich_after_stats_uses_the_local_policy() -> None:
    rows = _rows(
        "FROM emp,c2:emp,c3:emp | STATS c = COUNT(*) BY languages | ENRICH langs ON languages"
        " | WHERE languages == 1 | KEEP c, lang_name",
        per_cluster_policies=True,
    )
    assert rows == [(4, "en-local")]


def test_enrich_requirements_say_where_each_enrich_runs() -> None:
    query = parse(
        "FROM emp,c2:emp | ENRICH langs ON languages | ENRICH _remote:langs ON languages"
        " | ENRICH _coordinator:langs ON languages | STATS c = COUNT(*) BY lang_name"
        " | ENRICH langs ON lang_name"
    )
    assert enrich_requirements(query) == [
        ("_any", "langs", "fragment"),
        ("_remote", "langs", "fragment"),
        ("_coordinator", "langs", "coordinator"),
        ("_any", "langs", "coordinator"),
    ]


def test_enrich_requirements_follow_a_hoisted_remote_enrich() -> None:
    query = parse(
        "FROM c2:emp | LIMIT 5 | ENRICH langs ON languages | ENRICH _remote:langs ON languages"
    )
    assert [r[2] for r in enrich_requirements(query)] == ["fragment", "fragment"]
    assert enrich_requirements(parse("ROW a = 1")) == []


# ------------------------------------------------------------ verification


def _problems(text: str) -> list[tuple[int, int, str]]:
    with pytest.raises(VerificationError) as raised:
        verify_ccs(parse(text))
    return [(p.line, p.column, p.message) for p in raised.value.problems]


def test_remote_enrich_after_stats() -> None:
    assert _problems(
        "FROM emp,c2:emp | STATS c = COUNT(*) BY languages | ENRICH _remote:langs ON languages"
    ) == [(1, 53, "ENRICH with remote policy can't be executed after STATS")]


def test_remote_enrich_after_coordinator_enrich() -> None:
    assert _problems(
        "FROM emp,c2:emp | ENRICH _coordinator:langs ON languages"
        " | ENRICH _remote:langs ON languages"
    ) == [
        (
            1,
            60,
            "ENRICH with remote policy can't be executed after another ENRICH with coordinator policy",
        )
    ]


def test_remote_enrich_after_lookup_join_and_stats() -> None:
    assert _problems(
        "FROM emp,c2:emp | LOOKUP JOIN lang_lookup ON languages | STATS c = COUNT(*) BY languages"
        " | ENRICH _remote:langs ON languages"
    ) == [
        (1, 92, "ENRICH with remote policy can't be executed after STATS"),
        (1, 92, "ENRICH with remote policy can't be executed after LOOKUP JOIN"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "FROM emp,c2:emp | LIMIT 10 | WHERE salary > 1 | ENRICH _remote:langs ON languages",
        "FROM emp,c2:emp | SORT emp_no | MV_EXPAND tags | ENRICH _remote:langs ON languages",
        "FROM emp,c2:emp | LIMIT 10 | MV_EXPAND tags | ENRICH _remote:langs ON languages",
    ],
)
def test_remote_enrich_after_a_limit_it_cannot_pass(text: str) -> None:
    (problem,) = _problems(text)
    assert problem[2] == "ENRICH with remote policy can't be executed after LIMIT"
    assert problem[1] == text.index("ENRICH") + 1


def test_remote_enrich_may_not_change_the_keys_of_a_moved_top_n() -> None:
    text = (
        "FROM emp,c2:emp | EVAL lang_name = first_name | SORT lang_name | LIMIT 3"
        " | ENRICH _remote:langs ON languages"
    )
    verify_ccs(parse(text))  # the AST alone cannot tell
    with pytest.raises(VerificationError, match="can't be executed after LIMIT"):
        plan_split(text)


def test_movable_remote_enrich_passes() -> None:
    verify_ccs(parse("FROM emp,c2:emp | SORT emp_no | LIMIT 3 | ENRICH _remote:langs ON languages"))
    verify_ccs(parse("FROM emp,c2:emp | ENRICH _remote:langs ON languages | STATS c = COUNT(*)"))


def test_local_only_query_is_not_checked_for_movability() -> None:
    text = "FROM emp | LIMIT 10 | WHERE salary > 1 | ENRICH _remote:langs ON languages"
    verify_ccs(parse(text))
    assert plan_split(text).strategy == "whole"


def test_enrich_qualifier_typo_is_a_parsing_error() -> None:
    with pytest.raises(ParsingError, match=r"Unrecognized value \[_remot\], ENRICH policy"):
        verify_ccs(parse("FROM emp,c2:emp | ENRICH _remot:langs ON languages"))
    with pytest.raises(ParsingError):
        enrich_requirements(parse("FROM emp | ENRICH _Coord:langs ON languages"))


# ---------------------------------------------------------- missing fields


def _fragment(text: str) -> Fragment:
    return Fragment(parse(text), unbounded=False)


def test_missing_fields_become_typed_nulls_after_from() -> None:
    fragment = _fragment("FROM emp | WHERE extra > 1 | KEEP emp_no, j*, extra")
    fields = {"extra": T.LONG, "job": T.TEXT, "unused": T.IP, "ip": T.IP}
    out = with_missing_fields(fragment, fields)
    assert out.text() == (
        "FROM emp | EVAL extra = TO_LONG(null), job = TO_STRING(null)"
        " | WHERE extra > 1 | KEEP emp_no, j*, extra"
    )
    assert fragment.with_missing_fields({"unused": T.IP}) == fragment


def test_missing_fields_without_a_conversion_are_plain_nulls() -> None:
    out = with_missing_fields(_fragment("FROM emp | KEEP n"), {"n": T.NULL})
    assert out.text() == "FROM emp | EVAL n = null | KEEP n"


def test_missing_field_fragment_runs_on_the_cluster_lacking_it() -> None:
    c3 = storages()["c3"]
    planned = plan_split("FROM emp,c2:emp,c3:emp | WHERE extra > 1 | STATS s = SUM(extra)")
    fragment = with_missing_fields(planned.fragments["c3"], {"extra": T.LONG})
    result = run_fragment(fragment, c3, None, None)
    assert result.frame.rows() == [(None, 0)]


# ------------------------------------------------------------ strategies


def test_partial_aggregates_ship_one_row_per_group() -> None:
    planned = plan_split("FROM emp,c2:emp,c3:emp | STATS c = COUNT(*), a = AVG(salary) BY gender")
    assert planned.strategy == "stats"
    for alias, fragment in planned.fragments.items():
        assert fragment.unbounded
        rows = run_fragment(fragment, storages()[alias], None, None).frame.height
        start, end = CHUNKS[alias]
        assert rows == len(set(EMP_ROWS["gender"][start:end]))


def test_limit_bounds_each_fragment() -> None:
    planned = plan_split("FROM emp,c2:emp,c3:emp | LIMIT 2")
    assert not any(f.unbounded for f in planned.fragments.values())
    for alias, fragment in planned.fragments.items():
        assert run_fragment(fragment, storages()[alias], None, None).frame.height == 2


def test_local_only_query_runs_whole_and_answers_as_single() -> None:
    for text in (
        "FROM emp | STATS c = COUNT(*) BY gender | SORT gender",
        "FROM emp | SORT emp_no | LIMIT 3",
        "FROM emp | KEEP emp_no | LIMIT 5000",
    ):
        split_result = run_split_in_process(text, {"local": whole()}, "local")
        assert_same(run_query(text, whole()), split_result, ordered=True)


def test_remote_only_query() -> None:
    result = run_split_in_process("FROM c2:emp,c3:emp | STATS c = COUNT(*)", storages(), "local")
    assert result.frame.rows() == [(8,)]


def test_row_runs_on_the_coordinator() -> None:
    planned = split(parse("ROW a = 1"), analyze(parse("ROW a = 1"), whole()), {})
    assert planned.fragments == {} and planned.strategy == "coordinator"
    result = run_split_in_process("ROW a = 1 | EVAL b = a + 1", storages(), "local")
    assert result.frame.rows() == [(1, 2)]


def test_sample_ships_rows() -> None:
    planned = plan_split("FROM emp,c2:emp | SAMPLE 0.5 | STATS c = COUNT(*)")
    assert planned.strategy == "rows"
    assert all(f.unbounded for f in planned.fragments.values())


def test_first_target_is_local_when_the_query_names_a_bare_index() -> None:
    planned = plan_split("FROM emp,c2:emp METADATA _index | LIMIT 1")
    assert "CONCAT" not in planned.fragments["local"].text()
    assert 'CONCAT("c2:", _index)' in planned.fragments["c2"].text()


def test_explain_lists_fragments_exchange_and_coordinator() -> None:
    text = plan_split("FROM emp,c2:emp | STATS c = COUNT(*)").explain()
    assert text.splitlines() == [
        "fragment local (unbounded):",
        "  FROM emp | STATS `$p0` = COUNT(*)",
        "fragment c2 (unbounded):",
        "  FROM emp | STATS `$p0` = COUNT(*)",
        "exchange: [$p0:long]",
        "coordinator (stats):",
        "  FROM $exchange | STATS c = SUM(`$p0`)",
    ]


def test_partial_names_avoid_the_query_names() -> None:
    planned = plan_split("FROM emp,c2:emp | EVAL `$p0` = salary | STATS c = SUM(`$p0`)")
    assert "`$$p0` = SUM(`$p0`)" in planned.fragments["c2"].text()
