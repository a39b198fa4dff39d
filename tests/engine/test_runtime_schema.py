"""``Run.with_fields`` knows the schema of the frame it returns without resolving
the plan again (a chain of EVALs stays linear), and that schema is exactly the one
Polars resolves."""

from __future__ import annotations

import polars as pl

from esqlsh.analysis.analyzer import analyze
from esqlsh.coordinator.session import run_query
from esqlsh.engine.runtime import Run
from esqlsh.plan.logical import EvalNode
from esqlsh.syntax.parser import parse
from tests.engine.memstorage import MemStorage

_FIELDS = (
    "b = a + 1, c = TO_LONG(b) * 2, d = null, e = m + 1, f = TO_DOUBLE(c), "
    'g = CASE(a > 0, "x", null), h = MV_SORT(m), i = 1 / 0, j = CASE(a > 0, a, null), k = m'
)


def _eval_fields(query: str) -> list[EvalNode]:
    plan = analyze(parse(query), MemStorage())
    return [n for n in plan.nodes if isinstance(n, EvalNode)]


def test_known_schema_is_the_resolved_schema() -> None:
    (node,) = _eval_fields(f"ROW a = 1, m = [1, 2] | EVAL {_FIELDS}")
    # ``a`` as Int64 although it is an integer: the results are cast to Int32 (as when
    # an implementation returns Int64), and the known schema must say so
    lf = pl.LazyFrame(
        {"a": [1, -1], "m": [[1, 2], None]}, schema={"a": pl.Int64, "m": pl.List(pl.Int64)}
    )
    for defer in (True, False):
        run = Run(MemStorage(), 0)
        run.needed = {"a", "m", *(name for name, _ in node.fields)}
        out = run.with_fields(lf, node.fields, defer=defer)
        assert run.schema_of(out) == dict(out.collect_schema())


def test_a_long_eval_chain() -> None:
    evals = " ".join("| EVAL s = s + a" for _ in range(200))
    result = run_query(f"ROW a = 2, s = 0 {evals} | KEEP s", MemStorage())
    assert result.frame["s"].to_list() == [400]
