"""The ``elasticsearch`` transport (``esqlsh/clusters/remote*.py``).

First the pieces that need no server (Warning headers, hosts, ``_field_caps``
parsing, Arrow/JSON answers to physical frames); then real ``esqlsh serve``
subprocesses on 127.0.0.1: the remote catalog equals the embedded cluster's
(fields, types, aliases, policies) over the conformance fixtures, fragments run
over REST equal the same queries run in process (Arrow and JSON), Elasticsearch's
errors and warnings come through, a cancelled query is stopped and deleted on the
node, API-key auth and TLS (trustme CA) work.
"""

from __future__ import annotations

import base64
import http.server
import json
import socket
import ssl
import struct
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import CancelledError, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa
import pytest
import requests
import trustme

from esqlsh.analysis.types import DataType
from esqlsh.clusters.config import ClusterSpec, Config, Secret
from esqlsh.clusters.embedded import EmbeddedCluster
from esqlsh.clusters.ingest import load_index, write_aliases, write_policy
from esqlsh.clusters.registry import Registry
from esqlsh.clusters.remote import ElasticsearchCluster
from esqlsh.clusters.remote_catalog import fields_by_index
from esqlsh.clusters.remote_frames import from_arrow, from_json, wkb_to_wkt
from esqlsh.clusters.remote_http import describe_failure, parse_host, parse_warnings
from esqlsh.coordinator.fanout import run_federated
from esqlsh.coordinator.session import run_query
from esqlsh.engine.result import Result
from esqlsh.errors import ClusterUnavailableError, EsqlError, RemoteError
from esqlsh.plan.split import Fragment
from esqlsh.render.values import to_es_values
from esqlsh.syntax.parser import parse
from tests.coordinator.ccs_fixtures import REMOTES, build_world
from tests.faultproxy import closed_port
from tests.servers import Node, start_node

# --- helpers -------------------------------------------------------------------------


def fragment(text: str, *, unbounded: bool = False, params: Any = None) -> Fragment:
    return Fragment(parse(text), unbounded, params=params)


def spec(url: str, **options: Any) -> ClusterSpec:
    options.setdefault("timeout", 10.0)
    return ClusterSpec(alias="c1", type="elasticsearch", hosts=(url,), **options)


# --- Warning headers --------------------------------------------------------------------


def test_warning_header_text_is_unescaped_and_decoded() -> None:
    header = (
        '299 Elasticsearch-9.1.0-5bcd "Line 1:27: evaluation of [TO_INTEGER(\\"a\\")] '
        'failed, treating result as null. 100%25 \\\\ sure %E2%9C%93"'
    )
    assert parse_warnings(header) == [
        'Line 1:27: evaluation of [TO_INTEGER("a")] failed, treating result as null. '
        "100% \\ sure \u2713"
    ]


def test_comma_joined_warnings_and_dates_are_split() -> None:
    header = (
        '299 Elasticsearch-9.1.0 "first, with a comma" "Mon, 01 Jan 2024 00:00:00 GMT", '
        '299 Elasticsearch-9.1.0 "second"'
    )
    assert parse_warnings(header) == ["first, with a comma", "second"]


# --- hosts and secrets ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "url", "user"),
    [
        ("es1", "http://es1:9200", None),
        ("es1:9201", "http://es1:9201", None),
        ("https://es1", "https://es1:443", None),
        ("https://elastic:pw@es1:9243/base/", "https://es1:9243/base", "elastic"),
        ("http://[::1]:9200", "http://[::1]:9200", None),
    ],
)
def test_hosts_are_urls_without_userinfo(text: str, url: str, user: str | None) -> None:
    host = parse_host(text)
    assert host.url == url
    assert host.username == user


def test_describe_and_errors_never_show_secrets() -> None:
    key = "c2VjcmV0LWlkOnNlY3JldC1rZXk="
    cluster = ElasticsearchCluster(
        spec("http://user:hunter2@127.0.0.1:1", api_key=Secret(key), timeout=1.0)
    )
    try:
        assert cluster.describe() == "http://127.0.0.1:1 (api_key)"
        assert key not in repr(cluster)
        with pytest.raises(ClusterUnavailableError) as caught:
            cluster.catalog()
        text = str(caught.value)
        assert "hunter2" not in text and key not in text
        assert text == "[127.0.0.1:1] connect_exception: Connection refused"
    finally:
        cluster.close()


def test_transport_failures_read_like_elasticsearchs() -> None:
    host = parse_host("http://es1:9200")
    unknown = requests.exceptions.ConnectionError(socket.gaierror(-2, "Name or service not known"))
    assert describe_failure(host, unknown, 5, 0) == "[es1:9200] connect_exception: unknown host"
    bad_cert = ssl.SSLCertVerificationError(1, "certificate verify failed")
    bad_cert.verify_message = "self-signed certificate"
    tls = requests.exceptions.SSLError(bad_cert)
    assert describe_failure(host, tls, 5, 0) == (
        "[es1:9200] TLS handshake failed: self-signed certificate"
    )
    slow = requests.exceptions.ReadTimeout("read timed out")
    assert describe_failure(host, slow, 2.5, 0) == "[es1:9200] request timed out after [2.5s]"
    cut = requests.exceptions.ChunkedEncodingError("Connection broken")
    assert describe_failure(host, cut, 5, 42) == (
        "[es1:9200] connection closed after [42] bytes of the response"
    )


def test_next_host_is_tried_when_one_refuses(served: Node) -> None:
    dead = f"http://127.0.0.1:{closed_port()}"
    cluster = ElasticsearchCluster(
        ClusterSpec(alias="c1", type="elasticsearch", hosts=(dead, served.url), timeout=5.0)
    )
    try:
        assert cluster.catalog().resolve("people") == ["people"]
        assert cluster.describe() == f"{dead}, {served.url} (none)"
    finally:
        cluster.close()


# --- _field_caps -------------------------------------------------------------------------


def test_field_caps_gives_each_index_its_own_types() -> None:
    body = {
        "indices": ["a", "b", "c"],
        "fields": {
            "_id": {"_id": {"type": "_id", "metadata_field": True}},
            "code": {
                "long": {"type": "long", "indices": ["a"]},
                "keyword": {"type": "keyword", "indices": ["b"]},
                "unmapped": {"type": "unmapped", "indices": ["c"]},
            },
            "n": {"short": {"type": "short"}},
            "f": {"half_float": {"type": "half_float"}, "unmapped": {"indices": ["c"]}},
            "obj": {"object": {"type": "object"}},
            "obj.x": {"keyword": {"type": "keyword"}},
            "name": {"text": {"type": "text"}},
            "name.keyword": {"keyword": {"type": "keyword"}},
            "name-x": {"keyword": {"type": "keyword"}},
            "nest": {"nested": {"type": "nested"}},
            "nest.inner": {"long": {"type": "long"}},
            "rng": {"integer_range": {"type": "integer_range"}},
        },
    }
    fields = fields_by_index(body)
    assert fields["a"] == {
        "code": DataType.LONG,
        "f": DataType.DOUBLE,
        "n": DataType.INTEGER,
        "name": DataType.TEXT,
        "name.keyword": DataType.KEYWORD,
        "name-x": DataType.KEYWORD,
        "nest": DataType.UNSUPPORTED,
        "obj.x": DataType.KEYWORD,
        "rng": DataType.UNSUPPORTED,
    }
    assert list(fields["a"]) == [
        "code", "f", "n", "name", "name.keyword", "name-x", "nest", "obj.x", "rng",
    ]  # fmt: skip
    assert fields["b"]["code"] is DataType.KEYWORD
    assert "code" not in fields["c"] and "f" not in fields["c"]
    assert fields["c"]["n"] is DataType.INTEGER


# --- answers to frames -------------------------------------------------------------------


def _arrow(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return bytes(sink.getvalue().to_pybytes())


def _typed(name: str, arrow_type: pa.DataType, es_type: str) -> pa.Field:
    return pa.field(name, arrow_type, metadata={"elastic:type": es_type})


def test_arrow_as_elasticsearch_sends_it_becomes_physical_columns() -> None:
    point = struct.pack("<BIdd", 1, 1, 1.5, -2.0)
    schema = pa.schema(
        [
            _typed("ip", pa.binary(), "ip"),
            _typed("at", pa.timestamp("ms"), "date"),
            _typed("where", pa.binary(), "geo_point"),
            _typed("tags", pa.list_(pa.string()), "keyword"),
            _typed("big", pa.uint64(), "unsigned_long"),
            _typed("n", pa.int32(), "integer"),
            _typed("v", pa.string(), "version"),
            _typed("nothing", pa.null(), "null"),
        ]
    )
    arrays = [
        pa.array(
            [bytes([10, 0, 0, 1]), bytes(15) + b"\x01", bytes(10) + b"\xff\xff\x01\x02\x03\x04"]
        ),
        pa.array([0, 1500, None], pa.timestamp("ms")),
        pa.array([point, None, point]),
        pa.array([["a", "b"], [], None], pa.list_(pa.string())),
        pa.array([2**64 - 1, 0, None], pa.uint64()),
        pa.array([1, None, 3], pa.int32()),
        pa.array(["1.2.3", None, "2.0"]),
        pa.nulls(3),
    ]
    table = from_arrow(_arrow(pa.Table.from_arrays(arrays, schema=schema)))
    assert [t for _, t in table.columns] == [
        DataType.IP, DataType.DATETIME, DataType.GEO_POINT, DataType.KEYWORD,
        DataType.UNSIGNED_LONG, DataType.INTEGER, DataType.VERSION, DataType.NULL,
    ]  # fmt: skip
    frame = table.frame
    assert frame["ip"].to_list() == ["10.0.0.1", "::1", "1.2.3.4"]
    assert frame["at"].dtype == pl.Datetime("ms", "UTC")
    assert frame["at"].dt.epoch("ms").to_list() == [0, 1500, None]
    assert frame["where"].to_list() == ["POINT (1.5 -2.0)", None, "POINT (1.5 -2.0)"]
    assert frame["tags"].to_list() == [["a", "b"], None, None]  # no values is null
    assert frame["big"].dtype == pl.UInt64() and frame["big"][0] == 2**64 - 1
    assert frame["n"].dtype == pl.Int32()
    assert frame["nothing"].dtype == pl.Null()


def test_wkb_shapes_print_as_elasticsearch_wkt() -> None:
    ring = struct.pack("<I", 4) + struct.pack("<8d", 0, 0, 1, 0, 1, 1, 0, 0)
    polygon = struct.pack("<BII", 1, 3, 1) + ring
    multipoint = struct.pack("<BII", 1, 4, 2) + b"".join(
        struct.pack("<BIdd", 1, 1, x, y) for x, y in ((1, 2), (3, 4))
    )
    assert wkb_to_wkt(polygon) == "POLYGON ((0.0 0.0, 1.0 0.0, 1.0 1.0, 0.0 0.0))"
    assert wkb_to_wkt(multipoint) == "MULTIPOINT (1.0 2.0, 3.0 4.0)"
    assert wkb_to_wkt(struct.pack(">BIdd", 0, 1, 1e7, 0.001)) == "POINT (1.0E7 0.001)"
    assert wkb_to_wkt(b"\x01\x63") is None


def test_json_columnar_values_become_physical_columns() -> None:
    body = {
        "columns": [
            {"name": "d", "type": "date"},
            {"name": "m", "type": "keyword"},
            {"name": "u", "type": "unsigned_long"},
            {"name": "x", "type": "double"},
        ],
        "values": [
            ["2024-02-29T12:00:00.250Z", None, "1970-01-01T00:00:00.000Z"],
            ["one", ["two", "three"], None],
            [18446744073709551615, None, 7],
            [1.5, 2, None],
        ],
    }
    frame = from_json(body, columnar=True).frame
    want: dict[str, pl.DataType] = {
        "d": pl.Datetime("ms", "UTC"),
        "m": pl.List(pl.String),
        "u": pl.UInt64(),
        "x": pl.Float64(),
    }
    assert dict(frame.schema) == want
    assert frame["d"].dt.epoch("ms").to_list() == [1709208000250, None, 0]
    assert frame["m"].to_list() == [["one"], ["two", "three"], None]
    assert frame["x"].to_list() == [1.5, 2.0, None]


# --- a stand-in cluster without Arrow ----------------------------------------------------


class NoArrowCluster(http.server.BaseHTTPRequestHandler):
    """Answers ``format=arrow`` with 406; in JSON, a query is first "running" (the
    id only in the body, no headers), then done when polled."""

    seen: list[str] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        self.seen.append(f"POST {self.path}")
        length = int(self.headers.get("Content-Length", 0))
        body = json.loads(self.rfile.read(length))
        if "format=arrow" in self.path:
            self._answer(406, {"error": {"type": "status_exception", "reason": "no arrow"}})
        else:
            assert body["columnar"] is True
            self._answer(200, {"id": "q1", "is_running": True})

    def do_GET(self) -> None:  # noqa: N802
        self.seen.append(f"GET {self.path}")
        if self.path.startswith("/_query/async/q1"):
            done = {"took": 3, "is_running": False, "columns": [{"name": "a", "type": "long"}]}
            self._answer(200, {**done, "values": [[1, 2]]}, warning='"w \\"1\\""')
        else:
            self._answer(200, {"policies": []})

    def do_DELETE(self) -> None:  # noqa: N802
        self.seen.append(f"DELETE {self.path}")
        self._answer(200, {"acknowledged": True})

    def _answer(self, status: int, body: dict[str, Any], warning: str | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        if warning:
            self.send_header("Warning", f"299 Elasticsearch-9.1.0 {warning}")
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


def test_a_cluster_without_arrow_is_asked_in_json_from_then_on() -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), NoArrowCluster)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    NoArrowCluster.seen = []
    cluster = ElasticsearchCluster(spec(f"http://127.0.0.1:{server.server_address[1]}"))
    try:
        first = cluster.run(fragment("FROM x"), threading.Event())
        second = cluster.run(fragment("FROM x"), threading.Event())
    finally:
        cluster.close()
        server.shutdown()
        server.server_close()
    assert first.frame.to_dict(as_series=False) == {"a": [1, 2]}
    assert first.warnings == ['w "1"'] and first.took_ms == 3
    assert second.frame.equals(first.frame)
    posts = [s for s in NoArrowCluster.seen if s.startswith("POST")]
    assert posts == [
        "POST /_query/async?format=arrow",
        "POST /_query/async?format=json",
        "POST /_query/async?format=json",  # remembered: no second 406
    ]
    assert "DELETE /_query/async/q1" in NoArrowCluster.seen


# --- real nodes ---------------------------------------------------------------------------

PEOPLE_CSV = """\
name:keyword,age:integer,height:double,ip:ip,born:date,tags:keyword,v:version,big:unsigned_long,where:geo_point
ann,31,1.62,10.0.0.1,1993-01-04T10:00:00.000Z,a,1.2.0,18446744073709551615,POINT (1.5 2.5)
bob,42,1.80,::1,1982-06-30T00:00:00.123Z,"[b, c]",2.0.0-alpha,0,
cy,27,,192.168.0.10,,,10.1,5,POINT (-71.34 41.12)
"""
# A field whose type differs between two indices, and a policy.
LOGS_A = "code:long,msg:text\n200,ok\n500,boom\n"
LOGS_B = "code:keyword,msg:text\nE1,warn\n"
POLICY = {"match": {"indices": ["people"], "match_field": "name", "enrich_fields": ["age"]}}


def build_cluster(root: Path) -> Path:
    cluster = root / "cluster"
    for name, text in (("people", PEOPLE_CSV), ("logs-a", LOGS_A), ("logs-b", LOGS_B)):
        csv = root / f"{name}.csv"
        csv.write_text(text, encoding="utf-8")
        load_index(cluster, name, csv)
    write_aliases(cluster, {"folks": "people"})
    write_policy(cluster, "who", POLICY)
    return cluster


@pytest.fixture(scope="module")
def cluster_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_cluster(tmp_path_factory.mktemp("remote"))


@pytest.fixture(scope="module")
def embedded(cluster_dir: Path) -> EmbeddedCluster:
    return EmbeddedCluster(cluster_dir, name="c1")


@pytest.fixture(scope="module")
def served(cluster_dir: Path) -> Iterator[Node]:
    node = start_node(cluster_dir)
    try:
        yield node
    finally:
        node.stop()


@pytest.fixture()
def remote(served: Node) -> Iterator[ElasticsearchCluster]:
    cluster = ElasticsearchCluster(spec(served.url))
    try:
        yield cluster
    finally:
        cluster.close()


# --- the coordinator's metadata step ------------------------------------------------------


def _recorded_registry(url: str) -> tuple[Registry, list[tuple[str, str, str, bool]]]:
    """Two remotes on one node; each request as (alias, method, path, on the
    calling thread?)."""
    specs = {
        alias: ClusterSpec(alias=alias, type="elasticsearch", hosts=(url,), timeout=10.0)
        for alias in ("c1", "c2")
    }
    registry = Registry.from_config(Config(None, specs, None))
    sent: list[tuple[str, str, str, bool]] = []
    caller = threading.current_thread()
    for alias, cluster in registry.clusters.items():
        http = cluster._http  # type: ignore[attr-defined]
        original = http.send

        def send(
            method: str, url: str, *, _a: str = alias, _o: Any = original, **kwargs: Any
        ) -> requests.Response:
            path = "/" + url.split("/", 3)[3]
            sent.append((_a, method, path, threading.current_thread() is caller))
            return _o(method, url, **kwargs)  # type: ignore[no-any-return]

        http.send = send
    return registry, sent


@pytest.mark.parametrize("enrich", [False, True])
def test_metadata_is_fetched_on_each_clusters_thread(served: Node, enrich: bool) -> None:
    """Resolution and field caps run in the concurrent metadata step (not one
    cluster after another during analysis); policies only when the query
    enriches; a finished query is one round trip."""
    registry, sent = _recorded_registry(served.url)
    text = "FROM c1:people,c2:people | KEEP name | SORT name"
    if enrich:
        text += " | ENRICH _remote:who ON name"
    try:
        result = run_federated(text, registry)
    finally:
        registry.close()
    assert result.frame.height == 6
    assert not any(on_caller for *_, on_caller in sent), sent
    for alias in ("c1", "c2"):
        paths = [(m, p.split("?")[0]) for a, m, p, _ in sent if a == alias]
        policies = [("GET", "/_enrich/policy")] if enrich else []
        # (resolution and field caps are sent together: either may go first)
        pair = sorted(paths[len(policies) : len(policies) + 2])
        assert paths[: len(policies)] == policies, paths
        assert pair == [("GET", "/_resolve/index/people"), ("GET", "/people/_field_caps")]
        assert paths[len(policies) + 2 :] == [("POST", "/_query/async")], paths


def test_resolution_and_field_caps_are_in_flight_together(served: Node) -> None:
    """A remote's metadata costs one round trip's wait: ``_field_caps`` of the
    expression is sent while ``_resolve/index`` is still waiting for its answer."""
    registry, _ = _recorded_registry(served.url)
    cluster = registry.clusters["c1"]
    http = cluster._http  # type: ignore[attr-defined]
    recorded = http.send
    caps_sent = threading.Event()
    overlapped: list[bool] = []

    def send(method: str, url: str, **kwargs: Any) -> requests.Response:
        if "/_field_caps" in url:
            caps_sent.set()
        elif "/_resolve/index/" in url:
            # The answer to the resolution waits until field caps were asked for.
            overlapped.append(caps_sent.wait(5))
        return recorded(method, url, **kwargs)  # type: ignore[no-any-return]

    http.send = send
    try:
        catalog = cluster.catalog_for("people", policies=False)  # type: ignore[attr-defined]
        assert catalog.cached("people") == ["people"]
        info = catalog.index("people")
    finally:
        registry.close()
    assert overlapped == [True]
    assert info is not None and "name" in info.fields


# --- catalog -------------------------------------------------------------------------------


def assert_same_catalog(remote: ElasticsearchCluster, embedded: EmbeddedCluster) -> None:
    catalog = remote.catalog()
    names = embedded.resolve("*")
    assert catalog.resolve("*") == names
    for name in names:
        assert catalog.index(name) == embedded.index(name), name
    assert catalog.policies() == embedded.policies()


def test_catalog_equals_the_embedded_clusters(
    remote: ElasticsearchCluster, embedded: EmbeddedCluster
) -> None:
    assert_same_catalog(remote, embedded)


@pytest.mark.parametrize(
    "expression", ["people", "logs-*", "folks", "*,-logs-b", "missing", "people,missing", "nope*"]
)
def test_resolve_follows_the_clusters_rules(
    remote: ElasticsearchCluster, embedded: EmbeddedCluster, expression: str
) -> None:
    assert remote.catalog().resolve(expression) == embedded.resolve(expression)


def test_conflicting_types_keep_each_indexs_own(remote: ElasticsearchCluster) -> None:
    catalog = remote.catalog()
    assert catalog.resolve("logs-*") == ["logs-a", "logs-b"]
    a, b = catalog.index("logs-a"), catalog.index("logs-b")
    assert a is not None and b is not None
    assert a.fields["code"] is DataType.LONG
    assert b.fields["code"] is DataType.KEYWORD
    assert catalog.index("missing") is None


@pytest.fixture(scope="module")
def fixtures_node() -> Iterator[tuple[Node, EmbeddedCluster]]:
    from tests.conformance.fixtures import fixture_cluster

    conformance = Path("/work/shared/conformance")
    fixtures = fixture_cluster(conformance)
    node = start_node(fixtures.path)
    try:
        yield node, fixtures
    finally:
        node.stop()


def test_catalog_of_the_conformance_fixtures(
    fixtures_node: tuple[Node, EmbeddedCluster],
) -> None:
    node, fixtures = fixtures_node
    cluster = ElasticsearchCluster(spec(node.url, timeout=30.0))
    try:
        assert_same_catalog(cluster, fixtures)
    finally:
        cluster.close()


# --- run ----------------------------------------------------------------------------------

QUERIES = [
    "FROM people | SORT name | LIMIT 10",
    "FROM people | KEEP name, ip, born, tags, v, big, where | SORT name | LIMIT 10",
    "FROM people | WHERE age > 30 | EVAL next = age + 1 | KEEP name, next | SORT name | LIMIT 5",
    "FROM people | STATS n = COUNT(*), oldest = MAX(age), tags = VALUES(tags) | LIMIT 1",
    "FROM logs-a | SORT code | LIMIT 10",
    'FROM people | EVAL d = TO_DATETIME("2024-01-01T00:00:00.000Z") | KEEP d | LIMIT 1',
    'FROM people | WHERE name == "nobody" | LIMIT 10',
]


def in_process(embedded: EmbeddedCluster, text: str) -> Result:
    return run_query(text, embedded)


def assert_same_answer(got: Any, want: Result, *, exact_lists: bool = True) -> None:
    """Same columns, physical dtypes and values. JSON cannot tell a multi-valued
    column holding single values from a plain one (``exact_lists=False``)."""
    assert [(c.name, c.type) for c in got.columns] == [(c.name, c.type) for c in want.columns]
    if exact_lists:
        assert got.frame.schema == want.frame.schema
    else:
        assert _flat(got.frame.schema) == _flat(want.frame.schema)
    assert to_es_values(Result(got.columns, got.frame)) == to_es_values(want)


def _flat(schema: pl.Schema) -> list[pl.DataType]:
    return [t.inner if isinstance(t, pl.List) else t for t in schema.dtypes()]  # type: ignore[misc]


@pytest.mark.parametrize("fmt", ["arrow", "json"])
@pytest.mark.parametrize("text", QUERIES)
def test_run_equals_in_process_execution(
    remote: ElasticsearchCluster, embedded: EmbeddedCluster, text: str, fmt: str
) -> None:
    remote._format = fmt  # what a cluster without Arrow is asked in
    got = remote.run(fragment(text), threading.Event())
    assert_same_answer(got, in_process(embedded, text), exact_lists=fmt == "arrow")
    assert got.bytes_received > 0
    assert got.took_ms >= 0
    assert got.warnings == []


def test_unbounded_fragment_gets_the_row_cap(remote: ElasticsearchCluster) -> None:
    body = remote.request_body(fragment("FROM people | KEEP name", unbounded=True))
    assert body["query"] == "FROM people | KEEP name\n| LIMIT 10000"
    assert body["keep_on_completion"] is False
    got = remote.run(fragment("FROM people | KEEP name", unbounded=True), threading.Event())
    assert got.frame.height == 3
    assert got.warnings == []  # no "No limit defined" warning from the node


@pytest.mark.parametrize(
    ("text", "params"),
    [
        ("FROM people | WHERE age > ? | KEEP name | SORT name | LIMIT 10", [30]),
        ("FROM people | WHERE name == ?who | KEEP age | LIMIT 10", {"who": "cy"}),
    ],
)
def test_params_are_sent_with_the_fragment(
    remote: ElasticsearchCluster, embedded: EmbeddedCluster, text: str, params: Any
) -> None:
    got = remote.run(fragment(text, params=params), threading.Event())
    assert_same_answer(got, run_query(text, embedded, params))


def test_passthrough_sends_the_query_as_it_is(
    remote: ElasticsearchCluster, embedded: EmbeddedCluster
) -> None:
    text = (
        'FROM people | EVAL x = TO_INTEGER(CONCAT(name, "!")) | SORT name | KEEP name, x | LIMIT 2'
    )
    body, warnings = remote.run_query_passthrough(text, None, threading.Event())
    want = in_process(embedded, text)
    assert body["columns"] == [
        {"name": "name", "type": "keyword"},
        {"name": "x", "type": "integer"},
    ]
    assert body["values"] == to_es_values(want)
    assert warnings == want.warnings


def test_warnings_come_from_the_warning_headers(
    remote: ElasticsearchCluster, embedded: EmbeddedCluster
) -> None:
    text = 'FROM people | EVAL x = TO_INTEGER(CONCAT(name, "!")) | KEEP x | LIMIT 10'
    got = remote.run(fragment(text), threading.Event())
    want = in_process(embedded, text)
    assert want.warnings  # the conversion fails on every row
    assert got.warnings == want.warnings


def test_elasticsearch_errors_keep_type_reason_and_status(
    remote: ElasticsearchCluster, embedded: EmbeddedCluster
) -> None:
    text = "FROM people | KEEP nope"
    with pytest.raises(EsqlError) as local:
        in_process(embedded, text)
    with pytest.raises(RemoteError) as caught:
        remote.run(fragment(text), threading.Event())
    assert caught.value.type == "verification_exception"
    assert caught.value.status == 400
    assert caught.value.reason == local.value.reason
    assert caught.value.alias == "c1"
    assert caught.value.data_received is False


# --- cancel ---------------------------------------------------------------------------
#
# The node's latency hook delays every ``_query*`` answer by half a second; submitting with
# ``wait_for_completion_timeout`` 0 gets an async id for a query that has not
# finished, so the transport has to poll, and a cancel or timeout finds it running.

LATENCY_S = 0.5


@pytest.fixture(scope="module")
def slow(cluster_dir: Path) -> Iterator[Node]:
    node = start_node(cluster_dir, env={"ESQLSH_TEST_LATENCY_MS": str(int(LATENCY_S * 1000))})
    try:
        yield node
    finally:
        node.stop()


@pytest.fixture()
def no_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("esqlsh.clusters.remote.WAIT_FOR_COMPLETION", 0.0)


class Recorder:
    """Watches what the transport sends: (method, path) of each request and the
    async ids the node hands out."""

    def __init__(self, cluster: ElasticsearchCluster):
        self.sent: list[tuple[str, str]] = []
        self.ids: list[str] = []
        http = cluster._http
        original = http.send

        def send(method: str, url: str, **kwargs: Any) -> requests.Response:
            self.sent.append((method, "/" + url.split("/", 3)[3]))
            response = original(method, url, **kwargs)
            async_id = response.headers.get("X-Elasticsearch-Async-Id")
            if async_id and async_id not in self.ids:
                self.ids.append(async_id)
            return response

        http.send = send  # type: ignore[method-assign]


def wait_for(condition: Callable[[], bool], within: float = 5.0) -> None:
    deadline = time.monotonic() + within
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert condition()


def assert_deleted(node: Node, async_id: str, within: float = 10.0) -> None:
    deadline = time.monotonic() + within
    while True:
        reply = requests.get(f"{node.url}/_query/async/{async_id}", timeout=10)
        if reply.status_code == 404 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert reply.status_code == 404, reply.text
    assert reply.json()["error"]["type"] == "resource_not_found_exception"


@pytest.mark.usefixtures("no_wait")
def test_cancel_stops_and_deletes_the_async_query(slow: Node) -> None:
    cluster = ElasticsearchCluster(spec(slow.url, timeout=30.0))
    recorder = Recorder(cluster)
    cancel = threading.Event()
    threading.Timer(LATENCY_S * 1.5, cancel.set).start()
    started = time.monotonic()
    try:
        with pytest.raises(CancelledError):
            cluster.run(fragment("FROM people | LIMIT 1"), cancel)
    finally:
        cluster.close()
    # Cancelled while polling; the clean-up (stop ≤ 1 s, delete) is bounded.
    assert time.monotonic() - started < LATENCY_S * 1.5 + 3.5
    # (Had the cancel come before the id, the worker would clean up once it learns it.)
    wait_for(lambda: len(recorder.ids) == 1)
    async_id = recorder.ids[0]
    wait_for(lambda: ("DELETE", f"/_query/async/{async_id}") in recorder.sent)
    assert ("POST", f"/_query/async/{async_id}/stop") in recorder.sent
    assert_deleted(slow, async_id)


@pytest.mark.usefixtures("no_wait")
def test_timeout_stops_and_deletes_the_async_query(slow: Node) -> None:
    cluster = ElasticsearchCluster(spec(slow.url, timeout=1.0))
    recorder = Recorder(cluster)
    started = time.monotonic()
    try:
        with pytest.raises(ClusterUnavailableError) as caught:
            cluster.run(fragment("FROM people | LIMIT 1"), threading.Event())
        assert time.monotonic() - started < 1.0 + 1.0  # the clean-up is not waited for
        assert str(caught.value) == f"[127.0.0.1:{slow.port}] query timed out after [1s]"
        assert caught.value.data_received is False
        wait_for(lambda: bool(recorder.ids))
        assert_deleted(slow, recorder.ids[0])
    finally:
        cluster.close()


@pytest.mark.usefixtures("no_wait")
def test_a_running_query_is_polled_until_done(slow: Node, embedded: EmbeddedCluster) -> None:
    cluster = ElasticsearchCluster(spec(slow.url, timeout=30.0))
    recorder = Recorder(cluster)
    text = "FROM people | SORT name | KEEP name | LIMIT 2"
    try:
        got = cluster.run(fragment(text), threading.Event())
    finally:
        cluster.close()
    assert_same_answer(got, in_process(embedded, text))
    assert len(recorder.ids) == 1, recorder.sent
    polls = [s for s in recorder.sent if s == ("GET", f"/_query/async/{recorder.ids[0]}")]
    assert polls, recorder.sent
    assert_deleted(slow, recorder.ids[0])  # freed once read


# --- the spec's examples over real HTTP ---------------------------------------------------
#
# The spec page's world (``ccs_fixtures``): the local cluster embedded, and
# cluster_one/two/three once embedded, once each behind its own ``esqlsh serve``
# node reached through this transport. Every example must give the same answer
# (columns, rows, warnings, ``_clusters`` but for ``took``) or the same error.

SPEC_EXAMPLES = [
    """FROM my-index-000001,cluster_one:my-index-000001,cluster_two:my-index*
    | STATS COUNT(http.response.status_code) BY user.id
    | LIMIT 2""",
    "FROM cluster_one:my-index-000001 | LIMIT 10",
    "FROM my-index-000001,cluster_one:my-index-000001,cluster_two:my-index-000001 "
    "METADATA _index | LIMIT 10",
    "FROM *:my-index-000001 METADATA _index | KEEP _index, user.id | LIMIT 10",
    "FROM my-index-000001 | STATS n = COUNT(*)",
    """FROM my-index-000001,cluster_one:my-index-000001 METADATA _index
| ENRICH hosts ON ip
| LIMIT 10""",
    """FROM cluster_one:my-index-000001,cluster_two:my-index-000001 METADATA _index
| LIMIT 10
| ENRICH hosts ON ip""",
    """FROM my-index-000001,cluster_one:my-index-000001
| ENRICH _coordinator:hosts ON ip
| SORT host_name
| LIMIT 10""",
    """FROM my-index-000001,cluster_one:my-index-000001,cluster_two:my-index-000001 METADATA _index
| ENRICH _remote:hosts ON ip
| SORT host_name
| LIMIT 10""",
    """FROM my-index-000001,cluster_one:my-index-000001,cluster_two:my-index-000001
| ENRICH hosts ON ip
| ENRICH _coordinator:vendors ON os
| LIMIT 10""",
    """FROM my-index-000001,cluster_one:my-index-000001,cluster_two:my-index-000001
| ENRICH _coordinator:hosts ON ip
| ENRICH _remote:vendors ON os
| LIMIT 10""",
    "FROM my-index-000001,cluster_three:my-index-000001 | ENRICH hosts ON ip",
    "FROM my-index-000001,cluster*:my-index-000001,-cluster_three:* METADATA _index | LIMIT 10",
    "FROM my-index-000001,cluster*:my-index-*,cluster_three:-my-index-000001 "
    "METADATA _index | KEEP _index, user.id | LIMIT 10",
    "FROM my-index-000001,cluster_one:nope | LIMIT 10",
    "FROM my-index-000001,cluster_two:nothing* | LIMIT 10",
    "FROM cluster_one:nope*,cluster_two:nope | LIMIT 10",
    "FROM my-index-000001,*:my-index-000001 | STATS c = COUNT(*), "
    "a = AVG(http.response.status_code), newest = MAX(@timestamp) BY user.id | SORT user.id",
    "FROM my-index-000001,*:my-index-* | SORT http.response.status_code DESC NULLS LAST "
    "| KEEP user.id, http.response.status_code | LIMIT 3",
    "FROM *:my-index-000001 | STATS md = MEDIAN(http.response.status_code), "
    "cd = COUNT_DISTINCT(ip), v = VALUES(user.id)",
    "FROM my-index-000001,cluster_one:my-index-000001 | KEEP user.id",
    "FROM my-index-000001,cluster_one:my-index-000001 | KEEP nope",
]


@dataclass
class SpecOverHttp:
    embedded: Registry
    remote: Registry


@pytest.fixture(scope="module")
def spec_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SpecOverHttp]:
    world = build_world(tmp_path_factory.mktemp("spec-http"))
    with ThreadPoolExecutor(len(REMOTES)) as pool:
        started = pool.map(start_node, [world.paths[a] for a in REMOTES])
        nodes = dict(zip(REMOTES, started, strict=True))
    config = world.config()
    served = {
        alias: ClusterSpec(alias=alias, type="elasticsearch", hosts=(node.url,), timeout=30.0)
        for alias, node in nodes.items()
    }
    remote_config = Config(config.local, {**config.clusters, **served}, None)
    try:
        with world.registry() as embedded, Registry.from_config(remote_config) as remote:
            assert all(remote.clusters[a].kind == "elasticsearch" for a in REMOTES)
            yield SpecOverHttp(embedded, remote)
    finally:
        for node in nodes.values():
            node.stop()


def federated_outcome(registry: Registry, text: str) -> tuple[Any, ...]:
    """What a query gives, but for timings."""
    try:
        result = run_federated(text, registry, include_ccs_metadata=True)
    except EsqlError as err:
        return ("error", err.type, err.reason, err.status)
    values = to_es_values(result)
    if "SORT" not in text:  # unsorted rows: the same set, in whatever order
        values = sorted(values, key=repr)
    clusters = result.clusters_json()
    if clusters is not None:
        for entry in clusters["details"].values():
            entry.pop("took", None)
    columns = [(c.name, c.type) for c in result.columns]
    return ("ok", columns, values, result.warnings, result.is_partial, clusters)


@pytest.mark.parametrize("text", SPEC_EXAMPLES)
def test_spec_examples_over_http_equal_the_embedded_run(
    spec_world: SpecOverHttp, text: str
) -> None:
    want = federated_outcome(spec_world.embedded, text)
    got = federated_outcome(spec_world.remote, text)
    assert got == want


# --- auth and TLS ---------------------------------------------------------------------------

API_KEY = base64.b64encode(b"esqlsh-test:Zq8-remote-secret").decode()


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("pki")
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    paths = {"ca": root / "ca.pem", "cert": root / "cert.pem", "key": root / "key.pem"}
    ca.cert_pem.write_to_path(str(paths["ca"]))
    cert.cert_chain_pems[0].write_to_path(str(paths["cert"]))
    cert.private_key_pem.write_to_path(str(paths["key"]))
    return paths


@pytest.fixture(scope="module")
def secured(cluster_dir: Path, pki: dict[str, Path]) -> Iterator[Node]:
    node = start_node(cluster_dir, api_keys=(API_KEY,), tls=(pki["cert"], pki["key"]))
    try:
        yield node
    finally:
        node.stop()


def test_api_key_over_tls_with_the_test_ca(
    secured: Node, pki: dict[str, Path], embedded: EmbeddedCluster
) -> None:
    assert secured.url.startswith("https://")
    cluster = ElasticsearchCluster(spec(secured.url, api_key=Secret(API_KEY), ca_certs=pki["ca"]))
    text = "FROM people | SORT name | KEEP name, age | LIMIT 3"
    try:
        assert cluster.catalog().resolve("people") == ["people"]
        assert_same_answer(
            cluster.run(fragment(text), threading.Event()), in_process(embedded, text)
        )
        assert cluster.describe() == f"{secured.url} (api_key)"
    finally:
        cluster.close()


def test_wrong_api_key_is_elasticsearchs_401(secured: Node, pki: dict[str, Path]) -> None:
    wrong = base64.b64encode(b"esqlsh-test:not-it").decode()
    cluster = ElasticsearchCluster(spec(secured.url, api_key=Secret(wrong), ca_certs=pki["ca"]))
    try:
        with pytest.raises(RemoteError) as caught:
            cluster.catalog()
    finally:
        cluster.close()
    assert caught.value.type == "security_exception"
    assert caught.value.status == 401
    assert caught.value.reason == (
        "unable to authenticate with provided credentials and anonymous access is not "
        "allowed for this request"
    )
    assert wrong not in json.dumps(caught.value.to_es())


def test_untrusted_certificate_is_unavailable(secured: Node) -> None:
    cluster = ElasticsearchCluster(spec(secured.url, api_key=Secret(API_KEY)))
    try:
        with pytest.raises(ClusterUnavailableError) as caught:
            cluster.catalog()
    finally:
        cluster.close()
    assert str(caught.value).startswith(f"[127.0.0.1:{secured.port}] TLS handshake failed")


def test_verify_certs_false_accepts_any_certificate(secured: Node) -> None:
    cluster = ElasticsearchCluster(spec(secured.url, api_key=Secret(API_KEY), verify_certs=False))
    try:
        with pytest.warns(Warning):  # urllib3 says the request is unverified
            assert cluster.catalog().resolve("folks") == ["people"]
    finally:
        cluster.close()
