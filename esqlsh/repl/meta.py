"""Meta commands: ``\\name [argument]`` lines the shell handles itself.

Each command is one small function registered in ``META_COMMANDS`` by the
:func:`meta` decorator (name, usage, one-line summary; the completer and
``\\help`` list them from there). A handler gets the ``Shell`` — what the shell
offers meta commands: its clusters, settings, printer, last query and result —
and the argument text; it returns ``QUIT`` to leave the shell.

Cluster metadata (``\\indices``, ``\\describe``, ``\\policies``) is read from
every cluster concurrently, each bounded by its timeout; a cluster that cannot
answer is reported, never waited on past that.
"""

from __future__ import annotations

import fnmatch
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from esqlsh.errors import EsqlError
from esqlsh.render.formats import FORMATS
from esqlsh.repl.statements import EXIT_WORDS

if TYPE_CHECKING:
    from esqlsh.clusters.base import Catalog
    from esqlsh.engine.result import Result
    from esqlsh.repl.health import ClusterHealth
    from esqlsh.repl.output import Printer

QUIT = "quit"
EDITING_MODES = ("emacs", "vi")
# Formats the shell can print on a terminal (arrow is binary: one-shot only).
SHELL_FORMATS = tuple(f for f in FORMATS if f != "arrow")
MAX_INCLUDE_DEPTH = 16


@dataclass
class ReplSettings:
    """What ``\\set`` (and ``\\format``, ``\\timing``) change."""

    format: str = "table"
    timing: bool = False
    types: bool = False  # column types under the names in table output
    pager: bool = True
    editing_mode: str = "emacs"
    include_ccs_metadata: bool = False
    params: dict[str, Any] = field(default_factory=dict)


class Shell(Protocol):
    """What meta commands use of the shell (``app.ReplApp``)."""

    registry: Any
    settings: ReplSettings
    printer: Printer
    health: ClusterHealth

    @property
    def last_query(self) -> str | None: ...

    @property
    def last_result(self) -> Result | None: ...

    def run_statement(self, text: str) -> str | None: ...

    def show_error(self, err: EsqlError, text: str | None) -> None: ...

    def edit(self, text: str) -> None: ...

    def refresh(self) -> None: ...

    def apply_settings(self) -> None: ...

    def include_depth(self) -> int: ...


Handler = Callable[[Shell, str], "str | None"]


@dataclass(frozen=True)
class MetaCommand:
    name: str
    usage: str
    summary: str
    handler: Handler
    aliases: tuple[str, ...] = ()


META_COMMANDS: dict[str, MetaCommand] = {}


def meta(name: str, usage: str, summary: str, *aliases: str) -> Callable[[Handler], Handler]:
    """Register the decorated handler as ``\\name`` (and ``\\alias`` …)."""

    def register(handler: Handler) -> Handler:
        command = MetaCommand(name, usage, summary, handler, aliases)
        for key in (name, *aliases):
            META_COMMANDS[key] = command
        return handler

    return register


def meta_names() -> list[str]:
    """``\\name`` of every meta command (aliases too), for completion."""
    return sorted("\\" + key for key in META_COMMANDS)


def parse_meta(line: str) -> tuple[str, str]:
    """``("indices", "logs*")`` from ``\\indices logs*``; exit words are ``q``."""
    stripped = line.strip()
    if stripped.lower() in EXIT_WORDS:
        return "q", ""
    parts = stripped.lstrip("\\").split(None, 1)
    if not parts:
        return "", ""
    return parts[0], parts[1].strip() if len(parts) > 1 else ""


def run_meta(shell: Shell, line: str) -> str | None:
    """Run one meta command line; ``QUIT`` to leave the shell."""
    name, argument = parse_meta(line)
    command = META_COMMANDS.get(name)
    if command is None:
        shell.printer.error(f"Unknown meta command [\\{name}]; \\help lists them.")
        return None
    return command.handler(shell, argument)


# ---------------------------------------------------------------------- output helpers


def show_table(
    shell: Shell,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    styles: dict[int, Callable[[Any], str]] | None = None,
    caption: str | None = None,
) -> None:
    """A rich table of ``rows`` on stdout (paged when it does not fit)."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    from esqlsh.render.table import to_text

    color = shell.printer.color
    table = Table(box=box.SIMPLE_HEAD, header_style="bold" if color else "", highlight=False)
    for header in headers:
        table.add_column(header)
    for row in rows:
        cells = []
        for i, value in enumerate(row):
            style = styles[i](value) if styles and i in styles else ""
            cells.append(Text("" if value is None else str(value), style=style))
        table.add_row(*cells)
    text = to_text(table, width=shell.printer.width, color=color)
    if caption:
        text += caption + "\n"
    shell.printer.result(text, page=True, tee=False)


def _on_off(argument: str, current: bool) -> bool | None:
    """``on``/``off`` (and friends); no argument toggles; None when unreadable."""
    word = argument.strip().lower()
    if not word:
        return not current
    if word in ("on", "true", "yes", "1"):
        return True
    if word in ("off", "false", "no", "0"):
        return False
    return None


# ---------------------------------------------------------------------- leaving, help


@meta(
    "help",
    "\\help [COMMAND|FUNCTION|\\meta]",
    "Help on meta commands, ES|QL commands, functions.",
    "?",
    "h",
)
def _help(shell: Shell, argument: str) -> str | None:
    topic = argument.strip().rstrip(";").strip()
    if not topic:
        _list_meta(shell)
        return None
    text = help_for(topic)
    if text is None:
        shell.printer.error(
            f"No help for [{topic}]: not a meta command, an ES|QL command or a function."
        )
    else:
        shell.printer.out(text.rstrip("\n") + "\n")
    return None


def help_for(topic: str) -> str | None:
    """The help text of a meta command (``\\chart``), an ES|QL command (``STATS``)
    or a function (``ROUND``); None when ``topic`` is none of them."""
    from esqlsh.analysis.registry import help_text
    from esqlsh.repl.command_help import command_help

    if topic.startswith("\\"):
        command = META_COMMANDS.get(topic[1:])
        return None if command is None else f"{command.usage}\n\n{command.summary}"
    text = command_help(topic)
    if text is not None:
        return text
    try:
        return help_text(topic.split("(")[0].strip())
    except KeyError:
        command = META_COMMANDS.get(topic)
        return None if command is None else f"{command.usage}\n\n{command.summary}"


def _list_meta(shell: Shell) -> None:
    seen: list[MetaCommand] = []
    for command in META_COMMANDS.values():
        if command not in seen:
            seen.append(command)
    rows = [(c.usage, c.summary) for c in seen]
    caption = (
        "A query ends with ; or a blank line (Alt-Enter runs it as it is). "
        "Ctrl-C cancels a running query; Ctrl-R searches the history."
    )
    show_table(shell, ("meta command", "what it does"), rows, caption=caption)


# ---------------------------------------------------------------------- settings


@meta("format", "\\format [NAME]", f"Output format: {', '.join(SHELL_FORMATS)}.")
def _format(shell: Shell, argument: str) -> str | None:
    name = argument.strip().lower()
    if not name:
        shell.printer.note(f"Format: {shell.settings.format} (one of {', '.join(SHELL_FORMATS)})")
    elif name not in SHELL_FORMATS:
        why = " (binary; use --format arrow on the command line)" if name == "arrow" else ""
        shell.printer.error(f"Unknown format [{name}]{why}; one of {', '.join(SHELL_FORMATS)}.")
    else:
        shell.settings.format = name
        shell.printer.note(f"Format: {name}")
    return None


@meta("timing", "\\timing [on|off]", "Show how long each query took (toggles).")
def _timing(shell: Shell, argument: str) -> str | None:
    value = _on_off(argument, shell.settings.timing)
    if value is None:
        shell.printer.error("\\timing takes on or off")
        return None
    shell.settings.timing = value
    shell.printer.note(f"Timing is {'on' if value else 'off'}.")
    return None


_SETTINGS_HELP = {
    "format": "output format",
    "timing": "on|off",
    "types": "on|off: column types under the names in tables",
    "pager": "on|off: page results taller or wider than the terminal",
    "editing_mode": "emacs|vi",
    "include_ccs_metadata": "on|off: _clusters in json/yaml output",
}


@meta("set", "\\set [NAME [VALUE]]", "Show or change a setting: " + ", ".join(_SETTINGS_HELP) + ".")
def _set(shell: Shell, argument: str) -> str | None:
    name, _, value = argument.strip().partition(" ")
    name, value = name.strip().lower(), value.strip()
    if not name:
        rows = [(key, _setting_text(shell, key), text) for key, text in _SETTINGS_HELP.items()]
        show_table(shell, ("setting", "value", "values"), rows)
        return None
    if name == "format":
        return _format(shell, value)
    if name not in _SETTINGS_HELP:
        shell.printer.error(f"Unknown setting [{name}]; one of {', '.join(_SETTINGS_HELP)}.")
        return None
    if name == "editing_mode":
        mode = value.lower()
        if mode not in EDITING_MODES:
            shell.printer.error("editing_mode is emacs or vi")
            return None
        shell.settings.editing_mode = mode
    else:
        flag = _on_off(value, bool(getattr(shell.settings, name)))
        if flag is None:
            shell.printer.error(f"{name} takes on or off")
            return None
        setattr(shell.settings, name, flag)
    shell.apply_settings()
    shell.printer.note(f"{name} is {_setting_text(shell, name)}.")
    return None


def _setting_text(shell: Shell, name: str) -> str:
    value = getattr(shell.settings, name)
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value)


# ---------------------------------------------------------------------- clusters


@meta("clusters", "\\clusters", "The configured clusters: type, endpoint, status (pinged now).")
def _clusters(shell: Shell, argument: str) -> str | None:
    from esqlsh.coordinator.clusters_info import LOCAL_LABEL
    from esqlsh.repl.health import DOWN, UP

    shell.health.ping_all()
    shell.health.wait(2.0)
    rows = []
    local = shell.registry.local
    for alias, cluster in shell.registry.clusters.items():
        health = shell.health.get(alias)
        status = health.state + (f": {health.detail}" if health.detail else "")
        name = f"{alias} {LOCAL_LABEL}" if alias == local else alias
        skip = "" if alias == local else ("true" if cluster.skip_unavailable else "false")
        rows.append((name, cluster.kind, cluster.describe(), skip, status))
    colours = {UP: "green", DOWN: "red"}

    def status_style(text: Any) -> str:
        return colours.get(str(text).split(":")[0], "yellow")

    show_table(
        shell,
        ("cluster", "type", "endpoint", "skip_unavailable", "status"),
        rows,
        styles={4: status_style},
    )
    return None


@dataclass
class Catalogs:
    """Catalogs of the clusters asked, and why the others did not answer."""

    catalogs: dict[str, Catalog]
    failures: dict[str, str]


def fetch_catalogs(registry: Any, aliases: Sequence[str]) -> Catalogs:
    """Every cluster's catalog at once, each bounded by the cluster's timeout."""
    from esqlsh.coordinator.concurrent import ask_all
    from esqlsh.repl.health import reason_of
    from esqlsh.repl.runner import run_in_worker

    def task(alias: str) -> Callable[[threading.Event], Catalog]:
        return lambda stop: registry.clusters[alias].catalog()

    tasks = {alias: task(alias) for alias in aliases}
    timeouts = {alias: float(registry.clusters[alias].timeout) for alias in aliases}
    cancel = threading.Event()
    # In a worker, so that Ctrl-C gives the prompt back at once (QueryCancelled).
    outcomes = run_in_worker(lambda: ask_all(tasks, timeouts, cancel), cancel)
    result = Catalogs({}, {})
    for alias in aliases:
        outcome = outcomes[alias]
        if outcome.error is None and outcome.value is not None:
            result.catalogs[alias] = outcome.value
        else:
            result.failures[alias] = reason_of(outcome.error or RuntimeError("no answer"))
    return result


def resolve_pattern(shell: Shell, pattern: str) -> list[tuple[str, list[str], Catalog]] | None:
    """``(alias, concrete indices, catalog)`` per cluster ``pattern`` names
    (``logs*``, ``cluster_one:logs*``, ``*:*``); None after reporting an error.
    Clusters that do not answer are reported on stderr and left out."""
    from esqlsh.clusters.patterns import parse_expression, resolve_targets, target_indices

    registry = shell.registry
    try:
        targets = resolve_targets(parse_expression(pattern), registry.local, registry.remotes())
    except EsqlError as err:
        shell.printer.error(f"Error: {err.reason}")
        return None
    fetched = fetch_catalogs(registry, list(targets))
    for alias, reason in fetched.failures.items():
        shell.printer.warn(f"cluster [{alias}] did not answer: {reason}")
    found = []
    for alias, target in targets.items():
        catalog = fetched.catalogs.get(alias)
        if catalog is not None:
            found.append((alias, target_indices(target, catalog), catalog))
    return found


def everything(registry: Any) -> str:
    """The index pattern of every index of every cluster."""
    parts = ["*"] if registry.local is not None else []
    parts += [f"{alias}:*" for alias in registry.remotes()]
    return ",".join(parts)


def qualified(registry: Any, alias: str, index: str) -> str:
    return index if alias == registry.local else f"{alias}:{index}"


@meta(
    "indices",
    "\\indices [PATTERN]",
    "Indices matching PATTERN (e.g. logs*, cluster_one:*) on every cluster.",
)
def _indices(shell: Shell, argument: str) -> str | None:
    pattern = argument.strip() or everything(shell.registry)
    found = resolve_pattern(shell, pattern)
    if found is None:
        return None
    rows = []
    for alias, names, catalog in found:
        for name in names:
            info = catalog.index(name)
            mode = info.mode if info is not None else ""
            count = len(info.fields) if info is not None else ""
            rows.append((qualified(shell.registry, alias, name), mode, count))
    if not rows:
        shell.printer.note(f"No index matches [{pattern}].")
        return None
    show_table(shell, ("index", "mode", "fields"), rows)
    return None


@meta(
    "describe",
    "\\describe PATTERN",
    "Fields and types of the indices PATTERN matches, across clusters.",
    "d",
)
def _describe(shell: Shell, argument: str) -> str | None:
    pattern = argument.strip()
    if not pattern:
        shell.printer.error("\\describe takes an index pattern, e.g. \\describe cluster_one:logs*")
        return None
    found = resolve_pattern(shell, pattern)
    if found is None:
        return None
    where: dict[str, dict[str, list[str]]] = {}  # field -> type -> qualified indices
    indices: list[str] = []
    for alias, names, catalog in found:
        for name in names:
            info = catalog.index(name)
            if info is None:
                continue
            label = qualified(shell.registry, alias, name)
            indices.append(label)
            for field_name, data_type in info.fields.items():
                where.setdefault(field_name, {}).setdefault(data_type.es_name, []).append(label)
    if not indices:
        shell.printer.error(f"Error: Unknown index [{pattern}]")
        return None
    show_table(
        shell,
        ("field", "type", "only in"),
        describe_rows(where, len(indices)),
        caption=f"{len(where)} fields in {', '.join(indices)}",
    )
    return None


def describe_rows(where: dict[str, dict[str, list[str]]], total: int) -> list[tuple[str, str, str]]:
    """One row per field and type; ``only in`` names the indices when the field
    does not have that type in all of them (a type conflict, or a missing field)."""
    rows = []
    for name, types in where.items():
        for type_name, labels in types.items():
            rows.append((name, type_name, "" if len(labels) == total else ", ".join(labels)))
    return rows


@meta("policies", "\\policies", "Enrich policies of every cluster.")
def _policies(shell: Shell, argument: str) -> str | None:
    registry = shell.registry
    fetched = fetch_catalogs(registry, list(registry.clusters))
    for alias, reason in fetched.failures.items():
        shell.printer.warn(f"cluster [{alias}] did not answer: {reason}")
    rows = []
    for alias, catalog in fetched.catalogs.items():
        label = "(local)" if alias == registry.local else alias
        for policy in sorted(catalog.policies().values(), key=lambda p: p.name):
            rows.append(
                (
                    label,
                    policy.name,
                    policy.type,
                    ", ".join(policy.indices),
                    policy.match_field,
                    ", ".join(policy.enrich_fields),
                )
            )
    if not rows:
        shell.printer.note("No enrich policies.")
        return None
    headers = ("cluster", "policy", "type", "indices", "match field", "enrich fields")
    show_table(shell, headers, rows)
    return None


@meta("refresh", "\\refresh", "Forget cached metadata and ping the clusters again.")
def _refresh(shell: Shell, argument: str) -> str | None:
    shell.refresh()
    shell.printer.note("Refreshing cluster metadata in the background.")
    return None


# ---------------------------------------------------------------------- functions


@meta(
    "functions",
    "\\functions [PATTERN]",
    "ES|QL functions (PATTERN: a glob or a part of the name).",
    "df",
)
def _functions(shell: Shell, argument: str) -> str | None:
    from esqlsh.analysis.registry import public_functions

    pattern = argument.strip().lower()
    rows = [
        (fn.signature, fn.kind, fn.doc.strip().split("\n")[0])
        for fn in public_functions()
        if _name_matches(fn.name, pattern)
    ]
    if not rows:
        shell.printer.note(f"No function matches [{pattern}].")
        return None
    show_table(shell, ("function", "kind", "description"), rows)
    return None


def _name_matches(name: str, pattern: str) -> bool:
    if not pattern:
        return True
    if any(c in pattern for c in "*?["):
        return fnmatch.fnmatchcase(name, pattern)
    return pattern in name


# ---------------------------------------------------------------------- queries


@meta(
    "explain",
    "\\explain QUERY",
    "Each cluster's fragment and the coordinator plan of QUERY; runs nothing.",
)
def _explain(shell: Shell, argument: str) -> str | None:
    from esqlsh.coordinator.fanout import explain_federated
    from esqlsh.repl.runner import run_in_worker
    from esqlsh.repl.statements import strip_terminator

    text = strip_terminator(argument) or (shell.last_query or "")
    if not text:
        shell.printer.error("\\explain takes a query")
        return None
    cancel = threading.Event()
    params = shell.settings.params or None
    try:
        plan = run_in_worker(lambda: explain_federated(text, shell.registry, params), cancel)
    except EsqlError as err:
        shell.show_error(err, text)
        return None
    shell.printer.out(plan if plan.endswith("\n") else plan + "\n")
    return None


@meta("o", "\\o [FILE]", "Also write results to FILE; \\o alone stops.", "out")
def _tee(shell: Shell, argument: str) -> str | None:
    target = argument.strip()
    if not target:
        stopped = shell.printer.stop_tee()
        shell.printer.note(
            f"Stopped writing to {stopped}." if stopped else "Not writing to a file."
        )
        return None
    try:
        shell.printer.start_tee(Path(target))
    except OSError as err:
        shell.printer.error(f"Error: cannot write {target}: {err.strerror or err}")
        return None
    shell.printer.note(f"Writing results to {target} too.")
    return None


@meta("i", "\\i FILE", "Run the queries and meta commands in FILE.", "include")
def _include(shell: Shell, argument: str) -> str | None:
    from esqlsh.repl.statements import split_statements

    target = argument.strip()
    if not target:
        shell.printer.error("\\i takes a file name")
        return None
    if shell.include_depth() >= MAX_INCLUDE_DEPTH:
        shell.printer.error(f"\\i: files include each other more than {MAX_INCLUDE_DEPTH} deep")
        return None
    try:
        text = Path(target).expanduser().read_text(encoding="utf-8")
    except OSError as err:
        shell.printer.error(f"Error: cannot read {target}: {err.strerror or err}")
        return None
    for statement in split_statements(text):
        if shell.run_statement(statement) == QUIT:
            return QUIT
    return None


@meta(
    "e",
    "\\e [QUERY]",
    "Edit QUERY (or the last query) in $EDITOR; the result comes back to the prompt.",
    "edit",
)
def _edit(shell: Shell, argument: str) -> str | None:
    shell.edit(argument.strip() or shell.last_query or "")
    return None


@meta(
    "chart",
    "\\chart [COLUMN [LABEL]]",
    "Bar chart of the last result's numeric COLUMN by its first keyword column.",
)
def _chart(shell: Shell, argument: str) -> str | None:
    from esqlsh.repl.chart import ChartError, ChartOptions, bar_chart

    if shell.last_result is None:
        shell.printer.error("\\chart draws the last result: run a query first")
        return None
    names = argument.split()
    if len(names) > 2:
        shell.printer.error("\\chart takes at most a value column and a label column")
        return None
    options = ChartOptions(
        value=names[0] if names else None,
        label=names[1] if len(names) > 1 else None,
        width=shell.printer.width or 80,
        color=shell.printer.color,
    )
    try:
        shell.printer.result(bar_chart(shell.last_result, options), page=True, tee=False)
    except ChartError as err:
        shell.printer.error(str(err))
    return None


@meta("q", "\\q", "Quit the shell (also Ctrl-D, exit, quit).", "quit")
def _quit(shell: Shell, argument: str) -> str | None:
    return QUIT
