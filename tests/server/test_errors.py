"""Errors, warnings and dropped responses of a real ``esqlsh serve`` subprocess.

Parse and verification errors carry Elasticsearch's type, status and reason
(``line 1:…``), exactly what the in-process engine raises; unknown indices on the
metadata endpoints are ``index_not_found_exception`` 404. Warnings arrive as
``Warning: 299 Elasticsearch-9.1.x… "<text>"`` headers (escaped as RFC 7230
quoted strings, the way Elasticsearch's ``HeaderWarning`` writes them) and the
official client turns them into ``ElasticsearchWarning``s. With the test hook
``ESQLSH_TEST_FAIL_AFTER_ROWS=N`` a result of more than N rows is cut off
mid-body (the client sees a broken connection) and the node keeps serving.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from elasticsearch import BadRequestError, Elasticsearch, ElasticsearchWarning
from elasticsearch import ConnectionError as EsConnectionError

from esqlsh.clusters.embedded import EmbeddedCluster
from esqlsh.clusters.ingest import load_index
from esqlsh.coordinator.session import run_query
from esqlsh.errors import EsqlError
from tests.servers import Node, start_node

ROWS = 40
# Above every result but the cut-off tests' (LIMIT 30 / 40): one node serves the file.
FAIL_AFTER = 25
WARNING_HEADER = re.compile(r'^299 Elasticsearch-9\.1\.\d+(?:-(?:[0-9a-f]{7,40}|unknown))? "(.*)"$')
WARNING_QUERY = "FROM people | EVAL n = TO_INTEGER(code) | KEEP name, n | SORT name | LIMIT 20"
QUOTED_WARNING_QUERY = 'ROW x = "a\\"b" | EVAL y = TO_INTEGER(x)'


def make_cluster(root: Path) -> Path:
    lines = ["name:keyword,age:integer,code:keyword"]
    lines += [f"p{i:02d},{20 + i},{'x' if i % 7 == 0 else i}" for i in range(ROWS)]
    csv = root / "people.csv"
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    load_index(root / "cluster", "people", csv)
    return root / "cluster"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_cluster(tmp_path_factory.mktemp("errors"))


@pytest.fixture(scope="module")
def node(cluster: Path) -> Iterator[Node]:
    started = start_node(cluster, env={"ESQLSH_TEST_FAIL_AFTER_ROWS": str(FAIL_AFTER)})
    try:
        yield started
    finally:
        started.stop()


@pytest.fixture(scope="module")
def failing(node: Node) -> Node:
    return node


def post(node: Node, body: dict[str, Any], **params: str) -> requests.Response:
    reply = requests.post(node.url + "/_query", json=body, params=params, timeout=30)
    assert reply.headers.get("X-Elastic-Product") == "Elasticsearch"
    return reply


def in_process_error(cluster: Path, query: str, params: Any = None) -> dict[str, Any]:
    with pytest.raises(EsqlError) as caught:
        run_query(query, EmbeddedCluster(cluster), params)
    return caught.value.to_es()


# --- parse and verification errors ------------------------------------------------------

# (query, HTTP params, in-process params, type, start of the reason)
BAD_QUERIES: list[tuple[str, Any, Any, str, str]] = [
    ("FROM people | WHERE", None, None, "parsing_exception", "line 1:20: mismatched input '<EOF>'"),
    ("ROW x = 1 | EVAL y = x +", None, None, "parsing_exception", "line 1:25: "),
    ("ROW a = 1 | EVAL b = a::foo", None, None, "parsing_exception", "line 1:22: "),
    (
        "ROW a = ?",
        None,
        None,
        "parsing_exception",
        "line 1:9: No parameter is defined for position 1",
    ),
    ("ROW a = ?x", [{"y": 1}], {"y": 1}, "parsing_exception", "line 1:9: "),
    (
        "FROM nope",
        None,
        None,
        "verification_exception",
        "Found 1 problem\nline 1:1: Unknown index [nope]",
    ),
    (
        "FROM people | KEEP nope",
        None,
        None,
        "verification_exception",
        "Found 1 problem\nline 1:20: Unknown column [nope]",
    ),
    (
        "FROM people\n| KEEP nope",
        None,
        None,
        "verification_exception",
        "Found 1 problem\nline 2:8: Unknown column [nope]",
    ),
    (
        "FROM people | KEEP nope, nada",
        None,
        None,
        "verification_exception",
        "Found 2 problems\nline 1:20: Unknown column [nope]",
    ),
    (
        "FROM people | EVAL x = age + name",
        None,
        None,
        "verification_exception",
        "Found 1 problem\nline 1:24: second argument of [age + name] must be",
    ),
]


@pytest.mark.parametrize(
    ("query", "http_params", "params", "etype", "head"),
    BAD_QUERIES,
    ids=[q[0].replace("\n", " ") for q in BAD_QUERIES],
)
def test_query_errors_are_elasticsearch_errors(
    node: Node, cluster: Path, query: str, http_params: Any, params: Any, etype: str, head: str
) -> None:
    body: dict[str, Any] = {"query": query}
    if http_params is not None:
        body["params"] = http_params
    reply = post(node, body)
    assert reply.status_code == 400, reply.text
    assert "json" in reply.headers.get("Content-Type", "")
    payload = reply.json()
    error = payload["error"]
    assert payload["status"] == 400
    assert error["type"] == etype
    assert error["reason"].startswith(head), error["reason"]
    assert error["root_cause"][0]["type"] == etype
    assert error["root_cause"][0]["reason"] == error["reason"]
    # Word for word what the engine raises in process.
    expected = in_process_error(cluster, query, params)
    assert error["reason"] == expected["error"]["reason"]  # type: ignore[index]
    assert error["type"] == expected["error"]["type"]  # type: ignore[index]


def test_errors_in_text_formats_are_still_json(node: Node) -> None:
    reply = post(node, {"query": "FROM nope"}, format="csv")
    assert reply.status_code == 400
    assert "json" in reply.headers.get("Content-Type", "")
    assert reply.json()["error"]["type"] == "verification_exception"


def test_official_client_raises_bad_request(node: Node) -> None:
    with Elasticsearch(node.url) as client, pytest.raises(BadRequestError) as caught:
        client.esql.query(query="FROM people | KEEP nope")
    assert caught.value.meta.status == 400
    assert caught.value.error == "verification_exception"
    assert "line 1:20: Unknown column [nope]" in str(caught.value)


@pytest.mark.parametrize(
    "path", ["/nope/_mapping", "/nope/_field_caps?fields=*", "/_resolve/index/nope"]
)
def test_unknown_index_on_metadata_endpoints(node: Node, path: str) -> None:
    reply = requests.get(node.url + path, timeout=10)
    assert reply.status_code == 404, reply.text
    assert reply.headers.get("X-Elastic-Product") == "Elasticsearch"
    payload = reply.json()
    assert payload["status"] == 404
    assert payload["error"]["type"] == "index_not_found_exception"
    assert payload["error"]["reason"] == "no such index [nope]"


# --- warnings ------------------------------------------------------------------------------


def decode_warning(header: str) -> str:
    """The text of one ``Warning`` header value: unquote the RFC 7230 quoted-string,
    then undo Elasticsearch's percent-encoding of characters outside it."""
    match = WARNING_HEADER.match(header)
    assert match, f"not an Elasticsearch warning header: {header!r}"
    unescaped = re.sub(r"\\(.)", r"\1", match.group(1))
    return urllib.parse.unquote(unescaped)


def warning_headers(reply: requests.Response) -> list[str]:
    # One header per warning; requests' case-insensitive dict would comma-join them.
    return list(reply.raw.headers.getlist("Warning"))


@pytest.mark.parametrize("query", [WARNING_QUERY, QUOTED_WARNING_QUERY], ids=["column", "quotes"])
def test_warnings_arrive_as_headers(node: Node, cluster: Path, query: str) -> None:
    reply = post(node, {"query": query})
    assert reply.status_code == 200, reply.text
    headers = warning_headers(reply)
    expected = run_query(query, EmbeddedCluster(cluster)).warnings
    assert any("evaluation of [TO_INTEGER" in w for w in expected)
    assert [decode_warning(h) for h in headers] == expected


def test_quotes_in_warnings_are_escaped(node: Node) -> None:
    reply = post(node, {"query": QUOTED_WARNING_QUERY})
    assert any('For input string: \\"a\\"b\\""' in h for h in warning_headers(reply)), (
        warning_headers(reply)
    )


def test_no_warning_header_without_warnings(node: Node) -> None:
    reply = post(node, {"query": "FROM people | KEEP name | LIMIT 2"})
    assert reply.status_code == 200
    assert warning_headers(reply) == []


def test_warnings_in_csv_format(node: Node, cluster: Path) -> None:
    reply = post(node, {"query": WARNING_QUERY}, format="csv")
    assert reply.status_code == 200
    expected = run_query(WARNING_QUERY, EmbeddedCluster(cluster)).warnings
    assert [decode_warning(h) for h in warning_headers(reply)] == expected


def test_official_client_reports_warnings(node: Node, cluster: Path) -> None:
    expected = run_query(WARNING_QUERY, EmbeddedCluster(cluster)).warnings
    with Elasticsearch(node.url) as client, pytest.warns(ElasticsearchWarning) as caught:
        result = client.esql.query(query=WARNING_QUERY)
    assert len(result["values"]) == 20
    messages = [str(w.message) for w in caught if issubclass(w.category, ElasticsearchWarning)]
    # The client's own parser splits on quotes, so compare warnings without them.
    for text in expected:
        if '"' not in text:
            assert text in messages, messages


# --- a response cut off mid-body -----------------------------------------------------------


BROKEN = (requests.exceptions.ChunkedEncodingError, requests.exceptions.ConnectionError)


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_fail_after_rows_drops_the_connection_mid_body(failing: Node, fmt: str) -> None:
    reply = requests.post(
        failing.url + "/_query",
        params={"format": fmt},
        json={"query": "FROM people | SORT name | LIMIT 30"},
        stream=True,
        timeout=30,
    )
    assert reply.status_code == 200
    assert reply.headers.get("X-Elastic-Product") == "Elasticsearch"
    received = bytearray()
    # Small reads: urllib3 drops the bytes of a read that ends in the broken close.
    with pytest.raises(BROKEN):
        for chunk in reply.iter_content(8):
            received += chunk
    assert received, "the first part of the body should arrive before the drop"
    assert b"p29" not in received, "the body was cut before its last rows"


def test_fail_after_rows_non_streaming(failing: Node) -> None:
    with pytest.raises(BROKEN):
        requests.post(
            failing.url + "/_query", json={"query": f"FROM people | LIMIT {ROWS}"}, timeout=30
        )


def test_fail_after_rows_official_client(failing: Node) -> None:
    client = Elasticsearch(failing.url, max_retries=0)
    with client, pytest.raises(EsConnectionError):
        client.esql.query(query="FROM people | LIMIT 30")


def test_small_results_pass_and_node_stays_up(failing: Node) -> None:
    """Runs after the drops above: N rows exactly are not "more than N"."""
    reply = post(failing, {"query": f"FROM people | SORT name | KEEP name | LIMIT {FAIL_AFTER}"})
    assert reply.status_code == 200, reply.text
    assert reply.json()["values"] == [[f"p{i:02d}"] for i in range(FAIL_AFTER)]
    stats = post(failing, {"query": "FROM people | STATS c = COUNT(*)"})
    assert stats.json()["values"] == [[ROWS]]
    root = requests.get(failing.url + "/", timeout=10)
    assert root.status_code == 200 and root.json()["version"]["number"].startswith("9.1.")


def test_node_still_answers(node: Node) -> None:
    assert node.running
    reply = requests.get(node.url + "/", timeout=10)
    assert reply.status_code == 200
    assert "Traceback" not in node.stderr, node.stderr[-3000:]
