"""The official ``elasticsearch`` client (9.x) against a real ``esqlsh serve`` node
over the conformance fixtures (issue 3 acceptance): ``info``, ``esql.query`` in
json, csv, tsv, txt and arrow, with positional and named params, the async query
API, ``field_caps``, ``indices.resolve_index``, ``indices.get_mapping`` and
``enrich.get_policy``. Every answer is compared with what the in-process engine
(``run_query``) and renderers give for the same query.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pytest
from elasticsearch import BadRequestError, Elasticsearch, ElasticsearchWarning, NotFoundError

from esqlsh.clusters.embedded import EmbeddedCluster
from esqlsh.coordinator.session import run_query
from esqlsh.render.formats import RenderOptions, render
from esqlsh.render.values import es_response
from esqlsh.server.settings import ES_VERSION
from tests.servers import Node

QUERIES = [
    "FROM employees | SORT emp_no | KEEP emp_no, first_name, salary, hire_date, height | LIMIT 7",
    "FROM employees | STATS n = COUNT(*), avg = AVG(salary) BY gender | SORT gender",
    "FROM employees | SORT emp_no | KEEP emp_no, job_positions, salary_change, is_rehired "
    "| LIMIT 5",
    "FROM hosts | SORT host, card | KEEP host, card, ip0, ip1 | LIMIT 6",
    "FROM apps | SORT id | KEEP id, name, version | LIMIT 5",
    "FROM sample_data | SORT @timestamp | LIMIT 4",
    'ROW d = 1.5, big = 12345678901, t = TO_DATETIME("2024-01-02T03:04:05.678Z"), s = "x"',
]


@pytest.fixture(scope="module")
def client(conformance_node: Node) -> Iterator[Elasticsearch]:
    with Elasticsearch(conformance_node.url, request_timeout=60) as es:
        yield es


def expected_body(cluster: EmbeddedCluster, query: str, params: Any = None) -> dict[str, Any]:
    body = es_response(run_query(query, cluster, params))
    body.pop("took")
    return body


def without_took(body: Any) -> dict[str, Any]:
    payload = dict(body)
    assert isinstance(payload.pop("took"), int)
    return payload


# --- GET / -------------------------------------------------------------------------------


def test_info(client: Elasticsearch) -> None:
    info = client.info()
    assert info["cluster_name"] == "fixtures"
    assert info["name"]
    assert info["cluster_uuid"]
    assert info["version"]["number"] == ES_VERSION
    assert info["version"]["build_flavor"] == "default"
    assert info["version"]["lucene_version"]
    assert info["version"]["minimum_wire_compatibility_version"]
    assert info["tagline"] == "You Know, for Search"
    assert info.meta.headers["X-Elastic-Product"] == "Elasticsearch"


def test_ping_is_head_root(client: Elasticsearch) -> None:
    assert client.ping() is True


# --- _query ------------------------------------------------------------------------------


@pytest.mark.parametrize("query", QUERIES)
def test_query_json_equals_engine(
    client: Elasticsearch, conformance_cluster: EmbeddedCluster, query: str
) -> None:
    answer = client.esql.query(query=query)
    assert without_took(answer.body) == expected_body(conformance_cluster, query)
    assert answer.meta.headers["X-Elastic-Product"] == "Elasticsearch"


def test_query_columnar(client: Elasticsearch, conformance_cluster: EmbeddedCluster) -> None:
    query = QUERIES[0]
    answer = client.esql.query(query=query, columnar=True)
    result = run_query(query, conformance_cluster)
    assert answer["columns"] == es_response(result)["columns"]
    assert answer["values"] == es_response(result, columnar=True)["values"]


@pytest.mark.parametrize("fmt", ["csv", "tsv", "txt"])
def test_query_text_formats_equal_renderer(
    client: Elasticsearch, conformance_cluster: EmbeddedCluster, fmt: str
) -> None:
    query = QUERIES[2]
    answer = client.esql.query(query=query, format=fmt)
    eol = "\r\n" if fmt == "csv" else "\n"
    expected = render(run_query(query, conformance_cluster), fmt, RenderOptions(eol=eol))
    assert answer.body == expected
    assert answer.meta.headers["Content-Type"].startswith(
        {"csv": "text/csv", "tsv": "text/tab-separated-values", "txt": "text/plain"}[fmt]
    )


def test_query_csv_with_delimiter(client: Elasticsearch) -> None:
    answer = client.esql.query(
        query='ROW a = 1, b = "x;y", c = "plain"', format="csv", delimiter=";"
    )
    assert answer.body == 'a;b;c\r\n1;"x;y";plain\r\n'


def test_query_arrow_equals_renderer(
    client: Elasticsearch, conformance_cluster: EmbeddedCluster
) -> None:
    query = QUERIES[0]
    answer = client.esql.query(query=query, format="arrow")
    table = answer.body
    assert isinstance(table, pa.Table)
    rendered = render(run_query(query, conformance_cluster), "arrow")
    assert isinstance(rendered, bytes)
    expected = pa.ipc.open_stream(rendered).read_all()
    assert table.equals(expected, check_metadata=True)
    assert table.schema.field("emp_no").metadata == {b"elastic:type": b"integer"}


def test_positional_params(client: Elasticsearch, conformance_cluster: EmbeddedCluster) -> None:
    query = "FROM employees | WHERE emp_no < ? AND first_name != ? | KEEP emp_no | SORT emp_no"
    params: list[int | str] = [10004, "Bezalel"]
    answer = client.esql.query(query=query, params=params)
    assert without_took(answer.body) == expected_body(conformance_cluster, query, params)
    assert answer["values"] == [[10001], [10003]]


def test_named_params(client: Elasticsearch, conformance_cluster: EmbeddedCluster) -> None:
    query = "FROM employees | WHERE emp_no <= ?top | KEEP emp_no, first_name | SORT emp_no"
    answer = client.esql.query(query=query, params=[{"top": 10002}])
    assert without_took(answer.body) == expected_body(conformance_cluster, query, {"top": 10002})
    assert answer["values"] == [[10001, "Georgi"], [10002, "Bezalel"]]


def test_named_params_value_form(client: Elasticsearch) -> None:
    answer = client.esql.query(query="ROW x = ?v", params=[{"v": {"value": "hi"}}])
    assert answer["values"] == [["hi"]]


def test_drop_null_columns(client: Elasticsearch) -> None:
    answer = client.esql.query(query='ROW a = 1, b = null, c = "x"', drop_null_columns=True)
    assert [c["name"] for c in answer["all_columns"]] == ["a", "b", "c"]
    assert [c["name"] for c in answer["columns"]] == ["a", "c"]
    assert answer["values"] == [[1, "x"]]


def test_warnings_become_client_warnings(
    client: Elasticsearch, conformance_cluster: EmbeddedCluster
) -> None:
    query = "ROW a = 1 / 0"
    expected = run_query(query, conformance_cluster).warnings
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        answer = client.esql.query(query=query)
    assert answer["values"] == [[None]]
    messages = [str(w.message) for w in caught if issubclass(w.category, ElasticsearchWarning)]
    assert messages == expected


def test_query_error_is_bad_request(client: Elasticsearch) -> None:
    with pytest.raises(BadRequestError) as caught:
        client.esql.query(query="FROM employees | KEEP nope")
    assert caught.value.error == "verification_exception"
    assert caught.value.body["error"]["reason"] == (
        "Found 1 problem\nline 1:23: Unknown column [nope]"
    )


# --- async -------------------------------------------------------------------------------


def test_async_query_get_delete(
    client: Elasticsearch, conformance_cluster: EmbeddedCluster
) -> None:
    query = QUERIES[1]
    started = client.esql.async_query(
        query=query, keep_on_completion=True, wait_for_completion_timeout="30s"
    )
    query_id = started["id"]
    assert started["is_running"] is False
    assert started.meta.headers["X-Elasticsearch-Async-Id"] == query_id
    assert started.meta.headers["X-Elasticsearch-Async-Is-Running"] == "?0"
    fetched = client.esql.async_query_get(id=query_id, wait_for_completion_timeout="30s")
    assert fetched["id"] == query_id and fetched["is_running"] is False
    expected = expected_body(conformance_cluster, query)
    assert {
        k: v for k, v in without_took(fetched.body).items() if k not in ("id", "is_running")
    } == (expected)
    assert client.esql.async_query_delete(id=query_id)["acknowledged"] is True
    with pytest.raises(NotFoundError) as caught:
        client.esql.async_query_get(id=query_id)
    assert caught.value.error == "resource_not_found_exception"


def test_async_query_in_arrow(client: Elasticsearch, conformance_cluster: EmbeddedCluster) -> None:
    query = QUERIES[0]
    answer = client.esql.async_query(query=query, format="arrow", wait_for_completion_timeout="30s")
    rendered = render(run_query(query, conformance_cluster), "arrow")
    assert isinstance(rendered, bytes)
    assert answer.body.equals(pa.ipc.open_stream(rendered).read_all())
    assert answer.meta.headers["X-Elasticsearch-Async-Is-Running"] == "?0"


def test_async_columnar_kept_for_get(client: Elasticsearch) -> None:
    started = client.esql.async_query(
        query="ROW a = 1, b = 2", columnar=True, keep_on_completion=True
    )
    fetched = client.esql.async_query_get(id=started["id"])
    assert fetched["values"] == [[1], [2]]
    client.esql.async_query_delete(id=started["id"])


# --- metadata ----------------------------------------------------------------------------


def test_field_caps(client: Elasticsearch, conformance_cluster: EmbeddedCluster) -> None:
    caps = client.field_caps(index="employees", fields="*")
    assert caps["indices"] == ["employees"]
    fields = caps["fields"]
    assert fields["emp_no"] == {
        "integer": {
            "type": "integer",
            "metadata_field": False,
            "searchable": True,
            "aggregatable": True,
        }
    }
    assert fields["first_name"]["keyword"]["type"] == "keyword"
    assert fields["height.scaled_float"]["scaled_float"]["type"] == "scaled_float"
    assert fields["_index"]["_index"]["metadata_field"] is True
    specs = conformance_cluster.field_specs("employees")
    user_fields = {name for name, by_type in fields.items() if not _metadata(by_type)}
    assert user_fields >= set(specs)


def test_field_caps_conflicting_types(client: Elasticsearch) -> None:
    caps = client.field_caps(index="employees,employees_incompatible", fields="emp_no,hire_date")
    assert caps["indices"] == ["employees", "employees_incompatible"]
    emp_no = caps["fields"]["emp_no"]
    assert sorted(emp_no) == ["integer", "long"]
    assert emp_no["integer"]["indices"] == ["employees"]
    assert emp_no["long"]["indices"] == ["employees_incompatible"]


def test_field_caps_unknown_index(client: Elasticsearch) -> None:
    with pytest.raises(NotFoundError) as caught:
        client.field_caps(index="nope", fields="*")
    assert caught.value.error == "index_not_found_exception"
    assert client.field_caps(index="nope", fields="*", ignore_unavailable=True)["indices"] == []


def test_resolve_index(client: Elasticsearch, conformance_cluster: EmbeddedCluster) -> None:
    resolved = client.indices.resolve_index(name="employees*")
    names = [i["name"] for i in resolved["indices"]]
    assert names == sorted(n for n in conformance_cluster.indices() if n.startswith("employees"))
    employees = next(i for i in resolved["indices"] if i["name"] == "employees")
    assert employees["aliases"] == ["employees_alias"]
    assert employees["attributes"] == ["open"]
    assert resolved["aliases"] == [{"name": "employees_alias", "indices": ["employees"]}]
    assert resolved["data_streams"] == []


def test_resolve_index_lookup_mode(client: Elasticsearch) -> None:
    resolved = client.indices.resolve_index(name="languages_lookup")
    assert resolved["indices"] == [
        {"name": "languages_lookup", "attributes": ["open"], "mode": "lookup"}
    ]


def test_get_mapping(client: Elasticsearch, conformance_cluster: EmbeddedCluster) -> None:
    mapping = client.indices.get_mapping(index="languages")
    assert mapping.body == {"languages": {"mappings": conformance_cluster.mapping("languages")}}


def test_enrich_policies(client: Elasticsearch, conformance_cluster: EmbeddedCluster) -> None:
    every = client.enrich.get_policy()
    names = [next(iter(p["config"].values()))["name"] for p in every["policies"]]
    assert names == sorted(conformance_cluster.policies())
    one = client.enrich.get_policy(name="languages_policy")
    policy = conformance_cluster.policies()["languages_policy"]
    assert one["policies"] == [
        {
            "config": {
                "match": {
                    "name": "languages_policy",
                    "indices": list(policy.indices),
                    "match_field": policy.match_field,
                    "enrich_fields": list(policy.enrich_fields),
                }
            }
        }
    ]
    assert client.enrich.get_policy(name="nope")["policies"] == []


def _metadata(by_type: dict[str, Any]) -> bool:
    return any(caps.get("metadata_field") for caps in by_type.values())
