"""``\\chart``: a terminal bar chart of the last result.

One bar per row (the first ``MAX_BARS``): the value of a numeric column (the
first one, or the one named), labelled by the first keyword/text column (else
the first non-numeric one, else the row number). Bars are scaled to the largest
absolute value and drawn with eighth blocks, so small differences still show.
Pure: ``(result, options) -> str``.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from esqlsh.analysis.types import DataType
from esqlsh.render.formats import NUMERIC
from esqlsh.render.values import es_text, to_es_values

if TYPE_CHECKING:
    from esqlsh.engine.result import Result

MAX_BARS = 50
_LABEL_TYPES = (DataType.KEYWORD, DataType.TEXT)
_EIGHTHS = " ▏▎▍▌▋▊▉"
_FULL = "█"


class ChartError(ValueError):
    """Nothing to chart (no numeric column, an unknown column …): the message says why."""


@dataclass(frozen=True)
class ChartOptions:
    value: str | None = None  # the numeric column; default: the first
    label: str | None = None  # the label column; default: the first keyword/text one
    width: int = 80
    color: bool = False


def pick_columns(result: Result, value: str | None, label: str | None) -> tuple[int, int | None]:
    """Indices of the value column and the label column (None: row numbers)."""
    names = [a.name for a in result.columns]
    numeric = [i for i, a in enumerate(result.columns) if a.type in NUMERIC]
    if value is not None:
        if value not in names:
            raise ChartError(f"no column [{value}] in the last result")
        value_index = names.index(value)
        if value_index not in numeric:
            raise ChartError(f"column [{value}] is not numeric")
    elif numeric:
        value_index = numeric[0]
    else:
        raise ChartError("the last result has no numeric column to chart")
    if label is not None:
        if label not in names:
            raise ChartError(f"no column [{label}] in the last result")
        return value_index, names.index(label)
    others = [i for i in range(len(names)) if i != value_index]
    preferred = [i for i in others if result.columns[i].type in _LABEL_TYPES]
    fallback = [i for i in others if i not in numeric]
    candidates = preferred or fallback
    return value_index, candidates[0] if candidates else None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None  # null, or a multi-value: nothing to draw
    return None if math.isnan(value) else float(value)


def bar(fraction: float, width: int) -> str:
    """A bar ``fraction`` (0..1) of ``width`` cells long, in eighths of a cell."""
    eighths = round(max(0.0, min(fraction, 1.0)) * width * 8)
    full, part = divmod(eighths, 8)
    return _FULL * full + (_EIGHTHS[part] if part else "")


def bar_chart(result: Result, options: ChartOptions | None = None) -> str:
    """The chart as text; raises ``ChartError`` when there is nothing to chart."""
    from rich.table import Table
    from rich.text import Text

    from esqlsh.render.table import to_text

    options = options or ChartOptions()
    value_index, label_index = pick_columns(result, options.value, options.label)
    rows = to_es_values(dataclasses.replace(result, frame=result.frame.head(MAX_BARS)))
    if not rows:
        raise ChartError("the last result has no rows")
    labels = [
        str(n + 1) if label_index is None else es_text(row[label_index])
        for n, row in enumerate(rows)
    ]
    numbers = [_number(row[value_index]) for row in rows]
    shown = [es_text(row[value_index]) for row in rows]
    scale = max((abs(n) for n in numbers if n is not None), default=0.0) or 1.0
    label_width = min(max(len(label) for label in labels), 30)
    value_width = max(len(s) for s in shown)
    bar_width = max(options.width - label_width - value_width - 4, 10)
    grid = Table.grid(padding=(0, 1))
    grid.add_column(max_width=label_width, no_wrap=True, overflow="ellipsis")
    grid.add_column(justify="right", no_wrap=True)
    grid.add_column(no_wrap=True)
    for label, number, text in zip(labels, numbers, shown, strict=True):
        style = "red" if number is not None and number < 0 else "cyan"
        drawn = "" if number is None else bar(abs(number) / scale, bar_width)
        grid.add_row(Text(label), Text(text, style="dim"), Text(drawn, style=style))
    title = result.columns[value_index].name
    if label_index is not None:
        title += f" by {result.columns[label_index].name}"
    body = to_text(grid, width=options.width, color=options.color)
    total = result.frame.height
    footer = f"(the first {MAX_BARS} of {total} rows)\n" if total > MAX_BARS else ""
    return f"{title}\n{body}{footer}"
