"""Analysis over a FederatedCatalog: FROM with cluster prefixes type-checks the
whole query over the union of every cluster's fields, with Elasticsearch's
messages; the single-catalog behaviour stays as it was."""

from __future__ import annotations

import pytest

from esqlsh.analysis.analyzer import analyze
from esqlsh.analysis.types import DataType as T
from esqlsh.clusters.federated import FederatedCatalog
from esqlsh.clusters.patterns import NoSuchRemoteClusterError
from esqlsh.errors import EsqlError, IllegalArgumentError, VerificationError
from esqlsh.plan.logical import LookupJoinNode, Plan, Relation
from esqlsh.syntax.parser import parse
from tests.analysis.memcatalog import MemCatalog

LOGS = {"@timestamp": T.DATETIME, "message": T.KEYWORD, "bytes": T.LONG}


def local_catalog() -> MemCatalog:
    cat = MemCatalog("local")
    cat.add("logs", LOGS)
    cat.add("languages_lookup", {"message": T.KEYWORD, "language": T.KEYWORD}, mode="lookup")
    cat.add_policy("hosts", "match", "hosts", "message", ("host_os",))
    cat.add("hosts", {"message": T.KEYWORD, "host_os": T.KEYWORD})
    return cat


def c1_catalog() -> MemCatalog:
    cat = MemCatalog("c1")
    cat.add("logs", {**LOGS, "bytes": T.INTEGER}, aliases=("all-logs",))
    cat.add("idx1", {"a": T.KEYWORD})
    cat.add("idx2", {"a": T.KEYWORD, "b": T.DOUBLE})
    cat.add_policy("hosts", "match", "hosts", "message", ("host_os", "other"))
    return cat


def c2_catalog() -> MemCatalog:
    cat = MemCatalog("c2")
    cat.add("logs", {**LOGS, "host": T.KEYWORD})
    return cat


def federated(**kwargs: object) -> FederatedCatalog:
    catalogs = {"local": local_catalog(), "c1": c1_catalog(), "c2": c2_catalog()}
    return FederatedCatalog(catalogs, "local", **kwargs)  # type: ignore[arg-type]


def plan(text: str, catalog: object | None = None) -> Plan:
    return analyze(parse(text), catalog or federated())  # type: ignore[arg-type]


def error(text: str, catalog: object | None = None) -> str:
    with pytest.raises(EsqlError) as info:
        plan(text, catalog)
    return info.value.reason


def schema(p: Plan) -> list[str]:
    return [f"{a.name}:{a.type.value}" for a in p.schema]


def relation(p: Plan) -> Relation:
    node = p.nodes[0]
    assert isinstance(node, Relation)
    return node


# ------------------------------------------------------------------ the catalog


def test_resolve_prefixes_remote_names_and_sorts() -> None:
    cat = federated()
    assert cat.resolve("c1:idx*,logs,c1:-idx2") == ["c1:idx1", "logs"]
    assert cat.resolve("*:logs") == ["c1:logs", "c2:logs"]
    assert cat.resolve("c1:all-logs") == ["c1:logs"]  # an index alias on the remote
    assert cat.resolve("nope*,c2:nope") == []


def test_resolve_raises_the_pattern_errors() -> None:
    cat = federated()
    with pytest.raises(NoSuchRemoteClusterError):
        cat.resolve("c9:logs")
    with pytest.raises(IllegalArgumentError, match="you must specify the '\\*' wildcard"):
        cat.resolve("c1:idx*,-c1:idx2")


def test_index_renames_remote_infos() -> None:
    cat = federated()
    info = cat.index("c1:logs")
    assert info is not None
    assert info.name == "c1:logs" and info.fields["bytes"] is T.INTEGER
    assert info.aliases == ("c1:all-logs",)
    local = cat.index("logs")
    assert local is not None and local.name == "logs" and local.fields["bytes"] is T.LONG
    assert cat.index("idx1") is None  # bare names are the local cluster's
    assert cat.index("local:logs") is None  # the local cluster is never prefixed
    assert cat.index("c9:logs") is None


def test_policies_aliases_and_remotes() -> None:
    cat = federated(unavailable=["c3"])
    assert set(cat.policies()) == {"hosts"}
    assert cat.policies()["hosts"].enrich_fields == ("host_os",)  # the local one
    assert cat.aliases() == ["local", "c1", "c2", "c3"]
    assert cat.remotes() == ["c1", "c2", "c3"]
    assert cat.catalog("c3") is None


# ----------------------------------------------------------------------- FROM


def test_from_unites_fields_of_every_cluster() -> None:
    p = plan("FROM logs, c2:logs | KEEP host, message")
    assert schema(p) == ["host:keyword", "message:keyword"]
    rel = relation(p)
    assert rel.indices == ("c2:logs", "logs")
    assert rel.pattern == "c2:logs,logs"


def test_type_conflict_lists_prefixed_indices() -> None:
    p = plan("FROM logs,*:logs")
    assert "bytes:unsupported" in schema(p)
    assert error("FROM logs,*:logs | WHERE bytes > 0") == (
        "Found 1 problem\nline 1:26: Cannot use field [bytes] due to ambiguities being mapped "
        "as [2] incompatible types: [integer] in [c1:logs], [long] in [c2:logs, logs]"
    )


def test_metadata_index_is_keyword() -> None:
    p = plan("FROM c1:idx*, logs METADATA _index | KEEP _index, a")
    assert schema(p) == ["_index:keyword", "a:keyword"]
    assert relation(p).indices == ("c1:idx1", "c1:idx2", "logs")


def test_remote_only_query() -> None:
    p = plan("FROM c1:idx1 | STATS n = COUNT(*) BY a")
    assert schema(p) == ["n:long", "a:keyword"]
    assert relation(p).indices == ("c1:idx1",)


def test_exclusions_apply() -> None:
    p = plan("FROM *:logs,-c1:*")
    assert relation(p).indices == ("c2:logs",)
    p = plan("FROM c1:idx*,c1:-idx2")
    assert relation(p).indices == ("c1:idx1",)
    assert schema(p) == ["a:keyword"]


def test_unknown_index_names_every_cluster_remotes_first() -> None:
    # CrossClusterQueryIT: FROM nomatch*,cluster-a:nomatch → Unknown index [cluster-a:nomatch,nomatch*]
    assert error("FROM nomatch*,c1:nomatch") == (
        "Found 1 problem\nline 1:1: Unknown index [c1:nomatch,nomatch*]"
    )
    assert error("FROM c1:nope*,c1:x") == "Found 1 problem\nline 1:1: Unknown index [c1:nope*,c1:x]"


def test_unknown_index_ignores_aliases_matching_no_cluster() -> None:
    assert error("FROM nomatch,x*:logs") == "Found 1 problem\nline 1:1: Unknown index [nomatch]"


def test_unavailable_clusters_count_but_contribute_nothing() -> None:
    cat = FederatedCatalog({"local": local_catalog()}, "local", unavailable=["c1"])
    p = plan("FROM logs,c1:logs", cat)
    assert relation(p).indices == ("logs",)
    assert "bytes:long" in schema(p)
    assert error("FROM c1:logs,nope", cat) == (
        "Found 1 problem\nline 1:1: Unknown index [c1:logs,nope]"
    )
    with pytest.raises(NoSuchRemoteClusterError, match=r"\[c2\]"):
        plan("FROM c2:logs", cat)


def test_pattern_errors_surface_from_analyze() -> None:
    with pytest.raises(NoSuchRemoteClusterError, match=r"no such remote cluster: \[c9\]"):
        plan("FROM c9:logs")
    with pytest.raises(IllegalArgumentError, match="excludes all indexes"):
        plan("FROM c1:logs,-c1:*")
    with pytest.raises(IllegalArgumentError, match="Attempt to exclude cluster \\[c2\\]"):
        plan("FROM c1:logs,-c2:*")


def test_no_local_cluster() -> None:
    cat = FederatedCatalog({"c1": c1_catalog()}, None)
    assert relation(plan("FROM c1:idx1", cat)).indices == ("c1:idx1",)
    assert cat.policies() == {}
    with pytest.raises(EsqlError, match="needs a cluster prefix"):
        plan("FROM idx1", cat)


def test_without_local_catalog_bare_patterns_match_nothing() -> None:
    cat = FederatedCatalog({"c1": c1_catalog()}, "local")
    assert relation(plan("FROM c1:idx1,logs", cat)).indices == ("c1:idx1",)


# -------------------------------------------------- the rest of the pipeline


def test_enrich_uses_the_local_policy() -> None:
    p = plan("FROM logs,c1:logs | ENRICH hosts ON message")
    assert "host_os:keyword" in schema(p) and "other:keyword" not in schema(p)


def test_lookup_join_resolves_on_the_local_cluster() -> None:
    p = plan("FROM c1:logs | LOOKUP JOIN languages_lookup ON message")
    assert any(isinstance(n, LookupJoinNode) for n in p.nodes)
    assert "language:keyword" in schema(p)


def test_verification_of_the_whole_query() -> None:
    with pytest.raises(VerificationError, match=r"Unknown column \[nope\]"):
        plan("FROM logs,c2:logs | KEEP nope")


# ------------------------------------------------------ single-catalog behaviour


def test_single_catalog_keeps_rejecting_prefixes() -> None:
    with pytest.raises(NoSuchRemoteClusterError, match=r"\[c1\]"):
        plan("FROM c1:logs", local_catalog())
    with pytest.raises(NoSuchRemoteClusterError, match=r"\[c1\]"):
        plan("FROM logs,-c1:*", local_catalog())


def test_single_catalog_ignores_alias_wildcards() -> None:
    p = plan("FROM logs,*:logs", local_catalog())
    assert relation(p).indices == ("logs",)
    assert relation(p).pattern == "logs"
    assert error("FROM nope, x*:logs", local_catalog()) == (
        "Found 1 problem\nline 1:1: Unknown index [nope]"
    )
