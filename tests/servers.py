"""Real ``esqlsh serve`` nodes for tests: ``start_node(path)`` starts one as a
subprocess on an ephemeral 127.0.0.1 port and returns when it listens.

    with start_node(cluster_dir, api_keys=("secret",)) as node:
        requests.get(node.url + "/", headers={"Authorization": "ApiKey secret"})

Several nodes can run at once (one per cluster of a coordinator test); each can be
stopped gracefully (``stop``, SIGTERM) or killed (``kill``, SIGKILL) to play a
cluster that goes away. API keys travel in ``ESQLSH_SERVE_API_KEYS`` (never on the
command line). Everything the node writes to stderr (the listening line, the
access log) is collected in ``Node.stderr``; a reader thread drains the pipe so a
chatty node never blocks.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import TracebackType

REPO = Path(__file__).resolve().parents[1]
START_TIMEOUT = 20.0
STOP_TIMEOUT = 10.0
_LISTENING = re.compile(r"esqlsh serve: listening on (https?)://([^\s]+):(\d+) ")


class NodeStartError(RuntimeError):
    """The node exited or did not listen in time; the message holds its stderr."""


class Node:
    """A running ``esqlsh serve`` subprocess."""

    def __init__(self, process: subprocess.Popen[str], scheme: str, port: int, log: _Log):
        self.process = process
        self.scheme = scheme
        self.port = port
        self._log = log

    def __repr__(self) -> str:
        state = "running" if self.running else f"exited {self.process.returncode}"
        return f"Node({self.url}, pid={self.pid}, {state})"

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def running(self) -> bool:
        return self.process.poll() is None

    @property
    def stderr(self) -> str:
        """Everything the node wrote to stderr so far (all of it once stopped)."""
        return self._log.text()

    def stop(self, timeout: float = STOP_TIMEOUT) -> int | None:
        """SIGTERM and wait (graceful shutdown); SIGKILL if it does not exit."""
        if self.running:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout)
        self._log.join()
        return self.process.returncode

    def kill(self) -> None:
        """SIGKILL: the node vanishes mid-whatever, as a crashed cluster would."""
        if self.running:
            self.process.kill()
            self.process.wait(STOP_TIMEOUT)
        self._log.join()

    def __enter__(self) -> Node:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def start_node(
    path: str | os.PathLike[str],
    *,
    api_keys: Iterable[str] = (),
    tls: tuple[str | os.PathLike[str], str | os.PathLike[str]] | None = None,
    env: Mapping[str, str] | None = None,
    extra_args: Iterable[str] = (),
) -> Node:
    """Start ``esqlsh serve --path path --port 0`` and wait for its listening line.

    ``api_keys``: keys the node accepts (none: an open node). ``tls``: (certificate,
    key) PEM paths for HTTPS. ``env``: extra environment (e.g. the test hooks
    ``ESQLSH_TEST_LATENCY_MS``, ``ESQLSH_TEST_FAIL_AFTER_ROWS``). ``extra_args``:
    more ``esqlsh serve`` options (``--name``, ``--max-content-length`` …).
    Raises ``NodeStartError`` (with the node's stderr) if it does not listen
    within 20 seconds."""
    argv = [sys.executable, "-m", "esqlsh", "serve", "--path", str(path), "--port", "0"]
    if tls is not None:
        argv += ["--tls-cert", str(tls[0]), "--tls-key", str(tls[1])]
    argv += list(extra_args)
    environ = {**os.environ, **(env or {})}
    environ["ESQLSH_SERVE_API_KEYS"] = ",".join(api_keys)
    environ.setdefault("PYTHONUNBUFFERED", "1")
    process = subprocess.Popen(
        argv,
        cwd=REPO,
        env=environ,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        errors="replace",
    )
    log = _Log(process)
    try:
        scheme, port = log.wait_listening(START_TIMEOUT)
    except NodeStartError:
        if process.poll() is None:
            process.kill()
            process.wait(STOP_TIMEOUT)
        log.join()
        raise
    return Node(process, scheme, port, log)


class _Log:
    """Reads the node's stderr on a thread; remembers all of it."""

    def __init__(self, process: subprocess.Popen[str]):
        self._process = process
        self._lines: list[str] = []
        self._lock = threading.Lock()
        self._listening = threading.Event()
        self._address: tuple[str, int] | None = None
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        assert self._process.stderr is not None
        for line in self._process.stderr:
            with self._lock:
                self._lines.append(line)
            match = _LISTENING.search(line)
            if match and self._address is None:
                self._address = (match.group(1), int(match.group(3)))
                self._listening.set()
        self._listening.set()  # exited: stop waiting

    def wait_listening(self, timeout: float) -> tuple[str, int]:
        deadline = time.monotonic() + timeout
        self._listening.wait(max(0.0, deadline - time.monotonic()))
        if self._address is None:
            state = self._process.poll()
            why = f"exited with status {state}" if state is not None else "did not listen"
            raise NodeStartError(f"esqlsh serve {why} within {timeout:.0f} s:\n{self.text()}")
        return self._address

    def text(self) -> str:
        with self._lock:
            return "".join(self._lines)

    def join(self) -> None:
        self._thread.join(STOP_TIMEOUT)
