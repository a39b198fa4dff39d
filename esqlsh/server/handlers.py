"""The endpoints: ``GET /``, ``_query`` and ``_query/async*``, and the metadata
endpoints. Each handler reads its ``Call`` and returns a starlette ``Response`` or
raises an ``HttpError``/``EsqlError``; ``app.py`` turns the raise into an answer.

Order of checks follows Elasticsearch: URL parameters (in ``app``), the body, the
response format, then the query (after the test hook's latency, if any).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.responses import Response

from esqlsh.server import errors, metadata, rest
from esqlsh.server.query_request import QueryRequest, parse_query_request
from esqlsh.server.responses import OutputOptions, QueryAnswer, output_options
from esqlsh.server.routing import Call, Route, json_body, route
from esqlsh.server.settings import (
    BUILD_DATE,
    BUILD_FLAVOR,
    BUILD_HASH,
    BUILD_TYPE,
    ES_VERSION,
    LUCENE_VERSION,
    MINIMUM_INDEX_COMPATIBILITY_VERSION,
    MINIMUM_WIRE_COMPATIBILITY_VERSION,
    TAGLINE,
)

if TYPE_CHECKING:
    from esqlsh.server.async_queries import AsyncQuery

QUERY_PARAMS = ("delimiter", "drop_null_columns", "allow_partial_results", "header")
ASYNC_PARAMS = (*QUERY_PARAMS, "wait_for_completion_timeout", "keep_alive", "keep_on_completion")
GET_ASYNC_PARAMS = ("wait_for_completion_timeout", "keep_alive", *QUERY_PARAMS)
INDICES_OPTIONS = ("ignore_unavailable", "allow_no_indices", "expand_wildcards")
FIELD_CAPS_PARAMS = (
    *INDICES_OPTIONS,
    "fields",
    "include_unmapped",
    "filters",
    "types",
    "include_empty_fields",
)
MAPPING_PARAMS = (*INDICES_OPTIONS, "local", "master_timeout")


# ------------------------------------------------------------------ GET /


async def info(call: Call) -> Response:
    settings = call.node.settings
    body = {
        "name": settings.node_name,
        "cluster_name": settings.cluster_name,
        "cluster_uuid": settings.cluster_uuid,
        "version": {
            "number": ES_VERSION,
            "build_flavor": BUILD_FLAVOR,
            "build_type": BUILD_TYPE,
            "build_hash": BUILD_HASH,
            "build_date": BUILD_DATE,
            "build_snapshot": False,
            "lucene_version": LUCENE_VERSION,
            "minimum_wire_compatibility_version": MINIMUM_WIRE_COMPATIBILITY_VERSION,
            "minimum_index_compatibility_version": MINIMUM_INDEX_COMPATIBILITY_VERSION,
        },
        "tagline": TAGLINE,
    }
    if call.request.method == "HEAD":
        return Response(b"", 200, media_type="application/json")
    return call.node.json(call, body)


# ------------------------------------------------------------------ _query


async def query(call: Call) -> Response:
    request = parse_query_request(await call.body(), is_async=False)
    options = _options(call, request)
    await call.node.pause()
    result = await call.node.run(request)
    return call.node.query_response(QueryAnswer(result, result.took_ms), options)


async def async_submit(call: Call) -> Response:
    request = parse_query_request(await call.body(), is_async=True)
    request = _async_overrides(call, request)
    options = _options(call, request)
    await call.node.pause()
    store = call.node.async_queries
    submitted = store.submit(
        call.node.job(request),
        keep_alive=request.keep_alive,
        columnar=request.columnar,
        profile=request.profile,
    )
    done = await submitted.wait(request.wait_for_completion_timeout)
    if not done or request.keep_on_completion:
        store.keep(submitted)
    if not done:
        answer = QueryAnswer(None, submitted.elapsed_ms(), submitted.id, is_async=True)
        return call.node.query_response(answer, options)
    kept_id = submitted.id if request.keep_on_completion else None
    return _finished(call, submitted, options, kept_id)


async def async_get(call: Call) -> Response:
    wait = _time_param(call, "wait_for_completion_timeout", default=0.0)
    keep_alive = _time_param(call, "keep_alive", default=None)
    found = call.node.async_queries.get(call.path_params["id"], keep_alive=keep_alive)
    options = _options_for(call, found)
    await call.node.pause()
    if not await found.wait(wait):
        answer = QueryAnswer(None, found.elapsed_ms(), found.id, is_async=True)
        return call.node.query_response(answer, options)
    return _finished(call, found, options, found.id)


async def async_stop(call: Call) -> Response:
    found = call.node.async_queries.get(call.path_params["id"])
    options = _options_for(call, found)
    await call.node.pause()
    found.cancel.set()
    # The engine cannot stop part-way: the answer is the whole result.
    await found.wait(None)
    return _finished(call, found, options, found.id)


async def async_delete(call: Call) -> Response:
    await call.node.pause()
    call.node.async_queries.delete(call.path_params["id"])
    return call.node.json(call, {"acknowledged": True})


def _finished(
    call: Call, found: AsyncQuery, options: OutputOptions, async_id: str | None
) -> Response:
    """The answer of a finished async query (its error, if it failed)."""
    failure = found.future.exception()
    if failure is not None:
        raise failure
    result = found.future.result()
    answer = QueryAnswer(result, result.took_ms, async_id, is_async=True)
    return call.node.query_response(answer, options)


def _options(call: Call, request: QueryRequest) -> OutputOptions:
    options = output_options(
        call.path, call.params, call.headers, columnar=request.columnar, profile=request.profile
    )
    rest.param_bool(call.params, "allow_partial_results")  # validated, always allowed here
    return options


def _options_for(call: Call, found: AsyncQuery) -> OutputOptions:
    return output_options(
        call.path, call.params, call.headers, columnar=found.columnar, profile=found.profile
    )


def _async_overrides(call: Call, request: QueryRequest) -> QueryRequest:
    """The async settings may also come as URL parameters (the body wins)."""
    from dataclasses import replace

    changes: dict[str, Any] = {}
    for name in ("wait_for_completion_timeout", "keep_alive"):
        if name in call.params:
            changes[name] = rest.parse_time_value(call.params[name], name)
    if "keep_on_completion" in call.params:
        changes["keep_on_completion"] = rest.param_bool(call.params, "keep_on_completion")
    return replace(request, **changes) if changes else request


def _time_param(call: Call, name: str, default: float | None) -> float | None:
    raw = call.params.get(name)
    return default if raw is None else rest.parse_time_value(raw, name)


# ------------------------------------------------------------------ metadata


async def resolve_index(call: Call) -> Response:
    body = metadata.resolve_index(
        call.node.cluster,
        call.path_params["name"],
        ignore_unavailable=rest.param_bool(call.params, "ignore_unavailable"),
    )
    return call.node.json(call, body)


async def field_caps(call: Call) -> Response:
    extra = json_body(call, await call.body()) if call.request.method == "POST" else {}
    fields = call.params.get("fields")
    listed = extra.get("fields")
    if fields is None and isinstance(listed, str | list):
        fields = listed if isinstance(listed, str) else ",".join(str(f) for f in listed)
    if not fields:
        raise errors.validation_failed(["no fields specified"])
    body = metadata.field_caps(
        call.node.cluster,
        call.path_params.get("index", "_all"),
        fields,
        ignore_unavailable=rest.param_bool(call.params, "ignore_unavailable"),
        include_unmapped=rest.param_bool(call.params, "include_unmapped"),
    )
    return call.node.json(call, body)


async def mapping(call: Call) -> Response:
    body = metadata.mappings(
        call.node.cluster,
        call.path_params.get("index", "_all"),
        ignore_unavailable=rest.param_bool(call.params, "ignore_unavailable"),
    )
    return call.node.json(call, body)


async def enrich_policy(call: Call) -> Response:
    named = call.path_params.get("name")
    names = [n.strip() for n in named.split(",") if n.strip()] if named is not None else None
    return call.node.json(call, metadata.enrich_policies(call.node.cluster, names))


ROUTES: tuple[Route, ...] = (
    route("GET HEAD", "/", info),
    route("POST", "/_query", query, QUERY_PARAMS),
    route("POST", "/_query/async", async_submit, ASYNC_PARAMS),
    route("GET", "/_query/async/{id}", async_get, GET_ASYNC_PARAMS),
    route("DELETE", "/_query/async/{id}", async_delete),
    route("POST", "/_query/async/{id}/stop", async_stop, QUERY_PARAMS),
    route("GET POST", "/_resolve/index/{name}", resolve_index, (*INDICES_OPTIONS, "mode")),
    route("GET POST", "/_field_caps", field_caps, FIELD_CAPS_PARAMS),
    route("GET POST", "/{index}/_field_caps", field_caps, FIELD_CAPS_PARAMS),
    route("GET", "/_mapping", mapping, MAPPING_PARAMS),
    route("GET", "/{index}/_mapping", mapping, MAPPING_PARAMS),
    route("GET", "/_enrich/policy", enrich_policy, ("master_timeout",)),
    route("GET", "/_enrich/policy/{name}", enrich_policy, ("master_timeout",)),
)
