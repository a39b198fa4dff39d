"""The fan-out's mechanics: concurrency, timeouts, cancellation, progress, failures
during the query (partial / skipped / the query's error), the exchange, params,
warnings, ``--explain`` and ``--server-side``; and the O(groups) size of what each
cluster returns for a STATS (in process and over real HTTP nodes)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from esqlsh.analysis.types import DataType as T
from esqlsh.clusters.base import EnrichPolicy
from esqlsh.clusters.config import ClusterSpec, Config
from esqlsh.clusters.ingest import load_index
from esqlsh.clusters.registry import Cluster, FragmentResult, Registry
from esqlsh.clusters.workers import DaemonWorkers
from esqlsh.coordinator import run_federated
from esqlsh.coordinator.clusters_info import ClusterInfo
from esqlsh.coordinator.concurrent import ClusterTimeout, ask_all
from esqlsh.coordinator.enrich_check import check_enrich_policies, required_clusters
from esqlsh.coordinator.exchange import ExchangeStorage, merge_frames
from esqlsh.coordinator.fanout import explain_federated
from esqlsh.coordinator.local import single_cluster_registry
from esqlsh.coordinator.passthrough import run_server_side
from esqlsh.errors import (
    ClusterUnavailableError,
    EsqlError,
    IllegalArgumentError,
    RemoteError,
    VerificationError,
)
from esqlsh.plan.logical import Attribute
from esqlsh.render.values import to_es_values
from esqlsh.syntax.parser import parse

from .ccs_fixtures import LOCAL, SpecWorld, build_world

# ------------------------------------------------------------------ a cluster to script

Run = Callable[[Any, threading.Event], FragmentResult]


class Scripted:
    """A real cluster whose ``run`` is replaced by ``script`` (or recorded)."""

    def __init__(self, inner: Cluster, script: Run | None = None, **overrides: Any):
        self.inner = inner
        self.alias = inner.alias
        self.kind = inner.kind
        self.skip_unavailable = overrides.get("skip_unavailable", inner.skip_unavailable)
        self.timeout = overrides.get("timeout", inner.timeout)
        self.script = script
        self.fragments: list[Any] = []
        self.results: list[FragmentResult] = []
        self.stops: list[threading.Event] = []
        self.storage = getattr(inner, "storage", None)

    def catalog(self) -> Any:
        return self.inner.catalog()

    def run(self, fragment: Any, cancel: threading.Event) -> FragmentResult:
        self.fragments.append(fragment)
        self.stops.append(cancel)
        if self.script is not None:
            return self.script(fragment, cancel)
        result = self.inner.run(fragment, cancel)
        self.results.append(result)
        return result

    def describe(self) -> str:
        return self.inner.describe()

    def close(self) -> None:
        self.inner.close()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> SpecWorld:
    return build_world(tmp_path_factory.mktemp("fanout"))


def scripted(
    world: SpecWorld, scripts: dict[str, Scripted | Run | None], **config: Any
) -> Registry:
    base = Registry.from_config(world.config(**config))
    clusters: dict[str, Any] = {}
    for alias, cluster in base.clusters.items():
        script = scripts.get(alias)
        clusters[alias] = script if isinstance(script, Scripted) else Scripted(cluster, script)
    return Registry(base.local, clusters)


def raises(error: BaseException) -> Run:
    def run(fragment: Any, cancel: threading.Event) -> FragmentResult:
        raise error

    return run


TWO = "FROM my-index-000001,cluster_one:my-index-000001 | STATS n = COUNT(*)"
THREE = (
    "FROM my-index-000001,cluster_one:my-index-000001,cluster_two:my-index-000001 "
    "| STATS n = COUNT(*)"
)


def clusters(result: Any) -> dict[str, Any]:
    return dict(result.clusters_json()["details"])


# ------------------------------------------------------------------ failures while running


@pytest.mark.parametrize(("data_received", "status"), [(False, "skipped"), (True, "partial")])
def test_unavailable_while_running(world: SpecWorld, data_received: bool, status: str) -> None:
    error = ClusterUnavailableError(
        "connection dropped", alias="cluster_one", data_received=data_received
    )
    reg = scripted(world, {"cluster_one": raises(error)})
    result = run_federated(TWO, reg)
    assert to_es_values(result) == [[2]]
    entry = clusters(result)["cluster_one"]
    assert entry["status"] == status
    assert entry["failures"][0]["reason"] == {
        "type": "connect_transport_exception",
        "reason": "Remote cluster [cluster_one] (with setting skip_unavailable=true) is not available",
    }
    assert result.is_partial and result.shows_clusters


@pytest.mark.parametrize(("data_received", "status"), [(False, "skipped"), (True, "partial")])
def test_remote_error_while_running(world: SpecWorld, data_received: bool, status: str) -> None:
    error = RemoteError(
        "boom", alias="cluster_one", type="illegal_state_exception", data_received=data_received
    )
    reg = scripted(world, {"cluster_one": raises(error)})
    result = run_federated(TWO, reg)
    entry = clusters(result)["cluster_one"]
    assert entry["status"] == status
    assert entry["failures"] == [
        {
            "shard": -1,
            "index": None,
            "reason": {"type": "illegal_state_exception", "reason": "boom"},
        }
    ]


def test_remote_error_without_skip_is_the_querys_error(world: SpecWorld) -> None:
    error = RemoteError("line 1:1: nope", alias="cluster_one", type="parsing_exception", status=400)
    reg = scripted(world, {"cluster_one": raises(error)}, skip={"cluster_one": False})
    with pytest.raises(RemoteError) as err:
        run_federated(TWO, reg)
    assert (err.value.type, err.value.status, str(err.value)) == (
        "parsing_exception",
        400,
        "line 1:1: nope",
    )


def test_unavailable_without_skip_fails_with_elasticsearchs_text(world: SpecWorld) -> None:
    error = ClusterUnavailableError("refused", alias="cluster_one", data_received=True)
    reg = scripted(world, {"cluster_one": raises(error)}, skip={"cluster_one": False})
    with pytest.raises(ClusterUnavailableError) as err:
        run_federated(TWO, reg)
    assert str(err.value) == (
        "Remote cluster [cluster_one] (with setting skip_unavailable=false) is not available"
    )


def test_a_failing_local_cluster_fails_the_query(world: SpecWorld) -> None:
    error = RemoteError("bad", alias=LOCAL, type="illegal_state_exception")
    reg = scripted(world, {LOCAL: raises(error)})
    with pytest.raises(RemoteError):
        run_federated(TWO, reg)


def test_an_internal_error_is_not_hidden_as_a_skip(world: SpecWorld) -> None:
    reg = scripted(world, {"cluster_one": raises(ZeroDivisionError("bug"))})
    with pytest.raises(ZeroDivisionError):
        run_federated(TWO, reg)


# ------------------------------------------------------------------ time and cancellation


def blocks_until_stopped(fragment: Any, cancel: threading.Event) -> FragmentResult:
    cancel.wait(10)
    raise ClusterUnavailableError("stopped", alias="x")


def test_a_cluster_past_its_timeout_is_skipped_and_told_to_stop(world: SpecWorld) -> None:
    base = Registry.from_config(world.config())
    slow = Scripted(base.clusters["cluster_one"], blocks_until_stopped, timeout=0.3)
    reg = scripted(world, {"cluster_one": slow})
    started = time.monotonic()
    result = run_federated(TWO, reg)
    assert time.monotonic() - started < 5  # generous: the point is it did not wait 10 s
    assert clusters(result)["cluster_one"]["status"] == "skipped"
    assert slow.stops[0].is_set()
    assert to_es_values(result) == [[2]]


def test_cancel_from_another_thread_stops_every_cluster(world: SpecWorld) -> None:
    reg = scripted(
        world, {"cluster_one": blocks_until_stopped, "cluster_two": blocks_until_stopped}
    )
    cancel = threading.Event()
    threading.Timer(0.2, cancel.set).start()
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        run_federated(THREE, reg, cancel=cancel)
    assert time.monotonic() - started < 5
    for alias in ("cluster_one", "cluster_two"):
        cluster = reg.clusters[alias]
        assert isinstance(cluster, Scripted) and cluster.stops[0].is_set()


def test_fragments_run_concurrently(world: SpecWorld) -> None:
    """Each fragment waits for the other two: only concurrent runs get through."""
    barrier = threading.Barrier(3, timeout=10)
    base = Registry.from_config(world.config())

    def meet(alias: str) -> Scripted:
        inner = base.clusters[alias]

        def run(fragment: Any, cancel: threading.Event) -> FragmentResult:
            barrier.wait()
            return inner.run(fragment, cancel)

        return Scripted(inner, run)

    reg = scripted(world, {a: meet(a) for a in (LOCAL, "cluster_one", "cluster_two")})
    result = run_federated(THREE, reg)
    assert to_es_values(result) == [[6]]
    assert not barrier.broken


def test_ask_all_reports_timeouts_and_outcomes() -> None:
    def fast(stop: threading.Event) -> int:
        return 1

    def slow(stop: threading.Event) -> int:
        stop.wait(5)
        return 2

    seen: list[str] = []
    outcomes = ask_all(
        {"a": fast, "b": slow},
        {"a": 5.0, "b": 0.1},
        threading.Event(),
        lambda alias, _: seen.append(alias),
    )
    assert outcomes["a"].value == 1
    assert isinstance(outcomes["b"].error, ClusterTimeout)
    assert sorted(seen) == ["a", "b"]


def _workers_named(prefix: str) -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith(prefix)]


def test_daemon_workers_never_wait_and_are_reused() -> None:
    workers = DaemonWorkers("test-workers", idle_seconds=0.3)
    hang, done = threading.Event(), threading.Event()
    names: list[str] = []
    started = time.monotonic()
    workers.submit(lambda: hang.wait(10), "test-workers-hung")
    workers.submit(lambda: (names.append(threading.current_thread().name), done.set()), "w2")
    assert done.wait(5), "a job held by another one"
    assert time.monotonic() - started < 1
    assert names == ["w2"]
    hung = _workers_named("test-workers-hung")
    assert len(hung) == 1 and hung[0].daemon
    # The finished thread waits for the next job: no new thread for it.
    time.sleep(0.05)
    count = len(_workers_named("test-workers"))
    again = threading.Event()
    workers.submit(again.set, "test-workers-again")
    assert again.wait(5)
    assert len(_workers_named("test-workers")) == count
    hang.set()
    # Idle past idle_seconds, the threads end.
    deadline = time.monotonic() + 5
    while _workers_named("test-workers") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _workers_named("test-workers")


def test_daemon_workers_survive_a_failing_job() -> None:
    workers = DaemonWorkers("test-failing", idle_seconds=0.2)
    ran = threading.Event()

    def fail() -> None:
        raise RuntimeError("boom")

    workers.submit(fail, "test-failing-1")
    time.sleep(0.05)
    workers.submit(ran.set, "test-failing-2")
    assert ran.wait(5)


def test_progress_sees_running_then_final_statuses(world: SpecWorld) -> None:
    seen: list[ClusterInfo] = []
    with world.registry() as reg:
        run_federated(THREE, reg, progress=seen.append)
    by_alias: dict[str, list[str]] = {}
    for entry in seen:
        by_alias.setdefault(entry.alias, []).append(entry.status)
    assert by_alias == {a: ["running", "successful"] for a in (LOCAL, "cluster_one", "cluster_two")}


# ------------------------------------------------------------------ what fragments get


def test_params_and_now_reach_every_fragment(world: SpecWorld) -> None:
    reg = scripted(world, {})
    text = (
        "FROM my-index-000001,cluster_one:my-index-000001 | WHERE user.id == ?user "
        "| EVAL t = NOW() | STATS n = COUNT(*) BY t"
    )
    result = run_federated(text, reg, {"user": "elkbee"}, now_millis=86_400_000)
    assert to_es_values(result) == [[3, "1970-01-02T00:00:00.000Z"]]
    for alias in (LOCAL, "cluster_one"):
        cluster = reg.clusters[alias]
        assert isinstance(cluster, Scripted)
        assert cluster.fragments[0].params == {"user": "elkbee"}
        assert cluster.fragments[0].now_millis == 86_400_000


def test_fields_a_cluster_lacks_are_typed_nulls(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    (tmp_path / "a.ndjson").write_text('{"k": "x", "v": 1}\n')
    (tmp_path / "b.ndjson").write_text('{"k": "y"}\n')
    load_index(
        a,
        "idx",
        tmp_path / "a.ndjson",
        mapping={"properties": {"k": {"type": "keyword"}, "v": {"type": "long"}}},
    )
    load_index(b, "idx", tmp_path / "b.ndjson", mapping={"properties": {"k": {"type": "keyword"}}})
    specs = {
        "a": ClusterSpec(alias="a", type="embedded", path=a),
        "b": ClusterSpec(alias="b", type="embedded", path=b),
    }
    with Registry.from_config(Config(None, specs, None)) as reg:
        result = run_federated("FROM a:idx,b:idx | SORT k | KEEP k, v", reg)
    assert to_es_values(result) == [["x", 1], ["y", None]]
    assert [(c.name, c.type) for c in result.columns] == [("k", T.KEYWORD), ("v", T.LONG)]


def test_fragment_warnings_are_kept_once(world: SpecWorld) -> None:
    text = (
        "FROM my-index-000001,cluster_one:my-index-000001 "
        '| EVAL n = TO_INTEGER("x") | STATS c = COUNT(n)'
    )
    with world.registry() as reg:
        result = run_federated(text, reg)
    assert to_es_values(result) == [[0]]
    assert result.warnings.count("No limit defined, adding default limit of [1000]") == 1
    conversions = [w for w in result.warnings if "evaluation of" in w]
    assert len(conversions) == 1, result.warnings


# ------------------------------------------------------------------ the exchange


def test_merge_aligns_types_lists_and_missing_columns() -> None:
    columns = (Attribute("k", T.KEYWORD), Attribute("n", T.LONG), Attribute("d", T.DATETIME))
    one = pl.DataFrame({"k": ["a"], "n": pl.Series([1], dtype=pl.Int32)})
    two = pl.DataFrame({"k": [["b", "c"]], "n": [None], "d": pl.Series([0], dtype=pl.Int64)})
    merged = merge_frames(columns, [one, two])
    expected: dict[str, pl.DataType] = {
        "k": pl.List(pl.String),
        "n": pl.Int64(),
        "d": pl.Datetime("ms", "UTC"),
    }
    assert dict(merged.schema) == expected
    assert merged["k"].to_list() == [["a"], ["b", "c"]]
    assert merged["n"].to_list() == [1, None]
    assert merge_frames(columns, []).height == 0


def test_exchange_storage_serves_the_exchange_and_delegates_the_rest(world: SpecWorld) -> None:
    from esqlsh.clusters.embedded import EmbeddedCluster

    local = EmbeddedCluster(world.paths[LOCAL])
    frame = pl.DataFrame({"x": [1, 2]})
    storage = ExchangeStorage("$exchange", (Attribute("x", T.INTEGER),), frame, local)
    assert storage.resolve("$exchange,hosts") == ["$exchange", "hosts"]
    info = storage.index("$exchange")
    assert info is not None and info.fields == {"x": T.INTEGER}
    assert storage.index("hosts") == local.index("hosts")
    assert set(storage.policies()) == {"hosts", "vendors"}
    assert storage.scan("$exchange", ["x"]).collect()["x"].to_list() == [1, 2]
    assert storage.scan("hosts", ["ip"]).collect().height == 4


# ------------------------------------------------------------------ enrich policy checks


def test_required_clusters_per_mode() -> None:
    assert required_clusters("_any", ["c1"], False) == [None, "c1"]
    assert required_clusters("_coordinator", ["c1"], True) == [None]
    assert required_clusters("_remote", ["c1"], False) == ["c1"]
    assert required_clusters("_remote", ["c1"], True) == [None, "c1"]


def test_missing_policy_lists_local_first_then_sorted_aliases() -> None:
    query = parse("FROM a:x | ENRICH p ON f")
    with pytest.raises(VerificationError) as err:
        check_enrich_policies(query, {None: {}, "zed": {}, "abe": {}}, ["zed", "abe"], False)
    assert str(err.value) == (
        "Found 1 problem\nline 1:19: cannot find enrich policy [p] on clusters [_local, abe, zed]"
    )


def test_policies_with_different_enrich_fields() -> None:
    a = EnrichPolicy("p", "match", ("i",), "f", ("x", "y"))
    b = EnrichPolicy("p", "match", ("i",), "f", ("x", "z"))
    with pytest.raises(VerificationError) as err:
        check_enrich_policies(
            parse("FROM c:x | ENRICH p"), {None: {"p": a}, "c": {"p": b}}, ["c"], False
        )
    assert str(err.value).endswith(
        "enrich policy [p] has different enrich fields across clusters; "
        "these fields are missing in some policies: [y, z]"
    )


def test_policies_with_different_types() -> None:
    a = EnrichPolicy("p", "match", ("i",), "f", ("x",))
    b = EnrichPolicy("p", "range", ("i",), "f", ("x",))
    with pytest.raises(VerificationError) as err:
        check_enrich_policies(
            parse("FROM c:x | ENRICH p"), {None: {"p": a}, "c": {"p": b}}, ["c"], False
        )
    assert str(err.value).endswith(
        "enrich policy [p] has different match types [match, range] across clusters"
    )


# ------------------------------------------------------------------ explain and pass-through


def test_explain_shows_fragments_coordinator_and_what_will_not_run(world: SpecWorld) -> None:
    text = "FROM my-index-000001,cluster_one:my-index-000001,cluster_two:nope* | STATS n = COUNT(*)"
    reg = scripted(world, {})
    out = explain_federated(text, reg)
    assert "fragment querying" in out and "fragment cluster_one" in out
    assert "coordinator (stats):" in out
    assert "not run:\n  cluster_two: successful" in out
    for cluster in reg.clusters.values():
        assert isinstance(cluster, Scripted) and not cluster.fragments  # nothing ran


def test_explain_of_a_single_cluster_query(world: SpecWorld) -> None:
    from esqlsh.clusters.embedded import EmbeddedCluster

    registry = single_cluster_registry(EmbeddedCluster(world.paths[LOCAL]))
    out = explain_federated("FROM my-index-000001 | LIMIT 1", registry)
    assert out.startswith("single cluster [local] runs the whole query:\n")
    assert "Relation" in out or "my-index-000001" in out


class FakeElasticsearch:
    """An elasticsearch ``Cluster`` answering pass-through queries from a script."""

    kind = "elasticsearch"
    alias = "es"
    skip_unavailable = True
    timeout = 5.0

    def __init__(self, body: dict[str, Any], warnings: list[str]):
        self.body, self.warnings = body, warnings
        self.sent: list[tuple[str, Any]] = []

    def run_query_passthrough(
        self, text: str, params: Any, cancel: threading.Event
    ) -> tuple[dict[str, Any], list[str]]:
        self.sent.append((text, params))
        return self.body, self.warnings

    def close(self) -> None:
        pass


SERVER_BODY = {
    "took": 42,
    "is_partial": True,
    "columns": [{"name": "n", "type": "long"}, {"name": "user.id", "type": "keyword"}],
    "values": [[4, "elkbee"]],
    "_clusters": {
        "total": 2,
        "successful": 1,
        "running": 0,
        "skipped": 1,
        "partial": 0,
        "failed": 0,
        "details": {
            "(local)": {
                "status": "successful",
                "indices": "logs",
                "took": 40,
                "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0},
            },
            "far": {
                "status": "skipped",
                "indices": "logs",
                "took": 0,
                "_shards": {"total": 0, "successful": 0, "skipped": 0, "failed": 0},
                "failures": [{"shard": -1, "index": None, "reason": {"type": "t", "reason": "r"}}],
            },
        },
    },
}


def test_server_side_renders_the_clusters_answer(world: SpecWorld) -> None:
    es = FakeElasticsearch(SERVER_BODY, ["a warning", "a warning"])
    reg = scripted(world, {})
    reg.clusters["es"] = es  # type: ignore[assignment]
    result = run_server_side(
        "FROM logs,far:logs | STATS n = COUNT(*) BY user.id", reg, "es", {"x": 1}
    )
    assert es.sent == [("FROM logs,far:logs | STATS n = COUNT(*) BY user.id", {"x": 1})]
    assert to_es_values(result) == [[4, "elkbee"]]
    assert (result.took_ms, result.is_partial, result.warnings) == (42, True, ["a warning"])
    assert result.clusters_json() == SERVER_BODY["_clusters"]
    assert result.shows_clusters


def test_server_side_needs_an_elasticsearch_cluster(world: SpecWorld) -> None:
    reg = scripted(world, {})
    with pytest.raises(IllegalArgumentError, match="is not an elasticsearch cluster"):
        run_server_side("FROM x", reg, "cluster_one")
    with pytest.raises(IllegalArgumentError, match=r"no cluster \[nowhere\]"):
        run_server_side("FROM x", reg, "nowhere")


# ------------------------------------------------------------------ O(groups), not O(rows)

GROUPS = 5
SIZES = {"small": 200, "big": 20_000}
STATS = "FROM c1:{index},c2:{index},c3:{index} | STATS c = COUNT(*), a = AVG(x) BY k"


def _stats_clusters(root: Path) -> dict[str, Path]:
    """Three clusters, each with ``small`` (200 rows) and ``big`` (20000 rows) over
    the same 5 groups."""
    paths = {}
    for alias in ("c1", "c2", "c3"):
        path = root / alias
        for index, rows in SIZES.items():
            source = root / f"{alias}-{index}.parquet"
            pl.DataFrame(
                {"k": [f"g{i % GROUPS}" for i in range(rows)], "x": list(range(rows))}
            ).write_parquet(source)
            mapping = {"properties": {"k": {"type": "keyword"}, "x": {"type": "long"}}}
            load_index(path, index, source, mapping=mapping)
        paths[alias] = path
    return paths


@pytest.fixture(scope="module")
def stats_clusters(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return _stats_clusters(tmp_path_factory.mktemp("stats"))


def _recorded(registry: Registry) -> Registry:
    return Registry(None, {a: Scripted(c) for a, c in registry.clusters.items()})


def _expected(rows: int) -> list[list[Any]]:
    per_group = rows // GROUPS
    out = []
    for g in range(GROUPS):
        xs = [x for x in range(rows) if x % GROUPS == g]
        out.append([3 * per_group, sum(xs) / len(xs), f"g{g}"])
    return out


def test_stats_over_embedded_clusters_returns_one_row_per_group(
    stats_clusters: dict[str, Path],
) -> None:
    specs = {a: ClusterSpec(alias=a, type="embedded", path=p) for a, p in stats_clusters.items()}
    sizes: dict[str, list[float]] = {}
    for index, rows in SIZES.items():
        with Registry.from_config(Config(None, specs, None)) as base:
            reg = _recorded(base)
            result = run_federated(STATS.format(index=index), reg)
        assert sorted(to_es_values(result), key=lambda r: r[2]) == _expected(rows)
        for cluster in reg.clusters.values():
            assert isinstance(cluster, Scripted)
            (fragment_result,) = cluster.results
            assert fragment_result.frame.height == GROUPS
            sizes.setdefault(index, []).append(fragment_result.frame.estimated_size())
    # 100 times the rows, the same size: what travels is per group.
    assert sizes["big"] == sizes["small"]


@pytest.fixture(scope="module")
def stats_nodes(stats_clusters: dict[str, Path]) -> Iterator[dict[str, str]]:
    from tests.servers import start_node

    nodes = []
    try:
        for alias, path in stats_clusters.items():
            nodes.append((alias, start_node(path)))
        yield {alias: node.url for alias, node in nodes}
    finally:
        for _, node in nodes:
            node.stop()


def _http_registry(urls: dict[str, str]) -> Registry:
    specs = {
        a: ClusterSpec(alias=a, type="elasticsearch", hosts=(url,), timeout=30.0)
        for a, url in urls.items()
    }
    return _recorded(Registry.from_config(Config(None, specs, None)))


def test_stats_over_http_receives_bytes_per_group_not_per_row(
    stats_nodes: dict[str, str],
) -> None:
    received: dict[str, list[int]] = {}
    for index, rows in SIZES.items():
        reg = _http_registry(stats_nodes)
        try:
            result = run_federated(STATS.format(index=index), reg)
        finally:
            for cluster in reg.clusters.values():
                cluster.close()
        assert sorted(to_es_values(result), key=lambda r: r[2]) == _expected(rows)
        for cluster in reg.clusters.values():
            assert isinstance(cluster, Scripted)
            (fragment_result,) = cluster.results
            assert fragment_result.frame.height == GROUPS
            assert fragment_result.bytes_received > 0
            received.setdefault(index, []).append(fragment_result.bytes_received)
    # 100 times the rows: about the same bytes (numbers get a few digits longer).
    for small, big in zip(received["small"], received["big"], strict=True):
        assert big < small * 1.5, received
    # What shipping the rows themselves would cost, for scale.
    reg = _http_registry(stats_nodes)
    try:
        run_federated("FROM c1:big,c2:big,c3:big | KEEP k, x | LIMIT 10000", reg)
        shipped = [
            c.results[0].bytes_received for c in reg.clusters.values() if isinstance(c, Scripted)
        ]
    finally:
        for cluster in reg.clusters.values():
            cluster.close()
    assert min(shipped) > 10 * max(received["big"])


def test_unknown_error_types_still_report(world: SpecWorld) -> None:
    class Odd(EsqlError):
        type = "odd_exception"

    reg = scripted(world, {"cluster_one": raises(Odd("strange"))})
    result = run_federated(TWO, reg)
    assert clusters(result)["cluster_one"]["failures"][0]["reason"] == {
        "type": "odd_exception",
        "reason": "strange",
    }
