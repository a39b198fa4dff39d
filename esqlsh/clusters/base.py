"""What the analyzer and the engine need to know of a cluster: its indices, their
fields and types, their rows, and its enrich policies.

``Catalog`` is the read-only protocol both embedded clusters and (later) remote
Elasticsearch clusters satisfy for analysis; ``Storage`` adds scanning rows, which
only clusters the engine runs in process have.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from esqlsh.analysis.types import DataType

if TYPE_CHECKING:
    import polars as pl


@dataclass(frozen=True)
class IndexInfo:
    """An index: ``fields`` maps every field (multi-fields as ``parent.sub``) to its
    ES|QL type, in the order they are stored; ``mode`` is ``standard``, ``lookup``
    or ``time_series``. ``aliases`` names the aliases pointing at it."""

    name: str
    fields: dict[str, DataType]
    mode: str = "standard"
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class EnrichPolicy:
    """An enrich policy as ``GET _enrich/policy`` describes it."""

    name: str
    type: str  # match | range | geo_match
    indices: tuple[str, ...]
    match_field: str
    enrich_fields: tuple[str, ...]
    query: dict[str, object] | None = field(default=None, compare=False)


class Catalog(Protocol):
    """Metadata of one cluster."""

    name: str

    def resolve(self, expression: str) -> list[str]:
        """Concrete index names matching a comma-separated expression of names,
        wildcards and ``-exclusions`` (Elasticsearch's rules, aliases included),
        sorted. Unknown concrete names are simply absent."""
        ...

    def index(self, name: str) -> IndexInfo | None: ...

    def policies(self) -> dict[str, EnrichPolicy]: ...


class Storage(Catalog, Protocol):
    """A catalog whose rows the engine can read."""

    def scan(self, index: str, columns: list[str] | None = None) -> pl.LazyFrame:
        """The index's rows, columns in their physical form
        (``esqlsh.engine.compiled.PHYSICAL``; multi-valued fields as lists),
        named as in ``IndexInfo.fields``; a field absent from the stored data comes
        back as all-null of its type."""
        ...
