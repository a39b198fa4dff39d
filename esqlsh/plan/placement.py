"""Where each command of a cross-cluster query runs: in every cluster's fragment, on
the coordinator, or both. Works on the AST alone, so it can answer before any
cluster is contacted (policy checks, verification).

The query after FROM is first put in the order Elasticsearch's optimizer gives it
(:func:`normalize`): a WHERE right after a SORT goes before it, and a SORT whose
order a STATS discards is dropped. Then the query's effective limit is appended as
an explicit LIMIT (the one Elasticsearch adds: 1000 without any LIMIT, the 10000
cap otherwise), so that every query ends in a pipeline breaker.

Streaming commands (WHERE, EVAL, KEEP, DROP, RENAME, DISSECT, GROK, MV_EXPAND,
LOOKUP JOIN, ``_any``/``_remote`` ENRICH) up to the first breaker go to the
fragment. At the breaker (:func:`place`):

- ``LIMIT n``: the fragment ends with ``LIMIT n``; the coordinator keeps it all;
- ``SORT … [commands that keep every row] LIMIT n``: the fragment ends with
  ``SORT … | LIMIT n`` (top n per cluster), the coordinator sorts and limits
  again; the commands in between may add rows (MV_EXPAND, LOOKUP JOIN), as
  Elasticsearch copies the LIMIT before them;
- ``_coordinator`` ENRICH followed by such commands and ``LIMIT n``: the LIMIT
  also goes to the fragment (Elasticsearch pushes it below the ENRICH);
- STATS: decided with the analysed plan (:mod:`esqlsh.plan.partials`);
- anything else: the fragment ships its rows, the coordinator runs the rest.

A ``_remote`` ENRICH after the breaker must still run in the fragments: the
commands up to it move there when only row-keeping commands and LIMITs separate it
from a LIMIT or top-n breaker (both are then repeated on the coordinator);
otherwise the query is refused, as Elasticsearch refuses a remote ENRICH it cannot
run before the limit (``ENRICH with remote policy can't be executed after LIMIT``).
:func:`verify_remote_enrich` holds Elasticsearch 9.1's own ordering checks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from esqlsh.analysis.analyzer import DEFAULT_LIMIT, MAX_LIMIT, enrich_mode
from esqlsh.analysis.expressions import problem_at
from esqlsh.errors import Problem, VerificationError
from esqlsh.syntax import ast

Strategy = Literal["limit", "top-n", "stats", "rows"]
RunsOn = Literal["fragment", "coordinator"]

_STREAMING = (
    ast.Where,
    ast.Eval,
    ast.Keep,
    ast.Drop,
    ast.Rename,
    ast.Dissect,
    ast.Grok,
    ast.MvExpand,
    ast.LookupJoin,
)
# Commands that keep every row and add none: a LIMIT commutes with them.
_ROW_KEEPING = (ast.Eval, ast.Keep, ast.Drop, ast.Rename, ast.Dissect, ast.Grok, ast.Enrich)
# Commands that keep every row and may add some: a copy of a LIMIT after them
# may go before them (the optimizer's ``PushDownLimitAndOrderBy`` duplicates it).
_ROW_ADDING = (ast.MvExpand, ast.LookupJoin)
# What may separate a SORT from the STATS whose input order it would set (no
# aggregate's result depends on the order of its input rows).
_ORDER_BLIND = (*_STREAMING, ast.Enrich)

REMOTE_AFTER = "ENRICH with remote policy can't be executed after {}"
# How the remote-ENRICH error names a breaker (LIMIT for the implicit one of a SORT).
_BREAKER_NAMES: dict[type, str] = {
    ast.Sample: "SAMPLE",
    ast.Stats: "STATS",
    ast.InlineStats: "STATS",
    ast.Enrich: "another ENRICH with coordinator policy",
}


def is_streaming(cmd: ast.Command) -> bool:
    if isinstance(cmd, ast.Enrich):
        return enrich_mode(cmd) != "_coordinator"
    return isinstance(cmd, _STREAMING)


def is_remote_enrich(cmd: ast.Command) -> bool:
    return isinstance(cmd, ast.Enrich) and enrich_mode(cmd) == "_remote"


# ---------------------------------------------------------------- normalize


def normalize(commands: Sequence[ast.Command]) -> list[ast.Command]:
    """The processing commands in the order Elasticsearch's optimizer runs them."""
    return _drop_sorts_before_stats(_filters_before_sorts(list(commands)))


def _filters_before_sorts(cmds: list[ast.Command]) -> list[ast.Command]:
    """``PushDownAndCombineFilters`` moves a WHERE below a SORT (a SORT changes no
    column, so any WHERE can pass it)."""
    moved = True
    while moved:
        moved = False
        for i in range(len(cmds) - 1):
            if isinstance(cmds[i], ast.Sort) and isinstance(cmds[i + 1], ast.Where):
                cmds[i], cmds[i + 1] = cmds[i + 1], cmds[i]
                moved = True
    return cmds


def _drop_sorts_before_stats(cmds: list[ast.Command]) -> list[ast.Command]:
    """``PruneOrderByBeforeStats``: a SORT reaching a STATS through commands that
    ignore row order is dropped (the STATS output has no order anyway)."""
    out: list[ast.Command] = []
    for i, cmd in enumerate(cmds):
        if isinstance(cmd, ast.Sort) and _reaches_stats(cmds, i + 1):
            continue
        out.append(cmd)
    return out


def _reaches_stats(cmds: list[ast.Command], start: int) -> bool:
    for cmd in cmds[start:]:
        if isinstance(cmd, ast.Stats):
            return True
        if not isinstance(cmd, _ORDER_BLIND):
            return False
    return False


def effective_limit(commands: Sequence[ast.Command]) -> ast.Limit:
    """The LIMIT Elasticsearch appends: the default without any LIMIT in the query,
    otherwise the result cap. Synthetic: it prints, but carries no position."""
    count = MAX_LIMIT if any(isinstance(c, ast.Limit) for c in commands) else DEFAULT_LIMIT
    return ast.Limit(count, ast.Source.synthetic(f"LIMIT {count}"))


# -------------------------------------------------------------------- place


@dataclass
class Placement:
    """``fragment``: the commands after FROM every cluster runs; ``coordinator``: the
    commands after the exchange. ``breaker`` is the command the cut is at and
    ``hoisted`` the commands after it moved into the fragment for a ``_remote``
    ENRICH. The final synthetic LIMIT is never in ``coordinator`` (the
    coordinator's analysis adds it again, with the default-limit warning)."""

    fragment: list[ast.Command]
    coordinator: list[ast.Command]
    strategy: Strategy
    breaker: ast.Command
    unbounded: bool = False
    hoisted: list[ast.Command] = field(default_factory=list)


def place(query: ast.Query) -> Placement:
    """The placement of ``query`` (FROM first); raises VerificationError for a
    ``_remote`` ENRICH that cannot run in the fragments."""
    rest = normalize(query.commands[1:])
    final = effective_limit(rest)
    cmds = [*rest, final]
    b = next(i for i, c in enumerate(cmds) if not is_streaming(c))
    remote = [i for i in range(b + 1, len(cmds)) if is_remote_enrich(cmds[i])]
    placement = _at_breaker(cmds, b, remote[-1] if remote else None)
    placement.coordinator = [c for c in placement.coordinator if c is not final]
    return placement


def _at_breaker(cmds: list[ast.Command], b: int, remote: int | None) -> Placement:
    prefix, breaker = cmds[:b], cmds[b]
    if isinstance(breaker, ast.Limit):
        return _at_limit(cmds, b, remote)
    if isinstance(breaker, ast.Sort):
        return _at_sort(cmds, b, remote)
    if remote is not None:
        raise _remote_problem(cmds[remote], _BREAKER_NAMES.get(type(breaker), "LIMIT"))
    if isinstance(breaker, ast.Stats):
        return Placement(prefix, cmds[b:], "stats", breaker, unbounded=True)
    if isinstance(breaker, ast.Enrich):  # _coordinator: a LIMIT after it moves below it
        limit = _limit_through(cmds, b + 1)
        if limit is not None:
            return Placement([*prefix, cmds[limit]], cmds[b:], "limit", breaker)
    return Placement(prefix, cmds[b:], "rows", breaker, unbounded=True)


def _limit_through(cmds: list[ast.Command], start: int) -> int | None:
    """The index of the LIMIT reached from ``start`` through commands that keep
    every row (the first n rows before them give the first n after them)."""
    for i in range(start, len(cmds)):
        if isinstance(cmds[i], ast.Limit):
            return i
        if not isinstance(cmds[i], (*_ROW_KEEPING, *_ROW_ADDING)):
            return None
    return None


def _at_limit(cmds: list[ast.Command], b: int, remote: int | None) -> Placement:
    prefix, limit = cmds[:b], cmds[b]
    if remote is None:
        return Placement([*prefix, limit], cmds[b:], "limit", limit)
    moved = _hoistable(cmds, b + 1, remote)
    limits = [c for c in [limit, *moved] if isinstance(c, ast.Limit)]
    return Placement(
        [*prefix, limit, *moved], [*limits, *cmds[remote + 1 :]], "limit", limit, hoisted=moved
    )


def _at_sort(cmds: list[ast.Command], b: int, remote: int | None) -> Placement:
    prefix, sort = cmds[:b], cmds[b]
    if remote is None:
        limit = _limit_through(cmds, b + 1)
        if limit is None:
            return Placement(prefix, cmds[b:], "rows", sort, unbounded=True)
        return Placement([*prefix, sort, cmds[limit]], cmds[b:], "top-n", sort)
    end = b + 1
    while end < len(cmds) and isinstance(cmds[end], (*_ROW_KEEPING, ast.Limit)):
        end += 1
    limit = next((i for i in range(b + 1, end) if isinstance(cmds[i], ast.Limit)), None)
    if limit is None:
        raise _remote_problem(cmds[remote], "LIMIT")
    last = max(limit, remote)
    moved = _hoistable(cmds, b + 1, last)
    limits = [c for c in moved if isinstance(c, ast.Limit)]
    return Placement(
        [*prefix, sort, *moved], [sort, *limits, *cmds[last + 1 :]], "top-n", sort, hoisted=moved
    )


def _hoistable(cmds: list[ast.Command], start: int, remote: int) -> list[ast.Command]:
    """``cmds[start:remote + 1]`` when a LIMIT commutes with all of them."""
    moved = cmds[start : remote + 1]
    if not all(isinstance(c, (*_ROW_KEEPING, ast.Limit)) for c in moved):
        raise _remote_problem(cmds[remote], "LIMIT")
    return moved


def _remote_problem(enrich: ast.Command, after: str) -> VerificationError:
    return VerificationError([problem_at(enrich.source, REMOTE_AFTER.format(after))])


# ------------------------------------------------------------------- checks


def verify_remote_enrich(query: ast.Query) -> None:
    """Elasticsearch 9.1's ``checkForPlansForbiddenBeforeRemoteEnrich``: a
    ``_remote`` ENRICH cannot follow a STATS, a ``_coordinator`` ENRICH or a LOOKUP
    JOIN. Reported at the ENRICH, the last ENRICH first."""
    problems: list[Problem] = []
    for i in reversed(range(len(query.commands))):
        cmd = query.commands[i]
        if is_remote_enrich(cmd):
            problems.extend(_remote_enrich_problems(cmd, query.commands[:i]))
    if problems:
        raise VerificationError(problems)


def _remote_enrich_problems(enrich: ast.Command, before: Sequence[ast.Command]) -> list[Problem]:
    found: list[str] = []
    if any(isinstance(c, ast.Stats) for c in before):
        found.append("STATS")
    if any(isinstance(c, ast.Enrich) and enrich_mode(c) == "_coordinator" for c in before):
        found.append("another ENRICH with coordinator policy")
    if any(isinstance(c, ast.LookupJoin) for c in before):
        found.append("LOOKUP JOIN")
    return [problem_at(enrich.source, REMOTE_AFTER.format(what)) for what in found]


def enrich_requirements(query: ast.Query) -> list[tuple[str, str, RunsOn]]:
    """Each ENRICH of ``query``, in order: (mode, policy, where it runs). A fragment
    ENRICH uses each target cluster's own policy, a coordinator one the local
    cluster's. (Which clusters Elasticsearch requires the policy on depends on the
    mode only: see ``esqlsh.coordinator.enrich_check``.)"""
    enriches = [c for c in query.commands if isinstance(c, ast.Enrich)]
    if not enriches:
        return []
    in_fragment: set[int] = set()
    if query.commands and isinstance(query.commands[0], ast.From):
        in_fragment = {id(c) for c in place(query).fragment}
    return [
        (enrich_mode(c), c.policy, "fragment" if id(c) in in_fragment else "coordinator")
        for c in enriches
    ]
