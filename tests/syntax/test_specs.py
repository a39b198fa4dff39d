"""Every query of the conformance csv-specs: it parses (or fails for a known reason),
prints back to text that parses to the same AST, and every node's source is the
exact text of the node in the query."""

from __future__ import annotations

import pytest

from esqlsh.errors import EsqlError
from esqlsh.syntax import ast
from esqlsh.syntax.parser import parse
from esqlsh.syntax.printer import to_esql
from tests.syntax.astwalk import nodes
from tests.syntax.specs import SpecQuery, all_queries

QUERIES = all_queries()

# Queries written for Elasticsearch versions after 9.1 (the specs come from several
# commits): 9.1 rejects them too, with these errors.
NOT_91 = {
    "date_trunc.csv-spec:dateTruncTimezonesTimeDuration": "SET",
    "date_trunc.csv-spec:dateTruncTimezonesDatePeriod": "SET",
    "enrich.csv-spec:loadUnmappedFieldAfterEnrich": "SET",
    "null.csv-spec:sumOfNullifiedUnmappedWithEval": "SET",
    "null.csv-spec:avgOfNullifiedUnmappedWithEval": "SET",
    "null.csv-spec:minOfNullifiedUnmappedWithEval": "SET",
    "null.csv-spec:maxOfNullifiedUnmappedWithEval": "SET",
    "grok.csv-spec:multiPatterns": "mismatched input ','",
    "grok.csv-spec:multiPatterns2": "mismatched input ','",
    "grok.csv-spec:pruneGrokWithInlineStatsPrunedEntirely": "mismatched input 'INLINE'",
    "null.csv-spec:isNullWithOrDisjunctionStatsByLanguage": "mismatched input 'INLINE'",
    "lookup-join.csv-spec:mvKeywordExpressionJoinWarningsFromLeftSide": "JOIN ON clause only supports fields",
    "lookup-join.csv-spec:mvKeywordExpressionJoinWarningsFromLeftSideWhenNotKept": "JOIN ON clause only supports fields",
    "lookup-join.csv-spec:mvKeywordExpressionJoinWarningsFromRightSide": "JOIN ON clause only supports fields",
    "lookup-join.csv-spec:mvKeywordExpressionJoinWarningsFromRightSideWhenNotKept": "JOIN ON clause only supports fields",
    "null.csv-spec:nullLiteralArgInMultiInputAggs": "extraneous input 'FIRST'",
    "null.csv-spec:nullFieldArgInMultiInputAggs": "extraneous input 'FIRST'",
}


def _parsed() -> list[tuple[SpecQuery, ast.Query]]:
    out = []
    for q in QUERIES:
        if q.id not in NOT_91:
            out.append((q, parse(q.query)))
    return out


PARSED = _parsed()


def test_spec_corpus_is_read() -> None:
    assert len(QUERIES) > 1000
    assert len(PARSED) == len(QUERIES) - len(NOT_91)


@pytest.mark.parametrize("query_id", sorted(NOT_91))
def test_queries_beyond_91_fail(query_id: str) -> None:
    query = next(q for q in QUERIES if q.id == query_id)
    with pytest.raises(EsqlError) as info:
        parse(query.query)
    assert NOT_91[query_id] in str(info.value)


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
