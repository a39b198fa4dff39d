"""The resolution of an index expression (``logs-*,-logs-old,employees_alias``)
against one cluster's names: the one implementation behind
``EmbeddedCluster.resolve``, the node's ``_resolve/index``, ``_field_caps`` and
``_mapping`` (``server/metadata.py``) and the completion's ``FROM`` columns
(``repl/completion/metadata.py``). Pure: it is given the names and reads nothing.

Elasticsearch's rules (``IndexNameExpressionResolver.resolveExpressionsToResources``
and ``IndexAbstractionResolver``):

- The comma-separated parts (blank ones ignored) apply left to right to an ordered
  set of *resources*: index and alias names. ``_all`` alone means ``*``.
- ``*`` (``Regex.simpleMatch``) matches any run of characters; every other
  character is literal. A wildcard adds the indices and aliases it matches.
- A part starting with ``-`` is an exclusion only once a wildcard part has been
  seen (before that it is an ordinary, and invalid, name); it removes the
  resources it names (an alias, not the indices behind it).
- A hidden index is matched by a wildcard only when both the pattern and the index
  name start with ``.``; naming it concretely always works.
- A concrete name that is neither an index nor an alias is *missing*: ES|QL
  resolves with ``ignore_unavailable`` and leaves it out; the REST endpoints answer
  ``index_not_found_exception`` (the caller decides, from ``Resources.missing``).
- The concrete indices are the resources that are indices plus the (existing)
  indices behind each alias.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple

__all__ = [
    "Resources",
    "concrete_indices",
    "resolve_indices",
    "resolve_resources",
    "wildcard_regex",
]


def wildcard_regex(pattern: str) -> re.Pattern[str]:
    """``Regex.simpleMatch``: ``*`` is the only metacharacter."""
    return re.compile(".*".join(re.escape(part) for part in pattern.split("*")), re.DOTALL)


class Resources(NamedTuple):
    """What an expression names: ``names`` (indices and aliases, in the order
    the expression first added them) and ``missing`` (unknown concrete names, in
    the expression's order)."""

    names: tuple[str, ...]
    missing: tuple[str, ...]


def resolve_resources(
    expression: str,
    indices: Mapping[str, bool],
    aliases: Mapping[str, Iterable[str]],
    *,
    sorted_names: Sequence[str] | None = None,
) -> Resources:
    """The index and alias names ``expression`` names.

    ``indices`` maps every index name to whether it is hidden (looked up only for
    the names a wildcard matches); ``aliases`` maps an alias to the indices it
    points at. ``sorted_names``, the index names sorted, when the caller has
    them: a ``prefix*`` wildcard is then a range of them rather than a scan."""
    parts = [p.strip() for p in expression.split(",") if p.strip()]
    if parts == ["_all"]:
        parts = ["*"]
    resources: dict[str, None] = {}  # an ordered set
    missing: list[str] = []
    wildcard_seen = False
    for part in parts:
        exclusion = wildcard_seen and part.startswith("-")
        base = part[1:] if exclusion else part
        if "*" in base:
            wildcard_seen = True
            matched = _match(base, indices, aliases, sorted_names)
        elif base in indices or base in aliases:
            matched = [base]
        else:
            if not exclusion:
                missing.append(base)
            continue
        for name in matched:
            if exclusion:
                resources.pop(name, None)
            else:
                resources[name] = None
    return Resources(tuple(resources), tuple(missing))


def concrete_indices(
    names: Iterable[str], indices: Mapping[str, bool], aliases: Mapping[str, Iterable[str]]
) -> list[str]:
    """The indices behind index and alias ``names`` (aliases followed to the
    indices that exist), sorted."""
    concrete: set[str] = set()
    for name in names:
        if name in indices:
            concrete.add(name)
        else:
            concrete.update(i for i in aliases.get(name, ()) if i in indices)
    return sorted(concrete)


def resolve_indices(
    expression: str,
    indices: Mapping[str, bool],
    aliases: Mapping[str, Iterable[str]],
    *,
    sorted_names: Sequence[str] | None = None,
) -> list[str]:
    """The concrete indices ``expression`` names, sorted; missing names are left
    out (ES|QL's ``ignore_unavailable``)."""
    resources = resolve_resources(expression, indices, aliases, sorted_names=sorted_names)
    return concrete_indices(resources.names, indices, aliases)


def _match(
    pattern: str,
    indices: Mapping[str, bool],
    aliases: Mapping[str, Iterable[str]],
    sorted_names: Sequence[str] | None,
) -> list[str]:
    """The visible indices, then the aliases, that a wildcard matches."""
    regex = wildcard_regex(pattern)
    if sorted_names is not None and "*" not in pattern[:-1]:  # ``prefix*``
        stem = pattern[:-1]
        lo = hi = bisect.bisect_left(sorted_names, stem)
        while hi < len(sorted_names) and sorted_names[hi].startswith(stem):
            hi += 1
        candidates: Iterable[str] = sorted_names[lo:hi]
    else:
        candidates = (name for name in indices if regex.fullmatch(name))
    dotted = pattern.startswith(".")
    names = [n for n in candidates if not indices[n] or (dotted and n.startswith("."))]
    return names + [alias for alias in aliases if regex.fullmatch(alias)]
