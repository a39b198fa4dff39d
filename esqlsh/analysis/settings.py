"""Query settings: the ``SET name = value;`` statements before a query (after 9.1).

``query_settings`` validates them as Elasticsearch's ``QuerySettings.validate``
does, with its messages (``parsing_exception``s), and returns what the analyzer
applies:

* ``unmapped_fields``: ``"FAIL"`` (the default) or ``"NULLIFY"`` — a column the
  query names but no source has becomes a null column of type null, added at the
  source (``ResolveUnmapped``). ``"LOAD"`` is snapshot-only in Elasticsearch and
  refused as its release builds refuse it.
* ``time_zone``: a ``java.time.ZoneId`` text; esqlsh applies it to DATE_TRUNC
  (``date_trunc_timezone_support``), for zones with one fixed UTC offset.
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from esqlsh.analysis import messages
from esqlsh.analysis.types import DataType
from esqlsh.errors import ParsingError
from esqlsh.plan.logical import Lit, TExpr
from esqlsh.syntax import ast

if TYPE_CHECKING:
    from dataclasses import dataclass
else:  # the same classes, made without compiling methods at import (syntax/records.py)
    from esqlsh.syntax.records import dataclass

__all__ = ["QuerySettings", "TimeZone", "query_settings", "time_zone"]

_UNMAPPED = ("FAIL", "NULLIFY")  # UnmappedResolution without the snapshot-only LOAD
_OFFSET = re.compile(r"([+-])(\d{1,2})(?::?(\d{2}))?(?::?(\d{2}))?")
_PREFIXES = ("UTC", "GMT", "UT")


@dataclass(frozen=True)
class TimeZone:
    """A query time zone: its id as written and, when it has one fixed UTC
    offset, that offset in milliseconds (None for a zone with transitions)."""

    id: str = "Z"
    offset_millis: int | None = 0


@dataclass(frozen=True)
class QuerySettings:
    unmapped_fields: str = "FAIL"
    time_zone: TimeZone = TimeZone()

    @property
    def nullify(self) -> bool:
        return self.unmapped_fields == "NULLIFY"


Resolve = Callable[[ast.Expr], TExpr | None]


def query_settings(settings: Sequence[ast.Setting], resolve: Resolve) -> QuerySettings:
    """The settings of a query, validated in order; ``resolve`` types a value
    (params included). The last definition of a setting wins."""
    values: dict[str, object] = {}
    for setting in settings:
        values[setting.name] = _validated(setting, resolve)
    unmapped = values.get("unmapped_fields", "FAIL")
    zone = values.get("time_zone", TimeZone())
    assert isinstance(unmapped, str) and isinstance(zone, TimeZone)
    return QuerySettings(unmapped, zone)


def _fail(setting: ast.Setting, message: str) -> ParsingError:
    return ParsingError(setting.source.line, setting.source.column, message)


def _validated(setting: ast.Setting, resolve: Resolve) -> object:
    name = setting.name
    if name not in ("unmapped_fields", "time_zone", "project_routing", "approximate"):
        raise _fail(setting, f"Unknown setting [{name}]")
    if name == "approximate":
        raise _fail(setting, f"Setting [{name}] is not supported by esqlsh")
    value = resolve(setting.value)
    if value is None or value.type not in (DataType.KEYWORD, DataType.TEXT):
        raise _fail(
            setting, f"Setting [{name}] must be of type {messages.enum_name(DataType.KEYWORD)}"
        )
    if not isinstance(value, Lit) or not isinstance(value.value, str):
        raise _fail(setting, f"Setting [{name}] must be a constant")
    text = value.value
    if name == "project_routing":
        raise _invalid(setting, "cross-project search not enabled")
    if name == "time_zone":
        zone = time_zone(text)
        if zone is None:
            raise _invalid(setting, f"Invalid time zone [{text}]")
        return zone
    if text.upper() not in _UNMAPPED:
        shown = "[" + ", ".join(_UNMAPPED) + "]"
        raise _invalid(
            setting, f"Invalid unmapped_fields resolution [{text}], must be one of {shown}"
        )
    return text.upper()


def _invalid(setting: ast.Setting, reason: str) -> ParsingError:
    return _fail(setting, f"Error validating setting [{setting.name}]: {reason}")


# ---------------------------------------------------------------- time zones


def time_zone(text: str) -> TimeZone | None:
    """``ZoneId.of(text)``: ``Z``, ``+10:00``-style offsets, ``UTC``/``GMT``/``UT``
    optionally followed by an offset, or a tz database region; None if invalid."""
    if text == "Z":
        return TimeZone(text, 0)
    if text[:1] in "+-" and text:
        offset = _offset_millis(text)
        return None if offset is None else TimeZone(text, offset)
    for prefix in _PREFIXES:
        if text == prefix:
            return TimeZone(text, 0)
        rest = text[len(prefix) :]
        if text.startswith(prefix) and rest[:1] in "+-" and rest:
            offset = _offset_millis(rest)
            return None if offset is None else TimeZone(text, offset)
    if text not in zoneinfo.available_timezones():
        return None
    return TimeZone(text, _fixed_offset(zoneinfo.ZoneInfo(text)))


def _offset_millis(text: str) -> int | None:
    """``ZoneOffset.of``: ``±h``, ``±hh``, ``±hh:mm``, ``±hhmm``, ``±hh:mm:ss``…,
    at most 18 hours."""
    match = _OFFSET.fullmatch(text)
    if match is None:
        return None
    sign, hours, minutes, seconds = match.groups()
    h, m, s = int(hours), int(minutes or 0), int(seconds or 0)
    if m > 59 or s > 59 or h * 3600 + m * 60 + s > 18 * 3600:
        return None
    total = (h * 3600 + m * 60 + s) * 1000
    return -total if sign == "-" else total


def _fixed_offset(zone: zoneinfo.ZoneInfo) -> int | None:
    """The zone's UTC offset if it never changes (sampled twice a year over the
    range of dates queries use), else None."""
    offsets: set[timedelta | None] = set()
    for year in range(1970, 2040):
        for month in (1, 7):
            offsets.add(datetime(year, month, 1, tzinfo=zone).utcoffset())
    if len(offsets) != 1:
        return None
    (offset,) = offsets
    return None if offset is None else int(offset.total_seconds() * 1000)
