"""The clusters' metadata for completion, fetched in the background and cached.

``MetadataCache(registry)`` asks every cluster for its catalog on a thread of its
own (``Cluster.catalog()``: an embedded cluster answers at once, a remote one over
HTTP) and publishes, per cluster, an immutable ``ClusterSnapshot``: sorted index
and alias names, lookup indices, enrich policies and each index's fields. Index
names are published first (before every index's fields have been read) so that
``FROM`` completes early. Lookups never wait: they read the last published
snapshot, and a cluster still loading (or unreachable) contributes nothing.
``refresh()`` reloads in the background; the old snapshot serves until the new one
is ready.

Fields are stored once per distinct field set (indices created from one template
share a schema), so the columns of ``FROM logs-*`` are the union of a few schemas,
not of thousands of indices; each scope's columns are computed once per refresh
and kept as a ``NameIndex``.
"""

from __future__ import annotations

import contextlib
import functools
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from esqlsh.analysis.types import DataType
from esqlsh.clusters.base import Catalog, EnrichPolicy, IndexInfo
from esqlsh.clusters.resolve import resolve_indices, wildcard_regex
from esqlsh.repl.completion.names import NameIndex
from esqlsh.repl.completion.suggest import (
    AddFields,
    AddLookupFields,
    AddPolicyFields,
    DropFields,
    FieldScope,
    KeepFields,
    NewField,
    RenameFields,
    ReplaceFields,
    Source,
    Step,
)

__all__ = [
    "ClusterSnapshot",
    "ClusterState",
    "MetadataCache",
    "MetadataSource",
    "NoMetadata",
    "build_snapshot",
]

Columns = dict[str, str]  # column name → type text ("long", "keyword|long" on a conflict)
_MEMO_SIZE = 256


class _Cluster(Protocol):
    alias: str
    kind: str

    def catalog(self) -> Catalog: ...

    def describe(self) -> str: ...


class _Registry(Protocol):
    @property
    def local(self) -> str | None: ...

    @property
    def clusters(self) -> Mapping[str, Any]: ...  # alias → Cluster

    def remotes(self) -> list[str]: ...


# ------------------------------------------------------------------- snapshots


@dataclass(frozen=True)
class ClusterState:
    """How a cluster's metadata is doing: ``loading`` (nothing yet, or names
    without fields), ``ready``, ``failed`` (``error`` says why), ``closed`` (the
    cache closed before its load ended)."""

    alias: str
    status: str
    error: str = ""
    indices: int = 0
    seconds: float = 0.0  # how long the last load took


class ClusterSnapshot:
    """One cluster's metadata at one moment. Immutable once published; the memo
    dicts only cache answers derived from it."""

    def __init__(
        self,
        alias: str,
        indices: Sequence[str],
        aliases: Mapping[str, tuple[str, ...]],
        modes: Mapping[str, str],
        policies: Mapping[str, EnrichPolicy],
        schema_of: Mapping[str, int],
        schemas: Sequence[Columns],
        *,
        fields_ready: bool,
    ):
        self.alias = alias
        self.sorted = sorted(indices)
        # name → hidden: none is listed hidden (the catalog's ``*`` leaves them out)
        self._known = dict.fromkeys(self.sorted, False)
        self.aliases = dict(aliases)
        self.modes = dict(modes)
        self.policies = dict(policies)
        self.schema_of = dict(schema_of)
        self.schemas = list(schemas)
        self.fields_ready = fields_ready
        # dot-names (data streams' backing indices, system indices) are not offered
        shown = [n for n in self.sorted if not n.startswith(".")]
        alias_names = [a for a in self.aliases if a not in self._known and not a.startswith(".")]
        self.names = NameIndex(
            [*shown, *alias_names],
            [*("lookup" if self.modes.get(n) == "lookup" else "" for n in shown)]
            + ["alias"] * len(alias_names),
        )
        lookups = [n for n in self.sorted if self.modes.get(n) == "lookup"]
        self.lookup = NameIndex(lookups, ["lookup"] * len(lookups))
        self.policy_names = NameIndex(
            list(self.policies), [_policy_meta(p) for p in self.policies.values()]
        )
        self._resolved: dict[str, tuple[str, ...]] = {}
        self._columns: dict[str, Columns] = {}

    def resolve(self, expression: str) -> tuple[str, ...]:
        """The concrete indices an expression names (names, ``*`` wildcards, index
        aliases, ``-`` exclusions after a wildcard), as Elasticsearch resolves them."""
        hit = self._resolved.get(expression)
        if hit is None:
            names = resolve_indices(expression, self._known, self.aliases, sorted_names=self.sorted)
            hit = self._resolved[expression] = tuple(names)
        return hit

    def columns(self, expression: str) -> Columns:
        """The union of the fields of the indices ``expression`` names."""
        hit = self._columns.get(expression)
        if hit is None:
            sids = dict.fromkeys(
                self.schema_of[n] for n in self.resolve(expression) if n in self.schema_of
            )
            hit = self._columns[expression] = merge_columns(self.schemas[s] for s in sids)
        return hit


def _policy_meta(policy: EnrichPolicy) -> str:
    return f"{policy.type} on {policy.match_field}"


def merge_columns(schemas: Iterable[Columns]) -> Columns:
    """The union of several field sets; a field typed differently shows both."""
    merged: Columns = {}
    seen: set[tuple[str, str]] = set()  # every (name, type) pair merged so far
    for schema in schemas:
        if not merged:
            merged = dict(schema)
            seen = set(schema.items())
            continue
        # ``set.difference`` walks the small side in C: only new names and
        # differently typed ones reach the Python loop
        fresh = set(schema.items()).difference(seen)
        seen |= fresh
        for name, type_ in fresh:
            known = merged.get(name)
            if known is None:
                merged[name] = type_
            elif type_ not in known.split("|"):
                merged[name] = "|".join(sorted({*known.split("|"), type_}))
    return merged


# ----------------------------------------------------------------- building


def build_snapshot(
    alias: str,
    catalog: Catalog,
    publish: Callable[[ClusterSnapshot], None] | None = None,
    cancelled: Callable[[], bool] = lambda: False,
) -> ClusterSnapshot:
    """Read a catalog: names and policies first (``publish``ed without fields when
    ``publish`` is given), then every index's fields, each distinct set once."""
    names = list(catalog.resolve("*"))
    policies = catalog.policies()
    if publish is not None:
        publish(ClusterSnapshot(alias, names, {}, {}, policies, {}, [], fields_ready=False))
    schemas = _Schemas()
    aliases: dict[str, list[str]] = {}
    modes: dict[str, str] = {}
    for name in names:
        if cancelled():
            break
        info = catalog.index(name)
        if info is None:
            continue
        schemas.add(name, info)
        modes[name] = info.mode
        for a in info.aliases:
            aliases.setdefault(a, []).append(name)
    snapshot = ClusterSnapshot(
        alias,
        names,
        {a: tuple(i) for a, i in aliases.items()},
        modes,
        policies,
        schemas.schema_of,
        schemas.schemas,
        fields_ready=True,
    )
    snapshot.columns("*")  # the widest union, computed here rather than on a keystroke
    return snapshot


class _Schemas:
    """Distinct field sets: indices sharing one (the same dict, else equal
    content) share its id, so unions cost per schema, not per index. Only the
    first dict of each schema is kept (its id stays valid while it is a key)."""

    def __init__(self) -> None:
        self.schemas: list[Columns] = []
        self.schema_of: dict[str, int] = {}
        self._by_id: dict[int, int] = {}
        self._by_content: dict[tuple[tuple[str, DataType], ...], int] = {}
        self._firsts: list[object] = []

    def add(self, index: str, info: IndexInfo) -> None:
        sid = self._by_id.get(id(info.fields))
        if sid is None:
            content = tuple(info.fields.items())
            sid = self._by_content.get(content)
            if sid is None:
                sid = len(self.schemas)
                self.schemas.append({k: _type_text(t) for k, t in info.fields.items()})
                self._by_content[content] = sid
                self._by_id[id(info.fields)] = sid
                self._firsts.append(info.fields)
        self.schema_of[index] = sid


def _type_text(t: DataType | str) -> str:
    return t.value if isinstance(t, DataType) else str(t)


# ---------------------------------------------------------------- the source


class MetadataSource(Protocol):
    """What the matchers ask of metadata. Every method returns at once."""

    def local_alias(self) -> str | None: ...

    def remote_aliases(self) -> list[str]: ...

    def describe(self, alias: str) -> str: ...

    def indices(self, alias: str | None) -> NameIndex | None: ...

    def lookup_indices(self) -> NameIndex | None: ...

    def policies(self, alias: str | None) -> dict[str, EnrichPolicy]: ...

    def policy_names(self, alias: str | None) -> NameIndex | None: ...

    def fields(self, scope: FieldScope) -> NameIndex: ...

    def policy_fields(self, policy: str, mode: str | None) -> NameIndex: ...


class NoMetadata:
    """A ``MetadataSource`` without clusters (commands, functions, keywords only)."""

    def local_alias(self) -> str | None:
        return None

    def remote_aliases(self) -> list[str]:
        return []

    def describe(self, alias: str) -> str:
        return ""

    def indices(self, alias: str | None) -> NameIndex | None:
        return None

    def lookup_indices(self) -> NameIndex | None:
        return None

    def policies(self, alias: str | None) -> dict[str, EnrichPolicy]:
        return {}

    def policy_names(self, alias: str | None) -> NameIndex | None:
        return None

    def fields(self, scope: FieldScope) -> NameIndex:
        return _no_metadata_fields(scope)

    def policy_fields(self, policy: str, mode: str | None) -> NameIndex:
        return NameIndex([])


@functools.lru_cache(maxsize=64)
def _no_metadata_fields(scope: FieldScope) -> NameIndex:
    """The columns a query makes itself (ROW, EVAL …), without any cluster's."""
    return _fields_index(_apply_steps({}, scope.steps, lambda step, cols: cols))


class MetadataCache:
    """Per-cluster metadata of a registry, loaded on background threads.

    ``registry`` is a ``clusters.registry.Registry`` (or anything with ``local``,
    ``clusters`` and ``remotes()``). ``on_update(alias)`` is called (from a loader
    thread) whenever a cluster's snapshot or state changes: the REPL redraws."""

    def __init__(
        self,
        registry: _Registry,
        *,
        start: bool = True,
        on_update: Callable[[str], None] | None = None,
    ):
        self._registry = registry
        self._on_update = on_update
        self._lock = threading.Lock()
        self._snapshots: dict[str, ClusterSnapshot] = {}
        self._states: dict[str, ClusterState] = {
            alias: ClusterState(alias, "loading") for alias in registry.clusters
        }
        self._loads: dict[str, int] = {}  # alias → generation of its latest load
        # alias → generation of its latest load while that load has not ended;
        # ``_settled`` is notified whenever this empties (or the cache closes)
        self._in_flight: dict[str, int] = {}
        self._settled = threading.Condition(self._lock)
        self._generation = 0  # bumped on every publish: memo entries of older ones are stale
        self._memo: OrderedDict[tuple[object, ...], NameIndex] = OrderedDict()
        self._closed = False
        if start:
            self.refresh()

    # --- loading -------------------------------------------------------------

    def refresh(self, aliases: Iterable[str] | None = None) -> None:
        """Reload the named clusters (default: all) in the background; nothing once
        the cache is closed."""
        for alias in list(aliases) if aliases is not None else list(self._registry.clusters):
            cluster = self._registry.clusters.get(alias)
            if cluster is None:
                continue
            with self._lock:
                if self._closed:
                    return
                # registered before the thread starts: ``wait`` covers it at once
                generation = self._loads[alias] = self._loads.get(alias, 0) + 1
                self._in_flight[alias] = generation
                state = self._states.get(alias)
                if state is None or state.status != "ready":
                    self._states[alias] = ClusterState(alias, "loading")
            threading.Thread(
                target=self._load,
                args=(alias, cluster, generation),
                name=f"esqlsh-metadata-{alias}",
                daemon=True,
            ).start()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until no load is in flight (tests, benchmarks): those running when
        called and any a ``refresh`` starts meanwhile. True when none is left (also
        once the cache is closed), False when ``timeout`` seconds passed first."""
        with self._settled:
            return self._settled.wait_for(lambda: not self._in_flight, timeout)

    def close(self) -> None:
        """Stop publishing and loading. Loads in flight are cancelled (their threads
        end on their own: they are daemons, and a remote's request cannot be cut
        short); a cluster they left without metadata is ``closed``, not forever
        ``loading``, and ``wait`` returns."""
        with self._lock:
            self._closed = True
            for alias in self._in_flight:
                state = self._states.get(alias)
                if state is None or state.status == "loading":
                    self._states[alias] = ClusterState(alias, "closed")
            self._in_flight.clear()
            self._settled.notify_all()

    def states(self) -> dict[str, ClusterState]:
        with self._lock:
            return dict(self._states)

    def _load(self, alias: str, cluster: _Cluster, generation: int) -> None:
        try:
            self._build(alias, cluster, generation)
        finally:
            with self._lock:
                if self._in_flight.get(alias) == generation:
                    del self._in_flight[alias]
                    if not self._in_flight:
                        self._settled.notify_all()

    def _build(self, alias: str, cluster: _Cluster, generation: int) -> None:
        started = time.monotonic()

        def publish(snapshot: ClusterSnapshot) -> None:
            state = ClusterState(alias, "loading", "", len(snapshot.sorted))
            self._publish(generation, state, snapshot)

        def cancelled() -> bool:
            return self._closed or self._loads.get(alias) != generation

        try:
            snapshot = build_snapshot(alias, cluster.catalog(), publish, cancelled)
        except Exception as e:  # unreachable, refused, bad answer: nothing to offer
            seconds = time.monotonic() - started
            self._publish(generation, ClusterState(alias, "failed", _reason(e), 0, seconds))
            return
        seconds = time.monotonic() - started
        state = ClusterState(alias, "ready", "", len(snapshot.sorted), seconds)
        self._publish(generation, state, snapshot)

    def _publish(
        self, generation: int, state: ClusterState, snapshot: ClusterSnapshot | None = None
    ) -> None:
        """Record a load's state (and snapshot), unless the cache closed or a newer
        load of the cluster started: checked under the lock that ``close`` takes."""
        alias = state.alias
        with self._lock:
            if self._closed or self._loads.get(alias) != generation:
                return
            self._states[alias] = state
            if snapshot is not None:
                self._snapshots[alias] = snapshot
                self._generation += 1
                self._memo.clear()
        self._notify(alias)

    def _notify(self, alias: str) -> None:
        if self._on_update is not None:
            # the REPL's redraw must not kill a loader
            with contextlib.suppress(Exception):
                self._on_update(alias)

    # --- MetadataSource ---------------------------------------------------------

    def local_alias(self) -> str | None:
        return self._registry.local

    def remote_aliases(self) -> list[str]:
        return list(self._registry.remotes())

    def describe(self, alias: str) -> str:
        cluster = self._registry.clusters.get(alias)
        state = self._states.get(alias)
        kind = getattr(cluster, "kind", "")
        if state is None or state.status == "ready":
            return f"{kind} cluster" if kind else "cluster"
        return f"{kind} cluster ({state.status})".strip()

    def snapshot(self, alias: str | None) -> ClusterSnapshot | None:
        if alias is None:
            alias = self._registry.local
        return self._snapshots.get(alias) if alias is not None else None

    def indices(self, alias: str | None) -> NameIndex | None:
        snapshot = self.snapshot(alias)
        return snapshot.names if snapshot else None

    def lookup_indices(self) -> NameIndex | None:
        snapshot = self.snapshot(None)
        return snapshot.lookup if snapshot else None

    def policies(self, alias: str | None) -> dict[str, EnrichPolicy]:
        snapshot = self.snapshot(alias)
        return snapshot.policies if snapshot else {}

    def policy_names(self, alias: str | None) -> NameIndex | None:
        snapshot = self.snapshot(alias)
        return snapshot.policy_names if snapshot else None

    def fields(self, scope: FieldScope) -> NameIndex:
        """The columns of ``scope`` with their types, from what is cached now."""
        return self._memoized(("fields", scope), lambda: _fields_index(self._columns(scope)))

    def policy_fields(self, policy: str, mode: str | None) -> NameIndex:
        found = self._find_policy(policy, mode, ())
        if found is None:
            return NameIndex([])
        alias, p = found
        columns = self._policy_columns(alias, p)
        return NameIndex(p.enrich_fields, [columns.get(f, "") for f in p.enrich_fields])

    # --- columns ----------------------------------------------------------------

    def _memoized(self, key: tuple[object, ...], make: Callable[[], NameIndex]) -> NameIndex:
        with self._lock:
            generation = self._generation
            hit = self._memo.get(key)
            if hit is not None:
                self._memo.move_to_end(key)
                return hit
        value = make()
        with self._lock:
            if generation == self._generation:  # not computed from a replaced snapshot
                self._memo[key] = value
                while len(self._memo) > _MEMO_SIZE:
                    self._memo.popitem(last=False)
        return value

    def _columns(self, scope: FieldScope) -> Columns:
        columns = self._source_columns(scope.sources)
        return _apply_steps(columns, scope.steps, lambda s, c: self._external(s, c, scope))

    def _source_columns(self, sources: Sequence[Source]) -> Columns:
        parts: list[Columns] = []
        for alias, expression in self._targets(sources).items():
            snapshot = self._snapshots.get(alias)
            if snapshot is not None:
                parts.append(snapshot.columns(expression))
        return merge_columns(parts)

    def _targets(self, sources: Sequence[Source]) -> dict[str, str]:
        """alias → the index expression FROM asks of it (leniently: a pattern naming
        no cluster is left out, where the query would fail)."""
        local = self._registry.local
        remotes = self._registry.remotes()
        groups: dict[str, list[str]] = {}
        excluded: set[str] = set()
        for source in sources:
            if source.cluster is None:
                if local is not None:
                    groups.setdefault(local, []).append(source.index)
                continue
            negated = source.cluster.startswith("-")
            regex = wildcard_regex(source.cluster.lstrip("-"))
            for alias in remotes:
                if not regex.fullmatch(alias):
                    continue
                if negated:
                    excluded.add(alias)
                else:
                    groups.setdefault(alias, []).append(source.index)
        return {a: ",".join(p) for a, p in groups.items() if a not in excluded}

    def _external(self, step: Step, columns: Columns, scope: FieldScope) -> Columns:
        """Steps that need metadata: ENRICH's policy fields, LOOKUP JOIN's index."""
        if isinstance(step, AddLookupFields):
            snapshot = self.snapshot(None)
            added = snapshot.columns(step.index) if snapshot else {}
            return {**columns, **added}
        if isinstance(step, AddPolicyFields):
            found = self._find_policy(step.policy, step.mode, scope.clusters())
            if found is None:
                return columns
            alias, policy = found
            types = self._policy_columns(alias, policy)
            pairs = step.renames or tuple((f, f) for f in policy.enrich_fields)
            out = dict(columns)
            for new, field in pairs:
                out.pop(new, None)
                out[new] = types.get(field, "")
            return out
        return columns

    def _find_policy(
        self, name: str, mode: str | None, clusters: Sequence[str]
    ) -> tuple[str, EnrichPolicy] | None:
        """The cluster whose ``name`` policy describes the fields: the local one
        unless ``_remote`` (then the first remote of the query that has it)."""
        order: list[str | None] = [None]
        if mode == "_remote":
            order = [self._registry.local, *self._remote_order(clusters)]
        else:
            order += self._remote_order(clusters)
        for alias in order:
            snapshot = self.snapshot(alias)
            if snapshot is not None and name in snapshot.policies:
                return snapshot.alias, snapshot.policies[name]
        return None

    def _remote_order(self, clusters: Sequence[str]) -> list[str]:
        remotes = self._registry.remotes()
        named = [c for c in clusters if c]
        if not named:
            return remotes
        return [
            a for a in remotes if any(wildcard_regex(c.lstrip("-")).fullmatch(a) for c in named)
        ]

    def _policy_columns(self, alias: str, policy: EnrichPolicy) -> Columns:
        snapshot = self._snapshots.get(alias)
        if snapshot is None:
            return {}
        return snapshot.columns(",".join(policy.indices))


# -------------------------------------------------------------------- steps

External = Callable[[Step, Columns], Columns]


def _apply_steps(columns: Columns, steps: Sequence[Step], external: External) -> Columns:
    for step in steps:
        columns = _apply(step, columns, external)
    return columns


def _apply(step: Step, columns: Columns, external: External) -> Columns:
    if isinstance(step, AddFields):
        out = dict(columns)
        for f in step.fields:
            out.pop(f.name, None)
            out[f.name] = _new_type(f, columns)
        return out
    if isinstance(step, ReplaceFields):
        return {f.name: _new_type(f, columns) for f in step.fields}
    if isinstance(step, KeepFields):
        return {n: columns[n] for n in _matching(step.patterns, columns)}
    if isinstance(step, DropFields):
        dropped = set(_matching(step.patterns, columns))
        return {n: t for n, t in columns.items() if n not in dropped}
    if isinstance(step, RenameFields):
        out = dict(columns)
        for old, new in step.pairs:
            if old in out:
                out[new] = out.pop(old)
        return out
    return external(step, columns)


def _new_type(field: NewField, columns: Columns) -> str:
    return field.type_given(columns.get)


def _matching(patterns: Sequence[str], columns: Columns) -> Iterator[str]:
    for pattern in patterns:
        if "*" not in pattern:
            if pattern in columns:
                yield pattern
            continue
        regex = wildcard_regex(pattern)
        yield from (n for n in columns if regex.fullmatch(n))


def _fields_index(columns: Columns) -> NameIndex:
    return NameIndex(list(columns), list(columns.values()))


def _reason(e: Exception) -> str:
    text = str(e) or type(e).__name__
    return text.splitlines()[0][:200]
