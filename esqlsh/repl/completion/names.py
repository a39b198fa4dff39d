"""``NameIndex``: a sorted list of names that answers prefix and fuzzy lookups
without scanning every name in Python on each keystroke.

Built once per metadata refresh (index names, fields of a scope, policies,
functions): prefix matches come from a binary search on the lower-cased sorted
names; fuzzy matches (the typed characters in order, anything between) from one
regular-expression pass over all the names joined by newlines, which runs in C.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence

__all__ = ["NameIndex", "fuzzy_pattern"]

# Fuzzy matches collected before ranking, per wanted candidate: enough to rank
# well without turning a one-letter query over 10k names into 10k match objects.
_FUZZY_OVERSCAN = 4


class NameIndex:
    """Names (each with a ``meta`` text: a type, a cluster, a signature), sorted
    case-insensitively. Immutable once built; safe to share between threads."""

    __slots__ = ("_blob", "_lower", "_starts", "metas", "names")

    def __init__(self, names: Iterable[str], metas: Iterable[str] | None = None):
        pairs = list(zip(names, metas, strict=True)) if metas is not None else None
        if pairs is None:
            pairs = [(n, "") for n in names]
        pairs.sort(key=lambda p: (p[0].lower(), p[0]))
        self.names: list[str] = [p[0] for p in pairs]
        self.metas: list[str] = [p[1] for p in pairs]
        self._lower: list[str] = [n.lower() for n in self.names]
        self._blob: str | None = None
        self._starts: list[int] = []

    def __len__(self) -> int:
        return len(self.names)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.position(name) is not None

    def __repr__(self) -> str:
        return f"NameIndex({len(self.names)} names)"

    def position(self, name: str) -> int | None:
        """Where ``name`` (exact case) is, or None."""
        i = bisect.bisect_left(self._lower, name.lower())
        while i < len(self._lower) and self._lower[i] == name.lower():
            if self.names[i] == name:
                return i
            i += 1
        return None

    def meta(self, name: str) -> str | None:
        i = self.position(name)
        return self.metas[i] if i is not None else None

    def prefixed(self, prefix: str, limit: int) -> list[int]:
        """Positions of up to ``limit`` names starting with ``prefix`` (any case)."""
        low = prefix.lower()
        i = bisect.bisect_left(self._lower, low)
        end = min(len(self._lower), i + limit)
        out = []
        while i < end and self._lower[i].startswith(low):
            out.append(i)
            i += 1
        return out

    def fuzzy(self, text: str, limit: int, exclude: Sequence[int] = ()) -> list[int]:
        """Positions of up to ``limit`` names holding the characters of ``text`` in
        order, best first: the shortest matching stretch, then the earliest."""
        if not text or limit <= 0 or not self.names:
            return []
        blob = self._joined()
        skip = set(exclude)
        found: list[tuple[int, int, int]] = []
        for m in fuzzy_pattern(text).finditer(blob):
            i = bisect.bisect_right(self._starts, m.start()) - 1
            if i in skip:
                continue
            found.append((len(m.group(2)), len(m.group(1)), i))
            if len(found) >= limit * _FUZZY_OVERSCAN:
                break
        found.sort()
        return [i for _, _, i in found[:limit]]

    def _joined(self) -> str:
        if self._blob is None:
            starts, pos = [], 0
            for name in self._lower:
                starts.append(pos)
                pos += len(name) + 1
            self._starts = starts
            self._blob = "\n".join(self._lower)
        return self._blob


def fuzzy_pattern(text: str) -> re.Pattern[str]:
    """One line of a newline-joined blob that holds ``text``'s characters in order:
    group 1 is what precedes the match, group 2 the matched stretch.

    Each character is reached by a possessive run of "anything but it", so the
    earliest occurrence is taken and nothing backtracks: linear in the line,
    where lazy ``.*?`` runs backtrack badly on names that almost match."""
    chars = [c for c in text.lower() if c != "\n"]
    if not chars:
        return _compile("(?!)")
    steps = [f"[^{re.escape(c)}\n]*+{re.escape(c)}" for c in chars[1:]]
    first = re.escape(chars[0])
    return _compile(f"^([^{first}\n]*+)({first}{''.join(steps)})[^\n]*+$")


_PATTERNS: dict[str, re.Pattern[str]] = {}


def _compile(source: str) -> re.Pattern[str]:
    pattern = _PATTERNS.get(source)
    if pattern is None:
        if len(_PATTERNS) > 512:
            _PATTERNS.clear()
        pattern = _PATTERNS[source] = re.compile(source, re.MULTILINE)
    return pattern
