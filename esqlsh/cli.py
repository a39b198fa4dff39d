"""The ``esqlsh`` command: one-shot queries, ``esqlsh load``, and (later) the REPL and
``esqlsh serve``.

A one-shot query runs through the cross-cluster coordinator
(``coordinator.fanout.run_federated``) over the clusters of the configuration
(``--config``, ``$ESQLSH_CONFIG``, the user config dir), over one local embedded
cluster (``--path DIR``), or, with neither, over the bundled cross-cluster demo
(``esqlsh/data/demo``: three embedded clusters and an unreachable one).

``run`` is the one place where exceptions become exit statuses (``ExitStatus``).
Commands write through the ``Environment`` (results to stdout; warnings, timing and
errors to stderr). Start-up stays fast: Polars, rich and the engine are imported
inside the command path, never at module import, and a query that reads no cluster
(``ROW``, ``SHOW``: ``reads_no_cluster``) opens none.
"""

from __future__ import annotations

import gc
import json
import os
import sys
import time
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import click

from esqlsh import __version__
from esqlsh.env import Environment
from esqlsh.errors import EsqlError
from esqlsh.exit import EPILOG, ExitStatus
from esqlsh.render.formats import FORMATS

if TYPE_CHECKING:
    from collections.abc import Callable
    from dataclasses import dataclass

    from esqlsh.clusters.base import Storage
    from esqlsh.clusters.registry import Cluster
    from esqlsh.coordinator.fanout import ClusterRegistry
    from esqlsh.engine.result import Result
else:  # the same classes, made without compiling methods at import (syntax/records.py)
    from esqlsh.syntax.records import dataclass

_YELLOW = "\x1b[33m"
_DIM = "\x1b[2m"
_RESET = "\x1b[0m"


@dataclass
class Invocation:
    """What ``run`` needs to report a failure: the environment and the query text
    being run (for the caret under an error's column)."""

    env: Environment
    query_text: str | None = None


@dataclass(frozen=True)
class QueryOptions:
    fmt: str
    path: Path | None
    params: dict[str, Any]
    header: bool
    timing: bool
    quiet: bool
    config: Path | None = None
    explain: bool = False
    include_ccs_metadata: bool = False
    server_side: str | None = None


# ------------------------------------------------------------------ the one place


def run(argv: list[str], env: Environment) -> ExitStatus:
    """Run ``esqlsh argv`` in ``env``; every outcome becomes an ``ExitStatus`` here."""
    invocation = Invocation(env)
    try:
        rv = cli.main(args=argv, prog_name="esqlsh", standalone_mode=False, obj=invocation)
    except EsqlError as err:
        from esqlsh.render.errors import render_error

        env.stderr.write(render_error(err, invocation.query_text, color=env.stderr_colors))
        return ExitStatus.ERROR
    except click.exceptions.Abort:
        return ExitStatus.CANCELLED
    except KeyboardInterrupt:
        env.stderr.write("\n")
        return ExitStatus.CANCELLED
    except click.ClickException as err:
        err.show(file=env.stderr)
        return ExitStatus.USAGE if isinstance(err, click.UsageError) else ExitStatus.ERROR
    except OSError as err:
        env.stderr.write(f"Error: {_os_error_text(err)}\n")
        return ExitStatus.ERROR
    except SystemExit as exit_:
        # click exits by itself only when stdout went away (EPIPE).
        return ExitStatus.OK if not exit_.code else ExitStatus.ERROR
    except Exception as err:
        if env.environ.get("ESQLSH_DEBUG"):
            raise
        from esqlsh.render.errors import render_internal_error

        env.stderr.write(render_internal_error(err, color=env.stderr_colors))
        return ExitStatus.ERROR
    if isinstance(rv, ExitStatus):
        return rv
    return (
        ExitStatus(rv)
        if isinstance(rv, int) and rv in ExitStatus._value2member_map_
        else ExitStatus.OK
    )


def main() -> None:
    """Console-script entry point."""
    status = run(sys.argv[1:], Environment.from_system())
    _quiet_closed_stdout()
    # The interpreter's exit walks every object once more looking for cycles to
    # free (about 25 ms once Polars is loaded) just before the process ends and
    # the system frees it all: leave what exists now to that. (atexit handlers
    # still run; the output was flushed above.)
    gc.freeze()
    sys.exit(int(status))


def _quiet_closed_stdout() -> None:
    # With stdout piped to `head`, the interpreter's final flush would complain.
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def _os_error_text(err: OSError) -> str:
    if err.filename is not None:
        return f"{err.strerror or err}: {err.filename}"
    return str(err.strerror or err)


# ------------------------------------------------------------------ the command group


@click.group(
    invoke_without_command=True,
    epilog=EPILOG,
    subcommand_metavar="[COMMAND [ARGS]...]",
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.option("-q", "--query", metavar="QUERY", help="Run this ES|QL query and exit.")
@click.option(
    "-f",
    "--file",
    "query_file",
    metavar="FILE",
    help="Run the ES|QL query in FILE ('-' for stdin) and exit.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="table",
    show_default=True,
    help="Output format of the result.",
)
@click.option(
    "--path",
    type=click.Path(file_okay=False, path_type=Path),
    help="Query the embedded cluster in this directory as the local cluster, with no "
    "remotes (default: the clusters of the config, else the bundled demo data).",
)
@click.option(
    "--param",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="A query parameter (?NAME); VALUE is read as JSON when it parses, else as a string.",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Clusters configuration (YAML); default: $ESQLSH_CONFIG, then the user config dir.",
)
@click.option(
    "--explain",
    is_flag=True,
    help="Print each cluster's fragment and the coordinator plan; run nothing.",
)
@click.option(
    "--include-ccs-metadata",
    is_flag=True,
    help="Add _clusters to json/yaml output (always there when a cluster failed or "
    "the result is partial).",
)
@click.option(
    "--server-side",
    metavar="CLUSTER",
    help="Send the whole query to this elasticsearch cluster and let it coordinate.",
)
@click.option("--no-header", is_flag=True, help="Leave out the header row (table, csv, tsv, txt).")
@click.option("--timing", is_flag=True, help="Print how long the query took (stderr).")
@click.option("--quiet", is_flag=True, help="Do not print warnings or timing (stderr).")
@click.option(
    "--list-clusters",
    is_flag=True,
    hidden=True,
    help="Print the configured cluster aliases, one per line (for shell completion).",
)
@click.version_option(__version__, "-V", "--version", prog_name="esqlsh")
@click.pass_context
def cli(
    ctx: click.Context,
    query: str | None,
    query_file: str | None,
    fmt: str,
    path: Path | None,
    params: tuple[str, ...],
    config_path: Path | None,
    explain: bool,
    include_ccs_metadata: bool,
    server_side: str | None,
    no_header: bool,
    timing: bool,
    quiet: bool,
    list_clusters: bool,
) -> ExitStatus | None:
    """esqlsh: ES|QL, Elasticsearch's piped query language, over embedded clusters.

    \b
    Run one query and print the result:
      esqlsh -q 'FROM employees | STATS n = COUNT(*) BY gender'
      esqlsh -f query.esql --format csv > out.csv
      echo 'ROW a = 1' | esqlsh --format json

    \b
    Across clusters (clusters from --config):
      esqlsh --config clusters.yaml -q 'FROM logs-*,cluster_one:logs-* | STATS COUNT(*)'

    Results go to stdout; warnings, timing, errors and (for formats other than
    table) the per-cluster status table to stderr.
    """
    if ctx.invoked_subcommand is not None:
        return None
    invocation: Invocation = ctx.obj
    env = invocation.env
    if list_clusters:
        return print_cluster_aliases(env, path, config_path)
    text = _query_text(env, query, query_file)
    options = QueryOptions(
        fmt=fmt,
        path=path,
        params=_parse_params(params),
        header=not no_header,
        timing=timing,
        quiet=quiet,
        config=config_path,
        explain=explain,
        include_ccs_metadata=include_ccs_metadata,
        server_side=server_side,
    )
    if text is None:
        return _start_repl(env, options)
    invocation.query_text = text
    return run_one_shot(env, text, options)


def _query_text(env: Environment, query: str | None, query_file: str | None) -> str | None:
    """The query from ``-q``, ``-f`` or piped stdin; None when there is none."""
    if query is not None and query_file is not None:
        raise click.UsageError("use either -q/--query or -f/--file, not both")
    if query is not None:
        text = query
    elif query_file == "-":
        text = env.stdin.read()
    elif query_file is not None:
        try:
            text = Path(query_file).read_text(encoding="utf-8")
        except OSError as err:
            raise click.UsageError(f"cannot read query file: {_os_error_text(err)}") from err
    elif not env.stdin_isatty:
        text = env.stdin.read()
        if not text.strip():
            raise click.UsageError("no query: pass -q QUERY, -f FILE or a query on stdin")
    else:
        return None
    if not text.strip():
        raise click.UsageError("the query is empty")
    return text.strip()


def _parse_params(params: tuple[str, ...]) -> dict[str, Any]:
    parsed: dict[str, Any] = {}
    for item in params:
        name, sep, raw = item.partition("=")
        if not sep or not name:
            raise click.UsageError(f"--param takes NAME=VALUE, got [{item}]")
        try:
            value = json.loads(raw)
        except ValueError:
            value = raw
        parsed[name] = value
    return parsed


def print_cluster_aliases(env: Environment, path: Path | None, config: Path | None) -> ExitStatus:
    """``--list-clusters`` (hidden; the shell completions in ``completions/`` call
    it): the aliases of the clusters a query would see, one per line, in config
    order. Reads the configuration only: no cluster is opened or contacted."""
    from esqlsh.clusters.config import DEFAULT_LOCAL, default_config, load_config

    if path is not None:
        aliases = [DEFAULT_LOCAL]
    else:
        config_path = find_config(env, config)
        found = default_config() if config_path is None else load_config(config_path, env.environ)
        aliases = list(found.clusters)
    env.stdout.write("".join(f"{alias}\n" for alias in aliases))
    return ExitStatus.OK


def _start_repl(env: Environment, options: QueryOptions) -> ExitStatus:
    """``esqlsh`` on a terminal with no query: the interactive shell (``repl/app.py``),
    over the clusters a one-shot query would use, starting with the command line's
    format, timing, parameters and ``--include-ccs-metadata``."""
    if not env.stdout_isatty:
        env.stderr.write(
            "esqlsh: the interactive shell needs a terminal on stdout.\n"
            "Run a query with -q QUERY, -f FILE or on stdin; see 'esqlsh --help'.\n"
        )
        return ExitStatus.USAGE
    if options.explain or options.server_side is not None:
        raise click.UsageError("--explain and --server-side need a query (-q, -f or stdin)")
    from esqlsh.repl.app import start_repl
    from esqlsh.repl.meta import EDITING_MODES, SHELL_FORMATS, ReplSettings

    if options.fmt not in SHELL_FORMATS:
        raise click.UsageError(f"--format {options.fmt} is for one-shot queries, not the shell")
    mode = env.environ.get("ESQLSH_EDITING_MODE", "emacs").lower()
    settings = ReplSettings(
        format=options.fmt,
        timing=options.timing,
        include_ccs_metadata=options.include_ccs_metadata,
        params=dict(options.params),
        editing_mode=mode if mode in EDITING_MODES else "emacs",
    )
    registry = open_registry(env, options)
    try:
        return start_repl(env, registry, settings)
    finally:
        _close(registry)


# ------------------------------------------------------------------ one-shot queries


def run_one_shot(env: Environment, text: str, options: QueryOptions) -> ExitStatus:
    """Run ``text`` and print its result; EsqlError propagates to ``run``."""
    if options.fmt == "arrow" and env.stdout_isatty and not options.explain:
        raise click.UsageError("refusing to write binary Arrow output to a terminal; redirect it")
    registry = open_registry(env, options, text)
    try:
        if options.explain:
            from esqlsh.coordinator.fanout import explain_federated

            env.stdout.write(explain_federated(text, registry, options.params or None))
            return ExitStatus.OK
        started = time.perf_counter()
        result = execute_query(text, registry, options)
        elapsed_ms = (time.perf_counter() - started) * 1000
    finally:
        _close(registry)
    _until_reader_leaves(env, lambda: write_result(env, result, options))
    _until_reader_leaves(env, lambda: write_status(env, result, options))
    if not options.quiet:
        write_warnings(env, result.warnings)
        if options.timing:
            write_note(env, f"Took {elapsed_ms:.1f} ms, {result.frame.height} rows")
    return ExitStatus.PARTIAL if result.is_partial else ExitStatus.OK


def _until_reader_leaves(env: Environment, write: Callable[[], None]) -> None:
    """Run ``write``; if stdout's reader went away (``esqlsh … | head -1``), it has
    what it wanted: what is left for stdout goes nowhere, with no traceback and no
    error status (the query's status stands), while stderr still gets its notes."""
    try:
        write()
    except BrokenPipeError:
        _discard_stdout(env.stdout)


def _discard_stdout(stream: IO[str]) -> None:
    # Point the descriptor at /dev/null, so that later writes and the final
    # flush of what is still buffered succeed quietly.
    try:
        fd = stream.fileno()
    except (AttributeError, OSError, ValueError):
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
    finally:
        os.close(devnull)


def execute_query(text: str, registry: ClusterRegistry, options: QueryOptions) -> Result:
    """The query through the coordinator, or sent whole to ``--server-side``."""
    params = options.params or None
    if options.server_side is not None:
        from esqlsh.coordinator.passthrough import run_server_side

        return run_server_side(
            text,
            registry,
            options.server_side,
            params,
            include_ccs_metadata=options.include_ccs_metadata,
        )
    from esqlsh.coordinator.fanout import run_federated

    return run_federated(text, registry, params, include_ccs_metadata=options.include_ccs_metadata)


def open_registry(
    env: Environment, options: QueryOptions, text: str | None = None
) -> ClusterRegistry:
    """The clusters to query: ``--path DIR`` (one local embedded cluster, no
    remotes), else the configuration file, else the bundled cross-cluster demo.

    A query ``text`` that reads no cluster (``reads_no_cluster``: ROW or SHOW, no
    ENRICH or LOOKUP JOIN) runs over no cluster at all, as it would over any: no
    cluster is opened, and the bundled demo's configuration is not even read. A
    configuration file the user has is still read and checked, so that its errors
    and warnings are reported whatever the query."""
    if options.path is not None:
        if options.config is not None:
            raise click.UsageError("use either --path or --config, not both")
        return _single(open_storage(options.path))
    needs_clusters = (
        text is None
        or options.explain
        or options.server_side is not None
        or not reads_no_cluster(text)
    )
    config_path = find_config(env, options.config)
    if config_path is None and not needs_clusters:
        return NoClusters()
    from esqlsh.clusters.config import default_config, load_config

    # No config: the bundled cross-cluster demo (clusters/config.default_config).
    config = default_config() if config_path is None else load_config(config_path, env.environ)
    if not options.quiet:
        write_warnings(env, list(config.warnings))
    if not needs_clusters:
        return NoClusters()
    from esqlsh.clusters.registry import Registry

    registry: ClusterRegistry = Registry.from_config(config)
    return registry


class NoClusters:
    """The registry of a query that reads no cluster: no local cluster, no remotes
    (the coordinator then runs the query in process over an empty storage)."""

    local: str | None = None

    def __init__(self) -> None:
        self.clusters: dict[str, Cluster] = {}

    def remotes(self) -> list[str]:
        return []


def reads_no_cluster(text: str) -> bool:
    """Whether the query ``text`` reads nothing from any cluster: a ROW or SHOW
    source followed only by commands that work on the rows they are given (no
    FROM, ENRICH or LOOKUP JOIN). False for a query that does not parse: the
    usual path reports its error."""
    from esqlsh.syntax import ast
    from esqlsh.syntax.parser import parse

    try:
        query = parse(text)
    except EsqlError:
        return False
    pure = (
        ast.Row,
        ast.ShowInfo,
        ast.Where,
        ast.Eval,
        ast.Stats,
        ast.InlineStats,
        ast.Keep,
        ast.Drop,
        ast.Rename,
        ast.Sort,
        ast.Limit,
        ast.Dissect,
        ast.Grok,
        ast.MvExpand,
        ast.Sample,
    )
    # Exact types: a command added later is not taken for pure by inheritance.
    return bool(query.commands) and all(type(cmd) in pure for cmd in query.commands)


def find_config(env: Environment, explicit: Path | None) -> Path | None:
    """``--config``, else ``$ESQLSH_CONFIG``, else ``config.yaml`` in the config dir."""
    from esqlsh.clusters.config import CONFIG_ENV, CONFIG_FILE, locate_config

    if explicit is not None or env.environ.get(CONFIG_ENV):
        return locate_config(explicit, env.environ)
    candidate = env.config_dir / CONFIG_FILE
    return candidate if candidate.is_file() else None


def _single(storage: Storage) -> ClusterRegistry:
    from esqlsh.coordinator.local import single_cluster_registry

    return single_cluster_registry(storage)


def _close(registry: ClusterRegistry) -> None:
    close = getattr(registry, "close", None)
    if close is not None:
        close()


def open_storage(path: Path | None) -> Storage:
    """The embedded cluster at ``path``, or the packaged demo cluster."""
    from esqlsh.clusters.embedded import EmbeddedCluster

    if path is not None and not path.is_dir():
        raise click.UsageError(f"--path: no such directory: {path}")
    cluster: Storage = EmbeddedCluster(path if path is not None else default_data_path())
    return cluster


def default_data_path() -> Path:
    """``esqlsh/data/default`` inside the installed package."""
    from importlib.resources import files

    path = Path(str(files("esqlsh").joinpath("data", "default")))
    if not path.is_dir():
        raise click.ClickException(f"the bundled demo data is missing ({path}); use --path DIR")
    return path


def write_result(env: Environment, result: Result, options: QueryOptions) -> None:
    from esqlsh.render.formats import RenderOptions, render

    render_options = RenderOptions(
        header=options.header,
        color=env.stdout_colors,
        width=env.terminal_width if env.stdout_isatty else None,
    )
    output = render(result, options.fmt, render_options)
    if isinstance(output, bytes):
        env.write_stdout_bytes(output)
        return
    env.stdout.write(output)
    env.stdout.flush()


def write_status(env: Environment, result: Result, options: QueryOptions) -> None:
    """The per-cluster status table of a cross-cluster result: after the rows for
    ``table``, on stderr for the other formats (there unless --quiet, but always
    when a cluster had a problem)."""
    clusters = getattr(result, "clusters", None)
    if clusters is None:
        return
    from esqlsh.render.status import render_status

    local = getattr(result, "local", None)
    if options.fmt == "table":
        width = env.terminal_width if env.stdout_isatty else None
        env.stdout.write(render_status(clusters, local, color=env.stdout_colors, width=width))
        env.stdout.flush()
    elif not options.quiet or clusters.has_problem:
        width = env.terminal_width if env.stderr_isatty else None
        env.stderr.write(render_status(clusters, local, color=env.stderr_colors, width=width))


def write_warnings(env: Environment, warnings: list[str]) -> None:
    for warning in warnings:
        text = f"Warning: {warning}"
        env.stderr.write(f"{_YELLOW}{text}{_RESET}\n" if env.stderr_colors else f"{text}\n")


def write_note(env: Environment, text: str) -> None:
    env.stderr.write(f"{_DIM}{text}{_RESET}\n" if env.stderr_colors else f"{text}\n")


# ------------------------------------------------------------------ esqlsh load


@cli.command("load")
@click.option(
    "--path",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Embedded cluster directory (created if missing).",
)
@click.option("--index", required=True, help="Name of the index to load into.")
@click.option(
    "--mapping",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Elasticsearch mapping (JSON) of the index; inferred when absent.",
)
@click.option("--replace", is_flag=True, help="Replace the index if it exists.")
@click.argument(
    "files",
    nargs=-1,
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@click.pass_obj
def load(
    invocation: Invocation,
    path: Path,
    index: str,
    mapping: Path | None,
    replace: bool,
    files: tuple[Path, ...],
) -> ExitStatus:
    """Load Parquet, NDJSON or CSV FILES into an index of an embedded cluster."""
    from esqlsh.clusters.ingest import load_index

    loaded = load_index(
        path, index, list(files), mapping=mapping, mode="replace" if replace else "append"
    )
    write_note(invocation.env, f"Loaded {loaded} documents into [{index}] in {path}")
    return ExitStatus.OK


cli.add_command(__import__("esqlsh.server.command", fromlist=["serve"]).serve)  # click only


if __name__ == "__main__":  # pragma: no cover
    main()
