"""Routes and the per-request ``Call`` handlers receive.

Paths match on their raw (still percent-encoded) segments, as Elasticsearch's
``PathTrie`` does, and path variables are decoded afterwards: ``/..%2Fetc/_mapping``
is the index name ``../etc``, never a path. A path no route matches is ES's
``no handler found for uri [...] and method [...]`` (400); a route that exists
for other methods is ``Incorrect HTTP method …`` (405, with ``Allow``).

``Call.body`` enforces ``http.max_content_length``: a larger body is Elasticsearch's
413 (ES sends it with an empty body; here it carries a ``status_exception`` so that
clients see why). Whatever a handler does not read is drained before the answer,
so a client still sending its body is answered rather than reset.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from esqlsh.server import errors

if TYPE_CHECKING:
    from esqlsh.server.app import NodeState

Handler = Callable[["Call"], Awaitable[Response]]
# Reading on past the limit keeps the connection usable; beyond this much it closes.
DRAIN_CAP = 256 * 1024 * 1024


@dataclass(frozen=True)
class Route:
    methods: frozenset[str]
    pattern: tuple[str, ...]
    handler: Handler
    params: frozenset[str] = frozenset()

    def match(self, segments: Sequence[str]) -> dict[str, str] | None:
        if len(segments) != len(self.pattern):
            return None
        found: dict[str, str] = {}
        for want, got in zip(self.pattern, segments, strict=True):
            if want.startswith("{"):
                if not got:
                    return None
                found[want[1:-1]] = urllib.parse.unquote(got)
            elif want != got:
                return None
        return found


def route(methods: str, path: str, handler: Handler, params: Sequence[str] = ()) -> Route:
    """``route("GET HEAD", "/{index}/_mapping", handler, ["ignore_unavailable"])``."""
    return Route(frozenset(methods.split()), split_path(path), handler, frozenset(params))


def split_path(raw_path: str) -> tuple[str, ...]:
    segments = raw_path.split("/")[1:] or [""]
    if len(segments) > 1 and segments[-1] == "":
        segments = segments[:-1]  # a trailing slash
    return tuple(segments)


def allowed_methods(routes: Sequence[Route], raw_path: str) -> list[str]:
    """The methods some route takes at ``raw_path`` (the ``Allow`` header)."""
    segments = split_path(raw_path)
    return sorted({m for r in routes if r.match(segments) is not None for m in r.methods})


def find_route(
    routes: Sequence[Route], method: str, raw_path: str, uri: str
) -> tuple[Route, dict[str, str]]:
    """The route for ``method`` and ``raw_path``; raises ES's 400 or 405."""
    segments = split_path(raw_path)
    for candidate in routes:
        found = candidate.match(segments)
        if found is not None and method in candidate.methods:
            return candidate, found
    listed = allowed_methods(routes, raw_path)
    if listed:
        err = errors.simple(
            f"Incorrect HTTP method for uri [{uri}] and method [{method}], "
            f"allowed: [{', '.join(listed)}]",
            405,
        )
        err.headers.append(("Allow", ",".join(listed)))
        raise err
    raise errors.simple(
        f"no handler found for uri [{uri}] and method [{method}]", 400, with_status=False
    )


@dataclass
class Call:
    """One request as a handler sees it."""

    request: Request
    node: NodeState
    path: str  # the decoded path, as Elasticsearch's request.path()
    uri: str  # the raw path and query, as request.uri()
    raw_path: str = "/"  # still percent-encoded, for routing
    path_params: dict[str, str] = field(default_factory=dict)
    _body: bytes | None = None
    _consumed: bool = False

    @property
    def params(self) -> Mapping[str, str]:
        return self.request.query_params

    @property
    def headers(self) -> Mapping[str, str]:
        return self.request.headers

    async def body(self) -> bytes:
        """The whole body, or 413 when it is over the node's limit."""
        if self._body is not None:
            return self._body
        limit = self.node.settings.max_content_length
        declared = _content_length(self.request)
        if declared is not None and declared > limit:
            await self.drain()
            raise too_large(declared, limit)
        chunks: list[bytes] = []
        size = 0
        async for chunk in self.request.stream():
            size += len(chunk)
            if size > limit:
                await self.drain(already=size)
                raise too_large(size, limit)
            chunks.append(chunk)
        self._consumed = True
        self._body = b"".join(chunks)
        return self._body

    async def drain(self, already: int = 0) -> None:
        """Read and drop what is left of the body (up to ``DRAIN_CAP``)."""
        if self._consumed:
            return
        self._consumed = True
        size = already
        try:
            async for chunk in self.request.stream():
                size += len(chunk)
                if size > DRAIN_CAP:
                    return
        except (ClientDisconnect, RuntimeError):
            return

    def param_set(self) -> set[str]:
        return set(self.request.query_params.keys())


def _content_length(request: Request) -> int | None:
    raw = request.headers.get("content-length")
    try:
        return int(raw) if raw is not None else None
    except ValueError:
        return None


def too_large(size: int, limit: int) -> errors.HttpError:
    return errors.exception(
        "status_exception",
        f"request body is too large: [{size}] bytes, the limit is [{limit}] bytes "
        "(http.max_content_length)",
        413,
    )


def json_body(call: Call, raw: bytes) -> Any:
    """An optional JSON object body of a metadata endpoint (``{}`` when empty)."""
    import json

    if not raw.strip():
        return {}
    try:
        value = json.loads(raw)
    except (ValueError, RecursionError):
        raise errors.x_content_parse("[1:1] the request body is not a JSON object") from None
    if not isinstance(value, dict):
        raise errors.x_content_parse("[1:1] the request body is not a JSON object")
    return value
