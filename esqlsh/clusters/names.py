"""Index names: Elasticsearch's validation of a new index (or alias) name, and the
resolution of an index expression (``logs-*,-logs-old,employees_alias``) to the
concrete indices it names.

Resolution follows ``IndexNameExpressionResolver.resolveExpressionsToResources``:
the comma-separated parts are applied left to right to a set of *resources*
(index and alias names); a ``-name`` part is an exclusion only once a wildcard
part has been seen (before that it is an ordinary, and invalid, name); ``*``
matches any run of characters; an exclusion removes resources, not the indices
behind an alias. Hidden indices (see ``EmbeddedCluster``) are matched by a
wildcard only when both the pattern and the index name start with ``.``.
Unknown concrete names are simply left out (ES|QL resolves with
``ignore_unavailable``); the caller decides whether an empty result is an error.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from esqlsh.errors import EsqlError

MAX_INDEX_NAME_BYTES = 255

# Strings.INVALID_FILENAME_CHARS as Elasticsearch prints it: sorted, quoted, no spaces.
_INVALID_CHARS = frozenset('\\/*?"<>| ,')
_INVALID_CHARS_TEXT = "[" + ",".join(f"'{c}'" for c in sorted(_INVALID_CHARS)) + "]"


class InvalidIndexNameError(EsqlError):
    """Elasticsearch's ``invalid_index_name_exception``."""

    type = "invalid_index_name_exception"
    status = 400

    def __init__(self, name: str, description: str):
        super().__init__(f"Invalid index name [{name}], {description}")
        self.index = name


def validate_index_name(name: str) -> None:
    """Raise ``InvalidIndexNameError`` unless ``name`` may name a new index or alias.

    The checks and their order are ``MetadataCreateIndexService.validateIndexName``'s;
    they also keep names from escaping the cluster directory (no ``/``, ``\\``,
    ``.`` or ``..``)."""
    if not name:
        raise InvalidIndexNameError(name, "must not be empty")
    if any(c in _INVALID_CHARS for c in name):
        raise InvalidIndexNameError(
            name, f"must not contain the following characters {_INVALID_CHARS_TEXT}"
        )
    if "#" in name:
        raise InvalidIndexNameError(name, "must not contain '#'")
    if ":" in name:
        raise InvalidIndexNameError(name, "must not contain ':'")
    if name[0] in "_-+":
        raise InvalidIndexNameError(name, "must not start with '_', '-', or '+'")
    size = len(name.encode("utf-8"))
    if size > MAX_INDEX_NAME_BYTES:
        raise InvalidIndexNameError(
            name, f"index name is too long, ({size} > {MAX_INDEX_NAME_BYTES})"
        )
    if name in (".", ".."):
        raise InvalidIndexNameError(name, "must not be '.' or '..'")
    if "\x00" in name or any(ord(c) < 0x20 for c in name):
        # Not an Elasticsearch rule (it has no files per index name); keeps paths sane.
        raise InvalidIndexNameError(name, "must not contain control characters")
    if name.lower() != name:
        raise InvalidIndexNameError(name, "must be lowercase")


def is_valid_index_name(name: str) -> bool:
    try:
        validate_index_name(name)
    except InvalidIndexNameError:
        return False
    return True


def wildcard_regex(pattern: str) -> re.Pattern[str]:
    """``Regex.simpleMatch``: ``*`` is the only metacharacter."""
    return re.compile(".*".join(re.escape(part) for part in pattern.split("*")), re.DOTALL)


def resolve_expression(
    expression: str,
    indices: Mapping[str, bool],
    aliases: Mapping[str, Iterable[str]],
) -> list[str]:
    """The concrete indices ``expression`` names, sorted.

    ``indices`` maps every index name to whether it is hidden; ``aliases`` maps an
    alias to the indices it points at."""
    parts = [p.strip() for p in expression.split(",")]
    if parts == ["_all"]:
        parts = ["*"]
    resources: dict[str, None] = {}  # an ordered set
    wildcard_seen = False
    for part in parts:
        if not part:
            continue
        exclusion = wildcard_seen and part.startswith("-")
        base = part[1:] if exclusion else part
        if "*" in base:
            wildcard_seen = True
            matched = _match_wildcard(base, indices, aliases)
            for name in matched:
                if exclusion:
                    resources.pop(name, None)
                else:
                    resources[name] = None
        elif exclusion:
            resources.pop(base, None)
        elif base in indices or base in aliases:
            resources[base] = None
    concrete: set[str] = set()
    for name in resources:
        if name in indices:
            concrete.add(name)
        else:
            concrete.update(i for i in aliases.get(name, ()) if i in indices)
    return sorted(concrete)


def _match_wildcard(
    pattern: str, indices: Mapping[str, bool], aliases: Mapping[str, Iterable[str]]
) -> list[str]:
    regex = wildcard_regex(pattern)
    dotted = pattern.startswith(".")
    names = [
        name
        for name, hidden in indices.items()
        if regex.fullmatch(name) and (not hidden or (dotted and name.startswith(".")))
    ]
    names += [alias for alias in aliases if regex.fullmatch(alias)]
    return sorted(names)
