"""Result tables for people (the shell's ``table`` format).

Cells are Elasticsearch's values (``values.to_es_values``) in Java's text forms
(``es_text``): a multi-value reads ``[a, b]``, a double ``1.0``. Numbers are
right-aligned, null is a dim ``null``, and column types can sit under the names
(``\\set types on``). Renderers are pure: ``(result, TableOptions) -> str``; the
caller decides about paging (:func:`needs_pager`) from the text's size.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from esqlsh.analysis.types import DataType
from esqlsh.render.formats import NUMERIC
from esqlsh.render.values import es_text, to_es_values

if TYPE_CHECKING:
    from rich.console import Console, RenderableType
    from rich.table import Table

    from esqlsh.engine.result import Result

# Types whose values must show whole (never wrapped or cut).
UNBROKEN = NUMERIC | {
    DataType.BOOLEAN,
    DataType.DATETIME,
    DataType.DATE_NANOS,
    DataType.IP,
    DataType.VERSION,
}
NULL_STYLE = "dim"
TYPE_STYLE = "dim italic"
WARNING_STYLE = "yellow"


@dataclass(frozen=True)
class TableOptions:
    """``width`` None: as wide as the data (for a pager that scrolls sideways);
    ``types``: the ES|QL type under each column name."""

    width: int | None = None
    color: bool = False
    types: bool = False
    header: bool = True


def text_console(width: int | None, color: bool) -> Console:
    """A console writing to a string: fixed width, colour only when asked."""
    from rich.console import Console

    return Console(
        file=io.StringIO(),
        width=width or 1_000_000,
        color_system="standard" if color else None,
        force_terminal=color,
        no_color=not color,
        highlight=False,
        markup=False,
        emoji=False,
        soft_wrap=False,
    )


def to_text(renderable: RenderableType, *, width: int | None = None, color: bool = False) -> str:
    """``renderable`` printed on a string console; trailing blanks cut (rich pads
    lines to the table's width)."""
    console = text_console(width, color)
    console.print(renderable)
    return printed(console)


def printed(console: Console) -> str:
    """What a ``text_console`` was given to print, trailing blanks cut."""
    out = console.file.getvalue()  # type: ignore[attr-defined]
    return "".join(line.rstrip(" ") + "\n" for line in out.splitlines())


def result_table(result: Result, options: TableOptions) -> Table:
    """The rich table of ``result`` (styles matter only on a colour console)."""
    from rich import box
    from rich.table import Table

    table = Table(
        box=box.SQUARE,
        show_header=options.header,
        header_style="bold" if options.color else "",
        highlight=False,
    )
    rows = [[cell(v) for v in row] for row in to_es_values(result)]
    for i, attr in enumerate(result.columns):
        whole = attr.type in UNBROKEN
        table.add_column(
            _header(attr.name, attr.type.es_name, options.types),
            justify="right" if attr.type in NUMERIC else "left",
            no_wrap=whole,
            # A number or a date cut short would read as another value: such a
            # column keeps its widest cell; text columns wrap instead.
            min_width=max((r[i].cell_len for r in rows), default=0) if whole else None,
        )
    for row in rows:
        table.add_row(*row)
    return table


def _header(name: str, type_name: str, with_type: bool) -> Any:
    from rich.text import Text

    header = Text(name)
    if with_type:
        header.append("\n")
        header.append(type_name, style=TYPE_STYLE)
    return header


def cell(value: Any) -> Any:
    """One cell: ``null`` dimmed, lists as ``[a, b]``, tabs expanded (a tab would
    throw the column widths off; newlines make multi-line cells)."""
    from rich.text import Text

    if value is None:
        return Text("null", style=NULL_STYLE)
    return Text(es_text(value).expandtabs(4))


def render_result(result: Result, options: TableOptions | None = None) -> str:
    """``result`` as a table; an empty string for a result without columns."""
    options = options or TableOptions()
    if not result.columns:
        return ""
    table = result_table(result, options)
    return to_text(table, width=_fitting_width(table, options.width), color=options.color)


def _fitting_width(table: Table, width: int | None) -> int | None:
    """``width``, unless the table cannot fit it without cutting a value: then
    its natural width (the terminal wraps it, or a pager scrolls sideways; rich
    would squeeze whole columns away)."""
    from rich.measure import Measurement

    if width is None:
        return None
    console = text_console(None, False)
    needed = Measurement.get(console, console.options, table)
    return width if needed.minimum <= width else None


def render_warnings(warnings: Sequence[str], *, color: bool = False) -> str:
    """``Warning: …`` lines, yellow on a colour console."""
    from rich.text import Text

    if not warnings:
        return ""
    lines = Text("\n").join(Text(f"Warning: {w}", style=WARNING_STYLE) for w in warnings)
    return to_text(lines, color=color)


def text_size(text: str) -> tuple[int, int]:
    """``(columns, lines)`` of rendered text, escape codes not counted."""
    from rich.text import Text

    lines = text.splitlines()
    widest = max((Text.from_ansi(line).cell_len for line in lines), default=0)
    return widest, len(lines)


def needs_pager(text: str, columns: int, lines: int) -> bool:
    """Whether ``text`` is wider or taller than a ``columns`` × ``lines`` terminal
    (a line is kept for the prompt that follows)."""
    width, height = text_size(text)
    return width > columns or height > max(lines - 1, 1)
