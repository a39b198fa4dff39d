"""The suite's completion-latency section: runs ``benchmarks/completion.py`` (the
REPL's own benchmark, written with the completer) when it exists and keeps its
p50 / p99; until then the section says "not measured yet".
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "completion.py"
SHAPE = "3 clusters × 10,000 indices × 1,000 fields"


def run() -> dict[str, Any]:
    """The ``completion`` section of results.json."""
    if not SCRIPT.exists():
        return {"measured_ok": False, "reason": "benchmarks/completion.py does not exist yet"}
    print("completion: running benchmarks/completion.py", file=sys.stderr)
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--json"],
        capture_output=True,
        text=True,
        timeout=1800,
    )
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        return {"measured_ok": False, "reason": "completion.py failed: " + " / ".join(tail)}
    try:
        figures = json.loads(done.stdout)
    except json.JSONDecodeError:
        return {"measured_ok": False, "reason": "completion.py printed no JSON"}
    return {"measured_ok": True, **figures}


def markdown(section: dict[str, Any]) -> str:
    if not section.get("measured_ok"):
        return (
            f"| shape | p50 | p99 | bar |\n|---|--:|--:|--:|\n"
            f"| {SHAPE} | **not measured yet** | **not measured yet** | p99 < 20 ms |\n\n"
            f"Reason: {section.get('reason', 'unknown')}.\n"
        )
    return (
        f"| shape | p50 | p99 | bar |\n|---|--:|--:|--:|\n"
        f"| {section.get('shape', SHAPE)} | {section['p50_ms']:.2f} ms"
        f" | {section['p99_ms']:.2f} ms | p99 < 20 ms |\n"
    )
