"""The conformance indices as an embedded cluster, built the way Elasticsearch's
``CsvTestsDataLoader`` builds them, and cached.

``fixture_cluster(dir)`` loads every index of ``indices.yaml`` marked
``copied: true`` (its CSV, mapping and settings, with the entry's
``sub_fields``, ``type_overrides``, ``remove_fields``, ``dynamic`` and
``dynamic_type_mapping``), the aliases, and every enrich policy whose source
indices were loaded. The result lives in ``.cache/fixtures/<hash>`` (hash of the
fixture files and of the loader's code), so only the first run pays.

Where the stored mapping and the CSV header disagree the header wins (README's
known quirk): header columns the mapping lacks are added with the header's type
before the entry's edits are applied (a ``text`` column also gets a ``.keyword``
multi-field, as Elasticsearch's dynamic mapping of a string does; the entry's
``dynamic_type_mapping`` gives the type when it names the column), and an
object sub-field such as ``client.ip`` that the CSV has as ``client_ip`` is
dropped from the mapping.

``fixture_cluster_split(dir, n)`` splits each index's rows into ``n`` clusters
in contiguous chunks: cluster ``k`` holds the ``k``-th run of rows (the first
``rows % n`` chunks one row longer), so reading the clusters in order gives the
rows in their original order, and a query without SORT sees the same order split
as single. Lookup-mode indices are copied whole into every cluster (LOOKUP JOIN
reads the lookup index of the cluster it runs on), and each enrich policy points
at a hidden full copy of its source (``.enrich-<policy>``), as Elasticsearch
executes a policy into its own index; aliases are copied too.
``fixture_split_local(dir, n)`` is the empty querying cluster that goes with them:
no rows of standard indices, but the lookup indices, the policies (with their
hidden copies) and the aliases whose targets it has, for the LOOKUP JOINs and
ENRICHes the coordinator runs after a pipeline breaker.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from esqlsh.clusters import layout
from esqlsh.clusters.embedded import EmbeddedCluster
from esqlsh.clusters.ingest import SourceTable, load_table, read_csv, write_aliases, write_policy
from esqlsh.clusters.mapping import (
    add_field,
    dynamic_string_mapping,
    fields_of,
    object_paths,
    override_types,
    remove_fields,
)

REPO = Path(__file__).resolve().parents[2]
DEFAULT_CACHE = REPO / ".cache" / "fixtures"
CLUSTER_NAME = "fixtures"

# Code whose behaviour shapes the built files: a change rebuilds the cache.
_LOADER_CODE = [
    REPO / "esqlsh" / "clusters" / name
    for name in (
        "convert.py",
        "ingest.py",
        "layout.py",
        "mapping.py",
        "names.py",
        "csv_cells.py",
        "source_lines.py",
        "ndjson_docs.py",
        "ip_text.py",
    )
] + [Path(__file__).resolve()]


def fixture_cluster(fixtures_dir: Path, cache_dir: Path | None = None) -> EmbeddedCluster:
    """The conformance cluster (built on first use, then cached)."""
    fixtures_dir = Path(fixtures_dir)
    target = Path(cache_dir or DEFAULT_CACHE) / _fingerprint(fixtures_dir)
    if not target.is_dir():
        _build_once(target, lambda out: build_fixture_cluster(fixtures_dir, out))
        _prune_stale(target)
    return EmbeddedCluster(target, name=CLUSTER_NAME)


def fixture_cluster_split(
    fixtures_dir: Path, n: int, cache_dir: Path | None = None
) -> list[EmbeddedCluster]:
    """The conformance cluster's rows split in ``n`` contiguous chunks, one per cluster."""
    target = _split_target(fixtures_dir, n, cache_dir)
    return [EmbeddedCluster(target / f"part{k}", name=f"{CLUSTER_NAME}{k}") for k in range(n)]


def fixture_split_local(
    fixtures_dir: Path, n: int, cache_dir: Path | None = None
) -> EmbeddedCluster:
    """The local cluster of an ``n``-way split: lookup indices, policies and aliases only."""
    return EmbeddedCluster(_split_target(fixtures_dir, n, cache_dir) / "local", name="local")


def _split_target(fixtures_dir: Path, n: int, cache_dir: Path | None) -> Path:
    if n < 1:
        raise ValueError(f"need at least one cluster, got {n}")
    full = fixture_cluster(fixtures_dir, cache_dir)
    target = full.path.parent / f"{full.path.name}-split{n}"
    _build_once(target, lambda out: _split(full, n, out))
    return target


def chunk_bounds(rows: int, n: int) -> list[tuple[int, int]]:
    """``[start, end)`` of each of ``n`` contiguous chunks of ``rows`` rows; the first
    ``rows % n`` chunks are one row longer (100 rows, 3 chunks → 34, 33, 33)."""
    size, extra = divmod(rows, n)
    bounds = []
    start = 0
    for k in range(n):
        end = start + size + (1 if k < extra else 0)
        bounds.append((start, end))
        start = end
    return bounds


# --- building ------------------------------------------------------------------------


def build_fixture_cluster(fixtures_dir: Path, out: Path) -> None:
    """Load the copied indices, aliases and policies of ``fixtures_dir`` into ``out``."""
    catalog = yaml.safe_load((fixtures_dir / "indices.yaml").read_text(encoding="utf-8"))
    loaded: set[str] = set()
    for name, entry in (catalog.get("indices") or {}).items():
        if entry.get("copied"):
            load_dataset(fixtures_dir, out, name, entry)
            loaded.add(name)
    aliases = {a: i for a, i in (catalog.get("aliases") or {}).items() if i in loaded}
    if aliases:
        write_aliases(out, aliases)
    for policy, entry in (catalog.get("enrich_policies") or {}).items():
        path = fixtures_dir / "enrich" / str(entry.get("file", ""))
        if not entry.get("copied", True) or not path.is_file():
            continue
        body = json.loads(path.read_text(encoding="utf-8"))
        if all(i in loaded for i in _policy_indices(body)):
            write_policy(out, policy, body)


def load_dataset(fixtures_dir: Path, out: Path, name: str, entry: dict[str, Any]) -> None:
    """One ``indices.yaml`` entry as ``CsvTestsDataLoader.load`` would create it."""
    mapping = _read(fixtures_dir / "mappings" / entry["mapping"])
    settings = (
        _read(fixtures_dir / "mappings" / entry["settings"]) if entry.get("settings") else None
    )
    data = entry.get("data")
    table = read_csv(fixtures_dir / "data" / data) if data else SourceTable(pl.DataFrame())
    if entry.get("sub_fields", True) is False:
        # .noSubfields(): dotted columns are multi-fields of their parent, not values.
        table = table.drop(c for c in table.frame.columns if "." in c)
    mapping = _header_wins(mapping, table, entry.get("dynamic_type_mapping") or {})
    mapping = override_types(mapping, entry.get("type_overrides") or {})
    mapping = remove_fields(mapping, entry.get("remove_fields") or [])
    if entry.get("dynamic") is not None:
        mapping["dynamic"] = str(entry["dynamic"]).lower()
    load_table(out, name, table, mapping, settings, mode="replace")


def _header_wins(
    mapping: dict[str, Any], table: SourceTable, dynamic_types: dict[str, str]
) -> dict[str, Any]:
    columns = set(table.frame.columns)
    renamed = [
        f.name
        for f in fields_of(mapping)
        if f.parent is None
        and "." in f.name
        and f.name not in columns
        and f.name.replace(".", "_") in columns
    ]
    out = remove_fields(mapping, renamed)
    known = {f.name for f in fields_of(out)} | object_paths(out)
    for column in table.frame.columns:
        if column == layout.ID_COLUMN or column in known:
            continue
        kind = dynamic_types.get(column) or table.header_types.get(column)
        if kind:
            add_field(out, column, dynamic_string_mapping() if kind == "text" else {"type": kind})
    return out


def _policy_indices(body: dict[str, Any]) -> list[str]:
    for kind in ("match", "range", "geo_match"):
        if kind in body:
            indices = body[kind].get("indices", [])
            return [indices] if isinstance(indices, str) else list(indices)
    return []


def _read(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


# --- splitting -------------------------------------------------------------------------


def _split(full: EmbeddedCluster, n: int, out: Path) -> None:
    for k in range(n):
        part = out / f"part{k}"
        for index in full.indices():
            whole = full.index(index)
            assert whole is not None
            keep = None if whole.mode == "lookup" else (k, n)
            _copy_index(full.path / index, part / index, keep)
        _copy_aliases(full, part)
        _copy_policies(full, part)
    local = out / "local"
    local.mkdir(parents=True, exist_ok=True)
    for index in full.indices():
        info = full.index(index)
        if info is not None and info.mode == "lookup":
            _copy_index(full.path / index, local / index, None)
    _copy_aliases(full, local)
    _copy_policies(full, local)


def _copy_aliases(full: EmbeddedCluster, part: Path) -> None:
    """The aliases whose every target exists in ``part``."""
    aliases = layout.read_json(full.path / layout.ALIASES_FILE, {}) or {}
    kept = {
        alias: targets
        for alias, targets in aliases.items()
        if all((part / t / layout.MAPPING_FILE).exists() for t in targets)
    }
    if kept:
        layout.write_json(part / layout.ALIASES_FILE, kept)


def _copy_policies(full: EmbeddedCluster, part: Path) -> None:
    """Every policy, reading a hidden full copy of its source indices."""
    for policy in full.policies().values():
        copy_name = f".enrich-{policy.name}"
        for source in policy.indices:
            _copy_index(full.path / source, part / copy_name, None)
        body = _read(full.path / layout.ENRICH_DIR / f"{policy.name}.json")
        body[policy.type]["indices"] = [copy_name]
        write_policy(part, policy.name, body)
        layout.write_json(part / copy_name / layout.SETTINGS_FILE, {"index": {"hidden": True}})


def _copy_index(source: Path, target: Path, keep: tuple[int, int] | None) -> None:
    """Copy an index; ``keep=(k, n)`` keeps only the ``k``-th of ``n`` contiguous
    chunks of its rows (``chunk_bounds``)."""
    target.mkdir(parents=True, exist_ok=True)
    for name in (layout.MAPPING_FILE, layout.SETTINGS_FILE):
        if (source / name).exists():
            shutil.copy(source / name, target / name)
    files = layout.data_files(source)
    if not files:
        return
    if keep is None:
        for f in files:
            shutil.copy(f, target / f.name)
        return
    k, n = keep
    rows = pl.read_parquet(files)
    start, end = chunk_bounds(rows.height, n)[k]
    # An empty chunk is still written: it keeps the stored schema (list columns).
    rows.slice(start, end - start).write_parquet(target / layout.DATA_FILE)


# --- caching ---------------------------------------------------------------------------


def _fingerprint(fixtures_dir: Path) -> str:
    digest = hashlib.sha256()
    inputs = [
        p
        for p in sorted(fixtures_dir.rglob("*"))
        if p.is_file() and "specs" not in p.relative_to(fixtures_dir).parts
    ]
    for path in inputs:
        digest.update(str(path.relative_to(fixtures_dir)).encode())
        digest.update(path.read_bytes())
    for path in _LOADER_CODE:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _prune_stale(current: Path, min_age_seconds: float = 3600) -> None:
    """Remove builds for older fixture or loader versions (an hour old at least,
    so a test run still using one keeps it)."""
    cutoff = time.time() - min_age_seconds
    for entry in current.parent.iterdir():
        key = entry.name.split("-split")[0]
        stale = len(key) == 16 and key != current.name and entry.stat().st_mtime < cutoff
        if entry.is_dir() and stale and all(c in "0123456789abcdef" for c in key):
            shutil.rmtree(entry, ignore_errors=True)


def _build_once(target: Path, build: Callable[[Path], None]) -> None:
    """Build into a temporary directory and rename it into place, so concurrent
    test processes never see a half-built cluster."""
    if target.is_dir():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{target.name}-", dir=target.parent))
    try:
        build(tmp)
        os.rename(tmp, target)
    except OSError:
        if not target.is_dir():
            raise
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
