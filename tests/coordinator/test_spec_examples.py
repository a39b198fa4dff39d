"""Every example and rule of the spec page (``shared/spec/esql-cross-clusters.md``)
run through ``run_federated`` over embedded clusters (``ccs_fixtures``): the FROM
forms, ``_clusters``, the ENRICH modes and their errors, cluster and index
exclusions and their errors, and the 9.1 ``skip_unavailable`` rules (a dead cluster
is an ``elasticsearch`` cluster at a port nothing listens on)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from esqlsh.clusters.registry import Registry
from esqlsh.coordinator import FederatedResult, run_federated
from esqlsh.errors import (
    ClusterUnavailableError,
    EsqlError,
    IllegalArgumentError,
    ParsingError,
    VerificationError,
)
from esqlsh.render.formats import render
from esqlsh.render.values import to_es_values

from .ccs_fixtures import INDEX, LOCAL, OS, SpecWorld, build_world, host_name


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> SpecWorld:
    return build_world(tmp_path_factory.mktemp("spec"))


@pytest.fixture(scope="module")
def registry(world: SpecWorld) -> Iterator[Registry]:
    with world.registry() as reg:
        yield reg


def run(registry: Registry, text: str, **kwargs: Any) -> FederatedResult:
    return run_federated(text, registry, **kwargs)


def rows(result: FederatedResult) -> list[list[Any]]:
    return to_es_values(result)


def details(result: FederatedResult) -> dict[str, Any]:
    body = result.clusters_json()
    assert body is not None
    return dict(body["details"])


def statuses(result: FederatedResult) -> dict[str, str]:
    return {alias: d["status"] for alias, d in details(result).items()}


def cluster_of(index: str) -> str:
    """``cluster_one:my-index-000001`` → ``cluster_one``; a bare index is local."""
    return index.split(":", 1)[0] if ":" in index else LOCAL


# ------------------------------------------------------------------ FROM forms


def test_one_remote_cluster(registry: Registry) -> None:
    result = run(registry, "FROM cluster_one:my-index-000001 | LIMIT 10")
    assert sorted(r[-1] for r in rows(result)) == ["elkbee", "kimchy"]  # user.id is last
    assert statuses(result) == {"cluster_one": "successful"}


def test_local_and_two_remotes(registry: Registry) -> None:
    text = (
        "FROM my-index-000001,cluster_one:my-index-000001,cluster_two:my-index-000001 "
        "METADATA _index | LIMIT 10"
    )
    result = run(registry, text)
    names = [a.name for a in result.columns]
    indices = sorted(r[names.index("_index")] for r in rows(result))
    assert indices == [
        "cluster_one:my-index-000001",
        "cluster_one:my-index-000001",
        "cluster_two:my-index-000001",
        "cluster_two:my-index-000001",
        INDEX,
        INDEX,
    ]
    assert list(details(result)) == ["(local)", "cluster_one", "cluster_two"]


def test_star_reaches_every_remote_but_not_the_local_cluster(registry: Registry) -> None:
    text = "FROM *:my-index-000001 METADATA _index | KEEP _index, user.id | LIMIT 10"
    result = run(registry, text)
    assert sorted({cluster_of(r[0]) for r in rows(result)}) == [
        "cluster_one",
        "cluster_three",
        "cluster_two",
    ]
    assert len(rows(result)) == 7
    assert "(local)" not in details(result)


def test_local_only_query_is_not_cross_cluster(registry: Registry) -> None:
    result = run(registry, "FROM my-index-000001 | STATS n = COUNT(*)", include_ccs_metadata=True)
    assert rows(result) == [[2]]
    assert result.clusters is None and not result.shows_clusters
    assert "_clusters" not in json.loads(str(render(result, "json")))


# ------------------------------------------------------------------ metadata

FIRST_EXAMPLE = """FROM my-index-000001,cluster_one:my-index-000001,cluster_two:my-index*
    | STATS COUNT(http.response.status_code) BY user.id
    | LIMIT 2"""


def test_first_metadata_example(registry: Registry) -> None:
    result = run(registry, FIRST_EXAMPLE, include_ccs_metadata=True)
    body = json.loads(str(render(result, "json")))
    assert list(body) == ["took", "is_partial", "columns", "values", "_clusters"]
    assert body["is_partial"] is False
    assert body["columns"] == [
        {"name": "COUNT(http.response.status_code)", "type": "long"},
        {"name": "user.id", "type": "keyword"},
    ]
    assert sorted(body["values"], key=lambda r: r[1]) == [[4, "elkbee"], [1, "kimchy"]]
    clusters = body["_clusters"]
    assert {k: clusters[k] for k in list(clusters)[:-1]} == {
        "total": 3,
        "successful": 3,
        "running": 0,
        "skipped": 0,
        "partial": 0,
        "failed": 0,
    }
    assert list(clusters["details"]) == ["(local)", "cluster_one", "cluster_two"]
    expected_indices = {
        "(local)": "my-index-000001",
        "cluster_one": "my-index-000001",
        "cluster_two": "my-index*",
    }
    for alias, entry in clusters["details"].items():
        assert list(entry) == ["status", "indices", "took", "_shards"]
        assert entry["status"] == "successful"
        assert entry["indices"] == expected_indices[alias]
        assert 0 <= entry["took"] <= body["took"]
        assert entry["_shards"] == {"total": 1, "successful": 1, "skipped": 0, "failed": 0}


def test_metadata_only_when_asked_while_all_went_well(registry: Registry) -> None:
    result = run(registry, FIRST_EXAMPLE)
    assert result.clusters is not None and not result.shows_clusters
    assert "_clusters" not in json.loads(str(render(result, "json")))


def test_wildcard_matching_nothing_is_successful_with_no_shards(registry: Registry) -> None:
    """The spec's second example. Elasticsearch 9.1 (``EsqlCCSUtils``) marks a
    wildcard without a match ``successful`` with 0 shards; the page's older text
    calls it skipped. DESIGN §3 follows the code."""
    text = """FROM cluster_one:my-index*,cluster_two:logs*
    | STATS COUNT(http.response.status_code) BY user.id
    | LIMIT 2"""
    result = run(registry, text, include_ccs_metadata=True)
    assert sorted(rows(result), key=lambda r: r[1]) == [[1, "elkbee"], [1, "kimchy"]]
    entry = details(result)["cluster_two"]
    assert entry["status"] == "successful"
    assert entry["indices"] == "logs*"
    assert entry["_shards"] == {"total": 0, "successful": 0, "skipped": 0, "failed": 0}
    assert "failures" not in entry
    assert not result.is_partial


def test_a_cluster_wildcard_matching_no_remote_searches_nothing(registry: Registry) -> None:
    """``groupClusterIndices`` drops ``x*:foo`` (no remote matches ``x*``) and 9.1
    groups the local cluster with no index; the empty index expression resolves to
    a valid, empty index (``EsqlSession``): no rows, one ``<no-fields>`` null
    column (``Analyzer.NO_FIELDS``), no ``_clusters`` (only the local cluster)."""
    result = run(registry, "FROM x*:foo", include_ccs_metadata=True)
    assert [(a.name, a.type.value) for a in result.columns] == [("<no-fields>", "null")]
    assert rows(result) == []
    assert result.clusters_json() is None and not result.is_partial
    assert rows(run(registry, "FROM x*:foo | STATS n = COUNT(*)")) == [[0]]
    metadata = run(registry, "FROM x*:foo METADATA _index")
    assert [a.name for a in metadata.columns] == ["_index"] and rows(metadata) == []
    with pytest.raises(VerificationError, match=r"Unknown column \[bytes\]"):
        run(registry, "FROM x*:foo | KEEP bytes")


def test_a_cluster_wildcard_matching_nothing_without_a_local_cluster(world: SpecWorld) -> None:
    with world.registry(local=None) as reg:
        assert rows(run_federated("FROM x*:foo | STATS n = COUNT(*)", reg)) == [[0]]
        result = run_federated("FROM x*:foo", reg)
    assert [a.name for a in result.columns] == ["<no-fields>"] and rows(result) == []


def test_excluding_a_cluster_next_to_a_wildcard_matching_none_still_fails(
    registry: Registry,
) -> None:
    with pytest.raises(IllegalArgumentError) as err:
        run(registry, "FROM x*:foo,-cluster_one:*")
    assert str(err.value) == (
        "Attempt to exclude cluster [cluster_one] failed as it is not included in the list "
        "of clusters to be included: []. Input: [x*:foo,-cluster_one:*]"
    )


# ------------------------------------------------------------------ enrich


def enriched(result: FederatedResult) -> list[tuple[str, str, str | None]]:
    """(cluster of the row, ip, host_name) for each row."""
    names = [a.name for a in result.columns]
    i, ip, host = names.index("_index"), names.index("ip"), names.index("host_name")
    return sorted((cluster_of(r[i]), r[ip], r[host]) for r in rows(result))


def test_any_enrich_before_a_breaker_runs_on_each_cluster(registry: Registry) -> None:
    text = """FROM my-index-000001,cluster_one:my-index-000001 METADATA _index
| ENRICH hosts ON ip
| LIMIT 10"""
    result = run(registry, text)
    got = enriched(result)
    assert len(got) == 4
    # Elasticsearch may run it on either side; esqlsh runs it in each fragment.
    assert all(host == host_name(cluster, ip) for cluster, ip, host in got)


def test_any_enrich_after_limit_runs_on_the_coordinator(registry: Registry) -> None:
    text = """FROM cluster_one:my-index-000001,cluster_two:my-index-000001 METADATA _index
| LIMIT 10
| ENRICH hosts ON ip"""
    got = enriched(run(registry, text))
    assert len(got) == 4
    assert all(host == host_name(LOCAL, ip) for _, ip, host in got)


def test_any_enrich_needs_the_policy_on_the_local_cluster_too(world: SpecWorld) -> None:
    config = world.config()
    # cluster_three (no hosts policy) as the querying cluster.
    specs = dict(config.clusters)
    specs.pop(LOCAL)
    local_three = {"cluster_three": world.spec("cluster_three")}
    specs = {**local_three, **{k: v for k, v in specs.items() if k != "cluster_three"}}
    with Registry.from_config(type(config)("cluster_three", specs, None)) as reg:
        text = """FROM cluster_one:my-index-000001,cluster_two:my-index-000001
| LIMIT 10
| ENRICH hosts ON ip"""
        with pytest.raises(VerificationError) as err:
            run_federated(text, reg)
    assert str(err.value) == (
        "Found 1 problem\nline 3:10: cannot find enrich policy [hosts] on clusters [_local]"
    )


def test_coordinator_enrich_uses_the_local_policy(registry: Registry) -> None:
    text = """FROM my-index-000001,cluster_one:my-index-000001
| ENRICH _coordinator:hosts ON ip
| SORT host_name
| LIMIT 10"""
    result = run(registry, text)
    names = [a.name for a in result.columns]
    hosts = [r[names.index("host_name")] for r in rows(result)]
    ips = [r[names.index("ip")] for r in rows(result)]
    assert hosts == sorted(host_name(LOCAL, ip) for ip in ips)
    assert len(hosts) == 4


def test_remote_enrich_uses_each_clusters_policy(registry: Registry) -> None:
    text = """FROM my-index-000001,cluster_one:my-index-000001,cluster_two:my-index-000001 METADATA _index
| ENRICH _remote:hosts ON ip
| SORT host_name
| LIMIT 10"""
    result = run(registry, text)
    got = enriched(result)
    assert len(got) == 6
    assert all(host == host_name(cluster, ip) for cluster, ip, host in got)
    names = [a.name for a in result.columns]
    sorted_hosts = [r[names.index("host_name")] for r in rows(result)]
    assert sorted_hosts == sorted(sorted_hosts)


def test_remote_enrich_after_stats_is_refused_before_any_cluster_is_asked(
    world: SpecWorld,
) -> None:
    text = """FROM my-index-000001,cluster_one:my-index-000001,dead:my-index-000001
| STATS COUNT(*) BY ip
| ENRICH _remote:hosts ON ip
| SORT host_name
| LIMIT 10"""
    with world.registry(dead={"dead": False}) as reg, pytest.raises(VerificationError) as err:
        run_federated(text, reg)
    assert str(err.value) == (
        "Found 1 problem\nline 3:3: ENRICH with remote policy can't be executed after STATS"
    )


def test_multiple_enrich_modes(registry: Registry) -> None:
    text = """FROM my-index-000001,cluster_one:my-index-000001,cluster_two:my-index-000001
| ENRICH hosts ON ip
| ENRICH _coordinator:vendors ON os
| LIMIT 10"""
    result = run(registry, text)
    names = [a.name for a in result.columns]
    got = {
        (r[names.index("ip")], r[names.index("os")], r[names.index("vendor")]) for r in rows(result)
    }
    vendors = {"linux": "tux", "windows": "microsoft", "macos": "apple"}
    assert got == {(ip, OS[ip], vendors[OS[ip]]) for ip, _, _ in got}
    assert len(rows(result)) == 6


def test_remote_enrich_after_coordinator_enrich_is_refused(registry: Registry) -> None:
    text = """FROM my-index-000001,cluster_one:my-index-000001,cluster_two:my-index-000001
| ENRICH _coordinator:hosts ON ip
| ENRICH _remote:vendors ON os
| LIMIT 10"""
    with pytest.raises(VerificationError) as err:
        run(registry, text)
    assert str(err.value) == (
        "Found 1 problem\nline 3:3: ENRICH with remote policy can't be executed after "
        "another ENRICH with coordinator policy"
    )


def test_policy_missing_on_a_remote(registry: Registry) -> None:
    text = "FROM my-index-000001,cluster_three:my-index-000001 | ENRICH hosts ON ip"
    with pytest.raises(VerificationError) as err:
        run(registry, text)
    assert str(err.value) == (
        "Found 1 problem\nline 1:61: cannot find enrich policy [hosts] on clusters [cluster_three]"
    )


def test_remote_policy_missing_everywhere(registry: Registry) -> None:
    text = "FROM cluster_one:my-index-000001,cluster_three:my-index-000001 | ENRICH _remote:hostz ON ip"
    with pytest.raises(VerificationError) as err:
        run(registry, text)
    assert str(err.value).endswith(
        "cannot find enrich policy [hostz] on clusters [cluster_one, cluster_three]"
    )
    assert err.value.problems[0].column == text.index("_remote:hostz") + 1


def test_coordinator_policy_missing_suggests_a_local_one(registry: Registry) -> None:
    text = "FROM cluster_one:my-index-000001 | ENRICH _coordinator:hostz ON ip"
    with pytest.raises(VerificationError) as err:
        run(registry, text)
    assert str(err.value).endswith("cannot find enrich policy [hostz], did you mean [hosts]?")


def test_policies_that_differ_across_clusters(world: SpecWorld, tmp_path: Path) -> None:
    # A copy of the world where cluster_one's "hosts" matches on another field.
    import shutil

    from .ccs_fixtures import policy

    one = tmp_path / "cluster_one"
    shutil.copytree(world.paths["cluster_one"], one)
    policy(one, "hosts", "hosts", "host_name", ["ip", "os"])
    config = world.config(extra={"cluster_one": world.spec("cluster_one", path=one)})
    with Registry.from_config(config) as reg, pytest.raises(VerificationError) as err:
        run_federated("FROM my-index-000001,cluster_one:my-index-000001 | ENRICH hosts", reg)
    assert str(err.value).endswith(
        "enrich policy [hosts] has different match fields [ip, host_name] across clusters"
    )


def test_mistyped_enrich_qualifier(registry: Registry) -> None:
    with pytest.raises(ParsingError) as err:
        run(
            registry, "FROM my-index-000001,cluster_one:my-index-000001 | ENRICH _remot:hosts ON ip"
        )
    assert "Unrecognized value [_remot], ENRICH policy qualifier needs to be one of " in str(
        err.value
    )


# ------------------------------------------------------------------ exclusions


def test_excluding_a_cluster(registry: Registry) -> None:
    text = (
        "FROM my-index-000001,cluster*:my-index-000001,-cluster_three:* METADATA _index | LIMIT 10"
    )
    result = run(registry, text)
    assert list(details(result)) == ["(local)", "cluster_one", "cluster_two"]
    assert len(rows(result)) == 6


def test_excluding_an_index_on_one_cluster(registry: Registry) -> None:
    text = (
        "FROM my-index-000001,cluster*:my-index-*,cluster_three:-my-index-000001 "
        "METADATA _index | KEEP _index, user.id | LIMIT 10"
    )
    result = run(registry, text, include_ccs_metadata=True)
    three = [r for r in rows(result) if cluster_of(r[0]) == "cluster_three"]
    assert three == [["cluster_three:my-index-000002", "kimchy"]]
    assert details(result)["cluster_three"]["indices"] == "my-index-*,-my-index-000001"
    assert len(rows(result)) == 2 + 2 + 2 + 1


@pytest.mark.parametrize(
    ("text", "error", "message"),
    [
        (
            "FROM my-index-000001,-cluster_one:my-index-000001",
            IllegalArgumentError,
            "To exclude a cluster you must specify the '*' wildcard for the index expression, "
            "but found: [my-index-000001]",
        ),
        (
            "FROM my-index-000001,-cluster_one:*",
            IllegalArgumentError,
            "Attempt to exclude cluster [cluster_one] failed as it is not included in the list "
            "of clusters to be included: [(local)]. Input: [my-index-000001,-cluster_one:*]",
        ),
        (
            "FROM cluster_one:my-index-000001,-cluster_one:*",
            IllegalArgumentError,
            "The '-' exclusions in the index expression list excludes all indexes. Nothing to "
            "search. Input: [cluster_one:my-index-000001,-cluster_one:*]",
        ),
        ("FROM cluster_nine:my-index-000001", EsqlError, "no such remote cluster: [cluster_nine]"),
    ],
)
def test_exclusion_and_alias_errors(
    registry: Registry, text: str, error: type[EsqlError], message: str
) -> None:
    with pytest.raises(error) as err:
        run(registry, text)
    assert str(err.value) == message


def test_unknown_alias_error_type(registry: Registry) -> None:
    with pytest.raises(EsqlError) as err:
        run(registry, "FROM cluster_nine:x")
    assert (err.value.type, err.value.status) == ("no_such_remote_cluster_exception", 404)


# ------------------------------------------------------------------ skip_unavailable


def test_unreachable_remote_is_skipped(world: SpecWorld) -> None:
    with world.registry(dead={"dead": True}) as reg:
        result = run_federated(
            "FROM my-index-000001,dead:my-index-000001 | STATS n = COUNT(*)", reg
        )
    assert rows(result) == [[2]]
    assert result.is_partial and result.shows_clusters
    entry = details(result)["dead"]
    assert entry["status"] == "skipped"
    assert entry["_shards"] == {"total": 0, "successful": 0, "skipped": 0, "failed": 0}
    assert entry["failures"] == [
        {
            "shard": -1,
            "index": None,
            "reason": {
                "type": "connect_transport_exception",
                "reason": "Remote cluster [dead] (with setting skip_unavailable=true) is not available",
            },
        }
    ]
    body = json.loads(str(render(result, "json")))
    assert body["is_partial"] is True and body["_clusters"]["skipped"] == 1


def test_unreachable_remote_without_skip_fails_the_query(world: SpecWorld) -> None:
    with world.registry(dead={"dead": False}) as reg, pytest.raises(ClusterUnavailableError) as err:
        run_federated("FROM my-index-000001,dead:my-index-000001", reg)
    assert str(err.value) == (
        "Remote cluster [dead] (with setting skip_unavailable=false) is not available"
    )
    assert (err.value.type, err.value.status) == ("connect_transport_exception", 500)


def test_only_unreachable_clusters_give_an_empty_answer(world: SpecWorld) -> None:
    with world.registry(dead={"dead": True}) as reg:
        result = run_federated("FROM dead:my-index-000001 | STATS n = COUNT(*)", reg)
    body = json.loads(str(render(result, "json")))
    assert body["columns"] == [{"name": "<no-fields>", "type": "null"}]
    assert body["values"] == []
    assert body["_clusters"]["details"]["dead"]["status"] == "skipped"


def test_missing_concrete_index_on_a_remote_is_skipped(registry: Registry) -> None:
    result = run(registry, "FROM my-index-000001,cluster_one:missing-index | STATS n = COUNT(*)")
    assert rows(result) == [[2]]
    entry = details(result)["cluster_one"]
    assert entry["status"] == "skipped"
    assert entry["failures"][0]["reason"] == {
        "type": "verification_exception",
        "reason": "Unknown index [cluster_one:missing-index]",
    }
    assert result.is_partial


def test_missing_concrete_index_without_skip_fails(world: SpecWorld) -> None:
    with (
        world.registry(skip={"cluster_one": False, "cluster_two": False}) as reg,
        pytest.raises(EsqlError) as err,
    ):
        run_federated(
            "FROM my-index-000001,cluster_one:missing-index,cluster_two:nope | LIMIT 1", reg
        )
    assert (err.value.type, err.value.status) == ("verification_exception", 400)
    assert (
        str(err.value)
        == "Unknown index [cluster_one:missing-index]; Unknown index [cluster_two:nope]"
    )


def test_wildcard_without_match_next_to_data(registry: Registry) -> None:
    result = run(registry, "FROM my-index-000001,cluster_one:missing-index* | STATS n = COUNT(*)")
    assert rows(result) == [[2]]
    assert statuses(result) == {"(local)": "successful", "cluster_one": "successful"}
    assert details(result)["cluster_one"]["_shards"]["total"] == 0
    assert not result.is_partial


@pytest.mark.parametrize(
    ("text", "expression"),
    [
        ("FROM cluster_one:missing-index | LIMIT 10", "cluster_one:missing-index"),
        ("FROM cluster_one:missing-index* | LIMIT 10", "cluster_one:missing-index*"),
        (
            "FROM cluster_one:missing-index*,cluster_two:missing-index | LIMIT 10",
            "cluster_one:missing-index*,cluster_two:missing-index",
        ),
    ],
)
def test_nothing_anywhere_fails_even_with_skip(
    registry: Registry, text: str, expression: str
) -> None:
    with pytest.raises(VerificationError) as err:
        run(registry, text)
    assert str(err.value) == f"Found 1 problem\nline 1:1: Unknown index [{expression}]"


def test_the_local_cluster_is_never_skipped(registry: Registry) -> None:
    with pytest.raises(EsqlError) as err:
        run(registry, "FROM missing-index,cluster_one:my-index-000001")
    assert (err.value.type, str(err.value)) == (
        "verification_exception",
        "Unknown index [missing-index]",
    )


def test_an_unreachable_local_cluster_fails_the_query(world: SpecWorld, tmp_path: Path) -> None:
    config = world.config(extra={LOCAL: world.spec(LOCAL, path=tmp_path / "gone")})
    with Registry.from_config(config) as reg, pytest.raises(ClusterUnavailableError):
        run_federated("FROM my-index-000001,cluster_one:my-index-000001", reg)


# ------------------------------------------------------------------ the same over HTTP

HTTP_QUERIES = [
    "FROM cluster_one:my-index-000001 | LIMIT 10",
    "FROM my-index-000001,cluster_one:my-index-000001,cluster_two:my-index-000001 | LIMIT 10",
    "FROM *:my-index-000001 METADATA _index | KEEP _index, user.id | LIMIT 10",
    FIRST_EXAMPLE,
    "FROM cluster_one:my-index*,cluster_two:logs* | STATS COUNT(http.response.status_code) BY user.id",
    "FROM my-index-000001,cluster_one:my-index-000001 METADATA _index | ENRICH hosts ON ip | LIMIT 10",
    "FROM cluster_one:my-index-000001,cluster_two:my-index-000001 | LIMIT 10 | ENRICH hosts ON ip",
    "FROM my-index-000001,cluster_one:my-index-000001 | ENRICH _coordinator:hosts ON ip "
    "| SORT host_name | LIMIT 10",
    "FROM my-index-000001,cluster_one:my-index-000001,cluster_two:my-index-000001 METADATA _index "
    "| ENRICH _remote:hosts ON ip | SORT host_name | LIMIT 10",
    "FROM my-index-000001,cluster_one:my-index-000001,cluster_two:my-index-000001 "
    "| ENRICH hosts ON ip | ENRICH _coordinator:vendors ON os | LIMIT 10",
    "FROM my-index-000001,cluster*:my-index-000001,-cluster_three:* | LIMIT 10",
    "FROM my-index-000001,cluster*:my-index-*,cluster_three:-my-index-000001 METADATA _index "
    "| KEEP _index, user.id | LIMIT 10",
    "FROM my-index-000001,cluster_one:missing-index | STATS n = COUNT(*)",
    "FROM my-index-000001,cluster_one:missing-index* | STATS n = COUNT(*)",
]


@pytest.fixture(scope="module")
def http_registry(world: SpecWorld) -> Iterator[Registry]:
    """The local cluster embedded, the three remotes ``esqlsh serve`` nodes."""
    from esqlsh.clusters.config import ClusterSpec
    from tests.servers import start_node

    nodes = []
    try:
        extra = {}
        for alias in ("cluster_one", "cluster_two", "cluster_three"):
            node = start_node(world.paths[alias])
            nodes.append(node)
            extra[alias] = ClusterSpec(alias=alias, type="elasticsearch", hosts=(node.url,))
        with Registry.from_config(world.config(extra=extra)) as reg:
            yield reg
    finally:
        for node in nodes:
            node.stop()


def _answer(result: FederatedResult) -> tuple[Any, ...]:
    columns = [(a.name, a.type) for a in result.columns]
    values = sorted(json.dumps(r) for r in rows(result))
    clusters = {
        a: (d["status"], d["indices"], d.get("_shards")) for a, d in details(result).items()
    }
    return columns, values, clusters, result.is_partial, result.warnings


@pytest.mark.parametrize("text", HTTP_QUERIES)
def test_elasticsearch_transport_answers_as_embedded(
    registry: Registry, http_registry: Registry, text: str
) -> None:
    assert _answer(run(http_registry, text)) == _answer(run(registry, text))
