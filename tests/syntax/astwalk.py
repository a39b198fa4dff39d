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
    line (sources left out)."""
    one_line = repr(node)
    if len(one_line) + indent <= 96 or not (is_dataclass(node) or isinstance(node, tuple)):
        return one_line
    pad = " " * (indent + 2)
    if isinstance(node, tuple):
        return "\n".join(f"{pad}- {dump(item, indent + 4).lstrip()}" for item in node)
    lines = [type(node).__name__]
    for f in fields(node):
        if f.name == "source":
            continue
        value = getattr(node, f.name)
        shown = dump(value, indent + 2)
        if "\n" in shown or (isinstance(value, tuple) and len(repr(value)) + indent > 80):
            body = shown if isinstance(value, tuple) else pad + "  " + shown.lstrip()
            lines.append(f"{pad}{f.name}:\n{body}" if isinstance(value, tuple) else f"{pad}{f.name}: {shown}")
        else:
            lines.append(f"{pad}{f.name}: {shown}")
    return "\n".join(lines)
