"""The registry: clusters from a config, embedded fragments run in process, enrich
policies from the config, and the lazy elasticsearch transport."""

from __future__ import annotations

import sys
import threading
import types
from concurrent.futures import CancelledError
from dataclasses import dataclass
from pathlib import Path

import pytest

from esqlsh.analysis import analyzer
from esqlsh.clusters.base import EnrichPolicy
from esqlsh.clusters.config import ClusterSpec, Config, Secret, load_config
from esqlsh.clusters.ingest import load_index, write_policy
from esqlsh.clusters.registry import (
    ConfiguredEmbeddedCluster,
    EmbeddedNode,
    FragmentResult,
    Registry,
)
from esqlsh.errors import ClusterUnavailableError, ConfigError
from esqlsh.syntax import ast
from esqlsh.syntax.parser import parse


@dataclass
class Fragment:
    """A stand-in for ``esqlsh.plan.split.Fragment`` (query + unbounded)."""

    query: ast.Query
    unbounded: bool = False


def fragment(text: str, unbounded: bool = False) -> Fragment:
    return Fragment(parse(text), unbounded)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def config(tmp_path: Path) -> Config:
    """Two embedded clusters: ``home`` (local) and ``c1``, and one policy each way."""
    src = tmp_path / "src"
    load_index(tmp_path / "home", "logs-a", write(src / "a.csv", "n:long,k:keyword\n1,x\n2,y\n"))
    load_index(tmp_path / "home", "logs-b", write(src / "b.csv", "n:long,k:keyword\n3,x\n"))
    load_index(tmp_path / "home", "hosts", write(src / "h.csv", "k:keyword,os:keyword\nx,linux\n"))
    rows = "n:long\n" + "".join(f"{i}\n" for i in range(1500))
    load_index(tmp_path / "c1", "big", write(src / "big.csv", rows))
    write_policy(
        tmp_path / "home",
        "stored",
        {"match": {"indices": "hosts", "match_field": "k", "enrich_fields": ["os"]}},
    )
    text = """\
local: home
clusters:
  home: {type: embedded, path: home}
  c1: {type: embedded, path: c1, skip_unavailable: false, timeout: 5s}
enrich:
  by_k: {type: match, indices: hosts, match_field: k, enrich_fields: [os]}
"""
    path = write(tmp_path / "config.yaml", text)
    return load_config(path, {})


def test_registry_from_config(config: Config) -> None:
    registry = Registry.from_config(config)
    assert registry.local == "home"
    assert list(registry.clusters) == ["home", "c1"]
    assert registry.remotes() == ["c1"]
    c1 = registry["c1"]
    assert c1.kind == "embedded"
    assert c1.alias == "c1"
    assert c1.skip_unavailable is False
    assert c1.timeout == 5.0
    assert registry["home"].skip_unavailable is True
    assert c1.describe() == f"embedded {config.clusters['c1'].path}"
    registry.close()


def test_catalogs(config: Config) -> None:
    registry = Registry.from_config(config)
    home = registry["home"].catalog()
    assert home.name == "home"
    assert home.resolve("logs-*") == ["logs-a", "logs-b"]
    info = home.index("logs-a")
    assert info is not None and set(info.fields) == {"n", "k"}
    assert registry["c1"].catalog().resolve("*") == ["big"]


def test_config_policies_join_stored_ones(config: Config) -> None:
    policies = Registry.from_config(config)["home"].catalog().policies()
    assert set(policies) == {"stored", "by_k"}
    assert policies["by_k"] == EnrichPolicy("by_k", "match", ("hosts",), "k", ("os",))


def test_config_policy_wins_over_stored_one(tmp_path: Path) -> None:
    write_policy(
        tmp_path / "c",
        "p",
        {"match": {"indices": "stored", "match_field": "k", "enrich_fields": ["os"]}},
    )
    mine = EnrichPolicy("p", "range", ("cfg",), "r", ("v",))
    storage = ConfiguredEmbeddedCluster(tmp_path / "c", "c", {"p": mine})
    assert storage.policies() == {"p": mine}


def test_run_a_fragment(config: Config) -> None:
    registry = Registry.from_config(config)
    result = registry["home"].run(
        fragment("FROM logs-* | STATS c = COUNT(*) BY k | SORT k"), threading.Event()
    )
    assert isinstance(result, FragmentResult)
    assert [c.name for c in result.columns] == ["c", "k"]
    assert result.frame.to_dicts() == [{"c": 2, "k": "x"}, {"c": 1, "k": "y"}]
    assert result.shards == {"total": 2, "successful": 2, "skipped": 0, "failed": 0}
    assert result.bytes_received == 0
    assert result.took_ms >= 0


def test_enrich_with_a_config_policy(config: Config) -> None:
    node = Registry.from_config(config)["home"]
    result = node.run(
        fragment("FROM logs-a | ENRICH by_k ON k | KEEP n, os | SORT n"), threading.Event()
    )
    assert result.frame.to_dicts() == [{"n": 1, "os": "linux"}, {"n": 2, "os": None}]


def test_bounded_fragment_gets_the_default_limit_and_its_warning(config: Config) -> None:
    result = Registry.from_config(config)["c1"].run(fragment("FROM big"), threading.Event())
    assert result.frame.height == 1000
    assert result.warnings == ["No limit defined, adding default limit of [1000]"]


def test_unbounded_fragment_ships_every_row(
    config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[object] = []
    real = analyzer.analyze

    def spy(*args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        seen.append(kwargs.get("default_limit", "absent"))
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(analyzer, "analyze", spy)
    result = Registry.from_config(config)["c1"].run(
        fragment("FROM big", unbounded=True), threading.Event()
    )
    assert seen == [None]
    assert result.frame.height == 1500
    assert result.warnings == []


def test_fragment_warnings_are_kept(config: Config) -> None:
    result = Registry.from_config(config)["home"].run(
        fragment("FROM logs-a | EVAL x = TO_LONG(k) | KEEP x | LIMIT 1"), threading.Event()
    )
    assert result.warnings[0].startswith("Line 1:24: evaluation of [TO_LONG(k)] failed")


def test_fragment_params_and_now_are_used_when_present(config: Config) -> None:
    @dataclass
    class WithExtras(Fragment):
        params: list[object] | None = None
        now_millis: int | None = None

    node = Registry.from_config(config)["home"]
    query = parse("FROM logs-a | WHERE n > ? | EVAL t = NOW() | KEEP n, t")
    result = node.run(WithExtras(query, False, [1], 86_400_000), threading.Event())
    assert result.frame["n"].to_list() == [2]
    assert result.frame["t"].dt.epoch("ms").to_list() == [86_400_000]


def test_cancelled_before_start(config: Config) -> None:
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(CancelledError):
        Registry.from_config(config)["home"].run(fragment("FROM logs-a"), cancel)


def test_missing_directory_is_an_unavailable_cluster(tmp_path: Path) -> None:
    spec = ClusterSpec(alias="gone", type="embedded", path=tmp_path / "nowhere")
    node = EmbeddedNode(spec)
    with pytest.raises(ClusterUnavailableError) as info:
        node.catalog()
    assert info.value.alias == "gone"
    assert info.value.data_received is False
    assert "gone" in str(info.value)
    with pytest.raises(ClusterUnavailableError):
        node.run(fragment("FROM x"), threading.Event())


ES_SPEC = ClusterSpec(
    alias="remote",
    type="elasticsearch",
    hosts=("https://es1:9200",),
    api_key=Secret("never-shown"),
    origin="config.yaml:9",
)


def test_elasticsearch_clusters_are_built_lazily(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[ClusterSpec] = []

    class FakeRemote:
        kind = "elasticsearch"

        def __init__(self, spec: ClusterSpec):
            made.append(spec)
            self.alias = spec.alias
            self.closed = False

        def close(self) -> None:
            self.closed = True

    module = types.ModuleType("esqlsh.clusters.remote")
    module.ElasticsearchCluster = FakeRemote  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "esqlsh.clusters.remote", module)
    local = ClusterSpec(alias="home", type="embedded", path=tmp_path)
    config = Config("home", {"home": local, "remote": ES_SPEC}, None)
    registry = Registry.from_config(config)
    assert made == [ES_SPEC]
    remote = registry["remote"]
    assert isinstance(remote, FakeRemote)
    assert registry.remotes() == ["remote"]
    with registry:
        pass
    assert remote.closed is True


def test_without_the_transport_elasticsearch_is_a_config_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "esqlsh.clusters.remote", None)
    config = Config("remote", {"remote": ES_SPEC}, None)
    with pytest.raises(ConfigError) as info:
        Registry.from_config(config)
    assert str(info.value) == (
        "config.yaml:9: clusters.remote.type: elasticsearch clusters are not supported yet"
    )


def test_a_failing_cluster_closes_the_ones_already_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    closed: list[str] = []

    class Boom:
        def __init__(self, spec: ClusterSpec):
            raise ConfigError("boom")

    monkeypatch.setattr(EmbeddedNode, "close", lambda self: closed.append(self.alias))
    module = types.ModuleType("esqlsh.clusters.remote")
    module.ElasticsearchCluster = Boom  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "esqlsh.clusters.remote", module)
    local = ClusterSpec(alias="home", type="embedded", path=tmp_path)
    with pytest.raises(ConfigError, match="boom"):
        Registry.from_config(Config("home", {"home": local, "remote": ES_SPEC}, None))
    assert closed == ["home"]


def test_real_transport_is_used_for_elasticsearch_clusters(tmp_path: Path) -> None:
    """With clusters/remote.py present, the registry builds its cluster (no I/O yet)."""
    from esqlsh.clusters.remote import ElasticsearchCluster

    secret = "registry-SENTINEL-key"
    spec = ClusterSpec(
        alias="remote", type="elasticsearch", hosts=("https://es1:9200",), api_key=Secret(secret)
    )
    registry = Registry.from_config(Config(None, {"remote": spec}, None))
    remote = registry["remote"]
    assert isinstance(remote, ElasticsearchCluster)
    assert remote.kind == "elasticsearch"
    assert "https://es1:9200" in remote.describe()
    assert secret not in remote.describe() + repr(remote) + repr(registry.clusters)
    registry.close()
