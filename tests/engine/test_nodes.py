"""Plan nodes other than STATS, extraction and joins: FROM, ROW, SHOW INFO, EVAL,
WHERE, KEEP/RENAME, SORT, LIMIT, MV_EXPAND, SAMPLE."""

from __future__ import annotations

import polars as pl
import pytest

from esqlsh.analysis.types import DataType as T
from esqlsh.engine.executor import execute
from esqlsh.plan.logical import (
    EvalNode,
    Filter,
    LimitNode,
    MvExpandNode,
    OrderBy,
    Plan,
    Project,
    Relation,
    RowSource,
    SampleNode,
    ShowInfoSource,
    SortKey,
)
from tests.engine.conftest import call, lit, ref, schema
from tests.engine.memstorage import MemStorage

EMP = schema(("no", T.INTEGER), ("name", T.KEYWORD), ("tags", T.KEYWORD), ("salary", T.INTEGER))


@pytest.fixture
def storage() -> MemStorage:
    s = MemStorage()
    s.add(
        "emp",
        {a.name: a.type for a in EMP},
        {
            "no": [1, 2, 3, 4],
            "name": ["ann", "bob", None, "dan"],
            "tags": [["a", "b"], "c", None, ["d"]],
            "salary": [100, None, 300, 50],
        },
    )
    return s


def _from(*nodes: object, sch: tuple = EMP) -> Plan:
    return Plan((Relation("emp", ("emp",), sch), *nodes))  # type: ignore[arg-type]


# ---------------------------------------------------------------------- sources


def test_from_reads_rows_in_order(storage: MemStorage) -> None:
    result = execute(_from(), storage)
    assert result.frame["no"].to_list() == [1, 2, 3, 4]
    assert result.frame["tags"].to_list() == [["a", "b"], ["c"], None, ["d"]]


def test_from_reads_only_the_columns_used(storage: MemStorage) -> None:
    plan = _from(Project((("no", "no"),), EMP[:1]))
    execute(plan, storage)
    assert storage.scans == [("emp", ["no"])]


def test_from_without_columns_still_counts_rows(storage: MemStorage) -> None:
    from esqlsh.plan.logical import Aggregate, AggSpec
    from tests.engine.conftest import count_star

    plan = _from(Aggregate((AggSpec("c", count_star()),), (), schema(("c", T.LONG))))
    assert execute(plan, storage).frame["c"].to_list() == [4]


def test_from_several_indices_unifies_single_and_multi_values() -> None:
    s = MemStorage()
    s.add("a", {"x": T.LONG}, {"x": [1, 2]})
    s.add("b", {"x": T.INTEGER, "y": T.KEYWORD}, {"x": [[3, 4], None], "y": ["p", "q"]})
    sch = schema(("x", T.LONG), ("y", T.KEYWORD), ("_index", T.KEYWORD))
    plan = Plan((Relation("a,b", ("a", "b"), sch, metadata=("_index",)),))
    frame = execute(plan, s).frame
    assert frame.schema["x"] == pl.List(pl.Int64)
    assert frame["x"].to_list() == [[1], [2], [3, 4], None]
    assert frame["y"].to_list() == [None, None, "p", "q"]
    assert frame["_index"].to_list() == ["a", "a", "b", "b"]


def test_metadata_fields(storage: MemStorage) -> None:
    sch = EMP + schema(("_version", T.LONG), ("_id", T.KEYWORD))
    plan = Plan((Relation("emp", ("emp",), sch, metadata=("_version", "_id")),))
    frame = execute(plan, storage).frame
    assert frame["_version"].to_list() == [1, 1, 1, 1]
    assert frame["_id"].n_unique() == 4


def test_stored_ids_are_used() -> None:
    s = MemStorage()
    s.add("apps", {"id": T.INTEGER}, {"id": [1, 2], "_id": ["one", "two"]})
    sch = schema(("id", T.INTEGER), ("_id", T.KEYWORD))
    frame = execute(Plan((Relation("apps", ("apps",), sch, metadata=("_id",)),)), s).frame
    assert frame["_id"].to_list() == ["one", "two"]


def test_row_fields_may_use_earlier_ones() -> None:
    sch = schema(("a", T.INTEGER), ("b", T.INTEGER))
    plan = Plan(
        (
            RowSource(
                (
                    ("a", lit(1, T.INTEGER)),
                    ("b", call("t_add", ref("a", T.INTEGER), lit(1, T.INTEGER), t=T.INTEGER)),
                ),
                sch,
            ),
        )
    )
    assert execute(plan, MemStorage()).frame.rows() == [(1, 2)]


def test_show_info() -> None:
    sch = schema(("version", T.KEYWORD), ("date", T.KEYWORD), ("hash", T.KEYWORD))
    frame = execute(Plan((ShowInfoSource(sch),)), MemStorage()).frame
    assert frame.height == 1 and frame.columns == ["version", "date", "hash"]


# ------------------------------------------------------------------------- EVAL


def test_eval_adds_and_replaces_columns(storage: MemStorage) -> None:
    sch = schema(("no", T.INTEGER), ("name", T.KEYWORD), ("tags", T.KEYWORD), ("salary", T.INTEGER))
    plan = _from(
        EvalNode(
            (("salary", call("t_add", ref("no", T.INTEGER), lit(10, T.INTEGER), t=T.INTEGER)),), sch
        ),
        Project(
            (("salary", "salary"), ("no", "no")), schema(("salary", T.INTEGER), ("no", T.INTEGER))
        ),
    )
    assert execute(plan, storage).frame.rows() == [(11, 1), (12, 2), (13, 3), (14, 4)]


def test_unread_eval_fields_are_not_evaluated(storage: MemStorage) -> None:
    # Elasticsearch prunes unused aliases, so their failures are not reported.
    sch = EMP + schema(("z", T.INTEGER))
    plan = _from(
        EvalNode(
            (("z", call("t_div", ref("no", T.INTEGER), lit(0, T.INTEGER), t=T.INTEGER)),), sch
        ),
        Project((("no", "no"),), EMP[:1]),
    )
    assert execute(plan, storage).warnings == []


def test_eval_result_is_cast_to_the_declared_type(storage: MemStorage) -> None:
    sch = EMP + schema(("z", T.LONG))
    plan = _from(
        EvalNode((("z", call("t_add", ref("no", T.INTEGER), lit(1, T.INTEGER), t=T.LONG)),), sch)
    )
    assert execute(plan, storage).frame.schema["z"] == pl.Int64


# ------------------------------------------------------------------------ WHERE


def test_where_drops_false_and_null(storage: MemStorage) -> None:
    cond = call("t_gt", ref("salary", T.INTEGER), lit(60, T.INTEGER), t=T.BOOLEAN)
    plan = _from(Filter(cond, EMP))
    assert execute(plan, storage).frame["no"].to_list() == [1, 3]


def test_where_reports_failures(storage: MemStorage) -> None:
    cond = call(
        "t_gt",
        call(
            "t_div", ref("no", T.INTEGER), lit(0, T.INTEGER), t=T.INTEGER, text="no / 0", column=24
        ),
        lit(0, T.INTEGER),
        t=T.BOOLEAN,
    )
    result = execute(_from(Filter(cond, EMP)), storage)
    assert result.frame.height == 0
    assert result.warnings[1] == "Line 1:24: java.lang.ArithmeticException: / by zero"


def test_where_on_a_multi_valued_condition_is_false() -> None:
    sch = schema(("b", T.BOOLEAN))
    plan = Plan(
        (RowSource((("b", lit([True, True], T.BOOLEAN)),), sch), Filter(ref("b", T.BOOLEAN), sch))
    )
    assert execute(plan, MemStorage()).frame.height == 0


# ------------------------------------------------------------------ KEEP/RENAME


def test_project_renames_and_orders(storage: MemStorage) -> None:
    out = schema(("n", T.KEYWORD), ("no", T.INTEGER))
    frame = execute(_from(Project((("n", "name"), ("no", "no")), out)), storage).frame
    assert frame.columns == ["n", "no"]
    assert frame["n"].to_list() == ["ann", "bob", None, "dan"]


# ------------------------------------------------------------------------- SORT


def _sorted(storage: MemStorage, key: SortKey, column: str = "no") -> list[object]:
    return execute(_from(OrderBy((key,), EMP)), storage).frame[column].to_list()


def test_sort_nulls_as_told(storage: MemStorage) -> None:
    salary = ref("salary", T.INTEGER)
    assert _sorted(storage, SortKey(salary, True, False)) == [4, 1, 3, 2]
    assert _sorted(storage, SortKey(salary, False, True)) == [2, 3, 1, 4]
    assert _sorted(storage, SortKey(salary, True, True)) == [2, 4, 1, 3]


def test_sort_multi_values_by_min_ascending_and_max_descending() -> None:
    s = MemStorage()
    s.add("t", {"no": T.INTEGER, "v": T.INTEGER}, {"no": [1, 2, 3], "v": [[1, 9], 5, [3, 4]]})
    sch = schema(("no", T.INTEGER), ("v", T.INTEGER))
    v = ref("v", T.INTEGER)

    def order(key: SortKey) -> list[object]:
        return (
            execute(Plan((Relation("t", ("t",), sch), OrderBy((key,), sch))), s)
            .frame["no"]
            .to_list()
        )

    assert order(SortKey(v, True)) == [1, 3, 2]
    assert order(SortKey(v, False, True)) == [1, 2, 3]


def test_sort_is_stable_across_keys(storage: MemStorage) -> None:
    keys = (
        SortKey(call("t_gt", ref("no", T.INTEGER), lit(2, T.INTEGER), t=T.BOOLEAN), False, True),
    )
    assert execute(_from(OrderBy(keys, EMP)), storage).frame["no"].to_list() == [3, 4, 1, 2]


def test_sort_versions_semantically() -> None:
    s = MemStorage()
    versions = ["1.11.0", "2.1", "bad", "1.2.3.4", "5.2.9-SNAPSHOT", "5.2.9", None, "1"]
    s.add("apps", {"v": T.VERSION}, {"v": versions})
    sch = schema(("v", T.VERSION))
    plan = Plan((Relation("apps", ("apps",), sch), OrderBy((SortKey(ref("v", T.VERSION)),), sch)))
    assert execute(plan, s).frame["v"].to_list() == [
        "1",
        "1.2.3.4",
        "1.11.0",
        "2.1",
        "5.2.9-SNAPSHOT",
        "5.2.9",
        "bad",
        None,
    ]


def test_sort_ips_by_address() -> None:
    s = MemStorage()
    s.add("h", {"ip": T.IP}, {"ip": ["10.0.0.2", "::1", "9.255.0.1", "fe80::1", "10.0.0.10"]})
    sch = schema(("ip", T.IP))
    plan = Plan((Relation("h", ("h",), sch), OrderBy((SortKey(ref("ip", T.IP)),), sch)))
    assert execute(plan, s).frame["ip"].to_list() == [
        "::1",
        "9.255.0.1",
        "10.0.0.2",
        "10.0.0.10",
        "fe80::1",
    ]


# ------------------------------------------------------- LIMIT, MV_EXPAND, SAMPLE


def test_limit(storage: MemStorage) -> None:
    assert execute(_from(LimitNode(2, EMP)), storage).frame["no"].to_list() == [1, 2]


def test_mv_expand_keeps_null_rows(storage: MemStorage) -> None:
    frame = execute(_from(MvExpandNode("tags", EMP)), storage).frame
    assert frame["no"].to_list() == [1, 1, 2, 3, 4]
    assert frame["tags"].to_list() == ["a", "b", "c", None, "d"]


def test_sample_keeps_about_the_probability() -> None:
    s = MemStorage()
    s.add("big", {"x": T.INTEGER}, {"x": list(range(20_000))})
    sch = schema(("x", T.INTEGER))
    height = execute(Plan((Relation("big", ("big",), sch), SampleNode(0.25, sch))), s).frame.height
    assert 4000 < height < 6000
