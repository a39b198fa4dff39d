"""A TCP endpoint on 127.0.0.1 that fails the way real clusters fail, for the
transport's fault tests.

Modes (``FaultProxy(mode, …)``):

- ``refuse`` — nothing listens on the port (connection refused);
- ``accept_then_hang`` — accepts, reads, never answers;
- ``http_500`` — answers every request with a plain-text 500 (not an
  Elasticsearch body);
- ``http_401`` — answers every request with Elasticsearch's 401
  ``security_exception`` body and challenges;
- ``tls_wrong_ca`` — speaks TLS with a certificate from a CA the client does not
  trust (``trustme``), so verification fails;
- ``drop_after_first_bytes`` — forwards to ``upstream`` (a real node), but once a
  ``_query`` request has been forwarded, closes both sides after the first
  ``drop_after`` bytes of its response (metadata requests pass untouched, so the
  cluster looks healthy until it runs the query).

Every connection is served on its own daemon thread; ``stop()`` closes them all.
"""

from __future__ import annotations

import contextlib
import json
import socket
import ssl
import threading
from collections.abc import Iterator
from types import TracebackType

MODES = (
    "refuse",
    "accept_then_hang",
    "http_500",
    "http_401",
    "tls_wrong_ca",
    "drop_after_first_bytes",
)

_401_REASON = (
    "unable to authenticate with provided credentials and anonymous access is not "
    "allowed for this request"
)
_CHALLENGES = ['Basic realm="security", charset="UTF-8"', "ApiKey"]


class FaultProxy:
    """One faulty endpoint; ``url`` is what a ClusterSpec's ``hosts`` takes."""

    def __init__(
        self,
        mode: str,
        *,
        upstream: tuple[str, int] | None = None,
        drop_after: int = 600,
    ):
        if mode not in MODES:
            raise ValueError(f"unknown fault mode [{mode}]")
        if mode == "drop_after_first_bytes" and upstream is None:
            raise ValueError("drop_after_first_bytes needs an upstream (host, port)")
        self.mode = mode
        self.upstream = upstream
        self.drop_after = drop_after
        self.port = 0
        self.requests = 0  # requests (or connections, for the silent modes) seen
        self._server: socket.socket | None = None
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._tls: ssl.SSLContext | None = None

    # --- lifecycle -------------------------------------------------------------

    def start(self) -> FaultProxy:
        if self.mode == "refuse":
            # Bind to learn a free port, then close it: nothing listens there.
            with socket.create_server(("127.0.0.1", 0)) as probe:
                self.port = probe.getsockname()[1]
            return self
        if self.mode == "tls_wrong_ca":
            self._tls = _untrusted_server_context()
        self._server = socket.create_server(("127.0.0.1", 0))
        self._server.settimeout(0.2)
        self.port = self._server.getsockname()[1]
        threading.Thread(target=self._accept_loop, name=f"fault-{self.mode}", daemon=True).start()
        return self

    def stop(self) -> None:
        self._stopped.set()
        with self._lock:
            sockets, self._sockets = self._sockets, []
        for s in sockets:
            _close(s)
        if self._server is not None:
            _close(self._server)

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, err: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def url(self) -> str:
        scheme = "https" if self.mode == "tls_wrong_ca" else "http"
        return f"{scheme}://127.0.0.1:{self.port}"

    # --- serving ---------------------------------------------------------------

    def _accept_loop(self) -> None:
        assert self._server is not None
        while not self._stopped.is_set():
            try:
                conn, _ = self._server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self._track(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _track(self, s: socket.socket) -> None:
        with self._lock:
            self._sockets.append(s)

    def _serve(self, conn: socket.socket) -> None:
        handler = {
            "accept_then_hang": self._hang,
            "http_500": self._answer_500,
            "http_401": self._answer_401,
            "tls_wrong_ca": self._tls_handshake,
            "drop_after_first_bytes": self._forward,
        }[self.mode]
        with contextlib.suppress(OSError, ssl.SSLError):
            handler(conn)
        _close(conn)

    def _hang(self, conn: socket.socket) -> None:
        self.requests += 1
        while not self._stopped.is_set() and conn.recv(65536):
            pass  # read and drop everything; never answer

    def _answer_500(self, conn: socket.socket) -> None:
        for _ in _requests(conn):
            self.requests += 1
            body = b"Internal Server Error"
            conn.sendall(_response(500, "Internal Server Error", "text/plain", body))

    def _answer_401(self, conn: socket.socket) -> None:
        for _path in _requests(conn):
            self.requests += 1
            cause = {
                "type": "security_exception",
                "reason": _401_REASON,
                "header": {"WWW-Authenticate": _CHALLENGES},
            }
            body = json.dumps({"error": {"root_cause": [cause], **cause}, "status": 401}).encode()
            extra = [("WWW-Authenticate", c) for c in _CHALLENGES]
            conn.sendall(_response(401, "Unauthorized", "application/json", body, extra))

    def _tls_handshake(self, conn: socket.socket) -> None:
        assert self._tls is not None
        self.requests += 1
        conn.settimeout(5)
        with self._tls.wrap_socket(conn, server_side=True) as tls:
            tls.recv(65536)  # the client gives up in the handshake; this raises

    def _forward(self, conn: socket.socket) -> None:
        assert self.upstream is not None
        upstream = socket.create_connection(self.upstream)
        self._track(upstream)
        state = _DropState(self.drop_after)
        threading.Thread(
            target=self._pump_requests, args=(conn, upstream, state), daemon=True
        ).start()
        while True:
            data = upstream.recv(65536)
            if not data:
                break
            allowed = state.allow(len(data))
            conn.sendall(data[:allowed])
            if allowed < len(data):
                break  # the drop: both sides closed mid-response
        _close(upstream)

    def _pump_requests(
        self, conn: socket.socket, upstream: socket.socket, state: _DropState
    ) -> None:
        with contextlib.suppress(OSError):
            while True:
                data = conn.recv(65536)
                if not data:
                    break
                if _starts_request(data):
                    self.requests += 1
                    if b" /_query" in data.split(b"\r\n", 1)[0]:
                        state.arm()
                upstream.sendall(data)
        _close(upstream)


class _DropState:
    """Counts response bytes once a ``_query`` request went through."""

    def __init__(self, limit: int):
        self.limit = limit
        self.armed = False
        self.sent = 0
        self.lock = threading.Lock()

    def arm(self) -> None:
        with self.lock:
            self.armed = True

    def allow(self, size: int) -> int:
        """How many of the next ``size`` bytes may pass."""
        with self.lock:
            if not self.armed:
                return size
            room = max(self.limit - self.sent, 0)
            self.sent += min(size, room)
            return min(size, room)


# --- helpers ------------------------------------------------------------------------


def closed_port() -> int:
    """A port on 127.0.0.1 nothing listens on."""
    with socket.create_server(("127.0.0.1", 0)) as probe:
        return int(probe.getsockname()[1])


def _requests(conn: socket.socket) -> Iterator[str]:
    """The path of each request read from ``conn`` (headers and body consumed)."""
    buffer = b""
    while True:
        while b"\r\n\r\n" not in buffer:
            data = conn.recv(65536)
            if not data:
                return
            buffer += data
        head, _, buffer = buffer.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip() or 0)
        while len(buffer) < length:
            data = conn.recv(65536)
            if not data:
                return
            buffer += data
        buffer = buffer[length:]
        request_line = head.split(b"\r\n", 1)[0].decode("latin-1")
        parts = request_line.split(" ")
        yield parts[1] if len(parts) > 1 else "/"


def _response(
    status: int,
    phrase: str,
    content_type: str,
    body: bytes,
    extra: list[tuple[str, str]] | None = None,
) -> bytes:
    headers = [
        ("Content-Type", content_type),
        ("Content-Length", str(len(body))),
        *(extra or []),
    ]
    if content_type == "application/json":
        headers.append(("X-Elastic-Product", "Elasticsearch"))
    head = f"HTTP/1.1 {status} {phrase}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers)
    return head.encode("latin-1") + b"\r\n" + body


def _starts_request(data: bytes) -> bool:
    return data.split(b" ", 1)[0] in (b"GET", b"POST", b"PUT", b"DELETE", b"HEAD")


def _untrusted_server_context() -> ssl.SSLContext:
    import trustme

    ca = trustme.CA()  # a CA no client is given
    cert = ca.issue_cert("127.0.0.1", "localhost")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    return context


def _close(s: socket.socket) -> None:
    with contextlib.suppress(OSError):
        s.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(OSError):
        s.close()


__all__ = ["MODES", "FaultProxy", "closed_port"]
