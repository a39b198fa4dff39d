"""Running queries through the whole pipeline (parse, analyze, execute) for part C's
tests, over a small in-memory index."""

from __future__ import annotations

from typing import Any

from esqlsh.analysis.types import DataType as T
from esqlsh.coordinator.session import run_query
from esqlsh.render.values import to_es_values
from tests.engine.memstorage import MemStorage

LIMIT_WARNING = "No limit defined, adding default limit of [1000]"


def employees() -> MemStorage:
    """Five employees, with a multi-valued and a null field."""
    s = MemStorage()
    s.add(
        "emp",
        {
            "emp_no": T.INTEGER,
            "first_name": T.KEYWORD,
            "last_name": T.KEYWORD,
            "gender": T.KEYWORD,
            "salary": T.INTEGER,
            "languages": T.INTEGER,
            "hired": T.DATETIME,
            "jobs": T.KEYWORD,
        },
        {
            "emp_no": [10001, 10002, 10003, 10004, 10005],
            "first_name": ["Georgi", "Bezalel", "Parto", "Chirstian", "Kyoichi"],
            "last_name": ["Facello", "Simmel", "Bamford", "Koblick", "Maliniak"],
            "gender": ["M", "F", "M", "M", "M"],
            "salary": [57305, 56371, 61805, 36174, 63528],
            "languages": [2, 5, 4, 5, None],
            "hired": [562291200000, 501379200000, 525571200000, 501811200000, 495590400000],
            "jobs": [
                ["Accountant", "Senior Python Developer"],
                "Senior Team Lead",
                None,
                "Tech Lead",
                None,
            ],
        },
    )
    return s


def columns_of(storage: MemStorage, text: str) -> list[tuple[str, str]]:
    result = run_query(text, storage)
    return [(c.name, c.type.value) for c in result.columns]


def query(storage: MemStorage, text: str) -> tuple[list[list[Any]], list[str]]:
    """The rows as Elasticsearch's JSON gives them, and the warnings (the default
    LIMIT one aside)."""
    result = run_query(text, storage)
    warnings = [w for w in result.warnings if w != LIMIT_WARNING]
    return to_es_values(result), warnings
