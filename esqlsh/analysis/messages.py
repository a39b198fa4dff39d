"""Elasticsearch's wording for analysis problems: type names as its messages print
them, argument ordinals, and the "did you mean" suggestions.

Elasticsearch prints types two ways: ``typeName()`` (``datetime``, ``keyword``) in
most messages and the enum name (``DATETIME``, ``INTEGER``) where the Java code
formats a ``DataType`` directly (``Condition expression needs to be boolean, found
[INTEGER]``). Suggestions follow ``StringUtils.findSimilar``: Lucene's Levenshtein
similarity ``1 - edits / max(len)`` at least 0.5, best first, ties kept in the
iteration order of the Java collection the candidates came from.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from esqlsh.analysis.types import DataType

_TYPE_NAMES = {DataType.DATETIME: "datetime"}

# ParamOrdinal.FIRST..FIFTH; later positions use DEFAULT (no ordinal).
_ORDINALS = ("first", "second", "third", "fourth", "fifth")


def type_name(t: DataType) -> str:
    """``DataType.typeName()``: ``datetime`` for dates, the ES|QL name otherwise."""
    return _TYPE_NAMES.get(t, t.value)


def enum_name(t: DataType) -> str:
    """The Java enum constant (``DATETIME``, ``KEYWORD``) as ``String.valueOf(type)``."""
    return t.name


def ordinal_prefix(index: int | None) -> str:
    """``"first "`` … ``"fifth "`` for 0-based ``index``; ``""`` for DEFAULT (None or ≥ 5)."""
    if index is None or index >= len(_ORDINALS):
        return ""
    return _ORDINALS[index] + " "


def english_ordinal(n: int) -> str:
    """``1st``, ``2nd``, ``3rd``, ``4th``, ``11th`` … as IN's messages number items."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def accepted_types(phrases: Sequence[str]) -> str:
    """``TypeResolutions.acceptedTypesForErrorMsg``: ``a, b or c``."""
    if len(phrases) <= 1:
        return "".join(phrases)
    return ", ".join(phrases[:-1]) + " or " + phrases[-1]


# ------------------------------------------------------------------ suggestions


def _edit_distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost))
        previous = current
    return previous[-1]


def similarity(a: str, b: str) -> float:
    """Lucene's ``LevenshteinDistance.getDistance``: ``1 - edits / max(len)``."""
    longest = max(len(a), len(b))
    if longest == 0:
        return 1.0
    return 1.0 - _edit_distance(a, b) / longest


def find_similar(name: str, candidates: Iterable[str]) -> list[str]:
    """``StringUtils.findSimilar``: candidates at least 0.5 similar, best first; the sort
    is stable so ties keep the candidates' order."""
    scored = [(similarity(name, c), c) for c in candidates]
    kept = [(s, c) for s, c in scored if s >= 0.5]
    kept.sort(key=lambda sc: -sc[0])
    return [c for _, c in kept]


def did_you_mean(matches: Sequence[str], lead: str = ",") -> str:
    """``, did you mean [x]?`` / ``, did you mean any of [x, y]?`` or ``""``; ``lead``
    is what comes before `` did you mean`` (``""`` for the REST parsers' wording)."""
    if not matches:
        return ""
    if len(matches) == 1:
        return f"{lead} did you mean [{matches[0]}]?"
    return f"{lead} did you mean any of [{', '.join(matches)}]?"


def unknown_column(name: str, candidates: Sequence[str]) -> str:
    """``UnresolvedAttribute.errorMessage`` with suggestions from the input columns."""
    ordered = java_hash_set_order(candidates, len(candidates))
    return f"Unknown column [{name}]" + did_you_mean(find_similar(name, ordered))


def no_pattern_match(pattern: str, candidates: Sequence[str]) -> str:
    """``UnresolvedNamePattern.errorMessage`` (KEEP/DROP wildcards matching nothing)."""
    ordered = java_hash_set_order(candidates, len(candidates))
    return f"No matches found for pattern [{pattern}]" + did_you_mean(
        find_similar(pattern, ordered)
    )


# ------------------------------------------------- java.util.HashSet iteration


def _java_string_hash(s: str) -> int:
    data = s.encode("utf-16-be")
    h = 0
    for i in range(0, len(data), 2):  # String.hashCode runs over UTF-16 code units
        h = (31 * h + (data[i] << 8 | data[i + 1])) & 0xFFFFFFFF
    return h


def _table_size_for(capacity: int) -> int:
    n = 1
    while n < capacity:
        n *= 2
    return n


def java_hash_set_order(items: Iterable[str], capacity: int | None = None) -> list[str]:
    """The iteration order of ``new HashSet<>(capacity)`` after adding ``items``
    (capacity defaults to their count): Elasticsearch collects candidate names this
    way, and ties among equally similar suggestions keep this order."""
    unique = list(dict.fromkeys(items))
    size = _table_size_for(max(capacity if capacity is not None else len(unique), 1))
    while len(unique) > size * 3 // 4:
        size *= 2

    def bucket(s: str) -> int:
        h = _java_string_hash(s)
        return (h ^ (h >> 16)) & (size - 1)

    # Within one bucket entries keep insertion order (Python's sort is stable).
    return sorted(unique, key=bucket)
