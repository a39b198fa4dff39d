"""The command line across clusters: ``--config`` (and ``$ESQLSH_CONFIG``),
``--include-ccs-metadata``, the status table, the partial exit status,
``--explain`` and ``--server-side``; over real embedded clusters."""

from __future__ import annotations

import dataclasses
import io
import json
from pathlib import Path

import pytest

from esqlsh.exit import ExitStatus
from tests.coordinator.ccs_fixtures import LOCAL, SpecWorld, build_world, free_port

from .conftest import invoke, make_env

TWO = "FROM my-index-000001,cluster_one:my-index-000001 | STATS n = COUNT(*)"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> SpecWorld:
    return build_world(tmp_path_factory.mktemp("ccs_cli"))


def write_config(world: SpecWorld, path: Path, *, dead: str | None = None) -> Path:
    lines = [f"local: {LOCAL}", "clusters:"]
    for alias in (LOCAL, "cluster_one", "cluster_two"):
        lines += [f"  {alias}:", "    type: embedded", f"    path: {world.paths[alias]}"]
    if dead is not None:
        lines += [
            "  dead:",
            "    type: elasticsearch",
            f"    hosts: http://127.0.0.1:{free_port()}",
            f"    skip_unavailable: {dead}",
            "    timeout: 5s",
        ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    path.chmod(0o600)
    return path


@pytest.fixture
def config(world: SpecWorld, tmp_path: Path) -> Path:
    return write_config(world, tmp_path / "esqlsh.yaml")


def test_json_without_metadata_and_the_status_table_on_stderr(config: Path) -> None:
    out = invoke(["--config", str(config), "-q", TWO, "--format", "json"])
    assert out.status is ExitStatus.OK, out.stderr
    body = json.loads(out.stdout)
    assert body["values"] == [[4]]
    assert "_clusters" not in body
    assert "(local)" in out.stderr and "cluster_one" in out.stderr
    assert "successful" in out.stderr


def test_include_ccs_metadata_adds_clusters_to_json(config: Path) -> None:
    argv = ["--config", str(config), "-q", TWO, "--format", "json", "--include-ccs-metadata"]
    out = invoke(argv)
    body = json.loads(out.stdout)
    assert list(body) == ["took", "is_partial", "columns", "values", "_clusters"]
    assert body["_clusters"]["total"] == 2
    assert set(body["_clusters"]["details"]) == {"(local)", "cluster_one"}


def test_yaml_carries_clusters_too(config: Path) -> None:
    import yaml

    argv = ["--config", str(config), "-q", TWO, "--format", "yaml", "--include-ccs-metadata"]
    body = yaml.safe_load(invoke(argv).stdout)
    assert body["_clusters"]["successful"] == 2


def test_table_output_ends_with_the_status_table(config: Path) -> None:
    out = invoke(["--config", str(config), "-q", TWO])
    assert out.status is ExitStatus.OK
    lines = out.stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if "cluster" in line and "status" in line)
    assert "│ n │" in "\n".join(lines[:header])
    status_rows = "\n".join(lines[header:])
    for text in ("(local)", "cluster_one", "successful", "my-index-000001", "1/1"):
        assert text in status_rows
    assert lines[-1] == "2 clusters: 2 successful"
    assert "successful" not in out.stderr  # the table went to stdout only


def test_quiet_hides_the_status_table_when_all_went_well(config: Path) -> None:
    out = invoke(["--config", str(config), "-q", TWO, "--format", "csv", "--quiet"])
    assert (out.stdout, out.stderr) == ("n\n4\n", "")


def test_partial_result_exit_status_and_metadata(world: SpecWorld, tmp_path: Path) -> None:
    config = write_config(world, tmp_path / "c.yaml", dead="true")
    text = "FROM my-index-000001,dead:my-index-000001 | STATS n = COUNT(*)"
    out = invoke(["--config", str(config), "-q", text, "--format", "json", "--quiet"])
    assert out.status is ExitStatus.PARTIAL
    body = json.loads(out.stdout)
    assert body["is_partial"] is True and body["values"] == [[2]]
    failure = body["_clusters"]["details"]["dead"]["failures"][0]["reason"]
    assert failure["reason"] == (
        "Remote cluster [dead] (with setting skip_unavailable=true) is not available"
    )
    # --quiet still shows a cluster that had a problem.
    assert "skipped" in out.stderr and "is not available" in out.stderr


def test_unreachable_cluster_without_skip_is_an_error(world: SpecWorld, tmp_path: Path) -> None:
    config = write_config(world, tmp_path / "c.yaml", dead="false")
    out = invoke(["--config", str(config), "-q", "FROM my-index-000001,dead:my-index-000001"])
    assert out.status is ExitStatus.ERROR
    assert (
        "Remote cluster [dead] (with setting skip_unavailable=false) is not available" in out.stderr
    )
    assert out.stdout == ""


def test_config_from_the_environment(config: Path) -> None:
    env = dataclasses.replace(make_env(), environ={"ESQLSH_CONFIG": str(config)})
    out = invoke(["-q", TWO, "--format", "csv"], env)
    assert out.status is ExitStatus.OK and out.stdout == "n\n4\n"


def test_config_dir_default(world: SpecWorld, tmp_path: Path) -> None:
    write_config(world, tmp_path / "config.yaml")
    env = dataclasses.replace(make_env(), config_dir_override=tmp_path)
    out = invoke(["-q", TWO, "--format", "csv"], env)
    assert out.stdout == "n\n4\n"


def test_a_bad_config_names_file_line_and_key(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("clusters:\n  one:\n    type: embedded\n    timeout: soon\n", encoding="utf-8")
    out = invoke(["--config", str(bad), "-q", "ROW a = 1"])
    assert out.status is ExitStatus.ERROR
    assert f"{bad}:" in out.stderr and "timeout" in out.stderr


def test_path_and_config_together_is_a_usage_error(config: Path, tmp_path: Path) -> None:
    out = invoke(["--config", str(config), "--path", str(tmp_path), "-q", "ROW a = 1"])
    assert out.status is ExitStatus.USAGE
    assert "either --path or --config" in out.stderr


def test_path_is_one_local_cluster_without_remotes(world: SpecWorld) -> None:
    argv = [
        "--path",
        str(world.paths["cluster_one"]),
        "-q",
        "FROM my-index-000001 | STATS n = COUNT(*)",
    ]
    out = invoke([*argv, "--format", "csv"])
    assert out.stdout == "n\n2\n"
    out = invoke(["--path", str(world.paths[LOCAL]), "-q", TWO])
    assert out.status is ExitStatus.ERROR
    assert "no such remote cluster: [cluster_one]" in out.stderr


def test_explain_prints_the_plan_and_runs_nothing(config: Path) -> None:
    out = invoke(["--config", str(config), "-q", TWO, "--explain"])
    assert out.status is ExitStatus.OK
    assert "fragment querying (unbounded):" in out.stdout
    assert "fragment cluster_one (unbounded):" in out.stdout
    assert "coordinator (stats):" in out.stdout
    assert "FROM my-index-000001 | STATS" in out.stdout


@pytest.mark.parametrize("text", [TWO, "ROW a = 1"])
def test_server_side_needs_an_elasticsearch_cluster(config: Path, text: str) -> None:
    # (a query reading no cluster is sent whole too: the clusters are opened for it)
    out = invoke(["--config", str(config), "-q", text, "--server-side", "cluster_one"])
    assert out.status is ExitStatus.ERROR
    assert "is not an elasticsearch cluster" in out.stderr


def test_a_query_reading_no_cluster_runs_without_opening_one(config: Path) -> None:
    out = invoke(["--config", str(config), "-q", "ROW a = 1 | EVAL b = a + 1", "--format", "csv"])
    assert (out.status, out.stdout) == (ExitStatus.OK, "a,b\n1,2\n")
    explained = invoke(["--config", str(config), "-q", "ROW a = 1", "--explain"])
    assert f"single cluster [{LOCAL}] runs the whole query" in explained.stdout


def test_config_warnings_are_shown_whatever_the_query(world: SpecWorld, tmp_path: Path) -> None:
    # A secret written in a file others can read: a warning, even for ROW.
    config = write_config(world, tmp_path / "open.yaml")
    es = "  es:\n    type: elasticsearch\n    hosts: http://127.0.0.1:9\n    api_key: in-file\n"
    config.write_text(config.read_text(encoding="utf-8") + es, encoding="utf-8")
    config.chmod(0o644)
    for query in ("ROW a = 1", TWO):
        out = invoke(["--config", str(config), "-q", query, "--format", "csv"])
        assert "holds a secret (clusters.es.api_key" in out.stderr, query


def test_timing_and_warnings_still_go_to_stderr(config: Path) -> None:
    text = "FROM my-index-000001,cluster_one:my-index-000001 | KEEP user.id"
    out = invoke(["--config", str(config), "-q", text, "--format", "csv", "--timing"])
    assert out.status is ExitStatus.OK
    assert "No limit defined, adding default limit of [1000]" in out.stderr
    assert "Took " in out.stderr
    assert sorted(out.stdout.splitlines()[1:]) == ["elkbee", "elkbee", "elkbee", "kimchy"]


def test_help_mentions_the_new_options(capsys: pytest.CaptureFixture[str]) -> None:
    assert invoke(["--help"]).status is ExitStatus.OK
    help_text = capsys.readouterr().out
    for option in ("--config", "--explain", "--include-ccs-metadata", "--server-side"):
        assert option in help_text


def test_status_table_colours_on_a_terminal(config: Path) -> None:
    env = make_env(tty=True)
    out = invoke(["--config", str(config), "-q", TWO], env)
    assert out.status is ExitStatus.OK
    assert "\x1b[32msuccessful" in out.stdout  # green
    assert isinstance(env.stdout, io.StringIO)


def test_server_side_sends_the_query_to_an_elasticsearch_node(
    world: SpecWorld, tmp_path: Path
) -> None:
    from tests.servers import start_node

    with start_node(world.paths["cluster_one"]) as node:
        config = tmp_path / "server.yaml"
        config.write_text(
            f"clusters:\n  es:\n    type: elasticsearch\n    hosts: {node.url}\n", encoding="utf-8"
        )
        text = "FROM my-index-000001 | STATS n = COUNT(*) BY user.id | SORT user.id"
        argv = ["--config", str(config), "--server-side", "es", "-q", text, "--format", "json"]
        out = invoke(argv)
    assert out.status is ExitStatus.OK, out.stderr
    body = json.loads(out.stdout)
    assert body["values"] == [[1, "elkbee"], [1, "kimchy"]]
    assert "_clusters" not in body  # the node searched itself only: not cross-cluster


def test_ctrl_c_stops_a_cross_cluster_query(world: SpecWorld, tmp_path: Path) -> None:
    """SIGINT while a remote is slow: the command exits 130 at once, the remote's
    async query told to stop."""
    import signal
    import subprocess
    import sys
    import time

    from tests.servers import REPO, start_node

    node = start_node(world.paths["cluster_one"], env={"ESQLSH_TEST_LATENCY_MS": "20000"})
    try:
        config = tmp_path / "slow.yaml"
        config.write_text(
            f"local: {LOCAL}\nclusters:\n"
            f"  {LOCAL}:\n    type: embedded\n    path: {world.paths[LOCAL]}\n"
            f"  cluster_one:\n    type: elasticsearch\n    hosts: {node.url}\n    timeout: 60s\n",
            encoding="utf-8",
        )
        process = subprocess.Popen(
            [sys.executable, "-m", "esqlsh", "--config", str(config), "-q", TWO],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        # The node logs a request once answered: the catalog's last request shows
        # the query is about to be (or was just) sent; its answer takes 20 s.
        deadline = time.monotonic() + 20
        while "_field_caps" not in node.stderr and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(1.0)
        process.send_signal(signal.SIGINT)
        started = time.monotonic()
        _, stderr = process.communicate(timeout=15)
        # At most the transports' grace to stop their queries, not the 20 s answer.
        assert time.monotonic() - started < 8
    finally:
        node.kill()  # its requests sleep 20 s: no graceful wait
    assert process.returncode == ExitStatus.CANCELLED, stderr
    assert "Traceback" not in stderr
