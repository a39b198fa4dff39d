"""CLI test helpers: an ``Environment`` over StringIO, and stand-ins for the engine
so the command line is tested on its own (``test_acceptance.py`` runs the real one)."""

from __future__ import annotations

import io
import sys
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from esqlsh.analysis.types import DataType as T
from esqlsh.cli import run
from esqlsh.engine.result import Result
from esqlsh.env import Environment
from esqlsh.exit import ExitStatus
from esqlsh.plan.logical import Attribute


@dataclass
class Outcome:
    status: ExitStatus
    stdout: str
    stderr: str
    env: Environment


def make_env(stdin: str = "", *, stdin_isatty: bool = False, tty: bool = False) -> Environment:
    return Environment(
        stdin=io.StringIO(stdin),
        stdout=io.StringIO(),
        stderr=io.StringIO(),
        stdin_isatty=stdin_isatty,
        stdout_isatty=tty,
        stderr_isatty=tty,
        stdout_colors=tty,
        stderr_colors=tty,
        terminal_width=80,
        environ={},
    )


def invoke(argv: list[str], env: Environment | None = None) -> Outcome:
    env = env or make_env()
    status = run(argv, env)
    assert isinstance(env.stdout, io.StringIO) and isinstance(env.stderr, io.StringIO)
    return Outcome(status, env.stdout.getvalue(), env.stderr.getvalue(), env)


def abc_result(warnings: list[str] | None = None, partial: bool = False) -> Result:
    frame = pl.DataFrame(
        [pl.Series("a", [1], pl.Int32), pl.Series("b", ["x"]), pl.Series("c", [2], pl.Int32)]
    )
    columns = (Attribute("a", T.INTEGER), Attribute("b", T.KEYWORD), Attribute("c", T.INTEGER))
    return Result(columns, frame, warnings=warnings or [], is_partial=partial)


@dataclass
class FakeEngine:
    """Records calls; ``answer`` makes the result (or raises)."""

    answer: Callable[[str], Result] = lambda text: abc_result()
    calls: list[tuple[str, Any, Any]] = field(default_factory=list)
    loads: list[dict[str, Any]] = field(default_factory=list)

    def run_query(self, text: str, storage: Any, params: Any = None) -> Result:
        self.calls.append((text, storage, params))
        return self.answer(text)


@pytest.fixture
def engine(monkeypatch: pytest.MonkeyPatch) -> FakeEngine:
    fake = FakeEngine()
    session = types.ModuleType("esqlsh.coordinator.session")
    session.run_query = fake.run_query  # type: ignore[attr-defined]
    embedded = types.ModuleType("esqlsh.clusters.embedded")
    embedded.EmbeddedCluster = lambda path: ("cluster", Path(path))  # type: ignore[attr-defined]
    ingest = types.ModuleType("esqlsh.clusters.ingest")

    def load_index(path: Path, index: str, files: list[Path], **kw: Any) -> int:
        fake.loads.append({"path": path, "index": index, "files": files, **kw})
        return 7

    ingest.load_index = load_index  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "esqlsh.coordinator.session", session)
    monkeypatch.setitem(sys.modules, "esqlsh.clusters.embedded", embedded)
    monkeypatch.setitem(sys.modules, "esqlsh.clusters.ingest", ingest)
    return fake
