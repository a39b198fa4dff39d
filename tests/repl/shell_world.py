"""Clusters for the shell's tests: ``local``, ``cluster_one`` and ``cluster_two``,
embedded, each with a small ``logs`` index (and ``cluster_one`` a ``hosts``
index), loaded with ``clusters.ingest.load_index``; and a config file naming
them, plus whatever extra clusters a test adds."""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from prompt_toolkit.history import InMemoryHistory
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from esqlsh.clusters.config import load_config
from esqlsh.clusters.ingest import load_index
from esqlsh.clusters.layout import ENRICH_DIR
from esqlsh.clusters.registry import Registry
from esqlsh.env import Environment
from esqlsh.exit import ExitStatus
from esqlsh.repl.app import ReplApp

MAPPING = {
    "properties": {
        "@timestamp": {"type": "date"},
        "host": {"type": "keyword"},
        "bytes": {"type": "long"},
        "message": {"type": "text"},
    }
}
LOGS = {
    "local": [("a", 100), ("b", 250), ("a", 50)],
    "cluster_one": [("c", 1000), ("a", 10)],
    "cluster_two": [("d", 7), ("b", 3)],
}
ALIASES = tuple(LOGS)
WATCHDOG_SECONDS = 20.0


def _write_ndjson(path: Path, docs: Sequence[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
    return path


def build_cluster(root: Path, alias: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    path = root / alias
    docs = [
        {
            "@timestamp": f"2024-05-0{i + 1}T10:00:00Z",
            "host": host,
            "bytes": size,
            "message": f"{alias} says {host}",
        }
        for i, (host, size) in enumerate(LOGS[alias])
    ]
    source = _write_ndjson(root / f"{alias}-logs.ndjson", docs)
    load_index(path, "logs", source, mapping=MAPPING)
    if alias == "cluster_one":
        hosts = _write_ndjson(root / "hosts.ndjson", [{"host": "c", "os": "linux"}])
        load_index(
            path,
            "hosts",
            hosts,
            mapping={"properties": {"host": {"type": "keyword"}, "os": {"type": "keyword"}}},
        )
        # An enrich policy as an embedded cluster stores it (Elasticsearch's JSON).
        policy = {"match": {"indices": "hosts", "match_field": "host", "enrich_fields": ["os"]}}
        (path / ENRICH_DIR).mkdir(exist_ok=True)
        (path / ENRICH_DIR / "hosts-policy.json").write_text(json.dumps(policy), "utf-8")
    return path


def build_clusters(root: Path) -> dict[str, Path]:
    root.mkdir(parents=True, exist_ok=True)
    return {alias: build_cluster(root, alias) for alias in ALIASES}


def write_config(path: Path, clusters: dict[str, Path], extra: Sequence[str] = ()) -> Path:
    """A config with ``local`` as the local cluster; ``extra``: more YAML lines
    under ``clusters:`` (indented by the caller)."""
    lines = ["local: local", "clusters:"]
    for alias, cluster in clusters.items():
        lines += [f"  {alias}:", "    type: embedded", f"    path: {cluster}"]
    lines += list(extra)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    path.chmod(0o600)
    return path


# ---------------------------------------------------------------------- a shell in tests


def make_env(environ: dict[str, str] | None = None) -> Environment:
    """An ``Environment`` over StringIO streams: not a terminal, no colour."""
    return Environment(
        stdin=io.StringIO(),
        stdout=io.StringIO(),
        stderr=io.StringIO(),
        terminal_width=100,
        environ=environ or {},
    )


def out(env: Environment) -> str:
    assert isinstance(env.stdout, io.StringIO)
    return env.stdout.getvalue()


def err(env: Environment) -> str:
    assert isinstance(env.stderr, io.StringIO)
    return env.stderr.getvalue()


def registry_of(config: Path) -> Registry:
    return Registry.from_config(load_config(config, {}))


def make_app(registry: Registry, env: Environment | None = None, **kwargs: Any) -> ReplApp:
    """A shell whose prompt is never shown (for ``run_statement``)."""
    return ReplApp(env or make_env(), registry, history=InMemoryHistory(), **kwargs)


def run_keys(
    registry: Registry, keys: str, env: Environment | None = None, **kwargs: Any
) -> tuple[ReplApp, ExitStatus]:
    """A shell reading typed ``keys`` (``\\r`` is Enter, ``\\x1b\\r`` Alt-Enter);
    a Ctrl-D after them ends the shell if they did not."""
    kwargs.setdefault("history", InMemoryHistory())
    with create_pipe_input() as pipe:
        pipe.send_text(keys + "\x04")
        app = ReplApp(env or make_env(), registry, pt_input=pipe, pt_output=DummyOutput(), **kwargs)
        # A shell still waiting for keys would hang the test run: end its input.
        fired = threading.Event()

        def give_up() -> None:
            fired.set()
            pipe.close()

        watchdog = threading.Timer(WATCHDOG_SECONDS, give_up)
        watchdog.start()
        try:
            status = app.run()
        finally:
            watchdog.cancel()
        assert not fired.is_set(), "the shell was still waiting for keys"
    return app, status
