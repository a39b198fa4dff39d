"""``run_specs.py --split N``: every test over the fixture rows split across N clusters.

The data: ``fixtures.fixture_cluster_split`` cuts each index's rows into N
contiguous chunks, one per embedded cluster ``c1``…``cN`` (so reading the
clusters in order gives the original row order), with full copies of the lookup
indices, the enrich policies and their sources on every cluster; the local
cluster (``fixtures.fixture_split_local``) holds no rows, only those copies, for
the LOOKUP JOINs and ENRICHes the coordinator runs after a pipeline breaker.

The query: the FROM command's index patterns become ``c1:p,c2:p,…,cN:p`` for
every pattern ``p`` (exclusions included, ``METADATA`` kept). Only the characters
of the pattern list are replaced; everything else keeps its text. A lookup-mode
index holds all its rows on every cluster, so a FROM that names one reads it from
``c1`` only, and a wildcard that matches one excludes it on the other clusters
(``c2:-languages_lookup``): every row is read exactly once. ROW, SHOW and
queries that cannot be parsed go through unchanged.

The expectations, adjusted only where the rewrite itself changes the right answer:
- positions: a warning's ``Line L:C`` after the pattern list moves by exactly the
  length the list gained (the query text Elasticsearch would see is the rewritten
  one, and it reports positions in it);
- ``METADATA _index``: a remote row's ``_index`` is ``cK:index``. Where ``_index``
  only passes through to the output (KEEP, SORT, ``EVAL x = _index``, RENAME),
  each expected value gets the prefix of the cluster its row lives on, found by
  matching the row's other columns against each cluster's chunk. Where the query
  computes with ``_index`` (WHERE, STATS BY, a function), the right answer is
  different and cannot be derived from the spec: the test is not applicable
  (skipped, with that reason).

Execution goes through the real coordinator, ``esqlsh.coordinator.run_federated``
over a ``Registry`` of the N + 1 embedded clusters (``skip_unavailable: false``,
so a cluster's error is the query's error, as in single mode). The split
planner's own ``esqlsh.coordinator.split_exec.run_split_in_process`` (no fan-out) can be
chosen instead with ``--split-executor in-process``, to tell a planning bug from
a fan-out bug.
"""

from __future__ import annotations

import dataclasses
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from esqlsh.clusters.embedded import EmbeddedCluster
from esqlsh.errors import ParsingError
from esqlsh.syntax import ast
from esqlsh.syntax.parser import parse
from esqlsh.syntax.printer import index_pattern
from tests.conformance.compare import Comparison, compare_result
from tests.conformance.csvspec import SpecTest
from tests.conformance.fixtures import (
    fixture_cluster,
    fixture_cluster_split,
    fixture_split_local,
)
from tests.conformance.modes import NotApplicable

LOCAL_ALIAS = "local"


def cluster_aliases(n: int) -> list[str]:
    return [f"c{k + 1}" for k in range(n)]


# ----------------------------------------------------------------- positions


@dataclass(frozen=True)
class Edit:
    """``text[start:end]`` replaced by ``replacement``."""

    text: str
    start: int
    end: int
    replacement: str

    @property
    def new_text(self) -> str:
        return self.text[: self.start] + self.replacement + self.text[self.end :]

    def moved(self, line: int, column: int) -> tuple[int, int]:
        """Where the 1-based ``line:column`` of the old text is in the new text
        (positions before the replaced range stay put)."""
        offset = _offset(self.text, line, column)
        if offset is None or offset < self.end:
            return line, column
        return _position(self.new_text, offset + len(self.replacement) - (self.end - self.start))


def _offset(text: str, line: int, column: int) -> int | None:
    starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]
    if not 1 <= line <= len(starts):
        return None
    return starts[line - 1] + column - 1


def _position(text: str, offset: int) -> tuple[int, int]:
    before = text[:offset]
    return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1


# ``Line 1:37: evaluation of …`` and ``… shadowed by field at line 1:41``.
_WARNING_POSITION = re.compile(r"\b([Ll]ine) (\d+):(\d+)\b")


def move_warning(edit: Edit, warning: str) -> str:
    """A warning with every ``line L:C`` in it moved by ``edit``."""

    def moved(match: re.Match[str]) -> str:
        line, column = edit.moved(int(match.group(2)), int(match.group(3)))
        return f"{match.group(1)} {line}:{column}"

    return _WARNING_POSITION.sub(moved, warning)


# ------------------------------------------------------------------- rewrite


@dataclass(frozen=True)
class SplitQuery:
    """A test as the split run asks and judges it."""

    query: str
    test: SpecTest


class Rewriter:
    """Rewrites tests for ``aliases`` (``c1``…); ``full`` is the unsplit fixture
    cluster (index modes, pattern resolution), ``parts`` the split clusters."""

    def __init__(self, full: EmbeddedCluster, parts: Sequence[EmbeddedCluster]):
        self.full = full
        self.parts = list(parts)
        self.aliases = cluster_aliases(len(parts))

    def rewrite(self, test: SpecTest) -> SplitQuery:
        try:
            query = parse(test.query)
        except ParsingError:
            return SplitQuery(test.query, test)  # fails as in single mode
        source = query.commands[0] if query.commands else None
        if not isinstance(source, ast.From) or not source.patterns:
            return SplitQuery(test.query, test)
        edit = self._edit(test.query, source)
        expected = dataclasses.replace(
            test,
            warnings=[move_warning(edit, w) for w in test.warnings],
            warning_regexes=[move_warning(edit, w) for w in test.warning_regexes],
        )
        if "_index" in source.metadata:
            expected = self._remote_index_names(expected, query, source)
        return SplitQuery(edit.new_text, expected)

    # --- FROM ------------------------------------------------------------------

    def _edit(self, text: str, source: ast.From) -> Edit:
        patterns: list[str] = []
        exclusions: list[str] = []
        for pattern in source.patterns:
            targets, excluded = self._spread(pattern)
            patterns += targets
            exclusions += excluded
        first, last = source.patterns[0].source, source.patterns[-1].source
        return Edit(text, first.start, last.end, ",".join(patterns + exclusions))

    def _spread(self, pattern: ast.IndexPattern) -> tuple[list[str], list[str]]:
        """(the pattern on each cluster, lookup indices to exclude on all but c1)."""
        if pattern.cluster is not None:
            return [index_pattern(pattern)], []
        if pattern.index.startswith("<"):
            raise NotApplicable(
                "a date-math pattern always names the local cluster, which holds no rows"
            )
        on = [index_pattern(dataclasses.replace(pattern, cluster=a)) for a in self.aliases]
        if pattern.index.startswith("-"):
            return on, []
        lookups = [
            name
            for name in self.full.resolve(pattern.index)
            if (info := self.full.index(name)) is not None and info.mode == "lookup"
        ]
        if not lookups:
            return on, []
        if "*" not in pattern.index:
            return on[:1], []  # every cluster holds all of a lookup index's rows
        excluded = [
            index_pattern(ast.IndexPattern(index=f"-{name}", cluster=alias))
            for alias in self.aliases[1:]
            for name in lookups
        ]
        return on, excluded

    # --- METADATA _index ---------------------------------------------------------

    def _remote_index_names(self, test: SpecTest, query: ast.Query, source: ast.From) -> SpecTest:
        carriers = _index_carriers(query)
        if test.columns is None:
            return test
        columns = [name for name, _ in test.columns]
        carried = [i for i, name in enumerate(columns) if name in carriers]
        if not carried:
            return test
        indices = set(self.full.resolve(",".join(index_pattern(p) for p in source.patterns)))
        rows = [list(row) for row in test.rows]
        for number, row in enumerate(rows):
            for column in carried:
                value = row[column] if column < len(row) else None
                if value is None or value not in indices:
                    continue
                k = self._chunk_of(value, columns, row, carriers)
                row[column] = f"{self.aliases[k]}:{value}"
            rows[number] = row
        return dataclasses.replace(test, rows=rows)

    def _chunk_of(
        self, index: str, columns: list[str], row: list[str | None], skip: set[str]
    ) -> int:
        """The cluster whose chunk of ``index`` holds the expected ``row``."""
        info = self.full.index(index)
        assert info is not None
        keys = {
            name: row[i]
            for i, name in enumerate(columns)
            if i < len(row)
            and name not in skip
            and row[i] is not None
            and info.fields.get(name) is not None
            and info.fields[name].value in _MATCHABLE
        }
        if not keys:
            raise NotApplicable(
                f"METADATA _index: no column tells which cluster a row of [{index}] is on"
            )
        found = [k for k, part in enumerate(self.parts) if _holds(part, index, keys)]
        if len(found) != 1:
            raise NotApplicable(
                f"METADATA _index: the row {keys} of [{index}] is on "
                f"{len(found)} clusters, cannot name its cluster"
            )
        return found[0]


_MATCHABLE = frozenset({"integer", "long", "keyword", "boolean"})


def _holds(part: EmbeddedCluster, index: str, keys: dict[str, str | None]) -> bool:
    """Whether ``part``'s rows of ``index`` include one with these cell texts
    (test set-up: one filter over the chunk, not per row)."""
    if part.index(index) is None:
        return False
    names = list(keys)
    frame = part.scan(index, names)
    condition = pl.all_horizontal(
        [pl.col(name).cast(pl.String) == str(value) for name, value in keys.items()]
    )
    return bool(frame.filter(condition).select(pl.len()).collect().item() > 0)


def _index_carriers(query: ast.Query) -> set[str]:
    """The output names that carry the metadata ``_index`` value unchanged; raises
    ``NotApplicable`` when the query computes with it (then a split answer differs
    from the spec's for a reason that is not a bug)."""
    carriers = {"_index"}
    for command in query.commands[1:]:
        if isinstance(command, ast.Eval):
            for assignment in command.fields:
                expr = assignment.expr
                name = assignment.name or expr.source.text
                if isinstance(expr, ast.FieldRef) and expr.name in carriers:
                    carriers.add(name)
                    continue
                _refuse_refs(command, expr, carriers)
                carriers.discard(name)
        elif isinstance(command, ast.Sort):
            for order in command.orders:
                if not (isinstance(order.expr, ast.FieldRef) and order.expr.name in carriers):
                    _refuse_refs(command, order.expr, carriers)
        elif isinstance(command, ast.Rename):
            for item in command.items:
                carriers.discard(item.new)
                if item.old in carriers:
                    carriers.discard(item.old)
                    carriers.add(item.new)
        elif isinstance(command, ast.Drop):
            carriers -= set(command.patterns)
        elif isinstance(command, (ast.Keep, ast.Limit)):
            continue
        elif isinstance(command, ast.Stats):
            _refuse_refs(command, command, carriers)
            carriers = set()
        else:
            _refuse_refs(command, command, carriers)
    return carriers


def _refuse_refs(command: object, node: object, carriers: set[str]) -> None:
    used = sorted({n for n in _field_refs(node)} & carriers) or sorted(
        _named_fields(node) & carriers
    )
    if used:
        raise NotApplicable(
            f"METADATA _index: {type(command).__name__.upper()} computes with [{used[0]}], "
            "and a remote row's _index is cluster:index, so the spec's answer does not apply"
        )


def _field_refs(node: object) -> Iterator[str]:
    if isinstance(node, ast.FieldRef):
        yield node.name
        return
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        for f in dataclasses.fields(node):
            if f.name != "source":
                yield from _field_refs(getattr(node, f.name))
    elif isinstance(node, (tuple, list)):
        for item in node:
            yield from _field_refs(item)


def _named_fields(node: object) -> set[str]:
    """Field names commands hold as strings (ENRICH ON, LOOKUP JOIN ON, MV_EXPAND)."""
    if isinstance(node, ast.Enrich):
        return {node.on} if node.on else set()
    if isinstance(node, ast.LookupJoin):
        return set(node.on)
    if isinstance(node, ast.MvExpand):
        return {node.field}
    return set()


# ----------------------------------------------------------------- execution

RunSplit = Callable[[str, threading.Event], Any]


EXECUTORS = ("coordinator", "in-process")


def split_runner(
    parts: Sequence[EmbeddedCluster], local: EmbeddedCluster, executor: str = "coordinator"
) -> tuple[RunSplit, Callable[[], None]]:
    """(run a query text over the split clusters, close). ``coordinator`` is the
    real thing (``run_federated`` over a registry); ``in-process`` the split
    engineer's ``run_split_in_process``, which skips the fan-out, for comparing.
    No silent fallback: a broken coordinator must fail the run, not be bypassed."""
    if executor == "coordinator":
        from esqlsh.coordinator import run_federated

        registry = build_registry(parts, local)

        def federated(text: str, cancel: threading.Event) -> Any:
            return run_federated(text, registry, cancel=cancel)

        return federated, registry.close
    if executor != "in-process":
        raise ValueError(f"unknown split executor [{executor}], expected one of {EXECUTORS}")
    from esqlsh.coordinator.split_exec import run_split_in_process

    storages = {LOCAL_ALIAS: local, **dict(zip(cluster_aliases(len(parts)), parts, strict=True))}

    def in_process(text: str, cancel: threading.Event) -> Any:
        return run_split_in_process(text, storages, LOCAL_ALIAS, None)

    return in_process, lambda: None


def build_registry(parts: Sequence[EmbeddedCluster], local: EmbeddedCluster) -> Any:
    """A registry of the embedded ``local`` cluster and ``c1``…``cN``; errors are
    never skipped (``skip_unavailable: false``): a conformance test wants them."""
    from esqlsh.clusters.config import ClusterSpec, Config
    from esqlsh.clusters.registry import Registry

    specs = {LOCAL_ALIAS: ClusterSpec(alias=LOCAL_ALIAS, type="embedded", path=Path(local.path))}
    for alias, part in zip(cluster_aliases(len(parts)), parts, strict=True):
        specs[alias] = ClusterSpec(
            alias=alias, type="embedded", path=Path(part.path), skip_unavailable=False
        )
    return Registry.from_config(Config(local=LOCAL_ALIAS, clusters=specs, path=None))


class SplitJudge:
    """Runs tests over ``n`` split clusters."""

    def __init__(self, fixtures_dir: Path, n: int, executor: str = "coordinator"):
        self.parts = fixture_cluster_split(fixtures_dir, n)
        self.local = fixture_split_local(fixtures_dir, n)
        self.rewriter = Rewriter(fixture_cluster(fixtures_dir), self.parts)
        self.run_split, self.close = split_runner(self.parts, self.local, executor)

    def query_of(self, test: SpecTest) -> str:
        """The query the split run sends (for reports); the original if not applicable."""
        try:
            return self.rewriter.rewrite(test).query
        except NotApplicable:
            return test.query

    def __call__(self, test: SpecTest) -> Comparison:
        split = self.rewriter.rewrite(test)
        cancel = threading.Event()
        try:
            result = self.run_split(split.query, cancel)
        finally:
            cancel.set()  # a timed-out query's fragments stop too
        return compare_result(split.test, result)
