"""The fault matrix (issue 4 acceptance): a remote cluster reached over real HTTP
through ``tests/faultproxy.py`` fails in six ways — connection refused, accepting
then hanging past its timeout, HTTP 500, HTTP 401, TLS with a certificate from an
untrusted CA, the connection dropped after the first bytes of the query's
response — each with ``skip_unavailable`` true and false.

Three levels, one expectation table (``EXPECTED``):

- the transport alone: which error, how fast, ``data_received``;
- the coordinator (``run_federated`` over a local embedded cluster, a healthy
  ``esqlsh serve`` remote and the faulty one): the faulty cluster's status and
  failure in ``_clusters``, or the query's error — Elasticsearch's type, status
  and text — never later than the cluster's timeout allows;
- the command line (in process, ``ESQLSH_DEBUG=1`` so that anything but an
  Elasticsearch-style error would escape as a traceback): exit status, the
  ``_clusters`` it prints, or ``Error: <reason>`` alone on stderr.

``docs/COORDINATOR.md`` ("Fault matrix") holds the table rendered from
``EXPECTED`` (``python -m tests.coordinator.test_faults`` prints it); a test keeps
the two equal.
"""

from __future__ import annotations

import io
import json
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import trustme

from esqlsh.cli import run as cli_run
from esqlsh.clusters.config import ClusterSpec, Config
from esqlsh.clusters.ingest import load_index
from esqlsh.clusters.registry import Registry
from esqlsh.clusters.remote import ElasticsearchCluster
from esqlsh.coordinator.fanout import run_federated
from esqlsh.env import Environment
from esqlsh.errors import ClusterUnavailableError, EsqlError, RemoteError
from esqlsh.exit import ExitStatus
from esqlsh.plan.split import Fragment
from esqlsh.render.values import to_es_values
from esqlsh.syntax.parser import parse
from tests.faultproxy import FaultProxy
from tests.servers import Node, start_node

TIMEOUT = 1.0  # the faulty cluster's timeout (seconds)
# The dropping proxy lets the real node run the query first: a busy machine must not
# turn that case into a timeout, so it gets more time (it fails at once anyway).
DROP_TIMEOUT = 5.0
SLACK = 2.0  # what a case may take beyond it (planning, the healthy clusters)


def timeout_of(mode: str) -> float:
    return DROP_TIMEOUT if mode == "drop_after_first_bytes" else TIMEOUT


DROP_AFTER = 300  # bytes of the query's response let through (headers are ~200)
REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "docs" / "COORDINATOR.md"

QUERY = (
    "FROM people,good:people,bad:people METADATA _index "
    "| KEEP _index, name | SORT _index, name | LIMIT 100"
)
# What the local and the healthy remote cluster give: the query goes on without "bad".
SURVIVORS = [
    ["good:people", "ann"],
    ["good:people", "bob"],
    ["good:people", "cy"],
    ["people", "ann"],
    ["people", "bob"],
    ["people", "cy"],
]

UNAVAILABLE = "Remote cluster [bad] (with setting skip_unavailable={}) is not available"
CONNECT = "connect_transport_exception"
STATUS_500 = "status line [500 Internal Server Error]: Internal Server Error"
REFUSED_401 = (
    "unable to authenticate with provided credentials and anonymous access is not "
    "allowed for this request"
)

MODES = {
    "refuse": "connection refused",
    "accept_then_hang": "accepts, then hangs past the timeout",
    "http_500": "HTTP 500 (not an Elasticsearch body)",
    "http_401": "HTTP 401 (Elasticsearch's security_exception)",
    "tls_wrong_ca": "TLS certificate from an untrusted CA",
    "drop_after_first_bytes": "connection dropped after the first bytes of the response",
}


@dataclass(frozen=True)
class Expected:
    """One outcome. ``status`` is the faulty cluster's in ``_clusters`` when the
    query answers; ``error_status`` the HTTP status of the query's error when it
    fails (then ``status`` is None). ``type``/``reason``: the failure entry's, or
    the error's."""

    status: str | None
    type: str
    reason: str
    error_status: int | None = None

    @property
    def exit(self) -> ExitStatus:
        return ExitStatus.ERROR if self.status is None else ExitStatus.PARTIAL


def _unavailable(skip: bool, status: str = "skipped") -> Expected:
    if skip:
        return Expected(status, CONNECT, UNAVAILABLE.format("true"))
    return Expected(None, CONNECT, UNAVAILABLE.format("false"), 500)


EXPECTED: dict[tuple[str, bool], Expected] = {
    ("refuse", True): _unavailable(True),
    ("refuse", False): _unavailable(False),
    ("accept_then_hang", True): _unavailable(True),
    ("accept_then_hang", False): _unavailable(False),
    ("http_500", True): Expected("skipped", "status_exception", STATUS_500),
    ("http_500", False): Expected(None, "status_exception", STATUS_500, 500),
    ("http_401", True): Expected("skipped", "security_exception", REFUSED_401),
    ("http_401", False): Expected(None, "security_exception", REFUSED_401, 401),
    ("tls_wrong_ca", True): _unavailable(True),
    ("tls_wrong_ca", False): _unavailable(False),
    # Part of the answer had arrived: partial, not skipped.
    ("drop_after_first_bytes", True): _unavailable(True, "partial"),
    ("drop_after_first_bytes", False): _unavailable(False),
}

CASES = [pytest.param(mode, skip, id=f"{mode}-skip_{str(skip).lower()}") for mode, skip in EXPECTED]


# --- the world ----------------------------------------------------------------------------

PEOPLE = "name:keyword,age:integer\nann,31\nbob,42\ncy,27\n"


@dataclass
class World:
    root: Path
    node: Node
    ca: Path  # the CA the faulty cluster's config trusts (not the proxy's)

    def proxy(self, mode: str) -> FaultProxy:
        return FaultProxy(mode, upstream=("127.0.0.1", self.node.port), drop_after=DROP_AFTER)

    def specs(self, bad_url: str, skip: bool, timeout: float) -> dict[str, ClusterSpec]:
        return {
            "home": ClusterSpec(alias="home", type="embedded", path=self.root / "home"),
            "good": ClusterSpec(
                alias="good", type="elasticsearch", hosts=(self.node.url,), timeout=10.0
            ),
            "bad": ClusterSpec(
                alias="bad",
                type="elasticsearch",
                hosts=(bad_url,),
                timeout=timeout,
                skip_unavailable=skip,
                ca_certs=self.ca,
            ),
        }

    def config_file(self, bad_url: str, skip: bool, timeout: float) -> Path:
        path = self.root / f"config-{'skip' if skip else 'strict'}.yaml"
        path.write_text(
            "local: home\n"
            "clusters:\n"
            f'  home: {{type: embedded, path: "{self.root / "home"}"}}\n'
            f'  good: {{type: elasticsearch, hosts: "{self.node.url}", timeout: 10s}}\n'
            f'  bad: {{type: elasticsearch, hosts: "{bad_url}", timeout: {timeout}s,\n'
            f'        skip_unavailable: {str(skip).lower()}, ca_certs: "{self.ca}"}}\n',
            encoding="utf-8",
        )
        return path


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    root = tmp_path_factory.mktemp("faults")
    csv = root / "people.csv"
    csv.write_text(PEOPLE, encoding="utf-8")
    load_index(root / "home", "people", csv)
    load_index(root / "remote", "people", csv)
    ca = root / "ca.pem"
    trustme.CA().cert_pem.write_to_path(str(ca))
    node = start_node(root / "remote")
    try:
        yield World(root, node, ca)
    finally:
        node.stop()


# --- the transport alone ---------------------------------------------------------------------

TRANSPORT: dict[str, tuple[type[EsqlError], str, bool]] = {
    # mode: (error, reason with {port}, data_received)
    "refuse": (ClusterUnavailableError, "[127.0.0.1:{port}] connect_exception: Connection refused", False),
    "accept_then_hang": (ClusterUnavailableError, "[127.0.0.1:{port}] request timed out after [1s]", False),
    "http_500": (RemoteError, STATUS_500, False),
    "http_401": (RemoteError, REFUSED_401, False),
    "tls_wrong_ca": (
        ClusterUnavailableError,
        "[127.0.0.1:{port}] TLS handshake failed: unable to get local issuer certificate",
        False,
    ),
    "drop_after_first_bytes": (
        ClusterUnavailableError,
        # The count is what got past the headers (their length varies a little).
        "[127.0.0.1:{port}] connection closed after [{received}] bytes of the response",
        True,
    ),
}  # fmt: skip


@pytest.mark.parametrize("mode", list(MODES))
def test_transport_fails_as_expected(world: World, mode: str) -> None:
    kind, reason, data_received = TRANSPORT[mode]
    with world.proxy(mode) as proxy:
        cluster = ElasticsearchCluster(world.specs(proxy.url, True, timeout_of(mode))["bad"])
        started = time.monotonic()
        try:
            with pytest.raises(EsqlError) as caught:
                # Metadata requests pass the dropping proxy; the query does not.
                cluster.catalog()
                cluster.run(Fragment(parse("FROM people | LIMIT 5"), False), threading.Event())
        finally:
            cluster.close()
        elapsed = time.monotonic() - started
    error = caught.value
    assert type(error) is kind
    received = re.search(r"after \[(\d+)\] bytes", error.reason)
    count = int(received.group(1)) if received else 0
    assert error.reason == reason.format(port=proxy.port, received=count)
    assert 0 < count < DROP_AFTER or "{received}" not in reason
    assert getattr(error, "data_received", None) is data_received
    assert getattr(error, "alias", None) == "bad"
    assert elapsed < timeout_of(mode) + SLACK


# --- the coordinator ---------------------------------------------------------------------------


@pytest.mark.parametrize(("mode", "skip"), CASES)
def test_fault_matrix_through_the_coordinator(world: World, mode: str, skip: bool) -> None:
    expected = EXPECTED[(mode, skip)]
    with world.proxy(mode) as proxy:
        specs = world.specs(proxy.url, skip, timeout_of(mode))
        registry = Registry.from_config(Config("home", specs, None))
        started = time.monotonic()
        try:
            if expected.status is None:
                with pytest.raises(EsqlError) as caught:
                    run_federated(QUERY, registry)
            else:
                result = run_federated(QUERY, registry)
        finally:
            elapsed = time.monotonic() - started
            registry.close()
    assert elapsed < timeout_of(mode) + SLACK, f"{mode} took {elapsed:.2f}s"
    if expected.status is None:
        error = caught.value
        assert (error.type, error.reason, error.status) == (
            expected.type,
            expected.reason,
            expected.error_status,
        )
        return
    assert to_es_values(result) == SURVIVORS
    assert result.is_partial is True
    assert result.clusters is not None
    details = result.clusters.to_json("home")["details"]
    assert details["(local)"]["status"] == "successful"
    assert details["good"]["status"] == "successful"
    bad = details["bad"]
    assert bad["status"] == expected.status
    assert bad["failures"] == [
        {"shard": -1, "index": None, "reason": {"type": expected.type, "reason": expected.reason}}
    ]


# --- the command line ----------------------------------------------------------------------------


def cli_env() -> Environment:
    return Environment(
        stdin=io.StringIO(""),
        stdout=io.StringIO(),
        stderr=io.StringIO(),
        stdin_isatty=False,
        stdout_isatty=False,
        stderr_isatty=False,
        stdout_colors=False,
        stderr_colors=False,
        terminal_width=100,
        environ={"ESQLSH_DEBUG": "1"},  # an unexpected exception would escape the test
    )


@pytest.mark.parametrize(("mode", "skip"), CASES)
def test_fault_matrix_on_the_command_line(world: World, mode: str, skip: bool) -> None:
    expected = EXPECTED[(mode, skip)]
    env = cli_env()
    with world.proxy(mode) as proxy:
        config = world.config_file(proxy.url, skip, timeout_of(mode))
        started = time.monotonic()
        status = cli_run(["--config", str(config), "-q", QUERY, "--format", "json"], env)
        elapsed = time.monotonic() - started
    assert isinstance(env.stdout, io.StringIO) and isinstance(env.stderr, io.StringIO)
    stdout, stderr = env.stdout.getvalue(), env.stderr.getvalue()
    assert status == expected.exit, stderr
    assert elapsed < timeout_of(mode) + SLACK
    assert "Traceback" not in stderr
    if expected.status is None:
        assert stdout == ""
        assert stderr == f"Error: {expected.reason}\n"
        return
    # A skipped or partial cluster puts _clusters in the answer without being asked.
    body = json.loads(stdout)
    assert body["is_partial"] is True
    assert body["values"] == SURVIVORS
    bad = body["_clusters"]["details"]["bad"]
    assert bad["status"] == expected.status
    assert bad["failures"][0]["reason"] == {"type": expected.type, "reason": expected.reason}


# --- the table in the docs -----------------------------------------------------------------------


def matrix_table() -> str:
    """The 12 outcomes as a Markdown table (what docs/COORDINATOR.md shows)."""
    rows = [
        "| Fault | skip_unavailable | Outcome | Failure / error |",
        "|---|---|---|---|",
    ]
    for (mode, skip), expected in EXPECTED.items():
        if expected.status is None:
            outcome = f"query fails, HTTP {expected.error_status}"
        else:
            outcome = f"`{expected.status}`, query answers (`is_partial`)"
        failure = f"`{expected.type}`: {expected.reason}"
        rows.append(f"| {MODES[mode]} | `{str(skip).lower()}` | {outcome} | {failure} |")
    return "\n".join(rows) + "\n"


def test_the_docs_show_this_matrix() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert "## Fault matrix" in text
    section = text.split("## Fault matrix", 1)[1]
    assert matrix_table() in section, "run: python -m tests.coordinator.test_faults"


if __name__ == "__main__":
    print(matrix_table(), end="")
