"""The benchmark suite: every figure of issue 7 in one run.

    .venv/bin/python benchmarks/suite.py                  # everything, 10M rows
    .venv/bin/python benchmarks/suite.py --rows 2000000 --repeat 3
    .venv/bin/python benchmarks/suite.py --only engine,startup --rows 200000

Runs, in this order (``--only`` picks some; the others keep their stored figures):

1. ``startup``: whole ``esqlsh`` processes against ``python -c 'import click'`` /
   ``'import polars'`` / ``'pass'`` (``startup.py``);
2. ``engine``: 11 ES|QL queries on esqlsh, DuckDB and Polars over one Parquet file
   of ``--rows`` generated events (``engine.py``);
3. ``transfer``: bytes returned by 4 clusters for STATS vs the raw matching rows
   (``transfer.py``);
4. ``fanout``: 1, 2, 4, 8 clusters, embedded and served with 0 and 200 ms latency
   (``fanout.py``);
5. ``completion``: completion latency p50 / p99 (``completion.py``, the REPL's).

Generated data is cached under ``benchmarks/data/`` (git-ignored): the first run
at a new ``--rows`` spends a minute or so generating it. Writes
``benchmarks/results.json`` and ``benchmarks/RESULTS.md``. Not part of the test run.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(1, str(HERE.parent))

import completion_report  # noqa: E402
import engine  # noqa: E402
import fanout  # noqa: E402
import report  # noqa: E402
import startup  # noqa: E402
import transfer  # noqa: E402

PARTS = ("startup", "engine", "transfer", "fanout", "completion")


def parts(text: str) -> list[str]:
    chosen = [p.strip() for p in text.split(",") if p.strip()]
    unknown = [p for p in chosen if p not in PARTS]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown part(s) {unknown}; choose from {PARTS}")
    return chosen


def _ints(text: str) -> tuple[int, ...]:
    return tuple(int(x) for x in text.split(",") if x.strip())


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--rows", type=int, default=10_000_000, help="engine/transfer table rows")
    p.add_argument("--repeat", type=int, default=5, help="timed runs per engine query")
    # A fan-out point takes ~0.25 s: 15 runs make its median steady on a shared machine.
    p.add_argument("--fanout-repeat", type=int, default=15, help="timed runs per fan-out point")
    p.add_argument("--only", type=parts, default=list(PARTS), help=f"comma list of {PARTS}")
    p.add_argument("--query", action="append", help="engine: only this query (repeatable)")
    p.add_argument("--fanout-rows", type=int, default=100_000, help="rows per fan-out cluster")
    p.add_argument("--fanout-counts", type=_ints, default=fanout.COUNTS, help="e.g. 1,2,4,8")
    p.add_argument("--latencies", type=_ints, default=fanout.LATENCIES, help="ms, e.g. 0,200")
    p.add_argument("--startup-runs", type=int, default=20, help="timed runs per command")
    p.add_argument("--no-served", action="store_true", help="transfer: embedded clusters only")
    p.add_argument("--note", help="a line for RESULTS.md (e.g. what else loaded the machine)")
    p.add_argument("--no-write", action="store_true", help="print, do not store the figures")
    return p


def runners(args: argparse.Namespace) -> dict[str, Callable[[], dict[str, Any]]]:
    return {
        "startup": lambda: startup.run(args.startup_runs),
        "engine": lambda: engine.to_json(
            engine.run_benchmark(args.rows, args.repeat, args.query), args.rows, args.repeat
        ),
        "transfer": lambda: transfer.run(args.rows, served=not args.no_served),
        "fanout": lambda: fanout.run(
            args.fanout_rows, args.fanout_repeat, args.fanout_counts, args.latencies
        ),
        "completion": completion_report.run,
    }


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    todo = runners(args)
    sections: dict[str, dict[str, Any]] = {}
    payload: dict[str, Any] = {}
    started = time.perf_counter()
    for name in PARTS:
        if name not in args.only:
            continue
        before = report.load()
        part_started = time.perf_counter()
        sections[name] = report.stamp(todo[name](), before)
        print(f"{name}: {time.perf_counter() - part_started:.0f}s", file=sys.stderr)
        if not args.no_write:
            # Stored after each part: a long run that dies keeps what it measured.
            payload = report.update({name: sections[name]}, note=args.note)
    print(f"suite: {time.perf_counter() - started:.0f}s", file=sys.stderr)
    if args.no_write or not payload:
        payload = {"machine": report.machine(), "note": args.note, "sections": sections}
        payload["targets"] = report.targets(sections)
    print(report.render(payload))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
