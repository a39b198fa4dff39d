"""Index resolution for FROM and LOOKUP JOIN: index patterns → concrete indices →
one schema.

Fields of several indices are united by name; a name mapped to different types is
``unsupported`` and using it is an error worded as Elasticsearch's
``InvalidMappedField`` words it. Columns are sorted by name (``mappingAsAttributes``)
and the requested METADATA fields follow in the order given.

Only the local cluster is known here (this analysis runs against one catalog);
``cluster:index`` patterns are rejected with Elasticsearch's errors. The split of
patterns per cluster lives in :func:`group_patterns` so a coordinator can call it
with several catalogs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from esqlsh.analysis import messages
from esqlsh.analysis.types import DataType
from esqlsh.clusters.base import Catalog, IndexInfo
from esqlsh.errors import EsqlError
from esqlsh.plan.logical import Attribute
from esqlsh.syntax import ast

METADATA_TYPES: dict[str, DataType] = {
    "_index": DataType.KEYWORD,
    "_id": DataType.KEYWORD,
    "_version": DataType.LONG,
    "_score": DataType.DOUBLE,
    "_ignored": DataType.KEYWORD,
    "_index_mode": DataType.KEYWORD,
    "_source": DataType.SOURCE,
}


class NoSuchRemoteClusterError(EsqlError):
    """``no such remote cluster: [x]`` (Elasticsearch's NoSuchRemoteClusterException)."""

    type = "no_such_remote_cluster_exception"
    status = 404

    def __init__(self, alias: str):
        super().__init__(f"no such remote cluster: [{alias}]")


@dataclass
class ResolvedSource:
    """The outcome of resolving index patterns on one cluster."""

    pattern: str
    indices: tuple[str, ...]
    attrs: list[Attribute]
    unusable: dict[str, str] = field(default_factory=dict)
    infos: tuple[IndexInfo, ...] = ()


def pattern_text(p: ast.IndexPattern) -> str:
    """One FROM target as Elasticsearch prints it in ``Unknown index [...]``."""
    text = p.index
    if p.selector:
        text += "::" + p.selector
    return f"{p.cluster}:{text}" if p.cluster else text


def group_patterns(
    patterns: Sequence[ast.IndexPattern], remotes: Sequence[str] = ()
) -> dict[str | None, list[ast.IndexPattern]]:
    """Patterns per cluster (None = local), in query order. A cluster prefix must
    name one of ``remotes`` (a wildcard may match none); Elasticsearch never lets a
    prefix name the local cluster."""
    grouped: dict[str | None, list[ast.IndexPattern]] = {}
    for p in patterns:
        if p.cluster is None or p.index.startswith("<"):
            grouped.setdefault(None, []).append(p)
            continue
        alias = p.cluster.lstrip("-")
        if "*" in alias:
            continue  # wildcard aliases only ever match remotes; none are known here
        if alias not in remotes:
            raise NoSuchRemoteClusterError(alias)
        grouped.setdefault(alias, []).append(p)
    return grouped


def resolve_local(patterns: Sequence[ast.IndexPattern], catalog: Catalog) -> ResolvedSource | None:
    """Resolve FROM patterns against the local ``catalog``; None when nothing matches."""
    local = group_patterns(patterns).get(None, [])
    expression = ",".join(_catalog_expression(p) for p in local)
    names = catalog.resolve(expression) if expression else []
    infos = tuple(info for info in (catalog.index(n) for n in names) if info is not None)
    if not infos:
        return None
    attrs, unusable = merge_fields(infos)
    return ResolvedSource(expression, tuple(i.name for i in infos), attrs, unusable, infos)


def _catalog_expression(p: ast.IndexPattern) -> str:
    # ``::data`` selects what a plain name selects; other selectors match nothing here.
    if p.selector and p.selector != "data":
        return ""
    return p.index


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
