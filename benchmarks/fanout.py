"""Fan-out benchmark: does a query over k clusters take about as long as over one?

Builds 8 embedded clusters (index ``events``: ``--rows`` rows of a keyword ``k``
with 10 groups and a long ``x``; cached under ``benchmarks/data/fanout/``), then
times ``FROM c1:events,…,ck:events | STATS c = COUNT(*), a = AVG(x) BY k`` through
``run_federated`` for k = 1, 2, 3, 4, 8 clusters, three ways:

- ``embedded``: every cluster in process;
- ``http 0 ms``: every cluster an ``esqlsh serve`` node on 127.0.0.1, reached over
  the ``elasticsearch`` transport;
- ``http 300 ms``: the same nodes, each delaying every ``_query*`` answer by
  300 ms (``ESQLSH_TEST_LATENCY_MS``), as a distant cluster would.

Prints, per mode and k, the median milliseconds and the ratio to one cluster: with
concurrent fan-out the 300 ms column stays near 1× (the acceptance bar: 3 clusters
< 2× one). ``--out FILE`` also writes the table as Markdown.

    .venv/bin/python benchmarks/fanout.py --rows 100000 --repeat 5

Not part of the test run.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

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
COUNTS = (1, 2, 3, 4, 8)
LATENCIES = (0, 300)


def aliases(n: int) -> list[str]:
    return [f"c{i + 1}" for i in range(n)]


def build_clusters(rows: int) -> dict[str, Path]:
    """8 clusters of ``rows`` rows each, built once per row count."""
    root = DATA / f"rows-{rows}"
    paths = {alias: root / alias for alias in aliases(max(COUNTS))}
    if all((p / INDEX / "mapping.json").is_file() for p in paths.values()):
        return paths
    root.mkdir(parents=True, exist_ok=True)
    mapping = {"properties": {"k": {"type": "keyword"}, "x": {"type": "long"}}}
    for n, (alias, path) in enumerate(paths.items()):
        source = root / f"{alias}.parquet"
        pl.DataFrame(
            {
                "k": [f"g{i % GROUPS}" for i in range(rows)],
                "x": [i * (n + 1) for i in range(rows)],
            }
        ).write_parquet(source)
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


def time_queries(registry: Registry, repeat: int) -> dict[int, float]:
    """Median milliseconds per cluster count (after one warm-up run each)."""
    medians = {}
    for k in COUNTS:
        text = query(k)
        result = run_federated(text, registry)
        assert result.frame.height == GROUPS, result.frame
        assert not result.is_partial, result.clusters_json()
        samples = []
        for _ in range(repeat):
            started = time.perf_counter()
            run_federated(text, registry)
            samples.append((time.perf_counter() - started) * 1000)
        medians[k] = statistics.median(samples)
    return medians


def table(results: dict[str, dict[int, float]]) -> str:
    modes = list(results)
    head = "| clusters | " + " | ".join(f"{m} (ms, ×1)" for m in modes) + " |"
    rule = "|---:|" + "---:|" * len(modes)
    lines = [head, rule]
    for k in COUNTS:
        cells = []
        for mode in modes:
            ms = results[mode][k]
            cells.append(f"{ms:.0f} ({ms / results[mode][1]:.2f}×)")
        lines.append(f"| {k} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="rows per cluster")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per point")
    parser.add_argument("--out", type=Path, help="also write the table here (Markdown)")
    args = parser.parse_args(argv)

    paths = build_clusters(args.rows)
    results: dict[str, dict[int, float]] = {}
    with embedded_registry(paths) as registry:
        results["embedded"] = time_queries(registry, args.repeat)
    for latency in LATENCIES:
        with nodes(paths, latency) as urls, http_registry(urls) as registry:
            results[f"http {latency} ms"] = time_queries(registry, args.repeat)

    text = (
        f"Fan-out: `STATS COUNT(*), AVG(x) BY k` over k clusters of {args.rows} rows "
        f"each (median of {args.repeat}; ratio to one cluster; {os.cpu_count()} CPUs "
        f"shared by the client and every node).\n\n{table(results)}"
    )
    print(text)
    if args.out is not None:
        args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
