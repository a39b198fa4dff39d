"""Start-up stays cheap: ``esqlsh -q 'ROW a=1' --format csv`` on the bundled demo
(whose config names an elasticsearch cluster, ``cluster_three``) imports none of
the HTTP stack (requests, urllib3, ssl: a remote cluster's session is made on its
first request), no pyarrow (Arrow answers, ingest) and no DISSECT parser."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

from esqlsh.clusters.config import default_config
from esqlsh.clusters.registry import Registry

# Loaded by ROW a=1 before the lazy imports; each costs start-up time for nothing.
LAZY = (
    "requests",
    "urllib3",
    "ssl",
    "pyarrow",
    "esqlsh.clusters.remote_frames",
    "esqlsh.analysis.dissect",
)

# Runs the command in a fresh interpreter, then lists what it imported.
_RUNNER = """
import sys
from esqlsh.cli import run
from esqlsh.env import Environment
status = run(["-q", "ROW a=1", "--format", "csv"], Environment.from_system())
sys.stdout.flush()
print("#status", int(status))
print("#modules", " ".join(sorted(sys.modules)))
"""


def _run_row(tmp_path: Path) -> tuple[str, int, set[str]]:
    # An empty config dir and no $ESQLSH_CONFIG: the bundled cross-cluster demo.
    environ = {k: v for k, v in os.environ.items() if not k.startswith("ESQLSH_")}
    environ["ESQLSH_CONFIG_DIR"] = str(tmp_path)
    done = subprocess.run(
        [sys.executable, "-c", _RUNNER],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        env=environ,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    status = int(next(line for line in lines if line.startswith("#status")).split()[1])
    modules = set(next(line for line in lines if line.startswith("#modules")).split()[1:])
    output = "".join(f"{line}\n" for line in lines if not line.startswith("#"))
    return output, status, modules


def test_row_query_imports_nothing_it_does_not_need(tmp_path: Path) -> None:
    output, status, modules = _run_row(tmp_path)
    assert (output, status) == ("a\n1\n", 0)
    assert "polars" in modules  # the probe sees real imports
    loaded = sorted(m for m in LAZY if m in modules)
    assert loaded == []


def test_remote_session_is_made_on_first_use() -> None:
    # The demo's elasticsearch cluster is built with the registry, its HTTP
    # session (and requests with it) only when a request needs one.
    with Registry.from_config(default_config()) as registry:
        http = registry["cluster_three"]._http  # type: ignore[attr-defined]
        assert http._session is None
    assert http._session is None  # closing an unused cluster makes nothing
    session = http.session
    assert session is http.session
    assert session.trust_env is False
    assert session.verify is True
    assert "Authorization" not in session.headers
    assert session.headers["Accept"] == "application/json"
    http.close()


def test_session_is_made_once_across_threads() -> None:
    with Registry.from_config(default_config()) as registry:
        http = registry["cluster_three"]._http  # type: ignore[attr-defined]
        made: list[object] = []
        threads = [threading.Thread(target=lambda: made.append(http.session)) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len({id(m) for m in made}) == 1
