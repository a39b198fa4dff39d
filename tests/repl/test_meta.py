"""Meta commands, run through the shell's ``run_statement`` over embedded clusters
(and one unreachable Elasticsearch cluster where a test needs a cluster down)."""

from __future__ import annotations

import socket
from pathlib import Path

import polars as pl
import pytest

from esqlsh.analysis.types import DataType as T
from esqlsh.clusters.registry import Registry
from esqlsh.engine.result import Result
from esqlsh.plan.logical import Attribute
from esqlsh.repl.app import ReplApp
from esqlsh.repl.chart import ChartError, ChartOptions, bar, bar_chart, pick_columns
from esqlsh.repl.command_help import command_help
from esqlsh.repl.meta import (
    META_COMMANDS,
    QUIT,
    describe_rows,
    help_for,
    meta_names,
    parse_meta,
)

from .shell_world import build_clusters, err, make_app, make_env, out, registry_of, write_config


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def clusters(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return build_clusters(tmp_path_factory.mktemp("repl_meta"))


@pytest.fixture
def registry(clusters: dict[str, Path], tmp_path: Path) -> Registry:
    dead = [
        "  dead:",
        "    type: elasticsearch",
        f"    hosts: http://127.0.0.1:{free_port()}",
        "    timeout: 2s",
    ]
    return registry_of(write_config(tmp_path / "config.yaml", clusters, dead))


@pytest.fixture
def app(registry: Registry) -> ReplApp:
    return make_app(registry)


def run(app: ReplApp, line: str) -> tuple[str, str]:
    """stdout and stderr written by ``line`` alone."""
    before_out, before_err = len(out(app.env)), len(err(app.env))
    app.run_statement(line)
    return out(app.env)[before_out:], err(app.env)[before_err:]


def test_parse_meta() -> None:
    assert parse_meta("\\indices  logs* ") == ("indices", "logs*")
    assert parse_meta("quit") == ("q", "")
    assert parse_meta("\\q") == ("q", "")
    assert parse_meta("\\describe\tlogs") == ("describe", "logs")
    assert parse_meta("\\") == ("", "")
    assert "\\clusters" in meta_names() and "\\describe" in meta_names()


def test_every_command_has_usage_and_summary() -> None:
    for name, command in META_COMMANDS.items():
        assert command.usage.startswith("\\") and command.summary.endswith("."), name


def test_quit(app: ReplApp) -> None:
    assert app.run_statement("\\q") == QUIT
    assert app.run_statement("exit") == QUIT


def test_clusters_lists_type_endpoint_and_status(app: ReplApp, clusters: dict[str, Path]) -> None:
    stdout, _ = run(app, "\\clusters")
    lines = {line.split()[0]: line for line in stdout.splitlines() if line.strip()}
    assert "embedded" in lines["local"] and "(local)" in lines["local"]
    assert str(clusters["cluster_one"]) in lines["cluster_one"]
    assert lines["cluster_one"].rstrip().endswith("up")
    assert "elasticsearch" in lines["dead"] and "down" in lines["dead"]
    assert "Connection refused" in lines["dead"] or "connect" in lines["dead"]
    up, down = app.health.counts()
    assert (up, down) == (3, 1)


def test_indices_on_every_cluster(app: ReplApp) -> None:
    stdout, stderr = run(app, "\\indices")
    assert "logs" in stdout and "cluster_one:logs" in stdout and "cluster_one:hosts" in stdout
    assert "cluster_two:logs" in stdout
    assert "cluster [dead] did not answer" in stderr


def test_indices_with_a_pattern(app: ReplApp) -> None:
    stdout, stderr = run(app, "\\indices cluster_one:h*")
    assert "cluster_one:hosts" in stdout and "logs" not in stdout and stderr == ""
    _, stderr = run(app, "\\indices nothing*")
    assert "No index matches [nothing*]" in stderr
    _, stderr = run(app, "\\indices nosuch:logs")
    assert "no such remote cluster: [nosuch]" in stderr


def test_describe_one_index(app: ReplApp) -> None:
    stdout, _ = run(app, "\\describe cluster_one:hosts")
    rows = [line.split() for line in stdout.splitlines() if line.strip()]
    assert ["host", "keyword"] in rows and ["os", "keyword"] in rows
    assert "2 fields in cluster_one:hosts" in stdout


def test_describe_across_clusters(app: ReplApp) -> None:
    stdout, _ = run(app, "\\describe logs,cluster_*:logs")
    assert "4 fields in logs, cluster_one:logs, cluster_two:logs" in stdout
    rows = [line.split() for line in stdout.splitlines() if line.strip()]
    assert ["bytes", "long"] in rows and ["@timestamp", "date"] in rows


def test_describe_reports_where_types_differ() -> None:
    where = {"a": {"long": ["x", "c1:x"]}, "b": {"keyword": ["x"], "text": ["c1:x"]}}
    assert describe_rows(where, 2) == [
        ("a", "long", ""),
        ("b", "keyword", "x"),
        ("b", "text", "c1:x"),
    ]


def test_describe_needs_a_pattern_and_a_match(app: ReplApp) -> None:
    assert "takes an index pattern" in run(app, "\\describe")[1]
    assert "Unknown index [nope]" in run(app, "\\describe nope")[1]


def test_policies(app: ReplApp) -> None:
    stdout, stderr = run(app, "\\policies")
    assert "cluster [dead] did not answer" in stderr
    rows = [line.split() for line in stdout.splitlines() if line.strip()]
    assert ["cluster_one", "hosts-policy", "match", "hosts", "host", "os"] in rows
    assert len(rows) == 3  # the header, its rule, the one policy


def test_functions_and_help(app: ReplApp) -> None:
    stdout, _ = run(app, "\\functions round")
    assert "ROUND(number, [decimals])" in stdout and "ABS" not in stdout
    stdout, _ = run(app, "\\functions mv_*")
    assert "MV_COUNT" in stdout and "ROUND" not in stdout
    stdout, _ = run(app, "\\help round")
    assert stdout.startswith("ROUND(number, [decimals])") and "returns:" in stdout
    stdout, _ = run(app, "\\help stats")
    assert stdout.startswith("STATS [column1 =]")
    stdout, _ = run(app, "\\help \\chart")
    assert stdout.startswith("\\chart [COLUMN [LABEL]]")
    stdout, _ = run(app, "\\help")
    assert "\\clusters" in stdout and "\\explain QUERY" in stdout
    assert "No help for [frob]" in run(app, "\\help frob")[1]


def test_help_topics() -> None:
    assert help_for("LOOKUP JOIN") == command_help("lookup")
    assert help_for("COUNT(x)") is not None and help_for("COUNT(x)").startswith("COUNT(")  # type: ignore[union-attr]
    assert help_for("\\nope") is None
    assert command_help("inline") is not None and command_help("nope") is None


def test_format_and_set(app: ReplApp) -> None:
    assert "Format: table" in run(app, "\\format")[1]
    assert "Unknown format [arrow] (binary" in run(app, "\\format arrow")[1]
    run(app, "\\format json")
    assert app.settings.format == "json"
    run(app, "\\set types on")
    assert app.settings.types is True
    run(app, "\\set pager off")
    assert app.settings.pager is False and app.printer.paging is False
    assert "Unknown setting [colour]" in run(app, "\\set colour on")[1]
    assert "takes on or off" in run(app, "\\set timing maybe")[1]
    assert "editing_mode is emacs or vi" in run(app, "\\set editing_mode ed")[1]
    stdout, _ = run(app, "\\set")
    assert "types" in stdout and "editing_mode" in stdout
    run(app, "\\timing")
    assert app.settings.timing is True
    run(app, "\\timing off")
    assert app.settings.timing is False


def test_explain(app: ReplApp) -> None:
    stdout, _ = run(app, "\\explain FROM logs,cluster_one:logs | STATS n = COUNT(*);")
    assert "cluster_one" in stdout
    _, stderr = run(app, "\\explain FROM logs | WHERE nope")
    assert "Unknown column [nope]" in stderr and "^" in stderr
    assert "takes a query" in run(app, "\\explain")[1]


def test_refresh_pings_again(app: ReplApp) -> None:
    _, stderr = run(app, "\\refresh")
    assert "Refreshing" in stderr
    app.health.wait(5)
    assert app.health.counts() == (3, 1)


def test_chart_of_the_last_result(app: ReplApp) -> None:
    assert "run a query first" in run(app, "\\chart")[1]
    run(app, "FROM logs,cluster_*:logs | STATS total = SUM(bytes) BY host | SORT host;")
    stdout, _ = run(app, "\\chart")
    lines = stdout.splitlines()
    assert lines[0] == "total by host"
    assert lines[1].startswith("a ") and "█" in lines[1]
    assert "no column [nope]" in run(app, "\\chart nope")[1]
    assert "is not numeric" in run(app, "\\chart host")[1]


def test_unknown_and_bad_arguments(app: ReplApp, tmp_path: Path) -> None:
    assert "Unknown meta command [\\nope]" in run(app, "\\nope")[1]
    assert "takes a file name" in run(app, "\\i")[1]
    assert "cannot read" in run(app, f"\\i {tmp_path / 'missing.esql'}")[1]
    assert "Not writing to a file" in run(app, "\\o")[1]
    assert "cannot write" in run(app, f"\\o {tmp_path / 'no' / 'dir' / 'x'}")[1]


# ---------------------------------------------------------------------- \chart, pure


def chart_result() -> Result:
    columns = (
        Attribute("n", T.LONG),
        Attribute("ip", T.IP),
        Attribute("host", T.KEYWORD),
        Attribute("avg", T.DOUBLE),
    )
    frame = pl.DataFrame(
        {
            "n": [10, 5, None],
            "ip": ["::1", "::2", "::3"],
            "host": ["alpha", "beta", "gamma"],
            "avg": [1.5, -2.0, 0.25],
        }
    )
    return Result(columns, frame)


def test_chart_picks_the_first_numeric_and_keyword_columns() -> None:
    result = chart_result()
    assert pick_columns(result, None, None) == (0, 2)
    assert pick_columns(result, "avg", "ip") == (3, 1)
    with pytest.raises(ChartError):
        pick_columns(result, "ip", None)


def test_chart_text() -> None:
    text = bar_chart(chart_result(), ChartOptions(width=40))
    assert text.splitlines() == [
        "n by host",
        "alpha   10 " + "█" * 27,  # 40 columns less the label, value and gaps
        "beta     5 " + "█" * 13 + "▌",
        "gamma null",
    ]
    negative = bar_chart(chart_result(), ChartOptions(value="avg", width=40)).splitlines()
    assert negative[2].startswith("beta  -2.0 ") and "█" in negative[2]


def test_bar_eighths() -> None:
    assert bar(1.0, 4) == "████" and bar(0.0, 4) == "" and bar(0.5 / 4, 4) == "▌"


def test_chart_needs_rows_and_numbers() -> None:
    empty = Result((Attribute("n", T.LONG),), pl.DataFrame({"n": pl.Series([], dtype=pl.Int64)}))
    with pytest.raises(ChartError, match="no rows"):
        bar_chart(empty)
    text_only = Result((Attribute("s", T.KEYWORD),), pl.DataFrame({"s": ["x"]}))
    with pytest.raises(ChartError, match="no numeric column"):
        bar_chart(text_only)


def test_output_goes_to_stdout_and_messages_to_stderr(registry: Registry) -> None:
    env = make_env()
    app = make_app(registry, env)
    app.run_statement("\\indices cluster_two:*")
    assert "cluster_two:logs" in out(env) and "cluster_two:logs" not in err(env)


def test_ctrl_c_while_a_cluster_hangs_gives_the_prompt_back(
    app: ReplApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    import _thread
    import threading
    import time

    release = threading.Event()
    hanging = threading.Event()
    cluster = app.registry.clusters["cluster_two"]

    def hang() -> bool:
        hanging.set()
        return release.wait(10)

    def interrupt_once_hanging() -> None:
        # Ctrl-C once the cluster is really hanging, not after a guessed delay.
        if hanging.wait(10):
            _thread.interrupt_main()

    monkeypatch.setattr(cluster, "catalog", hang)
    threading.Thread(target=interrupt_once_hanging, daemon=True).start()
    started = time.monotonic()
    try:
        _, stderr = run(app, "\\indices")
    finally:
        release.set()
    # The cluster hangs for 10 s: the prompt must come back long before that.
    assert time.monotonic() - started < 5
    assert "Cancelled." in stderr
