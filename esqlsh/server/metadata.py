"""The metadata endpoints over an embedded cluster, shaped as Elasticsearch's:
``_resolve/index`` (``ResolveIndexAction.Response``), ``_field_caps``
(``FieldCapabilitiesResponse``), ``_mapping`` (``GetMappingsResponse``) and
``_enrich/policy`` (``GetEnrichPolicyAction.Response``).

Index expressions resolve with the cluster's own rules (``clusters/resolve.py``)
and Elasticsearch's default ``strictExpandOpen`` options: a concrete name that is
neither an index nor an alias is ``index_not_found_exception`` (404) unless
``ignore_unavailable``; a wildcard that matches nothing is simply empty. Names are
only ever compared with the cluster's index list, never joined into a path, so
``../../etc`` is just an unknown index.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from esqlsh.clusters import resolve
from esqlsh.clusters.embedded import EmbeddedCluster
from esqlsh.clusters.mapping import FieldSpec, object_paths
from esqlsh.clusters.resolve import wildcard_regex
from esqlsh.server import errors

# Metadata fields ``_field_caps?fields=*`` lists: (type, searchable, aggregatable).
METADATA_FIELDS = {
    "_id": ("_id", True, False),
    "_ignored": ("_ignored", True, False),
    "_index": ("_index", True, True),
    "_seq_no": ("_seq_no", True, True),
    "_source": ("_source", False, False),
    "_version": ("_version", False, False),
}
# Mapping types without doc values: not aggregatable by default.
_NOT_AGGREGATABLE = frozenset(
    {"text", "match_only_text", "annotated_text", "semantic_text", "binary", "nested", "object"}
)


# ------------------------------------------------------------------ expressions


def is_hidden(cluster: EmbeddedCluster, index: str) -> bool:
    """``index.hidden``, else a leading dot (``EmbeddedCluster``'s rule)."""
    settings = cluster.settings(index)
    nested = settings.get("index")
    value = nested.get("hidden") if isinstance(nested, dict) else None
    if value is None:
        value = settings.get("index.hidden", settings.get("hidden"))
    return str(value).lower() == "true" if value is not None else index.startswith(".")


def resolve_abstractions(
    cluster: EmbeddedCluster, expression: str, *, ignore_unavailable: bool = False
) -> list[str]:
    """Index and alias names ``expression`` names (``IndexAbstractionResolver``),
    sorted; an empty expression names everything; the first unknown concrete name
    raises ``index_not_found_exception``."""
    if not expression.replace(",", " ").strip():
        expression = "*"
    resources = cluster.resolve_resources(expression)
    if resources.missing and not ignore_unavailable:
        raise errors.index_not_found(resources.missing[0])
    return sorted(resources.names)


def concrete_indices(
    cluster: EmbeddedCluster, expression: str, *, ignore_unavailable: bool = False
) -> list[str]:
    """The indices behind ``expression`` (aliases followed), sorted."""
    names = resolve_abstractions(cluster, expression, ignore_unavailable=ignore_unavailable)
    known = dict.fromkeys(cluster.indices(), False)
    return resolve.concrete_indices(names, known, cluster.aliases())


# ------------------------------------------------------------------ _resolve/index


def resolve_index(
    cluster: EmbeddedCluster, expression: str, *, ignore_unavailable: bool = False
) -> dict[str, Any]:
    names = resolve_abstractions(cluster, expression, ignore_unavailable=ignore_unavailable)
    known = set(cluster.indices())
    aliases = cluster.aliases()
    indices_out = [_resolved_index(cluster, n) for n in names if n in known]
    aliases_out = []
    for name in names:
        if name in aliases:
            entry: dict[str, Any] = {"name": name}
            targets = sorted(i for i in aliases[name] if i in known)
            if targets:
                entry["indices"] = targets
            aliases_out.append(entry)
    return {"indices": indices_out, "aliases": aliases_out, "data_streams": []}


def _resolved_index(cluster: EmbeddedCluster, name: str) -> dict[str, Any]:
    info = cluster.index(name)
    entry: dict[str, Any] = {"name": name}
    if info is not None and info.aliases:
        entry["aliases"] = sorted(info.aliases)
    entry["attributes"] = sorted(["open", *(["hidden"] if is_hidden(cluster, name) else [])])
    entry["mode"] = info.mode if info is not None else "standard"
    return entry


# ------------------------------------------------------------------ _field_caps


def field_caps(
    cluster: EmbeddedCluster,
    expression: str,
    fields: str,
    *,
    ignore_unavailable: bool = False,
    include_unmapped: bool = False,
) -> dict[str, Any]:
    """``fields`` is the comma-separated list of names and wildcards asked for."""
    indices = concrete_indices(cluster, expression, ignore_unavailable=ignore_unavailable)
    wanted = [wildcard_regex(p.strip()) for p in fields.split(",") if p.strip()]
    per_field: dict[str, dict[str, list[tuple[str, bool, bool, dict[str, Any]]]]] = {}
    for index in indices:
        for name, caps in _index_caps(cluster, index).items():
            if any(r.fullmatch(name) for r in wanted):
                type_name = caps[0]
                per_field.setdefault(name, {}).setdefault(type_name, []).append(
                    (index, caps[1], caps[2], caps[3])
                )
    out = {
        name: _merge(by_type, indices, include_unmapped)
        for name, by_type in sorted(per_field.items())
    }
    return {"indices": indices, "fields": out}


def _index_caps(
    cluster: EmbeddedCluster, index: str
) -> dict[str, tuple[str, bool, bool, dict[str, Any]]]:
    """name → (type, searchable, aggregatable, extras) for one index."""
    specs = cluster.field_specs(index)
    info = cluster.index(index)
    time_series = info is not None and info.mode == "time_series"
    caps: dict[str, tuple[str, bool, bool, dict[str, Any]]] = {
        name: (t, s, a, {"metadata_field": True}) for name, (t, s, a) in METADATA_FIELDS.items()
    }
    for path in object_paths(cluster.mapping(index)):
        caps[path] = ("object", False, False, {})
    for name, spec in specs.items():
        caps[name] = _spec_caps(spec, specs, time_series)
    return caps


def _spec_caps(
    spec: FieldSpec, specs: dict[str, FieldSpec], time_series: bool
) -> tuple[str, bool, bool, dict[str, Any]]:
    target = spec
    if spec.type == "alias":  # field caps report what the alias points at
        target = specs.get(str(spec.params.get("path", "")), spec)
    params = target.params
    searchable = params.get("index", True) is not False and target.type != "object"
    aggregatable = target.type not in _NOT_AGGREGATABLE and params.get("doc_values") is not False
    extras: dict[str, Any] = {}
    if time_series and params.get("time_series_dimension"):
        extras["time_series_dimension"] = True
    if time_series and params.get("time_series_metric"):
        extras["time_series_metric"] = params["time_series_metric"]
    return target.type, searchable, aggregatable, extras


def _merge(
    by_type: dict[str, list[tuple[str, bool, bool, dict[str, Any]]]],
    indices: list[str],
    include_unmapped: bool,
) -> dict[str, Any]:
    """``FieldCapabilities`` per type; ``indices`` listed only when the field has
    more than one type, ``non_*_indices`` only when the indices disagree."""
    mapped = {i for entries in by_type.values() for i, *_ in entries}
    unmapped = [i for i in indices if i not in mapped] if include_unmapped else []
    conflict = len(by_type) + (1 if unmapped else 0) > 1
    out: dict[str, Any] = {}
    for type_name, entries in sorted(by_type.items()):
        metadata = any(extra.get("metadata_field") for *_, extra in entries)
        caps: dict[str, Any] = {
            "type": type_name,
            "metadata_field": metadata,
            "searchable": all(s for _, s, _, _ in entries),
            "aggregatable": all(a for _, _, a, _ in entries),
        }
        for _, _, _, extra in entries:
            caps.update({k: v for k, v in extra.items() if k != "metadata_field"})
        names = sorted(i for i, *_ in entries)
        if conflict:
            caps["indices"] = names
        _disagreements(caps, entries)
        out[type_name] = caps
    if unmapped:
        out["unmapped"] = {
            "type": "unmapped",
            "metadata_field": False,
            "searchable": False,
            "aggregatable": False,
            "indices": unmapped,
        }
    return out


def _disagreements(
    caps: dict[str, Any], entries: list[tuple[str, bool, bool, dict[str, Any]]]
) -> None:
    searchable = {i for i, s, _, _ in entries if s}
    aggregatable = {i for i, _, a, _ in entries if a}
    everyone = {i for i, *_ in entries}
    if searchable and searchable != everyone:
        caps["non_searchable_indices"] = sorted(everyone - searchable)
    if aggregatable and aggregatable != everyone:
        caps["non_aggregatable_indices"] = sorted(everyone - aggregatable)


# ------------------------------------------------------------------ _mapping


def mappings(
    cluster: EmbeddedCluster, expression: str, *, ignore_unavailable: bool = False
) -> dict[str, Any]:
    indices = concrete_indices(cluster, expression, ignore_unavailable=ignore_unavailable)
    return {index: {"mappings": cluster.mapping(index)} for index in indices}


# ------------------------------------------------------------------ _enrich/policy


def enrich_policies(cluster: EmbeddedCluster, names: Iterable[str] | None) -> dict[str, Any]:
    """Every policy, or those named (unknown names are simply absent)."""
    policies = cluster.policies()
    wanted = set(names) if names is not None else set(policies)
    out = []
    for name in sorted(wanted & set(policies)):
        policy = policies[name]
        config: dict[str, Any] = {"name": name, "indices": list(policy.indices)}
        if policy.query is not None:
            config["query"] = policy.query
        config["match_field"] = policy.match_field
        config["enrich_fields"] = list(policy.enrich_fields)
        out.append({"config": {policy.type: config}})
    return {"policies": out}
