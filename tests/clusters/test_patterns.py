"""FROM patterns → per-cluster targets, with Elasticsearch's rules and messages
(RemoteClusterAware.groupClusterIndices, ClusterNameExpressionResolver,
EsqlCCSUtils), over the spec page's and DESIGN §3's examples."""

from __future__ import annotations

import pytest

from esqlsh.analysis.types import DataType as T
from esqlsh.clusters.patterns import (
    ClusterTarget,
    NoLocalClusterError,
    NoSuchRemoteClusterError,
    concrete_patterns,
    missing_concrete,
    parse_expression,
    qualified_expression,
    resolve_targets,
    split_index_name,
    target_indices,
)
from esqlsh.errors import EsqlError, IllegalArgumentError
from esqlsh.syntax import ast
from esqlsh.syntax.parser import parse
from tests.analysis.memcatalog import MemCatalog

LOCAL = "local"
REMOTES = ("cluster_one", "cluster_two", "cluster_three")


def from_patterns(text: str) -> tuple[ast.IndexPattern, ...]:
    source = parse(f"FROM {text}").commands[0]
    assert isinstance(source, ast.From)
    return source.patterns


def targets_of(text: str, local: str | None = LOCAL) -> dict[str, str]:
    targets = resolve_targets(from_patterns(text), local, REMOTES)
    return {alias: t.expression for alias, t in targets.items()}


def error_of(text: str) -> EsqlError:
    with pytest.raises(EsqlError) as info:
        resolve_targets(from_patterns(text), LOCAL, REMOTES)
    return info.value


GOLDEN = [
    # the spec page's FROM forms
    ("my-index-000001", {LOCAL: "my-index-000001"}),
    ("cluster_one:my-index-000001", {"cluster_one": "my-index-000001"}),
    (
        "my-index-000001,cluster_one:my-index-000001,cluster_two:my-index-000001",
        {
            LOCAL: "my-index-000001",
            "cluster_one": "my-index-000001",
            "cluster_two": "my-index-000001",
        },
    ),
    (
        "*:my-index-000001",
        {
            "cluster_one": "my-index-000001",
            "cluster_two": "my-index-000001",
            "cluster_three": "my-index-000001",
        },
    ),
    (
        "my-index-000001,cluster_one:my-index-000001,cluster_two:my-index*",
        {LOCAL: "my-index-000001", "cluster_one": "my-index-000001", "cluster_two": "my-index*"},
    ),
    (
        "cluster_one:my-index*,cluster_two:logs*",
        {"cluster_one": "my-index*", "cluster_two": "logs*"},
    ),
    # the spec page's exclusions
    (
        "my-index-000001,cluster*:my-index-000001,-cluster_three:*",
        {
            LOCAL: "my-index-000001",
            "cluster_one": "my-index-000001",
            "cluster_two": "my-index-000001",
        },
    ),
    (
        "my-index-000001,cluster*:my-index-*,cluster_three:-my-index-000001",
        {
            LOCAL: "my-index-000001",
            "cluster_one": "my-index-*",
            "cluster_two": "my-index-*",
            "cluster_three": "my-index-*,-my-index-000001",
        },
    ),
    # DESIGN §3
    (
        "a,cluster_one:b,*:logs-*,-cluster_three:*,cluster_two:-b",
        {LOCAL: "a", "cluster_one": "b,logs-*", "cluster_two": "logs-*,-b"},
    ),
    # remotes in the order they first appear, a wildcard in configuration order
    ("cluster_two:x,*:y", {"cluster_two": "x,y", "cluster_one": "y", "cluster_three": "y"}),
    ("cluster_two:x,a", {LOCAL: "a", "cluster_two": "x"}),
    # local patterns keep their text: exclusions, selectors, date math
    ("logs-*,-logs-old", {LOCAL: "logs-*,-logs-old"}),
    ("a::failures,b::data", {LOCAL: "a::failures,b::data"}),
    ("<logs-{now/d}>", {LOCAL: "<logs-{now/d}>"}),
    ('"<logs-{now/d{yyyy.MM.dd|+12:00}}>"', {LOCAL: "<logs-{now/d{yyyy.MM.dd|+12:00}}>"}),
    ("logs*,-<logs-{now/d}>", {LOCAL: "logs*,-<logs-{now/d}>"}),
    # date math after an alias is that remote's (splitIndexName looks at the start only)
    ("cluster_one:<logs-{now/d}>", {"cluster_one": "<logs-{now/d}>"}),
    # alias wildcards match remotes only, possibly none
    ("x*:foo", {}),
    ("logs,x*:foo", {LOCAL: "logs"}),
    ("cluster_t*:a", {"cluster_two": "a", "cluster_three": "a"}),
    ("*:a,-cluster_o*:*", {"cluster_two": "a", "cluster_three": "a"}),
    ("a,*:b,-*:*", {LOCAL: "a"}),
    ("cluster_one:a,b,-cluster_one:*", {LOCAL: "b"}),
    # quoted patterns, spaces after commas
    ('"cluster_one:a, cluster_two:b"', {"cluster_one": "a", "cluster_two": "b"}),
    (
        '"a, cluster_one:-b, -cluster_two:*", cluster_t*:c',
        {LOCAL: "a", "cluster_one": "-b", "cluster_three": "c"},
    ),
    # duplicates stay, as in Elasticsearch's lists
    ("cluster_one:a,cluster_one:a", {"cluster_one": "a,a"}),
]


@pytest.mark.parametrize(("text", "expected"), GOLDEN, ids=[t for t, _ in GOLDEN])
def test_golden_targets(text: str, expected: dict[str, str]) -> None:
    got = targets_of(text)
    assert got == expected
    assert list(got) == list(expected)  # local first, then remotes in order


def test_target_patterns_lose_the_alias_and_keep_exclusions() -> None:
    target = resolve_targets(from_patterns("cluster_one:a*,cluster_one:-ab"), LOCAL, REMOTES)[
        "cluster_one"
    ]
    assert [(p.cluster, p.index) for p in target.patterns] == [(None, "a*"), (None, "-ab")]
    assert not target.local
    assert target.qualified() == ["cluster_one:a*", "cluster_one:-ab"]


def test_local_target_is_marked_local() -> None:
    target = resolve_targets(from_patterns("a,b*"), LOCAL, REMOTES)[LOCAL]
    assert target.local and target.qualified() == ["a", "b*"]


# --------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("text", "alias"),
    [
        ("nope:idx", "nope"),
        ("a,cluster_one:b,nope:c", "nope"),
        ("-nope:*", "nope"),
        ("-nope:idx", "nope"),  # the alias is resolved before the index part is checked
        ("local:idx", "local"),  # a prefix never names the local cluster
    ],
)
def test_unknown_alias(text: str, alias: str) -> None:
    err = error_of(text)
    assert isinstance(err, NoSuchRemoteClusterError)
    assert err.reason == f"no such remote cluster: [{alias}]"
    assert (err.type, err.status) == ("no_such_remote_cluster_exception", 404)


def test_cluster_exclusion_needs_the_star_index() -> None:
    err = error_of("my-index,-cluster_one:my-index")
    assert isinstance(err, IllegalArgumentError)
    assert err.reason == (
        "To exclude a cluster you must specify the '*' wildcard for the index expression, "
        "but found: [my-index]"
    )
    assert (err.type, err.status) == ("illegal_argument_exception", 400)


def test_cluster_exclusion_with_a_selector_other_than_star() -> None:
    patterns = [
        ast.IndexPattern("a", "cluster_one"),
        ast.IndexPattern("*", "-cluster_one", selector="data"),
    ]
    with pytest.raises(IllegalArgumentError) as info:
        resolve_targets(patterns, LOCAL, REMOTES)
    assert info.value.reason == (
        "To exclude a cluster you must specify the '::*' selector or leave it off, "
        "but found: [data]"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "-cluster_one:*",
            "Attempt to exclude cluster [cluster_one] failed as it is not included in the list "
            "of clusters to be included: []. Input: [-cluster_one:*]",
        ),
        (
            "a,-cluster_one:*",
            "Attempt to exclude cluster [cluster_one] failed as it is not included in the list "
            "of clusters to be included: [(local)]. Input: [a,-cluster_one:*]",
        ),
        (
            "a,-cluster_two:*,-cluster_one:*",
            "Attempt to exclude clusters [cluster_one, cluster_two] failed as they are not "
            "included in the list of clusters to be included: [(local)]. "
            "Input: [a,-cluster_two:*,-cluster_one:*]",
        ),
        # the included clusters print in Java HashMap order, not in query order
        (
            "cluster_one:y,cluster_three:x,a,-cluster_two:*",
            "Attempt to exclude cluster [cluster_two] failed as it is not included in the list "
            "of clusters to be included: [(local), cluster_three, cluster_one]. "
            "Input: [cluster_one:y,cluster_three:x,a,-cluster_two:*]",
        ),
        (
            "cluster_one:a,-cluster_one:*",
            "The '-' exclusions in the index expression list excludes all indexes. "
            "Nothing to search. Input: [cluster_one:a,-cluster_one:*]",
        ),
        (
            "*:a,-*:*",
            "The '-' exclusions in the index expression list excludes all indexes. "
            "Nothing to search. Input: [*:a,-*:*]",
        ),
    ],
)
def test_exclusion_errors(text: str, message: str) -> None:
    err = error_of(text)
    assert isinstance(err, IllegalArgumentError)
    assert err.reason == message


def test_excluding_with_a_wildcard_that_matches_nothing_is_fine() -> None:
    assert targets_of("a,-x*:*") == {LOCAL: "a"}


def test_bare_pattern_without_a_local_cluster() -> None:
    assert targets_of("cluster_one:a", local=None) == {"cluster_one": "a"}
    with pytest.raises(NoLocalClusterError, match=r"\[logs\] needs a cluster prefix"):
        targets_of("cluster_one:a,logs", local=None)


def test_local_alias_is_not_a_remote_even_when_listed() -> None:
    targets = resolve_targets(from_patterns("*:a"), LOCAL, (LOCAL, "cluster_one"))
    assert list(targets) == ["cluster_one"]


# ------------------------------------------------------------ splitting names


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("c1:idx", ("c1", "idx")),
        ("c1:-idx", ("c1", "-idx")),
        ("-c1:*", ("-c1", "*")),
        ("idx", (None, "idx")),
        ("idx::failures", (None, "idx::failures")),
        ("<logs-{now/d{yyyy.MM.dd|+12:00}}>", (None, "<logs-{now/d{yyyy.MM.dd|+12:00}}>")),
        ("-<logs-{now/d}>", (None, "-<logs-{now/d}>")),
        ("c1:<logs-{now/d}>", ("c1", "<logs-{now/d}>")),
    ],
)
def test_split_index_name(text: str, expected: tuple[str | None, str]) -> None:
    assert split_index_name(text) == expected


def test_split_index_name_with_an_empty_remote_part() -> None:
    with pytest.raises(IllegalArgumentError) as info:
        split_index_name(":idx")
    assert info.value.reason == "index name [:idx] is invalid because the remote part is empty"


def test_parse_expression() -> None:
    parsed = parse_expression("c1:idx*, logs ,c1:-idx2,a::failures,")
    assert [(p.cluster, p.index, p.selector) for p in parsed] == [
        ("c1", "idx*", None),
        (None, "logs", None),
        ("c1", "-idx2", None),
        (None, "a", "failures"),
    ]


# ------------------------------------------------- resolving on one cluster


def remote_catalog() -> MemCatalog:
    cat = MemCatalog("cluster_one")
    for name in ("logs-1", "logs-2", "metrics"):
        cat.add(name, {"x": T.LONG})
    return cat


def target(text: str) -> ClusterTarget:
    return resolve_targets(from_patterns(text), LOCAL, REMOTES)["cluster_one"]


def test_target_indices() -> None:
    assert target_indices(target("cluster_one:logs-*,cluster_one:-logs-2"), remote_catalog()) == [
        "logs-1"
    ]
    assert target_indices(target("cluster_one:nope*"), remote_catalog()) == []


@pytest.mark.parametrize(
    ("text", "missing"),
    [
        ("cluster_one:nomatch", ["nomatch"]),
        ("cluster_one:nomatch*", []),  # a wildcard matching nothing: successful, 0 shards
        ("cluster_one:metrics,cluster_one:nomatch", []),  # something matched on the cluster
        ("cluster_one:nomatch,cluster_one:gone*", ["nomatch"]),
        ("cluster_one:-metrics", ["-metrics"]),  # Elasticsearch counts exclusions as concrete
        ("cluster_one:<nomatch-{now/d}>", []),  # date math is never "concrete" there
    ],
)
def test_missing_concrete(text: str, missing: list[str]) -> None:
    assert missing_concrete(target(text), remote_catalog()) == missing


def test_concrete_patterns() -> None:
    assert concrete_patterns(target("cluster_one:a,cluster_one:b*,cluster_one:<c-{now/d}>")) == [
        "a"
    ]


def test_unknown_index_prefixes_the_whole_expression_once() -> None:
    assert target("cluster_one:nomatch,cluster_one:x*").unknown_index() == (
        "Unknown index [cluster_one:nomatch,x*]"
    )
    local = resolve_targets(from_patterns("nomatch,x*"), LOCAL, REMOTES)[LOCAL]
    assert local.unknown_index() == "Unknown index [nomatch,x*]"


def test_qualified_expression_puts_remotes_before_the_local_cluster() -> None:
    # CrossClusterQueryIT: FROM nomatch*,cluster-a:nomatch → Unknown index [cluster-a:nomatch,nomatch*]
    targets = resolve_targets(
        from_patterns("nomatch*,cluster_two:nomatch,cluster_one:a*,cluster_one:b"), LOCAL, REMOTES
    )
    assert qualified_expression(targets.values()) == (
        "cluster_two:nomatch,cluster_one:a*,cluster_one:b,nomatch*"
    )
