"""Engine benchmark: esqlsh's embedded engine against DuckDB on the same Parquet data.

Generates a deterministic table of web-server-like events (keyword, long, double,
date, ip columns; cached under ``benchmarks/data/``), loads it into an embedded
cluster as index ``events``, then times each ES|QL query through
``esqlsh.coordinator.session.run_query`` and the equivalent SQL in DuckDB over the
Parquet file, in the same run. Prints a Markdown table (min / median milliseconds,
the esqlsh/DuckDB ratio of medians) and writes ``benchmarks/RESULTS.md`` and
``benchmarks/results.json``.

    .venv/bin/python benchmarks/engine.py --rows 10000000 --repeat 5

Not part of the test run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import polars as pl

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
INDEX = "events"

MAPPING: dict[str, str] = {
    "@timestamp": "date",
    "host": "keyword",
    "status": "keyword",
    "url": "keyword",
    "client_ip": "ip",
    "bytes": "long",
    "latency": "double",
}

STATUSES = ["ok", "ok", "ok", "ok", "ok", "ok", "warn", "error", "debug", "info"]
ENDPOINTS = [
    f"/api/v{v}/{thing}{suffix}"
    for v in (1, 2)
    for thing in ("users", "orders", "items", "carts", "search")
    for suffix in ("", "/42", "/list", "/export", "/count")
]


@dataclass(frozen=True)
class Query:
    name: str
    esql: str
    sql: str


QUERIES = [
    Query(
        "filter_count",
        'FROM events | WHERE status == "error" AND latency > 200.0 | STATS c = COUNT(*)',
        "SELECT count(*) AS c FROM events WHERE status = 'error' AND latency > 200.0",
    ),
    Query(
        "stats_by",
        "FROM events | STATS avg_latency = AVG(latency), total = SUM(bytes) BY status",
        "SELECT avg(latency) AS avg_latency, sum(bytes) AS total, status FROM events GROUP BY status",
    ),
    Query(
        "sort_limit",
        "FROM events | SORT latency DESC | LIMIT 10 | KEEP host, latency",
        "SELECT host, latency FROM events ORDER BY latency DESC LIMIT 10",
    ),
    Query(
        "eval_stats",
        "FROM events | EVAL kb = bytes / 1024.0, slow = latency > 250.0 | STATS kb = SUM(kb) BY slow",
        "SELECT sum(bytes / 1024.0) AS kb, latency > 250.0 AS slow FROM events GROUP BY slow",
    ),
    Query(
        "multi_key_stats",
        "FROM events | STATS c = COUNT(*), m = MAX(latency) BY host, status | SORT c DESC | LIMIT 10",
        "SELECT count(*) AS c, max(latency) AS m, host, status FROM events"
        " GROUP BY host, status ORDER BY c DESC LIMIT 10",
    ),
    Query(
        "count_distinct",
        "FROM events | STATS hosts = COUNT_DISTINCT(host) BY status",
        "SELECT count(DISTINCT host) AS hosts, status FROM events GROUP BY status",
    ),
    Query(
        "date_trunc",
        "FROM events | EVAL hour = DATE_TRUNC(1 hour, @timestamp) | STATS c = COUNT(*) BY hour"
        " | SORT hour | LIMIT 1000",
        # UTC as TIMESTAMP: DuckDB's TIMESTAMPTZ truncation goes through ICU time zones.
        "SELECT count(*) AS c, date_trunc('hour', \"@timestamp\"::TIMESTAMP) AS hour FROM events"
        " GROUP BY hour ORDER BY hour LIMIT 1000",
    ),
    Query(
        "like",
        'FROM events | WHERE url LIKE "*/users/*" | STATS c = COUNT(*)',
        "SELECT count(*) AS c FROM events WHERE url LIKE '%/users/%'",
    ),
]


# ------------------------------------------------------------------ data


def generate(rows: int, path: Path, seed: int = 42) -> None:
    """Write ``rows`` deterministic events to ``path``. Vectorised: pseudo-random
    numbers come from hashing the row number with a per-column seed."""
    start = int(dt.datetime(2024, 1, 1, tzinfo=dt.UTC).timestamp() * 1000)
    month_ms = 30 * 24 * 3600 * 1000
    i = pl.int_range(0, rows, dtype=pl.Int64)

    def uniform(k: int) -> pl.Expr:
        """Uniform in [0, 1) from a hash of the row number (column seed ``k``)."""
        return (i.hash(seed + k) // (1 << 11)).cast(pl.Float64) / float(1 << 53)

    def pick(choices: list[str], k: int) -> pl.Expr:
        index = (uniform(k) * len(choices)).cast(pl.Int64)
        return pl.lit(pl.Series(choices)).gather(index)

    # 65,536 client addresses (10.0.0.0/16): many, but not one per row.
    ip = (uniform(5) * (1 << 16)).cast(pl.Int64)
    frame = pl.select(
        pl.from_epoch(start + (i * month_ms) // rows, time_unit="ms")
        .dt.replace_time_zone("UTC")
        .cast(pl.Datetime("ms", "UTC"))
        .alias("@timestamp"),
        # Skewed: a few hosts get most events.
        ("host-" + ((uniform(1) ** 3) * 1000).cast(pl.Int64).cast(pl.String).str.zfill(4)).alias(
            "host"
        ),
        pick(STATUSES, 2).alias("status"),
        pick(ENDPOINTS, 3).alias("url"),
        pl.concat_str(
            [
                pl.lit("10.0"),
                (ip // 256 % 256).cast(pl.String),
                (ip % 256).cast(pl.String),
            ],
            separator=".",
        ).alias("client_ip"),
        (uniform(6) * 1_000_000).cast(pl.Int64).alias("bytes"),
        (-(1.0 - uniform(7)).log() * 100.0).alias("latency"),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    frame.write_parquet(tmp, row_group_size=1_000_000)
    tmp.replace(path)


def ensure_parquet(rows: int) -> Path:
    path = DATA / f"events_{rows}.parquet"
    if not path.exists():
        started = time.perf_counter()
        generate(rows, path)
        print(f"generated {path} in {time.perf_counter() - started:.1f}s", file=sys.stderr)
    return path


def ensure_cluster(rows: int, parquet: Path, via_ingest: bool = False) -> Path:
    """An embedded cluster holding ``parquet`` as index ``events`` (built once).

    By default the index folder is written directly in the embedded layout
    (``esqlsh.clusters.layout``): the generated columns already have the engine's
    physical types, so only ``_id`` is added. ``via_ingest`` goes through
    ``esqlsh load``'s code path instead (slower: it canonicalises every value)."""
    cluster = DATA / f"cluster_{rows}{'_ingest' if via_ingest else ''}"
    done = cluster / ".loaded"
    if done.exists():
        return cluster
    started = time.perf_counter()
    mapping = {"properties": {k: {"type": v} for k, v in MAPPING.items()}}
    if via_ingest:
        from esqlsh.clusters.ingest import load_index

        load_index(cluster, INDEX, [parquet], mapping=mapping, mode="replace")
    else:
        write_index(cluster, parquet, mapping)
    done.write_text(parquet.name)
    print(f"loaded {cluster} in {time.perf_counter() - started:.1f}s", file=sys.stderr)
    return cluster


def write_index(cluster: Path, parquet: Path, mapping: dict[str, Any]) -> None:
    from esqlsh.clusters import layout

    folder = layout.index_dir(cluster, INDEX)
    folder.mkdir(parents=True, exist_ok=True)
    ids = pl.int_range(0, pl.len(), dtype=pl.Int64).cast(pl.String).alias(layout.ID_COLUMN)
    pl.scan_parquet(parquet).select(ids, pl.all()).sink_parquet(folder / layout.DATA_FILE)
    layout.write_json(folder / layout.MAPPING_FILE, mapping)


# ------------------------------------------------------------------ timing


@dataclass
class Timing:
    min_ms: float | None = None
    median_ms: float | None = None
    rows: int | None = None
    error: str | None = None


@dataclass
class Row:
    query: str
    esql: str
    sql: str
    esqlsh: Timing
    duckdb: Timing

    @property
    def ratio(self) -> float | None:
        if self.esqlsh.median_ms is None or not self.duckdb.median_ms:
            return None
        return self.esqlsh.median_ms / self.duckdb.median_ms


def time_it(fn: Callable[[], int], repeat: int) -> Timing:
    """Run ``fn`` once to warm up, then ``repeat`` timed times."""
    try:
        rows = fn()
        samples = []
        for _ in range(repeat):
            started = time.perf_counter()
            fn()
            samples.append((time.perf_counter() - started) * 1000)
    except Exception as err:  # a query esqlsh cannot run yet is a result, not a crash
        return Timing(error=f"{type(err).__name__}: {err}".splitlines()[0][:200])
    return Timing(min(samples), statistics.median(samples), rows)


def run_benchmark(
    rows: int, repeat: int, only: list[str] | None, via_ingest: bool = False
) -> list[Row]:
    import duckdb

    from esqlsh.clusters.embedded import EmbeddedCluster
    from esqlsh.coordinator.session import run_query

    parquet = ensure_parquet(rows)
    storage = EmbeddedCluster(ensure_cluster(rows, parquet, via_ingest))
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute(f"CREATE VIEW events AS SELECT * FROM read_parquet('{parquet}')")

    def esqlsh_runner(q: Query) -> Callable[[], int]:
        return lambda: run_query(q.esql, storage).frame.height

    def duckdb_runner(q: Query) -> Callable[[], int]:
        return lambda: len(con.execute(q.sql).fetchall())

    results = []
    print(f"timing {len(QUERIES)} queries x {repeat}", file=sys.stderr)
    for q in QUERIES:
        if only and q.name not in only:
            continue
        row = Row(
            q.name,
            q.esql,
            q.sql,
            time_it(esqlsh_runner(q), repeat),
            time_it(duckdb_runner(q), repeat),
        )
        print(f"{q.name}: {_fmt(row.esqlsh)} vs {_fmt(row.duckdb)}", file=sys.stderr)
        results.append(row)
    return results


# ------------------------------------------------------------------ reporting


def _fmt(t: Timing) -> str:
    if t.error:
        return "error"
    assert t.min_ms is not None and t.median_ms is not None
    return f"{t.min_ms:.1f} / {t.median_ms:.1f}"


def median_ratio(results: list[Row]) -> float | None:
    ratios = [r.ratio for r in results if r.ratio is not None]
    return statistics.median(ratios) if ratios else None


def markdown(results: list[Row], rows: int, repeat: int) -> str:
    lines = [
        f"Rows: {rows:,}; repeats: {repeat} (after one warm-up); times in ms (min / median).",
        "",
        "| query | esqlsh | DuckDB | ratio (median) |",
        "|---|--:|--:|--:|",
    ]
    for r in results:
        ratio = f"{r.ratio:.2f}x" if r.ratio is not None else "n/a"
        mismatch = (
            r.esqlsh.rows is not None
            and r.duckdb.rows is not None
            and r.esqlsh.rows != r.duckdb.rows
        )
        note = f" (rows {r.esqlsh.rows} vs {r.duckdb.rows})" if mismatch else ""
        lines.append(f"| {r.query} | {_fmt(r.esqlsh)} | {_fmt(r.duckdb)} | {ratio}{note} |")
    overall = median_ratio(results)
    lines += ["", f"Median ratio esqlsh/DuckDB: {overall:.2f}x" if overall else "Median ratio: n/a"]
    errors = [
        (r.query, side, t.error)
        for r in results
        for side, t in (("esqlsh", r.esqlsh), ("duckdb", r.duckdb))
        if t.error
    ]
    if errors:
        lines += ["", "Errors:", ""] + [f"- {q} ({side}): {e}" for q, side, e in errors]
    return "\n".join(lines) + "\n"


def environment() -> dict[str, Any]:
    import duckdb

    return {
        "python": platform.python_version(),
        "polars": pl.__version__,
        "duckdb": duckdb.__version__,
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d"),
    }


def write_reports(results: list[Row], rows: int, repeat: int, table: str) -> None:
    env = environment()
    queries = "\n".join(f"- `{r.query}`: `{r.esql}`\n  - SQL: `{r.sql}`" for r in results)
    (HERE / "RESULTS.md").write_text(
        "# Engine benchmark: esqlsh vs DuckDB\n\n"
        "Produced by `benchmarks/engine.py`; ratio > 1 means esqlsh is slower.\n\n"
        + f"Environment: {', '.join(f'{k} {v}' for k, v in env.items())}.\n\n"
        + table
        + "\n## Queries\n\n"
        + queries
        + "\n"
    )
    payload = {
        "rows": rows,
        "repeat": repeat,
        "environment": env,
        "median_ratio": median_ratio(results),
        "results": [{**asdict(r), "ratio": r.ratio} for r in results],
    }
    (HERE / "results.json").write_text(json.dumps(payload, indent=2) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000_000, help="rows to generate")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per query")
    parser.add_argument("--query", action="append", help="run only this query (repeatable)")
    parser.add_argument("--no-write", action="store_true", help="do not write RESULTS.md/JSON")
    parser.add_argument(
        "--via-ingest", action="store_true", help="build the index with esqlsh's loader"
    )
    args = parser.parse_args(argv)
    results = run_benchmark(args.rows, args.repeat, args.query, args.via_ingest)
    table = markdown(results, args.rows, args.repeat)
    print(table)
    if not args.no_write:
        write_reports(results, args.rows, args.repeat, table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
