"""Generate the demo data shipped in the package: the single embedded cluster
``esqlsh/data/default`` and the cross-cluster demo ``esqlsh/data/demo``.

    .venv/bin/python scripts/make_demo_data.py [DEFAULT_OUT [DEMO_OUT]]

Everything is synthetic and deterministic (seeded ``random.Random``s): running it
twice gives the same rows.

``esqlsh/data/default`` (``esqlsh --path``-style, one cluster; ``esqlsh serve``'s
default) holds:

- ``employees``: 100 people (emp_no, names, gender, birth/hire dates, salary,
  languages with a ``languages.long`` multi-field, height, multi-valued
  job_positions, still_hired, salary_change);
- ``logs``: 2000 web-server log lines over one week (@timestamp, host,
  client_ip, status, bytes, message, event_duration, region);
- ``hosts``: the internal machines that appear as clients in ``logs``, with
  the enrich policy ``hosts`` (match on ``ip``).

``esqlsh/data/demo`` is what ``esqlsh`` queries when there is no configuration
(``clusters.config.default_config``): ``config.yaml`` (written from ``DEMO_CONFIG``)
names three embedded clusters, in folders beside it, and one unreachable remote:

- ``local`` (the local cluster, ``(local)`` in ``_clusters``): ``employees`` (the
  same 100 people as ``default``), ``my-index-000001`` (300 web requests);
- ``cluster_one``: ``my-index-000001`` (200 requests);
- ``cluster_two``: ``my-index-000001`` (150) and ``my-index-000002`` (100);
- every one of them: ``hosts`` with the ``hosts`` enrich policy (match on ``ip``;
  ``host_name`` and ``datacenter`` name the cluster's own site, so the output
  shows where an ENRICH ran) and ``vendors`` with the ``vendors`` policy (``os``);
- ``cluster_three``: an ``elasticsearch`` cluster at ``http://127.0.0.1:9``, where
  nothing listens (connection refused at once), ``skip_unavailable: true``.

``my-index-000001`` has the fields of the cross-cluster page's examples:
``@timestamp``, ``user.id``, ``http.request.method``, ``http.response.status_code``,
``url.path``, ``ip``, ``event.duration`` (nanoseconds).
"""

from __future__ import annotations

import random
import shutil
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl

from esqlsh.clusters.ingest import SourceTable, load_table, write_policy

REPO = Path(__file__).resolve().parents[1]
DEFAULT_OUT = REPO / "esqlsh" / "data" / "default"
DEMO_OUT = REPO / "esqlsh" / "data" / "demo"

FIRST = [
    "Ada",
    "Bram",
    "Cleo",
    "Dario",
    "Elin",
    "Femi",
    "Greta",
    "Hiro",
    "Ines",
    "Jonas",
    "Kaia",
    "Lior",
    "Mara",
    "Nils",
    "Oona",
    "Pavel",
    "Quinn",
    "Rosa",
    "Soren",
    "Talia",
    "Umar",
    "Vera",
    "Wren",
    "Xavi",
    "Yara",
    "Zeno",
]
LAST_PARTS = ["Al", "Ber", "Cor", "Dal", "Esk", "Fen", "Gar", "Hol", "Ivo", "Jar", "Kel", "Lun"]
LAST_ENDS = ["berg", "dottir", "ez", "hart", "ini", "ova", "sen", "ström", "wood", "yama"]
POSITIONS = [
    "Accountant",
    "Architect",
    "Business Analyst",
    "Data Scientist",
    "Designer",
    "Head of Sales",
    "Product Manager",
    "QA Engineer",
    "Site Reliability Engineer",
    "Software Engineer",
    "Support Engineer",
    "Tech Lead",
]
HOSTS = ["web-01", "web-02", "web-03", "api-01", "api-02"]
REGIONS = ["eu-west", "eu-north", "us-east", "us-west", "ap-south"]
PATHS = [
    "/",
    "/login",
    "/logout",
    "/api/orders",
    "/api/users",
    "/api/search",
    "/static/app.js",
    "/static/style.css",
    "/health",
    "/admin",
]
METHODS = ["GET"] * 8 + ["POST"] * 2
STATUSES = (
    [200] * 30 + [201] * 3 + [301] * 2 + [304] * 4 + [400] * 2 + [403, 404, 404, 404, 500, 503]
)
OSES = ["Debian 12", "Ubuntu 24.04", "Windows 11", "macOS 15", "Alpine 3.20"]


def employees(rng: random.Random) -> SourceTable:
    rows = []
    for i in range(100):
        birth = datetime(1955, 1, 1, tzinfo=UTC) + timedelta(days=rng.randrange(0, 365 * 45))
        hire = birth + timedelta(days=rng.randrange(365 * 20, 365 * 40))
        hire = min(hire, datetime(2024, 4, 30, tzinfo=UTC))
        positions = rng.sample(POSITIONS, rng.choice([0, 1, 1, 2, 2, 3, 4]))
        changes = [round(rng.uniform(-10, 15), 2) for _ in range(rng.choice([0, 1, 1, 2, 3]))]
        rows.append(
            {
                "_id": str(10001 + i),
                "emp_no": 10001 + i,
                "first_name": rng.choice(FIRST) if rng.random() > 0.05 else None,
                "last_name": rng.choice(LAST_PARTS) + rng.choice(LAST_ENDS),
                "gender": rng.choice(["F", "M", "F", "M", None]),
                "birth_date": birth if rng.random() > 0.05 else None,
                "hire_date": hire,
                "salary": rng.randrange(25_000, 75_000),
                "languages": rng.randint(1, 5) if rng.random() > 0.1 else None,
                "height": round(rng.uniform(1.45, 2.10), 2),
                "job_positions": positions or None,
                "still_hired": rng.random() > 0.3,
                "salary_change": changes or None,
            }
        )
    frame = pl.DataFrame(
        rows,
        schema={
            "_id": pl.String,
            "emp_no": pl.Int32,
            "first_name": pl.String,
            "last_name": pl.String,
            "gender": pl.String,
            "birth_date": pl.Datetime("ms", "UTC"),
            "hire_date": pl.Datetime("ms", "UTC"),
            "salary": pl.Int32,
            "languages": pl.Int32,
            "height": pl.Float64,
            "job_positions": pl.List(pl.String),
            "still_hired": pl.Boolean,
            "salary_change": pl.List(pl.Float64),
        },
    )
    return SourceTable(frame)


EMPLOYEES_MAPPING = {
    "properties": {
        "emp_no": {"type": "integer"},
        "first_name": {"type": "keyword"},
        "last_name": {"type": "keyword"},
        "gender": {"type": "keyword"},
        "birth_date": {"type": "date"},
        "hire_date": {"type": "date"},
        "salary": {"type": "integer"},
        "languages": {"type": "integer", "fields": {"long": {"type": "long"}}},
        "height": {"type": "double", "fields": {"float": {"type": "float"}}},
        "job_positions": {"type": "keyword"},
        "still_hired": {"type": "boolean"},
        "salary_change": {"type": "double"},
    }
}


def internal_ips(rng: random.Random, count: int) -> list[str]:
    return sorted({f"10.0.{rng.randint(0, 3)}.{rng.randint(2, 250)}" for _ in range(count)})


def logs(rng: random.Random, clients: list[str]) -> SourceTable:
    start = datetime(2024, 5, 6, tzinfo=UTC)
    outside = [f"203.0.113.{rng.randint(1, 254)}" for _ in range(20)]
    outside += [f"2001:db8::{rng.randint(1, 0xFFFF):x}" for _ in range(6)]
    rows: list[dict[str, Any]] = []
    for i in range(2000):
        ts = start + timedelta(milliseconds=rng.randrange(0, 7 * 24 * 3600 * 1000))
        status = rng.choice(STATUSES)
        method, path = rng.choice(METHODS), rng.choice(PATHS)
        size = 0 if status in (301, 304) else int(rng.lognormvariate(8, 1.2))
        duration = int(rng.lognormvariate(15, 0.8))  # nanoseconds
        client = rng.choice(clients) if rng.random() < 0.6 else rng.choice(outside)
        rows.append(
            {
                "_id": f"log-{i:05d}",
                "@timestamp": ts,
                "host": rng.choice(HOSTS),
                "client_ip": client,
                "status": status,
                "bytes": size,
                "message": f"{method} {path} HTTP/1.1 {status}",
                "event_duration": duration,
                "region": rng.choice(REGIONS) if rng.random() > 0.02 else None,
            }
        )
    rows.sort(key=lambda r: r["@timestamp"])
    frame = pl.DataFrame(
        rows,
        schema={
            "_id": pl.String,
            "@timestamp": pl.Datetime("ms", "UTC"),
            "host": pl.String,
            "client_ip": pl.String,
            "status": pl.Int32,
            "bytes": pl.Int64,
            "message": pl.String,
            "event_duration": pl.Int64,
            "region": pl.String,
        },
    )
    return SourceTable(frame)


LOGS_MAPPING = {
    "properties": {
        "@timestamp": {"type": "date"},
        "host": {"type": "keyword"},
        "client_ip": {"type": "ip"},
        "status": {"type": "integer"},
        "bytes": {"type": "long"},
        "message": {"type": "text"},
        "event_duration": {"type": "long"},
        "region": {"type": "keyword"},
    }
}


def hosts(rng: random.Random, ips: list[str]) -> SourceTable:
    rows = [
        {
            "_id": f"host-{n:03d}",
            "ip": ip,
            "host_name": f"ws-{n:03d}",
            "os": rng.choice(OSES),
            "datacenter": rng.choice(["ams1", "fra2", "iad1"]),
            "owner": rng.choice(FIRST).lower(),
        }
        for n, ip in enumerate(ips, start=1)
    ]
    return SourceTable(pl.DataFrame(rows))


HOSTS_MAPPING = {
    "properties": {
        "ip": {"type": "ip"},
        "host_name": {"type": "keyword"},
        "os": {"type": "keyword"},
        "datacenter": {"type": "keyword"},
        "owner": {"type": "keyword"},
    }
}

HOSTS_POLICY = {
    "match": {
        "indices": "hosts",
        "match_field": "ip",
        "enrich_fields": ["host_name", "os", "datacenter", "owner"],
    }
}


def build(out: Path) -> None:
    if out.exists():
        shutil.rmtree(out)
    rng = random.Random(20240506)
    load_table(out, "employees", employees(rng), EMPLOYEES_MAPPING, mode="replace")
    ips = internal_ips(rng, 14)
    load_table(out, "logs", logs(rng, ips), LOGS_MAPPING, mode="replace")
    load_table(out, "hosts", hosts(rng, ips), HOSTS_MAPPING, mode="replace")
    write_policy(out, "hosts", HOSTS_POLICY)


# --- the cross-cluster demo (esqlsh/data/demo) ------------------------------------------

DEMO_CONFIG = """\
# The demo esqlsh queries when there is no configuration file.
# Written by scripts/make_demo_data.py; paths are relative to this file.
local: local
clusters:
  local:
    type: embedded
    path: local
  cluster_one:
    type: embedded
    path: cluster_one
  cluster_two:
    type: embedded
    path: cluster_two
  # Nothing listens on port 9 (discard): a query naming cluster_three finds it
  # unreachable at once and, as skip_unavailable is true, reports it skipped.
  cluster_three:
    type: elasticsearch
    hosts: http://127.0.0.1:9
    skip_unavailable: true
    timeout: 2s
"""

# cluster → (rows of my-index-000001, extra indices with their row counts, site)
DEMO_CLUSTERS: dict[str, tuple[int, dict[str, int], str]] = {
    "local": (300, {}, "ams"),
    "cluster_one": (200, {}, "fra"),
    "cluster_two": (150, {"my-index-000002": 100}, "iad"),
}
USERS = ["elkbee", "kimchy", "mei", "oskar", "priya", "tomas"]
# Known machines (in every cluster's ``hosts``) and a few outsiders.
HOST_IPS = [f"10.0.0.{n}" for n in range(1, 13)]
OUTSIDE_IPS = ["203.0.113.7", "203.0.113.42", "198.51.100.23", "2001:db8::17"]
HOST_OS = ["linux", "linux", "linux", "windows", "macos", "linux"]
VENDOR_OF = {"linux": "tux", "windows": "microsoft", "macos": "apple"}
URL_PATHS = ["/", "/login", "/cart", "/api/orders", "/api/search", "/static/app.js"]
REQUEST_STATUSES = [200] * 12 + [201, 301, 304, 400, 403, 404, 404, 500, 503]

REQUESTS_MAPPING = {
    "properties": {
        "@timestamp": {"type": "date"},
        "user": {"properties": {"id": {"type": "keyword"}}},
        "http": {
            "properties": {
                "request": {"properties": {"method": {"type": "keyword"}}},
                "response": {"properties": {"status_code": {"type": "long"}}},
            }
        },
        "url": {"properties": {"path": {"type": "keyword"}}},
        "ip": {"type": "ip"},
        "event": {"properties": {"duration": {"type": "long"}}},
    }
}
DEMO_HOSTS_MAPPING = {
    "properties": {
        "ip": {"type": "ip"},
        "host_name": {"type": "keyword"},
        "os": {"type": "keyword"},
        "datacenter": {"type": "keyword"},
    }
}
VENDORS_MAPPING = {"properties": {"os": {"type": "keyword"}, "vendor": {"type": "keyword"}}}
DEMO_HOSTS_POLICY = {
    "match": {
        "indices": "hosts",
        "match_field": "ip",
        "enrich_fields": ["host_name", "os", "datacenter"],
    }
}
VENDORS_POLICY = {"match": {"indices": "vendors", "match_field": "os", "enrich_fields": ["vendor"]}}


def requests(rng: random.Random, count: int, prefix: str) -> SourceTable:
    """``count`` web requests over one week, with the spec page's field names."""
    start = datetime(2024, 5, 6, tzinfo=UTC)
    rows: list[dict[str, Any]] = []
    for _ in range(count):
        ip = rng.choice(HOST_IPS) if rng.random() < 0.85 else rng.choice(OUTSIDE_IPS)
        status = rng.choice(REQUEST_STATUSES)
        rows.append(
            {
                "@timestamp": start + timedelta(seconds=rng.randrange(0, 7 * 24 * 3600)),
                "user.id": rng.choice(USERS),
                "http.request.method": "POST" if rng.random() < 0.2 else "GET",
                "http.response.status_code": status if rng.random() > 0.02 else None,
                "url.path": rng.choice(URL_PATHS),
                "ip": ip,
                "event.duration": int(rng.lognormvariate(15, 0.8)),
            }
        )
    rows.sort(key=lambda r: r["@timestamp"])
    for i, row in enumerate(rows):
        row["_id"] = f"{prefix}-{i:04d}"
    frame = pl.DataFrame(
        rows,
        schema={
            "@timestamp": pl.Datetime("ms", "UTC"),
            "user.id": pl.String,
            "http.request.method": pl.String,
            "http.response.status_code": pl.Int64,
            "url.path": pl.String,
            "ip": pl.String,
            "event.duration": pl.Int64,
            "_id": pl.String,
        },
    )
    return SourceTable(frame)


def site_hosts(site: str) -> SourceTable:
    """The known machines as one site knows them: the same ip and os everywhere,
    the host name and data centre of the site (``ams-web-03``, ``ams1``)."""
    rows = [
        {
            "_id": f"{site}-{n:02d}",
            "ip": ip,
            "host_name": f"{site}-web-{n:02d}",
            "os": HOST_OS[n % len(HOST_OS)],
            "datacenter": f"{site}1",
        }
        for n, ip in enumerate(HOST_IPS, start=1)
    ]
    return SourceTable(pl.DataFrame(rows))


def vendors() -> SourceTable:
    rows = [{"_id": os, "os": os, "vendor": vendor} for os, vendor in VENDOR_OF.items()]
    return SourceTable(pl.DataFrame(rows))


def build_demo_cluster(out: Path, alias: str, seed: int) -> None:
    count, extra, site = DEMO_CLUSTERS[alias]
    rng = random.Random(seed)
    if alias == "local":
        # The same people as the single-cluster demo (same seed, drawn first).
        load_table(out, "employees", employees(random.Random(20240506)), EMPLOYEES_MAPPING)
    load_table(out, "my-index-000001", requests(rng, count, site), REQUESTS_MAPPING)
    for index, rows in extra.items():
        load_table(out, index, requests(rng, rows, f"{site}2"), REQUESTS_MAPPING)
    load_table(out, "hosts", site_hosts(site), DEMO_HOSTS_MAPPING)
    write_policy(out, "hosts", DEMO_HOSTS_POLICY)
    load_table(out, "vendors", vendors(), VENDORS_MAPPING)
    write_policy(out, "vendors", VENDORS_POLICY)


def build_demo(out: Path) -> None:
    """``config.yaml`` and a folder per embedded cluster, under ``out``."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    (out / "config.yaml").write_text(DEMO_CONFIG, encoding="utf-8")
    for seed, alias in enumerate(DEMO_CLUSTERS, start=1):
        build_demo_cluster(out / alias, alias, 20240506 + seed)


def _size_kb(out: Path) -> int:
    return sum(p.stat().st_size for p in out.rglob("*") if p.is_file()) // 1024


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else DEFAULT_OUT
    demo_out = Path(argv[2]) if len(argv) > 2 else DEMO_OUT
    build(out)
    build_demo(demo_out)
    print(f"wrote {out} ({_size_kb(out)} KB) and {demo_out} ({_size_kb(demo_out)} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
