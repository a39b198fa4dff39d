"""The shell as a whole, driven through prompt_toolkit's pipe input (keys as typed)
with its output to StringIO: statements end with ``;``, a blank line or
Alt-Enter; results, status tables, warnings and errors land where they should;
history, settings and cancellation behave."""

from __future__ import annotations

import stat
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from prompt_toolkit.enums import EditingMode
from prompt_toolkit.history import InMemoryHistory
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from esqlsh.clusters.registry import Registry
from esqlsh.exit import ExitStatus
from esqlsh.repl.app import ReplApp
from esqlsh.repl.history import PrivateHistory, has_secret
from esqlsh.repl.meta import ReplSettings
from esqlsh.repl.runner import QueryCancelled, run_in_worker

from .shell_world import (
    build_clusters,
    err,
    make_app,
    make_env,
    out,
    registry_of,
    run_keys,
    write_config,
)

TWO = "FROM logs,cluster_one:logs | STATS n = COUNT(*)"


@pytest.fixture(scope="module")
def clusters(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return build_clusters(tmp_path_factory.mktemp("repl_app"))


@pytest.fixture
def registry(clusters: dict[str, Path], tmp_path: Path) -> Registry:
    return registry_of(write_config(tmp_path / "config.yaml", clusters))


def test_semicolon_runs_a_cross_cluster_query_with_its_status_table(registry: Registry) -> None:
    env = make_env()
    _, status = run_keys(registry, TWO + ";\r\\q\r", env)
    assert status is ExitStatus.OK
    stdout = out(env)
    assert "│ 5 │" in stdout  # 3 local + 2 on cluster_one
    assert "(local)" in stdout and "cluster_one" in stdout and "2 clusters: 2 successful" in stdout
    assert stdout.index("│ 5 │") < stdout.index("2 clusters")
    stderr = err(env)
    assert "Warning: No limit defined, adding default limit of [1000]" in stderr
    assert "1 row" in stderr


def test_enter_adds_lines_until_a_blank_line(registry: Registry) -> None:
    env = make_env()
    app, _ = run_keys(registry, "FROM logs\r| SORT bytes DESC\r| LIMIT 1\r\r", env)
    assert app.last_query == "FROM logs\n| SORT bytes DESC\n| LIMIT 1"
    assert "250" in out(env) and "1 row" in err(env)


def test_alt_enter_runs_what_is_there(registry: Registry) -> None:
    env = make_env()
    app, _ = run_keys(registry, "ROW a = 41 + 1\x1b\r", env)
    assert app.last_query == "ROW a = 41 + 1"
    assert "42" in out(env)


def test_ctrl_d_leaves_with_status_ok(registry: Registry) -> None:
    _, status = run_keys(registry, "")
    assert status is ExitStatus.OK


def test_an_error_shows_a_caret_and_the_shell_goes_on(registry: Registry) -> None:
    env = make_env()
    app, status = run_keys(registry, "FROM logs | WHERE nope > 1;\rROW b = 2;\r", env)
    assert status is ExitStatus.OK
    stderr = err(env)
    assert "Error: Found 1 problem\nline 1:19: Unknown column [nope]" in stderr
    assert "1 | FROM logs | WHERE nope > 1\n  |                   ^" in stderr
    assert app.last_query == "ROW b = 2" and "│ 2 │" in out(env)


def test_format_timing_and_types_change_the_output(registry: Registry) -> None:
    env = make_env()
    keys = (
        '\\format csv\r\\timing\rROW a = 1, b = "x";\r\\format table\r\\set types on\rROW a = 1;\r'
    )
    run_keys(registry, keys, env)
    stdout = out(env)
    assert "a,b\n1,x\n" in stdout
    assert "integer" in stdout  # the type under the name
    assert "1 row in " in err(env) and " ms" in err(env)


def test_unknown_meta_command_keeps_the_shell(registry: Registry) -> None:
    env = make_env()
    app, status = run_keys(registry, "\\frobnicate\rROW a = 1;\r", env)
    assert status is ExitStatus.OK
    assert "Unknown meta command [\\frobnicate]" in err(env)
    assert app.last_query == "ROW a = 1"


def test_tee_writes_results_to_a_file_until_stopped(registry: Registry, tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    keys = f"\\o {target}\rROW a = 1;\r\\o\rROW a = 2;\r"
    run_keys(registry, keys, make_env())
    written = target.read_text(encoding="utf-8")
    assert "│ 1 │" in written and "│ 2 │" not in written
    assert "\x1b[" not in written


def test_include_runs_a_file(registry: Registry, tmp_path: Path) -> None:
    script = tmp_path / "script.esql"
    script.write_text(
        '\\format csv\nROW a = 1;\n\nROW b = ";"\n| EVAL c = 3\n\nFROM nope;\n', "utf-8"
    )
    env = make_env()
    run_keys(registry, f"\\i {script}\r", env)
    assert "a\n1\n" in out(env) and "b,c\n;,3\n" in out(env)
    assert "Unknown index [nope]" in err(env)


def test_include_stops_at_a_file_that_includes_itself(registry: Registry, tmp_path: Path) -> None:
    script = tmp_path / "loop.esql"
    script.write_text(f"\\i {script}\n", "utf-8")
    env = make_env()
    _, status = run_keys(registry, f"\\i {script}\r", env)
    assert status is ExitStatus.OK
    assert "include each other more than 16 deep" in err(env)


def test_edit_puts_the_edited_query_back_at_the_prompt(registry: Registry, tmp_path: Path) -> None:
    editor = tmp_path / "editor.py"
    editor.write_text(
        "import sys\n"
        "p = sys.argv[1]\n"
        "text = open(p).read()\n"
        "open(p, 'w').write(text.strip().replace('1', '5') + ';\\n')\n",
        "utf-8",
    )
    env = make_env({"EDITOR": f"{sys.executable} {editor}"})
    # \e alone edits the last query; the edited text is the next prompt's, run by Enter.
    app, _ = run_keys(registry, "ROW a = 1;\r\\e\r\r", env)
    assert app.last_query == "ROW a = 5"
    assert "│ 5 │" in out(env)


def test_edit_suffix_edits_the_query_typed_before_it(registry: Registry, tmp_path: Path) -> None:
    editor = tmp_path / "editor.py"
    editor.write_text("import sys\nopen(sys.argv[1], 'a').write('| EVAL b = 2;\\n')\n", "utf-8")
    env = make_env({"VISUAL": f"{sys.executable} {editor}"})
    app, _ = run_keys(registry, "ROW a = 1 \\e\r\r", env)
    assert app.last_query == "ROW a = 1\n| EVAL b = 2"


def test_vi_mode_is_a_setting(registry: Registry) -> None:
    app, _ = run_keys(registry, "\\set editing_mode vi\r")
    assert app.settings.editing_mode == "vi"
    assert app.session().app.editing_mode is EditingMode.VI


def test_settings_from_the_command_line(registry: Registry) -> None:
    env = make_env()
    settings = ReplSettings(format="json", params={"n": 3})
    run_keys(registry, "ROW a = ?n;\r", env, settings=settings)
    assert '"values":[[3]]' in out(env)


def test_toolbar_counts_clusters(registry: Registry) -> None:
    app = make_app(registry)
    app.health.ping_all()
    app.health.wait(5)
    text = "".join(part[1] for part in app.toolbar())
    assert "clusters: 3 up" in text and "format: table" in text and "timing: off" in text


def test_toolbar_counts_from_the_metadata_cache_once_the_prompt_runs(
    clusters: dict[str, Path], tmp_path: Path
) -> None:
    dead = [
        "  dead:",
        "    type: elasticsearch",
        "    hosts: http://127.0.0.1:9",
        "    timeout: 2s",
    ]
    registry = registry_of(write_config(tmp_path / "dead.yaml", clusters, dead))
    # The loads must end while the prompt runs: closing the shell cancels those
    # still in flight (their clusters would count as not known yet).
    with create_pipe_input() as pipe:
        app = ReplApp(
            make_env(), registry, pt_input=pipe, pt_output=DummyOutput(), history=InMemoryHistory()
        )
        shell = threading.Thread(target=app.run, daemon=True)
        shell.start()
        try:
            pipe.send_text("\\timing\r")
            deadline = time.monotonic() + 10
            while app.metadata is None and time.monotonic() < deadline:
                time.sleep(0.01)  # the prompt makes the cache on the shell's thread
            assert app.metadata is not None and app.metadata.wait(10)
        finally:
            pipe.send_text("\x04")
            shell.join(10)
    assert not shell.is_alive()
    assert app.cluster_counts() == (3, 1, 0)
    text = "".join(part[1] for part in app.toolbar())
    assert "3 up, 1 down" in text and "timing: on" in text


def test_closing_the_shell_leaves_no_cluster_loading_forever(
    clusters: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from esqlsh.repl.completion import metadata

    gate = threading.Event()
    build = metadata.build_snapshot

    def slow(alias: str, *args: Any, **kwargs: Any) -> Any:
        if alias == "cluster_one":
            gate.wait(10)
        return build(alias, *args, **kwargs)

    monkeypatch.setattr(metadata, "build_snapshot", slow)
    registry = registry_of(write_config(tmp_path / "config.yaml", clusters))
    try:
        app, _ = run_keys(registry, "")
        assert app.metadata is not None
        assert app.metadata.wait(1)  # closed: nothing left to wait for
        assert app.metadata.states()["cluster_one"].status == "closed"
    finally:
        gate.set()


def test_results_taller_than_the_terminal_go_through_the_pager(
    registry: Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    paged = tmp_path / "paged.txt"
    pager = f"{sys.executable} -c \"import sys; open(sys.argv[1], 'w').write(sys.stdin.read())\" {paged}"
    monkeypatch.setattr(
        "shutil.get_terminal_size", lambda fallback=None: os.terminal_size((100, 5))
    )
    env = make_env({"PAGER": pager})
    env.stdout_isatty = True
    app = make_app(registry, env)
    app.run_statement("FROM logs | KEEP host | SORT host;")
    assert "│ a    │" in paged.read_text(encoding="utf-8")
    assert "│ a    │" not in out(env)
    app.run_statement("\\set pager off")
    app.run_statement("FROM logs | KEEP host | SORT host;")
    assert "│ a    │" in out(env)


def test_history_is_private_and_keeps_no_secret(registry: Registry, tmp_path: Path) -> None:
    path = tmp_path / "data" / "history"
    history = PrivateHistory(path)
    run_keys(registry, 'ROW a = 1;\rROW api_key = "abc";\r', history=history)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    text = path.read_text(encoding="utf-8")
    assert "ROW a = 1;" in text and "abc" not in text
    assert list(PrivateHistory(path).load_history_strings()) == ["ROW a = 1;"]


def test_history_tightens_a_readable_file(tmp_path: Path) -> None:
    path = tmp_path / "history"
    path.write_text("\n# old\n+ROW x = 1\n\n# old\n+password = hunter2\n", encoding="utf-8")
    path.chmod(0o644)
    history = PrivateHistory(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert list(history.load_history_strings()) == ["ROW x = 1"]


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ('api_key = "x"', True),
        ("password: hunter2", True),
        ('{"password":"x"}', True),
        ("ROW api-key= 1", True),
        ("FROM logs | WHERE password_reset > 1", False),
        ("FROM logs | KEEP my_api_key_count", False),
        ("ROW a = 1", False),
    ],
)
def test_secret_filter(text: str, secret: bool) -> None:
    assert has_secret(text) is secret


# ---------------------------------------------------------------------- cancellation


def test_run_in_worker_returns_the_value_or_raises_the_error() -> None:
    cancel = threading.Event()
    assert run_in_worker(lambda: 42, cancel) == 42

    def boom() -> int:
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        run_in_worker(boom, cancel)
    assert not cancel.is_set()


def test_ctrl_c_cancels_a_running_query_and_returns_at_once(
    registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    import _thread

    seen: dict[str, Any] = {}

    def slow(text: str, registry: Any, params: Any = None, **kwargs: Any) -> Any:
        seen["cancel"] = kwargs["cancel"]
        # Ctrl-C once the query runs (a timer could fire before it starts on a busy machine)
        _thread.interrupt_main()
        if kwargs["cancel"].wait(10):
            raise KeyboardInterrupt
        raise AssertionError("never cancelled")

    monkeypatch.setattr("esqlsh.coordinator.fanout.run_federated", slow)
    env = make_env()
    app = make_app(registry, env)
    started = time.monotonic()
    app.run_statement("FROM logs;")
    assert time.monotonic() - started < 1.3
    assert seen["cancel"].is_set()
    assert "Cancelled." in err(env)
    assert app.last_result is None and app.last_query == "FROM logs"
    monkeypatch.undo()
    app.run_statement("ROW a = 1;")
    assert "│ 1 │" in out(env)


def test_a_cancelled_worker_surfaces_as_query_cancelled() -> None:
    def interrupted() -> int:
        raise KeyboardInterrupt

    with pytest.raises(QueryCancelled):
        run_in_worker(interrupted, threading.Event())


def test_ctrl_c_while_the_worker_starts_cancels_it(monkeypatch: pytest.MonkeyPatch) -> None:
    class InterruptedStart(threading.Thread):
        def start(self) -> None:  # the thread runs, then Ctrl-C lands in start()
            super().start()
            raise KeyboardInterrupt

    monkeypatch.setattr("esqlsh.repl.runner.threading.Thread", InterruptedStart)
    cancel = threading.Event()
    ended = threading.Event()

    def work() -> None:
        cancel.wait(10)
        ended.set()

    with pytest.raises(QueryCancelled):
        run_in_worker(work, cancel)
    assert cancel.is_set() and ended.wait(5)


# ---------------------------------------------------------------------- from the command line


def tty_env(environ: dict[str, str] | None = None) -> Any:
    env = make_env(environ)
    env.stdin_isatty = env.stdout_isatty = env.stderr_isatty = True
    return env


def test_esqlsh_on_a_terminal_starts_the_shell_on_the_configured_clusters(
    clusters: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from esqlsh.cli import run

    config = write_config(tmp_path / "config.yaml", clusters)
    started: dict[str, Any] = {}

    def fake_start(env: Any, registry: Any, settings: ReplSettings) -> ExitStatus:
        started.update(aliases=list(registry.clusters), local=registry.local, settings=settings)
        return ExitStatus.OK

    monkeypatch.setattr("esqlsh.repl.app.start_repl", fake_start)
    env = tty_env({"ESQLSH_EDITING_MODE": "vi"})
    argv = ["--config", str(config), "--format", "csv", "--timing", "--param", "n=3"]
    assert run(argv, env) is ExitStatus.OK
    assert started["aliases"] == ["local", "cluster_one", "cluster_two"]
    settings = started["settings"]
    assert (settings.format, settings.timing, settings.params) == ("csv", True, {"n": 3})
    assert settings.editing_mode == "vi"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--format", "arrow"], "--format arrow is for one-shot queries"),
        (["--explain"], "--explain and --server-side need a query"),
    ],
)
def test_shell_usage_errors(argv: list[str], message: str) -> None:
    from esqlsh.cli import run

    env = tty_env()
    assert run(argv, env) is ExitStatus.USAGE
    assert message in err(env)


def test_the_shell_needs_a_terminal_on_stdout() -> None:
    from esqlsh.cli import run

    env = make_env()
    env.stdin_isatty = True
    assert run([], env) is ExitStatus.USAGE
    assert "interactive shell needs a terminal" in err(env)


def test_ctrl_c_in_an_included_file_stops_the_whole_file(
    registry: Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import _thread

    calls: list[str] = []

    def slow(text: str, registry: Any, params: Any = None, **kwargs: Any) -> Any:
        calls.append(text)
        _thread.interrupt_main()  # Ctrl-C once the first statement's query runs
        kwargs["cancel"].wait(10)
        raise KeyboardInterrupt

    monkeypatch.setattr("esqlsh.coordinator.fanout.run_federated", slow)
    script = tmp_path / "two.esql"
    script.write_text("FROM logs;\nROW a = 1;\n", "utf-8")
    env = make_env()
    app = make_app(registry, env)
    app.run_statement(f"\\i {script}")
    assert calls == ["FROM logs"]
    assert err(env).count("Cancelled.") == 1
