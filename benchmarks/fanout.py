"""Fan-out benchmark: does a query over k clusters take about as long as over one?

Builds 8 embedded clusters (index ``events``: ``--rows`` rows of a keyword ``k``
with 10 groups and a long ``x``; cached under ``benchmarks/data/fanout/``), then
times ``FROM c1:events,…,ck:events | STATS c = COUNT(*), a = AVG(x) BY k`` through
``run_federated`` for k = 1, 2, 4, 8 clusters (``--counts``), in these modes:

- ``embedded``: every cluster in process;
- ``http N ms`` for each ``--latencies`` N (default 0 and 200): every cluster an
  ``esqlsh serve`` node on 127.0.0.1, reached over the ``elasticsearch`` transport,
  each delaying every ``_query*`` answer by N ms (``ESQLSH_TEST_LATENCY_MS``), as a
  distant cluster would.

Within a mode the cluster counts take turns in each repeat (1, 2, 4, 8, 1, 2, …)
so that drift on a shared machine hits them alike. Prints, per mode and k, the
min / median milliseconds and the ratio of medians to one cluster: with concurrent
fan-out the 200 ms column stays near 1× (issue 7: 8 clusters ≤ 1.2× one; issue 4:
3 clusters < 2× one). ``--out FILE`` also writes the table as Markdown; ``--write``
stores it in ``benchmarks/results.json`` / ``RESULTS.md``.

    .venv/bin/python benchmarks/fanout.py --rows 100000 --repeat 5
    .venv/bin/python benchmarks/fanout.py --counts 1,2,3,4,8 --latencies 0,300

Not part of the test run.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

import polars as pl  # noqa: E402

from esqlsh.clusters.config import ClusterSpec, Config  # noqa: E402
from esqlsh.clusters.ingest import load_index  # noqa: E402
from esqlsh.clusters.registry import Registry  # noqa: E402
from esqlsh.coordinator import run_federated  # noqa: E402
from tests.servers import Node, start_node  # noqa: E402

DATA = HERE / "data" / "fanout"
INDEX = "events"
GROUPS = 10
COUNTS = (1, 2, 4, 8)
LATENCIES = (0, 200)


def aliases(n: int) -> list[str]:
    return [f"c{i + 1}" for i in range(n)]


def build_clusters(rows: int, count: int = 8) -> dict[str, Path]:
    """``count`` clusters of ``rows`` rows each, built once per row count."""
    root = DATA / f"rows-{rows}"
    paths = {alias: root / alias for alias in aliases(count)}
    if all((p / INDEX / "mapping.json").is_file() for p in paths.values()):
        return paths
    root.mkdir(parents=True, exist_ok=True)
    mapping = {"properties": {"k": {"type": "keyword"}, "x": {"type": "long"}}}
    for n, (alias, path) in enumerate(paths.items()):
        source = root / f"{alias}.parquet"
        i = pl.int_range(0, rows, dtype=pl.Int64)
        pl.select(k="g" + (i % GROUPS).cast(pl.String), x=i * (n + 1)).write_parquet(source)
        load_index(path, INDEX, source, mapping=mapping, mode="replace")
    return paths


def query(k: int) -> str:
    sources = ",".join(f"{alias}:{INDEX}" for alias in aliases(k))
    return f"FROM {sources} | STATS c = COUNT(*), a = AVG(x) BY k"


def embedded_registry(paths: dict[str, Path]) -> Registry:
    specs = {a: ClusterSpec(alias=a, type="embedded", path=p) for a, p in paths.items()}
    return Registry.from_config(Config(None, specs, None))


def http_registry(urls: dict[str, str]) -> Registry:
    specs = {
        a: ClusterSpec(alias=a, type="elasticsearch", hosts=(url,), timeout=60.0)
        for a, url in urls.items()
    }
    return Registry.from_config(Config(None, specs, None))


@contextlib.contextmanager
def nodes(paths: dict[str, Path], latency_ms: int) -> Iterator[dict[str, str]]:
    started: list[tuple[str, Node]] = []
    try:
        for alias, path in paths.items():
            env = {"ESQLSH_TEST_LATENCY_MS": str(latency_ms)}
            started.append((alias, start_node(path, env=env)))
        yield {alias: node.url for alias, node in started}
    finally:
        for _, node in started:
            node.stop()


def time_queries(
    registry: Registry, repeat: int, counts: Sequence[int] = COUNTS
) -> dict[int, dict[str, Any]]:
    """Min and median milliseconds per cluster count: one warm-up run each, then
    ``repeat`` rounds over every count in turn."""
    for k in counts:
        result = run_federated(query(k), registry)
        assert result.frame.height == GROUPS, result.frame
        assert not result.is_partial, result.clusters_json()
    samples: dict[int, list[float]] = {k: [] for k in counts}
    for _ in range(repeat):
        for k in counts:
            started = time.perf_counter()
            run_federated(query(k), registry)
            samples[k].append((time.perf_counter() - started) * 1000)
    return {
        k: {"min_ms": min(v), "median_ms": statistics.median(v), "samples": v}
        for k, v in samples.items()
    }


def run(
    rows: int,
    repeat: int,
    counts: Sequence[int] = COUNTS,
    latencies: Sequence[int] = LATENCIES,
    embedded: bool = True,
) -> dict[str, Any]:
    """Every mode's timings, as the ``fanout`` section of results.json (cluster
    counts are string keys there, as JSON has them)."""
    paths = build_clusters(rows, max(counts))
    modes: dict[str, dict[int, dict[str, Any]]] = {}
    if embedded:
        print(f"fanout: embedded, {list(counts)} clusters x {repeat}", file=sys.stderr)
        with embedded_registry(paths) as registry:
            modes["embedded"] = time_queries(registry, repeat, counts)
    for latency in latencies:
        print(f"fanout: http {latency} ms, {list(counts)} clusters x {repeat}", file=sys.stderr)
        with nodes(paths, latency) as urls, http_registry(urls) as registry:
            modes[f"http {latency} ms"] = time_queries(registry, repeat, counts)
    return {
        "rows_per_cluster": rows,
        "repeat": repeat,
        "counts": list(counts),
        "query": query(max(counts)),
        "modes": {m: {str(k): v for k, v in by_k.items()} for m, by_k in modes.items()},
    }


def table(section: dict[str, Any]) -> str:
    modes = section["modes"]
    head = "| clusters | " + " | ".join(f"{m}: min / median ms (÷ 1)" for m in modes) + " |"
    rule = "|---:|" + "---:|" * len(modes)
    lines = [head, rule]
    for k in section["counts"]:
        cells = []
        for by_k in modes.values():
            t, one = by_k[str(k)], by_k[str(section["counts"][0])]
            ratio = t["median_ms"] / one["median_ms"]
            cells.append(f"{t['min_ms']:.0f} / {t['median_ms']:.0f} ({ratio:.2f}×)")
        lines.append(f"| {k} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def markdown(section: dict[str, Any]) -> str:
    return (
        f"`STATS c = COUNT(*), a = AVG(x) BY k` over k clusters of"
        f" {section['rows_per_cluster']:,} rows each; {section['repeat']} timed runs per"
        " point after one warm-up, the counts taking turns; ratio = median ÷ the"
        " 1-cluster median of the same mode. Served nodes are `esqlsh serve`"
        " subprocesses on 127.0.0.1 sharing the machine's CPUs with the client.\n\n"
        + table(section)
    )


def _ints(text: str) -> tuple[int, ...]:
    return tuple(int(x) for x in text.split(",") if x.strip())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="rows per cluster")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per point")
    parser.add_argument("--counts", type=_ints, default=COUNTS, help="e.g. 1,2,4,8")
    parser.add_argument("--latencies", type=_ints, default=LATENCIES, help="ms, e.g. 0,200")
    parser.add_argument("--out", type=Path, help="also write the table here (Markdown)")
    parser.add_argument(
        "--write", action="store_true", help="store the figures in results.json / RESULTS.md"
    )
    args = parser.parse_args(argv)

    import report

    before = report.load()
    section = run(args.rows, args.repeat, args.counts, args.latencies)
    text = markdown(section)
    print(text)
    if args.out is not None:
        args.out.write_text(text, encoding="utf-8")
    if args.write:
        report.update({"fanout": report.stamp(section, before)})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
