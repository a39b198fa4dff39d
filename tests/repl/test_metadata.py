"""MetadataCache: background loading per cluster, never blocking, refresh, and the
columns of a field scope (unions across clusters, steps of the pipe)."""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from pathlib import Path

import pytest

from esqlsh.analysis.types import DataType
from esqlsh.clusters.base import EnrichPolicy, IndexInfo
from esqlsh.clusters.config import ClusterSpec, Config
from esqlsh.clusters.ingest import load_index
from esqlsh.clusters.registry import Registry
from esqlsh.clusters.resolve import resolve_indices as resolve_expression
from esqlsh.errors import ClusterUnavailableError
from esqlsh.repl.completion.metadata import ClusterSnapshot, MetadataCache, build_snapshot
from esqlsh.repl.completion.suggest import (
    AddFields,
    AddLookupFields,
    AddPolicyFields,
    DropFields,
    FieldScope,
    KeepFields,
    NewField,
    RenameFields,
    ReplaceFields,
    Source,
)

K, L, IP = DataType.KEYWORD, DataType.LONG, DataType.IP

# ------------------------------------------------------------------ stand-ins


class FakeCatalog:
    """An in-memory ``Catalog``: indices (IndexInfo) and policies."""

    def __init__(
        self,
        name: str,
        indices: Mapping[str, IndexInfo] | None = None,
        policies: Mapping[str, EnrichPolicy] | None = None,
    ):
        self.name = name
        self.indices = dict(indices or {})
        self._policies = dict(policies or {})
        self.index_calls = 0

    def resolve(self, expression: str) -> list[str]:
        aliases: dict[str, list[str]] = {}
        for info in self.indices.values():
            for a in info.aliases:
                aliases.setdefault(a, []).append(info.name)
        return resolve_expression(expression, dict.fromkeys(self.indices, False), aliases)

    def index(self, name: str) -> IndexInfo | None:
        self.index_calls += 1
        return self.indices.get(name)

    def policies(self) -> dict[str, EnrichPolicy]:
        return dict(self._policies)


class FakeCluster:
    """A ``Cluster`` whose ``catalog()`` can wait on ``gate`` or fail."""

    kind = "embedded"
    skip_unavailable = True
    timeout = 30.0

    def __init__(
        self,
        alias: str,
        catalog: FakeCatalog,
        *,
        gate: threading.Event | None = None,
        fail: str | None = None,
    ):
        self.alias = alias
        self._catalog = catalog
        self.gate = gate
        self.fail = fail
        self.calls = 0

    def catalog(self) -> FakeCatalog:
        self.calls += 1
        if self.gate is not None:
            self.gate.wait(10)
        if self.fail is not None:
            raise ClusterUnavailableError(self.fail, alias=self.alias)
        return self._catalog

    def describe(self) -> str:
        return f"memory://{self.alias}"

    def close(self) -> None:
        pass


class FakeRegistry:
    def __init__(self, local: str | None, clusters: Mapping[str, FakeCluster]):
        self.local = local
        self.clusters = dict(clusters)

    def remotes(self) -> list[str]:
        return [a for a in self.clusters if a != self.local]


def info(
    name: str, fields: dict[str, DataType], mode: str = "standard", aliases: tuple[str, ...] = ()
) -> IndexInfo:
    return IndexInfo(name, fields, mode, aliases)


def catalog_of(
    name: str, *infos: IndexInfo, policies: Mapping[str, EnrichPolicy] | None = None
) -> FakeCatalog:
    return FakeCatalog(name, {i.name: i for i in infos}, policies)


HOSTS = EnrichPolicy("hosts", "match", ("hosts",), "ip", ("host_name", "os"))


def world() -> FakeRegistry:
    """local: logs-1 (a long x), logs-2 (x keyword: a conflict), hosts + policy,
    a lookup index; c1: logs-1 (with y); c2: logs-1 (with z), other."""
    local = catalog_of(
        "local",
        info("logs-1", {"msg": K, "x": L, "ip": IP}, aliases=("logs",)),
        info("logs-2", {"msg": K, "x": K, "ip": IP}, aliases=("logs",)),
        info("hosts", {"ip": IP, "host_name": K, "os": K}),
        info("lk", {"ip": IP, "owner": K}, mode="lookup"),
        policies={"hosts": HOSTS},
    )
    c1 = catalog_of("c1", info("logs-1", {"msg": K, "y": L}))
    c2 = catalog_of("c2", info("logs-1", {"msg": K, "z": L}), info("other", {"w": K}))
    return FakeRegistry(
        "local",
        {
            "local": FakeCluster("local", local),
            "c1": FakeCluster("c1", c1),
            "c2": FakeCluster("c2", c2),
        },
    )


@pytest.fixture
def cache() -> MetadataCache:
    metadata = MetadataCache(world())
    assert metadata.wait(10)
    return metadata


def names(index: object) -> list[str]:
    return list(getattr(index, "names", []))


def columns(cache: MetadataCache, scope: FieldScope) -> dict[str, str]:
    index = cache.fields(scope)
    return dict(zip(index.names, index.metas, strict=True))


# ---------------------------------------------------------------- loading


def test_loads_every_cluster_in_the_background(cache: MetadataCache) -> None:
    states = cache.states()
    assert {a: s.status for a, s in states.items()} == {
        "local": "ready",
        "c1": "ready",
        "c2": "ready",
    }
    assert states["local"].indices == 4
    assert names(cache.indices(None)) == ["hosts", "lk", "logs", "logs-1", "logs-2"]
    assert names(cache.indices("c2")) == ["logs-1", "other"]
    assert names(cache.lookup_indices()) == ["lk"]
    assert list(cache.policies(None)) == ["hosts"]
    assert cache.remote_aliases() == ["c1", "c2"]
    assert cache.local_alias() == "local"


def test_lookups_never_wait_for_a_slow_cluster() -> None:
    gate = threading.Event()
    registry = world()
    registry.clusters["c1"].gate = gate
    started = time.monotonic()
    cache = MetadataCache(registry)
    try:
        assert time.monotonic() - started < 0.5  # the constructor does not wait
        deadline = time.monotonic() + 5
        while cache.states()["local"].status != "ready" and time.monotonic() < deadline:
            time.sleep(0.01)
        began = time.monotonic()
        assert cache.indices("c1") is None  # still loading: nothing yet
        scope = FieldScope((Source("logs-1"), Source("logs-1", "c1")))
        assert set(columns(cache, scope)) == {"msg", "x", "ip"}  # c1 adds nothing yet
        assert time.monotonic() - began < 0.2
        assert cache.states()["c1"].status == "loading"
    finally:
        gate.set()
    assert cache.wait(5)
    assert names(cache.indices("c1")) == ["logs-1"]
    assert set(columns(cache, scope)) == {"msg", "x", "ip", "y"}  # memo was dropped on publish


def test_an_unreachable_cluster_is_failed_and_the_others_work() -> None:
    registry = world()
    registry.clusters["c2"].fail = "[127.0.0.1:9] connect_exception: Connection refused"
    cache = MetadataCache(registry)
    assert cache.wait(5)
    state = cache.states()["c2"]
    assert state.status == "failed"
    assert "Connection refused" in state.error
    assert cache.indices("c2") is None
    assert "failed" in cache.describe("c2")
    assert names(cache.indices("c1")) == ["logs-1"]


def test_names_are_published_before_fields() -> None:
    published: list[ClusterSnapshot] = []
    catalog = catalog_of("x", info("a", {"f": K}), info("b", {"g": L}))
    final = build_snapshot("x", catalog, published.append)
    assert len(published) == 1 and not published[0].fields_ready
    assert published[0].sorted == ["a", "b"] and published[0].schemas == []
    assert final.fields_ready and final.columns("*") == {"f": "keyword", "g": "long"}


def test_refresh_reloads_and_serves_the_old_snapshot_meanwhile() -> None:
    registry = world()
    cache = MetadataCache(registry)
    assert cache.wait(5)
    local = registry.clusters["local"]
    local._catalog.indices["new-index"] = info("new-index", {"n": K})
    gate = threading.Event()
    local.gate = gate
    cache.refresh(["local"])
    try:
        assert "new-index" not in names(cache.indices(None))  # old snapshot still serves
        assert cache.states()["local"].status == "ready"
    finally:
        gate.set()
    assert cache.wait(5)
    assert "new-index" in names(cache.indices(None))
    assert local.calls == 2 and registry.clusters["c1"].calls == 1


def test_wait_covers_a_refresh_started_after_it_began() -> None:
    registry = world()
    cache = MetadataCache(registry)
    assert cache.wait(5)
    gate = threading.Event()
    registry.clusters["c1"].gate = gate
    waited: list[bool] = []
    waiter = threading.Thread(target=lambda: waited.append(cache.wait(5)))
    waiter.start()
    cache.refresh(["c1"])  # after wait() began: it must still be waited for
    assert not cache.wait(0.05)
    gate.set()
    waiter.join(5)
    assert waited == [True]
    assert registry.clusters["c1"].calls == 2


def test_close_wakes_waiters_and_leaves_no_cluster_loading() -> None:
    gate = threading.Event()
    registry = world()
    registry.clusters["c1"].gate = gate
    seen: list[str] = []
    cache = MetadataCache(registry, on_update=seen.append)
    try:
        assert not cache.wait(0.05)  # c1 is held
        waited: list[bool] = []
        waiter = threading.Thread(target=lambda: waited.append(cache.wait(5)))
        waiter.start()
        cache.close()
        waiter.join(5)
        assert waited == [True]
        assert cache.states()["c1"].status == "closed"
        assert "closed" in cache.describe("c1")
    finally:
        gate.set()
    for thread in threading.enumerate():
        if thread.name == "esqlsh-metadata-c1":
            thread.join(5)  # c1's load ends after the close: it publishes nothing
    before, threads = len(seen), set(threading.enumerate())
    cache.refresh()  # a closed cache loads nothing
    assert set(threading.enumerate()) <= threads
    assert cache.wait(0) and len(seen) == before
    assert cache.states()["c1"].status == "closed" and cache.indices("c1") is None


def test_on_update_is_called_per_publish() -> None:
    seen: list[str] = []
    cache = MetadataCache(world(), on_update=seen.append)
    assert cache.wait(5)
    # names first, then fields: two publishes per cluster
    assert sorted(set(seen)) == ["c1", "c2", "local"] and len(seen) == 6


def test_identical_field_sets_share_one_schema() -> None:
    shared = {"a": K, "b": L}
    infos = [info(f"i{n}", shared) for n in range(500)]
    infos += [info(f"j{n}", {"a": K, "b": L}) for n in range(500)]  # equal content, other dicts
    infos.append(info("k", {"c": IP}))
    snapshot = build_snapshot("x", catalog_of("x", *infos))
    assert len(snapshot.schemas) == 2
    assert snapshot.columns("i*,j1") == {"a": "keyword", "b": "long"}
    assert snapshot.columns("*") == {"a": "keyword", "b": "long", "c": "ip"}


def test_snapshot_resolution_follows_elasticsearch() -> None:
    snapshot = build_snapshot(
        "x",
        catalog_of(
            "x",
            info("logs-a", {}, aliases=("all",)),
            info("logs-b", {}, aliases=("all",)),
            info("metrics", {}),
        ),
    )
    assert snapshot.resolve("logs-*") == ("logs-a", "logs-b")
    assert snapshot.resolve("logs-*,-logs-b") == ("logs-a",)
    assert snapshot.resolve("all") == ("logs-a", "logs-b")
    assert snapshot.resolve("*s") == ("metrics",)
    assert snapshot.resolve("-logs-a,metrics") == ("metrics",)  # no wildcard yet: a name
    assert snapshot.resolve("nope") == ()


# ---------------------------------------------------------------- scopes


def test_columns_are_the_union_across_clusters(cache: MetadataCache) -> None:
    scope = FieldScope((Source("logs-*"), Source("logs-1", "c*")))
    assert columns(cache, scope) == {
        "ip": "ip",
        "msg": "keyword",
        "x": "keyword|long",  # typed differently in two local indices
        "y": "long",
        "z": "long",
    }


def test_cluster_exclusions_and_unknown_clusters(cache: MetadataCache) -> None:
    scope = FieldScope((Source("logs-1", "*"), Source("*", "-c2")))
    assert set(columns(cache, scope)) == {"msg", "y"}
    assert columns(cache, FieldScope((Source("logs-1", "nope"),))) == {}


def test_steps_of_the_pipe(cache: MetadataCache) -> None:
    base = FieldScope((Source("logs-1"),))
    evald = base.then(AddFields((NewField("n", L), NewField("copy", None, "ip")), "EVAL"))
    assert columns(cache, evald) == {
        "copy": "ip",
        "ip": "ip",
        "msg": "keyword",
        "n": "long",
        "x": "long",
    }
    kept = evald.then(KeepFields(("m*", "n")))
    assert columns(cache, kept) == {"msg": "keyword", "n": "long"}
    dropped = evald.then(DropFields(("*p*",)))
    assert set(columns(cache, dropped)) == {"msg", "n", "x"}
    renamed = base.then(RenameFields((("msg", "message"), ("absent", "b"))))
    assert set(columns(cache, renamed)) == {"message", "x", "ip"}
    stats = base.then(ReplaceFields((NewField("c", L), NewField("msg", None, "msg"))))
    assert columns(cache, stats) == {"c": "long", "msg": "keyword"}


def test_enrich_and_lookup_join_add_their_fields(cache: MetadataCache) -> None:
    base = FieldScope((Source("logs-1"),))
    enriched = columns(cache, base.then(AddPolicyFields("hosts")))
    assert enriched["host_name"] == "keyword" and enriched["os"] == "keyword"
    renamed = columns(cache, base.then(AddPolicyFields("hosts", None, (("h", "host_name"),))))
    assert renamed["h"] == "keyword" and "os" not in renamed
    assert set(columns(cache, base.then(AddPolicyFields("nope")))) == {"msg", "x", "ip"}
    joined = columns(cache, base.then(AddLookupFields("lk")))
    assert joined["owner"] == "keyword"
    fields = cache.policy_fields("hosts", "_coordinator")
    assert dict(zip(fields.names, fields.metas, strict=True)) == {
        "host_name": "keyword",
        "os": "keyword",
    }


def test_scopes_are_memoized_until_the_next_publish(cache: MetadataCache) -> None:
    scope = FieldScope((Source("logs-*"),))
    assert cache.fields(scope) is cache.fields(scope)


# ----------------------------------------------------- real clusters, real HTTP


def _cluster_dir(root: Path, name: str, fields: dict[str, str]) -> Path:
    path = root / name
    docs = root / f"{name}.ndjson"
    docs.write_text('{"' + '": "1", "'.join(fields) + '": "1"}\n', encoding="utf-8")
    mapping = {"properties": {f: {"type": t} for f, t in fields.items()}}
    load_index(path, "events", docs, mapping=mapping)
    return path


def test_embedded_and_remote_clusters_over_http(tmp_path: Path) -> None:
    from tests.servers import start_node

    local_dir = _cluster_dir(tmp_path, "local", {"host": "keyword", "bytes": "long"})
    remote_dir = _cluster_dir(tmp_path, "remote", {"host": "keyword", "status": "integer"})
    with start_node(remote_dir) as node:
        config = Config(
            local="here",
            clusters={
                "here": ClusterSpec(alias="here", type="embedded", path=local_dir),
                "far": ClusterSpec(alias="far", type="elasticsearch", hosts=(node.url,)),
            },
            path=None,
        )
        with Registry.from_config(config) as registry:
            cache = MetadataCache(registry)
            assert cache.wait(20)
            assert {a: s.status for a, s in cache.states().items()} == {
                "here": "ready",
                "far": "ready",
            }
            assert names(cache.indices("far")) == ["events"]
            scope = FieldScope((Source("events"), Source("events", "far")))
            assert columns(cache, scope) == {
                "bytes": "long",
                "host": "keyword",
                "status": "integer",
            }


def test_dot_names_are_resolved_but_not_offered() -> None:
    snapshot = build_snapshot(
        "x",
        catalog_of("x", info(".ds-logs-1", {"a": K}), info("logs", {"b": K}, aliases=("all",))),
    )
    assert snapshot.names.names == ["all", "logs"]
    assert snapshot.names.metas == ["alias", ""]
    assert snapshot.resolve(".ds-*") == (".ds-logs-1",)
