"""DISSECT patterns, parsed as Elasticsearch's ``DissectParser`` parses them.

A pattern is an optional leading delimiter followed by ``%{key}delimiter`` pairs.
Keys take modifiers: ``%{+key}`` / ``%{+key/2}`` append (in order), ``%{?key}`` and
``%{}`` skip, ``%{key->}`` skips repeated delimiters to its right, ``%{*key}`` /
``%{&key}`` reference keys (not supported by ES|QL). The output columns are the keys
in pattern order, without skipped ones, all keyword.

``DissectSpec`` also gives the engine a regular expression that matches as the
dissect algorithm does (lazy values up to each delimiter, the last value to the end
of the input when the pattern ends with a key) with one group per matched key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_LEADING = re.compile(r"^(.*?)%\{", re.DOTALL)
_PAIR = re.compile(r"%\{([^}]*?)}(.+?(?=%\{)|.*$)", re.DOTALL)
_APPEND_ORDER = re.compile(r"^\+(.*?)/([0-9]+)(->)?$", re.DOTALL)
_LEFT_MODIFIER = re.compile(r"^([+*&?])(.*?)(->)?$", re.DOTALL)
_RIGHT_PADDING = re.compile(r"^(.*?)(->)?$", re.DOTALL)


class DissectError(ValueError):
    """A pattern Elasticsearch's DissectParser rejects."""


@dataclass(frozen=True)
class DissectKey:
    name: str
    modifier: str  # "" | "+" | "+/" | "?" | "*" | "&"
    skip: bool
    right_padding: bool
    append_position: int = 0

    @property
    def appends(self) -> bool:
        return self.modifier in ("+", "+/")


@dataclass(frozen=True)
class DissectPair:
    key: DissectKey
    delimiter: str


@dataclass(frozen=True)
class DissectSpec:
    pattern: str
    leading: str
    pairs: tuple[DissectPair, ...]

    @property
    def output_keys(self) -> tuple[str, ...]:
        """``outputKeys()`` without the empty name: the DISSECT columns, in order."""
        seen: dict[str, None] = {}
        for pair in self.pairs:
            if pair.key.modifier != "?" and pair.key.name:
                seen.setdefault(pair.key.name, None)
        return tuple(seen)

    @property
    def reference_keys(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for pair in self.pairs:
            if pair.key.modifier in ("*", "&"):
                seen.setdefault(pair.key.name, None)
        return tuple(seen)

    def regex(self) -> str:
        """A regex with groups ``g0, g1 …`` (one per pair, in order): lazy values
        ending at each delimiter, ``->`` absorbing repeats of its delimiter."""
        parts = ["^", re.escape(self.leading)]
        for i, pair in enumerate(self.pairs):
            last = i == len(self.pairs) - 1
            if last and pair.delimiter == "":
                parts.append(f"(?P<g{i}>.*)$")
                continue
            parts.append(f"(?P<g{i}>.*?)")
            delimiter = re.escape(pair.delimiter)
            parts.append(f"(?:{delimiter})+" if pair.key.right_padding else delimiter)
        return "".join(parts)


def _parse_key(text: str) -> DissectKey:
    skip = text == ""
    match = _APPEND_ORDER.match(text)
    if match:
        return DissectKey(match.group(1), "+/", False, bool(match.group(3)), int(match.group(2)))
    match = _LEFT_MODIFIER.match(text)
    if match:
        modifier = match.group(1)
        name = match.group(2)
        return DissectKey(name, modifier, skip or modifier == "?", bool(match.group(3)))
    match = _RIGHT_PADDING.match(text)
    assert match is not None
    return DissectKey(match.group(1), "", skip, bool(match.group(2)))


def parse_dissect(pattern: str) -> DissectSpec:
    """Parse a DISSECT pattern; DissectError as DissectParser rejects it."""
    leading = ""
    for match in _LEADING.finditer(pattern):
        leading = match.group(1)
    pairs = [
        DissectPair(_parse_key(m.group(1)), m.group(2))
        for m in _PAIR.finditer(pattern[len(leading) :])
    ]
    for pair in pairs:
        if pair.key.name == "" and not pair.key.skip:
            raise DissectError("The key name could not be determined")
    names = {p.key.name for p in pairs if not p.key.skip}
    if not pairs or not names:
        raise DissectError("Unable to find any keys or delimiters.")
    appended = {p.key.name for p in pairs if p.key.appends}
    pairs = [
        DissectPair(DissectKey(p.key.name, "+", p.key.skip, p.key.right_padding), p.delimiter)
        if p.key.modifier == "" and p.key.name in appended
        else p
        for p in pairs
    ]
    references: dict[str, int] = {}
    for p in pairs:
        if p.key.modifier in ("*", "&"):
            references[p.key.name] = references.get(p.key.name, 0) + 1
    for name, count in references.items():
        if count != 2:
            raise DissectError(
                f"Found invalid key/reference associations: '{name}' Please ensure each "
                f"'*<key>' is matched with a matching '&<key>"
            )
    return DissectSpec(pattern, leading, tuple(pairs))
