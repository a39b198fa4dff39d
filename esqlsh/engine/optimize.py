"""Plan rewrites the engine applies before running, as Elasticsearch's optimizer
does them (results, and which rows an expression is evaluated on — hence which
failures are reported — depend on them):

- LIMIT moves before EVAL, KEEP/DROP/RENAME, DISSECT, GROK and ENRICH (they keep
  every row and add none); adjacent LIMITs combine;
- LIMIT is copied before MV_EXPAND and LOOKUP JOIN (which can only add rows), so
  ``MV_EXPAND a | MV_EXPAND b | LIMIT 10`` never builds the whole product.
"""

from __future__ import annotations

from dataclasses import replace

from esqlsh.plan.logical import (
    DissectNode,
    EnrichNode,
    EvalNode,
    GrokNode,
    LimitNode,
    LookupJoinNode,
    MvExpandNode,
    PlanNode,
    Project,
)

_ROW_PRESERVING = (EvalNode, Project, DissectNode, GrokNode, EnrichNode)
_ROW_ADDING = (MvExpandNode, LookupJoinNode)


def _limited(node: PlanNode, count: int) -> bool:
    return isinstance(node, LimitNode) and node.count <= count


def push_down_limits(nodes: tuple[PlanNode, ...]) -> tuple[PlanNode, ...]:
    """``nodes`` with every LIMIT moved as early as it can go."""
    out = list(nodes)
    i = 1
    while i < len(out):
        node, prev = out[i], out[i - 1]
        if not isinstance(node, LimitNode) or i < 2:
            i += 1
            continue
        if isinstance(prev, LimitNode):
            out[i - 1 : i + 1] = [replace(prev, count=min(node.count, prev.count))]
            i = max(i - 1, 1)
        elif isinstance(prev, _ROW_PRESERVING):
            out[i - 1 : i + 1] = [replace(node, schema=out[i - 2].schema), prev]
            i = max(i - 1, 1)
        elif isinstance(prev, _ROW_ADDING) and not _limited(out[i - 2], node.count):
            out.insert(i - 1, replace(node, schema=out[i - 2].schema))
            i = max(i - 1, 1)
        else:
            i += 1
    return tuple(out)
