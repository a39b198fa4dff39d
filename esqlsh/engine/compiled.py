"""The engine's vocabulary for expressions: a compiled column, the evaluation
context that collects warnings, physical types, and the table of function
implementations.

Physical representation of each ES|QL type in Polars (one place decides it):

=================  ====================================================
keyword, text      String
integer            Int32
long               Int64
unsigned_long      UInt64
double             Float64
boolean            Boolean
date               Datetime("ms", "UTC")
date_nanos         Datetime("ns", "UTC")
ip                 String, canonical text (``192.168.1.1``, ``::1``)
version            String as written; ordering via ``version_key``
geo_point etc.     String (WKT)
null               Null
=================  ====================================================

A multi-valued column is ``List(<physical>)``: a null is null (never an empty list),
a single value may be a one-element list. ``Col.multi`` says which form a compiled
expression has. Implementations of functions that are not ``multivalue`` in the
registry always receive single-valued (non-list) args: the executor reduces a list
arg to its only element, or null with Elasticsearch's warning, first.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import polars as pl

from esqlsh.analysis.types import DataType

if TYPE_CHECKING:
    from esqlsh.syntax.ast import Source

_MISSING = object()

PHYSICAL: dict[DataType, pl.DataType] = {
    DataType.KEYWORD: pl.String(),
    DataType.TEXT: pl.String(),
    DataType.INTEGER: pl.Int32(),
    DataType.LONG: pl.Int64(),
    DataType.UNSIGNED_LONG: pl.UInt64(),
    DataType.DOUBLE: pl.Float64(),
    DataType.BOOLEAN: pl.Boolean(),
    DataType.DATETIME: pl.Datetime("ms", "UTC"),
    DataType.DATE_NANOS: pl.Datetime("ns", "UTC"),
    DataType.IP: pl.String(),
    DataType.VERSION: pl.String(),
    DataType.GEO_POINT: pl.String(),
    DataType.CARTESIAN_POINT: pl.String(),
    DataType.GEO_SHAPE: pl.String(),
    DataType.CARTESIAN_SHAPE: pl.String(),
    DataType.NULL: pl.Null(),
    DataType.UNSUPPORTED: pl.Null(),
    DataType.COUNTER_LONG: pl.Int64(),
    DataType.COUNTER_INTEGER: pl.Int32(),
    DataType.COUNTER_DOUBLE: pl.Float64(),
}


def physical(t: DataType) -> pl.DataType:
    """The Polars dtype that holds single values of ``t``."""
    return PHYSICAL[t]


@dataclass(frozen=True)
class Col:
    """A compiled expression: a Polars expression plus its ES|QL type.

    ``multi``: the values are lists (multi-valued). ``value``: for a constant
    (foldable) expression, its Python value in the logical form of
    ``esqlsh.plan.logical.Lit`` — implementations use it for arguments that must be
    constant (a DATE_FORMAT pattern, a ROUND precision); ``is_const`` says whether
    it is set."""

    expr: pl.Expr
    type: DataType
    multi: bool = False
    value: Any = _MISSING

    @property
    def is_const(self) -> bool:
        return self.value is not _MISSING


@dataclass
class Check:
    """A failure condition registered while compiling one call: rows where ``mask``
    is true failed with ``message`` (a Polars string expression or a str, e.g.
    ``java.lang.ArithmeticException: / by zero``)."""

    source: Source
    mask: pl.Expr
    message: pl.Expr | str
    # The header's "treating result as <treated_as>": "null" for most failures,
    # "false" for conditions (CASE, as Elasticsearch's createWarningsTreatedAsFalse).
    treated_as: str = "null"
    # ``message`` is a list of messages per row (a conversion of a multi-value fails
    # once per bad value, and Elasticsearch records each of those failures).
    many: bool = False


@dataclass
class EvalContext:
    """What an implementation may ask of the executor while compiling.

    ``source`` is the call being compiled (for warnings: ``evaluation of
    [<source.text>] failed``); ``now`` is the query's NOW() in epoch millis (fixed
    per query); ``checks`` collects failure conditions that the executor turns into
    Elasticsearch's warnings after evaluating the expression."""

    source: Source | None = None
    now_millis: int = 0
    checks: list[Check] = field(default_factory=list)

    def fail_when(
        self,
        mask: pl.Expr,
        message: pl.Expr | str,
        *,
        treated_as: str = "null",
        many: bool = False,
    ) -> None:
        """Record that rows where ``mask`` holds failed with ``message``; the
        implementation itself must return null for those rows. The executor only
        looks at rows where ``mask`` is true (null counts as false), so masks need
        not exclude rows whose inputs were null if they evaluate to null there.
        ``many``: ``message`` is a list-of-strings expression, one failure each."""
        assert self.source is not None
        self.checks.append(Check(self.source, mask, message, treated_as, many))


@dataclass
class AggContext(EvalContext):
    """The context of one aggregate call in STATS, where an implementation may
    split its work for speed.

    Polars runs plain aggregations of a column (``x.sum()``, ``x.count()``,
    ``x.max()``) on its fast path; an expression that combines aggregates (``when
    count > 0 then sum``) or broadcasts one over the rows is evaluated group by
    group, several times slower. So an implementation may:

    - ``partial(agg)``: have the group_by compute a plain aggregation as a column
      of its own; it gets a reference to that column. An implementation that
      uses partials returns an expression over those references, evaluated on the
      aggregated rows (one per group); its failure checks are evaluated there too.
    - ``input(expr)``: have ``expr`` evaluated over the whole frame before
      grouping (a whole-column aggregate in it is over every row, e.g. a scale
      from the largest value) as a column of its own, to aggregate in a partial.

    ``prefix`` makes the columns' names unique within the STATS."""

    prefix: str = "\x00agg_part"
    partials: list[tuple[str, pl.Expr]] = field(default_factory=list)
    inputs: list[tuple[str, pl.Expr]] = field(default_factory=list)

    def partial(self, agg: pl.Expr) -> pl.Expr:
        name = f"{self.prefix}p{len(self.partials)}"
        self.partials.append((name, agg))
        return pl.col(name)

    def input(self, expr: pl.Expr) -> pl.Expr:
        name = f"{self.prefix}i{len(self.inputs)}"
        self.inputs.append((name, expr))
        return pl.col(name)


def plain_column(col: Col) -> str | None:
    """The column name when ``col`` is a plain single-valued column reference
    (what aggregate implementations may take their fast paths on)."""
    if col.multi or col.is_const or not col.expr.meta.is_column():
        return None
    return col.expr.meta.output_name()


def null_col(t: DataType) -> Col:
    """A constant null of type ``t`` (what most functions return when an argument
    has type ``null``)."""
    return Col(pl.lit(None, dtype=PHYSICAL.get(t, pl.Null())), t, value=None)


def has_null_arg(args: list[Col]) -> bool:
    """True when an argument is the ``null`` type (a literal ``null``)."""
    return any(a.type is DataType.NULL for a in args)


# An implementation takes compiled args (and the context) and returns a compiled
# result. Aggregates return a Col whose expr is valid inside ``group_by().agg()``.
Impl = Callable[[list[Col], EvalContext], Col]

IMPLS: dict[str, Impl] = {}


def implements(*names: str) -> Callable[[Impl], Impl]:
    """Register an implementation for registry function(s) ``names``."""

    def register(fn: Impl) -> Impl:
        for name in names:
            if name in IMPLS:
                raise ValueError(f"implementation of [{name}] registered twice")
            IMPLS[name] = fn
        return fn

    return register


_loaded = False
_load_lock = threading.RLock()


def load_impls() -> dict[str, Impl]:
    """Import every implementation module once; thread-safe (see registry._load)."""
    global _loaded
    if not _loaded:
        with _load_lock:
            if not _loaded:
                import importlib
                import pkgutil

                from esqlsh.engine import functions

                for info in pkgutil.iter_modules(functions.__path__):
                    importlib.import_module(f"{functions.__name__}.{info.name}")
                _loaded = True
    return IMPLS
