"""Start-up stays cheap: ``esqlsh -q 'ROW a=1' --format csv`` on the bundled demo
(whose config names an elasticsearch cluster, ``cluster_three``) reads no cluster,
so it opens none and does not even read the demo's configuration: no YAML, no
cluster registry, no embedded or remote cluster code, none of the HTTP stack
(requests, urllib3, ssl), no pyarrow, no function implementations (it calls
none) and no STATS/GROK/DISSECT/ENRICH/LOOKUP JOIN machinery. A query that does
read a cluster (ENRICH, FROM) still gets the whole registry."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from esqlsh.cli import reads_no_cluster
from esqlsh.clusters.config import default_config
from esqlsh.clusters.registry import Registry

# None of these is for ROW a=1: each would cost start-up time for nothing.
LAZY = (
    "requests",
    "urllib3",
    "ssl",
    "pyarrow",
    "yaml",
    "rich",
    "esqlsh.clusters.registry",
    "esqlsh.clusters.embedded",
    "esqlsh.clusters.remote",
    "esqlsh.clusters.remote_http",
    "esqlsh.clusters.remote_frames",
    "esqlsh.engine.functions.math",
    "esqlsh.engine.functions._common",
    "esqlsh.engine.aggregate",
    "esqlsh.engine.extract",
    "esqlsh.engine.joins",
    "esqlsh.analysis.dissect",
    "esqlsh.analysis.grok",
)

# Runs the command in a fresh interpreter, then lists what it imported.
_RUNNER = """
import sys
from esqlsh.cli import run
from esqlsh.env import Environment
status = run(["-q", sys.argv[1], "--format", "csv"], Environment.from_system())
sys.stdout.flush()
print("#status", int(status))
print("#modules", " ".join(sorted(sys.modules)))
"""


def _run_row(tmp_path: Path, query: str = "ROW a=1") -> tuple[str, int, set[str]]:
    # An empty config dir and no $ESQLSH_CONFIG: the bundled cross-cluster demo.
    environ = {k: v for k, v in os.environ.items() if not k.startswith("ESQLSH_")}
    environ["ESQLSH_CONFIG_DIR"] = str(tmp_path)
    done = subprocess.run(
        [sys.executable, "-c", _RUNNER, query],
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


def test_a_query_reading_a_cluster_gets_the_configured_clusters(tmp_path: Path) -> None:
    # ROW needs no cluster, but ENRICH reads the local cluster's policies: the
    # demo's configuration is read and its registry made.
    query = 'ROW ip = "10.0.0.1"::ip | ENRICH hosts ON ip | KEEP host_name'
    output, status, modules = _run_row(tmp_path, query)
    assert (output, status) == ("host_name\nams-web-01\n", 0)
    assert {"yaml", "esqlsh.clusters.registry", "esqlsh.clusters.embedded"} <= modules


@pytest.mark.parametrize(
    ("query", "reads"),
    [
        ("ROW a = 1", False),
        ("SHOW INFO", False),
        ("ROW a = [1, 2] | MV_EXPAND a | EVAL b = a + 1 | WHERE b > 2 | KEEP b", False),
        ("ROW a = 1 | STATS n = COUNT(*) BY a | SORT n | LIMIT 1 | DROP n", False),
        ('ROW s = "a b" | DISSECT s "%{x} %{y}" | GROK s "%{WORD:w}" | RENAME x AS z', False),
        ('SET time_zone = "+01:00"; ROW a = 1', False),
        ("FROM employees", True),
        ("FROM cluster_one:logs-*", True),
        ("ROW a = 1 | ENRICH hosts", True),
        ("ROW a = 1 | LOOKUP JOIN hosts ON a", True),
        ("ROW a = ", True),  # no parse: the usual path reports the error
    ],
)
def test_which_queries_read_no_cluster(query: str, reads: bool) -> None:
    assert reads_no_cluster(query) is not reads


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
