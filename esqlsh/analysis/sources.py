"""Index resolution for FROM and LOOKUP JOIN: index patterns → concrete indices →
one schema.

Fields of several indices are united by name; a name mapped to different types is
``unsupported`` and using it is an error worded as Elasticsearch's
``InvalidMappedField`` words it. Columns are sorted by name (``mappingAsAttributes``)
and the requested METADATA fields follow in the order given.

Patterns are grouped per cluster by ``clusters.patterns.resolve_targets``. Over a
single catalog only the local cluster exists, so a ``cluster:index`` pattern fails
with Elasticsearch's ``no such remote cluster``; over a ``FederatedCatalog`` each
cluster resolves its own part and remote indices are named ``alias:index``, so the
schema is the union over every cluster, as Elasticsearch's coordinator builds it
from field-caps.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import field
from typing import TYPE_CHECKING

from esqlsh.analysis import messages
from esqlsh.analysis.types import DataType
from esqlsh.clusters.base import Catalog, IndexInfo
from esqlsh.clusters.federated import FederatedCatalog
from esqlsh.clusters.patterns import (
    ClusterTarget,
    NoSuchRemoteClusterError,
    pattern_text,
    qualified_expression,
    resolve_targets,
    target_indices,
)
from esqlsh.plan.logical import Attribute
from esqlsh.syntax import ast

if TYPE_CHECKING:
    from dataclasses import dataclass
else:  # the same classes, made without compiling methods at import (syntax/records.py)
    from esqlsh.syntax.records import dataclass

__all__ = [  # NoSuchRemoteClusterError and pattern_text are re-exported from clusters.patterns
    "METADATA_TYPES",
    "NoSuchRemoteClusterError",
    "ResolvedSource",
    "conflict_message",
    "merge_fields",
    "pattern_text",
    "resolve_from",
]

# Analyzer.NO_FIELDS: the one column of a FROM whose indices have no field.
NO_FIELDS = "<no-fields>"
METADATA_TYPES: dict[str, DataType] = {
    "_index": DataType.KEYWORD,
    "_id": DataType.KEYWORD,
    "_version": DataType.LONG,
    "_score": DataType.DOUBLE,
    "_ignored": DataType.KEYWORD,
    "_index_mode": DataType.KEYWORD,
    "_source": DataType.SOURCE,
}


@dataclass
class ResolvedSource:
    """The outcome of resolving FROM patterns. ``pattern`` is the expression over
    every cluster reached (remote parts ``alias:index``, remotes first), which is
    also what ``Unknown index [...]`` names when ``indices`` is empty."""

    pattern: str
    indices: tuple[str, ...]
    attrs: list[Attribute]
    unusable: dict[str, str] = field(default_factory=dict)
    infos: tuple[IndexInfo, ...] = ()
    # False when the patterns reach no cluster at all (``FROM x*:foo``, no remote
    # matching ``x*``): Elasticsearch then resolves no index and the FROM is valid
    # and empty (``EsqlSession``: an empty index expression → ``IndexResolution.valid``)
    searched: bool = True


def resolve_from(patterns: Sequence[ast.IndexPattern], catalog: Catalog) -> ResolvedSource:
    """Resolve FROM ``patterns`` on every cluster they reach; raises the pattern
    errors (``no such remote cluster``, cluster exclusions). ``pattern`` names every
    cluster reached, unavailable ones included: Elasticsearch sends that whole
    expression to field-caps and names it in ``Unknown index [...]``."""
    targets = _targets(patterns, catalog)
    if not targets:
        return ResolvedSource(",".join(pattern_text(p) for p in patterns), (), [], searched=False)
    reached = [(t, c) for t in targets if (c := _member(catalog, t.alias)) is not None]
    infos = sorted((info for t, c in reached for info in _infos(t, c)), key=lambda i: i.name)
    expression = qualified_expression(targets)
    if not expression:  # the patterns reach no cluster at all
        expression = ",".join(pattern_text(p) for p in patterns)
    if not infos:
        return ResolvedSource(expression, (), [])
    attrs, unusable = merge_fields(infos)
    return ResolvedSource(expression, tuple(i.name for i in infos), attrs, unusable, tuple(infos))


def _targets(patterns: Sequence[ast.IndexPattern], catalog: Catalog) -> list[ClusterTarget]:
    # isinstance, not duck typing: EmbeddedCluster.aliases() lists *index* aliases
    if isinstance(catalog, FederatedCatalog):
        return list(catalog.targets(patterns).values())
    return list(resolve_targets(patterns, catalog.name, ()).values())


def _member(catalog: Catalog, alias: str) -> Catalog | None:
    """The catalog of cluster ``alias`` (None when it is unavailable)."""
    return catalog.catalog(alias) if isinstance(catalog, FederatedCatalog) else catalog


def _infos(target: ClusterTarget, catalog: Catalog) -> list[IndexInfo]:
    infos = [i for i in (catalog.index(n) for n in target_indices(target, catalog)) if i]
    if target.local:
        return infos
    return [dataclasses.replace(i, name=f"{target.alias}:{i.name}") for i in infos]


def merge_fields(infos: Sequence[IndexInfo]) -> tuple[list[Attribute], dict[str, str]]:
    """United, name-sorted columns of ``infos``; conflicting names are unsupported
    with the reason to report when used."""
    types_to_indices: dict[str, dict[DataType, list[str]]] = {}
    for info in infos:
        for name, t in info.fields.items():
            types_to_indices.setdefault(name, {}).setdefault(t, []).append(info.name)
    attrs: list[Attribute] = []
    unusable: dict[str, str] = {}
    for name in sorted(types_to_indices):
        by_type = types_to_indices[name]
        if len(by_type) == 1:
            (t,) = by_type
            attrs.append(Attribute(name, t))
            if t is DataType.UNSUPPORTED:
                unusable[name] = f"Cannot use field [{name}] with unsupported type [unsupported]"
            continue
        attrs.append(Attribute(name, DataType.UNSUPPORTED))
        unusable[name] = conflict_message(name, by_type)
    return attrs, unusable


def conflict_message(name: str, by_type: dict[DataType, list[str]]) -> str:
    """``InvalidMappedField.makeErrorMessage``: types in name order, up to three
    indices each."""
    parts = []
    for type_name, indices in sorted((messages.type_name(t), ix) for t, ix in by_type.items()):
        ordered = sorted(set(indices))
        if len(ordered) <= 3:
            listed = f"[{', '.join(ordered)}]"
        else:
            rest = len(ordered) - 3
            listed = f"[{', '.join(ordered[:3])}] and [{rest}] other {'index' if rest == 1 else 'indices'}"
        parts.append(f"[{type_name}] in {listed}")
    return (
        f"Cannot use field [{name}] due to ambiguities being mapped as [{len(by_type)}] "
        f"incompatible types: {', '.join(parts)}"
    )
