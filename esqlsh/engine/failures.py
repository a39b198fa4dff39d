"""Evaluation failures turned into Elasticsearch's response warnings.

Implementations register failure conditions (``EvalContext.fail_when``) while they
are compiled; the executor evaluates them, vectorised, in the same step as the
expressions they belong to (so a mask sees the same input columns), as one message
column per call site. This module builds those columns and turns their first
failing rows into warnings worded as Elasticsearch's ``Warnings`` class words them::

    Line 1:37: evaluation of [a + b] failed, treating result as null. Only first 20 failures recorded.
    Line 1:37: java.lang.IllegalArgumentException: single-value function encountered multi-value

Elasticsearch keeps one ``Warnings`` per call site: a header the first time it
fails, then one line per failed row up to 20 rows; response headers are
deduplicated. A row fails at most once per call site (the first failing check in
registration order), as an evaluator stops at its first exception.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from esqlsh.engine.compiled import Check
from esqlsh.syntax.ast import Source

MAX_ADDED_WARNINGS = 20


@dataclass
class WarningLog:
    """Response warnings in the order they were added, without duplicates."""

    items: list[str] = field(default_factory=list)
    _seen: set[str] = field(default_factory=set)

    def add(self, message: str) -> None:
        if message not in self._seen:
            self._seen.add(message)
            self.items.append(message)

    def extend(self, messages: list[str] | tuple[str, ...]) -> None:
        for message in messages:
            self.add(message)


@dataclass(frozen=True)
class SiteColumn:
    """The message column of one call site: null where the row did not fail."""

    name: str
    source: Source
    treated_as: str


def location(source: Source) -> str:
    return f"Line {source.line}:{source.column}: "


def header(source: Source, treated_as: str = "null") -> str:
    return (
        f"{location(source)}evaluation of [{source.text}] failed, treating result as "
        f"{treated_as}. Only first {MAX_ADDED_WARNINGS} failures recorded."
    )


def _message_expr(check: Check, as_list: bool) -> pl.Expr:
    """The check's message where it failed; ``as_list``: as a list of messages
    (the site has a check with several failures per row)."""
    message = check.message
    msg = pl.lit(message, dtype=pl.String) if isinstance(message, str) else message
    if check.many:
        msg = msg.cast(pl.List(pl.String))
    elif as_list:
        msg = pl.concat_list([msg.cast(pl.String)])
    else:
        msg = msg.cast(pl.String)
    return pl.when(check.mask.fill_null(False)).then(msg)


def _by_site(checks: list[Check]) -> dict[Source, list[Check]]:
    by_site: dict[Source, list[Check]] = {}
    for check in checks:
        by_site.setdefault(check.source, []).append(check)
    return by_site


def site_masks(checks: list[Check]) -> list[pl.Expr]:
    """Per call site of ``checks`` (the order of ``site_columns``), whether the row
    failed there: a boolean, far cheaper to compute and count than the message."""
    return [
        pl.any_horizontal([c.mask.fill_null(False) for c in site_checks])
        for site_checks in _by_site(checks).values()
    ]


def site_columns(
    checks: list[Check], prefix: str, *, aggregated: bool = False
) -> tuple[list[pl.Expr], list[SiteColumn]]:
    """One message expression per call site of ``checks`` (in first-registration
    order), named ``{prefix}{n}``. ``aggregated``: the checks belong to aggregations
    (their expressions go in ``group_by().agg()``/``select``), so the messages
    are collected into a list per group."""
    exprs: list[pl.Expr] = []
    sites: list[SiteColumn] = []
    for n, (source, site_checks) in enumerate(_by_site(checks).items()):
        name = f"{prefix}{n}"
        as_list = any(c.many for c in site_checks)
        parts = [_message_expr(c, as_list) for c in site_checks]
        expr = parts[0] if len(parts) == 1 else pl.coalesce(parts)
        if aggregated:
            expr = (expr.explode() if as_list else expr).drop_nulls().implode()
        exprs.append(expr.alias(name))
        sites.append(SiteColumn(name, source, site_checks[0].treated_as))
    return exprs, sites


def collect_warnings(
    frame: pl.DataFrame | pl.LazyFrame, sites: list[SiteColumn], log: WarningLog
) -> None:
    """Add the warnings of the failed rows of ``frame`` to ``log`` (a lazy frame
    is evaluated for just the first failures of each site)."""
    if not sites:
        return
    schema = frame.collect_schema() if isinstance(frame, pl.LazyFrame) else frame.schema

    def first_failures(site: SiteColumn) -> pl.Expr:
        col = pl.col(site.name)
        if isinstance(schema[site.name], pl.List):
            col = col.explode()
        return col.drop_nulls().head(MAX_ADDED_WARNINGS).implode()

    firsts = frame.select(first_failures(s) for s in sites)
    if isinstance(firsts, pl.LazyFrame):
        firsts = firsts.collect()
    for site in sites:
        messages = firsts.get_column(site.name)[0]
        if messages is None or len(messages) == 0:
            continue
        log.add(header(site.source, site.treated_as))
        for message in messages:
            log.add(location(site.source) + message)


def warn_all(
    source: Source, messages: list[str], log: WarningLog, treated_as: str = "null"
) -> None:
    """Warnings for failures found outside expressions (e.g. LOOKUP JOIN keys)."""
    if messages:
        log.add(header(source, treated_as))
        for message in messages[:MAX_ADDED_WARNINGS]:
            log.add(location(source) + message)
