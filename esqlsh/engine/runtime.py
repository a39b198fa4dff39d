"""What every node translator shares while one plan runs: the storage, the query's
NOW, the warnings collected so far, which columns later nodes need, and the one
way to evaluate expressions into columns (compiling them, evaluating their
failure checks in the same step, and materialising the frame when a check has to
be turned into warnings).

Frames stay lazy between nodes; they are collected only when warnings must be
computed (or a translator needs concrete data), pruned to the columns still
needed first.

The failures of EVAL (and of a STATS's own expressions) are *deferred*
(``Run.pending``): the frame carries one boolean column per call site (did the
row fail here?) until the rows change, and each pending site keeps the lazy frame
as it was, with its message column. A STATS counts the failed rows in its own
aggregation, the query's final collect sees them in the result, anything else
settles them (``Run.settle``) by collecting the frame; only when some row did
fail is the kept frame read for the first messages. So a query without failures
never materialises its frame for them, nor builds a column of messages, and one
with failures reads its input a second time.
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
from esqlsh.engine.failures import (
    SiteColumn,
    WarningLog,
    collect_warnings,
    site_columns,
    site_masks,
)
from esqlsh.plan.logical import TExpr


@dataclass(frozen=True)
class PendingSite:
    """A call site whose failures are not read yet: the frame's boolean column
    ``mask`` says which rows failed; ``messages`` is the frame at the site, with
    the messages in column ``site.name``."""

    site: SiteColumn
    mask: str
    messages: pl.LazyFrame

    def read(self, log: WarningLog) -> None:
        """Add the site's warnings (its first failures) to ``log``."""
        collect_warnings(self.messages, [self.site], log)


def target_dtype(t: DataType, current: pl.DataType) -> pl.DataType:
    """The physical dtype a column of type ``t`` should have, keeping it a list if
    it is one."""
    base = physical_of(t)
    if isinstance(current, pl.List):
        return pl.List(base)
    return base


def _with_columns_schema(
    schema: dict[str, pl.DataType], exprs: Sequence[pl.Expr]
) -> dict[str, pl.DataType]:
    """The schema of a frame of ``schema`` after ``with_columns(exprs)``, resolved on
    an empty frame of just the columns the expressions read (their dtypes depend only
    on those columns' dtypes)."""
    read = {name for e in exprs for name in e.meta.root_names()}
    try:
        inputs = pl.LazyFrame(schema={n: t for n, t in schema.items() if n in read})
        added = inputs.select(exprs).collect_schema()
    except pl.exceptions.PolarsError:
        # a selector (``col("*")``) has no root names: resolve over every column
        added = pl.LazyFrame(schema=schema).select(exprs).collect_schema()
    return {**schema, **added}


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
    pending: list[PendingSite] = field(default_factory=list)
    _counter: int = 0
    # The last frame ``with_fields`` returned and its schema: a chain of EVALs would
    # otherwise resolve the whole (ever deeper) plan again at every step, quadratic
    # in the number of EVALs (eval.csv-spec:repetitiveEval has 300).
    _known: tuple[pl.LazyFrame, dict[str, pl.DataType]] | None = None

    def temp(self, stem: str) -> str:
        """A fresh internal column name (never an ES|QL column name)."""
        self._counter += 1
        return f"\x00{stem}{self._counter}"

    def context(self) -> EvalContext:
        return EvalContext(now_millis=self.now_millis)

    def compile(self, lf: pl.LazyFrame, expr: TExpr, ctx: EvalContext) -> Col:
        return ExprCompiler(self.schema_of(lf), ctx).compile(expr)

    def schema_of(self, lf: pl.LazyFrame) -> dict[str, pl.DataType]:
        """``lf``'s column dtypes (known without resolving the plan when ``lf`` is
        what ``with_fields`` last returned)."""
        if self._known is not None and self._known[0] is lf:
            return dict(self._known[1])
        return dict(lf.collect_schema())

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
        schema = self.schema_of(lf)
        for name, expr in fields:
            ctx = self.context()
            value = ExprCompiler(schema, ctx).compile(expr)
            site_exprs, new_sites = site_columns(ctx.checks, self.temp("w"))
            if defer:
                added = [*self._defer(lf, site_exprs, new_sites, ctx), value.expr.alias(name)]
            else:
                added = [*site_exprs, value.expr.alias(name)]
                sites += new_sites
            lf = lf.with_columns(added)
            schema = _with_columns_schema(schema, added)
            want = target_dtype(expr.type, schema[name])
            if want != schema[name]:
                lf = lf.with_columns(col(name).cast(want, strict=False))
                schema[name] = want
        names = [n for n, _ in fields]
        out = self.materialize(lf, sites, keep=[*names, *keep])
        if out is lf:
            self._known = (out, schema)
        return out

    def _defer(
        self, lf: pl.LazyFrame, messages: list[pl.Expr], sites: list[SiteColumn], ctx: EvalContext
    ) -> list[pl.Expr]:
        """Pending sites for ``sites``; their mask columns' expressions."""
        masks = []
        for site, message, mask in zip(sites, messages, site_masks(ctx.checks), strict=True):
            name = self.temp("failed")
            at_site = lf.with_columns(message).select(col(site.name))
            self.pending.append(PendingSite(site, name, at_site))
            masks.append(mask.alias(name))
        return masks

    def settle(self, lf: pl.LazyFrame, keep: Iterable[str] = ()) -> pl.LazyFrame:
        """``lf`` with the pending failures turned into warnings (evaluated if
        there are any)."""
        if not self.pending:
            return lf
        pending = self.pending
        df = self.collect(lf, keep=keep)
        self.pending = []
        return read_pending(df, pending, self.log).lazy()

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
        wanted = self.needed | set(keep) | {p.mask for p in self.pending}
        unwanted = [n for n in lf.collect_schema().names() if n not in wanted]
        # drop, not select: a frame left without columns keeps its row count
        return lf.drop(exactly(unwanted)).collect()


def read_pending(frame: pl.DataFrame, pending: list[PendingSite], log: WarningLog) -> pl.DataFrame:
    """The warnings of the ``pending`` sites at which some row of ``frame`` failed
    (``frame`` has their mask columns, or counts of them under the same names);
    ``frame`` without those columns."""
    for p in pending:
        if _any_failed(frame.get_column(p.mask)):
            p.read(log)
    return frame.drop([p.mask for p in pending])


def _any_failed(column: pl.Series) -> bool:
    if column.dtype == pl.Boolean:
        return bool(column.any())
    return bool(column.sum() > 0)
