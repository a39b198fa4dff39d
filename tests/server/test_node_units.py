"""The node's pieces on their own, in process (no sockets): the REST rules, the
request parser, answers and warning headers, async ids, authentication,
metadata, routing, and the ASGI application driven message by message. Then the
command line's refusals and, with real subprocesses, the node's life cycle
(graceful stop with a request in flight, several nodes, kill, start failures).
"""

from __future__ import annotations

import asyncio
import base64
import io
import json
import signal
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator, MutableMapping
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import requests

from esqlsh.analysis.types import DataType as T
from esqlsh.cli import run as cli_run
from esqlsh.clusters.embedded import EmbeddedCluster
from esqlsh.clusters.ingest import load_index, write_aliases, write_policy
from esqlsh.engine.result import Result
from esqlsh.env import Environment
from esqlsh.exit import ExitStatus
from esqlsh.plan.logical import Attribute
from esqlsh.server import async_queries, metadata, rest
from esqlsh.server.app import ConnectionDropped, NodeApp, NodeState
from esqlsh.server.auth import Authenticator
from esqlsh.server.command import _configured_path
from esqlsh.server.errors import HttpError
from esqlsh.server.handlers import ROUTES
from esqlsh.server.query_request import parse_query_request
from esqlsh.server.responses import (
    OutputOptions,
    QueryAnswer,
    answer_body,
    escape_warning,
    output_options,
    warning_headers,
    write_answer,
)
from esqlsh.server.routing import find_route, route
from esqlsh.server.settings import (
    FaultHooks,
    NodeSettings,
    cluster_uuid_for,
    parse_api_keys,
    parse_byte_size,
)
from tests.servers import NodeStartError, start_node

# --- a small cluster ----------------------------------------------------------------


@pytest.fixture(scope="module")
def cluster_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("units")
    people = root / "people.csv"
    people.write_text("name:keyword,age:integer,note:text\nann,31,hi\nbob,42,yo\n", "utf-8")
    load_index(root / "c", "people", people)
    older = root / "older.csv"
    older.write_text("name:keyword,age:long\ncy,27\n", "utf-8")
    load_index(root / "c", "people_old", older)
    load_index(root / "c", ".secret", older, settings={"index": {"hidden": True}})
    codes = root / "codes.csv"
    codes.write_text("code:keyword,label:keyword\na,alpha\n", "utf-8")
    load_index(root / "c", "codes", codes, settings={"index": {"mode": "lookup"}})
    write_aliases(root / "c", {"folks": "people"})
    write_policy(
        root / "c",
        "code_policy",
        {"match": {"indices": "codes", "match_field": "code", "enrich_fields": ["label"]}},
    )
    return root / "c"


@pytest.fixture(scope="module")
def cluster(cluster_dir: Path) -> EmbeddedCluster:
    return EmbeddedCluster(cluster_dir)


def error_of(raised: pytest.ExceptionInfo[HttpError]) -> dict[str, Any]:
    error = raised.value.body["error"]
    assert isinstance(error, dict)
    return error


# --- rest: parameters, booleans, time values, formats -------------------------------------


def test_unrecognized_parameter_with_suggestion() -> None:
    with pytest.raises(HttpError) as raised:
        rest.check_params("/_query", {"fromat"}, {"delimiter"})
    assert raised.value.status == 400
    assert error_of(raised)["type"] == "illegal_argument_exception"
    assert error_of(raised)["reason"] == (
        "request [/_query] contains unrecognized parameter: [fromat] -> did you mean [format]?"
    )


def test_unrecognized_parameters_plural_sorted() -> None:
    with pytest.raises(HttpError) as raised:
        rest.check_params("/", {"zz", "aa"}, ())
    assert error_of(raised)["reason"] == "request [/] contains unrecognized parameters: [aa], [zz]"


def test_known_and_global_parameters_pass() -> None:
    rest.check_params("/_query", {"format", "pretty", "delimiter"}, {"delimiter"})


def test_similarity_is_lucene_levenshtein() -> None:
    assert rest.similarity("format", "format") == 1.0
    assert rest.similarity("fromat", "format") == pytest.approx(1 - 2 / 6)
    assert rest.suggest("colunmar", ["columnar", "query"], threshold=0.7) == ["columnar"]


@pytest.mark.parametrize(
    ("raw", "seconds"),
    [("1s", 1.0), ("500ms", 0.5), ("2m", 120.0), ("1h", 3600.0), ("1d", 86400.0), ("0", 0.0)],
)
def test_time_values(raw: str, seconds: float) -> None:
    assert rest.parse_time_value(raw, "keep_alive") == seconds


def test_time_value_minus_one_is_no_limit() -> None:
    assert rest.parse_time_value("-1", "wait_for_completion_timeout") is None


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (
            "5",
            "failed to parse setting [keep_alive] with value [5] as a time value: "
            "unit is missing or unrecognized",
        ),
        ("1.5s", "failed to parse [1.5s], fractional time values are not supported"),
        ("xs", "failed to parse [xs]"),
    ],
)
def test_bad_time_values(raw: str, reason: str) -> None:
    with pytest.raises(HttpError) as raised:
        rest.parse_time_value(raw, "keep_alive")
    assert error_of(raised)["type"] == "parse_exception"
    assert error_of(raised)["reason"] == reason


def test_booleans() -> None:
    assert rest.param_bool({}, "x") is False
    assert rest.param_bool({"x": ""}, "x") is True
    assert rest.param_bool({"x": "false"}, "x") is False
    with pytest.raises(HttpError) as raised:
        rest.param_bool({"x": "yes"}, "x")
    assert error_of(raised)["reason"] == (
        "Failed to parse value [yes] as only [true] or [false] are allowed."
    )


@pytest.mark.parametrize(
    ("fmt", "accept", "content_type", "expected"),
    [
        ("csv", None, "application/json", "csv"),
        ("JSON", None, None, "json"),
        (None, "text/csv", "application/json", "csv"),
        (None, "text/tab-separated-values", None, "tsv"),
        (None, "text/plain; charset=utf-8", None, "txt"),
        (None, "application/vnd.apache.arrow.stream", None, "arrow"),
        (None, "application/yaml", None, "yaml"),
        (None, "*/*", "application/json", "json"),
        (None, None, None, "json"),
    ],
)
def test_choose_format(
    fmt: str | None, accept: str | None, content_type: str | None, expected: str
) -> None:
    assert rest.choose_format(fmt, accept, content_type).fmt == expected


def test_compatible_json_is_kept() -> None:
    choice = rest.choose_format(None, "application/vnd.elasticsearch+json; compatible-with=9", None)
    assert choice.fmt == "json" and choice.compatible


def test_csv_header_absent_in_accept() -> None:
    assert rest.choose_format(None, "text/csv; header=absent", None).header is False


def test_unknown_format_message() -> None:
    with pytest.raises(HttpError) as raised:
        rest.choose_format("xml", None, "application/json")
    assert error_of(raised)["reason"] == (
        "Invalid request content type: Accept=[null], Content-Type=[application/json], format=[xml]"
    )


def test_unknown_accept_header() -> None:
    with pytest.raises(HttpError):
        rest.choose_format(None, "text/html", "application/json")


# --- the _query body ---------------------------------------------------------------------


def parse(body: Any, *, is_async: bool = False) -> Any:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return parse_query_request(raw, is_async=is_async)


def parse_error(body: Any, *, is_async: bool = False) -> dict[str, Any]:
    with pytest.raises(HttpError) as raised:
        parse(body, is_async=is_async)
    assert raised.value.status == 400
    return error_of(raised)


def test_full_request() -> None:
    request = parse(
        {
            "query": "ROW a = ?",
            "columnar": True,
            "params": [1],
            "locale": "fr",
            "profile": True,
            "include_ccs_metadata": True,
            "filter": {"match_all": {}},
        }
    )
    assert request.query == "ROW a = ?" and request.columnar and request.profile
    assert request.params == [1]
    assert request.locale == "fr" and request.include_ccs_metadata


def test_boolean_fields_accept_strings() -> None:
    assert parse({"query": "ROW 1", "columnar": "true"}).columnar is True


def test_named_params_forms() -> None:
    request = parse({"query": "ROW a = ?x", "params": [{"x": 1}, {"y": {"value": "v"}}]})
    assert request.params == {"x": 1, "y": "v"}


def test_wrong_type_message_and_position() -> None:
    error = parse_error(b'{"query": 5}')
    assert error["type"] == "x_content_parse_exception"
    assert (
        error["reason"] == "[1:11] [esql/query] query doesn't support values of type: VALUE_NUMBER"
    )


def test_bad_boolean_is_failed_to_parse_field() -> None:
    error = parse_error(b'{"query": "ROW 1",\n "columnar": "yes"}')
    assert error["reason"] == "[2:14] [esql/query] failed to parse field [columnar]"
    assert error["caused_by"]["reason"] == (
        "Failed to parse value [yes] as only [true] or [false] are allowed."
    )


def test_unknown_field_with_suggestion() -> None:
    error = parse_error(b'{"query": "ROW 1", "colunmar": true}')
    assert error["reason"] == (
        "[1:20] [esql/query] unknown field [colunmar] did you mean [columnar]?"
    )


def test_async_fields_only_in_async_requests() -> None:
    error = parse_error({"query": "ROW 1", "keep_alive": "1m"})
    assert error["reason"].endswith("[esql/query] unknown field [keep_alive]")
    request = parse(
        {"query": "ROW 1", "keep_alive": "1m", "wait_for_completion_timeout": "2s"}, is_async=True
    )
    assert request.keep_alive == 60.0 and request.wait_for_completion_timeout == 2.0


@pytest.mark.parametrize(
    ("raw", "etype"),
    [
        (b"", "parse_exception"),
        (b"  \n", "parse_exception"),
        (b'{"query": "ROW 1"', "x_content_parse_exception"),
        (b'{"query": NaN}', "x_content_parse_exception"),
        (b'{"query": "a", "query": "b"}', "x_content_parse_exception"),
        (b"[1, 2]", "x_content_parse_exception"),
        (b"\xff\xfe", "x_content_parse_exception"),
        (b"[" * 100_000, "x_content_parse_exception"),
    ],
    ids=["empty", "blank", "truncated", "nan", "duplicate", "array", "binary", "deep"],
)
def test_malformed_bodies(raw: bytes, etype: str) -> None:
    assert parse_error(raw)["type"] == etype


def test_array_body_names_the_token() -> None:
    assert parse_error(b"[1]")["reason"] == (
        "[1:1] [esql/query] Expected START_OBJECT but was: START_ARRAY"
    )


def test_missing_query_and_snapshot_only_fields() -> None:
    error = parse_error({"pragma": {"x": 1}, "tables": {"t": {}}})
    assert error["type"] == "action_request_validation_exception"
    assert error["reason"] == (
        "Validation Failed: 1: [query] is required;2: [pragma] only allowed in snapshot "
        "builds;3: [tables] only allowed in snapshot builds;"
    )


@pytest.mark.parametrize(
    "params",
    [
        [{"x": 1}, 2],
        [{"1x": 1}],
        [{"x": 1, "y": 2}],
        [{"x": {"value": 1, "identifier": "y"}}],
        [{"x": {"nope": 1}}],
        [2**70],
    ],
    ids=["mixed", "bad-name", "two-keys", "two-kinds", "bad-kind", "big-int"],
)
def test_bad_params(params: Any) -> None:
    error = parse_error({"query": "ROW a = ?", "params": params})
    assert error["type"] == "x_content_parse_exception"
    assert error["reason"].endswith("[esql/query] failed to parse field [params]")
    assert error["caused_by"]["reason"].startswith("Failed to parse params: ")


def test_filters() -> None:
    parse({"query": "ROW 1", "filter": {"bool": {"filter": [{"match_all": {}}]}}})
    error = parse_error({"query": "ROW 1", "filter": {"range": {"@timestamp": {"gte": "now"}}}})
    assert error["type"] == "illegal_argument_exception"
    assert "[range]" in error["reason"]


# --- answers ----------------------------------------------------------------------------


def make_result(warnings: list[str] | None = None) -> Result:
    frame = pl.DataFrame(
        [
            pl.Series("a", [1, 2], pl.Int32),
            pl.Series("b", [None, None], pl.String),
            pl.Series("c", [["x", "y"], ["z"]], pl.List(pl.String)),
            pl.Series("d", [1.5, None], pl.Float64),
        ]
    )
    columns = (
        Attribute("a", T.INTEGER),
        Attribute("b", T.KEYWORD),
        Attribute("c", T.KEYWORD),
        Attribute("d", T.DOUBLE),
    )
    return Result(columns, frame, warnings=warnings or [], took_ms=3)


def options(**kw: Any) -> OutputOptions:
    media = kw.pop("media", rest.MediaChoice("json"))
    return OutputOptions(media=media, **kw)


def test_answer_body_rows_and_columnar() -> None:
    answer = QueryAnswer(make_result(), 3)
    body = answer_body(answer, options())
    assert list(body) == ["took", "is_partial", "columns", "values"]
    assert body["values"] == [[1, None, ["x", "y"], 1.5], [2, None, "z", None]]
    columnar = answer_body(answer, options(columnar=True))
    assert columnar["values"] == [[1, 2], [None, None], [["x", "y"], "z"], [1.5, None]]


def test_answer_body_drop_null_columns() -> None:
    body = answer_body(QueryAnswer(make_result(), 3), options(drop_null_columns=True))
    assert [c["name"] for c in body["all_columns"]] == ["a", "b", "c", "d"]
    assert [c["name"] for c in body["columns"]] == ["a", "c", "d"]
    assert body["values"] == [[1, ["x", "y"], 1.5], [2, "z", None]]


def test_async_running_body() -> None:
    answer = QueryAnswer(None, 12, "some-id", is_async=True)
    assert answer_body(answer, options()) == {
        "id": "some-id",
        "is_running": True,
        "took": 12,
        "is_partial": False,
        "columns": [],
        "values": [],
    }
    content, content_type = write_answer(answer, options(media=rest.MediaChoice("csv")))
    assert content == b"" and content_type.startswith("text/csv")


def test_json_answer_uses_java_doubles() -> None:
    content, content_type = write_answer(QueryAnswer(make_result(), 3), options())
    assert content_type == "application/json"
    assert b"1.5" in content and json.loads(content)["took"] == 3


def test_csv_with_delimiter_and_header_absent() -> None:
    csv = options(media=rest.MediaChoice("csv", header=False), delimiter=";")
    content, content_type = write_answer(QueryAnswer(make_result(), 3), csv)
    assert content == b"1;;[x, y];1.5\r\n2;;z;\r\n"
    assert content_type == "text/csv; charset=utf-8; header=absent"


@pytest.mark.parametrize(
    ("params", "columnar", "reason"),
    [
        (
            {"format": "csv"},
            True,
            "Invalid use of [columnar] argument: cannot be used in combination with "
            "[txt, csv, tsv] formats",
        ),
        (
            {"format": "json", "delimiter": ";"},
            False,
            "parameter: [delimiter] can only be used with the format [csv] for request [/_query]",
        ),
        ({"format": "csv", "delimiter": ";;"}, False, "invalid multi-character delimiter [;;]"),
        ({"format": "csv", "delimiter": ""}, False, "invalid empty delimiter []"),
        (
            {"format": "csv", "delimiter": '"'},
            False,
            'illegal reserved character specified as delimiter ["]',
        ),
        (
            {"format": "csv", "delimiter": "\t"},
            False,
            "illegal delimiter [TAB] specified as delimiter for the [csv] format; "
            "choose the [tsv] format instead",
        ),
        ({"format": "cbor"}, False, "esqlsh serve does not write the [cbor] format"),
    ],
)
def test_output_option_errors(params: dict[str, str], columnar: bool, reason: str) -> None:
    with pytest.raises(HttpError) as raised:
        output_options("/_query", params, {}, columnar=columnar)
    assert error_of(raised)["reason"] == reason


def test_warning_escaping() -> None:
    assert escape_warning('say "hi" \\ 100%') == 'say \\"hi\\" \\\\ 100%25'
    assert escape_warning("a\nb") == "a%0Ab"
    assert escape_warning("é€") == "é%E2%82%AC"
    ((name, value),) = warning_headers(["x"])
    assert name == "Warning"
    assert value.startswith("299 Elasticsearch-9.1.0-") and value.endswith(' "x"')


# --- async ids --------------------------------------------------------------------------


def test_async_id_round_trip() -> None:
    encoded = async_queries.encode_id("FmNJRUZ1YWZCU3dHY1BIOUhaenVSRkE", "node1:341")
    assert async_queries.decode_id(encoded) == ("FmNJRUZ1YWZCU3dHY1BIOUhaenVSRkE", "node1:341")
    assert async_queries.decode_id(encoded.rstrip("=")) == async_queries.decode_id(encoded)


@pytest.mark.parametrize("query_id", ["nope", "!!!", "Zm9v", "", "AA=="])
def test_malformed_async_ids(query_id: str) -> None:
    with pytest.raises(HttpError) as raised:
        async_queries.decode_id(query_id)
    assert error_of(raised)["reason"] == f"invalid id: [{query_id}]"


def test_async_store_keeps_expires_and_deletes() -> None:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        store = async_queries.AsyncQueries(pool, "n1")
        kept = store.submit(make_result, keep_alive=60.0)
        store.keep(kept)
        assert store.get(kept.id) is kept and len(store) == 1
        short = store.submit(make_result, keep_alive=0.0)
        store.keep(short)
        time.sleep(0.01)
        with pytest.raises(HttpError) as raised:
            store.get(short.id)
        assert raised.value.status == 404 and error_of(raised)["reason"] == short.id
        store.delete(kept.id)
        assert len(store) == 0


# --- authentication ---------------------------------------------------------------------


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def refused(auth: Authenticator, header: str | None) -> str:
    with pytest.raises(HttpError) as raised:
        auth.check(header, "/_query")
    assert raised.value.status == 401
    assert ("WWW-Authenticate", "ApiKey") in raised.value.headers
    return str(error_of(raised)["reason"])


def test_open_node_accepts_anything() -> None:
    Authenticator([]).check(None, "/")


@pytest.mark.parametrize(
    "header",
    [
        "ApiKey secret",
        f"ApiKey {b64('my-id:secret')}",
        "apikey secret",
        f"Basic {b64('elastic:secret')}",
    ],
)
def test_accepted_credentials(header: str) -> None:
    Authenticator(["secret"]).check(header, "/")


def test_encoded_key_configured_and_sent() -> None:
    encoded = b64("id:s3cret")
    auth = Authenticator([encoded])
    auth.check(f"ApiKey {encoded}", "/")
    assert "unable" in refused(auth, f"ApiKey {b64('id:other')}")


def test_refusals_are_worded_as_elasticsearch() -> None:
    auth = Authenticator(["secret"])
    assert refused(auth, None) == "missing authentication credentials for REST request [/_query]"
    assert refused(auth, "Bearer abc") == (
        "missing authentication credentials for REST request [/_query]"
    )
    assert refused(auth, "ApiKey wrong") == (
        "unable to authenticate with provided credentials and anonymous access is not "
        "allowed for this request"
    )
    assert refused(auth, f"Basic {b64('bob:wrong')}") == (
        "unable to authenticate user [bob] for REST request [/_query]"
    )


def test_authenticator_repr_hides_keys() -> None:
    assert "secret" not in repr(Authenticator(["secret"]))
    settings = NodeSettings("n", "c", "u", api_keys=("secret",))
    assert "secret" not in repr(settings)


# --- metadata ---------------------------------------------------------------------------


def test_resolve_abstractions(cluster: EmbeddedCluster) -> None:
    assert metadata.resolve_abstractions(cluster, "people*") == ["people", "people_old"]
    assert metadata.resolve_abstractions(cluster, "*,-people_old") == [
        "codes",
        "folks",
        "people",
    ]
    assert metadata.resolve_abstractions(cluster, ".*") == [".secret"]
    assert metadata.resolve_abstractions(cluster, "nomatch*") == []
    with pytest.raises(HttpError) as raised:
        metadata.resolve_abstractions(cluster, "people,nope")
    assert raised.value.status == 404
    assert error_of(raised)["reason"] == "no such index [nope]"
    assert error_of(raised)["index"] == "nope"
    assert metadata.resolve_abstractions(cluster, "people,nope", ignore_unavailable=True) == [
        "people"
    ]


@pytest.mark.parametrize("name", ["../../etc", "../c/people", "people/../people", "..", "%2e"])
def test_traversal_names_are_unknown_indices(cluster: EmbeddedCluster, name: str) -> None:
    with pytest.raises(HttpError) as raised:
        metadata.concrete_indices(cluster, name)
    assert raised.value.status == 404


def test_resolve_index_body(cluster: EmbeddedCluster) -> None:
    body = metadata.resolve_index(cluster, "folks,codes,.secret")
    assert body == {
        "indices": [
            {"name": ".secret", "attributes": ["hidden", "open"], "mode": "standard"},
            {"name": "codes", "attributes": ["open"], "mode": "lookup"},
        ],
        "aliases": [{"name": "folks", "indices": ["people"]}],
        "data_streams": [],
    }


def test_field_caps_merge(cluster: EmbeddedCluster) -> None:
    body = metadata.field_caps(cluster, "folks,people_old", "age,note,name")
    assert body["indices"] == ["people", "people_old"]
    age = body["fields"]["age"]
    assert age["integer"]["indices"] == ["people"] and age["long"]["indices"] == ["people_old"]
    assert body["fields"]["note"] == {
        "text": {"type": "text", "metadata_field": False, "searchable": True, "aggregatable": False}
    }
    unmapped = metadata.field_caps(cluster, "people*", "note", include_unmapped=True)
    assert unmapped["fields"]["note"]["unmapped"]["indices"] == ["people_old"]
    assert unmapped["fields"]["note"]["text"]["indices"] == ["people"]


def test_enrich_policies_body(cluster: EmbeddedCluster) -> None:
    assert metadata.enrich_policies(cluster, None) == {
        "policies": [
            {
                "config": {
                    "match": {
                        "name": "code_policy",
                        "indices": ["codes"],
                        "match_field": "code",
                        "enrich_fields": ["label"],
                    }
                }
            }
        ]
    }
    assert metadata.enrich_policies(cluster, ["../../etc"]) == {"policies": []}


# --- routing ----------------------------------------------------------------------------


def test_routes() -> None:
    found, params = find_route(ROUTES, "GET", "/..%2Fetc/_mapping", "/..%2Fetc/_mapping")
    assert params == {"index": "../etc"}
    found, params = find_route(ROUTES, "POST", "/_query/", "/_query/")
    assert found.pattern == ("_query",)
    with pytest.raises(HttpError) as raised:
        find_route(ROUTES, "GET", "/a/b/c", "/a/b/c?x=1")
    assert raised.value.status == 400
    assert raised.value.body == {"error": "no handler found for uri [/a/b/c?x=1] and method [GET]"}
    with pytest.raises(HttpError) as raised:
        find_route(ROUTES, "DELETE", "/", "/")
    assert raised.value.status == 405
    assert raised.value.body == {
        "error": "Incorrect HTTP method for uri [/] and method [DELETE], allowed: [GET, HEAD]",
        "status": 405,
    }
    assert ("Allow", "GET,HEAD") in raised.value.headers


# --- settings ---------------------------------------------------------------------------


def test_settings_helpers(tmp_path: Path) -> None:
    assert parse_byte_size("100mb") == 100 * 1024 * 1024
    assert parse_byte_size("64kb") == 65536 and parse_byte_size("12") == 12
    with pytest.raises(ValueError):
        parse_byte_size("lots")
    keys = parse_api_keys(("a",), {"ESQLSH_SERVE_API_KEYS": "b, c\nd,a"})
    assert keys == ("a", "b", "c", "d")
    assert FaultHooks.from_environ({}) == FaultHooks()
    assert FaultHooks.from_environ({"ESQLSH_TEST_FAIL_AFTER_ROWS": "3"}).fail_after_rows == 3
    with pytest.raises(ValueError, match="ESQLSH_TEST_LATENCY_MS"):
        FaultHooks.from_environ({"ESQLSH_TEST_LATENCY_MS": "soon"})
    uuid = cluster_uuid_for(tmp_path)
    assert len(uuid) == 22 and uuid == cluster_uuid_for(tmp_path)


# --- the ASGI application, message by message ----------------------------------------------


class Exchange:
    """What the app sent for one request."""

    def __init__(self, messages: list[dict[str, Any]]):
        start = messages[0]
        self.status: int = start["status"]
        self.headers: list[tuple[str, str]] = [
            (k.decode("latin-1"), v.decode("latin-1")) for k, v in start["headers"]
        ]
        self.body = b"".join(m.get("body", b"") for m in messages[1:])

    def header(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k == name.lower()]

    def json(self) -> Any:
        return json.loads(self.body)


AppFactory = Callable[..., tuple[NodeApp, io.StringIO]]


@pytest.fixture
def make_app(cluster: EmbeddedCluster) -> Iterator[AppFactory]:
    """``make_app(**settings)`` → (app, its log); every app is closed afterwards."""
    made: list[NodeApp] = []

    def factory(**kw: Any) -> tuple[NodeApp, io.StringIO]:
        routes = kw.pop("routes", ROUTES)
        log = io.StringIO()
        settings = NodeSettings("node", "units", "uuid", **kw)
        made.append(NodeApp(NodeState(cluster, settings), log, routes=routes))
        return made[-1], log

    yield factory
    for app in made:
        app.state.close()


def exchange(
    app: NodeApp,
    method: str,
    target: str,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    chunks: int = 1,
) -> Exchange:
    raw_path, _, query = target.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": urllib.parse.unquote(raw_path),
        "raw_path": raw_path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()],
        "client": ("127.0.0.1", 5555),
        "server": ("127.0.0.1", 9200),
    }
    size = max(1, len(body) // chunks)
    pieces = [body[i : i + size] for i in range(0, len(body), size)] or [b""]
    incoming = [
        {"type": "http.request", "body": p, "more_body": i < len(pieces) - 1}
        for i, p in enumerate(pieces)
    ]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return incoming.pop(0) if incoming else {"type": "http.disconnect"}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(dict(message))

    asyncio.run(app(scope, receive, send))
    return Exchange(sent)


def query_body(text: str) -> bytes:
    return json.dumps({"query": text}).encode()


JSON = {"Content-Type": "application/json"}


def test_app_root_and_product_header(make_app: AppFactory) -> None:
    app, log = make_app()
    reply = exchange(app, "GET", "/")
    assert reply.status == 200
    assert reply.header("X-Elastic-Product") == ["Elasticsearch"]
    assert reply.json()["cluster_name"] == "units"
    assert '"GET /" 200' in log.getvalue()


def test_app_options_and_opaque_id(make_app: AppFactory) -> None:
    app, _ = make_app(api_keys=("secret",))
    reply = exchange(app, "OPTIONS", "/_query/async/someid")
    assert reply.status == 200  # as Elasticsearch: no credentials needed to ask
    assert reply.header("Allow") == ["DELETE,GET"]
    assert exchange(app, "OPTIONS", "/nowhere/at/all").header("Allow") == []
    echoed = exchange(app, "GET", "/", headers={"X-Opaque-Id": "trace-7"})
    assert echoed.status == 401 and echoed.header("X-Opaque-Id") == ["trace-7"]


def test_app_query_with_warnings(make_app: AppFactory) -> None:
    app, _ = make_app()
    reply = exchange(app, "POST", "/_query", query_body("ROW a = 1 / 0 | LIMIT 1"), JSON)
    assert reply.status == 200, reply.body
    assert reply.json()["values"] == [[None]]
    texts = reply.header("Warning")
    assert len(texts) == 2 and all(t.startswith("299 Elasticsearch-9.1.0-") for t in texts)
    assert reply.header("X-Elasticsearch-Async-Is-Running") == ["?0"]


def test_app_compatible_json_content_type(make_app: AppFactory) -> None:
    app, _ = make_app()
    compat = "application/vnd.elasticsearch+json; compatible-with=9"
    reply = exchange(
        app,
        "POST",
        "/_query",
        query_body("ROW a = 1 | LIMIT 1"),
        {"Content-Type": compat, "Accept": compat},
    )
    assert reply.header("content-type") == ["application/vnd.elasticsearch+json;compatible-with=9"]


def test_app_body_over_the_limit_is_413(make_app: AppFactory) -> None:
    app, _ = make_app(max_content_length=64)
    big = query_body('ROW a = "' + "x" * 200 + '"')
    for headers in (JSON, {**JSON, "Content-Length": str(len(big))}):
        reply = exchange(app, "POST", "/_query", big, headers, chunks=4)
        assert reply.status == 413
        assert reply.json()["error"]["type"] == "status_exception"
        assert reply.header("X-Elastic-Product") == ["Elasticsearch"]


def test_app_statement_too_large(make_app: AppFactory) -> None:
    app, _ = make_app()
    text = 'ROW x = "' + "a" * 1_000_001 + '"'
    reply = exchange(app, "POST", "/_query", query_body(text), JSON)
    assert reply.status == 400
    assert reply.json()["error"]["reason"] == (
        f"line -1:-1: ESQL statement is too large [{len(text)} characters > 1000000]"
    )


def test_app_needs_credentials_when_keyed(make_app: AppFactory) -> None:
    app, log = make_app(api_keys=("secret",))
    reply = exchange(app, "GET", "/_nowhere?x=1")
    assert reply.status == 401  # authentication comes before routing
    assert reply.header("WWW-Authenticate") == ['Basic realm="security", charset="UTF-8"', "ApiKey"]
    assert reply.json()["error"]["header"]["WWW-Authenticate"][1] == "ApiKey"
    ok = exchange(app, "GET", "/", headers={"Authorization": "ApiKey secret"})
    assert ok.status == 200
    assert "secret" not in log.getvalue()


def test_app_internal_error_is_an_es_500(make_app: AppFactory) -> None:
    async def broken(call: Any) -> Any:
        raise ZeroDivisionError("boom")

    app, log = make_app(routes=(route("GET", "/", broken),))
    reply = exchange(app, "GET", "/")
    assert reply.status == 500
    assert reply.json() == {
        "error": {
            "root_cause": [{"type": "exception", "reason": "ZeroDivisionError: boom"}],
            "type": "exception",
            "reason": "ZeroDivisionError: boom",
        },
        "status": 500,
    }
    assert "internal error on GET /: ZeroDivisionError: boom" in log.getvalue()
    assert "Traceback" not in log.getvalue()


def test_app_fail_after_rows_cuts_the_body(make_app: AppFactory) -> None:
    app, log = make_app(hooks=FaultHooks(fail_after_rows=1))
    with pytest.raises(ConnectionDropped):
        exchange(app, "POST", "/_query", query_body("FROM people | LIMIT 5"), JSON)
    small = exchange(app, "POST", "/_query", query_body("FROM people | LIMIT 1"), JSON)
    assert small.status == 200
    assert "dropped (test hook)" in log.getvalue()


def test_app_latency_hook(make_app: AppFactory) -> None:
    app, _ = make_app(hooks=FaultHooks(latency_ms=300))
    started = time.perf_counter()
    exchange(app, "POST", "/_query", query_body("ROW a = 1 | LIMIT 1"), JSON)
    assert time.perf_counter() - started >= 0.3
    started = time.perf_counter()
    exchange(app, "GET", "/")
    assert time.perf_counter() - started < 0.3  # only _query* requests wait


# --- the command line ----------------------------------------------------------------------


def run_serve(args: list[str], environ: dict[str, str] | None = None) -> tuple[ExitStatus, str]:
    env = Environment(
        stdin=io.StringIO(),
        stdout=io.StringIO(),
        stderr=io.StringIO(),
        environ=environ or {},
    )
    status = cli_run(["serve", *args], env)
    assert isinstance(env.stderr, io.StringIO)
    return status, env.stderr.getvalue()


def test_refuses_open_non_loopback(cluster_dir: Path) -> None:
    status, err = run_serve(["--path", str(cluster_dir), "--host", "0.0.0.0"])
    assert status is ExitStatus.USAGE
    assert "refusing to serve without API keys on [0.0.0.0]" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--path", "/nonexistent/dir"], "no such directory"),
        (["--tls-cert", __file__], "--tls-cert and --tls-key go together"),
        (["--max-content-length", "lots"], "not a byte size"),
        (["--cluster", "x", "--path", "."], "use either --path or --cluster"),
    ],
)
def test_usage_errors(args: list[str], message: str) -> None:
    status, err = run_serve(args)
    assert status is ExitStatus.USAGE, err
    assert message in err


def test_bad_hook_value_is_a_usage_error(cluster_dir: Path) -> None:
    status, err = run_serve(["--path", str(cluster_dir)], {"ESQLSH_TEST_LATENCY_MS": "x"})
    assert status is ExitStatus.USAGE and "ESQLSH_TEST_LATENCY_MS" in err


def test_cluster_from_configuration(tmp_path: Path, cluster_dir: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(
        "local: here\nclusters:\n  here:\n    type: embedded\n    path: " + str(cluster_dir) + "\n"
        '  far:\n    type: elasticsearch\n    hosts: ["https://example.invalid:9200"]\n',
        "utf-8",
    )
    assert _configured_path("here", config, {}) == cluster_dir
    status, err = run_serve(["--cluster", "nope", "--config", str(config)])
    assert status is ExitStatus.USAGE and "no cluster [nope]" in err
    status, err = run_serve(["--cluster", "far", "--config", str(config)])
    assert status is ExitStatus.USAGE and "only embedded clusters can be served" in err


# --- life cycle (real subprocesses) ---------------------------------------------------------


def test_graceful_stop_finishes_the_request_in_flight(cluster_dir: Path) -> None:
    node = start_node(cluster_dir, env={"ESQLSH_TEST_LATENCY_MS": "1500"})
    replies: list[requests.Response] = []

    def ask() -> None:
        replies.append(
            requests.post(
                node.url + "/_query", json={"query": "FROM people | STATS c = COUNT(*)"}, timeout=30
            )
        )

    asker = threading.Thread(target=ask)
    asker.start()
    time.sleep(0.5)
    node.process.send_signal(signal.SIGTERM)
    asker.join(30)
    assert node.stop() == 0
    assert replies and replies[0].status_code == 200 and replies[0].json()["values"] == [[2]]
    assert node.stderr.startswith("esqlsh serve: listening on http://127.0.0.1:")
    assert "Traceback" not in node.stderr


def test_several_nodes_and_a_kill(cluster_dir: Path) -> None:
    nodes = [start_node(cluster_dir, extra_args=["--name", f"n{i}"]) for i in range(2)]
    try:
        names = [requests.get(n.url + "/", timeout=10).json()["name"] for n in nodes]
        assert names == ["n0", "n1"] and nodes[0].port != nodes[1].port
        nodes[0].kill()
        assert not nodes[0].running
        with pytest.raises(requests.ConnectionError):
            requests.get(nodes[0].url + "/", timeout=5)
        assert requests.get(nodes[1].url + "/", timeout=10).status_code == 200
    finally:
        for node in nodes:
            node.stop()


def test_start_failure_reports_stderr(tmp_path: Path) -> None:
    with pytest.raises(NodeStartError, match="no such directory"):
        start_node(tmp_path / "missing")


def test_unusable_tls_files(cluster_dir: Path, tmp_path: Path) -> None:
    junk = tmp_path / "junk.pem"
    junk.write_text("not a certificate\n", "utf-8")
    with pytest.raises(NodeStartError, match="cannot use --tls-cert"):
        start_node(cluster_dir, tls=(junk, junk))


def test_node_context_manager(cluster_dir: Path) -> None:
    with start_node(cluster_dir) as node:
        assert requests.get(node.url + "/", timeout=10).status_code == 200
    assert not node.running and node.process.returncode == 0
