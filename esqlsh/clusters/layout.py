"""The on-disk layout of an embedded cluster directory (one place says where things
live), and atomic writes into it.

::

    DIR/
      <index>/                  one folder per index (the name is validated)
        mapping.json            {"properties": …} in Elasticsearch's mapping format
        settings.json           optional, e.g. {"index": {"mode": "lookup"}}
        data.parquet            the rows; appends add data-0001.parquet, …
      _aliases.json             {"alias": ["index", …], …}
      _enrich/<policy>.json     {"match": {"indices": …, "match_field": …,
                                           "enrich_fields": […]}} (or range, geo_match)

Parquet columns: one per field (multi-fields like ``languages.long`` too, already
converted), in the physical types of ``esqlsh.engine.compiled.PHYSICAL``, plus
``_id`` (String, every row). A field that has more than one value in some row of
the index is stored as a ``List`` column, in every data file of the index;
otherwise as plain values. Range fields (``integer_range`` …) are stored as
``Struct{gte, lte}`` with inclusive bounds. Fields of other unsupported types are
not stored.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

MAPPING_FILE = "mapping.json"
SETTINGS_FILE = "settings.json"
DATA_FILE = "data.parquet"
DATA_GLOB = "data*.parquet"
ALIASES_FILE = "_aliases.json"
ENRICH_DIR = "_enrich"
ID_COLUMN = "_id"


def index_dir(cluster: Path, index: str) -> Path:
    return cluster / index


def data_files(folder: Path) -> list[Path]:
    """The index's parquet files in write order (``data.parquet`` first)."""
    return sorted(folder.glob(DATA_GLOB), key=lambda p: (p.name != DATA_FILE, p.name))


def next_data_file(folder: Path) -> Path:
    existing = data_files(folder)
    if not existing:
        return folder / DATA_FILE
    return folder / f"data-{len(existing):04d}.parquet"


def read_json(path: Path, default: Any = None) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return default


def write_json(path: Path, value: Any) -> None:
    write_bytes(path, (json.dumps(value, indent=2, sort_keys=False) + "\n").encode("utf-8"))


def write_bytes(path: Path, data: bytes) -> None:
    """Write through a temporary file and rename, so readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        publish(Path(tmp), path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def publish(tmp: Path, path: Path) -> None:
    """Move a finished temporary file into place, readable as a normal file is
    (``mkstemp`` makes it private)."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    os.replace(tmp, path)


def temp_path(folder: Path, suffix: str) -> Path:
    """A fresh temporary file name in ``folder`` (hidden: not a data file)."""
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=suffix, dir=folder)
    os.close(fd)
    return Path(tmp)
