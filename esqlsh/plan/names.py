"""Names a plan command defines: the one answer the planner and the engine's
optimizer share (which columns a command adds or replaces, so whether a filter may
move before it, or whether a hoisted command changes a sort key)."""

from __future__ import annotations

from esqlsh.plan.logical import (
    DissectNode,
    EnrichNode,
    EvalNode,
    GrokNode,
    LookupJoinNode,
    MvExpandNode,
    OrderBy,
    PlanNode,
)


def added_names(node: PlanNode) -> set[str] | None:
    """The columns ``node`` adds or overwrites, keeping every other column and
    every row's other values as they are; None for a command that is not like
    that (FROM, WHERE, STATS, KEEP, LIMIT …). SORT adds nothing: ``set()``."""
    if isinstance(node, EvalNode):
        return {name for name, _ in node.fields}
    if isinstance(node, DissectNode):
        return set(node.keys)
    if isinstance(node, GrokNode):
        return {f.name for f in node.fields}
    if isinstance(node, EnrichNode):
        return {name for name, _, _ in node.fields}
    if isinstance(node, LookupJoinNode):
        return {f.name for f in node.fields}
    if isinstance(node, MvExpandNode):
        return {node.field}
    if isinstance(node, OrderBy):
        return set()
    return None
