"""A small employees index, whole in one storage and split row-wise over three.

The split keeps row order: ``local`` holds the first rows, ``c2`` the next, ``c3``
the last, so reading the clusters in order reads the index in order. ``c3``'s copy
of ``emp`` has no ``extra`` field (a union field missing on one cluster). Every
storage holds the whole lookup index ``lang_lookup`` and the enrich policy
``langs`` with its source index; ``storages(per_cluster_policies=True)`` gives
each cluster's policy different data (to see where an ENRICH ran).
"""

from __future__ import annotations

from esqlsh.analysis.types import DataType as T
from esqlsh.clusters.base import EnrichPolicy
from tests.engine.memstorage import MemStorage

EMP_FIELDS = {
    "emp_no": T.INTEGER,
    "first_name": T.KEYWORD,
    "job": T.TEXT,
    "salary": T.INTEGER,
    "height": T.DOUBLE,
    "languages": T.INTEGER,
    "gender": T.KEYWORD,
    "hire_date": T.DATETIME,
    "still_hired": T.BOOLEAN,
    "tags": T.KEYWORD,
    "ip": T.IP,
    "big": T.LONG,
    "extra": T.LONG,
}

_DAY = 86_400_000
EMP_ROWS: dict[str, list[object]] = {
    "emp_no": [10001, 10002, 10003, 10004, 10005, 10006, 10007, 10008, 10009, 10010, 10011, 10012],
    "first_name": [
        "Ann",
        "Bob",
        "Cid",
        "Dee",
        "Eve",
        "Fay",
        "Gus",
        "Hal",
        "Ivy",
        "Jon",
        "Kim",
        "Lea",
    ],
    "job": ["dev", "ops", "dev", "qa", None, "dev", "ops", "qa", "dev", "ops", "qa", "dev"],
    "salary": [300, 250, None, 400, 520, 610, 250, 830, 900, 1000, 1150, 1200],
    "height": [1.5, 1.75, 2.03, 1.8, None, 1.61, 1.9, 2.1, 1.55, 1.65, 1.7, 1.85],
    "languages": [1, 2, 3, None, 1, 2, 3, 1, None, 2, 5, 1],
    "gender": ["F", "M", None, "F", "F", "M", "M", None, "F", "M", "F", "M"],
    "hire_date": [
        d * _DAY for d in (100, 400, 800, 1200, 1300, 2000, 2100, 2500, 3000, 3300, 3900, 4000)
    ],
    "still_hired": [True, False, True, None, True, False, True, True, False, True, False, True],
    "tags": [["x", "y"], "x", None, "z", ["y", "z"], "x", "y", None, "x", ["x", "z"], "z", "y"],
    "ip": [
        "10.0.0.1",
        "10.0.0.2",
        None,
        "10.0.0.1",
        "192.168.1.1",
        "10.0.0.3",
        "10.0.0.2",
        None,
        "10.0.0.9",
        "192.168.1.1",
        "10.0.0.1",
        "10.0.0.4",
    ],
    "big": [9_000_000_000_000_000_000 // 10**15, 5, 7, None, 3, 2**62, 2**62, 1, 1, 2, 3, 4],
    "extra": [1, None, 3, 4, 5, 6, 7, 8, None, None, None, None],  # c3 has no such field
}
CHUNKS = {"local": (0, 4), "c2": (4, 8), "c3": (8, 12)}

LOOKUP_FIELDS = {"languages": T.INTEGER, "language_name": T.KEYWORD}
LOOKUP_ROWS: dict[str, list[object]] = {
    "languages": [1, 2, 3, 4],
    "language_name": ["English", "French", "Spanish", "German"],
}
LANGS_FIELDS = {"lang_code": T.INTEGER, "lang_name": T.KEYWORD}
LANGS = EnrichPolicy("langs", "match", ("langs_src",), "lang_code", ("lang_name",))


def _with_shared(storage: MemStorage, suffix: str = "") -> MemStorage:
    storage.add("lang_lookup", LOOKUP_FIELDS, LOOKUP_ROWS, mode="lookup")
    names = [f"{n}{suffix}" for n in ("en", "fr", "es", "de")]
    storage.add("langs_src", LANGS_FIELDS, {"lang_code": [1, 2, 3, 4], "lang_name": names})
    storage.enrich = {"langs": LANGS}
    return storage


def whole() -> MemStorage:
    """Every row in one storage."""
    storage = MemStorage("whole")
    storage.add("emp", EMP_FIELDS, EMP_ROWS)
    return _with_shared(storage)


def storages(per_cluster_policies: bool = False) -> dict[str, MemStorage]:
    """``local``, ``c2``, ``c3``: the rows split in order."""
    out: dict[str, MemStorage] = {}
    for alias, (start, end) in CHUNKS.items():
        storage = MemStorage(alias)
        fields = dict(EMP_FIELDS)
        rows = {name: values[start:end] for name, values in EMP_ROWS.items()}
        if alias == "c3":
            del fields["extra"], rows["extra"]
        storage.add("emp", fields, rows)
        out[alias] = _with_shared(storage, f"-{alias}" if per_cluster_policies else "")
    return out


def federate(query: str) -> str:
    """``FROM emp`` as every cluster's ``emp`` (the local one bare)."""
    return query.replace("FROM emp", "FROM emp,c2:emp,c3:emp", 1)
