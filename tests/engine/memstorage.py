"""A ``Storage`` over in-memory Polars frames, for engine tests."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field

import polars as pl

from esqlsh.analysis.types import DataType
from esqlsh.clusters.base import EnrichPolicy, IndexInfo
from esqlsh.engine.compiled import physical


@dataclass
class MemStorage:
    """Indices as frames (columns already in physical form). ``scans`` records
    the columns each scan asked for."""

    name: str = "local"
    frames: dict[str, pl.DataFrame] = field(default_factory=dict)
    infos: dict[str, IndexInfo] = field(default_factory=dict)
    enrich: dict[str, EnrichPolicy] = field(default_factory=dict)
    scans: list[tuple[str, list[str] | None]] = field(default_factory=list)

    def add(
        self,
        name: str,
        fields: dict[str, DataType],
        rows: dict[str, list[object]],
        mode: str = "standard",
    ) -> None:
        """Add an index; a column whose values include lists is stored as lists."""
        columns = {}
        for fname, t in fields.items():
            if fname not in rows:
                continue  # absent from the stored data: scans give nulls
            values = rows[fname]
            if any(isinstance(v, list) for v in values):
                listed = [v if isinstance(v, list) or v is None else [v] for v in values]
                columns[fname] = pl.Series(fname, listed, dtype=pl.List(physical(t)))
            else:
                columns[fname] = pl.Series(fname, values, dtype=physical(t))
        extra = {k: pl.Series(k, v) for k, v in rows.items() if k not in fields}
        self.frames[name] = pl.DataFrame({**columns, **extra})
        self.infos[name] = IndexInfo(name, dict(fields), mode=mode)

    def resolve(self, expression: str) -> list[str]:
        out: set[str] = set()
        for part in expression.split(","):
            out |= {n for n in self.infos if fnmatch.fnmatchcase(n, part.strip())}
        return sorted(out)

    def index(self, name: str) -> IndexInfo | None:
        return self.infos.get(name)

    def policies(self) -> dict[str, EnrichPolicy]:
        return self.enrich

    def scan(self, index: str, columns: list[str] | None = None) -> pl.LazyFrame:
        self.scans.append((index, columns))
        frame = self.frames[index]
        info = self.infos[index]
        names = list(info.fields) if columns is None else columns
        exprs = []
        for n in names:
            if n in frame.columns:
                exprs.append(pl.col(n))
            elif n in info.fields:
                exprs.append(pl.lit(None, dtype=physical(info.fields[n])).alias(n))
            else:
                raise KeyError(n)
        return frame.lazy().select(exprs) if exprs else frame.lazy().select([])
