"""Index names: Elasticsearch's validation of a new index (or alias) name.

(The resolution of an index expression to the indices it names is
``clusters/resolve.py``.)
"""

from __future__ import annotations

from esqlsh.errors import EsqlError

__all__ = [
    "MAX_INDEX_NAME_BYTES",
    "InvalidIndexNameError",
    "is_valid_index_name",
    "validate_index_name",
]

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
