"""``added_names``: which columns each plan command adds, the one answer the
split planner and the engine's filter push-down share."""

from __future__ import annotations

from esqlsh.analysis.analyzer import analyze
from esqlsh.plan.logical import LimitNode, PlanNode
from esqlsh.plan.names import added_names
from esqlsh.syntax.parser import parse
from tests.plan.dataset import whole


def _last(query: str) -> PlanNode:
    """The query's last command (before the implicit LIMIT the analyzer adds)."""
    nodes = analyze(parse(query), whole()).nodes
    assert isinstance(nodes[-1], LimitNode)
    return nodes[-2]


def test_row_wise_commands_name_what_they_add() -> None:
    assert added_names(_last("FROM emp | EVAL a = 1, b = a + 1")) == {"a", "b"}
    assert added_names(_last('FROM emp | DISSECT first_name "%{x} %{y}"')) == {"x", "y"}
    assert added_names(_last('FROM emp | GROK first_name "%{WORD:w}"')) == {"w"}
    assert added_names(_last("FROM emp | ENRICH langs ON languages")) == {"lang_name"}
    assert added_names(_last("FROM emp | LOOKUP JOIN lang_lookup ON languages")) == {
        "language_name"
    }
    assert added_names(_last("FROM emp | MV_EXPAND tags")) == {"tags"}


def test_sort_adds_nothing_and_other_commands_are_none() -> None:
    assert added_names(_last("FROM emp | SORT salary")) == set()
    for query in (
        "FROM emp | WHERE salary > 1",
        "FROM emp | KEEP salary",
        "FROM emp | LIMIT 3 | SORT salary DESC | LIMIT 2 | KEEP emp_no",
        "FROM emp | STATS c = COUNT(*)",
    ):
        assert added_names(_last(query)) is None, query
