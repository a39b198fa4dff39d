"""A query's result as the engine hands it on: columns, a Polars frame, warnings."""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from esqlsh.plan.logical import Attribute


@dataclass
class Result:
    """``frame`` holds the columns in order, each in its physical form
    (``esqlsh.engine.compiled.PHYSICAL``; multi-valued columns are lists).
    ``warnings`` are Elasticsearch's response warnings, in order, deduplicated."""

    columns: tuple[Attribute, ...]
    frame: pl.DataFrame
    warnings: list[str] = field(default_factory=list)
    took_ms: int = 0
    is_partial: bool = False
