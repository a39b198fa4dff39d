"""The installed ``esqlsh`` console script, end to end, on the bundled demo data."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

_BESIDE_PYTHON = Path(sys.executable).with_name("esqlsh")
ESQLSH = str(_BESIDE_PYTHON) if _BESIDE_PYTHON.exists() else (shutil.which("esqlsh") or "esqlsh")
ENV = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "ESQLSH_DEBUG")}


def esqlsh(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [ESQLSH, *args],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
        env={**ENV, "NO_COLOR": "1"},
    )


def test_row_eval_csv() -> None:
    done = esqlsh("-q", 'ROW a = 1, b = "x" | EVAL c = a + 1', "--format", "csv")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "a,b,c\n1,x,2\n"
    # Elasticsearch's own response warnings (the default LIMIT one) may follow.
    assert "Error" not in done.stderr and "Traceback" not in done.stderr


def test_row_json_is_elasticsearch_shape() -> None:
    done = esqlsh("-q", 'ROW a = 1, b = "x" | EVAL c = a + 1', "--format", "json")
    assert done.returncode == 0, done.stderr
    assert '{"name":"a","type":"integer"}' in done.stdout
    body = json.loads(done.stdout)
    assert body["columns"] == [
        {"name": "a", "type": "integer"},
        {"name": "b", "type": "keyword"},
        {"name": "c", "type": "integer"},
    ]
    assert body["values"] == [[1, "x", 2]]
    assert body["is_partial"] is False


def test_unknown_index_is_an_error() -> None:
    done = esqlsh("-q", "FROM nope | LIMIT 1")
    assert done.returncode == 1
    assert done.stdout == ""
    assert "line 1:1: Unknown index [nope]" in done.stderr
    assert "Traceback" not in done.stderr


def test_syntax_error_shows_caret() -> None:
    done = esqlsh("-q", "ROW a = 1 |")
    assert done.returncode == 1
    assert done.stderr.startswith("Error: line 1:")
    assert "1 | ROW a = 1 |\n" in done.stderr and "^" in done.stderr
    assert "Traceback" not in done.stderr


def test_help_and_startup_imports_stay_light() -> None:
    done = esqlsh("--help")
    assert done.returncode == 0 and "Exit status:" in done.stdout
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, esqlsh.cli; heavy = {'polars', 'rich', 'pyarrow', 'yaml'} & set(sys.modules);"
            " assert not heavy, heavy",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert probe.returncode == 0, probe.stderr
