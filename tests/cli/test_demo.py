"""The bundled cross-cluster demo (``esqlsh/data/demo``, the configuration when
there is none) and the one-shot command over it: every option with a
cross-cluster query, results only on stdout, NO_COLOR, a reader that stops
early (``| head -1``), and the unreachable ``cluster_three`` costing nothing
unless a query names it, and little (a refused connection) when one does."""

from __future__ import annotations

import importlib.util
import io
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import polars as pl
import pyarrow as pa
import pytest
import yaml
from polars.testing import assert_frame_equal

from esqlsh.analysis.types import DataType
from esqlsh.cli import run
from esqlsh.clusters.config import default_config
from esqlsh.clusters.embedded import EmbeddedCluster
from esqlsh.env import Environment
from esqlsh.exit import EPILOG, ExitStatus

from .conftest import Outcome, invoke, make_env

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "esqlsh" / "data" / "demo"
ESQLSH = str(Path(sys.executable).with_name("esqlsh"))
CLUSTERS = ("local", "cluster_one", "cluster_two")
ALIASES = [*CLUSTERS, "cluster_three"]

HEADLINE = (
    "FROM my-index-000001,cluster_one:my-index-000001,cluster_*:my-index* "
    "| STATS COUNT(*) BY user.id"
)
# The same rows, in a fixed order and with a short name.
SORTED = (
    "FROM my-index-000001,cluster_one:my-index-000001,cluster_*:my-index* "
    "| STATS n = COUNT(*) BY user.id | SORT user.id"
)
# Every cluster reachable: nothing skipped, nothing partial.
HEALTHY = "FROM my-index-000001,cluster_one:my-index-000001 | STATS n = COUNT(*) BY user.id"
README = "FROM employees | STATS avg_salary = AVG(salary) BY gender | SORT gender"


def frame(cluster: str, index: str) -> pl.DataFrame:
    return pl.read_parquet(DEMO / cluster / index / "data.parquet")


def counts(indices: dict[str, list[str]], where: pl.Expr | None = None) -> dict[str, int]:
    """COUNT(*) BY user.id over the given indices, from the data files themselves."""
    rows = pl.concat([frame(c, i) for c, names in indices.items() for i in names])
    if where is not None:
        rows = rows.filter(where)
    grouped = rows.group_by("user.id").len()
    return dict(zip(grouped["user.id"], grouped["len"], strict=True))


ALL_REQUESTS = {
    "local": ["my-index-000001"],
    "cluster_one": ["my-index-000001"],
    "cluster_two": ["my-index-000001", "my-index-000002"],
}


def demo_env(tmp_path: Path, stdin: str = "", *, tty: bool = False) -> Environment:
    """An environment with no configuration file anywhere: the demo is used."""
    env = make_env(stdin, tty=tty)
    env.config_dir_override = tmp_path / "no-config"
    return env


def run_demo(tmp_path: Path, *argv: str, stdin: str = "") -> Outcome:
    return invoke(list(argv), demo_env(tmp_path, stdin))


def subprocess_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("ESQLSH_") and k not in ("NO_COLOR", "FORCE_COLOR")
    }
    env["ESQLSH_CONFIG_DIR"] = str(tmp_path / "no-config")
    env.update(extra)
    return env


# ------------------------------------------------------------------ the demo itself


def test_no_configuration_means_the_demo() -> None:
    config = default_config()
    assert config.path is None and config.local == "local"
    assert list(config.clusters) == ALIASES
    for alias in CLUSTERS:
        spec = config.clusters[alias]
        assert spec.type == "embedded" and spec.path == DEMO / alias
    dead = config.clusters["cluster_three"]
    assert dead.type == "elasticsearch"
    assert dead.hosts == ("http://127.0.0.1:9",)
    assert dead.skip_unavailable is True
    assert dead.timeout == 2.0


def test_demo_clusters_hold_the_spec_pages_data() -> None:
    for alias in CLUSTERS:
        cluster = EmbeddedCluster(DEMO / alias)
        indices = set(cluster.indices())
        assert {"my-index-000001", "hosts", "vendors"} <= indices
        assert ("employees" in indices) == (alias == "local")
        info = cluster.index("my-index-000001")
        assert info is not None
        assert info.fields["@timestamp"] is DataType.DATETIME
        assert info.fields["user.id"] is DataType.KEYWORD
        assert info.fields["http.response.status_code"] is DataType.LONG
        assert info.fields["ip"] is DataType.IP
        assert 100 <= cluster.row_count("my-index-000001") <= 500
        policies = cluster.policies()
        assert policies["hosts"].match_field == "ip"
        assert policies["hosts"].indices == ("hosts",)
        assert policies["vendors"].match_field == "os"
    assert "my-index-000002" in EmbeddedCluster(DEMO / "cluster_two").indices()
    # ENRICH hosts ON ip finds most requests' machines.
    ips = set(frame("local", "my-index-000001")["ip"])
    known = set(frame("local", "hosts")["ip"])
    assert len(ips & known) >= 10


def test_local_employees_are_the_single_cluster_demos() -> None:
    assert_frame_equal(
        frame("local", "employees"),
        pl.read_parquet(REPO / "esqlsh" / "data" / "default" / "employees" / "data.parquet"),
    )


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "make_demo_data", REPO / "scripts" / "make_demo_data.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_demo_is_what_the_script_generates(tmp_path: Path) -> None:
    fresh = tmp_path / "demo"
    load_script().build_demo(fresh)
    shipped = sorted(p.relative_to(DEMO) for p in DEMO.rglob("*") if p.is_file())
    made = sorted(p.relative_to(fresh) for p in fresh.rglob("*") if p.is_file())
    assert shipped == made
    for rel in shipped:
        if rel.suffix == ".parquet":
            assert_frame_equal(pl.read_parquet(DEMO / rel), pl.read_parquet(fresh / rel))
        elif rel.suffix == ".json":
            assert json.loads((DEMO / rel).read_text()) == json.loads((fresh / rel).read_text())
        else:
            assert (DEMO / rel).read_text() == (fresh / rel).read_text()


def test_demo_is_small() -> None:
    size = sum(p.stat().st_size for p in DEMO.rglob("*") if p.is_file())
    assert size < 120 * 1024


# ------------------------------------------------------------------ the headline query


def test_headline_query_shows_rows_and_a_skipped_cluster(tmp_path: Path) -> None:
    started = time.perf_counter()
    done = subprocess.run(
        [ESQLSH, "-q", HEADLINE],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        env=subprocess_env(tmp_path, NO_COLOR="1"),
        timeout=60,
    )
    elapsed = time.perf_counter() - started
    assert done.returncode == ExitStatus.PARTIAL, done.stderr  # a cluster was skipped
    lines = done.stdout.splitlines()
    assert lines[1].split("│")[1:3] == [" COUNT(*) ", " user.id "]
    for user, n in counts(ALL_REQUESTS).items():
        assert any(re.fullmatch(rf"│ +{n} │ {user} +│", line) for line in lines), (user, n)
    rows = [line.split("│") for line in lines[10:] if line.startswith("│")]
    status = {cells[1].strip(): cells[2].strip() for cells in rows}
    assert status["(local)"] == "successful"
    assert status["cluster_one"] == status["cluster_two"] == "successful"
    assert status["cluster_three"] == "skipped"
    assert "Remote cluster [cluster_three] (with setting skip_unavailable=true)" in done.stdout
    assert lines[-1] == "4 clusters: 3 successful, 1 skipped"
    assert "Traceback" not in done.stderr
    # cluster_three refuses at once: far below its 2 s timeout.
    assert elapsed < 10


def test_a_named_unreachable_cluster_is_refused_not_waited_for(tmp_path: Path) -> None:
    started = time.perf_counter()
    out = run_demo(
        tmp_path,
        "-q",
        "FROM my-index-000001,cluster_three:my-index-000001 | STATS n = COUNT(*)",
        "--format",
        "json",
    )
    elapsed = time.perf_counter() - started
    assert out.status is ExitStatus.PARTIAL, out.stderr
    body = json.loads(out.stdout)
    assert body["values"] == [[frame("local", "my-index-000001").height]]
    three = body["_clusters"]["details"]["cluster_three"]
    assert three["status"] == "skipped"
    assert three["failures"][0]["reason"]["type"] == "connect_transport_exception"
    assert three["took"] < 1000 and elapsed < 1.8  # not the 2 s timeout


def test_cluster_three_is_a_refused_connection() -> None:
    from esqlsh.clusters.registry import Registry
    from esqlsh.errors import ClusterUnavailableError

    with (
        Registry.from_config(default_config()) as registry,
        pytest.raises(ClusterUnavailableError, match="Connection refused"),
    ):
        registry["cluster_three"].catalog()


@pytest.fixture
def listener() -> Iterator[tuple[int, list[int]]]:
    """A 127.0.0.1 port that counts the connections made to it (and closes them)."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    server.settimeout(0.1)
    accepted: list[int] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            accepted.append(1)
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1], accepted
    stop.set()
    thread.join(2)
    server.close()


def demo_copy(tmp_path: Path, port: int) -> Path:
    """The demo's configuration with cluster_three at ``port``."""
    text = (DEMO / "config.yaml").read_text()
    for alias in CLUSTERS:
        text = text.replace(f"path: {alias}\n", f"path: {DEMO / alias}\n")
    text = text.replace("http://127.0.0.1:9\n", f"http://127.0.0.1:{port}\n")
    path = tmp_path / "demo.yaml"
    path.write_text(text)
    path.chmod(0o600)
    return path


@pytest.mark.parametrize(
    "query",
    [
        README,
        HEALTHY,
        "FROM cluster_one:my-index-000001,cluster_two:my-index* | LIMIT 3",
        "FROM my-index-000001,cluster*:my-index-000001,-cluster_three:* | STATS COUNT(*)",
        "ROW a = 1",
    ],
)
def test_an_unnamed_unreachable_cluster_costs_nothing(
    tmp_path: Path, listener: tuple[int, list[int]], query: str
) -> None:
    port, accepted = listener
    config = demo_copy(tmp_path, port)
    out = invoke(["--config", str(config), "-q", query, "--format", "csv"])
    assert out.status is ExitStatus.OK, out.stderr
    assert "cluster_three" not in out.stderr
    listed = invoke(["--config", str(config), "--list-clusters"])
    assert listed.stdout.splitlines() == ALIASES
    assert accepted == []


def test_a_named_cluster_is_contacted(tmp_path: Path, listener: tuple[int, list[int]]) -> None:
    """The control of the test above: the counter does see the fan-out's attempt."""
    port, accepted = listener
    config = demo_copy(tmp_path, port)
    out = invoke(["--config", str(config), "-q", "FROM *:my-index-000001 | STATS COUNT(*)"])
    assert out.status is ExitStatus.PARTIAL, out.stderr
    assert accepted


def test_readme_query_keeps_its_output(tmp_path: Path) -> None:
    demo = run_demo(tmp_path, "-q", README, "--format", "csv")
    single = invoke(
        ["--path", str(REPO / "esqlsh" / "data" / "default"), "-q", README, "--format", "csv"]
    )
    assert demo.status is ExitStatus.OK and demo.stdout == single.stdout
    assert demo.stdout.splitlines()[0] == "avg_salary,gender"
    table = run_demo(tmp_path, "-q", README)
    reference = invoke(["--path", str(REPO / "esqlsh" / "data" / "default"), "-q", README])
    assert table.stdout == reference.stdout  # one cluster read: no status table
    assert "cluster" not in table.stdout


# ------------------------------------------------------------------ one-shot options


def csv_rows(text: str) -> list[list[str]]:
    return [line.split(",") for line in text.splitlines()]


EXPECTED_SORTED = sorted(counts(ALL_REQUESTS).items())


def parse(fmt: str, text: str) -> list[tuple[str, int]]:
    """(user.id, n) pairs from ``SORTED``'s output in ``fmt``."""
    if fmt in ("csv", "tsv"):
        sep = "," if fmt == "csv" else "\t"
        lines = [line.split(sep) for line in text.splitlines()]
        assert lines[0] == ["n", "user.id"]
        return [(u, int(n)) for n, u in lines[1:]]
    if fmt in ("json", "yaml"):
        body = json.loads(text) if fmt == "json" else yaml.safe_load(text)
        assert [c["name"] for c in body["columns"]] == ["n", "user.id"]
        return [(u, n) for n, u in body["values"]]
    if fmt == "ndjson":
        return [(r["user.id"], r["n"]) for r in map(json.loads, text.splitlines())]
    if fmt in ("markdown", "txt", "table"):
        cells = [re.split(r"\s*[|│]\s*", line.strip("|│ ")) for line in text.splitlines()]
        return [(c[1], int(c[0])) for c in cells if len(c) == 2 and c[0].isdigit()]
    raise AssertionError(fmt)


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json", "ndjson", "yaml", "markdown", "txt"])
def test_every_text_format_across_clusters(tmp_path: Path, fmt: str) -> None:
    out = run_demo(tmp_path, "-q", SORTED, "--format", fmt)
    assert out.status is ExitStatus.PARTIAL
    assert parse(fmt, out.stdout) == EXPECTED_SORTED
    # Results only on stdout; the status table (a cluster was skipped) on stderr.
    assert "cluster_three" not in out.stdout or fmt in ("json", "yaml")
    assert "cluster_three" in out.stderr and "4 clusters: 3 successful, 1 skipped" in out.stderr


def test_table_format_ends_with_the_status_table(tmp_path: Path) -> None:
    out = run_demo(tmp_path, "-q", SORTED)
    assert out.status is ExitStatus.PARTIAL
    assert parse("table", out.stdout.split("┌─", 2)[1]) == EXPECTED_SORTED
    assert out.stdout.rstrip().endswith("4 clusters: 3 successful, 1 skipped")
    assert "cluster_three" not in out.stderr


def test_arrow_across_clusters(tmp_path: Path) -> None:
    env = demo_env(tmp_path)
    raw = io.BytesIO()
    env.stdout = io.TextIOWrapper(raw, encoding="utf-8")
    status = run(["-q", SORTED, "--format", "arrow"], env)
    assert status is ExitStatus.PARTIAL
    table = pa.ipc.open_stream(raw.getvalue()).read_all()
    assert table.column_names == ["n", "user.id"]
    assert list(zip(table["user.id"].to_pylist(), table["n"].to_pylist(), strict=True)) == (
        EXPECTED_SORTED
    )


def test_file_and_stdin_queries_across_clusters(tmp_path: Path) -> None:
    query_file = tmp_path / "q.esql"
    query_file.write_text(SORTED + "\n")
    from_q = run_demo(tmp_path, "-q", SORTED, "--format", "csv")
    from_file = run_demo(tmp_path, "-f", str(query_file), "--format", "csv")
    from_dash = run_demo(tmp_path, "-f", "-", "--format", "csv", stdin=SORTED)
    from_pipe = run_demo(tmp_path, "--format", "csv", stdin=SORTED)
    assert from_q.stdout == from_file.stdout == from_dash.stdout == from_pipe.stdout
    assert {o.status for o in (from_q, from_file, from_dash, from_pipe)} == {ExitStatus.PARTIAL}


def test_params_across_clusters(tmp_path: Path) -> None:
    query = (
        "FROM my-index-000001,cluster_one:my-index-000001 "
        "| WHERE user.id == ?user AND http.response.status_code >= ?min | STATS n = COUNT(*)"
    )
    out = run_demo(
        tmp_path, "-q", query, "--param", "user=kimchy", "--param", "min=400", "--format", "csv"
    )
    assert out.status is ExitStatus.OK, out.stderr
    where = (pl.col("user.id") == "kimchy") & (pl.col("http.response.status_code") >= 400)
    expected = counts({"local": ["my-index-000001"], "cluster_one": ["my-index-000001"]}, where)
    assert out.stdout == f"n\n{expected['kimchy']}\n"


def test_no_header_timing_and_quiet(tmp_path: Path) -> None:
    plain = run_demo(tmp_path, "-q", HEALTHY, "--format", "csv")
    bare = run_demo(tmp_path, "-q", HEALTHY, "--format", "csv", "--no-header")
    assert bare.stdout == plain.stdout.split("\n", 1)[1]
    timed = run_demo(tmp_path, "-q", HEALTHY, "--format", "csv", "--timing")
    assert timed.stdout == plain.stdout
    assert re.search(r"^Took [\d.]+ ms, 6 rows$", timed.stderr, re.M)
    # All went well: --quiet leaves stderr empty (no status table, no warnings).
    assert "Warning: No limit defined" in plain.stderr and "(local)" in plain.stderr
    quiet = run_demo(tmp_path, "-q", HEALTHY, "--format", "csv", "--quiet", "--timing")
    assert quiet.stdout == plain.stdout and quiet.stderr == ""
    # A skipped cluster is a problem: --quiet still shows the status table, not warnings.
    skipped = run_demo(tmp_path, "-q", SORTED, "--format", "csv", "--quiet")
    assert "cluster_three" in skipped.stderr and "Warning" not in skipped.stderr


def test_include_ccs_metadata(tmp_path: Path) -> None:
    without = json.loads(run_demo(tmp_path, "-q", HEALTHY, "--format", "json").stdout)
    assert "_clusters" not in without
    out = run_demo(tmp_path, "-q", HEALTHY, "--format", "json", "--include-ccs-metadata")
    details = json.loads(out.stdout)["_clusters"]["details"]
    assert list(details) == ["(local)", "cluster_one"]
    assert {d["status"] for d in details.values()} == {"successful"}
    # A skipped cluster: _clusters is there anyway (as Elasticsearch answers).
    skipped = json.loads(run_demo(tmp_path, "-q", SORTED, "--format", "json").stdout)
    assert skipped["is_partial"] is True
    assert skipped["_clusters"]["skipped"] == 1


def test_exit_statuses_are_documented() -> None:
    readme = (REPO / "README.md").read_text()
    for status in ExitStatus:
        assert re.search(rf"^\s*{status.value}\s", EPILOG, re.M), status
        assert f"| {status.value} |" in readme, status
    done = subprocess.run([ESQLSH, "--help"], capture_output=True, text=True, timeout=60)
    assert "Exit status:" in done.stdout and "130" in done.stdout


# ------------------------------------------------------------------ terminals and pipes


def pty_output(tmp_path: Path, *argv: str, **extra: str) -> str:
    import pexpect

    child = pexpect.spawn(
        ESQLSH,
        list(argv),
        env=subprocess_env(tmp_path, TERM="xterm-256color", **extra),
        encoding="utf-8",
        dimensions=(50, 200),
        timeout=60,
    )
    output = child.read()
    child.close()
    assert child.exitstatus == ExitStatus.PARTIAL, output
    return str(output)


def test_no_color_means_no_escape_codes_on_a_terminal(tmp_path: Path) -> None:
    query = HEADLINE
    coloured = pty_output(tmp_path, "-q", query, "--timing")
    assert "\x1b[" in coloured  # the control: a terminal gets colours
    plain = pty_output(tmp_path, "-q", query, "--timing", NO_COLOR="1")
    assert "\x1b" not in plain
    assert "cluster_three" in plain and "Took" in plain and "Warning:" in plain


def test_csv_into_head_is_just_the_header(tmp_path: Path) -> None:
    query = "FROM my-index-000001,cluster_*:my-index* | LIMIT 10000"
    done = subprocess.run(
        ["bash", "-c", f'{ESQLSH} -q "{query}" --format csv | head -1; exit ${{PIPESTATUS[0]}}'],
        capture_output=True,
        text=True,
        env=subprocess_env(tmp_path),
        timeout=60,
    )
    assert done.stdout == (
        "@timestamp,event.duration,http.request.method,http.response.status_code,"
        "ip,url.path,user.id\n"
    )
    assert done.returncode == ExitStatus.PARTIAL  # the query's own status: cluster_three
    for noise in ("Traceback", "BrokenPipe", "Broken pipe", "Exception ignored", "Error"):
        assert noise not in done.stderr


@pytest.mark.parametrize("fmt", ["table", "arrow"])
def test_a_reader_gone_before_the_first_byte(tmp_path: Path, fmt: str) -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # every write to the pipe fails with EPIPE
    try:
        done = subprocess.run(
            [ESQLSH, "-q", HEALTHY, "--format", fmt, "--quiet"],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            env=subprocess_env(tmp_path),
            timeout=60,
        )
    finally:
        os.close(write_end)
    assert done.returncode == ExitStatus.OK
    assert done.stderr == ""
