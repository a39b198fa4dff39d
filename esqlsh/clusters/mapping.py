"""Elasticsearch mappings (``{"properties": …}``) as an embedded cluster keeps them:
reading them into a flat list of fields, and the edits ingestion and the
conformance loader make (add a field, change a type, remove a field).

A *field* is a leaf of the mapping: object properties are flattened to dotted
paths (``city.country.name``) and multi-fields follow their parent
(``languages.long``). Objects themselves are not fields (ES|QL does not show
them). The order is Elasticsearch's: properties sorted by name at every level,
a field's multi-fields right after it.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from esqlsh.analysis.types import DataType, from_mapping
from esqlsh.errors import IllegalArgumentError

RANGE_TYPES: dict[str, str] = {
    "integer_range": "integer",
    "long_range": "long",
    "float_range": "float",
    "double_range": "double",
    "date_range": "date",
    "ip_range": "ip",
}

# Mapping types whose JSON value is an object, not a set of sub-fields.
OBJECT_VALUED_TYPES = frozenset(
    {"geo_point", "geo_shape", "shape", "point", "flattened", "dense_vector", "sparse_vector"}
    | set(RANGE_TYPES)
)

# Abbreviations a csv-spec typed header may use (CsvTestUtils.Type), to mapping types.
HEADER_TYPE_ALIASES: dict[str, str] = {
    "i": "integer",
    "int": "integer",
    "l": "long",
    "ul": "unsigned_long",
    "d": "double",
    "k": "keyword",
    "s": "keyword",
    "string": "keyword",
    "txt": "text",
    "bool": "boolean",
    "dt": "date",
    "datetime": "date",
    "v": "version",
    "counter_integer": "integer",
    "counter_long": "long",
    "counter_double": "double",
    "counter_float": "float",
}


def normalize_type_name(name: str) -> str:
    """A header or user type name (``k``, ``DateTime``, ``short``) as a mapping type."""
    lowered = name.strip().lower()
    return HEADER_TYPE_ALIASES.get(lowered, lowered)


@dataclass(frozen=True)
class FieldSpec:
    """One field of a mapping. ``parent`` is set for a multi-field: its values are
    the parent's, converted to its own type. ``params`` holds the rest of the
    field's mapping (``scaling_factor``, ``format``, ``doc_values``, ``path`` …)."""

    name: str
    type: str
    parent: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict, compare=False)

    @property
    def es_type(self) -> DataType:
        return from_mapping(self.type)

    @property
    def source(self) -> str:
        """The document path the values come from."""
        return self.parent or self.name


def fields_of(mapping: Mapping[str, Any]) -> list[FieldSpec]:
    """Every field of ``mapping`` in Elasticsearch's order."""
    out: list[FieldSpec] = []
    _walk(mapping.get("properties") or {}, "", out)
    return out


def _walk(properties: Mapping[str, Any], prefix: str, out: list[FieldSpec]) -> None:
    for key in sorted(properties):
        spec = properties[key] or {}
        path = prefix + key
        kind = spec.get("type")
        if kind is None or kind == "object":
            if spec.get("enabled", True) is not False:
                _walk(spec.get("properties") or {}, path + ".", out)
            continue
        params = {k: v for k, v in spec.items() if k not in ("type", "fields", "properties")}
        out.append(FieldSpec(path, kind, None, params))
        if kind == "nested":
            continue  # ES|QL does not read inside nested objects
        for sub in sorted(spec.get("fields") or {}):
            sub_spec = spec["fields"][sub] or {}
            sub_params = {k: v for k, v in sub_spec.items() if k not in ("type", "fields")}
            out.append(FieldSpec(f"{path}.{sub}", sub_spec.get("type", "object"), path, sub_params))


def object_paths(mapping: Mapping[str, Any]) -> set[str]:
    """Paths of the object (non-leaf) properties: ``city``, ``city.country`` …"""
    out: set[str] = set()

    def walk(props: Mapping[str, Any], prefix: str) -> None:
        for key, spec in props.items():
            spec = spec or {}
            if spec.get("type") in (None, "object"):
                out.add(prefix + key)
                walk(spec.get("properties") or {}, prefix + key + ".")

    walk(mapping.get("properties") or {}, "")
    return out


def dynamic_setting(mapping: Mapping[str, Any]) -> str:
    """The mapping's top-level ``dynamic``: ``true`` (default), ``false``, ``strict``
    or ``runtime``."""
    value = mapping.get("dynamic", "true")
    return str(value).lower()


def _properties_at(
    mapping: dict[str, Any], segments: list[str], create: bool
) -> dict[str, Any] | None:
    """The ``properties`` object holding the last segment, walking (and, when
    ``create``, adding) objects along the way."""
    props = mapping.setdefault("properties", {}) if create else mapping.get("properties")
    for seg in segments[:-1]:
        if props is None:
            return None
        child = props.get(seg)
        if child is None:
            if not create:
                return None
            child = props[seg] = {"properties": {}}
        if child.get("type") not in (None, "object"):
            if create:
                raise IllegalArgumentError(
                    f"Could not dynamically add mapping for field [{'.'.join(segments)}]. "
                    f"Existing mapping for [{seg}] must be of type object but found [{child['type']}]."
                )
            return None
        props = child.setdefault("properties", {}) if create else child.get("properties")
    return props


def add_field(mapping: dict[str, Any], path: str, spec: Mapping[str, Any]) -> None:
    """Add the field ``path`` (dotted: objects are created) with mapping ``spec``."""
    segments = path.split(".")
    props = _properties_at(mapping, segments, create=True)
    assert props is not None
    props[segments[-1]] = dict(spec)


def find_field(mapping: Mapping[str, Any], path: str) -> dict[str, Any] | None:
    """The mapping of the property at ``path`` (an object path, not a multi-field)."""
    segments = path.split(".")
    props = _properties_at(mapping, segments, create=False)  # type: ignore[arg-type]
    return None if props is None else props.get(segments[-1])


def override_types(
    mapping: Mapping[str, Any], overrides: Mapping[str, str | None]
) -> dict[str, Any]:
    """A copy of ``mapping`` with field types replaced (``None`` removes the field),
    as the conformance loader's ``withTypeMapping`` does: dotted keys walk object
    properties; keys that name nothing are ignored."""
    out = copy.deepcopy(dict(mapping))
    for path, new_type in overrides.items():
        segments = path.split(".")
        props = _properties_at(out, segments, create=False)
        if props is None or segments[-1] not in props:
            continue
        if new_type is None:
            del props[segments[-1]]
        else:
            props[segments[-1]]["type"] = new_type
    return out


def remove_fields(mapping: Mapping[str, Any], paths: Iterable[str]) -> dict[str, Any]:
    return override_types(mapping, dict.fromkeys(paths))


def merge_mappings(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    """``new`` put onto ``old`` as a put-mapping would: new fields are added, a
    field may not change type."""
    out = copy.deepcopy(dict(old))
    old_fields = {f.name: f for f in fields_of(out)}
    for f in fields_of(new):
        if f.parent is not None:
            continue
        existing = old_fields.get(f.name)
        if existing is None:
            spec = find_field(new, f.name)
            assert spec is not None
            add_field(out, f.name, spec)
        elif existing.type != f.type:
            raise IllegalArgumentError(
                f"mapper [{f.name}] cannot be changed from type [{existing.type}] to [{f.type}]"
            )
    for key in ("dynamic", "_meta"):
        if key in new:
            out[key] = copy.deepcopy(new[key])
    return out


def dynamic_string_mapping() -> dict[str, Any]:
    """What Elasticsearch's dynamic mapping makes of a JSON string."""
    return {"type": "text", "fields": {"keyword": {"type": "keyword", "ignore_above": 256}}}
