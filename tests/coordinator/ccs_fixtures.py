"""The spec page's world, as embedded clusters: a local ("querying") cluster and
``cluster_one``, ``cluster_two``, ``cluster_three``, each with ``my-index-000001``
(``@timestamp``, ``http.response.status_code``, ``user.id``, ``ip``), the ``hosts``
and ``vendors`` enrich policies (each cluster's ``hosts`` names its hosts after
itself, so where an ENRICH ran shows in its output), and a dead cluster: an
``elasticsearch`` cluster at a 127.0.0.1 port nothing listens on.

Rows (user.id, status, ip), chosen so that the spec's first example answers
``[[4, "elkbee"], [1, "kimchy"]]``:

- local:         (elkbee 200 .1) (elkbee 404 .2)
- cluster_one:   (elkbee 200 .1) (kimchy 200 .3)
- cluster_two:   (elkbee 500 .2) (elkbee null .4)         (+ ``logs-2`` nowhere)
- cluster_three: (kimchy 301 .3) (kimchy 302 .4) (elkbee 303 .1), and
  ``my-index-000002``: (kimchy 200 .5); no ``hosts`` policy.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from esqlsh.clusters.config import ClusterSpec, Config
from esqlsh.clusters.ingest import load_index
from esqlsh.clusters.registry import Registry

LOCAL = "querying"
REMOTES = ("cluster_one", "cluster_two", "cluster_three")
INDEX = "my-index-000001"

MAPPING = {
    "properties": {
        "@timestamp": {"type": "date"},
        "http": {"properties": {"response": {"properties": {"status_code": {"type": "long"}}}}},
        "user": {"properties": {"id": {"type": "keyword"}}},
        "ip": {"type": "ip"},
    }
}
HOSTS_MAPPING = {
    "properties": {
        "ip": {"type": "ip"},
        "host_name": {"type": "keyword"},
        "os": {"type": "keyword"},
    }
}
VENDORS_MAPPING = {"properties": {"os": {"type": "keyword"}, "vendor": {"type": "keyword"}}}

Row = tuple[str, int | None, str]
ROWS: dict[str, dict[str, list[Row]]] = {
    LOCAL: {INDEX: [("elkbee", 200, "10.0.0.1"), ("elkbee", 404, "10.0.0.2")]},
    "cluster_one": {INDEX: [("elkbee", 200, "10.0.0.1"), ("kimchy", 200, "10.0.0.3")]},
    "cluster_two": {INDEX: [("elkbee", 500, "10.0.0.2"), ("elkbee", None, "10.0.0.4")]},
    "cluster_three": {
        INDEX: [
            ("kimchy", 301, "10.0.0.3"),
            ("kimchy", 302, "10.0.0.4"),
            ("elkbee", 303, "10.0.0.1"),
        ],
        "my-index-000002": [("kimchy", 200, "10.0.0.5")],
    },
}
OS = {"10.0.0.1": "linux", "10.0.0.2": "windows", "10.0.0.3": "macos", "10.0.0.4": "linux"}
VENDORS = {"linux": "tux", "windows": "microsoft", "macos": "apple"}
# Short names used in host names: "querying-1" is 10.0.0.1 as the local cluster knows it.
HOSTS_ON = (LOCAL, "cluster_one", "cluster_two")
VENDORS_ON = (LOCAL, "cluster_one", "cluster_two")


def host_name(cluster: str, ip: str) -> str:
    return f"{cluster}-{ip.rsplit('.', 1)[1]}"


def _write_ndjson(path: Path, docs: Iterable[Mapping[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
    return path


def _doc(i: int, row: Row) -> dict[str, Any]:
    user, status, ip = row
    return {
        "@timestamp": f"2024-01-0{i + 1}T00:00:00Z",
        "http": {"response": {"status_code": status}},
        "user": {"id": user},
        "ip": ip,
    }


def policy(path: Path, name: str, indices: str, match_field: str, fields: list[str]) -> None:
    folder = path / "_enrich"
    folder.mkdir(parents=True, exist_ok=True)
    body = {"match": {"indices": indices, "match_field": match_field, "enrich_fields": fields}}
    (folder / f"{name}.json").write_text(json.dumps(body), encoding="utf-8")


def build_cluster(root: Path, alias: str) -> Path:
    path = root / alias
    path.mkdir(parents=True)
    work = root / f"_src_{alias}"
    work.mkdir()
    for index, rows in ROWS[alias].items():
        docs = _write_ndjson(work / f"{index}.ndjson", (_doc(i, r) for i, r in enumerate(rows)))
        load_index(path, index, docs, mapping=MAPPING)
    if alias in HOSTS_ON:
        hosts = [{"ip": ip, "host_name": host_name(alias, ip), "os": os} for ip, os in OS.items()]
        load_index(path, "hosts", _write_ndjson(work / "hosts.ndjson", hosts), HOSTS_MAPPING)
        policy(path, "hosts", "hosts", "ip", ["host_name", "os"])
    if alias in VENDORS_ON:
        vendors = [{"os": os, "vendor": v} for os, v in VENDORS.items()]
        load_index(
            path, "vendors", _write_ndjson(work / "vendors.ndjson", vendors), VENDORS_MAPPING
        )
        policy(path, "vendors", "vendors", "os", ["vendor"])
    return path


def free_port() -> int:
    """A 127.0.0.1 port nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class SpecWorld:
    """Paths of the built clusters; ``registry(...)`` makes a registry of them."""

    paths: dict[str, Path]

    def spec(self, alias: str, **overrides: Any) -> ClusterSpec:
        options: dict[str, Any] = {"path": self.paths[alias], **overrides}
        return ClusterSpec(alias=alias, type="embedded", **options)

    def config(
        self,
        *,
        skip: Mapping[str, bool] | None = None,
        dead: Mapping[str, bool] | None = None,
        extra: Mapping[str, ClusterSpec] | None = None,
        local: str | None = LOCAL,
    ) -> Config:
        """Local + the three remotes; ``skip`` sets skip_unavailable per alias;
        ``dead`` adds unreachable elasticsearch clusters (alias → skip_unavailable)."""
        skip = skip or {}
        specs: dict[str, ClusterSpec] = {}
        if local is not None:
            specs[local] = self.spec(local)
        for alias in REMOTES:
            specs[alias] = self.spec(alias, skip_unavailable=skip.get(alias, True))
        for alias, skip_unavailable in (dead or {}).items():
            specs[alias] = dead_spec(alias, skip_unavailable)
        specs.update(extra or {})
        return Config(local=local, clusters=specs, path=None)

    def registry(self, **kwargs: Any) -> Registry:
        return Registry.from_config(self.config(**kwargs))


def dead_spec(alias: str, skip_unavailable: bool = True, timeout: float = 5.0) -> ClusterSpec:
    return ClusterSpec(
        alias=alias,
        type="elasticsearch",
        hosts=(f"http://127.0.0.1:{free_port()}",),
        skip_unavailable=skip_unavailable,
        timeout=timeout,
    )


def build_world(root: Path) -> SpecWorld:
    return SpecWorld({alias: build_cluster(root, alias) for alias in (LOCAL, *REMOTES)})
