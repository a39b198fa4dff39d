"""Plan text: one line per node, for golden tests, ``\\explain`` and debugging.

Each line is ``NodeName[details] -> [column:type, ...]``; expressions print as
``name(args)`` of registry functions, ``column`` references and literals with
their type (``1:integer``, ``"a":keyword``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import singledispatch

from esqlsh.plan.logical import (
    Aggregate,
    Attribute,
    DissectNode,
    EnrichNode,
    EvalNode,
    Filter,
    FnCall,
    GrokNode,
    LimitNode,
    Lit,
    LookupJoinNode,
    MvExpandNode,
    OrderBy,
    Plan,
    PlanNode,
    Project,
    Ref,
    Relation,
    RowSource,
    SampleNode,
    ShowInfoSource,
    TemporalAmount,
    TExpr,
)


def plan_to_text(plan: Plan) -> str:
    """The plan, one node a line, then a ``warning:`` line per warning."""
    lines = [node_to_text(node) for node in plan.nodes]
    lines.extend(f"warning: {w}" for w in plan.warnings)
    return "\n".join(lines)


def node_to_text(node: PlanNode) -> str:
    return f"{type(node).__name__}[{_details(node)}] -> {schema_text(node.schema)}"


def schema_text(schema: Sequence[Attribute]) -> str:
    return "[" + ", ".join(f"{a.name}:{a.type.value}" for a in schema) + "]"


def expr_text(e: TExpr) -> str:
    if isinstance(e, Ref):
        return e.name
    if isinstance(e, Lit):
        return f"{_value_text(e.value)}:{e.type.value}"
    if e.star:
        return f"{e.name}(*)"
    return f"{e.name}({', '.join(expr_text(a) for a in e.args)})"


def _value_text(v: object) -> str:
    if isinstance(v, TemporalAmount):
        parts = [f"{n}={getattr(v, n)}" for n in ("months", "days", "millis") if getattr(v, n)]
        return "P(" + ",".join(parts) + ")"
    if isinstance(v, list):
        return "[" + ", ".join(_value_text(x) for x in v) + "]"
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def _fields(fields: Sequence[tuple[str, TExpr]]) -> str:
    return ", ".join(f"{n} = {expr_text(e)}" for n, e in fields)


@singledispatch
def _details(node: object) -> str:
    return ""


@_details.register
def _(node: Relation) -> str:
    text = f"{node.pattern} indices={','.join(node.indices)}"
    if node.cluster:
        text = f"{node.cluster}:{text}"
    if node.metadata:
        text += f" metadata={','.join(node.metadata)}"
    return text


@_details.register
def _(node: RowSource) -> str:
    return _fields(node.fields)


@_details.register
def _(node: ShowInfoSource) -> str:
    return "info"


@_details.register
def _(node: EvalNode) -> str:
    return _fields(node.fields)


@_details.register
def _(node: Filter) -> str:
    return expr_text(node.condition)


@_details.register
def _(node: Aggregate) -> str:
    aggs = []
    for spec in node.aggs:
        text = f"{spec.name} = {expr_text(spec.call)}"
        if spec.filter is not None:
            text += f" WHERE {expr_text(spec.filter)}"
        aggs.append(text)
    return ", ".join(aggs) + " BY " + _fields(node.groups) if node.groups else ", ".join(aggs)


@_details.register
def _(node: Project) -> str:
    return ", ".join(out if out == src else f"{out} <- {src}" for out, src in node.columns)


@_details.register
def _(node: OrderBy) -> str:
    keys = []
    for k in node.keys:
        keys.append(
            f"{expr_text(k.expr)} {'ASC' if k.ascending else 'DESC'} "
            f"NULLS {'FIRST' if k.nulls_first else 'LAST'}"
        )
    return ", ".join(keys)


@_details.register
def _(node: LimitNode) -> str:
    return str(node.count)


@_details.register
def _(node: DissectNode) -> str:
    sep = f" append_separator={json.dumps(node.append_separator)}" if node.append_separator else ""
    return f"{expr_text(node.operand)} {json.dumps(node.pattern)}{sep} keys={','.join(node.keys)}"


@_details.register
def _(node: GrokNode) -> str:
    return f"{expr_text(node.operand)} {json.dumps(node.pattern)} fields={schema_text(node.fields)}"


@_details.register
def _(node: EnrichNode) -> str:
    fields = ", ".join(out if out == f else f"{out} = {f}" for out, f, _ in node.fields)
    return (
        f"{node.mode}:{node.policy} ({node.policy_type}) ON {expr_text(node.match_field)}"
        f"={node.policy_match_field} WITH {fields}"
    )


@_details.register
def _(node: MvExpandNode) -> str:
    return node.field


@_details.register
def _(node: LookupJoinNode) -> str:
    return f"{node.index} ON {','.join(node.keys)} adds {schema_text(node.fields)}"


@_details.register
def _(node: SampleNode) -> str:
    return str(node.probability)


__all__ = ["plan_to_text", "node_to_text", "expr_text", "schema_text", "FnCall"]
