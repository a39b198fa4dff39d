"""Engine benchmark: esqlsh's embedded engine against DuckDB and Polars on one table.

Generates a deterministic table of web-server-like events (keyword, long, double,
date, ip and a multi-valued keyword column; cached under ``benchmarks/data/``),
stores it as index ``events`` of an embedded cluster, then times each ES|QL query
through ``esqlsh.coordinator.session.run_query``, the equivalent SQL in DuckDB and
the equivalent lazy Polars query, all three over the *same* Parquet file (the
index's ``data.parquet``). The three engines take turns within each repeat
(esqlsh, DuckDB, Polars, esqlsh, …) so that drift on a shared machine hits them
alike; the ratio per query is esqlsh's median over the other engine's median.

    .venv/bin/python benchmarks/engine.py --rows 10000000 --repeat 5

Standalone it prints a Markdown table; ``--write`` also stores the figures in
``benchmarks/results.json`` / ``RESULTS.md`` (what ``benchmarks/suite.py`` does).
Not part of the test run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
INDEX = "events"
# Bump when the generated table changes shape: the cache is keyed by it.
DATA_VERSION = 2
ENGINES = ("esqlsh", "duckdb", "polars")

MAPPING: dict[str, str] = {
    "@timestamp": "date",
    "host": "keyword",
    "status": "keyword",
    "url": "keyword",
    "client_ip": "ip",
    "bytes": "long",
    "latency": "double",
    "tags": "keyword",  # multi-valued: 1 to 3 values per row
}

STATUSES = ["ok", "ok", "ok", "ok", "ok", "ok", "warn", "error", "debug", "info"]
ENDPOINTS = [
    f"/api/v{v}/{thing}{suffix}"
    for v in (1, 2)
    for thing in ("users", "orders", "items", "carts", "search")
    for suffix in ("", "/42", "/list", "/export", "/count")
]
TAGS = [f"tag-{k:02d}" for k in range(20)]


@dataclass(frozen=True)
class Query:
    """One ES|QL query and its equivalents. ``polars`` is the text of a Python
    expression over a ``LazyFrame`` named ``lf`` (text, so the report can show it)."""

    name: str
    feature: str
    esql: str
    sql: str
    polars: str

    def polars_query(self) -> Callable[[pl.LazyFrame], pl.LazyFrame]:
        code = compile(self.polars, f"<polars {self.name}>", "eval")
        return lambda lf: eval(code, {"pl": pl, "lf": lf})


QUERIES = [
    Query(
        "filter_count",
        "WHERE",
        'FROM events | WHERE status == "error" AND latency > 200.0 | STATS c = COUNT(*)',
        "SELECT count(*) AS c FROM events WHERE status = 'error' AND latency > 200.0",
        'lf.filter((pl.col("status") == "error") & (pl.col("latency") > 200.0)).select(c=pl.len())',
    ),
    Query(
        "eval_stats",
        "EVAL",
        "FROM events | EVAL kb = bytes / 1024.0, slow = latency > 250.0 | STATS kb = SUM(kb) BY slow",
        "SELECT sum(bytes / 1024.0) AS kb, latency > 250.0 AS slow FROM events GROUP BY slow",
        'lf.with_columns(kb=pl.col("bytes") / 1024.0, slow=pl.col("latency") > 250.0)'
        '.group_by("slow").agg(kb=pl.col("kb").sum())',
    ),
    Query(
        "stats_by",
        "STATS BY one key",
        "FROM events | STATS avg_latency = AVG(latency), total = SUM(bytes) BY status",
        "SELECT avg(latency) AS avg_latency, sum(bytes) AS total, status FROM events GROUP BY status",
        'lf.group_by("status").agg(avg_latency=pl.col("latency").mean(), total=pl.col("bytes").sum())',
    ),
    Query(
        "multi_key_stats",
        "STATS BY two keys",
        "FROM events | STATS c = COUNT(*), m = MAX(latency) BY host, status | SORT c DESC | LIMIT 10",
        "SELECT count(*) AS c, max(latency) AS m, host, status FROM events"
        " GROUP BY host, status ORDER BY c DESC LIMIT 10",
        'lf.group_by("host", "status").agg(c=pl.len(), m=pl.col("latency").max())'
        '.sort("c", descending=True).head(10)',
    ),
    Query(
        "count_distinct",
        "COUNT_DISTINCT",
        "FROM events | STATS hosts = COUNT_DISTINCT(host) BY status",
        "SELECT count(DISTINCT host) AS hosts, status FROM events GROUP BY status",
        'lf.group_by("status").agg(hosts=pl.col("host").n_unique())',
    ),
    Query(
        "sort_limit",
        "SORT + LIMIT",
        "FROM events | SORT latency DESC | LIMIT 10 | KEEP host, latency",
        "SELECT host, latency FROM events ORDER BY latency DESC LIMIT 10",
        'lf.sort("latency", descending=True).head(10).select("host", "latency")',
    ),
    Query(
        "date_trunc",
        "DATE_TRUNC",
        "FROM events | EVAL hour = DATE_TRUNC(1 hour, @timestamp) | STATS c = COUNT(*) BY hour"
        " | SORT hour | LIMIT 1000",
        # UTC as TIMESTAMP: DuckDB's TIMESTAMPTZ truncation goes through ICU time zones.
        "SELECT count(*) AS c, date_trunc('hour', \"@timestamp\"::TIMESTAMP) AS hour FROM events"
        " GROUP BY hour ORDER BY hour LIMIT 1000",
        'lf.group_by(hour=pl.col("@timestamp").dt.truncate("1h")).agg(c=pl.len())'
        '.sort("hour").head(1000)',
    ),
    Query(
        "bucket",
        "BUCKET",
        "FROM events | STATS c = COUNT(*), a = AVG(latency) BY day = BUCKET(@timestamp, 1 day)"
        " | SORT day",
        "SELECT count(*) AS c, avg(latency) AS a, date_trunc('day', \"@timestamp\"::TIMESTAMP)"
        " AS day FROM events GROUP BY day ORDER BY day",
        'lf.group_by(day=pl.col("@timestamp").dt.truncate("1d"))'
        '.agg(c=pl.len(), a=pl.col("latency").mean()).sort("day")',
    ),
    Query(
        "like",
        "LIKE",
        'FROM events | WHERE url LIKE "*/users/*" | STATS c = COUNT(*)',
        "SELECT count(*) AS c FROM events WHERE url LIKE '%/users/%'",
        'lf.filter(pl.col("url").str.contains("/users/", literal=True)).select(c=pl.len())',
    ),
    Query(
        "cidr_match",
        "ip: CIDR_MATCH",
        'FROM events | WHERE CIDR_MATCH(client_ip, "10.0.1.0/24") | STATS c = COUNT(*)',
        # The baselines get the text shortcut, exact for this data (IPv4 text only).
        "SELECT count(*) AS c FROM events WHERE client_ip LIKE '10.0.1.%'",
        'lf.filter(pl.col("client_ip").str.starts_with("10.0.1.")).select(c=pl.len())',
    ),
    Query(
        "mv_expand",
        "MV_EXPAND",
        "FROM events | MV_EXPAND tags | STATS c = COUNT(*) BY tags",
        "SELECT count(*) AS c, tag AS tags FROM (SELECT unnest(tags) AS tag FROM events)"
        " GROUP BY tag",
        'lf.select("tags").explode("tags").group_by("tags").agg(c=pl.len())',
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

    def choice(n: int, k: int) -> pl.Expr:
        return (uniform(k) * n).cast(pl.Int64)

    def pick(choices: list[str], index: pl.Expr) -> pl.Expr:
        return pl.lit(pl.Series(choices)).gather(index)

    # 65,536 client addresses (10.0.0.0/16): many, but not one per row.
    ip = choice(1 << 16, 5)
    # Keyword values come back sorted and de-duplicated in Elasticsearch (doc
    # values): 1 to 3 consecutive tags are already in that order.
    first_tag = choice(len(TAGS) - 2, 8)
    frame = pl.select(
        pl.from_epoch(start + (i * month_ms) // rows, time_unit="ms")
        .dt.replace_time_zone("UTC")
        .cast(pl.Datetime("ms", "UTC"))
        .alias("@timestamp"),
        # Skewed: a few hosts get most events.
        ("host-" + ((uniform(1) ** 3) * 1000).cast(pl.Int64).cast(pl.String).str.zfill(4)).alias(
            "host"
        ),
        pick(STATUSES, choice(len(STATUSES), 2)).alias("status"),
        pick(ENDPOINTS, choice(len(ENDPOINTS), 3)).alias("url"),
        pl.concat_str(
            [pl.lit("10.0"), (ip // 256).cast(pl.String), (ip % 256).cast(pl.String)],
            separator=".",
        ).alias("client_ip"),
        (uniform(6) * 1_000_000).cast(pl.Int64).alias("bytes"),
        (-(1.0 - uniform(7)).log() * 100.0).alias("latency"),
        pl.concat_list([pick(TAGS, first_tag + d) for d in range(3)])
        .list.head(choice(3, 9) + 1)
        .alias("tags"),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    frame.write_parquet(tmp, row_group_size=1_000_000)
    tmp.replace(path)


def ensure_parquet(rows: int) -> Path:
    path = DATA / f"events_v{DATA_VERSION}_{rows}.parquet"
    if not path.exists():
        started = time.perf_counter()
        generate(rows, path)
        print(f"generated {path} in {time.perf_counter() - started:.1f}s", file=sys.stderr)
    return path


def mapping() -> dict[str, Any]:
    return {"properties": {k: {"type": v} for k, v in MAPPING.items()}}


def ensure_cluster(
    rows: int, parquet: Path, via_ingest: bool = False, name: str | None = None
) -> Path:
    """An embedded cluster holding ``parquet`` as index ``events`` (built once).

    By default the index folder is written directly in the embedded layout
    (``esqlsh.clusters.layout``): the generated columns already have the engine's
    physical types (a multi-valued field is a List column), so only ``_id`` is
    added. ``via_ingest`` goes through ``esqlsh load``'s code path instead (slower:
    it canonicalises every value)."""
    suffix = "_ingest" if via_ingest else ""
    cluster = DATA / (name or f"cluster_v{DATA_VERSION}_{rows}{suffix}")
    done = cluster / ".loaded"
    if done.exists():
        return cluster
    started = time.perf_counter()
    if via_ingest:
        from esqlsh.clusters.ingest import load_index

        load_index(cluster, INDEX, [parquet], mapping=mapping(), mode="replace")
    else:
        write_index(cluster, pl.scan_parquet(parquet))
    done.write_text(parquet.name)
    print(f"loaded {cluster} in {time.perf_counter() - started:.1f}s", file=sys.stderr)
    return cluster


def write_index(cluster: Path, rows: pl.LazyFrame, id_offset: int = 0) -> Path:
    """Write ``rows`` as index ``events`` of ``cluster``; the data file's path."""
    from esqlsh.clusters import layout

    folder = layout.index_dir(cluster, INDEX)
    folder.mkdir(parents=True, exist_ok=True)
    ids = (pl.int_range(0, pl.len(), dtype=pl.Int64) + id_offset).cast(pl.String)
    data = folder / layout.DATA_FILE
    rows.select(ids.alias(layout.ID_COLUMN), pl.all()).sink_parquet(data, row_group_size=1_000_000)
    layout.write_json(folder / layout.MAPPING_FILE, mapping())
    return data


def index_data(cluster: Path) -> Path:
    from esqlsh.clusters import layout

    return layout.index_dir(cluster, INDEX) / layout.DATA_FILE


# ------------------------------------------------------------------ timing


@dataclass
class Timing:
    min_ms: float | None = None
    median_ms: float | None = None
    rows: int | None = None
    error: str | None = None
    samples: list[float] = field(default_factory=list)


@dataclass
class Row:
    query: str
    feature: str
    esql: str
    sql: str
    esqlsh: Timing
    duckdb: Timing
    polars: Timing
    # Engines whose answer differs from esqlsh's (checked on the warm-up run).
    differs: list[str] = field(default_factory=list)

    def ratio(self, other: str) -> float | None:
        base: Timing = getattr(self, other)
        if self.esqlsh.median_ms is None or not base.median_ms:
            return None
        return self.esqlsh.median_ms / base.median_ms


def _error(err: BaseException) -> str:
    return f"{type(err).__name__}: {err}".splitlines()[0][:200]


def time_round_robin(
    runners: dict[str, Callable[[], Any]], repeat: int, rows_of: Callable[[str, Any], list[Any]]
) -> tuple[dict[str, Timing], dict[str, list[Any]]]:
    """One warm-up each, then ``repeat`` rounds in which every engine runs once in
    turn. An engine that fails is recorded with its error and left out after.
    Returns the timings and each engine's warm-up answer as rows (``rows_of``;
    converting is not timed)."""
    timings = {name: Timing() for name in runners}
    answers: dict[str, list[Any]] = {}
    live = {}
    for name, fn in runners.items():
        try:
            answers[name] = rows_of(name, fn())
            timings[name].rows = len(answers[name])
            live[name] = fn
        except Exception as err:  # a query an engine cannot run is a result, not a crash
            timings[name].error = _error(err)
    for _ in range(repeat):
        for name, fn in list(live.items()):
            started = time.perf_counter()
            try:
                fn()
            except Exception as err:
                timings[name].error = _error(err)
                del live[name]
                continue
            timings[name].samples.append((time.perf_counter() - started) * 1000)
    for t in timings.values():
        if t.error is None and t.samples:
            t.min_ms, t.median_ms = min(t.samples), statistics.median(t.samples)
    return timings, answers


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None).isoformat()
    return str(value)


def normalised(rows: list[tuple[Any, ...]]) -> list[tuple[str, ...]]:
    """Rows compared across engines: column order and row order ignored, floats
    to 6 significant digits, times as naive UTC."""
    return sorted(tuple(sorted(_cell(v) for v in row)) for row in rows)


def agreement(answers: dict[str, list[Any]]) -> list[str]:
    """The engines whose answer differs from esqlsh's."""
    mine = answers.get("esqlsh")
    if mine is None:
        return []
    return [e for e, rows in answers.items() if e != "esqlsh" and rows != mine]


def run_benchmark(
    rows: int, repeat: int, only: list[str] | None = None, via_ingest: bool = False
) -> list[Row]:
    import duckdb

    from esqlsh.clusters.embedded import EmbeddedCluster
    from esqlsh.coordinator.session import run_query

    cluster = ensure_cluster(rows, ensure_parquet(rows), via_ingest)
    # Every engine reads the very file esqlsh reads (its extra ``_id`` column is
    # never touched: all three read Parquet column by column).
    data = index_data(cluster)
    storage = EmbeddedCluster(cluster)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute(f"CREATE VIEW events AS SELECT * FROM read_parquet('{data}')")

    def runners(q: Query) -> dict[str, Callable[[], Any]]:
        polars_query = q.polars_query()
        return {
            "esqlsh": lambda: run_query(q.esql, storage).frame,
            # Every answer is small (at most 1,000 rows): fetching tuples is cheap.
            "duckdb": lambda: con.execute(q.sql).fetchall(),
            "polars": lambda: polars_query(pl.scan_parquet(data)).collect(),
        }

    def rows_of(engine: str, answer: Any) -> list[Any]:
        return normalised(answer.rows() if isinstance(answer, pl.DataFrame) else answer)

    queries = [q for q in QUERIES if not only or q.name in only]
    print(f"engine: {len(queries)} queries x {repeat} over {rows:,} rows", file=sys.stderr)
    results = []
    for q in queries:
        t, answers = time_round_robin(runners(q), repeat, rows_of)
        row = Row(q.name, q.feature, q.esql, q.sql, t["esqlsh"], t["duckdb"], t["polars"])
        row.differs = agreement(answers)
        print(
            f"  {q.name}: esqlsh {fmt(row.esqlsh)}, duckdb {fmt(row.duckdb)},"
            f" polars {fmt(row.polars)}",
            file=sys.stderr,
        )
        results.append(row)
    return results


# ------------------------------------------------------------------ reporting


def fmt(t: Timing) -> str:
    if t.error:
        return "error"
    if t.min_ms is None or t.median_ms is None:
        return "n/a"
    return f"{t.min_ms:.0f} / {t.median_ms:.0f}"


def fmt_ratio(r: float | None) -> str:
    return "n/a" if r is None else f"{r:.2f}×"


def median_ratio(results: list[Row], other: str) -> float | None:
    ratios = [r for r in (row.ratio(other) for row in results) if r is not None]
    return statistics.median(ratios) if ratios else None


def max_ratio(results: list[Row], other: str) -> tuple[str, float] | None:
    ratios = [(row.query, row.ratio(other)) for row in results]
    known = [(q, r) for q, r in ratios if r is not None]
    return max(known, key=lambda qr: qr[1]) if known else None


def to_json(results: list[Row], rows: int, repeat: int) -> dict[str, Any]:
    return {
        "rows": rows,
        "repeat": repeat,
        "median_ratio": {o: median_ratio(results, o) for o in ("duckdb", "polars")},
        "max_ratio": {o: max_ratio(results, o) for o in ("duckdb", "polars")},
        "results": [
            {**asdict(r), "ratio": {o: r.ratio(o) for o in ("duckdb", "polars")}} for r in results
        ],
    }


def markdown(section: dict[str, Any]) -> str:
    """The engine table from the JSON section (so a stored run renders the same)."""
    lines = [
        f"{section['rows']:,} rows; {section['repeat']} timed runs per engine after one"
        " warm-up, the engines taking turns; times in ms (min / median); ratio ="
        " esqlsh median ÷ other median (> 1: esqlsh slower).",
        "",
        "| query | feature | esqlsh | DuckDB | Polars | ÷ DuckDB | ÷ Polars |",
        "|---|---|--:|--:|--:|--:|--:|",
    ]
    for r in section["results"]:
        t = {e: Timing(**{k: v for k, v in r[e].items() if k != "samples"}) for e in ENGINES}
        differs = r.get("differs") or []
        note = f" (answer differs from {', '.join(differs)})" if differs else ""
        lines.append(
            f"| {r['query']} | {r['feature']} | {fmt(t['esqlsh'])} | {fmt(t['duckdb'])}"
            f" | {fmt(t['polars'])} | {fmt_ratio(r['ratio']['duckdb'])}"
            f" | {fmt_ratio(r['ratio']['polars'])}{note} |"
        )
    med = section["median_ratio"]
    lines += [
        f"| **median** | | | | | **{fmt_ratio(med['duckdb'])}** | **{fmt_ratio(med['polars'])}** |",
    ]
    errors = [
        f"- {r['query']} ({e}): {r[e]['error']}"
        for r in section["results"]
        for e in ENGINES
        if r[e]["error"]
    ]
    if errors:
        lines += ["", "Errors:", "", *errors]
    return "\n".join(lines) + "\n"


def queries_markdown(section: dict[str, Any]) -> str:
    by_name = {q.name: q for q in QUERIES}
    out = []
    for r in section["results"]:
        out.append(f"- `{r['query']}` ({r['feature']})")
        out.append(f"  - ES|QL: `{r['esql']}`")
        out.append(f"  - SQL: `{r['sql']}`")
        if r["query"] in by_name:
            out.append(f"  - Polars: `{by_name[r['query']].polars}`")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000_000, help="rows to generate")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per query and engine")
    parser.add_argument("--query", action="append", help="run only this query (repeatable)")
    parser.add_argument(
        "--write", action="store_true", help="store the figures in results.json / RESULTS.md"
    )
    parser.add_argument("--no-write", action="store_true", help="(default; kept for old scripts)")
    parser.add_argument(
        "--via-ingest", action="store_true", help="build the index with esqlsh's loader"
    )
    args = parser.parse_args(argv)
    results = run_benchmark(args.rows, args.repeat, args.query, args.via_ingest)
    section = to_json(results, args.rows, args.repeat)
    print(markdown(section))
    if args.write and not args.no_write:
        import report

        report.update({"engine": section})
    return 0


if __name__ == "__main__":
    sys.exit(main())
