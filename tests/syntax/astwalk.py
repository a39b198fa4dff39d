"""Helpers for syntax tests: walk every AST node, dump an AST as readable text."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import fields, is_dataclass
from typing import Any

from esqlsh.syntax import ast


def nodes(node: Any) -> Iterator[Any]:
    """Every AST node under ``node`` (itself included), depth first."""
    if isinstance(node, tuple):
        for item in node:
            yield from nodes(item)
        return
    if not is_dataclass(node) or isinstance(node, ast.Source):
        return
    yield node
    for f in fields(node):
        if f.name != "source":
            yield from nodes(getattr(node, f.name))


def dump(node: Any, indent: int = 0) -> str:
    """An AST as indented text: a node on one line when it fits, else one field per
    line, tuples one item per line (sources left out)."""
    one_line = repr(node)
    if indent + len(one_line) <= WIDTH or not (is_dataclass(node) or isinstance(node, tuple)):
        return one_line
    if isinstance(node, tuple):
        return _items(node, indent)
    pad = " " * (indent + 2)
    lines = [type(node).__name__]
    for f in fields(node):
        if f.name == "source":
            continue
        value = getattr(node, f.name)
        head = f"{pad}{f.name}:"
        if isinstance(value, tuple) and len(head) + 1 + len(repr(value)) > WIDTH:
            lines.extend([head, _items(value, indent + 2)])
        else:
            lines.append(f"{head} {dump(value, indent + 2)}")
    return "\n".join(lines)


def _items(node: tuple[Any, ...], indent: int) -> str:
    pad = " " * (indent + 2)
    return "\n".join(f"{pad}- {dump(item, indent + 4)}" for item in node)


WIDTH = 96
