"""The node as an ASGI application: for every request, authenticate, route, check
the URL parameters, run the handler, and answer — always with
``X-Elastic-Product: Elasticsearch``, errors in Elasticsearch's JSON shapes, never
a traceback — then write one access-log line (method, URI, status, time; never a
header, so never a credential).

``NodeState`` is what handlers share: the cluster, the settings, the thread pool
queries run in (the event loop never runs one), the async query store and the
test hooks.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, TextIO

from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from esqlsh.errors import EsqlError, ParsingError
from esqlsh.server import errors, rest
from esqlsh.server.async_queries import AsyncQueries
from esqlsh.server.auth import Authenticator
from esqlsh.server.handlers import ROUTES
from esqlsh.server.query_request import QueryRequest
from esqlsh.server.responses import (
    COMPATIBLE_JSON,
    OutputOptions,
    QueryAnswer,
    async_headers,
    utf8,
    warning_headers,
    write_answer,
)
from esqlsh.server.routing import Call, Route, allowed_methods, find_route
from esqlsh.server.settings import MAX_QUERY_LENGTH, NodeSettings

if TYPE_CHECKING:
    from esqlsh.clusters.embedded import EmbeddedCluster
    from esqlsh.engine.result import Result

PRODUCT_HEADER = ("X-Elastic-Product", "Elasticsearch")


class ConnectionDropped(Exception):
    """Raised after a deliberately cut-off answer (``ESQLSH_TEST_FAIL_AFTER_ROWS``):
    the server closes the connection; ``run.py`` keeps it out of the log."""


class NodeState:
    """Everything a request handler may use."""

    def __init__(self, cluster: EmbeddedCluster, settings: NodeSettings):
        self.cluster = cluster
        self.settings = settings
        self.executor = ThreadPoolExecutor(
            max_workers=settings.query_threads, thread_name_prefix="esqlsh-query"
        )
        self.async_queries = AsyncQueries(self.executor, node_id=_node_id(settings))

    def close(self) -> None:
        self.async_queries.clear()
        self.executor.shutdown(wait=False, cancel_futures=True)

    # --- queries ----------------------------------------------------------------

    def job(self, request: QueryRequest) -> Callable[[], Result]:
        """The query as a function for the thread pool."""
        cluster, text, params = self.cluster, request.query, request.params

        def run() -> Result:
            from esqlsh.coordinator.session import run_query

            if len(text) > MAX_QUERY_LENGTH:  # EsqlParser refuses these before parsing
                raise ParsingError(
                    -1,
                    -1,
                    f"ESQL statement is too large [{len(text)} characters > {MAX_QUERY_LENGTH}]",
                )
            return run_query(text, cluster, params)

        return run

    async def run(self, request: QueryRequest) -> Result:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, self.job(request))

    async def pause(self) -> None:
        """The test hook's latency before each ``_query*`` answer."""
        if self.settings.hooks.latency_ms:
            await asyncio.sleep(self.settings.hooks.latency_ms / 1000)

    # --- answers ----------------------------------------------------------------

    def json(self, call: Call, body: dict[str, Any], status: int = 200) -> Response:
        import json

        compatible = rest.json_choice(call.headers.get("accept")).compatible
        content = utf8(json.dumps(body, ensure_ascii=False, separators=(",", ":")))
        return Response(content, status, media_type=_json_type(compatible))

    def query_response(self, answer: QueryAnswer, options: OutputOptions) -> Response:
        content, content_type = write_answer(answer, options)
        limit = self.settings.hooks.fail_after_rows
        cut_off = limit is not None and answer.rows > limit
        response = (_CutOffResponse if cut_off else Response)(content, 200, media_type=content_type)
        extra = async_headers(answer)
        if answer.result is not None:
            extra += warning_headers(answer.result.warnings)
        _add_headers(response, extra)
        return response


class _CutOffResponse(Response):
    """Sends the headers and the first half of the body, then drops the connection."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
        )
        cut = max(1, len(self.body) // 2)
        await send(
            {"type": "http.response.body", "body": bytes(self.body[:cut]), "more_body": True}
        )
        raise ConnectionDropped("ESQLSH_TEST_FAIL_AFTER_ROWS: connection dropped mid-body")


class NodeApp:
    """The ASGI application of one node."""

    def __init__(
        self,
        state: NodeState,
        log: TextIO,
        *,
        routes: tuple[Route, ...] = ROUTES,
        debug: bool = False,
    ):
        self.state = state
        self.log = log
        self.routes = routes
        self.debug = debug
        self.auth = Authenticator(state.settings.api_keys)
        self.in_flight = 0  # requests inside the app (answered or not yet)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        self.in_flight += 1
        try:
            await self._http(scope, receive, send)
        finally:
            self.in_flight -= 1

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        request = Request(scope, receive)
        uri = _uri(scope)
        raw_path = (scope.get("raw_path") or b"").decode("latin-1") or scope["path"]
        call = Call(request, self.state, path=scope["path"], uri=uri, raw_path=raw_path)
        status = 500
        try:
            response = await self._answer(call)
            status = response.status_code
            await call.drain()
            await response(scope, receive, send)
        except ConnectionDropped:
            self._access(scope, uri, status, started, note="dropped (test hook)")
            raise
        except ClientDisconnect:
            self._access(scope, uri, 499, started, note="client went away")
            return
        self._access(scope, uri, status, started)

    async def _answer(self, call: Call) -> Response:
        request = call.request
        if request.method == "OPTIONS":
            response = self._options(call)
        else:
            response = await self._handle(call)
        extra = [PRODUCT_HEADER]
        opaque_id = request.headers.get("x-opaque-id")
        if opaque_id is not None:  # Elasticsearch echoes it on every answer
            extra.append(("X-Opaque-Id", opaque_id))
        _add_headers(response, extra)
        return response

    def _options(self, call: Call) -> Response:
        """``RestController.handleOptionsRequest``: 200, the methods in ``Allow``."""
        response = Response(b"", 200, media_type="text/plain")
        allowed = allowed_methods(self.routes, call.raw_path)
        if allowed:
            _add_headers(response, [("Allow", ",".join(allowed))])
        return response

    async def _handle(self, call: Call) -> Response:
        request = call.request
        try:
            self.auth.check(request.headers.get("authorization"), call.uri)
            found, call.path_params = find_route(
                self.routes, request.method, call.raw_path, call.uri
            )
            rest.check_params(call.path, call.param_set(), found.params)
            response = await found.handler(call)
        except errors.HttpError as err:
            response = self._error(call, err)
        except EsqlError as err:
            response = self._error(call, errors.from_esql(err))
        except ClientDisconnect:
            raise
        except Exception as err:  # a bug: answered, logged in one line, node stays up
            self._internal(call, err)
            response = self._error(call, errors.internal(err))
        return response

    def _error(self, call: Call, err: errors.HttpError) -> Response:
        compatible = rest.json_choice(call.headers.get("accept")).compatible
        import json

        content = utf8(json.dumps(err.body, ensure_ascii=False, separators=(",", ":")))
        response = Response(content, err.status, media_type=_json_type(compatible))
        _add_headers(response, err.headers)
        return response

    def _internal(self, call: Call, err: Exception) -> None:
        line = f"esqlsh serve: internal error on {call.request.method} {call.path}: "
        line += f"{type(err).__name__}: {(str(err).splitlines() or [''])[0]}\n"
        self.log.write(line)
        if self.debug:
            self.log.write("".join(traceback.format_exception(err)))
        self.log.flush()

    def _access(self, scope: Scope, uri: str, status: int, started: float, note: str = "") -> None:
        client = scope.get("client") or ("-", 0)
        elapsed = (time.perf_counter() - started) * 1000
        suffix = f" {note}" if note else ""
        self.log.write(
            f'{client[0]}:{client[1]} "{scope["method"]} {uri}" {status} {elapsed:.0f}ms{suffix}\n'
        )
        self.log.flush()


def create_app(
    cluster: EmbeddedCluster, settings: NodeSettings, log: TextIO, *, debug: bool = False
) -> NodeApp:
    return NodeApp(NodeState(cluster, settings), log, debug=debug)


def _uri(scope: Scope) -> str:
    """The request target as sent (``request.uri()``): raw path and query."""
    raw = scope.get("raw_path") or scope["path"].encode("utf-8")
    query = scope.get("query_string", b"")
    text = raw.decode("latin-1")
    return f"{text}?{query.decode('latin-1')}" if query else text


def _json_type(compatible: bool) -> str:
    return COMPATIBLE_JSON if compatible else "application/json"


def _add_headers(response: Response, headers: list[tuple[str, str]]) -> None:
    for name, value in headers:
        response.raw_headers.append((name.lower().encode("latin-1"), _latin1(value)))


def _latin1(value: str) -> bytes:
    return value.encode("latin-1", "replace")


def _node_id(settings: NodeSettings) -> str:
    return (settings.cluster_uuid[:8] or "node") + settings.node_name[:8].replace(":", "_")


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


class DropFilter(logging.Filter):
    """Keeps uvicorn from logging a traceback for a deliberate ``ConnectionDropped``."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not _is_drop(exc)


def _is_drop(exc: BaseException | None) -> bool:
    if exc is None:
        return False
    if isinstance(exc, ConnectionDropped):
        return True
    inner: tuple[BaseException, ...] = tuple(getattr(exc, "exceptions", None) or ())
    return bool(inner) and all(_is_drop(e) for e in inner)


def debug_enabled() -> bool:
    return bool(os.environ.get("ESQLSH_DEBUG"))
