"""LIMIT push-down, column liveness, and the ordering keys of ips and versions."""

from __future__ import annotations

from esqlsh.analysis.types import DataType as T
from esqlsh.engine.columns import needed_after
from esqlsh.engine.executor import execute
from esqlsh.engine.optimize import push_down_limits
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
