"""Expression compilation: literals, references, multi-value reduction, constant
folding and the warnings failures turn into."""

from __future__ import annotations

import polars as pl

from esqlsh.analysis.types import DataType as T
from esqlsh.engine.compiled import Col, EvalContext
from esqlsh.engine.executor import execute
from esqlsh.engine.expressions import ExprCompiler, fold, literal, literal_expr
from esqlsh.plan.logical import EvalNode, LimitNode, Plan, Relation, RowSource, TemporalAmount
from tests.engine.conftest import call, lit, ref, schema
from tests.engine.memstorage import MemStorage

MULTI = "java.lang.IllegalArgumentException: single-value function encountered multi-value"


def _row(*fields: tuple[str, object, T]) -> Plan:
    sch = schema(*((n, t) for n, _, t in fields))
    return Plan((RowSource(tuple((n, lit(v, t)) for n, v, t in fields), sch),))


def test_literals_take_their_physical_types() -> None:
    result = execute(
        _row(
            ("i", 1, T.INTEGER),
            ("l", 2**40, T.LONG),
            ("u", 2**64 - 1, T.UNSIGNED_LONG),
            ("d", 1.5, T.DOUBLE),
            ("k", "x", T.KEYWORD),
            ("b", True, T.BOOLEAN),
            ("t", 86_400_000, T.DATETIME),
            ("n", None, T.NULL),
            ("m", [1, 2], T.INTEGER),
        ),
        MemStorage(),
    )
    frame = result.frame
    assert frame.schema == pl.Schema(
        {
            "i": pl.Int32,
            "l": pl.Int64,
            "u": pl.UInt64,
            "d": pl.Float64,
            "k": pl.String,
            "b": pl.Boolean,
            "t": pl.Datetime("ms", "UTC"),
            "n": pl.Null,
            "m": pl.List(pl.Int32),
        }
    )
    row = frame.row(0)
    assert row[:6] == (1, 2**40, 2**64 - 1, 1.5, "x", True)
    assert row[6].isoformat() == "1970-01-02T00:00:00+00:00"
    assert row[8] == [1, 2]


def test_literal_columns_carry_their_value() -> None:
    assert literal(3, T.INTEGER).value == 3
    assert literal([1, 2], T.INTEGER).multi
    assert literal(TemporalAmount(days=1), T.DATE_PERIOD).value == TemporalAmount(days=1)


def test_calls_on_constants_are_folded() -> None:
    ctx = EvalContext()
    col = ExprCompiler({}, ctx).compile(
        call("t_add", lit(1, T.INTEGER), lit(2, T.INTEGER), t=T.INTEGER)
    )
    assert col.is_const and col.value == 3


def test_folding_reports_dates_as_epoch_millis() -> None:
    col = fold(Col(literal_expr(1000, T.DATETIME), T.DATETIME))
    assert col.is_const and col.value == 1000
    col = fold(Col(literal_expr([1, 2], T.DATETIME), T.DATETIME, multi=True))
    assert col.value == [1, 2]


def test_references_to_list_columns_are_multi() -> None:
    ctx = EvalContext()
    compiler = ExprCompiler({"a": pl.List(pl.Int32), "b": pl.Int32}, ctx)
    assert compiler.compile(ref("a", T.INTEGER)).multi
    assert not compiler.compile(ref("b", T.INTEGER)).multi


def test_multi_values_reduce_to_null_with_a_warning() -> None:
    sch = schema(("a", T.INTEGER), ("b", T.INTEGER))
    plan = Plan(
        (
            RowSource((("a", lit([1, 2], T.INTEGER)),), sch[:1]),
            EvalNode(
                (
                    (
                        "b",
                        call(
                            "t_add",
                            ref("a", T.INTEGER),
                            lit(1, T.INTEGER),
                            t=T.INTEGER,
                            text="a + 1",
                            line=1,
                            column=37,
                        ),
                    ),
                ),
                sch,
            ),
        )
    )
    result = execute(plan, MemStorage())
    assert result.frame["b"].to_list() == [None]
    assert result.warnings == [
        "Line 1:37: evaluation of [a + 1] failed, treating result as null. Only first 20 failures recorded.",
        f"Line 1:37: {MULTI}",
    ]


def test_single_element_lists_are_single_values() -> None:
    storage = MemStorage()
    storage.add("i", {"a": T.INTEGER}, {"a": [[5], [1, 2], None]})
    sch = schema(("a", T.INTEGER), ("b", T.INTEGER))
    plan = Plan(
        (
            Relation("i", ("i",), sch[:1]),
            EvalNode(
                (("b", call("t_add", ref("a", T.INTEGER), lit(1, T.INTEGER), t=T.INTEGER)),), sch
            ),
        )
    )
    result = execute(plan, storage)
    assert result.frame["b"].to_list() == [6, None, None]
    assert len(result.warnings) == 2


def test_only_the_first_twenty_failures_are_reported() -> None:
    storage = MemStorage()
    storage.add("i", {"x": T.INTEGER}, {"x": [-i for i in range(1, 31)]})
    sch = schema(("x", T.INTEGER), ("y", T.INTEGER))
    plan = Plan(
        (
            Relation("i", ("i",), sch[:1]),
            EvalNode(
                (
                    (
                        "y",
                        call(
                            "t_bad",
                            ref("x", T.INTEGER),
                            t=T.INTEGER,
                            text="bad(x)",
                            line=2,
                            column=8,
                        ),
                    ),
                ),
                sch,
            ),
        )
    )
    result = execute(plan, storage)
    assert result.frame["y"].null_count() == 30
    assert result.warnings[0].startswith("Line 2:8: evaluation of [bad(x)] failed")
    assert result.warnings[1:] == [
        f"Line 2:8: java.lang.IllegalArgumentException: bad [{-i}]" for i in range(1, 21)
    ]


def test_a_failure_inside_a_call_is_reported_at_its_own_position() -> None:
    storage = MemStorage()
    storage.add("i", {"x": T.INTEGER}, {"x": [1, 2]})
    sch = schema(("x", T.INTEGER), ("y", T.INTEGER))
    inner = call(
        "t_div",
        ref("x", T.INTEGER),
        lit(0, T.INTEGER),
        t=T.INTEGER,
        text="x / 0",
        line=1,
        column=30,
    )
    outer = call(
        "t_add", inner, lit(1, T.INTEGER), t=T.INTEGER, text="x / 0 + 1", line=1, column=30
    )
    plan = Plan((Relation("i", ("i",), sch[:1]), EvalNode((("y", outer),), sch)))
    result = execute(plan, storage)
    assert result.frame["y"].to_list() == [None, None]
    assert result.warnings == [
        "Line 1:30: evaluation of [x / 0] failed, treating result as null. Only first 20 failures recorded.",
        "Line 1:30: java.lang.ArithmeticException: / by zero",
    ]


def test_analysis_warnings_come_first() -> None:
    plan = _row(("a", 1, T.INTEGER))
    plan = Plan(
        plan.nodes + (LimitNode(1000, plan.schema),),
        ("No limit defined, adding default limit of [1000]",),
    )
    result = execute(plan, MemStorage())
    assert result.warnings == ["No limit defined, adding default limit of [1000]"]


def test_failures_see_the_columns_before_a_redefinition() -> None:
    # EVAL x = bad(x): the check reads the old x, not the null result.
    storage = MemStorage()
    storage.add("i", {"x": T.INTEGER}, {"x": [-1, 2]})
    sch = schema(("x", T.INTEGER))
    plan = Plan(
        (
            Relation("i", ("i",), sch),
            EvalNode((("x", call("t_bad", ref("x", T.INTEGER), t=T.INTEGER, text="bad(x)")),), sch),
        )
    )
    result = execute(plan, storage)
    assert result.frame["x"].to_list() == [None, 2]
    assert result.warnings[1] == "Line 1:1: java.lang.IllegalArgumentException: bad [-1]"


def test_a_conversion_records_each_failing_value_of_a_multi_value() -> None:
    # Elasticsearch's converters register one failure per bad value (still at most
    # 20 in all), not one per row.
    storage = MemStorage()
    storage.add(
        "i", {"s": T.KEYWORD}, {"s": [["one", "1", "two"], "x", [f"n{i}" for i in range(30)]]}
    )
    sch = schema(("s", T.KEYWORD), ("n", T.INTEGER))
    conv = call("to_integer", ref("s", T.KEYWORD), t=T.INTEGER, text="TO_INT(s)", column=20)
    plan = Plan((Relation("i", ("i",), sch[:1]), EvalNode((("n", conv),), sch)))
    result = execute(plan, storage)
    assert result.frame["n"].to_list() == [1, None, None]
    nfe = 'Line 1:20: java.lang.NumberFormatException: For input string: "{}"'
    assert result.warnings[0].startswith("Line 1:20: evaluation of [TO_INT(s)] failed")
    assert result.warnings[1:] == [
        nfe.format(v) for v in ["one", "two", "x", *(f"n{i}" for i in range(17))]
    ]
