"""Generate the demo embedded cluster shipped in ``esqlsh/data/default``.

    .venv/bin/python scripts/make_demo_data.py [OUT_DIR]

Everything is synthetic and deterministic (a seeded ``random.Random``): running it
twice gives the same rows. Indices:

- ``employees``: 100 people (emp_no, names, gender, birth/hire dates, salary,
  languages with a ``languages.long`` multi-field, height, multi-valued
  job_positions, still_hired, salary_change);
- ``logs``: 2000 web-server log lines over one week (@timestamp, host,
  client_ip, status, bytes, message, event_duration, region);
- ``hosts``: the internal machines that appear as clients in ``logs``, with
  the enrich policy ``hosts`` (match on ``ip``).
"""

from __future__ import annotations

import random
import shutil
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl

from esqlsh.clusters.ingest import SourceTable, load_table, write_policy

REPO = Path(__file__).resolve().parents[1]
DEFAULT_OUT = REPO / "esqlsh" / "data" / "default"

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
    rows = []
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


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else DEFAULT_OUT
    build(out)
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    print(f"wrote {out} ({size // 1024} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
