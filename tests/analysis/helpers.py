"""Shortcuts for analyzer tests."""

from __future__ import annotations

import pytest

from esqlsh.analysis.analyzer import analyze
from esqlsh.clusters.base import Catalog
from esqlsh.errors import EsqlError
from esqlsh.plan.logical import Plan
from esqlsh.syntax import ast
from tests.analysis.conftest import make_catalog


def plan_of(query: ast.Query, catalog: Catalog | None = None, params: object = None) -> Plan:
    return analyze(query, catalog or make_catalog(), params)  # type: ignore[arg-type]


def error_of(query: ast.Query, catalog: Catalog | None = None, params: object = None) -> str:
    """The reason text without the ``Found N problem(s)`` header (ES's tests' form:
    ``1:19: msg`` then ``line 1:30: msg``)."""
    with pytest.raises(EsqlError) as info:
        analyze(query, catalog or make_catalog(), params)  # type: ignore[arg-type]
    reason = info.value.reason
    if reason.startswith("Found "):
        reason = reason.split("\n", 1)[1]
    return reason.removeprefix("line ")


def schema_of(plan: Plan) -> list[str]:
    return [f"{a.name}:{a.type.value}" for a in plan.schema]
