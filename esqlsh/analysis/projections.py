"""KEEP, DROP and RENAME: each becomes a ``Project`` (output column ← input column).

* KEEP follows ``Analyzer.resolveKeep``: exact names win over wildcard patterns,
  which win over ``*``; a column matched again by an expression of the same or a
  higher precedence moves to that later position.
* DROP removes every column each name or pattern matches in its input.
* RENAME is sequential (``RENAME a AS b, b AS c`` renames a to c), as
  ``Analyzer.projectionsForRename``.

Unknown names are ``Unknown column [x]`` (with suggestions), patterns matching
nothing ``No matches found for pattern [x*]``; unusable (unsupported) columns may be
kept or dropped but not renamed.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from esqlsh.analysis import messages
from esqlsh.analysis.expressions import Scope, problem_at
from esqlsh.analysis.locate import locate_after, locate_list
from esqlsh.analysis.types import DataType
from esqlsh.errors import Problem
from esqlsh.plan.logical import Attribute, Project
from esqlsh.syntax import ast

if TYPE_CHECKING:
    from dataclasses import dataclass
else:  # the same classes, made without compiling methods at import (syntax/records.py)
    from esqlsh.syntax.records import dataclass


def is_pattern(name: str) -> bool:
    return "*" in name


def pattern_matcher(pattern: str) -> re.Pattern[str]:
    """``*`` matches anything; every other character is literal."""
    return re.compile("^" + ".*".join(re.escape(p) for p in pattern.split("*")) + "$", re.DOTALL)


def matching(pattern: str, scope: Scope) -> list[Attribute]:
    if pattern == "*":
        return list(scope.attrs)
    if is_pattern(pattern):
        regex = pattern_matcher(pattern)
        return [a for a in scope.attrs if regex.match(a.name)]
    attr = scope.get(pattern)
    return [attr] if attr is not None else []


def _unresolved(pattern: str, scope: Scope) -> str:
    # Elasticsearch suggests among columns of primitive types, which excludes none here.
    if is_pattern(pattern):
        return messages.no_pattern_match(pattern, scope.names())
    return messages.unknown_column(pattern, scope.names())


def _resolve_patterns(
    cmd: ast.Keep | ast.Drop, scope: Scope, problems: list[Problem]
) -> list[tuple[str, list[Attribute]]] | None:
    """Each name or pattern of ``cmd`` with the columns it matches; None, with a
    problem for each, when some match nothing."""
    resolved = []
    ok = True
    for pattern, source in zip(cmd.patterns, locate_list(cmd.source, cmd.patterns), strict=True):
        found = matching(pattern, scope)
        if not found:
            problems.append(problem_at(source, _unresolved(pattern, scope)))
            ok = False
        resolved.append((pattern, found))
    return resolved if ok else None


def keep(cmd: ast.Keep, scope: Scope, problems: list[Problem]) -> Project | None:
    resolved = _resolve_patterns(cmd, scope, problems)
    if resolved is None:
        return None
    priorities: dict[str, tuple[int, Attribute]] = {}
    for pattern, found in resolved:
        priority = 2 if pattern == "*" else 1 if is_pattern(pattern) else 0
        for attr in found:
            previous = priorities.get(attr.name)
            if previous is None or previous[0] >= priority:
                priorities.pop(attr.name, None)
                priorities[attr.name] = (priority, attr)
    attrs = [attr for _, attr in priorities.values()]
    return Project(tuple((a.name, a.name) for a in attrs), tuple(attrs), cmd.source)


def drop(cmd: ast.Drop, scope: Scope, problems: list[Problem]) -> Project | None:
    resolved = _resolve_patterns(cmd, scope, problems)
    if resolved is None:
        return None
    removed = {a.name for _, found in resolved for a in found}
    attrs = [a for a in scope.attrs if a.name not in removed]
    return Project(tuple((a.name, a.name) for a in attrs), tuple(attrs), cmd.source)


@dataclass
class _Column:
    out: str
    src: str
    type: DataType
    aliased: bool = False


def _old_name_source(item: ast.RenameItem) -> ast.Source:
    """Where the renamed column is written: ``old AS new`` or ``new = old``."""
    text = item.source.text
    equals = text.find("=")
    if equals >= 0 and not text.lstrip("`").startswith(item.old):
        return locate_after(item.source, item.old, equals + 1)
    return locate_after(item.source, item.old, 0)


def rename(cmd: ast.Rename, scope: Scope, problems: list[Problem]) -> Project | None:
    """``Analyzer.projectionsForRename``, step by step."""
    columns = [_Column(a.name, a.name, a.type) for a in scope.attrs]
    available = {a.name for a in scope.attrs}  # input columns not renamed or shadowed
    renamed_to: dict[str, str] = {}  # Elasticsearch's reverseAliasing: old name → new
    ok = True
    for item in cmd.items:
        old, new = item.old, item.new
        if old == new:
            continue
        columns = [c for c in columns if c.out != new]
        available.discard(new)
        source = _old_name_source(item)
        if old in available:
            if old in scope.unusable:
                problems.append(problem_at(source, scope.unusable_message(old)))
                ok = False
                continue
            for c in columns:
                if c.out == old and not c.aliased:
                    c.out, c.aliased = new, True
            available.discard(old)
            renamed_to[old] = new
            continue
        alias = next((c for c in columns if c.aliased and c.out == old), None)
        if alias is not None and old in renamed_to.values():
            alias.out = new
            renamed_to[old] = new
            continue
        if old in renamed_to:
            message = (
                f"Column [{old}] renamed to [{renamed_to[old]}] and is no longer available "
                f"[{item.source.text}]"
            )
        else:
            message = messages.unknown_column(old, [n for n in scope.names() if n in available])
        problems.append(problem_at(source, message))
        ok = False
    if not ok:
        return None
    attrs = tuple(Attribute(c.out, c.type) for c in columns)
    return Project(tuple((c.out, c.src) for c in columns), attrs, cmd.source)
