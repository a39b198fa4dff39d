"""What a node is told at start-up: its names, the API keys it accepts, its body
limit and the test hooks; and the Elasticsearch version it answers as.

Test hooks are read only from the environment and are not documented to users:
``ESQLSH_TEST_LATENCY_MS`` (sleep before answering each ``_query*`` request) and
``ESQLSH_TEST_FAIL_AFTER_ROWS`` (a result of more than N rows is cut off mid-body).
"""

from __future__ import annotations

import base64
import hashlib
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

# The Elasticsearch this node answers as (``GET /``, ``Warning`` headers).
ES_VERSION = "9.1.0"
LUCENE_VERSION = "10.2.2"
MINIMUM_WIRE_COMPATIBILITY_VERSION = "8.19.0"
MINIMUM_INDEX_COMPATIBILITY_VERSION = "8.0.0"
BUILD_FLAVOR = "default"
BUILD_TYPE = "tar"
BUILD_DATE = "2025-07-17T22:10:25.256384052Z"
# Not Elasticsearch's: a stable stand-in, so the Warning agent reads like theirs.
BUILD_HASH = hashlib.sha1(f"esqlsh-serve-{ES_VERSION}".encode()).hexdigest()
TAGLINE = "You Know, for Search"

# ``http.max_content_length``'s default.
DEFAULT_MAX_CONTENT_LENGTH = 100 * 1024 * 1024
# Elasticsearch's EsqlParser.MAX_LENGTH (characters of a statement).
MAX_QUERY_LENGTH = 1_000_000

LATENCY_ENV = "ESQLSH_TEST_LATENCY_MS"
FAIL_AFTER_ROWS_ENV = "ESQLSH_TEST_FAIL_AFTER_ROWS"
API_KEYS_ENV = "ESQLSH_SERVE_API_KEYS"

_BYTE_UNITS = {"": 1, "b": 1, "kb": 1024, "mb": 1024**2, "gb": 1024**3}


@dataclass(frozen=True)
class FaultHooks:
    """Fault injection for tests of clients (never on unless the environment says)."""

    latency_ms: int = 0
    fail_after_rows: int | None = None

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> FaultHooks:
        """Raises ValueError naming the variable when a value is not a number."""
        return cls(
            latency_ms=_env_int(environ, LATENCY_ENV) or 0,
            fail_after_rows=_env_int(environ, FAIL_AFTER_ROWS_ENV),
        )


@dataclass(frozen=True)
class NodeSettings:
    """``api_keys`` never appear in a repr; an empty tuple means an open node."""

    node_name: str
    cluster_name: str
    cluster_uuid: str
    api_keys: tuple[str, ...] = field(default=(), repr=False)
    max_content_length: int = DEFAULT_MAX_CONTENT_LENGTH
    hooks: FaultHooks = FaultHooks()
    query_threads: int = 4


def cluster_uuid_for(path: Path) -> str:
    """A stable id for the cluster at ``path``, in the form of Elasticsearch's
    (22 characters of URL-safe base64)."""
    digest = uuid.uuid5(uuid.NAMESPACE_URL, path.resolve().as_uri()).bytes
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def parse_api_keys(values: tuple[str, ...], environ: Mapping[str, str]) -> tuple[str, ...]:
    """``--api-key`` values plus ``ESQLSH_SERVE_API_KEYS`` (comma or whitespace
    separated, so keys can stay out of ``ps``)."""
    from_env = re.split(r"[,\s]+", environ.get(API_KEYS_ENV, "").strip())
    keys = [k.strip() for k in (*values, *from_env)]
    return tuple(dict.fromkeys(k for k in keys if k))


def parse_byte_size(text: str) -> int:
    """``104857600``, ``100mb``, ``64kb``: Elasticsearch's byte sizes (binary units)."""
    match = re.fullmatch(r"\s*(\d+)\s*([kmg]?b?)\s*", text.lower())
    if not match or match.group(2) not in _BYTE_UNITS:
        raise ValueError(f"not a byte size: [{text}] (use e.g. 104857600, 100mb, 64kb)")
    return int(match.group(1)) * _BYTE_UNITS[match.group(2)]


def _env_int(environ: Mapping[str, str], name: str) -> int | None:
    raw = environ.get(name, "").strip()
    if not raw:
        return None
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, got [{raw}]") from None
    if value < 0:
        raise ValueError(f"{name} must not be negative, got [{raw}]")
    return value
