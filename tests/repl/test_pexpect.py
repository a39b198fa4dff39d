"""End to end: the real ``.venv/bin/esqlsh`` in a pseudo-terminal (pexpect), typed
at as a person would: a cross-cluster query written with Tab completion, its
rows and status table; ``\\clusters``; Ctrl-C on a query a slow cluster holds up,
back at the prompt within a second, and the next query fine; ``\\q`` exits 0.

The screen is read through :class:`Screen`, which drops terminal escapes (colours,
cursor moves) so tests look for plain text in the order it appeared."""

from __future__ import annotations

import os
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pexpect
import pytest

from tests.servers import Node, start_node

from .shell_world import build_cluster, build_clusters, write_config

ESQLSH = Path(sys.executable).with_name("esqlsh")
ROWS, COLUMNS = 40, 120
# CSI sequences, charset selection, keypad modes, and the carriage returns,
# bells and backspaces that go with redraws.
ESCAPES = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>78]|[\r\x07\x08]")
PROMPT = "esql>"


class Screen:
    """What the shell wrote, escapes removed; :meth:`expect` finds text after
    the last text found."""

    def __init__(self, child: pexpect.spawn):
        self.child = child
        self.plain = ""
        self._pending = ""
        self._seen = 0

    def _feed(self, data: str) -> None:
        text = self._pending + data
        cut = text.rfind("\x1b")
        # An escape sequence cut in two by the read: keep its start for the next one.
        if cut >= 0 and not ESCAPES.match(text, cut):
            text, self._pending = text[:cut], text[cut:]
        else:
            self._pending = ""
        self.plain += ESCAPES.sub("", text)

    def expect(self, text: str, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            at = self.plain.find(text, self._seen)
            if at >= 0:
                self._seen = at + len(text)
                return
            if time.monotonic() > deadline:
                tail = self.plain[self._seen :][-3000:]
                raise AssertionError(f"{text!r} did not appear; the screen since:\n{tail}")
            try:
                self._feed(self.child.read_nonblocking(65536, timeout=0.05))
            except pexpect.TIMEOUT:
                pass
            except pexpect.EOF:
                if self.plain.find(text, self._seen) < 0:
                    raise

    def type(self, keys: str, until: str | None = None) -> None:
        """Send ``keys``; wait until the echo of ``until`` (default: the keys) shows."""
        self.child.send(keys)
        self.expect(until if until is not None else keys)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return build_clusters(tmp_path_factory.mktemp("pexpect"))


@pytest.fixture(scope="module")
def slow_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    """An ``esqlsh serve`` node that takes 3 s to answer any ``_query`` request."""
    data = build_cluster(tmp_path_factory.mktemp("slow"), "cluster_two")
    with start_node(data, env={"ESQLSH_TEST_LATENCY_MS": "3000"}) as node:
        yield node


def spawn(config: Path, home: Path) -> tuple[pexpect.spawn, Screen]:
    env = {
        **os.environ,
        "TERM": "xterm",
        "NO_COLOR": "1",
        # Nothing answers the terminal's cursor-position requests here.
        "PROMPT_TOOLKIT_NO_CPR": "1",
        "PAGER": "cat",
        "ESQLSH_HISTORY": str(home / "history"),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"),
    }
    env.pop("ESQLSH_CONFIG", None)
    child = pexpect.spawn(
        str(ESQLSH),
        ["--config", str(config)],
        env=env,
        dimensions=(ROWS, COLUMNS),
        encoding="utf-8",
        timeout=20,
    )
    screen = Screen(child)
    screen.expect(PROMPT)
    return child, screen


def quit_shell(child: pexpect.spawn, screen: Screen) -> None:
    screen.type("\\q\r", until="\\q")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, screen.plain[-2000:]


def test_tab_completed_cross_cluster_query_and_clusters(
    world: dict[str, Path], tmp_path: Path
) -> None:
    config = write_config(tmp_path / "config.yaml", world)
    child, screen = spawn(config, tmp_path)
    try:
        screen.type("FROM logs,clus")
        screen.type("\t", until="cluster_one:")  # the alias, with its colon
        screen.type("lo")
        screen.type("\t", until="logs")  # an index of cluster_one
        screen.type(" | STATS n = COUNT(*) BY ho", until="BY ho")
        screen.type("\t", until="host")  # a field of the indices in FROM
        screen.type(";\r", until="FROM logs,cluster_one:logs | STATS n = COUNT(*) BY host;")
        for row in ("│ 3 │ a    │", "│ 1 │ b    │", "│ 1 │ c    │"):
            screen.expect(row)
        screen.expect("│ (local)     │ successful │ logs")
        screen.expect("│ cluster_one │ successful │ logs")
        screen.expect("2 clusters: 2 successful")
        screen.expect("3 rows")
        screen.expect(PROMPT)
        screen.type("\\clusters\r", until="\\clusters")
        screen.expect("cluster_one")
        screen.expect(str(world["cluster_one"]))
        screen.expect("up")
        screen.expect("cluster_two")
        screen.expect(PROMPT)
        quit_shell(child, screen)
    finally:
        child.close(force=True)


def test_ctrl_c_on_a_slow_cluster_returns_to_the_prompt(
    world: dict[str, Path], slow_node: Node, tmp_path: Path
) -> None:
    slow = ["  slow:", "    type: elasticsearch", f"    hosts: {slow_node.url}", "    timeout: 30s"]
    config = write_config(tmp_path / "config.yaml", world, slow)
    child, screen = spawn(config, tmp_path)
    try:
        screen.type("FROM logs,slow:logs | STATS n = COUNT(*);\r", until="COUNT(*);")
        screen.expect("slow")
        screen.expect("running")  # the live display: slow is still at it
        pressed = time.monotonic()
        child.sendintr()
        screen.expect("Cancelled.", timeout=5)
        screen.expect(PROMPT, timeout=5)
        assert time.monotonic() - pressed < 1.0
        screen.type("FROM logs,cluster_two:logs | STATS n = COUNT(*);\r", until="COUNT(*);")
        screen.expect("│ 5 │")
        screen.expect("2 clusters: 2 successful")
        screen.expect(PROMPT)
        # The history kept both queries.
        screen.type("\x1b[A", until="cluster_two:logs")
        screen.type("\x15", until="")  # Ctrl-U: drop the recalled line
        quit_shell(child, screen)
    finally:
        child.close(force=True)
    history = (tmp_path / "history").read_text(encoding="utf-8")
    assert "+FROM logs,slow:logs | STATS n = COUNT(*);" in history
    assert "+FROM logs,cluster_two:logs | STATS n = COUNT(*);" in history
