"""Output formats of a result: pure functions ``(result, options) -> str | bytes``.

The cell values are Elasticsearch's (``values.to_es_values``), so every format shows
what Elasticsearch's ``_query`` would: ``csv``, ``tsv`` and ``txt`` print them as
Elasticsearch's ``format=csv|tsv|txt`` do (Java text of each value, a multi-value as
``[a, b]``); ``json`` and ``yaml`` are the ``_query`` response body; ``arrow`` is an
Arrow IPC stream with Elasticsearch's ``elastic:type`` field metadata. ``table``
and ``markdown`` are for people.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from esqlsh.analysis.types import DataType
from esqlsh.render.values import es_response, es_text, java_double, to_es_values

if TYPE_CHECKING:
    from dataclasses import dataclass

    from esqlsh.engine.result import Result
else:  # the same classes, made without compiling methods at import (syntax/records.py)
    from esqlsh.syntax.records import dataclass

NUMERIC = frozenset(
    {
        DataType.INTEGER,
        DataType.LONG,
        DataType.UNSIGNED_LONG,
        DataType.DOUBLE,
        DataType.COUNTER_INTEGER,
        DataType.COUNTER_LONG,
        DataType.COUNTER_DOUBLE,
    }
)


@dataclass(frozen=True)
class RenderOptions:
    """``width``: the terminal's width for ``table`` (None: as wide as the data).
    ``eol``: line end of ``csv`` (Elasticsearch answers ``\\r\\n``; a shell wants
    ``\\n``). ``columnar``: ``json``/``yaml`` values column by column."""

    header: bool = True
    color: bool = False
    width: int | None = None
    eol: str = "\n"
    columnar: bool = False


Renderer = Callable[["Result", RenderOptions], "str | bytes"]


def render(result: Result, fmt: str, options: RenderOptions | None = None) -> str | bytes:
    """``result`` in format ``fmt`` (one of ``FORMATS``)."""
    return RENDERERS[fmt](result, options or RenderOptions())


# ------------------------------------------------------------------ people


def render_table(result: Result, options: RenderOptions) -> str:
    """A rich table; nulls as a dim ``null``, numbers right-aligned."""
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(
        box=box.SQUARE,
        show_header=options.header,
        header_style="bold" if options.color else "",
        highlight=False,
    )
    for attr in result.columns:
        table.add_column(attr.name, justify="right" if attr.type in NUMERIC else "left")
    for row in to_es_values(result):
        table.add_row(*(_table_cell(v, Text) for v in row))
    out = io.StringIO()
    console = Console(
        file=out,
        width=options.width or 1_000_000,
        color_system="standard" if options.color else None,
        force_terminal=options.color,
        no_color=not options.color,
        highlight=False,
        markup=False,
        emoji=False,
        soft_wrap=False,
    )
    if result.columns:
        console.print(table)
    return out.getvalue()


def _table_cell(value: Any, text_type: Any) -> Any:
    if value is None:
        return text_type("null", style="dim")
    # A tab would throw the column widths off; newlines make multi-line cells.
    return text_type(es_text(value).expandtabs(4))


def render_markdown(result: Result, options: RenderOptions) -> str:
    """A GitHub pipe table (a Markdown table always has its header)."""
    if not result.columns:
        return ""
    names = [_md_cell(a.name) for a in result.columns]
    rules = ["--:" if a.type in NUMERIC else "---" for a in result.columns]
    lines = [_md_row(names), _md_row(rules)]
    lines += [_md_row([_md_cell(es_text(v)) for v in row]) for row in to_es_values(result)]
    return "\n".join(lines) + "\n"


def _md_cell(text: str) -> str:
    return (
        text.replace("\\", "\\\\").replace("|", "\\|").replace("\r\n", "<br>").replace("\n", "<br>")
    )


def _md_row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


# ------------------------------------------------------------------ Elasticsearch's text formats


def render_csv(result: Result, options: RenderOptions) -> str:
    """Elasticsearch's ``format=csv``: RFC 4180 quoting, null as an empty cell."""
    return _delimited(result, options, lambda v: _csv_escape(v, ","), options.eol)


def render_tsv(result: Result, options: RenderOptions) -> str:
    """Elasticsearch's ``format=tsv``: tabs and newlines in values escaped."""
    return _delimited(result, options, _tsv_escape, "\n", delimiter="\t")


def _delimited(
    result: Result,
    options: RenderOptions,
    escape: Callable[[str], str],
    eol: str,
    delimiter: str = ",",
) -> str:
    lines = []
    if options.header and result.columns:
        lines.append(delimiter.join(escape(a.name) for a in result.columns))
    for row in to_es_values(result):
        lines.append(delimiter.join(escape("" if v is None else es_text(v)) for v in row))
    return "".join(line + eol for line in lines)


def _csv_escape(value: str, delimiter: str) -> str:
    # Elasticsearch's TextFormat.CSV.maybeEscape (the csv module would quote a lone
    # empty field, which Elasticsearch does not).
    if any(c in value for c in ('"', "\n", "\r", delimiter)):
        return '"' + value.replace('"', '""') + '"'
    return value


def _tsv_escape(value: str) -> str:
    return value.replace("\n", "\\n").replace("\t", "\\t")


def render_txt(result: Result, options: RenderOptions) -> str:
    """Elasticsearch's ``format=txt`` (``TextFormatter``): columns at least 15 wide,
    names centred, a ``---+---`` rule, values left-aligned."""
    rows = [[es_text(v) for v in row] for row in to_es_values(result)]
    names = [a.name for a in result.columns]
    widths = [max([15, len(n)] + [len(r[i]) for r in rows]) for i, n in enumerate(names)]
    lines = []
    if options.header and names:
        lines.append("|".join(_centre(n, w) for n, w in zip(names, widths, strict=True)))
        lines.append("+".join("-" * w for w in widths))
    for row in rows:
        lines.append("|".join(v.ljust(w) for v, w in zip(row, widths, strict=True)))
    return "".join(line + "\n" for line in lines)


def _centre(name: str, width: int) -> str:
    left = (width - len(name)) // 2
    return " " * left + name + " " * (width - len(name) - left)


# ------------------------------------------------------------------ documents


def render_json(result: Result, options: RenderOptions) -> str:
    """The ``_query`` response body, compact, doubles written as Java writes them."""
    return to_json(es_response(result, columnar=options.columnar)) + "\n"


def render_ndjson(result: Result, options: RenderOptions) -> str:
    """One ``{"column": value, …}`` object per row."""
    names = [a.name for a in result.columns]
    rows = to_es_values(result)
    return "".join(to_json(dict(zip(names, row, strict=True))) + "\n" for row in rows)


def render_yaml(result: Result, options: RenderOptions) -> str:
    """The ``_query`` response body as YAML (Elasticsearch's ``format=yaml``)."""
    import yaml

    body = es_response(result, columnar=options.columnar)
    return yaml.safe_dump(body, sort_keys=False, explicit_start=True, allow_unicode=True)


def to_json(value: Any) -> str:
    """Compact JSON as Elasticsearch writes it: ``1.0``, ``1.0E10``; no NaN."""
    if isinstance(value, float):
        return (
            "null"
            if value != value or value in (float("inf"), float("-inf"))
            else java_double(value)
        )
    if isinstance(value, dict):
        return (
            "{"
            + ",".join(
                f"{json.dumps(k, ensure_ascii=False)}:{to_json(v)}" for k, v in value.items()
            )
            + "}"
        )
    if isinstance(value, list | tuple):
        return "[" + ",".join(to_json(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


# ------------------------------------------------------------------ arrow


def render_arrow(result: Result, options: RenderOptions) -> bytes:
    """An Arrow IPC stream; each field carries ``elastic:type`` metadata."""
    import pyarrow as pa

    table = result.frame.to_arrow()
    fields = [
        pa.field(
            attr.name, table.schema.field(i).type, metadata={"elastic:type": attr.type.es_name}
        )
        for i, attr in enumerate(result.columns)
    ]
    columns = [table.column(i) for i in range(len(result.columns))]
    table = pa.Table.from_arrays(columns, schema=pa.schema(fields))
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return bytes(sink.getvalue().to_pybytes())


RENDERERS: dict[str, Renderer] = {
    "table": render_table,
    "csv": render_csv,
    "tsv": render_tsv,
    "json": render_json,
    "ndjson": render_ndjson,
    "yaml": render_yaml,
    "markdown": render_markdown,
    "txt": render_txt,
    "arrow": render_arrow,
}

FORMATS: tuple[str, ...] = tuple(RENDERERS)
