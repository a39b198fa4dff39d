"""GROK patterns compiled to regular expressions Polars can run.

``%{NAME}``, ``%{NAME:field}`` and ``%{NAME:field:type}`` expand from Elasticsearch's
pattern library (``grok_patterns``); raw named groups ``(?<field>…)`` capture too.
The output columns are the captured field names sorted by name, as Elasticsearch's
``Grok.Parser.extractedFields`` sorts them; ``:int`` gives integer, ``:long`` long,
``:float`` and ``:double`` double, ``:boolean`` boolean, anything else keyword.

The regex is rewritten from Oniguruma (Elasticsearch's engine) to the Rust regex
syntax ``str.extract_groups`` accepts:
  * atomic groups ``(?>…)`` become plain groups ``(?:…)``;
  * lookarounds (``(?<!…)``, ``(?=…)`` …) are dropped — Rust regex has none, so a
    pattern may match a little more than in Elasticsearch (e.g. NUMBER inside
    ``a.5``);
  * unnamed capturing groups become non-capturing, so only fields capture;
  * every capture is a group named ``f<i>_<k>``: ``i`` indexes ``GrokSpec.fields``
    (the output column) and ``k`` numbers the captures, because a field captured
    twice (``%{WORD:a} %{WORD:a}``) gives a multi-value and field names such as
    ``city.name`` are not valid group names. ``group_field_index`` decodes them.
"""

from __future__ import annotations

import re
import warnings
from typing import TYPE_CHECKING

from esqlsh.analysis.grok_patterns import PATTERNS
from esqlsh.analysis.types import DataType
from esqlsh.plan.logical import Attribute

if TYPE_CHECKING:
    from dataclasses import dataclass
else:  # the same classes, made without compiling methods at import (syntax/records.py)
    from esqlsh.syntax.records import dataclass

_REFERENCE = re.compile(r"%\{([A-Za-z0-9_]+)(?::([^:}]+))?(?::([A-Za-z]+))?\}")
_CAPTURE_TYPES = {
    "int": DataType.INTEGER,
    "long": DataType.LONG,
    "float": DataType.DOUBLE,
    "double": DataType.DOUBLE,
    "boolean": DataType.BOOLEAN,
}
_GROUP_NAME = re.compile(r"^f(\d+)_(\d+)$")
_MARK = "\x00"


class GrokError(ValueError):
    """A pattern Elasticsearch's Grok rejects (the reason, without the prefix)."""


@dataclass(frozen=True)
class GrokSpec:
    pattern: str
    regex: str
    fields: tuple[Attribute, ...]


def group_field_index(group_name: str) -> int:
    """The index in ``GrokSpec.fields`` / ``GrokNode.fields`` of capture group
    ``group_name`` (``f<i>_<k>``)."""
    match = _GROUP_NAME.match(group_name)
    if match is None:
        raise ValueError(f"not a grok capture group: {group_name}")
    return int(match.group(1))


# ---------------------------------------------------------------- expansion


def _expand(pattern: str, captures: list[tuple[str, DataType]], stack: tuple[str, ...]) -> str:
    """Replace ``%{…}`` references; named ones become ``(?<MARK k MARK>…)`` groups
    numbered by their position in ``captures``."""
    out: list[str] = []
    pos = 0
    for match in _REFERENCE.finditer(pattern):
        out.append(pattern[pos : match.start()])
        pos = match.end()
        name, field, type_name = match.groups()
        definition = PATTERNS.get(name)
        if definition is None:
            raise GrokError(f"Unable to find pattern [{name}] in Grok's pattern dictionary")
        if name in stack:
            raise GrokError(f"circular reference in pattern [{name}][{definition}]")
        body = _expand(definition, captures, (*stack, name))
        if field is None:
            out.append(f"(?:{body})")
            continue
        captures.append((field, _CAPTURE_TYPES.get((type_name or "").lower(), DataType.KEYWORD)))
        out.append(f"(?<{_MARK}{len(captures) - 1}{_MARK}>{body})")
    out.append(pattern[pos:])
    return "".join(out)


# ---------------------------------------------------------- oniguruma → rust


def _class_end(regex: str, start: int) -> int:
    """Index just past the character class opening at ``start``."""
    i = start + 1
    if i < len(regex) and regex[i] == "^":
        i += 1
    if i < len(regex) and regex[i] == "]":
        i += 1  # a leading ']' is a literal
    while i < len(regex):
        c = regex[i]
        if c == "\\":
            i += 2
        elif c == "[":
            i = _class_end(regex, i)
        elif c == "]":
            return i + 1
        else:
            i += 1
    raise GrokError("premature end of char-class")


def _group_end(regex: str, start: int) -> int:
    """Index just past the group opening at ``start``."""
    depth = 0
    i = start
    while i < len(regex):
        c = regex[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":
            i = _class_end(regex, i)
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise GrokError("end pattern with unmatched parenthesis")


_LOOKAROUND = ("(?<!", "(?<=", "(?!", "(?=")


def _to_rust(regex: str, captures: list[tuple[str, DataType]], groups: list[int]) -> str:
    """Rewrite an expanded grok regex. ``groups`` receives, per emitted capture group
    in order, its index in ``captures``."""
    out: list[str] = []
    i = 0
    while i < len(regex):
        c = regex[i]
        if c == "\\":
            out.append(regex[i : i + 2])
            i += 2
        elif c == "[":
            end = _class_end(regex, i)
            out.append(regex[i:end])
            i = end
        elif c != "(":
            out.append(c)
            i += 1
        elif regex.startswith(_LOOKAROUND, i):
            i = _group_end(regex, i)
        elif regex.startswith(f"(?<{_MARK}", i):
            close = regex.index(f"{_MARK}>", i + 4)
            groups.append(int(regex[i + 4 : close]))
            out.append(f"(?P<{_MARK}{len(groups) - 1}{_MARK}>")
            i = close + 2
        elif regex.startswith("(?<", i) or regex.startswith("(?P<", i):
            i = _raw_named_group(regex, i, captures, groups, out)
        elif regex.startswith("(?>", i):
            out.append("(?:")
            i += 3
        elif regex.startswith("(?", i):
            out.append("(?")
            i += 2
        else:
            out.append("(?:")
            i += 1
    return "".join(out)


def _raw_named_group(
    regex: str,
    i: int,
    captures: list[tuple[str, DataType]],
    groups: list[int],
    out: list[str],
) -> int:
    """A named group written in the pattern itself: ``(?<field>…)``."""
    name_start = regex.index("<", i) + 1
    name_end = regex.index(">", name_start)
    captures.append((regex[name_start:name_end], DataType.KEYWORD))
    groups.append(len(captures) - 1)
    out.append(f"(?P<{_MARK}{len(groups) - 1}{_MARK}>")
    return name_end + 1


# ------------------------------------------------------------------- compile


def compile_grok(pattern: str) -> GrokSpec:
    """Compile a GROK pattern; GrokError as Elasticsearch rejects it."""
    captures: list[tuple[str, DataType]] = []
    expanded = _expand(pattern, captures, ())
    groups: list[int] = []
    rust = _to_rust(expanded, captures, groups)

    # One column per distinct field name (its first declared type), sorted by name.
    types: dict[str, DataType] = {}
    for name, t in captures:
        types.setdefault(name, t)
    fields = tuple(Attribute(name, types[name]) for name in sorted(types))
    index = {a.name: i for i, a in enumerate(fields)}

    def rename(match: re.Match[str]) -> str:
        k = int(match.group(1))
        return f"(?P<f{index[captures[groups[k]][0]]}_{k}>"

    regex = re.sub(rf"\(\?P<{_MARK}(\d+){_MARK}>", rename, rust)
    _check_compiles(regex)
    return GrokSpec(pattern, regex, fields)


def _check_compiles(regex: str) -> None:
    """Python's ``re`` is close enough to Rust's syntax to catch malformed patterns
    early (unbalanced groups, bad quantifiers) with a readable reason."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)  # nested sets are fine in Rust
            re.compile(regex)
    except re.error as e:
        raise GrokError(str(e)) from None
