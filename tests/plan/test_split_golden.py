"""Golden files: each ``golden/NAME.esql`` query, split over the test clusters
(``local``, ``c2``, ``c3``), gives ``golden/NAME.expected``: every fragment and the
coordinator as ES|QL text (``SplitPlan.explain``).

Regenerate with ``ESQLSH_UPDATE_GOLDEN=1 pytest tests/plan/test_split_golden.py``
and review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from esqlsh.coordinator.split_exec import explain_split
from tests.plan.dataset import storages

GOLDEN = Path(__file__).parent / "golden"
CASES = sorted(p.stem for p in GOLDEN.glob("*.esql"))


def _query(name: str) -> tuple[str, Any]:
    """The query and its parameters (a ``// params: JSON`` line)."""
    lines = (GOLDEN / f"{name}.esql").read_text(encoding="utf-8").splitlines()
    params = None
    for line in lines:
        if line.startswith("// params:"):
            params = json.loads(line.removeprefix("// params:"))
    query = "\n".join(line for line in lines if not line.startswith("//")).strip()
    return query, params


@pytest.mark.parametrize("name", CASES)
def test_golden_split(name: str) -> None:
    query, params = _query(name)
    actual = explain_split(query, storages(), "local", params) + "\n"
    expected_path = GOLDEN / f"{name}.expected"
    if os.environ.get("ESQLSH_UPDATE_GOLDEN"):
        expected_path.write_text(actual, encoding="utf-8")
    assert actual == expected_path.read_text(encoding="utf-8")


def test_there_are_golden_files() -> None:
    assert len(CASES) >= 20
