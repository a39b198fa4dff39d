"""An Elasticsearch cluster's metadata as a ``Catalog`` (``clusters/base.py``), read
over REST and cached for the life of the catalog object (the REPL refreshes by
asking its cluster for a new one):

- ``resolve`` — ``GET /_resolve/index/{expr}``: the concrete indices an expression
  names (indices, the indices behind matching aliases, data streams' backing
  indices), with each index's aliases and mode;
- ``index`` — ``GET /{indices}/_field_caps?fields=*&include_unmapped=true``, one
  request for every index resolved so far: each index's own fields, so a field
  whose type differs between indices (``long`` here, ``keyword`` there) keeps
  each index's type and the analyzer sees the conflict as Elasticsearch does;
- ``policies`` — ``GET /_enrich/policy``.

Field types are mapping types widened as ES|QL loads them (``short`` → integer,
``float`` → double …, ``analysis.types.from_mapping``). Objects are not fields;
``nested`` fields are, as ``unsupported``, and nothing inside them is; metadata
fields (``_id`` …) are left to ``METADATA``. Fields are ordered as an embedded
cluster orders them: by path segment, a multi-field right after its parent.
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from esqlsh.analysis.types import DataType, from_mapping
from esqlsh.clusters.base import EnrichPolicy, IndexInfo
from esqlsh.clusters.embedded import policy_from_json
from esqlsh.clusters.remote_http import Answer, HttpClient, path_of
from esqlsh.errors import ClusterUnavailableError, EsqlError

# Keep each _field_caps URL under this many characters of index names.
_MAX_NAMES_LENGTH = 2000
_NOT_FIELDS = frozenset({"object", "unmapped"})
_CAPS = {
    "fields": "*",
    "include_unmapped": "true",
    "ignore_unavailable": "true",
    "allow_no_indices": "true",
}


@dataclass(frozen=True)
class _Resolved:
    aliases: tuple[str, ...]
    mode: str


class RemoteCatalog:
    """The metadata of one Elasticsearch cluster, fetched on demand, cached."""

    def __init__(self, http: HttpClient, name: str):
        self.name = name
        self._http = http
        self._resolved: dict[str, list[str]] = {}
        self._known: dict[str, _Resolved] = {}
        self._infos: dict[str, IndexInfo | None] = {}
        self._policies: dict[str, EnrichPolicy] | None = None

    def __repr__(self) -> str:
        return f"RemoteCatalog({self.name!r})"

    # --- Catalog ---------------------------------------------------------------

    def resolve(self, expression: str) -> list[str]:
        if expression not in self._resolved:
            self._resolved[expression] = self._resolve(expression) if expression else []
        return list(self._resolved[expression])

    def index(self, name: str) -> IndexInfo | None:
        if name not in self._infos:
            if name not in self._known:
                self.resolve(name)
            pending = [n for n in self._known if n not in self._infos]
            self._fetch_fields(pending if name in pending else [*pending, name])
        return self._infos.get(name)

    def policies(self) -> dict[str, EnrichPolicy]:
        if self._policies is None:
            self._policies = self._fetch_policies()
        return dict(self._policies)

    # --- extras ----------------------------------------------------------------

    def cached(self, expression: str) -> list[str] | None:
        """What ``resolve(expression)`` returned, if it was asked (no request)."""
        names = self._resolved.get(expression)
        return list(names) if names is not None else None

    def prefetch(self, expression: str) -> list[str]:
        """Resolve ``expression`` and fetch its indices' fields now (so that network
        errors surface here, not during analysis); the resolved names.

        The field caps of the expression itself are asked for while it is being
        resolved (a remote's metadata then costs one round trip's wait, not two);
        an answer per index, as ``_fetch_fields`` reads it, so each resolved index
        found in it is complete. An index the resolution names that this answer
        lacks, or an answer Elasticsearch refused, is asked for afterwards as
        ``index`` would; a network failure is the cluster's failure either way."""
        caps = self._caps_alongside(expression) if expression not in self._resolved else None
        names = self.resolve(expression)
        if caps is not None:
            fields = _caps_result(caps)
            for name in names:
                if name not in self._infos and name in fields:
                    self._infos[name] = self._info(name, fields[name])
        self._fetch_fields([n for n in names if n not in self._infos])
        return names

    def _caps_alongside(self, expression: str) -> Future[dict[str, dict[str, DataType]]] | None:
        """``_field_caps`` of ``expression`` on a worker thread, or None for an
        expression too long for one URL (it is then fetched in batches)."""
        if not expression or len(expression) > _MAX_NAMES_LENGTH:
            return None
        from esqlsh.clusters.workers import WORKERS

        future: Future[dict[str, dict[str, DataType]]] = Future()

        def fetch() -> None:
            try:
                answer = self._http.request("GET", path_of(expression, "_field_caps"), params=_CAPS)
                future.set_result(fields_by_index(_object(answer)) if answer.ok else {})
            except BaseException as err:  # handed to the caller, who re-raises
                future.set_exception(err)

        WORKERS.submit(fetch, f"esqlsh-caps-{self.name}")
        return future

    # --- requests --------------------------------------------------------------

    def _get(self, path: str, params: dict[str, str] | None = None) -> Answer:
        answer = self._http.request("GET", path, params=params)
        if not answer.ok:
            raise self._http.remote_error(answer)
        return answer

    def _resolve(self, expression: str) -> list[str]:
        params = {"expand_wildcards": "open", "ignore_unavailable": "true"}
        answer = self._http.request("GET", path_of("_resolve", "index", expression), params=params)
        if answer.status == 404 and _error_type(answer) == "index_not_found_exception":
            return []  # a server that ignores ignore_unavailable
        if not answer.ok:
            raise self._http.remote_error(answer)
        return sorted(self._read_resolved(_object(answer)))

    def _read_resolved(self, body: dict[str, Any]) -> set[str]:
        names: set[str] = set()
        for entry in _entries(body.get("indices")):
            name = str(entry.get("name", ""))
            aliases = tuple(sorted(str(a) for a in entry.get("aliases") or ()))
            mode = str(entry.get("mode") or "standard").lower()
            self._known[name] = _Resolved(aliases, mode)
            names.add(name)
        for alias in _entries(body.get("aliases")):
            names.update(str(i) for i in alias.get("indices") or ())
        for stream in _entries(body.get("data_streams")):
            names.update(str(i) for i in stream.get("backing_indices") or ())
        for name in names:
            self._known.setdefault(name, _Resolved((), "standard"))
        names.discard("")
        return names

    def _fetch_fields(self, names: list[str]) -> None:
        for batch in _batches(names):
            answer = self._http.request(
                "GET", path_of(",".join(batch), "_field_caps"), params=_CAPS
            )
            if answer.status == 404 and _error_type(answer) == "index_not_found_exception":
                self._infos.update((n, None) for n in batch)
                continue
            if not answer.ok:
                raise self._http.remote_error(answer)
            fields = fields_by_index(_object(answer))
            for name in batch:
                self._infos[name] = self._info(name, fields.get(name))

    def _info(self, name: str, fields: dict[str, DataType] | None) -> IndexInfo | None:
        if fields is None:
            return None
        known = self._known.get(name, _Resolved((), "standard"))
        return IndexInfo(name, fields, known.mode, known.aliases)

    def _fetch_policies(self) -> dict[str, EnrichPolicy]:
        answer = self._http.request("GET", "/_enrich/policy")
        if answer.status == 403:
            # Allowed to read indices but not to see policies: none are usable.
            return {}
        if not answer.ok:
            raise self._http.remote_error(answer)
        out: dict[str, EnrichPolicy] = {}
        for entry in _entries(_object(answer).get("policies")):
            config = entry.get("config")
            if not isinstance(config, dict):
                continue
            for body in config.values():
                if isinstance(body, dict) and "name" in body:
                    policy = policy_from_json(str(body["name"]), config)
                    if policy is not None:
                        out[policy.name] = policy
        return dict(sorted(out.items()))


def _caps_result(caps: Future[dict[str, dict[str, DataType]]]) -> dict[str, dict[str, DataType]]:
    """The fields per index of a ``_field_caps`` asked alongside: a network failure
    (``ClusterUnavailableError``) is raised, anything else leaves the indices to be
    asked for again."""
    try:
        return caps.result()
    except ClusterUnavailableError:
        raise
    except EsqlError:
        return {}


def fields_by_index(body: dict[str, Any]) -> dict[str, dict[str, DataType]]:
    """Each index's fields and their ES|QL types from a ``_field_caps`` answer."""
    indices = [str(i) for i in body.get("indices") or ()]
    out: dict[str, dict[str, DataType]] = {i: {} for i in indices}
    raw = body.get("fields")
    fields: dict[str, Any] = raw if isinstance(raw, dict) else {}
    nested = _nested_paths(fields)
    for path in sorted(fields, key=lambda p: tuple(p.split("."))):
        if _inside(path, nested):
            continue
        for index, mapping_type in _types_per_index(fields[path], indices).items():
            out.setdefault(index, {})[path] = from_mapping(mapping_type)
    return out


def _types_per_index(caps: Any, indices: list[str]) -> dict[str, str]:
    """index → mapping type of one field. An entry without ``indices`` covers every
    index that no other entry (``unmapped`` included) names."""
    if not isinstance(caps, dict):
        return {}
    claimed: set[str] = set()
    for cap in caps.values():
        if isinstance(cap, dict) and cap.get("indices"):
            claimed.update(str(i) for i in cap["indices"])
    out: dict[str, str] = {}
    for type_name, cap in caps.items():
        if not isinstance(cap, dict) or cap.get("metadata_field") or type_name in _NOT_FIELDS:
            continue
        named = cap.get("indices")
        targets = [str(i) for i in named] if named else [i for i in indices if i not in claimed]
        for index in targets:
            out[index] = str(cap.get("type") or type_name)
    return out


def _nested_paths(fields: dict[str, Any]) -> list[str]:
    return [
        path
        for path, caps in fields.items()
        if isinstance(caps, dict) and "nested" in caps and len(caps) == 1
    ]


def _inside(path: str, parents: Iterable[str]) -> bool:
    return any(path.startswith(parent + ".") for parent in parents)


def _batches(names: list[str]) -> Iterable[list[str]]:
    batch: list[str] = []
    length = 0
    for name in names:
        if batch and length + len(name) + 1 > _MAX_NAMES_LENGTH:
            yield batch
            batch, length = [], 0
        batch.append(name)
        length += len(name) + 1
    if batch:
        yield batch


def _object(answer: Answer) -> dict[str, Any]:
    body = answer.json()
    return body if isinstance(body, dict) else {}


def _entries(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _error_type(answer: Answer) -> str | None:
    body = answer.json()
    error = body.get("error") if isinstance(body, dict) else None
    return str(error.get("type")) if isinstance(error, dict) else None


__all__ = ["RemoteCatalog", "fields_by_index"]
