"""suggest(text_before_cursor): every prefix of every corpus query, and the right
kinds at the positions that matter."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import esqlsh.repl.completion.suggest as suggest_module
from esqlsh.analysis.types import DataType
from esqlsh.repl.completion.suggest import (
    AddFields,
    AddLookupFields,
    AddPolicyFields,
    Cluster,
    Command,
    DropFields,
    Field,
    FieldScope,
    FilePath,
    Format,
    Function,
    Index,
    KeepFields,
    Keyword,
    LookupIndex,
    MetaCommand,
    NewField,
    Policy,
    PolicyField,
    RenameFields,
    ReplaceFields,
    Source,
    Suggestion,
    suggest,
    suggest_strict,
)
from esqlsh.syntax.tokenizer import tokenize

QUERIES = Path(__file__).with_name("queries.txt")
KINDS = (
    Command,
    Keyword,
    Function,
    Field,
    Cluster,
    Index,
    Policy,
    PolicyField,
    LookupIndex,
    MetaCommand,
    Format,
    FilePath,
)


def read_queries(text: str) -> list[str]:
    """Blocks separated by blank lines; '#' lines are comments."""
    out: list[str] = []
    block: list[str] = []
    for line in text.split("\n"):
        if line.startswith("#"):
            continue
        if not line.strip():
            if block:
                out.append("\n".join(block))
            block = []
            continue
        block.append(line)
    if block:
        out.append("\n".join(block))
    return out


_TEXT = QUERIES.read_text(encoding="utf-8")
CORPUS = read_queries(_TEXT)
# the queries before the broken and half-typed ones
VALID = read_queries(_TEXT.split("# broken and half-typed")[0])


def test_the_corpus_is_large_and_varied() -> None:
    assert len(CORPUS) >= 200 and len(VALID) >= 200 and len(CORPUS) - len(VALID) >= 50
    text = "\n".join(CORPUS)
    for needle in ("cluster_one:", "*:", "_remote:", "_coordinator:", "LOOKUP JOIN", "\\format"):
        assert needle in text


@pytest.mark.parametrize("query", CORPUS, ids=[str(i) for i in range(len(CORPUS))])
def test_every_prefix_suggests_without_raising(query: str) -> None:
    for end in range(len(query) + 1):
        text = query[:end]
        found = suggest_strict(text)
        for s in found:
            assert isinstance(s, KINDS), (text, s)
            # the completer replaces the prefix: it must be what was typed last
            assert text.endswith(s.prefix), (text, s)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('FROMfrom EVAL|:*,-_`"/()=?1.\\\n;abc')), max_size=40))
def test_arbitrary_text_never_raises(text: str) -> None:
    assert isinstance(suggest(text), list)
    suggest_strict(text)


def kinds(text: str) -> list[type]:
    return [type(s) for s in suggest(text)]


def only(text: str, kind: type) -> Suggestion:
    found = [s for s in suggest(text) if isinstance(s, kind)]
    assert len(found) == 1, (text, suggest(text))
    return found[0]


# ------------------------------------------------------------ key positions


def test_source_command_at_the_start() -> None:
    assert suggest("") == [Command("", True)]
    assert suggest("  fr") == [Command("fr", True)]
    assert suggest("FROM") == [Command("FROM", True)]


def test_after_from_clusters_and_local_indices() -> None:
    assert suggest("FROM ") == [Cluster(""), Index("", None)]
    assert suggest("FROM clus") == [Cluster("clus"), Index("clus", None)]
    assert suggest("FROM a, -clu") == [Cluster("clu"), Index("clu", None)]


def test_after_a_cluster_prefix_its_indices() -> None:
    assert suggest("FROM cluster_one:") == [Index("", "cluster_one")]
    assert suggest("FROM a,cluster_one:my-i") == [Index("my-i", "cluster_one")]
    assert suggest("FROM *:") == [Index("", "*")]
    assert suggest("FROM cluster*:-my") == [Index("my", "cluster*")]


def test_from_metadata() -> None:
    assert suggest("FROM a ") == [Keyword("", ("METADATA",))]
    assert suggest("FROM a me") == [Keyword("me", ("METADATA",))]
    found = only("FROM a METADATA _i", Keyword)
    assert isinstance(found, Keyword) and "_index" in found.words and found.verbatim
    assert suggest("FROM a METADATA _index ") == []


def test_processing_command_after_a_pipe() -> None:
    assert suggest("FROM a | ") == [Command("", False)]
    assert suggest("FROM a\n| ev") == [Command("ev", False)]
    assert suggest("ROW a = 1 | LIMIT 1 | ") == [Command("", False)]
    words = suggest_module.PROCESSING_COMMANDS
    assert "LOOKUP JOIN" in words and "INLINE STATS" in words and "FROM" not in words
    assert "FORK" not in words  # esqlsh does not run it


def test_function_after_eval_assignment() -> None:
    found = suggest("FROM a | EVAL x = TO_")
    assert kinds("FROM a | EVAL x = TO_") == [Field, Function]
    function = found[1]
    assert isinstance(function, Function) and function.prefix == "TO_"
    assert function.kinds == frozenset({"scalar"})


def test_stats_positions() -> None:
    assert kinds("FROM a | STATS ") == [Function, Keyword]
    start = only("FROM a | STATS c = ", Function)
    assert isinstance(start, Function) and "aggregate" in start.kinds
    by = suggest("FROM a | STATS c = COUNT(*) BY ")
    assert [type(s) for s in by] == [Field, Function]
    assert isinstance(by[1], Function) and by[1].kinds == frozenset({"grouping", "scalar"})
    inside = only("FROM a | STATS c = MAX(", Function)
    assert isinstance(inside, Function) and "aggregate" not in inside.kinds
    nested = only("FROM a | STATS c = ROUND(", Function)
    assert isinstance(nested, Function) and "aggregate" in nested.kinds
    after = only("FROM a | STATS c = COUNT(*) ", Keyword)
    assert isinstance(after, Keyword) and {"BY", "WHERE"} <= set(after.words)
    filtered = only("FROM a | STATS c = COUNT(*) WHERE x > y ", Keyword)
    assert (
        isinstance(filtered, Keyword) and "WHERE" not in filtered.words and "BY" in filtered.words
    )


def test_enrich_positions() -> None:
    start = suggest("FROM a | ENRICH ")
    assert start[0] == Keyword("", ("_any:", "_coordinator:", "_remote:"), True)
    assert start[1] == Policy("", None, ("",))
    assert suggest("FROM a, cluster_one:b | ENRICH _remote:") == [
        Policy("", "_remote", ("", "cluster_one"))
    ]
    assert suggest("FROM a | ENRICH _Coordinator:ho") == [Policy("ho", "_coordinator", ("",))]
    assert suggest("FROM a | ENRICH hosts ") == [Keyword("", ("ON", "WITH"))]
    assert kinds("FROM a | ENRICH hosts ON ") == [Field]
    assert suggest("FROM a | ENRICH hosts ON ip ") == [Keyword("", ("WITH",))]
    assert suggest("FROM a | ENRICH _any:hosts ON ip WITH x = ") == [
        PolicyField("", "hosts", "_any")
    ]
    assert suggest("FROM a | ENRICH hosts WITH host_name, o") == [PolicyField("o", "hosts", None)]


def test_lookup_join_positions() -> None:
    assert suggest("FROM a | LOOKUP ") == [Keyword("", ("JOIN",))]
    assert suggest("FROM a | LOOKUP JOIN ") == [LookupIndex("")]
    assert suggest("FROM a | LOOKUP JOIN lk") == [LookupIndex("lk")]
    assert suggest("FROM a | LOOKUP JOIN lk ") == [Keyword("", ("ON",))]
    on = only("FROM a | LOOKUP JOIN lk ON ", Field)
    assert isinstance(on, Field) and on.scope.steps == (AddLookupFields("lk"),)


def test_keep_after_eval_sees_the_new_field() -> None:
    field = only("FROM logs | EVAL kb = bytes / 1024 | KEEP ", Field)
    assert isinstance(field, Field)
    assert field.scope.sources == (Source("logs"),)
    (step,) = field.scope.steps
    assert isinstance(step, AddFields) and [f.name for f in step.fields] == ["kb"]
    # typed once the input's types are known: long / integer is long
    assert step.fields[0].type_given({"bytes": "long"}.get) == "long"
    assert step.fields[0].type_given(lambda name: None) == ""


def test_meta_commands() -> None:
    assert suggest("\\for") == [MetaCommand("\\for")]
    assert suggest("\\") == [MetaCommand("\\")]
    assert suggest("\\format ") == [Format("")]
    assert suggest("\\format cs") == [Format("cs")]
    assert suggest("\\format csv ") == []
    assert suggest("\\describe cluster_one:my") == [Index("my", "cluster_one")]
    assert suggest("\\indices clu") == [Cluster("clu"), Index("clu", None)]
    assert suggest("\\i ./q") == [FilePath("./q")]
    assert suggest("\\refresh c") == [Cluster("c", colon=False)]
    assert kinds("\\help TO_") == [Keyword, Function]
    assert suggest("\\explain FROM a | ") == [Command("", False)]
    assert suggest("\\q ") == []


# ------------------------------------------------------------- expressions


def test_after_a_value_operators_and_clause_words() -> None:
    where = only("FROM a | WHERE x ", Keyword)
    assert isinstance(where, Keyword) and {"AND", "OR", "IS NULL", "LIKE"} <= set(where.words)
    sort = only("FROM a | SORT x ", Keyword)
    assert isinstance(sort, Keyword) and "NULLS FIRST" in sort.words and "DESC" in sort.words
    assert suggest("FROM a | SORT x NULLS ") == [Keyword("", ("FIRST", "LAST"))]
    assert suggest("FROM a | SORT x DESC ") == [Keyword("", ("NULLS FIRST", "NULLS LAST"))]
    assert suggest("FROM a | WHERE x IS ") == [Keyword("", ("NULL", "NOT NULL"))]
    assert suggest("FROM a | WHERE x LIKE ") == []


def test_time_spans_and_casts() -> None:
    found = suggest("FROM a | WHERE t > NOW() - 1 d")
    units = found[-1]
    assert isinstance(units, Keyword) and units.verbatim and "day" in units.words
    cast = only("FROM a | EVAL y = x::", Keyword)
    assert isinstance(cast, Keyword) and "long" in cast.words and cast.verbatim


def test_dotted_and_quoted_names_are_one_prefix() -> None:
    assert [s.prefix for s in suggest("FROM a | KEEP user.")] == ["user."]
    assert [s.prefix for s in suggest("FROM a | WHERE user.na")] == ["user.na", "user.na"]
    assert [s.prefix for s in suggest("FROM a | EVAL `my fi")] == ["`my fi", "`my fi"]
    assert [s.prefix for s in suggest("FROM a | EVAL _")] == ["_", "_"]


def test_strings_and_comments_suggest_nothing() -> None:
    assert suggest('FROM a | WHERE x == "ab') == []
    assert suggest('FROM a | WHERE x == """ab') == []
    assert suggest("FROM a | WHERE x // note") == []
    assert suggest("FROM a | WHERE x /* note") == []
    assert kinds("FROM a /* c */ | WHERE x // note\n AND ") == [Field, Function]


def test_statements_after_a_semicolon() -> None:
    assert suggest("FROM a;") == [Command("", True)]
    assert suggest('SET a = "x;y"; FR') == [Command("FR", True)]
    field = only("FROM a | EVAL b = 1; FROM c | KEEP ", Field)
    assert isinstance(field, Field) and field.scope.sources == (Source("c"),)


def test_rename_and_eval_items() -> None:
    assert suggest("FROM a | RENAME x ") == [Keyword("", ("AS",))]
    assert suggest("FROM a | RENAME x AS ") == []
    assert kinds("FROM a | RENAME x AS y, ") == [Field]
    assert kinds("FROM a | RENAME y = ") == [Field]
    field = only("FROM a | EVAL a1 = 1, a2 = ", Field)
    assert isinstance(field, Field)
    assert field.scope.steps == (AddFields((NewField("a1"),), "EVAL"),)


# ------------------------------------------------------------------ scopes


def scope_at(text: str) -> FieldScope:
    field = only(text, Field)
    assert isinstance(field, Field)
    return field.scope


def test_scope_tracks_each_command() -> None:
    scope = scope_at(
        "FROM logs*, cluster_one:logs-*, -cluster_two:* METADATA _index\n"
        '| DISSECT msg "%{verb} %{path}"\n'
        '| GROK msg "%{NUMBER:code:int}"\n'
        "| ENRICH _remote:hosts ON ip WITH h = host_name\n"
        "| LOOKUP JOIN lk ON ip\n"
        "| RENAME h AS host\n"
        "| DROP path\n"
        "| STATS c = COUNT(*), MAX(code) BY host, b = BUCKET(@timestamp, 1 hour)\n"
        "| KEEP c, b*\n"
        "| WHERE "
    )
    assert scope.sources == (
        Source("logs*"),
        Source("logs-*", "cluster_one"),
        Source("*", "-cluster_two"),
    )
    assert scope.steps == (
        AddFields((NewField("_index", DataType.KEYWORD),), "METADATA"),
        AddFields(
            (NewField("verb", DataType.KEYWORD), NewField("path", DataType.KEYWORD)), "DISSECT"
        ),
        AddFields((NewField("code", DataType.INTEGER),), "GROK"),
        AddPolicyFields("hosts", "_remote", (("h", "host_name"),)),
        AddLookupFields("lk"),
        RenameFields((("h", "host"),)),
        DropFields(("path",)),
        scope.steps[7],
        KeepFields(("c", "b*")),
    )
    stats = scope.steps[7]
    assert isinstance(stats, ReplaceFields)
    assert [(f.name, f.type, f.copy_of) for f in stats.fields] == [
        ("c", DataType.LONG, None),
        ("MAX(code)", None, None),
        ("host", None, "host"),
        ("b", None, None),
    ]
    types = {"code": "integer", "@timestamp": "date", "host": "keyword"}.get
    assert [f.type_given(types) for f in stats.fields] == ["long", "integer", "keyword", "date"]


def test_scope_of_a_row_and_typed_evals() -> None:
    scope = scope_at('ROW a = 1, b = "x" | EVAL c = a > 1, d = a::long, e = TO_STRING(a) | KEEP ')
    assert scope.sources == ()
    row, evald = scope.steps
    assert row == AddFields(
        (NewField("a", DataType.INTEGER), NewField("b", DataType.KEYWORD)), "ROW"
    )
    assert evald == AddFields(
        (
            NewField("c", DataType.BOOLEAN),
            NewField("d", DataType.LONG),
            NewField("e", DataType.KEYWORD),
        ),
        "EVAL",
    )


def test_a_command_that_does_not_parse_still_counts_its_assignments() -> None:
    scope = scope_at("FROM a | EVAL x = 1, y = 2 + | KEEP ")
    assert scope.steps == (AddFields((NewField("x"), NewField("y")), "EVAL"),)
    broken_from = scope_at("FROM a, cluster_one:b METADATA nope | KEEP ")
    assert broken_from.sources == (Source("a"), Source("b", "cluster_one"))


def test_incremental_tokens_equal_a_fresh_tokenize() -> None:
    for query in CORPUS[::7]:
        for end in range(0, len(query) + 1, 3):
            text = query[:end]
            fresh = [(t.type, t.text, t.start, t.end) for t in tokenize(text)]
            cached = [(t.type, t.text, t.start, t.end) for t in suggest_module._tokens(text)]
            assert cached == fresh, text
