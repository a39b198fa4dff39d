"""EsqlCompleter over the spec page's clusters (a local one, cluster_one…three and
an unreachable one): what a user sees at the key positions, and every prefix of
the corpus through the matchers without an exception."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest
from prompt_toolkit.completion import CompleteEvent, Completion
from prompt_toolkit.document import Document

from esqlsh.clusters.ingest import load_index
from esqlsh.clusters.registry import Registry
from esqlsh.repl.completion import EsqlCompleter, MetadataCache
from esqlsh.repl.completion.matchers import candidates, quote_name
from esqlsh.repl.completion.suggest import suggest_strict
from tests.coordinator.ccs_fixtures import LOCAL, build_world
from tests.repl.test_suggest import CORPUS


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    root = tmp_path_factory.mktemp("world")
    world = build_world(root)
    docs = root / "owners.ndjson"
    docs.write_text(json.dumps({"ip": "10.0.0.1", "owner": "ops"}) + "\n", encoding="utf-8")
    mapping = {"properties": {"ip": {"type": "ip"}, "owner": {"type": "keyword"}}}
    settings = {"index": {"mode": "lookup"}}
    load_index(world.paths[LOCAL], "owners", docs, mapping=mapping, settings=settings)
    with world.registry(dead={"dead": True}) as made:
        yield made


@pytest.fixture(scope="module")
def completer(registry: Registry) -> EsqlCompleter:
    metadata = MetadataCache(registry)
    assert metadata.wait(20)
    return EsqlCompleter(metadata)


def complete(completer: EsqlCompleter, text: str, after: str = "") -> list[Completion]:
    document = Document(text + after, cursor_position=len(text))
    return list(completer.get_completions(document, CompleteEvent(completion_requested=True)))


def texts(found: list[Completion]) -> list[str]:
    return [c.text for c in found]


def metas(found: list[Completion]) -> dict[str, str]:
    return {c.text: c.display_meta_text for c in found}


# ---------------------------------------------------------------- FROM


def test_from_offers_clusters_and_local_indices(completer: EsqlCompleter) -> None:
    found = texts(complete(completer, "FROM "))
    assert found[:5] == ["*:", "cluster_one:", "cluster_three:", "cluster_two:", "dead:"]
    assert {"my-index-000001", "hosts", "vendors", "owners"} <= set(found)


def test_clus_completes_to_a_cluster_prefix(completer: EsqlCompleter) -> None:
    found = complete(completer, "FROM clus")
    assert texts(found) == ["cluster_one:", "cluster_three:", "cluster_two:"]
    assert all(c.start_position == -4 for c in found)
    assert metas(found)["cluster_one:"] == "embedded cluster"


def test_an_unreachable_cluster_is_marked(completer: EsqlCompleter) -> None:
    assert metas(complete(completer, "FROM de"))["dead:"] == "elasticsearch cluster (failed)"
    assert complete(completer, "FROM dead:") == []


def test_cluster_prefix_completes_that_clusters_indices(completer: EsqlCompleter) -> None:
    found = complete(completer, "FROM cluster_one:")
    assert texts(found) == ["hosts", "my-index-000001", "vendors"]
    assert set(metas(found).values()) == {"cluster_one"}
    narrowed = complete(completer, "FROM cluster_three:my")
    assert texts(narrowed) == ["my-index-000001", "my-index-000002"]
    assert narrowed[0].start_position == -2


def test_every_remote_with_star(completer: EsqlCompleter) -> None:
    found = metas(complete(completer, "FROM *:my"))
    assert found == {
        "my-index-000001": "cluster_one, cluster_two, cluster_three",
        "my-index-000002": "cluster_three",
    }


# ---------------------------------------------------------------- commands and functions


def test_processing_commands_after_a_pipe(completer: EsqlCompleter) -> None:
    found = texts(complete(completer, "FROM my-index-000001 | "))
    assert {"EVAL", "STATS", "LOOKUP JOIN", "ENRICH", "KEEP"} <= set(found)
    assert texts(complete(completer, "from my-index-000001 | ev")) == ["eval"]
    assert texts(complete(completer, "FROM my-index-000001 | EV")) == ["EVAL"]


def test_functions_with_their_signatures(completer: EsqlCompleter) -> None:
    found = complete(completer, "FROM my-index-000001 | EVAL x = TO_")
    meta = metas(found)
    assert meta["TO_STRING("] == "TO_STRING(field)"
    assert all(t.startswith("TO_") for t in texts(found)[:10])
    assert found[0].start_position == -3
    # a parenthesis already after the cursor is not doubled
    assert "TO_STRING" in texts(complete(completer, "FROM a | EVAL x = TO_ST", after="(x)"))


def test_stats_by_offers_fields_then_grouping_functions(completer: EsqlCompleter) -> None:
    found = complete(completer, "FROM my-index-000001 | STATS c = COUNT(*) BY ")
    meta = metas(found)
    assert meta["user.id"] == "keyword"
    assert meta["http.response.status_code"] == "long"
    assert meta["@timestamp"] == "date"
    assert "BUCKET(" in meta and "COUNT(" not in meta
    assert texts(found).index("user.id") < texts(found).index("BUCKET(")


def test_aggregations_after_stats(completer: EsqlCompleter) -> None:
    found = texts(complete(completer, "FROM my-index-000001 | STATS c = COU"))
    assert found[:2] == ["COUNT(", "COUNT_DISTINCT("]


# ---------------------------------------------------------------- fields


def test_fields_of_every_cluster_in_from(completer: EsqlCompleter, registry: Registry) -> None:
    found = metas(complete(completer, "FROM my-index-000001,cluster_one:hosts | KEEP "))
    assert {"ip", "user.id", "host_name", "os"} <= set(found)


def test_keep_after_eval_offers_the_new_field(completer: EsqlCompleter) -> None:
    found = metas(
        complete(
            completer, "FROM my-index-000001 | EVAL day = DATE_TRUNC(1 day, @timestamp) | KEEP "
        )
    )
    assert found["day"] == "date"
    assert "user.id" in found
    stats = metas(
        complete(completer, "FROM my-index-000001 | STATS n = COUNT(*) BY user.id | SORT ")
    )
    assert stats == {"n": "long", "user.id": "keyword"} | {
        k: v for k, v in stats.items() if k.endswith("(")
    }


def test_enriched_and_joined_fields(completer: EsqlCompleter) -> None:
    found = metas(complete(completer, "FROM my-index-000001 | ENRICH hosts | KEEP h"))
    assert found["host_name"] == "keyword"
    joined = metas(complete(completer, "FROM my-index-000001 | LOOKUP JOIN owners ON ip | KEEP ow"))
    assert joined == {"owner": "keyword"}


def test_fuzzy_matches_come_after_prefix_matches(completer: EsqlCompleter) -> None:
    found = texts(complete(completer, "FROM my-index-000001 | KEEP usrid"))
    assert found[0] == "user.id"
    prefixed = texts(complete(completer, "FROM my-index-000001 | WHERE i"))
    assert prefixed[0] == "ip"


def test_dotted_prefix_replaces_the_whole_name(completer: EsqlCompleter) -> None:
    found = complete(completer, "FROM my-index-000001 | KEEP user.")
    assert texts(found) == ["user.id"]
    assert found[0].start_position == -5


def test_names_that_need_quotes_are_quoted() -> None:
    completer = EsqlCompleter()
    found = texts(complete(completer, "ROW `a b` = 1, c = 2 | KEEP "))
    assert found == ["`a b`", "c"]
    assert texts(complete(completer, "ROW `a b` = 1 | KEEP `a")) == ["`a b`"]
    assert quote_name("user.id") == "user.id"
    assert quote_name("COUNT(*)") == "`COUNT(*)`"
    assert quote_name("a`b") == "`a``b`"


# ---------------------------------------------------------------- enrich and lookup


def test_enrich_policies_by_mode(completer: EsqlCompleter) -> None:
    remote = metas(
        complete(completer, "FROM my-index-000001,cluster_one:my-index-000001 | ENRICH _remote:")
    )
    assert set(remote) == {"hosts", "vendors"}
    assert remote["hosts"] == "match on ip · querying, cluster_one"
    three = metas(complete(completer, "FROM cluster_three:my-index-000001 | ENRICH _remote:"))
    assert three == {}  # cluster_three has no policies
    coordinator = metas(
        complete(completer, "FROM cluster_three:my-index-000001 | ENRICH _coordinator:h")
    )
    assert coordinator == {"hosts": "match on ip · querying"}
    modes = texts(complete(completer, "FROM my-index-000001 | ENRICH _"))
    assert modes == ["_any:", "_coordinator:", "_remote:"]


def test_enrich_with_offers_the_policy_fields(completer: EsqlCompleter) -> None:
    found = metas(complete(completer, "FROM my-index-000001 | ENRICH hosts ON ip WITH "))
    assert found == {"host_name": "keyword · hosts", "os": "keyword · hosts"}
    on = texts(complete(completer, "FROM my-index-000001 | ENRICH hosts ON "))
    assert "ip" in on


def test_lookup_join_offers_lookup_indices(completer: EsqlCompleter) -> None:
    found = complete(completer, "FROM my-index-000001 | LOOKUP JOIN ")
    assert metas(found) == {"owners": "lookup index"}
    assert texts(complete(completer, "FROM my-index-000001 | LOOKUP J")) == ["JOIN"]


# ---------------------------------------------------------------- meta commands


def test_meta_commands_and_formats(completer: EsqlCompleter) -> None:
    assert texts(complete(completer, "\\for")) == ["\\format"]
    assert texts(complete(completer, "\\format c")) == ["csv"]
    described = metas(complete(completer, "\\describe cluster_one:ho"))
    assert described == {"hosts": "cluster_one"}
    assert "cluster_two" in texts(complete(completer, "\\refresh clu"))


# ---------------------------------------------------------------- robustness


def test_completion_does_not_wait_for_unreachable_clusters(completer: EsqlCompleter) -> None:
    started = time.monotonic()
    for text in ("FROM ", "FROM dead:", "FROM dead:x | KEEP ", "FROM *:m"):
        complete(completer, text)
    assert time.monotonic() - started < 0.5


@pytest.mark.parametrize("query", CORPUS, ids=[str(i) for i in range(len(CORPUS))])
def test_every_prefix_through_the_matchers(completer: EsqlCompleter, query: str) -> None:
    for end in range(len(query) + 1):
        text = query[:end]
        for c in candidates(suggest_strict(text), completer.metadata, completer.options):
            assert 0 <= c.replace <= len(text), (text, c)
            assert c.text, (text, c)
    # and the prompt_toolkit face, on the whole query and its last word
    for text in (query, query.rsplit(" ", 1)[0] + " "):
        for completion in complete(completer, text):
            assert -completion.start_position <= len(text)
