"""The async query lifecycle of a real ``esqlsh serve`` subprocess.

The node plays a slow cluster (``ESQLSH_TEST_LATENCY_MS=500``: each ``_query*``
answer waits 500 ms). A query submitted with ``wait_for_completion_timeout=0s``
answers while still running: ``is_running: true`` and the
``X-Elasticsearch-Async-Id`` / ``X-Elasticsearch-Async-Is-Running`` headers;
``GET /_query/async/{id}`` later gives the complete result, ``POST …/stop`` what
there is, ``DELETE`` ``{"acknowledged": true}``, after which the id is
Elasticsearch's ``resource_not_found_exception`` (404, the id as reason).
Malformed ids are ``invalid id: [<id>]`` (400), as Elasticsearch decodes them.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from elasticsearch import Elasticsearch, NotFoundError

from esqlsh.clusters.ingest import load_index
from tests.servers import Node, start_node

QUERY = "FROM people | SORT name | KEEP name, age"
COLUMNS = [{"name": "name", "type": "keyword"}, {"name": "age", "type": "integer"}]
VALUES = [["ann", 31], ["bob", 42], ["cy", 27]]


def make_cluster(root: Path) -> Path:
    csv = root / "people.csv"
    csv.write_text("name:keyword,age:integer\nann,31\nbob,42\ncy,27\n", encoding="utf-8")
    load_index(root / "cluster", "people", csv)
    return root / "cluster"


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    cluster = make_cluster(tmp_path_factory.mktemp("async"))
    started = start_node(cluster, env={"ESQLSH_TEST_LATENCY_MS": "500"})
    try:
        yield started
    finally:
        started.stop()


def submit(node: Node, **body: Any) -> requests.Response:
    payload = {"query": QUERY, **body}
    reply = requests.post(node.url + "/_query/async", json=payload, timeout=30)
    assert reply.headers.get("X-Elastic-Product") == "Elasticsearch"
    return reply


def submit_running(node: Node) -> str:
    reply = submit(node, wait_for_completion_timeout="0s", keep_on_completion=True)
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["is_running"] is True, body
    return body["id"]


def get(node: Node, query_id: str, **params: str) -> requests.Response:
    reply = requests.get(node.url + f"/_query/async/{query_id}", params=params, timeout=30)
    assert reply.headers.get("X-Elastic-Product") == "Elasticsearch"
    return reply


def delete(node: Node, query_id: str) -> requests.Response:
    return requests.delete(node.url + f"/_query/async/{query_id}", timeout=30)


def assert_not_found(reply: requests.Response, query_id: str) -> None:
    assert reply.status_code == 404, reply.text
    payload = reply.json()
    assert payload["status"] == 404
    assert payload["error"]["type"] == "resource_not_found_exception"
    assert payload["error"]["root_cause"][0]["type"] == "resource_not_found_exception"
    assert payload["error"]["reason"] == query_id


def es_async_id(doc_id: str, task_id: str) -> str:
    """An id in Elasticsearch's encoding (base64url of two length-prefixed strings),
    naming nothing on this node."""

    def string(text: str) -> bytes:
        data = text.encode()
        assert len(data) < 128  # one-byte vint
        return bytes([len(data)]) + data

    return base64.urlsafe_b64encode(string(doc_id) + string(task_id)).decode()


# --- the lifecycle --------------------------------------------------------------------
# Every ``_query*`` answer of this node waits 500 ms, so the tests keep requests few.


def test_lifecycle(node: Node) -> None:
    """Submit (running) → get (complete) → get again (kept) → delete → not found."""
    reply = submit(node, wait_for_completion_timeout="0s", keep_on_completion=True)
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["is_running"] is True
    query_id = body["id"]
    assert isinstance(query_id, str) and query_id
    assert reply.headers["X-Elasticsearch-Async-Id"] == query_id
    assert reply.headers["X-Elasticsearch-Async-Is-Running"] == "?1"

    done = get(node, query_id, wait_for_completion_timeout="10s")
    assert done.status_code == 200, done.text
    body = done.json()
    assert body["is_running"] is False
    assert body["is_partial"] is False
    assert body["id"] == query_id
    assert body["columns"] == COLUMNS
    assert body["values"] == VALUES
    assert done.headers["X-Elasticsearch-Async-Id"] == query_id
    assert done.headers["X-Elasticsearch-Async-Is-Running"] == "?0"

    # Kept on completion: asking again gives the same stored result.
    again = get(node, query_id)
    assert again.status_code == 200 and again.json()["values"] == VALUES

    deleted = delete(node, query_id)
    assert deleted.status_code == 200, deleted.text
    assert deleted.json() == {"acknowledged": True}
    assert deleted.headers.get("X-Elastic-Product") == "Elasticsearch"
    assert_not_found(get(node, query_id), query_id)
    stop = requests.post(node.url + f"/_query/async/{query_id}/stop", timeout=30)
    assert_not_found(stop, query_id)


def test_stop_returns_what_is_there(node: Node) -> None:
    query_id = submit_running(node)
    reply = requests.post(node.url + f"/_query/async/{query_id}/stop", timeout=30)
    assert reply.status_code == 200, reply.text
    assert reply.headers.get("X-Elastic-Product") == "Elasticsearch"
    body = reply.json()
    assert body["is_running"] is False
    assert "columns" in body and "values" in body, body
    if body["is_partial"] is False:  # it had finished after all
        assert body["values"] == VALUES
    else:
        assert len(body["values"]) <= len(VALUES)
    # The stopped query's result stays available until deleted.
    kept = get(node, query_id)
    assert kept.status_code == 200 and kept.json()["is_running"] is False


def test_completed_within_timeout_is_not_kept(node: Node) -> None:
    reply = submit(node, wait_for_completion_timeout="10s")
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["is_running"] is False
    assert body["values"] == VALUES
    assert "id" not in body  # neither running nor kept: nothing to fetch later
    assert "X-Elasticsearch-Async-Id" not in reply.headers


def test_completed_within_timeout_and_kept(node: Node) -> None:
    reply = submit(node, wait_for_completion_timeout="10s", keep_on_completion=True)
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["is_running"] is False and body["values"] == VALUES
    assert reply.headers["X-Elasticsearch-Async-Id"] == body["id"]
    assert reply.headers["X-Elasticsearch-Async-Is-Running"] == "?0"
    assert get(node, body["id"]).json()["values"] == VALUES


# --- unknown and malformed ids --------------------------------------------------------


def test_unknown_well_formed_id(node: Node) -> None:
    query_id = es_async_id("FmNvbXBsZXRlbHlVbmtub3du", "nodeXYZ:424242")
    assert_not_found(get(node, query_id), query_id)
    assert_not_found(delete(node, query_id), query_id)


@pytest.mark.parametrize("query_id", ["nope", "!!!", "Zm9v"])
def test_malformed_id(node: Node, query_id: str) -> None:
    reply = get(node, query_id)
    assert reply.status_code == 400, reply.text
    error = reply.json()["error"]
    assert error["type"] == "illegal_argument_exception"
    assert error["reason"] == f"invalid id: [{query_id}]"


# --- the official client ----------------------------------------------------------------


def test_official_client_lifecycle(node: Node) -> None:
    with Elasticsearch(node.url) as client:
        started = client.esql.async_query(
            query=QUERY, wait_for_completion_timeout="0s", keep_on_completion=True
        )
        assert started["is_running"] is True
        query_id = started["id"]
        done = client.esql.async_query_get(id=query_id, wait_for_completion_timeout="10s")
        assert done["is_running"] is False
        assert done["columns"] == COLUMNS and done["values"] == VALUES
        assert client.esql.async_query_delete(id=query_id)["acknowledged"] is True
        with pytest.raises(NotFoundError) as caught:
            client.esql.async_query_get(id=query_id)
        assert caught.value.error == "resource_not_found_exception"


def test_official_client_stop(node: Node) -> None:
    with Elasticsearch(node.url) as client:
        started = client.esql.async_query(
            query=QUERY, wait_for_completion_timeout="0s", keep_on_completion=True
        )
        stopped = client.esql.async_query_stop(id=started["id"])
        assert stopped["is_running"] is False
