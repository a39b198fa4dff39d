"""An embedded cluster: a directory of indices (``layout.py``) the engine reads in
process. It implements ``Storage`` (``base.py``).

Construction reads nothing. Metadata (the index list, each index's mapping,
settings and stored schema, aliases, policies) is read on first use and cached
on the object. Each cached value remembers the ``(inode, mtime_ns, size)`` of
the few paths it was read from (the cluster folder for the index list; an
index's folder, mapping, settings and the aliases file for its metadata), and a
lookup re-stats just those: a query costs a handful of ``stat`` calls, not a
read of every index, and a cluster object stays right while ``esqlsh load``
writes into its directory (every write there is a new file renamed into place,
which changes the folder's mtime; hand edits of a mapping or settings file are
seen too). Data files are read at each scan; only an in-place rewrite of one
with another schema goes unseen until ``refresh()``. Values read less than a
second after a path changed are not trusted (a second change within the file
system's timestamp granularity could leave the mtime as it was) and are read
again on the next lookup.

Index visibility: an index whose settings say ``index.hidden: true``, or whose
name starts with ``.`` (unless its settings say ``index.hidden: false``), is
hidden: wildcards match it only when the pattern starts with ``.`` too.

``scan`` returns the physical columns; besides the index's fields it serves the
metadata fields ``_id`` (stored), ``_index`` and ``_version`` (always 1).
Single-valued fields may come back as plain values or as lists, depending on the
index (``multi_valued`` says which are lists); fields of unsupported types come
back as nulls unless ``raw=True``, which returns range fields as their stored
``Struct{gte, lte}`` (for ENRICH on range policies).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import polars as pl

from esqlsh.analysis.types import DataType, from_mapping
from esqlsh.clusters import layout
from esqlsh.clusters.base import EnrichPolicy, IndexInfo
from esqlsh.clusters.convert import physical_of
from esqlsh.clusters.mapping import FieldSpec, fields_of
from esqlsh.clusters.names import is_valid_index_name
from esqlsh.clusters.resolve import Resources, concrete_indices, resolve_resources
from esqlsh.errors import EsqlError

T = TypeVar("T")

# A value read from paths that changed less than this long ago is read again
# next time: file systems stamp times at a coarse granularity (git's "racy" files).
_RACY_NS = 1_000_000_000

# A path's (inode, mtime_ns, size), or None when it does not exist.
Stamp = tuple[int, int, int] | None

# The metadata fields ``scan`` serves besides the index's own fields.
METADATA_FIELDS: dict[str, DataType] = {
    "_id": DataType.KEYWORD,
    "_index": DataType.KEYWORD,
    "_version": DataType.LONG,
}


class UnknownFieldError(EsqlError):
    """A scan asked for a column the index does not have (an engine bug, not a
    user error: the analyzer resolves names first)."""

    type = "illegal_state_exception"
    status = 500


@dataclass(frozen=True)
class IndexMeta:
    """Everything about one index but its rows."""

    info: IndexInfo
    specs: dict[str, FieldSpec]
    files: tuple[Path, ...]
    stored: dict[str, pl.DataType]  # the data files' schema
    hidden: bool
    settings: dict[str, Any]


class EmbeddedCluster:
    """A directory of indices as a ``Storage``."""

    def __init__(self, path: str | os.PathLike[str], name: str | None = None):
        self.path = Path(path)
        self.name = name if name is not None else self.path.name
        self._root = os.fspath(self.path)
        self._cache: dict[tuple[str, str], _Entry] = {}

    def __repr__(self) -> str:
        return f"EmbeddedCluster({str(self.path)!r}, name={self.name!r})"

    # --- Catalog ---------------------------------------------------------------

    def resolve(self, expression: str) -> list[str]:
        listing = self._listing()
        hidden = _Hidden(self, listing)
        aliases = self.aliases()
        resources = resolve_resources(expression, hidden, aliases, sorted_names=listing.names)
        return concrete_indices(resources.names, hidden, aliases)

    def resolve_resources(self, expression: str) -> Resources:
        """The index and alias names ``expression`` names, with the concrete names
        it gives that are neither (``clusters/resolve.py``)."""
        listing = self._listing()
        hidden = _Hidden(self, listing)
        return resolve_resources(expression, hidden, self.aliases(), sorted_names=listing.names)

    def index(self, name: str) -> IndexInfo | None:
        if name not in self._listing().known:
            return None
        return self._meta(name).info

    def policies(self) -> dict[str, EnrichPolicy]:
        folder = self.path / layout.ENRICH_DIR
        return self._cached("policies", "", (str(folder),), lambda: _read_policies(folder))

    # --- Storage ---------------------------------------------------------------

    def scan(
        self, index: str, columns: list[str] | None = None, *, raw: bool = False
    ) -> pl.LazyFrame:
        meta = self._meta(index)
        wanted = list(meta.info.fields) if columns is None else list(columns)
        exprs = [self._column(meta, index, name, raw) for name in wanted]
        if meta.files:
            frame = self._scan_files(meta.files)
        else:
            frame = pl.LazyFrame(schema={layout.ID_COLUMN: pl.String()})
        if not wanted:
            # No columns, but the rows: a select of nothing would have none.
            return frame.select(layout.ID_COLUMN).drop(layout.ID_COLUMN)
        if all(
            e.meta.is_column() and e.meta.output_name() == n
            for e, n in zip(exprs, wanted, strict=True)
        ):
            # Stored columns only: a bare projection, which Polars pushes into the
            # Parquet reader with the predicates above it.
            return frame.select(exprs)
        # with_columns (not select): constants take the frame's height; projection
        # pushdown then reads only the columns ``wanted`` needs.
        return frame.with_columns(exprs).select(wanted)

    def _column(self, meta: IndexMeta, index: str, name: str, raw: bool) -> pl.Expr:
        if name == "_index":
            return pl.lit(index, dtype=pl.String()).alias(name)
        if name == "_version":
            return pl.lit(1, dtype=pl.Int64()).alias(name)
        if name == layout.ID_COLUMN:
            return pl.col(name)
        spec = meta.specs.get(name)
        if spec is None:
            raise UnknownFieldError(f"Unknown column [{name}] in index [{index}]")
        if spec.type == "alias":
            target = str(spec.params.get("path", ""))
            if target in meta.stored:
                return pl.col(target).alias(name)
            target_spec = meta.specs.get(target)
            dtype = physical_of(target_spec) if target_spec else pl.Null()
            return pl.lit(None, dtype=dtype).alias(name)
        if spec.es_type is DataType.UNSUPPORTED and not (raw and name in meta.stored):
            return pl.lit(None, dtype=pl.Null()).alias(name)
        if name in meta.stored:
            return pl.col(name)
        if spec.type == "constant_keyword" and "value" in spec.params:
            # Every document has the mapping's value, indexed or not.
            return pl.lit(str(spec.params["value"]), dtype=pl.String()).alias(name)
        return pl.lit(None, dtype=physical_of(spec)).alias(name)

    # --- extras ----------------------------------------------------------------

    def indices(self) -> list[str]:
        """Every index of the cluster, sorted."""
        return list(self._listing().names)

    def aliases(self) -> dict[str, tuple[str, ...]]:
        """alias → the indices it points at."""
        path = os.path.join(self._root, layout.ALIASES_FILE)
        return self._cached("aliases", "", (path,), lambda: _read_aliases(Path(path)))

    def multi_valued(self, index: str) -> frozenset[str]:
        """The fields ``scan`` returns as lists."""
        meta = self._meta(index)
        return frozenset(n for n, t in meta.stored.items() if isinstance(t, pl.List))

    def field_specs(self, index: str) -> dict[str, FieldSpec]:
        """The mapping's view of each field (its mapping type, e.g. ``ip_range``)."""
        return dict(self._meta(index).specs)

    def mapping(self, index: str) -> dict[str, Any]:
        return layout.read_json(self.path / index / layout.MAPPING_FILE, {}) or {}

    def settings(self, index: str) -> dict[str, Any]:
        return dict(self._meta(index).settings)

    def _scan_files(self, files: tuple[Path, ...]) -> pl.LazyFrame:
        """The rows of an index's data files (``esqlsh serve`` keeps them in memory)."""
        return pl.scan_parquet(list(files))

    def row_count(self, index: str) -> int:
        meta = self._meta(index)
        if not meta.files:
            return 0
        return int(pl.scan_parquet(list(meta.files)).select(pl.len()).collect().item())

    def refresh(self) -> None:
        """Forget cached metadata."""
        self._cache.clear()

    # --- metadata ----------------------------------------------------------------

    def _listing(self) -> _Listing:
        """The index folders, cached while the cluster folder (and any folder
        still waiting for its mapping) is unchanged."""
        hit = self._cache.get(_LISTING)
        if hit is not None and hit.fresh():
            return hit.value  # type: ignore[return-value]
        stamps = file_stamps((self._root,))  # before reading, so later changes show
        names: list[str] = []
        pending: list[str] = []
        pending_stamps: list[_Stamps] = []
        for folder in _index_folders(self._root):
            # A folder is an index once its mapping is written (``load`` writes
            # it last); a folder without one is watched until it has it.
            stamp = file_stamps((folder,))
            if os.path.exists(os.path.join(folder, layout.MAPPING_FILE)):
                names.append(os.path.basename(folder))
            else:
                pending.append(folder)
                pending_stamps.append(stamp)
        listing = _Listing(tuple(sorted(names)), frozenset(names))
        paths = (self._root, *pending)
        self._cache[_LISTING] = _Entry(paths, _joined([stamps, *pending_stamps]), listing)
        return listing

    def _meta(self, index: str) -> IndexMeta:
        folder = os.path.join(self._root, index)
        paths = (
            folder,
            os.path.join(folder, layout.MAPPING_FILE),
            os.path.join(folder, layout.SETTINGS_FILE),
            os.path.join(self._root, layout.ALIASES_FILE),
        )
        return self._cached("meta", index, paths, lambda: self._read_meta(index))

    def _hidden(self, index: str) -> bool:
        """Whether ``index`` is hidden: its settings' word, from one ``stat`` (a
        wildcard asks this of every index)."""
        path = os.path.join(self._root, index, layout.SETTINGS_FILE)

        def read() -> bool:
            return _is_hidden(index, layout.read_json(Path(path), {}) or {})

        return self._cached("hidden", index, (path,), read)

    def _read_meta(self, index: str) -> IndexMeta:
        folder = self.path / index
        if index not in self._listing().known:
            raise UnknownFieldError(f"no such index [{index}]")
        mapping = layout.read_json(folder / layout.MAPPING_FILE, {}) or {}
        settings = layout.read_json(folder / layout.SETTINGS_FILE, {}) or {}
        specs = {f.name: f for f in fields_of(mapping)}
        fields = {name: _es_type(spec, specs) for name, spec in specs.items()}
        files = tuple(layout.data_files(folder))
        stored = dict(pl.read_parquet_schema(files[0])) if files else {}
        aliases = tuple(a for a, targets in self.aliases().items() if index in targets)
        mode = str(_setting(settings, "mode") or "standard").lower()
        info = IndexInfo(index, fields, mode, aliases)
        return IndexMeta(info, specs, files, stored, _is_hidden(index, settings), settings)

    def _cached(self, kind: str, key: str, paths: tuple[str, ...], load: Callable[[], T]) -> T:
        """``load()``, cached until one of ``paths`` changes."""
        hit = self._cache.get((kind, key))
        if hit is not None and hit.paths == paths and hit.fresh():
            return hit.value  # type: ignore[return-value]
        stamps = file_stamps(paths)  # before reading, so a change while reading shows
        value = load()
        self._cache[(kind, key)] = _Entry(paths, stamps, value)
        return value


# --- the cache ---------------------------------------------------------------------

_LISTING = ("indices", "")


@dataclass(frozen=True)
class _Stamps:
    """The stamps of some paths, and whether they are old enough to trust."""

    values: tuple[Stamp, ...]
    settled: bool


@dataclass(frozen=True)
class _Entry:
    """A cached value and what it was read from."""

    paths: tuple[str, ...]
    stamps: _Stamps
    value: object

    def fresh(self) -> bool:
        """Still right: settled, and no path changed since."""
        return self.stamps.settled and file_stamps(self.paths).values == self.stamps.values


@dataclass(frozen=True)
class _Listing:
    names: tuple[str, ...]  # sorted
    known: frozenset[str]


class _Hidden(Mapping[str, bool]):
    """index → hidden, reading an index's settings only when asked: resolving a
    concrete name needs only membership, a wildcard reads every index's."""

    def __init__(self, cluster: EmbeddedCluster, listing: _Listing):
        self._cluster = cluster
        self._listing = listing

    def __getitem__(self, name: str) -> bool:
        if name not in self._listing.known:
            raise KeyError(name)
        return self._cluster._hidden(name)

    def __contains__(self, name: object) -> bool:
        return name in self._listing.known

    def __iter__(self) -> Iterator[str]:
        return iter(self._listing.names)

    def __len__(self) -> int:
        return len(self._listing.names)


def _stat(path: str) -> Stamp:
    try:
        st = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def file_stamps(paths: tuple[str, ...]) -> _Stamps:
    """Each path's ``(inode, mtime_ns, size)`` (None: missing), and whether all are
    old enough to trust (also used by ``server/data_cache.py``)."""
    now = time.time_ns()  # before the stats: a change after them is later still
    values = tuple(_stat(p) for p in paths)
    settled = all(v is None or now - v[1] >= _RACY_NS for v in values)
    return _Stamps(values, settled)


def _joined(parts: list[_Stamps]) -> _Stamps:
    values = tuple(v for part in parts for v in part.values)
    return _Stamps(values, all(part.settled for part in parts))


def _index_folders(root: str) -> list[str]:
    """The folders of ``root`` named as an index may be."""
    try:
        entries = list(os.scandir(root))
    except (FileNotFoundError, NotADirectoryError):
        return []
    return [e.path for e in entries if e.is_dir() and is_valid_index_name(e.name)]


def _es_type(spec: FieldSpec, specs: dict[str, FieldSpec]) -> DataType:
    if spec.type == "alias":
        target = specs.get(str(spec.params.get("path", "")))
        return target.es_type if target is not None else DataType.UNSUPPORTED
    return from_mapping(spec.type)


def _is_hidden(index: str, settings: dict[str, Any]) -> bool:
    hidden = _setting(settings, "hidden")
    return str(hidden).lower() == "true" if hidden is not None else index.startswith(".")


def _setting(settings: dict[str, Any], key: str) -> Any:
    """``index.<key>`` from nested (``{"index": {"mode": …}}``) or flat settings."""
    index = settings.get("index")
    if isinstance(index, dict) and key in index:
        return index[key]
    if f"index.{key}" in settings:
        return settings[f"index.{key}"]
    return settings.get(key)


def _read_aliases(path: Path) -> dict[str, tuple[str, ...]]:
    data = layout.read_json(path, {}) or {}
    return {
        alias: (targets,) if isinstance(targets, str) else tuple(targets)
        for alias, targets in sorted(data.items())
    }


def _read_policies(folder: Path) -> dict[str, EnrichPolicy]:
    out: dict[str, EnrichPolicy] = {}
    if not folder.is_dir():
        return out
    for file in sorted(folder.glob("*.json")):
        body = layout.read_json(file, {}) or {}
        policy = policy_from_json(file.stem, body)
        if policy is not None:
            out[policy.name] = policy
    return out


def policy_from_json(name: str, body: dict[str, Any]) -> EnrichPolicy | None:
    """An ``EnrichPolicy`` from Elasticsearch's policy JSON (``{"match": {…}}``)."""
    for kind in ("match", "range", "geo_match"):
        config = body.get(kind)
        if isinstance(config, dict):
            indices = config.get("indices", ())
            return EnrichPolicy(
                name=name,
                type=kind,
                indices=(indices,) if isinstance(indices, str) else tuple(indices),
                match_field=str(config.get("match_field", "")),
                enrich_fields=tuple(config.get("enrich_fields", ())),
                query=config.get("query"),
            )
    return None


__all__ = [
    "METADATA_FIELDS",
    "EmbeddedCluster",
    "IndexMeta",
    "UnknownFieldError",
    "policy_from_json",
]
