"""Source commands: FROM (a scan of one or more indices), ROW and SHOW INFO.

FROM reads only the fields later commands need, from each index, casts them to
the plan's types (an index may store a field as single values while another has
lists of it: then every index's column becomes a list), adds requested metadata
fields, and concatenates the indices in order. Frames stay lazy so Polars can push
projections, filters and limits into Parquet scans.
"""

from __future__ import annotations

import polars as pl

import esqlsh
from esqlsh.analysis.types import DataType
from esqlsh.engine.columns import col, exactly
from esqlsh.engine.expressions import physical_of
from esqlsh.engine.runtime import Run
from esqlsh.plan.logical import Attribute, Relation, RowSource, ShowInfoSource

# What SHOW INFO reports: the Elasticsearch version whose ES|QL esqlsh speaks.
ES_VERSION = "9.1.0"
BUILD_DATE = "2025-07-01T00:00:00.000Z"

_ID = "_id"


def empty_frame(schema: tuple[Attribute, ...]) -> pl.LazyFrame:
    return pl.LazyFrame(schema={a.name: physical_of(a.type) for a in schema})


def _as_list(expr: pl.Expr, inner: pl.DataType) -> pl.Expr:
    """Single values as one-element lists (nulls stay null)."""
    wrapped = pl.concat_list([expr.cast(inner, strict=False)])
    return pl.when(expr.is_null()).then(pl.lit(None, dtype=pl.List(inner))).otherwise(wrapped)


def _metadata(name: str, index: str, run_cluster: str | None, lf: pl.LazyFrame) -> pl.Expr:
    qualified = f"{run_cluster}:{index}" if run_cluster else index
    if name == "_index":
        return pl.lit(qualified, dtype=pl.String)
    if name == "_id":
        if _ID in lf.collect_schema().names():
            return pl.col(_ID).cast(pl.String)
        # Elasticsearch generates ids for documents indexed without one.
        return pl.format("{}-{}", pl.lit(qualified), pl.int_range(pl.len()))
    if name == "_version":
        return pl.lit(1, dtype=pl.Int64)
    if name == "_score":
        return pl.lit(0.0, dtype=pl.Float64)
    if name == "_index_mode":
        return pl.lit("standard", dtype=pl.String)
    return pl.lit(None)


def _scan_index(
    run: Run, node: Relation, index: str, wanted: list[Attribute]
) -> tuple[pl.LazyFrame, dict[str, pl.DataType]]:
    info = run.storage.index(index)
    fields = info.fields if info is not None else {}
    data_cols = [a.name for a in wanted if a.name in fields and a.name not in node.metadata]
    scan_cols = list(data_cols)
    if "_id" in node.metadata and any(a.name == "_id" for a in wanted):
        scan_cols.append(_ID)
    if not scan_cols and fields:
        # Nothing is read (FROM i | STATS COUNT(*)): read one column for the row
        # count; it is dropped by the selection below.
        scan_cols.append(next(iter(fields)))
    try:
        lf = run.storage.scan(index, scan_cols)
    except Exception:  # noqa: BLE001 - storages without _id: ask again without it
        if _ID not in scan_cols:
            raise
        scan_cols.remove(_ID)
        lf = run.storage.scan(index, scan_cols)
    return lf, dict(lf.collect_schema())


def _is_column(expr: pl.Expr, name: str) -> bool:
    bare = expr.meta.undo_aliases()
    return bare.meta.is_column() and bare.meta.output_name() == name


def _index_frame(
    node: Relation,
    index: str,
    lf: pl.LazyFrame,
    dtypes: dict[str, pl.DataType],
    wanted: list[Attribute],
    as_list: set[str],
) -> pl.LazyFrame:
    exprs = []
    for attr in wanted:
        base = physical_of(attr.type)
        if attr.name in node.metadata:
            expr = _metadata(attr.name, index, node.cluster, lf).cast(base, strict=False)
        elif attr.name in dtypes and attr.type is not DataType.UNSUPPORTED:
            current = dtypes[attr.name]
            field = col(attr.name)
            if attr.name in as_list:
                if isinstance(current, pl.List):
                    expr = field.cast(pl.List(base), strict=False)
                else:
                    expr = _as_list(field, base)
            elif current == base:
                expr = field  # no cast node: it would hide the column from pushdown
            else:
                expr = field.cast(base, strict=False)
        else:
            dtype = pl.List(base) if attr.name in as_list else base
            expr = pl.lit(None, dtype=dtype)
        exprs.append(expr.alias(attr.name))
    if not exprs:
        # A frame without columns still has rows (selecting nothing would not).
        return lf.drop(lf.collect_schema().names())
    if all(_is_column(e, a.name) for e, a in zip(exprs, wanted, strict=True)):
        return lf.select(exprs)  # the scan's own columns, as they are
    # with_columns, then select by name: a constant (``_index``, ``_version``)
    # takes the frame's height, where a select of constants alone is one row.
    return lf.with_columns(exprs).select(exactly(attr.name for attr in wanted))


def scan_relation(node: Relation, run: Run) -> pl.LazyFrame:
    """FROM: the needed columns of every index, concatenated."""
    wanted = [a for a in node.schema if a.name in run.needed]
    if not node.indices:
        return empty_frame(tuple(wanted))
    scans = [(index, *_scan_index(run, node, index, wanted)) for index in node.indices]
    as_list = {
        a.name for a in wanted for _, _, dtypes in scans if isinstance(dtypes.get(a.name), pl.List)
    }
    frames = [_index_frame(node, index, lf, dtypes, wanted, as_list) for index, lf, dtypes in scans]
    if len(frames) == 1:
        return frames[0]
    return pl.concat(frames, how="vertical_relaxed")


def row_source(node: RowSource, run: Run) -> pl.LazyFrame:
    """ROW: one row, fields evaluated left to right."""
    seed = run.temp("row")
    lf = pl.LazyFrame({seed: [0]})
    lf = run.with_fields(lf, list(node.fields), keep=[seed])
    return lf.drop(seed)


def show_info(node: ShowInfoSource, run: Run) -> pl.LazyFrame:
    values = {"version": ES_VERSION, "date": BUILD_DATE, "hash": f"esqlsh-{esqlsh.__version__}"}
    return pl.LazyFrame(
        {a.name: [values.get(a.name)] for a in node.schema},
        schema={a.name: physical_of(a.type) for a in node.schema},
    )
