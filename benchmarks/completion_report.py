"""The suite's completion-latency section: runs ``benchmarks/completion.py`` (the
REPL's own benchmark, written with the completer) when it exists and keeps its
p50 / p99; until then the section says "not measured yet".
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "completion.py"
SHAPE = "3 clusters × 10,000 indices × 1,000 fields"


def run() -> dict[str, Any]:
    """The ``completion`` section of results.json: completion.py's own table (it
    prints Markdown; ``--out`` keeps it) and the figures of its ``all`` row."""
    if not SCRIPT.exists():
        return {"measured_ok": False, "reason": "benchmarks/completion.py does not exist yet"}
    print("completion: running benchmarks/completion.py (3 x 10k x 1k)", file=sys.stderr)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "completion.md"
        done = subprocess.run(
            [sys.executable, str(SCRIPT), "--out", str(out)],
            capture_output=True,
            text=True,
            timeout=1800,
        )
        table = out.read_text(encoding="utf-8") if out.exists() else ""
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        return {"measured_ok": False, "reason": "completion.py failed: " + " / ".join(tail)}
    return parse(table)


_ALL = re.compile(
    r"^\|\s*\*\*all\*\*\s*\|\s*(\d+)\s*\|\s*([\d.]+)\s*\|\s*([\d.]+)\s*\|\s*([\d.]+)\s*\|",
    re.MULTILINE,
)


def parse(table: str) -> dict[str, Any]:
    """The p50 / p99 / max of completion.py's ``**all**`` row, and its table."""
    match = _ALL.search(table)
    if match is None:
        return {"measured_ok": False, "reason": "completion.py printed no **all** row"}
    keystrokes, p50, p99, worst = match.groups()
    # Its own heading goes: the suite gives the section one.
    body = "\n".join(line for line in table.splitlines() if not line.startswith("# "))
    return {
        "measured_ok": True,
        "keystrokes": int(keystrokes),
        "p50_ms": float(p50),
        "p99_ms": float(p99),
        "max_ms": float(worst),
        "table": body.strip() + "\n",
    }


def markdown(section: dict[str, Any]) -> str:
    if not section.get("measured_ok"):
        return (
            f"| shape | p50 | p99 | bar |\n|---|--:|--:|--:|\n"
            f"| {SHAPE} | **not measured yet** | **not measured yet** | p99 < 20 ms |\n\n"
            f"Reason: {section.get('reason', 'unknown')}.\n"
        )
    return (
        f"| shape | keystrokes | p50 | p99 | max | bar |\n|---|--:|--:|--:|--:|--:|\n"
        f"| {SHAPE} | {section['keystrokes']} | {section['p50_ms']:.2f} ms"
        f" | {section['p99_ms']:.2f} ms | {section['max_ms']:.2f} ms | p99 < 20 ms |\n\n"
        "From `benchmarks/completion.py` (the REPL's own benchmark), whose table"
        " follows:\n\n" + str(section.get("table", ""))
    )
