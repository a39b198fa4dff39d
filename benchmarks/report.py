"""The benchmark report: ``benchmarks/results.json`` (every figure) and
``benchmarks/RESULTS.md`` (the tables, the targets of issue 7, the machine).

Each benchmark (engine, fanout, transfer, startup, completion) stores one
*section* of ``results.json``; ``update`` merges new sections into what is stored
(a quick ``--only fanout`` run keeps the other sections) and renders the Markdown
again from the whole JSON, so the two files always say the same thing.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
JSON_PATH = HERE / "results.json"
MD_PATH = HERE / "RESULTS.md"
ORDER = ("engine", "fanout", "transfer", "startup", "completion")


# ------------------------------------------------------------------ machine


def _meminfo_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / (1 << 20), 1)
    except OSError:
        pass
    return None


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _version(module: str) -> str | None:
    try:
        from importlib.metadata import version

        return version(module)
    except Exception:
        return None


def machine() -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "ram_gib": _meminfo_gib(),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "polars": _version("polars"),
        "duckdb": _version("duckdb"),
        "pyarrow": _version("pyarrow"),
    }


def load() -> list[float]:
    """The 1, 5 and 15 minute load averages (the machine is shared)."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


def stamp(section: dict[str, Any], load_before: list[float]) -> dict[str, Any]:
    """``section`` with when it was measured and the load around it."""
    return {
        **section,
        "measured": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load_before": load_before,
        "load_after": load(),
    }


# ------------------------------------------------------------------ storage


def read() -> dict[str, Any]:
    try:
        stored = json.loads(JSON_PATH.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}
    # A results.json from before the suite (engine only) is not merged into.
    return stored if isinstance(stored.get("sections"), dict) else {}


def update(sections: dict[str, dict[str, Any]], note: str | None = None) -> dict[str, Any]:
    """Merge ``sections`` into results.json, then write both files."""
    stored = read()
    merged = {**stored.get("sections", {}), **sections}
    payload: dict[str, Any] = {
        "machine": machine(),
        "note": note if note is not None else stored.get("note"),
        "sections": {k: merged[k] for k in ORDER if k in merged},
    }
    payload["targets"] = targets(payload["sections"])
    JSON_PATH.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    MD_PATH.write_text(render(payload), encoding="utf-8")
    return payload


# ------------------------------------------------------------------ targets


def _target(name: str, bar: str, value: float | None, limit: float, unit: str) -> dict[str, Any]:
    met = None if value is None else value <= limit
    return {"target": name, "bar": bar, "value": value, "unit": unit, "met": met}


def targets(sections: dict[str, Any]) -> list[dict[str, Any]]:
    """Issue 7's acceptance figures, each with the measured value and whether it
    is met (None: not measured)."""
    out = []
    engine = sections.get("engine", {})
    out.append(
        _target(
            "engine median ratio vs DuckDB",
            "≤ 1.0×",
            (engine.get("median_ratio") or {}).get("duckdb"),
            1.0,
            "×",
        )
    )
    worst = (engine.get("max_ratio") or {}).get("duckdb")
    out.append(
        {
            **_target(
                "engine worst query vs DuckDB", "≤ 2.0×", worst[1] if worst else None, 2.0, "×"
            ),
            "detail": worst[0] if worst else None,
        }
    )
    fanout = sections.get("fanout", {})
    out.append(_target("8 clusters at 200 ms ÷ 1", "≤ 1.2×", _fanout_ratio(fanout), 1.2, "×"))
    transfer = sections.get("transfer", {})
    out.append(
        _target(
            "STATS transfer ÷ raw matching rows (4 embedded clusters)",
            "≤ 1%",
            transfer.get("headline_percent"),
            1.0,
            "%",
        )
    )
    startup = {p["name"]: p for p in sections.get("startup", {}).get("pairs", [])}
    out.append(
        _target(
            "`esqlsh -q 'ROW a=1' --format csv` ÷ `import polars`",
            "≤ 1.3×",
            startup.get("query", {}).get("ratio_median"),
            1.3,
            "×",
        )
    )
    out.append(
        _target(
            "`esqlsh --help` ÷ `import click`",
            "≤ 2.0×",
            startup.get("help", {}).get("ratio_median"),
            2.0,
            "×",
        )
    )
    completion = sections.get("completion", {})
    p99 = completion.get("p99_ms") if completion.get("measured_ok") else None
    out.append(
        {
            **_target("completion p99", "< 20 ms", p99, 20.0, "ms"),
            "met": None if p99 is None else p99 < 20.0,
        }
    )
    return out


def _fanout_ratio(section: dict[str, Any]) -> float | None:
    mode = section.get("modes", {}).get("http 200 ms", {})
    one, eight = mode.get("1"), mode.get("8")
    if not one or not eight:
        return None
    return float(eight["median_ms"]) / float(one["median_ms"])


# ------------------------------------------------------------------ markdown


def _fmt_value(t: dict[str, Any]) -> str:
    if t["value"] is None:
        return "not measured"
    if t["unit"] == "%":
        return f"{t['value']:.2f} %"
    if t["unit"] == "ms":
        return f"{t['value']:.1f} ms"
    return f"{t['value']:.2f}×"


def _verdict(t: dict[str, Any]) -> str:
    return {True: "met", False: "**missed**", None: "—"}[t["met"]]


def targets_markdown(rows: list[dict[str, Any]]) -> str:
    lines = ["| target | bar | measured | |", "|---|--:|--:|---|"]
    for t in rows:
        name = t["target"] + (f" ({t['detail']})" if t.get("detail") else "")
        lines.append(f"| {name} | {t['bar']} | {_fmt_value(t)} | {_verdict(t)} |")
    return "\n".join(lines) + "\n"


def machine_markdown(m: dict[str, Any]) -> str:
    return (
        f"- {m['cpus']} CPUs ({m['cpu_model']}), {m['ram_gib']} GiB RAM, {m['os']}\n"
        f"- Python {m['python']}, Polars {m['polars']}, DuckDB {m['duckdb']},"
        f" PyArrow {m['pyarrow']}\n"
    )


def _run_line(section: dict[str, Any]) -> str:
    before, after = section.get("load_before") or [], section.get("load_after") or []
    load_text = ""
    if before and after:
        load_text = f"; load average (1 min) {before[0]:.2f} before, {after[0]:.2f} after"
    return f"_Measured {section.get('measured', '?')}{load_text}._\n\n"


def render(payload: dict[str, Any]) -> str:
    import completion_report
    import engine
    import fanout
    import startup
    import transfer

    renderers: dict[str, tuple[str, Callable[[dict[str, Any]], str]]] = {
        "engine": ("1. Engine: esqlsh vs DuckDB and Polars", engine.markdown),
        "fanout": ("2. Fan-out: k clusters ÷ one", fanout.markdown),
        "transfer": ("3. Transfer: what clusters return for STATS", transfer.markdown),
        "startup": ("4. Start-up (whole process)", startup.markdown),
        "completion": ("5. Completion latency", completion_report.markdown),
    }
    sections = payload["sections"]
    parts = [
        "# esqlsh benchmarks\n\n",
        "Produced by `.venv/bin/python benchmarks/suite.py` (see `--help` for quick runs);"
        " every figure is also in `benchmarks/results.json`. Ratios > 1 mean esqlsh is"
        " slower or bigger.\n\n",
        "## Machine\n\n",
        machine_markdown(payload["machine"]),
        "- Shared and noisy: other work runs on the same 2 CPUs while these figures are"
        " taken; the load averages are given per section. Medians and ratios taken in"
        " alternation are the figures to trust, not single times.\n",
    ]
    if payload.get("note"):
        parts.append(f"- {payload['note']}\n")
    parts += ["\n## Targets (issue 7)\n\n", targets_markdown(payload["targets"])]
    for key in ORDER:
        title, render_section = renderers[key]
        parts.append(f"\n## {title}\n\n")
        if key in sections:
            parts += [_run_line(sections[key]), render_section(sections[key])]
        else:
            parts.append("**Not measured yet.**\n")
    if "engine" in sections:
        parts += ["\n### Engine queries\n\n", engine.queries_markdown(sections["engine"])]
    return "".join(parts)
