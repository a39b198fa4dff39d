"""Small AST rewrites the cross-cluster split applies to the commands it copies.

Copies are made with ``dataclasses.replace``, so every node keeps its ``source``:
warnings raised where a copied command runs carry the original query's positions.

- :func:`transform` rebuilds a node bottom-up where a function asks for a change;
- :func:`portable` makes a copied command mean the same thing wherever it runs on
  its own: anonymous ``?`` become positional ``?N`` (a fragment holding only some
  of the query's ``?`` would otherwise number them again from 1), and unnamed EVAL
  fields get their column name written out (the printer normalises spacing, and
  Elasticsearch names such a column after the text it reads);
- :func:`referenced_names` lists the column names a command list reads.
"""

from __future__ import annotations

import dataclasses
import fnmatch
from collections.abc import Callable, Iterable
from typing import Any, TypeVar, cast

from esqlsh.syntax import ast

N = TypeVar("N")
C = TypeVar("C", bound=ast.Command)
Rewrite = Callable[[Any], Any | None]


def transform(node: N, fn: Rewrite) -> N:
    """``node`` with every sub-node ``fn`` returns a replacement for replaced (the
    replacement is not visited again); other nodes are rebuilt only when a child
    changed."""
    replacement = fn(node)
    if replacement is not None:
        return replacement  # type: ignore[no-any-return]
    if not dataclasses.is_dataclass(node) or isinstance(node, ast.Source):
        return node
    changes: dict[str, object] = {}
    for f in dataclasses.fields(node):
        if f.name == "source":
            continue
        value = getattr(node, f.name)
        new = _transform_value(value, fn)
        if new is not value:
            changes[f.name] = new
    return dataclasses.replace(node, **changes) if changes else node  # type: ignore[type-var]


def _transform_value(value: object, fn: Rewrite) -> object:
    if isinstance(value, tuple):
        items = tuple(_transform_value(v, fn) for v in value)
        return items if any(a is not b for a, b in zip(items, value, strict=True)) else value
    if dataclasses.is_dataclass(value) and not isinstance(value, ast.Source):
        return transform(value, fn)
    return value


# ------------------------------------------------------------------ portable


def _positional(node: object) -> object | None:
    if isinstance(node, ast.Param) and node.kind == "anonymous" and node.index is not None:
        return dataclasses.replace(node, kind="positional")
    return None


def _named_eval(cmd: ast.Command) -> ast.Command:
    if not isinstance(cmd, ast.Eval):
        return cmd
    fields = tuple(
        f if f.name is not None else dataclasses.replace(f, name=f.expr.source.text)
        for f in cmd.fields
    )
    return dataclasses.replace(cmd, fields=fields)


def portable(cmd: C) -> C:
    """``cmd`` as it can be sent on its own (see the module docstring)."""
    return cast(C, _named_eval(transform(cmd, _positional)))


def portable_settings(query: ast.Query) -> tuple[ast.Setting, ...]:
    """The query's ``SET`` statements, for each part of it (they change its meaning:
    time zone, unmapped fields)."""
    return tuple(transform(s, _positional) for s in query.settings)


# ------------------------------------------------------------- references


def referenced_names(commands: Iterable[ast.Command]) -> tuple[set[str], set[str]]:
    """(names, patterns) the commands read: field references and the names of
    MV_EXPAND / ENRICH ON / LOOKUP JOIN ON, and the KEEP / DROP / RENAME patterns
    (which may hold ``*``)."""
    names: set[str] = set()
    patterns: set[str] = set()
    for cmd in commands:
        if isinstance(cmd, ast.Keep | ast.Drop):
            patterns.update(cmd.patterns)
        elif isinstance(cmd, ast.Rename):
            patterns.update(item.old for item in cmd.items)
        elif isinstance(cmd, ast.MvExpand):
            names.add(cmd.field)
        elif isinstance(cmd, ast.Enrich) and cmd.on is not None:
            names.add(cmd.on)
        elif isinstance(cmd, ast.LookupJoin):
            names.update(cmd.on)
        names.update(n.name for n in ast.walk(cmd) if isinstance(n, ast.FieldRef))
    return names, patterns


def matches_any(name: str, patterns: Iterable[str]) -> bool:
    """Whether ``name`` matches a KEEP-style pattern (``*`` is the only wildcard)."""
    return any(fnmatch.fnmatchcase(name, _glob(p)) for p in patterns)


def _glob(pattern: str) -> str:
    # only `*` is special in ES|QL name patterns
    return pattern.replace("[", "[[]").replace("?", "[?]")
