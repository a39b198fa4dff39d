"""The exchange: where fragment results meet the coordinator plan.

Every cluster's fragment returns the same columns (``SplitPlan.exchange``);
:func:`merge_frames` concatenates their frames, in cluster order, into one frame of
the engine's physical types (a column that is multi-valued anywhere becomes a list
column everywhere; a column a cluster could only send as nulls takes the type).

:class:`ExchangeStorage` is the ``Storage`` the coordinator plan runs over: one
in-memory index (the exchange) plus the local cluster's enrich policies, enrich
indices and lookup indices, which ``_coordinator`` ENRICH and LOOKUP JOIN after
the first pipeline breaker read.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import polars as pl

from esqlsh.analysis.types import DataType
from esqlsh.clusters.base import Catalog, EnrichPolicy, IndexInfo
from esqlsh.plan.logical import Attribute

if TYPE_CHECKING:
    from esqlsh.clusters.base import Storage


def physical_dtype(t: DataType) -> pl.DataType:
    from esqlsh.engine.compiled import PHYSICAL

    return PHYSICAL.get(t, pl.Null())


def merge_frames(columns: Sequence[Attribute], frames: Sequence[pl.DataFrame]) -> pl.DataFrame:
    """``frames`` (each with ``columns``, by name) stacked in order, typed as the engine
    stores ``columns``."""
    names = [a.name for a in columns]
    multi = {
        a.name
        for a in columns
        for f in frames
        if a.name in f.columns and isinstance(f.schema[a.name], pl.List)
    }
    targets = {
        a.name: pl.List(physical_dtype(a.type)) if a.name in multi else physical_dtype(a.type)
        for a in columns
    }
    aligned = [_align(frame, names, targets) for frame in frames]
    if not aligned:
        return pl.DataFrame(schema=targets)
    return pl.concat(aligned, how="vertical")


def _align(frame: pl.DataFrame, names: list[str], targets: dict[str, pl.DataType]) -> pl.DataFrame:
    schema = frame.schema
    if list(schema) == names and all(schema[n] == targets[n] for n in names):
        return frame  # already the exchange's columns, in order (the usual case)
    exprs = []
    for name in names:
        target = targets[name]
        if name not in frame.columns:
            exprs.append(pl.lit(None, dtype=target).alias(name))
            continue
        current = frame.schema[name]
        expr = pl.col(name)
        if isinstance(target, pl.List) and not isinstance(current, pl.List):
            # One cluster stores single values where another has lists.
            inner = target.inner
            wrapped = pl.concat_list([expr.cast(inner, strict=False)])
            expr = pl.when(expr.is_null()).then(pl.lit(None, dtype=target)).otherwise(wrapped)
        elif current != target:
            expr = expr.cast(target, strict=False)
        exprs.append(expr.alias(name))
    if not exprs:
        return frame.select([])
    return frame.select(exprs)


class ExchangeStorage:
    """The exchange index named ``index`` over ``frame`` (typed ``columns``), with
    everything else (policies, enrich and lookup indices) read from ``local``."""

    def __init__(
        self,
        index: str,
        columns: Sequence[Attribute],
        frame: pl.DataFrame,
        local: Catalog | None = None,
    ):
        self.name = index
        self.index_name = index
        self.columns = tuple(columns)
        self.frame = frame
        self.local = local
        self._info = IndexInfo(index, {a.name: a.type for a in columns})

    def __repr__(self) -> str:
        return f"ExchangeStorage({self.index_name!r}, rows={self.frame.height})"

    # --- Catalog ---------------------------------------------------------------

    def resolve(self, expression: str) -> list[str]:
        names: list[str] = []
        rest: list[str] = []
        for part in (p.strip() for p in expression.split(",")):
            if part == self.index_name:
                names.append(part)
            elif part:
                rest.append(part)
        if rest and self.local is not None:
            names.extend(self.local.resolve(",".join(rest)))
        return sorted(set(names))

    def index(self, name: str) -> IndexInfo | None:
        if name == self.index_name:
            return self._info
        return self.local.index(name) if self.local is not None else None

    def policies(self) -> dict[str, EnrichPolicy]:
        return self.local.policies() if self.local is not None else {}

    # --- Storage ---------------------------------------------------------------

    def scan(self, index: str, columns: list[str] | None = None, **options: Any) -> pl.LazyFrame:
        if index != self.index_name:
            return self._local_storage().scan(index, columns, **options)
        wanted = list(self._info.fields) if columns is None else list(columns)
        exprs = [pl.col(n) if n in self.frame.columns else pl.lit(None).alias(n) for n in wanted]
        return self.frame.lazy().select(exprs) if exprs else self.frame.lazy().select([])

    def _local_storage(self) -> Storage:
        if self.local is None or not hasattr(self.local, "scan"):
            from esqlsh.errors import QueryExecutionError

            raise QueryExecutionError(
                "the local cluster cannot be read in process (it is not an embedded cluster)"
            )
        return self.local  # type: ignore[return-value]
