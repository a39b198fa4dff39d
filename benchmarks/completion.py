"""Completion benchmark: keystroke latency over big synthetic catalogs.

Builds ``--clusters`` in-memory clusters (one local, the rest remotes) of
``--indices`` indices each with ``--fields`` fields: index names
``<family>-<yyyy.mm.dd>-<n>`` from 50 families, each family's indices drawn from 4
field sets (1 000 fields: 600 shared by every family, 400 of its own, a few
typed differently per variant), every ``IndexInfo`` a fresh dict as a remote
catalog returns them. ``MetadataCache`` loads them on its background threads
(timed), then every prefix of a few queries is typed through
``EsqlCompleter.get_completions`` (index names on one cluster and on ``*:``,
fuzzy names, fields of a 3-cluster FROM after EVAL/STATS, functions, policies)
and each keystroke is timed. Prints p50 / p99 / max per query and overall;
the target is p99 < 20 ms. ``--out FILE`` also writes the table as Markdown.

    .venv/bin/python benchmarks/completion.py                 # 3 × 10k × 1k
    .venv/bin/python benchmarks/completion.py --indices 1000  # quicker

Not part of the test run.
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from prompt_toolkit.completion import CompleteEvent  # noqa: E402
from prompt_toolkit.document import Document  # noqa: E402

from esqlsh.analysis.types import DataType  # noqa: E402
from esqlsh.clusters.base import EnrichPolicy, IndexInfo  # noqa: E402
from esqlsh.repl.completion import EsqlCompleter, MetadataCache  # noqa: E402
from esqlsh.repl.completion.suggest import suggest  # noqa: E402

FAMILIES = 50
VARIANTS = 4
SHARED = 0.6  # part of each index's fields every family has
TYPES = (DataType.KEYWORD, DataType.LONG, DataType.DOUBLE, DataType.DATETIME, DataType.IP)

# Typed once per repeat with another family ``{f}`` (and so other indices, fields
# and scopes): every repeat meets cold scopes, as a new query does.
QUERIES = {
    "index on a cluster": "FROM cluster_one:app-{f}-2024.03.1",
    "index on *: (fuzzy)": "FROM *:ap{f}x",
    "fields, 3 clusters": (
        "FROM app-{f}-*,cluster_one:app-{f}-*,cluster_two:app-{f}*"
        " | WHERE f_0042 > 10 AND app_{f}_x_0099 IS NOT NULL"
        " | EVAL kb = f_0007 / 1024 | STATS c = COUNT(*), m = MAX(kb) BY f_0003, app_{f}_x_0001"
        " | SORT c DESC | KEEP c, m, f_0003"
    ),
    "functions and keywords": (
        "FROM app-{f}-* | EVAL d = DATE_TRUNC(1 hour, f_0010), s = TO_STRING(f_0011)"
        " | WHERE d > NOW() - 2 days"
    ),
    "enrich and fuzzy fields": (
        "FROM cluster_*:app-{f}-* | ENRICH _remote:pol-1 ON f_0001 WITH f_0002 | KEEP fz0042"
    ),
}


class SyntheticCatalog:
    """``indices`` names over ``FAMILIES`` families; ``index()`` builds a fresh
    IndexInfo (a new dict each time) from the family's variant template."""

    def __init__(self, name: str, indices: int, fields: int):
        self.name = name
        per_family = max(1, indices // FAMILIES)
        self.names = sorted(
            f"app-{f:03d}-2024.{1 + (i // 28) % 12:02d}.{1 + i % 28:02d}-{i:05d}"
            for f in range(FAMILIES)
            for i in range(per_family)
        )
        self.templates = {
            (f, v): _template(f, v, fields) for f in range(FAMILIES) for v in range(VARIANTS)
        }
        self._policies = {
            f"pol-{p}": EnrichPolicy(f"pol-{p}", "match", (self.names[p],), "f_0001", ("f_0002",))
            for p in range(5)
        }

    def resolve(self, expression: str) -> list[str]:
        return list(self.names) if expression == "*" else []

    def index(self, name: str) -> IndexInfo | None:
        family = int(name[4:7])
        variant = int(name.rsplit("-", 1)[1]) % VARIANTS
        return IndexInfo(name, dict(self.templates[(family, variant)]))

    def policies(self) -> dict[str, EnrichPolicy]:
        return dict(self._policies)


def _template(family: int, variant: int, fields: int) -> dict[str, DataType]:
    shared = int(fields * SHARED)
    out = {f"f_{i:04d}": TYPES[i % len(TYPES)] for i in range(shared)}
    for i in range(fields - shared):
        out[f"app_{family:03d}_x_{i:04d}"] = TYPES[(i + family) % len(TYPES)]
    for i in range(variant * 3):  # a few fields typed differently per variant
        out[f"f_{i:04d}"] = DataType.KEYWORD
    return out


class SyntheticCluster:
    kind = "elasticsearch"
    skip_unavailable = True
    timeout = 30.0

    def __init__(self, alias: str, catalog: SyntheticCatalog):
        self.alias = alias
        self._catalog = catalog

    def catalog(self) -> SyntheticCatalog:
        return self._catalog

    def describe(self) -> str:
        return f"synthetic://{self.alias}"

    def close(self) -> None:
        pass


class SyntheticRegistry:
    def __init__(self, clusters: int, indices: int, fields: int):
        aliases = [
            "local",
            *(f"cluster_{w}" for w in ("one", "two", "three", "four")[: clusters - 1]),
        ]
        self.local = "local"
        self.clusters = {
            a: SyntheticCluster(a, SyntheticCatalog(a, indices, fields)) for a in aliases
        }

    def remotes(self) -> list[str]:
        return [a for a in self.clusters if a != self.local]


def percentile(values: Sequence[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def type_query(completer: EsqlCompleter, query: str) -> list[float]:
    """Milliseconds of each keystroke's completion (every prefix, as typed)."""
    times = []
    event = CompleteEvent(text_inserted=True)
    for end in range(1, len(query) + 1):
        document = Document(query[:end])
        started = time.perf_counter()
        list(completer.get_completions(document, event))
        times.append((time.perf_counter() - started) * 1000)
    return times


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clusters", type=int, default=3)
    parser.add_argument("--indices", type=int, default=10_000)
    parser.add_argument("--fields", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=3, help="type each query this many times")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)

    registry = SyntheticRegistry(args.clusters, args.indices, args.fields)
    started = time.perf_counter()
    metadata = MetadataCache(registry)
    metadata.wait()
    load_s = time.perf_counter() - started
    states = metadata.states()
    assert all(s.status == "ready" for s in states.values()), states
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    completer = EsqlCompleter(metadata)
    suggest("FROM a | EVAL x = TO_")  # import the function registry before timing
    gc.collect()

    rows = []
    everything: list[float] = []
    for label, query in QUERIES.items():
        times: list[float] = []
        for repeat in range(args.repeat):
            times += type_query(completer, query.format(f=f"{(7 * repeat + 1) % FAMILIES:03d}"))
        everything += times
        rows.append((label, len(times) // args.repeat, times))
    # the widest scope there is: every index of every cluster, computed cold
    widest = "FROM *,*:* | KEEP "
    started = time.perf_counter()
    widest_fields = len(list(completer.get_completions(Document(widest), CompleteEvent())))
    widest_ms = (time.perf_counter() - started) * 1000
    lines = [
        "# Completion benchmark",
        "",
        f"Clusters: {args.clusters} × {args.indices:,} indices × {args.fields:,} fields "
        f"(python {sys.version.split()[0]}, {os.cpu_count()} cpus, load average "
        f"{os.getloadavg()[0]:.1f}); each query typed {args.repeat}× (other indices each time), "
        "one keystroke at a time.",
        f"Background load of every cluster: {load_s:.1f} s "
        + ", ".join(f"{a} {s.seconds:.1f} s" for a, s in states.items())
        + f"; peak RSS {rss_mb:,.0f} MB.",
        "",
        "| query | keystrokes | p50 ms | p99 ms | max ms |",
        "|---|--:|--:|--:|--:|",
    ]
    for label, length, times in rows:
        lines.append(
            f"| {label} | {length * args.repeat} | {statistics.median(times):.2f} | "
            f"{percentile(times, 99):.2f} | {max(times):.2f} |"
        )
    lines.append(
        f"| **all** | {len(everything)} | {statistics.median(everything):.2f} | "
        f"{percentile(everything, 99):.2f} | {max(everything):.2f} |"
    )
    lines += [
        "",
        f"A new scope's columns are computed once (then memoized until the next refresh): "
        f"the first keystroke after `{widest}` ({args.clusters * FAMILIES * VARIANTS} distinct "
        f"field sets) took {widest_ms:.1f} ms ({widest_fields} candidates shown).",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
