"""Transfer benchmark: how many bytes do clusters send back for a STATS query,
next to the raw rows that match it?

Splits the engine benchmark's events table (``--rows`` rows, see ``engine.py``)
into 4 embedded clusters of consecutive rows (cached under ``benchmarks/data/``),
then runs each STATS query over ``c1:events,…,c4:events`` through
``run_federated`` and records what every cluster's fragment returned:

- embedded clusters: the Arrow IPC size (uncompressed) of the fragment's frame —
  the partial aggregates the coordinator merges;
- served clusters (``--served``: the same 4 directories behind ``esqlsh serve``
  nodes on 127.0.0.1): ``FragmentResult.bytes_received``, the HTTP bodies read.

The raw figure is what the clusters would have shipped without partial
aggregation: on each cluster, the Arrow IPC size of
``FROM events | WHERE … | KEEP <the columns STATS needs>`` with no limit at all.
Ratio = returned ÷ raw, in %; issue 7 asks for ≤ 1 %.

    .venv/bin/python benchmarks/transfer.py --rows 10000000 --served

Not part of the test run.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import sys
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

import engine  # noqa: E402
import polars as pl  # noqa: E402

CLUSTERS = 4


@dataclass(frozen=True)
class StatsQuery:
    name: str
    where: str
    stats: str
    keep: str  # the columns the STATS reads: what raw rows would have to carry

    def federated(self, aliases: Sequence[str]) -> str:
        sources = ",".join(f"{a}:{engine.INDEX}" for a in aliases)
        return f"FROM {sources} | WHERE {self.where} | STATS {self.stats}"

    def raw(self) -> str:
        return f"FROM {engine.INDEX} | WHERE {self.where} | KEEP {self.keep}"


QUERIES = [
    StatsQuery(
        "by_status",
        "latency > 100.0",
        "c = COUNT(*), a = AVG(latency), s = SUM(bytes) BY status",
        "status, latency, bytes",
    ),
    StatsQuery(
        "by_host",
        'status == "error"',
        "c = COUNT(*), a = AVG(latency), m = MAX(bytes) BY host",
        "host, latency, bytes",
    ),
]


def aliases() -> list[str]:
    return [f"c{i + 1}" for i in range(CLUSTERS)]


def build_clusters(rows: int) -> dict[str, Path]:
    """The events table in ``CLUSTERS`` slices of consecutive rows (by time, as
    time-based indices split data), one embedded cluster each; built once."""
    parquet = engine.ensure_parquet(rows)
    root = engine.DATA / f"transfer_v{engine.DATA_VERSION}_{rows}"
    paths = {a: root / a for a in aliases()}
    if (root / ".loaded").exists():
        return paths
    share = -(-rows // CLUSTERS)
    for n, path in enumerate(paths.values()):
        offset = n * share
        engine.write_index(path, pl.scan_parquet(parquet).slice(offset, share), offset)
    (root / ".loaded").write_text(parquet.name)
    return paths


def ipc_bytes(frame: pl.DataFrame) -> int:
    buffer = io.BytesIO()
    frame.write_ipc(buffer, compression="uncompressed")
    return buffer.tell()


class Recording:
    """A ``Cluster`` that keeps every ``FragmentResult`` its inner cluster returns."""

    def __init__(self, inner: Any):
        self.inner = inner
        self.results: list[Any] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def run(self, fragment: Any, cancel: threading.Event) -> Any:
        result = self.inner.run(fragment, cancel)
        self.results.append(result)
        return result


@contextlib.contextmanager
def recording(registry: Any) -> Iterator[tuple[Any, dict[str, Recording]]]:
    from esqlsh.clusters.registry import Registry

    wrapped = {a: Recording(c) for a, c in registry.clusters.items()}
    yield Registry(registry.local, dict(wrapped)), wrapped


def raw_bytes(paths: dict[str, Path], q: StatsQuery) -> tuple[int, int]:
    """Bytes and rows of the raw matching rows, summed over the clusters."""
    from esqlsh.analysis.analyzer import analyze
    from esqlsh.clusters.embedded import EmbeddedCluster
    from esqlsh.engine.executor import execute
    from esqlsh.syntax.parser import parse

    total_bytes = total_rows = 0
    for path in paths.values():
        storage = EmbeddedCluster(path)
        # No implicit LIMIT: every matching row, as a row-shipping fragment sends.
        plan = analyze(parse(q.raw()), storage, default_limit=None)
        frame = execute(plan, storage).frame
        total_bytes += ipc_bytes(frame)
        total_rows += frame.height
    return total_bytes, total_rows


def returned(registry: Any, q: StatsQuery, served: bool) -> dict[str, Any]:
    """Run ``q`` over the clusters; what each fragment returned."""
    from esqlsh.coordinator import run_federated

    with recording(registry) as (wrapped_registry, wrapped):
        result = run_federated(q.federated(aliases()), wrapped_registry)
    per_cluster = {}
    for alias, cluster in wrapped.items():
        (fragment,) = cluster.results
        size = fragment.bytes_received if served else ipc_bytes(fragment.frame)
        per_cluster[alias] = {"bytes": size, "rows": fragment.frame.height}
    return {
        "bytes": sum(c["bytes"] for c in per_cluster.values()),
        "per_cluster": per_cluster,
        "groups": result.frame.height,
    }


def run(rows: int, served: bool = True) -> dict[str, Any]:
    """The ``transfer`` section of results.json."""
    import fanout

    paths = build_clusters(rows)
    print(f"transfer: {len(QUERIES)} STATS queries over {rows:,} rows in 4", file=sys.stderr)
    results = []
    for q in QUERIES:
        raw, raw_rows = raw_bytes(paths, q)
        entry: dict[str, Any] = {
            "query": q.name,
            "esql": q.federated(aliases()),
            "raw_esql": q.raw(),
            "raw_bytes": raw,
            "raw_rows": raw_rows,
        }
        with fanout.embedded_registry(paths) as registry:
            entry["embedded"] = returned(registry, q, served=False)
        entry["embedded"]["percent"] = 100.0 * entry["embedded"]["bytes"] / raw
        results.append(entry)
    if served:
        with fanout.nodes(paths, 0) as urls, fanout.http_registry(urls) as registry:
            for entry, q in zip(results, QUERIES, strict=True):
                entry["served"] = returned(registry, q, served=True)
                entry["served"]["percent"] = 100.0 * entry["served"]["bytes"] / entry["raw_bytes"]
    return {
        "rows": rows,
        "clusters": CLUSTERS,
        "results": results,
        # The acceptance figure: the worst embedded query.
        "headline_percent": max(r["embedded"]["percent"] for r in results),
    }


def _kb(n: int) -> str:
    return f"{n / 1024:,.1f} KiB" if n < 10 << 20 else f"{n / (1 << 20):,.1f} MiB"


def markdown(section: dict[str, Any]) -> str:
    served = any("served" in r for r in section["results"])
    head = "| query | raw matching rows | embedded: returned (÷ raw) |"
    rule = "|---|--:|--:|"
    if served:
        head += " served: HTTP bodies (÷ raw) |"
        rule += "--:|"
    lines = [
        f"{section['rows']:,} rows split in {section['clusters']} embedded clusters."
        " Raw = Arrow IPC bytes of the matching rows' needed columns (no limit);"
        " embedded = Arrow IPC bytes of the frames the fragments returned; served ="
        " `FragmentResult.bytes_received` from `esqlsh serve` nodes over the same"
        " directories. The target figure is the worst embedded query.",
        "",
        head,
        rule,
    ]
    for r in section["results"]:
        e = r["embedded"]
        cells = [
            f"`{r['query']}` ({r['embedded']['groups']} groups)",
            f"{_kb(r['raw_bytes'])} ({r['raw_rows']:,} rows)",
            f"{_kb(e['bytes'])} ({e['percent']:.3f} %)",
        ]
        if served:
            s = r.get("served")
            cells.append(f"{_kb(s['bytes'])} ({s['percent']:.3f} %)" if s else "n/a")
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "Queries:", ""]
    lines += [
        f"- `{r['query']}`: `{r['esql']}`; raw: `{r['raw_esql']}`" for r in section["results"]
    ]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000, help="rows in all")
    parser.add_argument("--served", action="store_true", help="also over esqlsh serve nodes")
    parser.add_argument(
        "--write", action="store_true", help="store the figures in results.json / RESULTS.md"
    )
    args = parser.parse_args(argv)

    import report

    before = report.load()
    section = run(args.rows, args.served)
    print(markdown(section))
    if args.write:
        report.update({"transfer": report.stamp(section, before)})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
