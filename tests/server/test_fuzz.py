"""Request fuzz against a real ``esqlsh serve`` subprocess (issue 3 acceptance).

Malformed JSON, wrong field types, missing query, 10 MB bodies (413: the node runs
with a 1 MB body limit), unknown endpoints, wrong methods, unknown URL parameters
and formats, and path traversal in index names each get Elasticsearch's error (its
JSON shape, status and wording, and the ``X-Elastic-Product`` header), never a
traceback or a dropped connection; a hypothesis test then posts random bodies and
parameters to ``/_query``. After all of it the node still answers ``GET /``.

Requests whose exact bytes matter (``..`` in paths) go through ``http.client``,
which sends the path as written; ``requests`` would normalise it away.
"""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from esqlsh.clusters.ingest import load_index
from tests.servers import Node, start_node

PARSE_TYPES = {"x_content_parse_exception", "parse_exception", "json_parse_exception"}
SECRET_FIELD = "classified_code"
BODY_LIMIT = 1024 * 1024


# --- the cluster and the node -------------------------------------------------------


def make_cluster(root: Path) -> Path:
    """``root/served`` (index ``people``, 30 rows) and, next to it, ``root/outside``
    (index ``secret``) that path traversal must never reach."""
    lines = ["name:keyword,age:integer,code:keyword"]
    lines += [f"p{i},{20 + i},{'x' if i % 7 == 0 else i}" for i in range(30)]
    people = root / "people.csv"
    people.write_text("\n".join(lines) + "\n", encoding="utf-8")
    load_index(root / "served", "people", people)
    secret = root / "secret.csv"
    secret.write_text(f"{SECRET_FIELD}:keyword\ntop\n", encoding="utf-8")
    load_index(root / "outside", "secret", secret)
    return root / "served"


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    served = make_cluster(tmp_path_factory.mktemp("fuzz"))
    # 1 MB: a 10 MB body is over it, a statement just over ES|QL's own limit
    # (1,000,000 characters) is under it.
    started = start_node(served, extra_args=["--max-content-length", str(BODY_LIMIT)])
    try:
        yield started
    finally:
        started.stop()


# --- raw HTTP -----------------------------------------------------------------------


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def send(
    node: Node,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> Reply:
    """One request with ``path`` sent byte for byte (no dot-segment removal)."""
    parts = urlsplit(node.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        sent = {"Accept": "application/json"}
        if body is not None:
            sent["Content-Type"] = "application/json"
        sent.update(headers or {})
        conn.request(method, path, body=body, headers=sent)
        resp = conn.getresponse()
        return Reply(resp.status, resp.headers, resp.read())
    finally:
        conn.close()


def es_shaped(payload: Any, status: int) -> bool:
    """Elasticsearch's error bodies: the exception form
    ``{"error": {"root_cause": [...], "type", "reason"}, "status": N}``, or the
    simple form the REST layer answers before any handler runs
    (``{"error": "no handler found …"}`` (400), ``{"error": "Incorrect HTTP method
    …", "status": 405}``)."""
    if not isinstance(payload, dict) or "error" not in payload:
        return False
    error = payload["error"]
    if isinstance(error, str):
        return payload.get("status", status) == status
    if not isinstance(error, dict) or payload.get("status") != status:
        return False
    causes = error.get("root_cause")
    return (
        isinstance(error.get("type"), str)
        and isinstance(error.get("reason"), str)
        and isinstance(causes, list)
        and len(causes) >= 1
        and all(isinstance(c, dict) and "type" in c and "reason" in c for c in causes)
    )


def assert_error(
    reply: Reply, status: int | set[int], etype: str | set[str] | None = None
) -> dict[str, Any]:
    """The reply is an Elasticsearch error with ``status`` (and ``etype``); returns
    the parsed body."""
    statuses = {status} if isinstance(status, int) else status
    assert reply.status in statuses, (reply.status, reply.body[:500])
    assert reply.headers.get("X-Elastic-Product") == "Elasticsearch"
    assert "json" in (reply.headers.get("Content-Type") or ""), reply.headers
    payload = reply.json()
    assert es_shaped(payload, reply.status), payload
    if etype is not None:
        types = {etype} if isinstance(etype, str) else etype
        assert isinstance(payload["error"], dict), payload
        assert payload["error"]["type"] in types, payload
        assert payload["error"]["root_cause"][0]["type"] in types, payload
    return payload


def reason(payload: dict[str, Any]) -> str:
    error = payload["error"]
    return error if isinstance(error, str) else error["reason"]


def post_query(node: Node, body: Any, query: str = "") -> Reply:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return send(node, "POST", "/_query" + query, raw)


# --- malformed and mistyped bodies ----------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        b'{"query": "ROW 1"',
        b"not json at all",
        b"{bad}",
        b'{"query": "ROW 1",}',
        b"\xff\xfe\x00garbage",
        b"[]",
        b'"just a string"',
        b"5",
    ],
    ids=["truncated", "text", "bare-key", "trailing-comma", "binary", "array", "string", "number"],
)
def test_malformed_body_is_a_400(node: Node, raw: bytes) -> None:
    assert_error(post_query(node, raw), 400)


def test_malformed_json_is_a_parse_exception(node: Node) -> None:
    assert_error(post_query(node, b'{"query": "ROW 1"'), 400, PARSE_TYPES)


def test_empty_body(node: Node) -> None:
    payload = assert_error(send(node, "POST", "/_query", b""), 400, "parse_exception")
    assert reason(payload) == "request body or source parameter is required"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"query": 5}, "query"),
        ({"query": ["FROM people"]}, "query"),
        ({"query": {"q": "FROM people"}}, "query"),
        ({"query": "ROW 1", "params": "x"}, "params"),
        ({"query": "ROW 1", "params": 7}, "params"),
        ({"query": "ROW 1", "columnar": "yes"}, "columnar"),
        ({"query": "ROW 1", "columnar": 1}, "columnar"),
        ({"query": "ROW 1", "locale": 5}, "locale"),
        ({"query": "ROW 1", "profile": "maybe"}, "profile"),
    ],
    ids=lambda v: json.dumps(v) if isinstance(v, dict) else v,
)
def test_wrong_types(node: Node, body: dict[str, Any], field: str) -> None:
    # Elasticsearch's ObjectParser: ``[1:11] [esql/query] query doesn't support
    # values of type: VALUE_NUMBER`` / ``failed to parse field [columnar]``.
    payload = assert_error(post_query(node, body), 400, "x_content_parse_exception")
    assert field in reason(payload), payload


def test_mixed_named_and_positional_params(node: Node) -> None:
    reply = post_query(node, {"query": "ROW a = ?", "params": [{"a": 1}, 2]})
    assert_error(reply, 400, "x_content_parse_exception")


def test_unknown_body_field(node: Node) -> None:
    payload = assert_error(
        post_query(node, {"query": "ROW 1", "bogus_field": 1}), 400, "x_content_parse_exception"
    )
    assert reason(payload).endswith("[esql/query] unknown field [bogus_field]"), payload


@pytest.mark.parametrize(
    "body", [{}, {"query": ""}, {"query": "   "}], ids=["none", "empty", "blank"]
)
def test_missing_query(node: Node, body: dict[str, Any]) -> None:
    payload = assert_error(post_query(node, body), 400, "action_request_validation_exception")
    assert reason(payload) == "Validation Failed: 1: [query] is required;"


# --- huge bodies ----------------------------------------------------------------------

TEN_MB = 10 * 1024 * 1024


def assert_too_large(reply: requests.Response, size: int) -> None:
    """Elasticsearch answers 413 (with an empty body); this node says why, in
    Elasticsearch's error shape."""
    assert reply.status_code == 413, reply.text[:300]
    assert reply.headers.get("X-Elastic-Product") == "Elasticsearch"
    payload = reply.json()
    assert es_shaped(payload, 413), payload
    assert str(size) in payload["error"]["reason"] and str(BODY_LIMIT) in payload["error"]["reason"]


@pytest.mark.parametrize(
    "body",
    [
        b'{"query": "ROW 1", "pad": "' + b"a" * TEN_MB + b'"}',
        b'{"query": "ROW x = \\"' + b"a" * TEN_MB + b'\\""}',
        b"\x00{" * (TEN_MB // 2),
    ],
    ids=["json", "statement", "garbage"],
)
def test_ten_megabyte_body(node: Node, body: bytes) -> None:
    """Answered with a 413 once the whole body is in (drained), not a reset."""
    reply = requests.post(
        node.url + "/_query",
        data=body,
        headers={"Content-Type": "application/json"},
        timeout=60,
    )
    assert_too_large(reply, len(body))


def test_ten_megabyte_chunked_body(node: Node) -> None:
    """No Content-Length: the limit applies to what arrives."""

    def chunks() -> Iterator[bytes]:
        yield b'{"query": "ROW 1", "pad": "'
        for _ in range(10):
            yield b"a" * (1024 * 1024)
        yield b'"}'

    reply = requests.post(
        node.url + "/_query",
        data=chunks(),
        headers={"Content-Type": "application/json"},
        timeout=60,
    )
    assert reply.status_code == 413, reply.text[:300]
    assert es_shaped(reply.json(), 413)


def test_statement_over_a_million_characters(node: Node) -> None:
    """Elasticsearch refuses statements over 1,000,000 characters before parsing."""
    query = 'ROW x = "' + "a" * 999_991 + '"'
    assert len(query) == 1_000_001
    payload = assert_error(post_query(node, {"query": query}), 400, "parsing_exception")
    assert reason(payload) == (
        "line -1:-1: ESQL statement is too large [1000001 characters > 1000000]"
    )


def test_statement_of_a_million_characters_runs(node: Node) -> None:
    head, tail = 'ROW x = "', '" | EVAL n = LENGTH(x) | KEEP n'
    length = 1_000_000 - len(head) - len(tail)
    query = head + "a" * length + tail
    assert len(query) == 1_000_000
    reply = post_query(node, {"query": query})
    assert reply.status == 200, reply.body[:300]
    assert reply.json()["values"] == [[length]]


# --- URL parameters and formats ----------------------------------------------------------


def test_unknown_url_parameter(node: Node) -> None:
    reply = post_query(node, {"query": "ROW 1"}, "?zzzqqq=1")
    payload = assert_error(reply, 400, "illegal_argument_exception")
    assert reason(payload) == "request [/_query] contains unrecognized parameter: [zzzqqq]"


def test_unknown_url_parameters_on_root(node: Node) -> None:
    payload = assert_error(send(node, "GET", "/?zzzqqq=1&yyyxxx=2"), 400)
    assert reason(payload).startswith("request [/] contains unrecognized parameters: ")


def test_unknown_format(node: Node) -> None:
    reply = post_query(node, {"query": "ROW 1"}, "?format=xml")
    payload = assert_error(reply, 400, "illegal_argument_exception")
    assert reason(payload) == (
        "Invalid request content type: Accept=[application/json], "
        "Content-Type=[application/json], format=[xml]"
    )


def test_delimiter_without_csv(node: Node) -> None:
    reply = post_query(node, {"query": "ROW 1"}, "?format=json&delimiter=%3B")
    payload = assert_error(reply, 400, "illegal_argument_exception")
    assert reason(payload) == (
        "parameter: [delimiter] can only be used with the format [csv] for request [/_query]"
    )


def test_columnar_with_text_format(node: Node) -> None:
    reply = post_query(node, {"query": "ROW 1", "columnar": True}, "?format=csv")
    payload = assert_error(reply, 400, "illegal_argument_exception")
    assert reason(payload) == (
        "Invalid use of [columnar] argument: cannot be used in combination with "
        "[txt, csv, tsv] formats"
    )


# --- endpoints and methods -------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/_this/is/not/a/route", "/_query/nonsense/deeper/still", "/people/_nothing/here"]
)
def test_unknown_endpoint(node: Node, path: str) -> None:
    payload = assert_error(send(node, "GET", path), 400)
    assert payload["error"] == f"no handler found for uri [{path}] and method [GET]"


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("GET", "/_query", {"POST"}),
        ("PUT", "/_query", {"POST"}),
        ("DELETE", "/_query", {"POST"}),
        ("PUT", "/_query/async", {"POST"}),
        ("DELETE", "/", {"GET", "HEAD"}),
    ],
)
def test_wrong_method(node: Node, method: str, path: str, allowed: set[str]) -> None:
    reply = send(node, method, path, b"{}" if method in ("PUT", "POST") else None)
    payload = assert_error(reply, 405)
    head = f"Incorrect HTTP method for uri [{path}] and method [{method}], allowed: ["
    assert reason(payload).startswith(head), payload
    listed = reason(payload)[len(head) : -1].split(", ")
    assert set(listed) >= allowed, payload
    assert set((reply.headers.get("Allow") or "").split(",")) >= allowed, reply.headers


# --- path traversal ----------------------------------------------------------------------


def assert_no_leak(reply: Reply) -> None:
    assert SECRET_FIELD.encode() not in reply.body, reply.body[:500]
    assert b"root:" not in reply.body  # /etc/passwd


@pytest.mark.parametrize(
    "path",
    [
        "/../../etc/_mapping",
        "/%2e%2e%2fetc/_mapping",
        "/%2e%2e%2f%2e%2e%2fetc/_field_caps?fields=*",
        "/..%2F..%2Fetc%2Fpasswd/_mapping",
        "/_resolve/index/..%2F..%2Fetc",
        "/_resolve/index/../../etc",
        "/_enrich/policy/..%2F..%2Fetc",
        "/..%2Foutside%2Fsecret/_mapping",
        "/..%2Foutside%2Fsecret/_field_caps?fields=*",
        "/_resolve/index/..%2Foutside%2Fsecret",
        "/_resolve/index/..%2Foutside%2F*",
    ],
)
def test_path_traversal(node: Node, path: str) -> None:
    reply = send(node, "GET", path)
    assert_no_leak(reply)
    if reply.status == 200:
        # Elasticsearch answers some lookups of unknown names with empty results.
        payload = reply.json()
        assert payload in (
            {"indices": [], "aliases": [], "data_streams": []},
            {"policies": []},
        ), payload
    else:
        assert_error(reply, {400, 404})


@pytest.mark.parametrize(
    "source", ['"../outside/secret"', '"../../etc"', "../outside/secret", '"..%2Foutside"']
)
def test_path_traversal_in_from(node: Node, source: str) -> None:
    reply = post_query(node, {"query": f"FROM {source} | LIMIT 1"})
    assert_no_leak(reply)
    assert_error(reply, {400, 404})


# --- random requests ---------------------------------------------------------------------

QUERIES = [
    "FROM people",
    "FROM people | LIMIT 3",
    "FROM people | STATS c = COUNT(*) BY age | SORT age | LIMIT 5",
    "FROM people | EVAL n = TO_INTEGER(code) | KEEP name, n",
    "ROW a = ?",
    "ROW a = ?x",
    "ROW a = ?1, b = ?2",
    "FROM nope",
    "FROM people | WHERE",
    "ROW a = 1 / 0",
]
FORMATS = ["json", "csv", "tsv", "txt", "yaml", "arrow", "cbor", "smile", "xml", "", "JSON"]

json_scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
queries = st.sampled_from(QUERIES) | st.text(max_size=60)
params = (
    st.lists(json_scalars, max_size=3)
    | st.lists(
        st.dictionaries(st.sampled_from(["x", "y", "1x"]), json_values, max_size=2), max_size=3
    )
    | json_values
)
# Mostly well-formed requests with odd values (so the engine runs too), some junk.
plausible_params = st.lists(json_scalars, max_size=3) | st.lists(
    st.dictionaries(st.sampled_from(["x", "y"]), json_scalars, min_size=1, max_size=1), max_size=3
)
plausible_bodies = st.fixed_dictionaries(
    {"query": st.sampled_from(QUERIES)},
    optional={
        "params": plausible_params,
        "columnar": st.booleans(),
        "locale": st.sampled_from(["en-US", "fr", "xx-YY"]),
        "profile": st.booleans(),
        "include_ccs_metadata": st.booleans(),
    },
)
mistyped_bodies = st.fixed_dictionaries(
    {},
    optional={
        "query": queries | json_values,
        "params": params,
        "columnar": st.booleans() | json_values,
        "locale": json_values,
        "include_ccs_metadata": json_values,
        "filter": json_values,
        "bogus": json_values,
    },
)
bodies = (
    plausible_bodies.map(lambda b: json.dumps(b).encode())
    | mistyped_bodies.map(lambda b: json.dumps(b).encode())
    | json_values.map(lambda v: json.dumps(v).encode())
    | st.binary(max_size=200)
)
valid_params = st.fixed_dictionaries(
    {},
    optional={
        "format": st.sampled_from(["json", "csv", "tsv", "txt", "yaml", "arrow"]),
        "drop_null_columns": st.sampled_from(["true", "false"]),
    },
)
odd_params = st.dictionaries(
    st.sampled_from(["format", "delimiter", "drop_null_columns", "allow_partial_results", "zz"]),
    st.sampled_from(FORMATS) | st.sampled_from(["true", "false", ";", "\t"]) | st.text(max_size=5),
    max_size=3,
)
url_params = valid_params | odd_params


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=bodies, params=url_params)
def test_random_requests(node: Node, body: bytes, params: dict[str, str]) -> None:
    reply = requests.post(
        node.url + "/_query",
        params=params,
        data=body,
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    assert reply.status_code in {200, 400, 404, 405, 413}, (reply.status_code, reply.text[:500])
    assert reply.headers.get("X-Elastic-Product") == "Elasticsearch"
    if reply.status_code != 200:
        assert es_shaped(reply.json(), reply.status_code), reply.text[:500]


# --- and the node is still there ---------------------------------------------------------


def test_node_still_answers(node: Node) -> None:
    """Runs last in this module: everything above left the node serving."""
    assert node.running
    reply = requests.get(node.url + "/", timeout=10)
    assert reply.status_code == 200
    assert reply.headers.get("X-Elastic-Product") == "Elasticsearch"
    assert reply.json()["version"]["number"].startswith("9.1.")
    ok = post_query(node, {"query": "FROM people | STATS c = COUNT(*)"})
    assert ok.status == 200 and ok.json()["values"] == [[30]]
    assert "Traceback" not in node.stderr, node.stderr[-3000:]
