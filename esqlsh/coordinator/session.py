"""One query against one in-process cluster: parse, analyze, execute.

``run_query`` is the whole pipeline for a ``Storage`` (an embedded cluster); it
raises the stages' ``EsqlError``s unchanged and times the query as Elasticsearch
reports ``took`` (milliseconds, the whole request).
"""

from __future__ import annotations

import time
from typing import Any

from esqlsh.clusters.base import Storage
from esqlsh.engine.result import Result


def run_query(
    text: str,
    storage: Storage,
    params: Any = None,
    *,
    now_millis: int | None = None,
) -> Result:
    """Run ES|QL ``text`` over ``storage``; ``params`` fill ``?`` placeholders."""
    # Imported here so that importing the coordinator stays cheap.
    from esqlsh.analysis.analyzer import analyze
    from esqlsh.engine.executor import execute
    from esqlsh.syntax.parser import parse

    started = time.perf_counter()
    query = parse(text)
    plan = analyze(query, storage, params)
    result = execute(plan, storage, now_millis=now_millis)
    # execute() already starts its warnings with the plan's; keep them first.
    result.warnings = _dedup([*plan.warnings, *result.warnings])
    result.took_ms = int((time.perf_counter() - started) * 1000)
    return result


def _dedup(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))
