"""Every query of the conformance csv-specs: it parses (or fails for a known reason),
prints back to text that parses to the same AST, and every node's source is the
exact text of the node in the query."""

from __future__ import annotations

import pytest

from esqlsh.syntax import ast
from esqlsh.syntax.parser import parse
from esqlsh.syntax.printer import to_esql
from tests.syntax.astwalk import nodes
from tests.syntax.specs import all_queries

QUERIES = all_queries()

# Queries written for Elasticsearch versions after 9.1 (the specs come from several
# commits) that esqlsh speaks: the construct each one needs.
AFTER_91: dict[str, type] = {
    "date_trunc.csv-spec:dateTruncTimezonesTimeDuration": ast.Setting,
    "date_trunc.csv-spec:dateTruncTimezonesDatePeriod": ast.Setting,
    "enrich.csv-spec:loadUnmappedFieldAfterEnrich": ast.Setting,
    "null.csv-spec:sumOfNullifiedUnmappedWithEval": ast.Setting,
    "null.csv-spec:avgOfNullifiedUnmappedWithEval": ast.Setting,
    "null.csv-spec:minOfNullifiedUnmappedWithEval": ast.Setting,
    "null.csv-spec:maxOfNullifiedUnmappedWithEval": ast.Setting,
    "grok.csv-spec:multiPatterns": ast.Grok,
    "grok.csv-spec:multiPatterns2": ast.Grok,
    "grok.csv-spec:pruneGrokWithInlineStatsPrunedEntirely": ast.InlineStats,
    "null.csv-spec:isNullWithOrDisjunctionStatsByLanguage": ast.InlineStats,
    "lookup-join.csv-spec:mvKeywordExpressionJoinWarningsFromLeftSide": ast.LookupJoin,
    "lookup-join.csv-spec:mvKeywordExpressionJoinWarningsFromLeftSideWhenNotKept": ast.LookupJoin,
    "lookup-join.csv-spec:mvKeywordExpressionJoinWarningsFromRightSide": ast.LookupJoin,
    "lookup-join.csv-spec:mvKeywordExpressionJoinWarningsFromRightSideWhenNotKept": ast.LookupJoin,
}

PARSED = [(q, parse(q.query)) for q in QUERIES]


def test_spec_corpus_is_read() -> None:
    assert len(QUERIES) > 1000
    assert set(AFTER_91) <= {q.id for q in QUERIES}


@pytest.mark.parametrize("query_id", sorted(AFTER_91))
def test_queries_beyond_91_parse(query_id: str) -> None:
    tree = next(tree for q, tree in PARSED if q.id == query_id)
    found = [n for n in nodes(tree) if isinstance(n, AFTER_91[query_id])]
    assert found
    node = found[0]
    if isinstance(node, ast.Grok):
        assert len(node.patterns) == 2
    if isinstance(node, ast.LookupJoin):
        assert node.on == () and isinstance(node.condition, ast.Binary)


def test_every_parsed_query_round_trips() -> None:
    failures = []
    for spec, tree in PARSED:
        printed = to_esql(tree)
        if parse(printed) != tree:
            failures.append((spec.id, printed))
    assert failures == []


def test_printing_is_stable() -> None:
    for _, tree in PARSED:
        printed = to_esql(tree)
        assert to_esql(parse(printed)) == printed


def test_every_source_is_the_node_text() -> None:
    for spec, tree in PARSED:
        text = spec.query
        line_starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]
        for node in nodes(tree):
            s = node.source
            assert s.text == text[s.start : s.end], (spec.id, node)
            assert line_starts[s.line - 1] + s.column - 1 == s.start, (spec.id, node)
            assert s.text == s.text.strip(), (spec.id, node)


def test_unnamed_columns_are_named_after_their_text() -> None:
    tree = parse("FROM employees | STATS MAX(languages), COUNT(*) BY   languages.long")
    stats = tree.commands[1]
    assert isinstance(stats, ast.Stats)
    assert [a.assignment.expr.source.text for a in stats.aggs] == ["MAX(languages)", "COUNT(*)"]
    assert stats.groups[0].expr.source.text == "languages.long"
