"""LIMIT push-down, column liveness, and the ordering keys of ips and versions."""

from __future__ import annotations

from esqlsh.analysis.types import DataType as T
from esqlsh.engine.columns import needed_after
from esqlsh.engine.executor import execute
from esqlsh.engine.optimize import lucene_pushable, push_down_filters, push_down_limits
from esqlsh.engine.ordering import encode_ip, encode_version
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
    SortKey,
)
from tests.engine.conftest import call, lit, ref, schema
from tests.engine.memstorage import MemStorage

SCH = schema(("x", T.INTEGER), ("y", T.INTEGER))
REL = Relation("t", ("t",), SCH[:1])
EVAL = EvalNode((("y", call("t_add", ref("x", T.INTEGER), lit(1, T.INTEGER), t=T.INTEGER)),), SCH)


def _kinds(nodes: tuple[object, ...]) -> list[str]:
    return [type(n).__name__ + (f"({n.count})" if isinstance(n, LimitNode) else "") for n in nodes]


def test_limit_moves_before_eval_and_project() -> None:
    nodes = (REL, EVAL, Project((("y", "y"),), SCH[1:]), LimitNode(5, SCH[1:]))
    out = push_down_limits(nodes)
    assert _kinds(out) == ["Relation", "LimitNode(5)", "EvalNode", "Project"]
    assert out[1].schema == REL.schema


def test_limits_combine() -> None:
    out = push_down_limits((REL, LimitNode(5, SCH[:1]), LimitNode(3, SCH[:1])))
    assert _kinds(out) == ["Relation", "LimitNode(3)"]


def test_limit_stops_at_filter_and_sort() -> None:
    nodes = (REL, Filter(lit(True, T.BOOLEAN), SCH[:1]), LimitNode(5, SCH[:1]))
    assert push_down_limits(nodes) == nodes
    nodes = (REL, OrderBy((SortKey(ref("x", T.INTEGER)),), SCH[:1]), LimitNode(5, SCH[:1]))
    assert push_down_limits(nodes) == nodes


def test_limit_is_copied_before_mv_expand() -> None:
    nodes = (REL, MvExpandNode("x", SCH[:1]), MvExpandNode("x", SCH[:1]), LimitNode(10, SCH[:1]))
    assert _kinds(push_down_limits(nodes)) == [
        "Relation",
        "LimitNode(10)",
        "MvExpandNode",
        "LimitNode(10)",
        "MvExpandNode",
        "LimitNode(10)",
    ]


def test_mv_expand_explosion_stays_small() -> None:
    values = list(range(30))
    names = "abcdefg"
    sch = schema(*((n, T.INTEGER) for n in names))
    nodes: list[object] = [RowSource(tuple((n, lit(values, T.INTEGER)) for n in names), sch)]
    nodes += [MvExpandNode(n, sch) for n in names]
    nodes.append(LimitNode(10, sch))
    frame = execute(Plan(tuple(nodes)), MemStorage()).frame  # type: ignore[arg-type]
    assert frame["g"].to_list() == list(range(10))
    assert frame["a"].to_list() == [0] * 10


def test_failures_after_a_pushed_limit_cover_only_limited_rows() -> None:
    s = MemStorage()
    s.add("t", {"x": T.INTEGER}, {"x": [-1, -2, -3]})
    sch = schema(("x", T.INTEGER), ("y", T.INTEGER))
    ev = EvalNode((("y", call("t_bad", ref("x", T.INTEGER), t=T.INTEGER)),), sch)
    result = execute(Plan((Relation("t", ("t",), sch[:1]), ev, LimitNode(1, sch))), s)
    assert result.warnings[1:] == ["Line 1:1: java.lang.IllegalArgumentException: bad [-1]"]


def test_liveness() -> None:
    plan = Plan((REL, EVAL, Project((("x", "x"),), SCH[:1])))
    assert needed_after(plan) == [{"x"}, {"x"}, {"x"}]


def test_version_encoding_orders_like_elasticsearch() -> None:
    ordered = ["1", "1.2.3.4", "1.11.0", "2.1", "5.2.9-SNAPSHOT", "5.2.9", "", "bad"]
    assert sorted(ordered, key=encode_version) == ordered
    assert (
        encode_version("1.0.0-alpha.2")
        < encode_version("1.0.0-alpha.10")
        < encode_version("1.0.0-beta")
    )


def test_ip_encoding() -> None:
    assert encode_ip("1.2.3.4") == b"\x00" * 10 + b"\xff\xff\x01\x02\x03\x04"
    assert encode_ip("::1") == b"\x00" * 15 + b"\x01"
    assert encode_ip("nope") is None


def test_filters_combine_and_move_before_sort_and_unrelated_eval() -> None:
    cond_x = call("t_gt", ref("x", T.INTEGER), lit(1, T.INTEGER), t=T.BOOLEAN)
    cond_y = call("t_gt", ref("y", T.INTEGER), lit(1, T.INTEGER), t=T.BOOLEAN)
    sort = OrderBy((SortKey(ref("x", T.INTEGER)),), SCH[:1])
    nodes = (REL, sort, EVAL, Filter(cond_x, SCH), Filter(cond_y, SCH))
    out = push_down_filters(nodes)
    assert _kinds(out) == ["Relation", "Filter", "OrderBy", "EvalNode", "Filter"]
    assert out[1].condition == cond_x and out[1].schema == REL.schema
    assert out[4].condition == cond_y


def test_filters_move_through_renames() -> None:
    renamed = Project((("z", "x"),), schema(("z", T.INTEGER)))
    cond = call("t_gt", ref("z", T.INTEGER), lit(1, T.INTEGER), t=T.BOOLEAN)
    out = push_down_filters((REL, renamed, Filter(cond, renamed.schema)))
    assert _kinds(out) == ["Relation", "Filter", "Project"]
    assert out[1].condition.args[0] == ref("x", T.INTEGER)


def test_lucene_pushable_conditions() -> None:
    fields = {"x", "k", "t"}
    x, k, t = ref("x", T.INTEGER), ref("k", T.KEYWORD), ref("t", T.TEXT)
    one = lit(1, T.INTEGER)
    assert lucene_pushable(call("lt", x, one, t=T.BOOLEAN), fields)
    assert lucene_pushable(call("not", call("eq", one, x, t=T.BOOLEAN), t=T.BOOLEAN), fields)
    assert lucene_pushable(
        call("in", k, lit("a", T.KEYWORD), lit("b", T.KEYWORD), t=T.BOOLEAN), fields
    )
    assert not lucene_pushable(call("in", x, one, x, t=T.BOOLEAN), fields)
    assert not lucene_pushable(call("eq", t, lit("a", T.TEXT), t=T.BOOLEAN), fields)
    assert not lucene_pushable(
        call("lt", call("t_add", x, one, t=T.INTEGER), one, t=T.BOOLEAN), fields
    )
    assert not lucene_pushable(call("lt", ref("other", T.INTEGER), one, t=T.BOOLEAN), fields)
