"""What every node translator shares while one plan runs: the storage, the query's
NOW, the warnings collected so far, which columns later nodes need, and the one
way to evaluate expressions into columns (compiling them, evaluating their
failure checks in the same step, and materialising the frame when a check has to
be turned into warnings).

Frames stay lazy between nodes; they are collected only when warnings must be
computed (or a translator needs concrete data), pruned to the columns still
needed first. The failure columns of EVAL (and of a STATS's own expressions) are
*deferred*: they ride along in the lazy frame (``Run.pending``) until the rows
change. A STATS then counts them in its own aggregation and reads the failing
rows only if there were any, and the query's final collect reads them from the
result; anything else settles them first (``Run.settle``), as before.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import polars as pl

from esqlsh.analysis.types import DataType
from esqlsh.clusters.base import Storage
from esqlsh.engine.columns import col, exactly
from esqlsh.engine.compiled import Col, EvalContext
from esqlsh.engine.expressions import ExprCompiler, physical_of
from esqlsh.engine.failures import SiteColumn, WarningLog, collect_warnings, site_columns
from esqlsh.plan.logical import TExpr


def target_dtype(t: DataType, current: pl.DataType) -> pl.DataType:
    """The physical dtype a column of type ``t`` should have, keeping it a list if
    it is one."""
    base = physical_of(t)
    if isinstance(current, pl.List):
        return pl.List(base)
    return base


def conform_dtypes(lf: pl.LazyFrame, types: dict[str, DataType]) -> pl.LazyFrame:
    """Cast columns whose dtype differs from their type's physical form (an
    implementation returning Int64 for an integer, an all-null literal …)."""
    schema = lf.collect_schema()
    casts = []
    for name, t in types.items():
        current = schema.get(name)
        if current is None:
            continue
        want = target_dtype(t, current)
        if current != want:
            casts.append(col(name).cast(want, strict=False))
    return lf.with_columns(casts) if casts else lf


@dataclass
class Run:
    """The state of one query execution."""

    storage: Storage
    now_millis: int
    log: WarningLog = field(default_factory=WarningLog)
    needed: set[str] = field(default_factory=set)
    # The fields of the index scan a WHERE runs right on (None elsewhere).
    scan_fields: set[str] | None = None
    # Failure columns in the frame whose warnings are not read yet (see module doc).
    pending: list[SiteColumn] = field(default_factory=list)
    _counter: int = 0

    def temp(self, stem: str) -> str:
        """A fresh internal column name (never an ES|QL column name)."""
        self._counter += 1
        return f"\x00{stem}{self._counter}"

    def context(self) -> EvalContext:
        return EvalContext(now_millis=self.now_millis)

    def compile(self, lf: pl.LazyFrame, expr: TExpr, ctx: EvalContext) -> Col:
        return ExprCompiler(lf.collect_schema(), ctx).compile(expr)

    def with_fields(
        self,
        lf: pl.LazyFrame,
        fields: Sequence[tuple[str, TExpr]],
        keep: Iterable[str] = (),
        *,
        defer: bool = False,
    ) -> pl.LazyFrame:
        """``lf`` plus each field, left to right (a later field sees the earlier
        ones); failures become warnings. ``keep`` names columns besides the
        needed ones to keep if the frame is materialised. ``defer``: leave the
        failure columns in the frame, pending, instead of materialising it."""
        sites: list[SiteColumn] = []
        for name, expr in fields:
            ctx = self.context()
            col = self.compile(lf, expr, ctx)
            site_exprs, new_sites = site_columns(ctx.checks, self.temp("w"))
            lf = lf.with_columns([*site_exprs, col.expr.alias(name)])
            lf = conform_dtypes(lf, {name: expr.type})
            sites += new_sites
        if defer:
            self.pending += sites
            return lf
        names = [n for n, _ in fields]
        return self.materialize(lf, sites, keep=[*names, *keep])

    def settle(self, lf: pl.LazyFrame, keep: Iterable[str] = ()) -> pl.LazyFrame:
        """``lf`` with the pending failures turned into warnings (materialised if
        there are any)."""
        sites, self.pending = self.pending, []
        return self.materialize(lf, sites, keep=keep)

    def materialize(
        self, lf: pl.LazyFrame, sites: list[SiteColumn], keep: Iterable[str] = ()
    ) -> pl.LazyFrame:
        """Evaluate ``lf`` if any of ``sites`` may have failed, recording the
        warnings and dropping the message columns."""
        if not sites:
            return lf
        df = self.collect(lf, keep=[*keep, *(s.name for s in sites)])
        collect_warnings(df, sites, self.log)
        return df.drop([s.name for s in sites]).lazy()

    def collect(self, lf: pl.LazyFrame, keep: Iterable[str] = ()) -> pl.DataFrame:
        """``lf`` evaluated, keeping only needed columns (and ``keep``)."""
        wanted = self.needed | set(keep) | {s.name for s in self.pending}
        unwanted = [n for n in lf.collect_schema().names() if n not in wanted]
        # drop, not select: a frame left without columns keeps its row count
        return lf.drop(exactly(unwanted)).collect()
