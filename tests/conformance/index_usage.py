"""Which conformance indices a spec query needs, and which of those are absent.

``indices.yaml`` marks the indices (and enrich policies) whose data was not copied
into the conformance folder (``copied: false``), and lists ES|QL views, none of
which are copied. A test whose query reads one of them cannot pass here: the runner
fails it with reason ``missing index`` instead of running it. The scan is textual
(FROM/TS sources, LOOKUP JOIN targets, ENRICH policies), which is enough for the
specs' plain queries.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

_SETS = r"(?:\s*SET\b[^;]*;)*"
_SOURCE = re.compile(
    rf"^{_SETS}\s*(?:FROM|TS|METRICS)\s+(?P<list>(?:\"[^\"]*\"|[^\s,|\"]+)(?:\s*,\s*(?:\"[^\"]*\"|[^\s,|\"]+))*)",
    re.IGNORECASE,
)
_PATTERN = re.compile(r"\"[^\"]*\"|[^\s,|\"]+")
_JOIN = re.compile(r"\|\s*LOOKUP\s+JOIN\s+(?P<name>\"[^\"]*\"|[^\s|]+)", re.IGNORECASE)
_ENRICH = re.compile(r"\|\s*ENRICH\s+(?:_\w+:)?(?P<name>[\w.\-]+)", re.IGNORECASE)


@dataclass
class IndexCatalog:
    """What ``indices.yaml`` says is (not) available."""

    copied: dict[str, bool] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)
    views: set[str] = field(default_factory=set)
    policies: dict[str, tuple[list[str], bool]] = field(default_factory=dict)

    @classmethod
    def load(cls, fixtures_dir: str | Path) -> IndexCatalog:
        path = Path(fixtures_dir) / "indices.yaml"
        if not path.exists():
            return cls()
        data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        copied = {
            name: bool(spec.get("copied", True))
            for name, spec in (data.get("indices") or {}).items()
        }
        policies = {}
        for name, spec in (data.get("enrich_policies") or {}).items():
            source = spec.get("source_index") or []
            sources = [source] if isinstance(source, str) else list(source)
            policies[name] = (sources, bool(spec.get("copied", True)))
        return cls(
            copied=copied,
            aliases=dict(data.get("aliases") or {}),
            views=set(data.get("views") or []),
            policies=policies,
        )

    def known(self) -> list[str]:
        return [*self.copied, *self.aliases, *self.views]

    def is_missing(self, name: str) -> bool:
        if name in self.views:
            return True
        target = self.aliases.get(name, name)
        return self.copied.get(target, True) is False


def source_patterns(query: str) -> list[str]:
    """The index patterns of the query's FROM (or TS) command, as written."""
    match = _SOURCE.match(query)
    if not match:
        return []
    return [p.strip('"') for p in _PATTERN.findall(match.group("list"))]


def _resolve(patterns: list[str], catalog: IndexCatalog) -> tuple[set[str], set[str]]:
    """(names written out, names matched by wildcards) of FROM patterns, applying
    ``-exclusions`` in order."""
    explicit: set[str] = set()
    wildcard: set[str] = set()
    known = catalog.known()
    for raw in patterns:
        for pattern in raw.split(","):
            pattern = pattern.strip()
            if ":" in pattern:  # a remote cluster's index: not ours to judge
                continue
            exclude = pattern.startswith("-")
            pattern = pattern.lstrip("-")
            is_wild = "*" in pattern
            matched = (
                {n for n in known if fnmatch.fnmatchcase(n, pattern)} if is_wild else {pattern}
            )
            if exclude:
                explicit -= matched
                wildcard -= matched
            elif is_wild:
                wildcard |= matched
            else:
                explicit |= matched
    return explicit, wildcard - explicit


@dataclass
class MissingIndices:
    """Absent things a query needs: ``named`` ones (written out, or an ENRICH policy
    over them) make it fail for sure; ``covered`` ones only match one of its wildcards."""

    named: list[str]
    covered: list[str]


def missing_indices(query: str, catalog: IndexCatalog) -> MissingIndices:
    explicit, wildcard = _resolve(source_patterns(query), catalog)
    explicit |= {m.group("name").strip('"') for m in _JOIN.finditer(query)}
    named = {name for name in explicit if catalog.is_missing(name)}
    for match in _ENRICH.finditer(query):
        policy = match.group("name")
        sources, copied = catalog.policies.get(policy, ([], True))
        if not copied or any(catalog.is_missing(s) for s in sources):
            named.add(f"policy {policy}")
    covered = {name for name in wildcard if catalog.is_missing(name)}
    return MissingIndices(sorted(named), sorted(covered))


def name_list(names: list[str], limit: int = 6) -> str:
    """``a, b, c`` — cut after ``limit`` names with a count of the rest."""
    shown = ", ".join(names[:limit])
    return shown + (f", … (+{len(names) - limit} more)" if len(names) > limit else "")
