"""The typed logical plan: what the analyzer produces and the executors run.

An ES|QL query is a linear pipeline, so a plan is a tuple of nodes, the first a
source. Expressions are typed (``TExpr.type``) and fully resolved: operators,
``IN``, ``LIKE``, ``IS NULL`` and casts are ``FnCall``s of registry functions (see
``esqlsh.analysis.registry``), so an executor has one kind of thing to translate.
Every node knows its output ``schema``. Column names are Elasticsearch's (the
source text for unnamed expressions).
"""

from __future__ import annotations

from dataclasses import field
from typing import TYPE_CHECKING

from esqlsh.analysis.types import DataType
from esqlsh.syntax.ast import Source

if TYPE_CHECKING:
    from dataclasses import dataclass
else:  # the same classes, made without compiling methods at import (syntax/records.py)
    from esqlsh.syntax.records import dataclass

_NOSRC = Source.synthetic()


def _src() -> Source:
    return field(default=_NOSRC, compare=False, repr=False)


@dataclass(frozen=True)
class Attribute:
    """One output column: name and ES|QL type."""

    name: str
    type: DataType


Schema = tuple[Attribute, ...]

# ---------------------------------------------------------------------- expressions


@dataclass(frozen=True)
class Lit:
    """A constant. ``value`` is a Python value in the type's *logical* form: int for
    integer/long/unsigned_long, float, str for keyword/text/ip/version, bool, int
    milliseconds (date) / nanoseconds (date_nanos) since the epoch UTC, a
    ``TemporalAmount`` for date_period/time_duration, a list for a multi-value, None."""

    value: object
    type: DataType
    source: Source = _src()


@dataclass(frozen=True)
class Ref:
    """A reference to an input column."""

    name: str
    type: DataType
    source: Source = _src()


@dataclass(frozen=True)
class FnCall:
    """A call of registry function ``name`` (lower-case registry key: ``abs``, ``add``,
    ``eq``, ``to_long``, ``count`` …). ``star`` is COUNT(*)."""

    name: str
    args: tuple[TExpr, ...]
    type: DataType
    star: bool = False
    source: Source = _src()


TExpr = Lit | Ref | FnCall


@dataclass(frozen=True)
class TemporalAmount:
    """A date_period (``months``/``days``: calendar) or time_duration (``millis``)."""

    months: int = 0
    days: int = 0
    millis: int = 0


# ---------------------------------------------------------------------------- nodes


@dataclass(frozen=True)
class Relation:
    """FROM: scan ``indices`` (concrete index names, already resolved) of ``cluster``
    (None = the local cluster). ``metadata`` lists requested metadata fields
    (``_index``, ``_id`` …) which are part of ``schema``. ``pattern`` is the FROM
    expression for this cluster as Elasticsearch reports it (``logs-*,-logs-old``)."""

    pattern: str
    indices: tuple[str, ...]
    schema: Schema
    cluster: str | None = None
    metadata: tuple[str, ...] = ()
    source: Source = _src()


@dataclass(frozen=True)
class RowSource:
    fields: tuple[tuple[str, TExpr], ...]
    schema: Schema
    source: Source = _src()


@dataclass(frozen=True)
class ShowInfoSource:
    schema: Schema
    source: Source = _src()


@dataclass(frozen=True)
class EvalNode:
    """Adds (or replaces, moving to the end) columns, left to right: a later field
    may use an earlier one."""

    fields: tuple[tuple[str, TExpr], ...]
    schema: Schema
    source: Source = _src()


@dataclass(frozen=True)
class Filter:
    condition: TExpr
    schema: Schema
    source: Source = _src()


@dataclass(frozen=True)
class AggSpec:
    name: str
    call: FnCall
    filter: TExpr | None = None


@dataclass(frozen=True)
class Aggregate:
    """STATS. Output: the aggregates in order, then the groupings."""

    aggs: tuple[AggSpec, ...]
    groups: tuple[tuple[str, TExpr], ...]
    schema: Schema
    source: Source = _src()


@dataclass(frozen=True)
class Project:
    """KEEP / DROP / RENAME: output column ``out`` is input column ``src``."""

    columns: tuple[tuple[str, str], ...]
    schema: Schema
    source: Source = _src()


@dataclass(frozen=True)
class SortKey:
    expr: TExpr
    ascending: bool = True
    nulls_first: bool = False


@dataclass(frozen=True)
class OrderBy:
    keys: tuple[SortKey, ...]
    schema: Schema
    source: Source = _src()


@dataclass(frozen=True)
class LimitNode:
    count: int
    schema: Schema
    source: Source = _src()


@dataclass(frozen=True)
class DissectNode:
    """``pattern`` is the raw DISSECT pattern; ``keys`` the output column names
    (keyword) in pattern order, ``append_separator`` as given."""

    operand: TExpr
    pattern: str
    keys: tuple[str, ...]
    append_separator: str
    schema: Schema
    source: Source = _src()


@dataclass(frozen=True)
class GrokNode:
    """``regex`` is the grok pattern compiled to a regular expression with named
    groups ``fields`` (name, type) in pattern order."""

    operand: TExpr
    pattern: str
    regex: str
    fields: tuple[Attribute, ...]
    schema: Schema
    source: Source = _src()


@dataclass(frozen=True)
class EnrichNode:
    """``fields`` are (output name, enrich-index field, type)."""

    policy: str
    mode: str  # "_any" | "_coordinator" | "_remote"
    policy_type: str  # "match" | "range" | "geo_match"
    match_field: TExpr
    policy_match_field: str
    fields: tuple[tuple[str, str, DataType], ...]
    schema: Schema
    source: Source = _src()


@dataclass(frozen=True)
class MvExpandNode:
    field: str
    schema: Schema
    source: Source = _src()


@dataclass(frozen=True)
class JoinCondition:
    """One ``left op right`` condition of an expression LOOKUP JOIN: ``left`` an
    input column, ``right`` a lookup index field, ``op`` a comparison's registry
    name (``eq``, ``neq``, ``lt``, ``lte``, ``gt``, ``gte``)."""

    left: str
    op: str
    right: str


@dataclass(frozen=True)
class LookupJoinNode:
    """Left join on ``keys`` with lookup index ``index``; ``fields`` are the lookup
    index's columns that are added (replacing same-named ones). An expression join
    (``ON a == b AND …``, after 9.1) has no ``keys`` but ``conditions``, all of
    which a lookup row must meet; its ``fields`` include the join fields."""

    index: str
    keys: tuple[str, ...]
    fields: tuple[Attribute, ...]
    schema: Schema
    source: Source = _src()
    conditions: tuple[JoinCondition, ...] = ()


@dataclass(frozen=True)
class InlineStatsNode:
    """INLINE STATS (after 9.1). ``stats`` is the STATS pipeline over the input (an
    ``Aggregate``, then maybe the EVAL and KEEP of expressions over aggregates);
    each of its rows is appended to every input row of its group (the
    ``Aggregate.groups`` values, null matching null; no groups: every row). Output:
    the input columns not redefined, then the stats' columns (aggregates, then
    groups). A pipeline breaker: the stats need every input row."""

    stats: tuple[PlanNode, ...]
    schema: Schema
    source: Source = _src()

    @property
    def aggregate(self) -> Aggregate:
        first = self.stats[0]
        assert isinstance(first, Aggregate)
        return first

    @property
    def stats_schema(self) -> Schema:
        return self.stats[-1].schema


@dataclass(frozen=True)
class SampleNode:
    probability: float
    schema: Schema
    source: Source = _src()


PlanNode = (
    Relation
    | RowSource
    | ShowInfoSource
    | EvalNode
    | Filter
    | Aggregate
    | Project
    | OrderBy
    | LimitNode
    | DissectNode
    | GrokNode
    | EnrichNode
    | MvExpandNode
    | LookupJoinNode
    | SampleNode
    | InlineStatsNode
)


@dataclass(frozen=True)
class Plan:
    """A whole analysed query. ``warnings`` are analysis-time warnings (e.g. the
    default-limit warning is added by the analyzer when the query has no LIMIT)."""

    nodes: tuple[PlanNode, ...]
    warnings: tuple[str, ...] = ()

    @property
    def schema(self) -> Schema:
        return self.nodes[-1].schema
