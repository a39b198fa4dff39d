"""The per-cluster status table of a cross-cluster query.

One row per cluster of ``_clusters.details``, local first: alias (the local
cluster as Elasticsearch names it, ``(local)``), status, the index expression it
was asked for, its ``took``, its shards and why it failed. Renderers are pure:
``(ClustersInfo, options) -> str``; :func:`status_table` gives the rich table
itself for live displays (the REPL redraws it as statuses change).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from esqlsh.coordinator.clusters_info import (
    FAILED,
    LOCAL_LABEL,
    PARTIAL,
    RUNNING,
    SKIPPED,
    SUCCESSFUL,
    ClusterInfo,
    ClustersInfo,
)

if TYPE_CHECKING:
    from rich.table import Table
    from rich.text import Text

STATUS_STYLES = {
    RUNNING: "cyan",
    SUCCESSFUL: "green",
    PARTIAL: "yellow",
    SKIPPED: "yellow",
    FAILED: "red",
}
HEADERS = ("cluster", "status", "indices", "took", "shards", "failure")
# On a narrow terminal: short cells never wrap; long ones fold (a word wider than
# its column continues on the next line) rather than end in "…", so no alias,
# index or exception type is ever cut short.
_FIT: dict[str, dict[str, Any]] = {
    "cluster": {"no_wrap": True},
    "status": {"no_wrap": True},
    "indices": {"overflow": "fold"},
    "took": {"no_wrap": True},
    "shards": {"overflow": "fold"},
    "failure": {"overflow": "fold"},
}


def shards_text(shards: dict[str, int]) -> str:
    """``4/4`` (successful of total), then skipped and failed shards when any."""
    if not shards:
        return ""
    text = f"{shards.get('successful', 0)}/{shards.get('total', 0)}"
    extras = [f"{shards[k]} {k}" for k in ("skipped", "failed") if shards.get(k)]
    return ", ".join([text, *extras])


def took_text(took: int | None) -> str:
    return "" if took is None else f"{took} ms"


def failure_text(entry: ClusterInfo) -> str:
    """Every failure as ``[type] reason``, one per line."""
    lines = []
    for f in entry.failures:
        reason = f.get("reason") or {}
        kind, text = reason.get("type", ""), reason.get("reason", "")
        lines.append(f"[{kind}] {text}" if kind else str(text))
    return "\n".join(lines)


def row_cells(entry: ClusterInfo, local: str | None) -> tuple[str, ...]:
    """The row of ``entry`` as plain text, in ``HEADERS`` order."""
    return (
        LOCAL_LABEL if entry.alias == local else entry.alias,
        entry.status,
        entry.indices,
        took_text(entry.took),
        shards_text(entry.shards),
        failure_text(entry),
    )


def summary(info: ClustersInfo) -> str:
    """``3 clusters: 2 successful, 1 skipped`` (statuses with no cluster left out)."""
    total = len(info.details)
    parts = [
        f"{info.count(s)} {s}"
        for s in (SUCCESSFUL, RUNNING, PARTIAL, SKIPPED, FAILED)
        if info.count(s)
    ]
    noun = "cluster" if total == 1 else "clusters"
    return f"{total} {noun}: {', '.join(parts)}" if parts else f"{total} {noun}"


def status_table(
    info: ClustersInfo, local: str | None, *, color: bool = False, failures: bool = True
) -> Table:
    """The rich table of ``info`` (styles only matter when the console has colour);
    ``failures=False`` leaves out the failure column (``render_status`` then lists
    the failures under the table)."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    headers = HEADERS if failures else HEADERS[:-1]
    table = Table(
        box=box.SQUARE,
        header_style="bold" if color else "",
        highlight=False,
        caption=summary(info),
        caption_justify="left",
    )
    for name in headers:
        table.add_column(name, justify="right" if name == "took" else "left", **_FIT[name])
    for entry in info.details.values():
        cells: list[Any] = [Text(c) for c in row_cells(entry, local)[: len(headers)]]
        cells[1] = Text(entry.status, style=STATUS_STYLES.get(entry.status, ""))
        table.add_row(*cells)
    return table


def render_status(
    info: ClustersInfo, local: str | None, *, color: bool = False, width: int | None = None
) -> str:
    """The status table as text (ANSI colours when ``color``). When the table with
    its failure column is wider than ``width``, the failures follow the table
    instead, one per line (``cluster_three: [type] reason``), wrapped to ``width``:
    six columns squeezed into a terminal would fold a reason a word per line."""
    from rich.measure import Measurement

    from esqlsh.render.table import printed, text_console

    console = text_console(width, color)
    table = status_table(info, local, color=color)
    below = False
    if width is not None and any(entry.failures for entry in info.details.values()):
        natural = Measurement.get(console, console.options.update_width(1_000_000), table)
        below = natural.maximum > width
    if below:
        table = status_table(info, local, color=color, failures=False)
    console.print(table)
    if below:
        for line in _failure_lines(info, local, width or 0):
            console.print(line)
    return printed(console)


def _failure_lines(info: ClustersInfo, local: str | None, width: int) -> list[Text]:
    """``alias: [type] reason`` per failure, wrapped to ``width`` with the
    continuation lines indented; the alias in its status's colour."""
    import textwrap

    from rich.text import Text

    lines: list[Text] = []
    for entry in info.details.values():
        label = row_cells(entry, local)[0]
        style = STATUS_STYLES.get(entry.status, "")
        for failure in failure_text(entry).splitlines():
            wrapped = textwrap.wrap(
                f"{label}: {failure}",
                width=max(width, 20),
                subsequent_indent="    ",
                break_on_hyphens=False,
            )
            for i, part in enumerate(wrapped):
                text = Text(part)
                if i == 0:
                    text.stylize(style, 0, len(label))
                lines.append(text)
    return lines
