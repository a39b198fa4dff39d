"""Start-up benchmark: how long does a whole ``esqlsh`` process take, next to the
Python processes it cannot beat?

Pairs, each run A, B, A, B, … after one warm-up of each (so drift hits both alike),
with the ratio A ÷ B taken pair by pair:

- ``esqlsh --help`` vs ``python -c 'import click'`` (issue 7: ≤ 2×);
- ``esqlsh -q 'ROW a=1' --format csv`` vs ``python -c 'import polars'`` (≤ 1.3×);

and ``python -c 'pass'`` alone, the floor of any Python command. Each run is timed
from outside: wall time around the process, CPU time (user + sys) from the
operating system's accounting of the reaped child (``os.wait4``). ``esqlsh`` is
the virtualenv's console script, as users run it, with its bytecode up to date as
an install leaves it (``compile_package``: in a working tree, with
``PYTHONDONTWRITEBYTECODE`` set, every edited module would otherwise be compiled
from source in every run, some 3 ms each).

    .venv/bin/python benchmarks/startup.py --runs 20

Not part of the test run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
PYTHON = str(BIN / "python")
ESQLSH = str(BIN / "esqlsh")


@dataclass(frozen=True)
class Pair:
    name: str
    label: str
    command: tuple[str, ...]
    reference_label: str
    reference: tuple[str, ...]
    bar: float


PAIRS = [
    Pair(
        "help",
        "esqlsh --help",
        (ESQLSH, "--help"),
        "python -c 'import click'",
        (PYTHON, "-c", "import click"),
        2.0,
    ),
    Pair(
        "query",
        "esqlsh -q 'ROW a=1' --format csv",
        (ESQLSH, "-q", "ROW a=1", "--format", "csv"),
        "python -c 'import polars'",
        (PYTHON, "-c", "import polars"),
        1.3,
    ),
]
FLOOR = ("python -c 'pass'", (PYTHON, "-c", "pass"))


def compile_package() -> None:
    """Byte-compile the esqlsh package where it is imported from (what pip does
    when it installs a package; stale or missing ``.pyc`` files only)."""
    import compileall

    import esqlsh

    compileall.compile_dir(str(Path(esqlsh.__file__).parent), quiet=1)


def run_once(argv: Sequence[str]) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (user + sys) and exit status of one process."""
    started = time.perf_counter()
    process = subprocess.Popen(
        list(argv), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    assert process.stderr is not None
    process.stderr.read()  # drained, so a chatty command never blocks
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)  # already reaped
    return wall, usage.ru_utime + usage.ru_stime, process.returncode


def stats(values: list[float]) -> dict[str, float]:
    return {
        "min": min(values),
        "median": statistics.median(values),
        "max": max(values),
    }


def measure(commands: Sequence[Sequence[str]], runs: int) -> list[dict[str, Any]]:
    """Each command ``runs`` times, in turn, after one warm-up of each."""
    for argv in commands:
        _, _, code = run_once(argv)
        if code != 0:
            raise RuntimeError(f"{' '.join(argv)} exited {code}")
    walls: list[list[float]] = [[] for _ in commands]
    cpus: list[list[float]] = [[] for _ in commands]
    for _ in range(runs):
        for i, argv in enumerate(commands):
            wall, cpu, _ = run_once(argv)
            walls[i].append(wall * 1000)
            cpus[i].append(cpu * 1000)
    return [
        {"wall_ms": stats(w), "cpu_ms": stats(c), "wall_samples": w, "cpu_samples": c}
        for w, c in zip(walls, cpus, strict=True)
    ]


def run(runs: int) -> dict[str, Any]:
    """The ``startup`` section of results.json."""
    print(f"startup: {len(PAIRS)} pairs and the floor x {runs}", file=sys.stderr)
    compile_package()
    pairs = []
    for p in PAIRS:
        mine, ref = measure([p.command, p.reference], runs)
        ratios = [a / b for a, b in zip(mine["wall_samples"], ref["wall_samples"], strict=True)]
        cpu_ratios = [a / b for a, b in zip(mine["cpu_samples"], ref["cpu_samples"], strict=True)]
        pairs.append(
            {
                "name": p.name,
                "command": p.label,
                "reference": p.reference_label,
                "bar": p.bar,
                "esqlsh": mine,
                "ref": ref,
                "ratio_median": statistics.median(ratios),
                "ratio_min": min(ratios),
                "ratio_max": max(ratios),
                "cpu_ratio_median": statistics.median(cpu_ratios),
            }
        )
    (floor,) = measure([FLOOR[1]], runs)
    return {"runs": runs, "pairs": pairs, "floor": {"command": FLOOR[0], **floor}}


def _t(t: dict[str, Any], key: str = "wall_ms") -> str:
    return f"{t[key]['min']:.0f} / {t[key]['median']:.0f}"


def _cpu_ratio(pair: dict[str, Any]) -> str:
    ratio = pair.get("cpu_ratio_median")
    return "n/a" if ratio is None else f"{ratio:.2f}×"


def markdown(section: dict[str, Any]) -> str:
    lines = [
        f"Each pair run alternately, {section['runs']} times each after one warm-up;"
        " wall and CPU (user + sys, from the kernel's accounting of the child) in ms,"
        " min / median; ratio = wall A ÷ wall B pair by pair, median (min – max) — the"
        " target figure; CPU A ÷ B (median of pairs) is steadier on a loaded machine.",
        "",
        "| command (A) | wall | CPU | reference (B) | wall | CPU | A ÷ B | CPU A ÷ B | bar |",
        "|---|--:|--:|---|--:|--:|--:|--:|--:|",
    ]
    for p in section["pairs"]:
        lines.append(
            f"| `{p['command']}` | {_t(p['esqlsh'])} | {_t(p['esqlsh'], 'cpu_ms')}"
            f" | `{p['reference']}` | {_t(p['ref'])} | {_t(p['ref'], 'cpu_ms')}"
            f" | {p['ratio_median']:.2f}× ({p['ratio_min']:.2f} – {p['ratio_max']:.2f})"
            f" | {_cpu_ratio(p)} | ≤ {p['bar']:.1f}× |"
        )
    floor = section["floor"]
    lines.append(f"| | | | `{floor['command']}` | {_t(floor)} | {_t(floor, 'cpu_ms')} | | | |")
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="timed runs of each command")
    parser.add_argument(
        "--write", action="store_true", help="store the figures in results.json / RESULTS.md"
    )
    args = parser.parse_args(argv)

    import report

    before = report.load()
    section = run(args.runs)
    print(markdown(section))
    if args.write:
        report.update({"startup": report.stamp(section, before)})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
