"""A ``Catalog`` built from dicts, for analyzer tests."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field

from esqlsh.analysis.types import DataType
from esqlsh.clusters.base import EnrichPolicy, IndexInfo


@dataclass
class MemCatalog:
    """Indices (name → fields) and enrich policies. ``resolve`` follows
    Elasticsearch's expression rules closely enough for tests: comma-separated
    names and ``*`` wildcards, ``-name`` exclusions applied to what precedes them,
    aliases, unknown concrete names simply absent."""

    name: str = "local"
    indices: dict[str, IndexInfo] = field(default_factory=dict)
    enrich: dict[str, EnrichPolicy] = field(default_factory=dict)

    def add(
        self,
        name: str,
        fields: dict[str, DataType],
        mode: str = "standard",
        aliases: tuple[str, ...] = (),
    ) -> MemCatalog:
        self.indices[name] = IndexInfo(name, dict(fields), mode, aliases)
        return self

    def add_policy(
        self,
        name: str,
        type_: str,
        index: str,
        match_field: str,
        enrich_fields: tuple[str, ...],
    ) -> MemCatalog:
        self.enrich[name] = EnrichPolicy(name, type_, (index,), match_field, enrich_fields)
        return self

    def _matches(self, part: str) -> set[str]:
        out = set()
        for info in self.indices.values():
            if fnmatch.fnmatchcase(info.name, part) or any(
                fnmatch.fnmatchcase(a, part) for a in info.aliases
            ):
                out.add(info.name)
        return out

    def resolve(self, expression: str) -> list[str]:
        selected: set[str] = set()
        for raw in expression.split(","):
            part = raw.strip()
            if not part:
                continue
            if part.startswith("-"):
                selected -= self._matches(part[1:])
            else:
                selected |= self._matches(part)
        return sorted(selected)

    def index(self, name: str) -> IndexInfo | None:
        return self.indices.get(name)

    def policies(self) -> dict[str, EnrichPolicy]:
        return self.enrich
