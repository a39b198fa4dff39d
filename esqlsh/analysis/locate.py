"""Positions of names inside a command's text.

Some AST nodes keep names as plain strings (KEEP patterns, the LOOKUP JOIN index and
keys, the ENRICH policy …); Elasticsearch reports problems at the name itself, so
the analyzer finds it again in the command's source text.
"""

from __future__ import annotations

from collections.abc import Sequence

from esqlsh.syntax.ast import Source

_WORD = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.@*`-:")


def source_at(parent: Source, offset: int, length: int) -> Source:
    """The Source of ``parent.text[offset:offset + length]``."""
    before = parent.text[:offset]
    newlines = before.count("\n")
    column = parent.column + offset if newlines == 0 else offset - before.rindex("\n")
    start = parent.start + offset
    return Source(
        parent.line + newlines, column, start, start + length, parent.text[offset : offset + length]
    )


def _find_word(text: str, word: str, start: int) -> int:
    pos = max(start, 0)
    while True:
        i = text.find(word, pos)
        if i < 0:
            return -1
        before = text[i - 1] if i > 0 else " "
        after = text[i + len(word)] if i + len(word) < len(text) else " "
        if before not in _WORD and after not in _WORD:
            return i
        pos = i + 1


def locate_after(parent: Source, name: str, start: int = 0) -> Source:
    """Where ``name`` (or `` `name` ``) is written in ``parent`` from ``start`` on;
    ``parent`` itself when it cannot be found."""
    for written in (name, f"`{name}`"):
        i = _find_word(parent.text, written, start)
        if i >= 0:
            return source_at(parent, i, len(written))
    return parent


def locate(parent: Source, name: str) -> Source:
    """Where ``name`` is written after the command's first word."""
    first_space = parent.text.find(" ")
    return locate_after(parent, name, first_space if first_space >= 0 else 0)


def locate_list(parent: Source, names: Sequence[str], start: int = 0) -> list[Source]:
    """Successive positions of ``names`` written in order from ``start``."""
    out: list[Source] = []
    pos = max(start, parent.text.find(" ") if start <= 0 else start)
    for name in names:
        found = locate_after(parent, name, pos)
        out.append(found)
        if found is not parent:
            pos = found.start - parent.start + len(found.text)
    return out
