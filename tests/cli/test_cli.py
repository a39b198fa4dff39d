"""The command line on its own: options, streams and exit statuses."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from esqlsh.errors import ParsingError
from esqlsh.exit import ExitStatus

from .conftest import FakeEngine, abc_result, invoke, make_env


def test_query_csv(engine: FakeEngine, tmp_path: Path) -> None:
    out = invoke(["-q", "ROW a = 1", "--format", "csv", "--path", str(tmp_path)])
    assert out.status is ExitStatus.OK
    assert out.stdout == "a,b,c\n1,x,2\n"
    assert out.stderr == ""
    assert engine.calls == [("ROW a = 1", ("cluster", tmp_path), None)]


def test_default_format_is_table(engine: FakeEngine, tmp_path: Path) -> None:
    out = invoke(["-q", "ROW a = 1", "--path", str(tmp_path)])
    assert out.stdout.splitlines()[1] == "│ a │ b │ c │"


def test_no_header(engine: FakeEngine, tmp_path: Path) -> None:
    out = invoke(["-q", "x", "--format", "csv", "--no-header", "--path", str(tmp_path)])
    assert out.stdout == "1,x,2\n"


def test_query_from_stdin_and_file(engine: FakeEngine, tmp_path: Path) -> None:
    out = invoke(["--format", "csv", "--path", str(tmp_path)], make_env("ROW a = 1\n"))
    assert out.status is ExitStatus.OK
    query = tmp_path / "q.esql"
    query.write_text("ROW b = 2\n")
    invoke(["-f", str(query), "--path", str(tmp_path)])
    invoke(["-f", "-", "--path", str(tmp_path)], make_env("ROW c = 3"))
    assert [c[0] for c in engine.calls] == ["ROW a = 1", "ROW b = 2", "ROW c = 3"]


def test_params_are_json_or_strings(engine: FakeEngine, tmp_path: Path) -> None:
    invoke(
        [
            "-q",
            "x",
            "--path",
            str(tmp_path),
            "--param",
            "n=5",
            "--param",
            "s=abc",
            "--param",
            'q="1"',
        ]
    )
    assert engine.calls[0][2] == {"n": 5, "s": "abc", "q": "1"}


def test_bad_param_is_usage_error(engine: FakeEngine, tmp_path: Path) -> None:
    out = invoke(["-q", "x", "--path", str(tmp_path), "--param", "oops"])
    assert out.status is ExitStatus.USAGE
    assert "NAME=VALUE" in out.stderr


def test_esql_error_exit_and_caret(engine: FakeEngine, tmp_path: Path) -> None:
    def fail(text: str) -> None:
        raise ParsingError(1, 12, "mismatched input '<EOF>'")

    engine.answer = fail  # type: ignore[assignment]
    out = invoke(["-q", "ROW a = 1 |", "--path", str(tmp_path)])
    assert out.status is ExitStatus.ERROR
    assert out.stdout == ""
    assert out.stderr == (
        "Error: line 1:12: mismatched input '<EOF>'\n1 | ROW a = 1 |\n  |            ^\n"
    )


def test_internal_error_no_traceback(engine: FakeEngine, tmp_path: Path) -> None:
    def boom(text: str) -> None:
        raise ZeroDivisionError("division by zero")

    engine.answer = boom  # type: ignore[assignment]
    out = invoke(["-q", "x", "--path", str(tmp_path)])
    assert out.status is ExitStatus.ERROR
    assert out.stderr == "Error: internal error: ZeroDivisionError: division by zero\n"


def test_interrupt_is_cancelled(engine: FakeEngine, tmp_path: Path) -> None:
    def interrupt(text: str) -> None:
        raise KeyboardInterrupt

    engine.answer = interrupt  # type: ignore[assignment]
    assert invoke(["-q", "x", "--path", str(tmp_path)]).status is ExitStatus.CANCELLED


def test_warnings_timing_quiet(engine: FakeEngine, tmp_path: Path) -> None:
    engine.answer = lambda text: abc_result(warnings=["Line 1:1: evaluation of [x] failed"])
    out = invoke(["-q", "x", "--format", "csv", "--timing", "--path", str(tmp_path)])
    lines = out.stderr.splitlines()
    assert lines[0] == "Warning: Line 1:1: evaluation of [x] failed"
    assert lines[1].startswith("Took ") and lines[1].endswith(" ms, 1 rows")
    assert out.stdout == "a,b,c\n1,x,2\n"
    quiet = invoke(["-q", "x", "--timing", "--quiet", "--path", str(tmp_path)])
    assert quiet.stderr == ""


def test_warnings_yellow_on_tty(engine: FakeEngine, tmp_path: Path) -> None:
    engine.answer = lambda text: abc_result(warnings=["w"])
    out = invoke(["-q", "x", "--format", "csv", "--path", str(tmp_path)], make_env(tty=True))
    assert out.stderr == "\x1b[33mWarning: w\x1b[0m\n"


def test_partial_result(engine: FakeEngine, tmp_path: Path) -> None:
    engine.answer = lambda text: abc_result(partial=True)
    out = invoke(["-q", "x", "--format", "json", "--path", str(tmp_path)])
    assert out.status is ExitStatus.PARTIAL
    assert '"is_partial":true' in out.stdout


def test_usage_errors(engine: FakeEngine, tmp_path: Path) -> None:
    assert invoke(["--format", "nope", "-q", "x"]).status is ExitStatus.USAGE
    assert invoke(["-q", "x", "-f", "y"]).status is ExitStatus.USAGE
    missing = invoke(["-f", str(tmp_path / "missing.esql")])
    assert missing.status is ExitStatus.USAGE
    assert "cannot read query file" in missing.stderr
    assert invoke(["-q", "   "]).status is ExitStatus.USAGE
    assert invoke(["-q", "x", "--path", str(tmp_path / "nope")]).status is ExitStatus.USAGE
    assert invoke([], make_env("")).status is ExitStatus.USAGE
    assert engine.calls == []


def test_no_query_on_a_terminal_mentions_repl(engine: FakeEngine) -> None:
    out = invoke([], make_env(stdin_isatty=True))
    assert out.status is ExitStatus.USAGE
    assert "interactive shell" in out.stderr


def test_arrow_refuses_terminal_and_writes_bytes(engine: FakeEngine, tmp_path: Path) -> None:
    refused = invoke(["-q", "x", "--format", "arrow", "--path", str(tmp_path)], make_env(tty=True))
    assert refused.status is ExitStatus.USAGE
    env = make_env()
    raw = io.BytesIO()
    env.stdout = io.TextIOWrapper(raw, encoding="utf-8")
    from esqlsh.cli import run

    assert run(["-q", "x", "--format", "arrow", "--path", str(tmp_path)], env) is ExitStatus.OK
    import pyarrow as pa

    raw.seek(0)
    assert pa.ipc.open_stream(raw).read_all().column_names == ["a", "b", "c"]


def test_help_lists_exit_statuses(capsys: pytest.CaptureFixture[str]) -> None:
    assert invoke(["--help"]).status is ExitStatus.OK
    help_text = capsys.readouterr().out
    for line in ["0    success", "2    usage error", "3    partial result", "130  interrupted"]:
        assert line in help_text
    assert "load" in help_text


def test_load_command(engine: FakeEngine, tmp_path: Path) -> None:
    data = tmp_path / "rows.csv"
    data.write_text("a:integer\n1\n")
    out = invoke(["load", "--path", str(tmp_path / "c"), "--index", "t", "--replace", str(data)])
    assert out.status is ExitStatus.OK, out.stderr
    assert engine.loads == [
        {"path": tmp_path / "c", "index": "t", "files": [data], "mapping": None, "mode": "replace"}
    ]
    assert out.stderr == f"Loaded 7 documents into [t] in {tmp_path / 'c'}\n"
    assert invoke(["load", "--index", "t", str(data)]).status is ExitStatus.USAGE
