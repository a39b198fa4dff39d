"""Starting and stopping a node with uvicorn.

The listening socket is bound here (so ``--port 0`` can report the port it got);
once uvicorn accepts connections one line goes to stderr,
``esqlsh serve: listening on http://127.0.0.1:PORT (cluster NAME)``, which tests
wait for. SIGINT and SIGTERM stop the node gracefully: no new connections,
requests in flight finish (up to ``GRACE_SECONDS``), then the process returns
normally instead of re-raising the signal as uvicorn would.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import os
import signal
import socket
import threading
from collections.abc import Generator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import uvicorn

from esqlsh.server.app import DropFilter, NodeApp, create_app, debug_enabled
from esqlsh.server.settings import NodeSettings

if TYPE_CHECKING:
    from esqlsh.clusters.embedded import EmbeddedCluster

GRACE_SECONDS = 5


@dataclass(frozen=True)
class Listen:
    host: str
    port: int
    tls_cert: Path | None = None
    tls_key: Path | None = None

    @property
    def scheme(self) -> str:
        return "https" if self.tls_cert else "http"


class TlsSetupError(Exception):
    """The certificate or key cannot be loaded (the message says which and why)."""


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def serve(cluster: EmbeddedCluster, settings: NodeSettings, listen: Listen, log: TextIO) -> None:
    """Serve until SIGINT/SIGTERM. Raises OSError when the address cannot be bound
    and ``TlsSetupError`` for unusable TLS files."""
    app = create_app(cluster, settings, log, debug=debug_enabled())
    sock = _bind(listen.host, listen.port)
    try:
        config = uvicorn.Config(
            app,
            interface="asgi3",
            lifespan="off",
            ws="none",
            access_log=False,
            log_level="warning",
            server_header=False,
            proxy_headers=False,
            timeout_graceful_shutdown=GRACE_SECONDS,
            ssl_certfile=str(listen.tls_cert) if listen.tls_cert else None,
            ssl_keyfile=str(listen.tls_key) if listen.tls_key else None,
        )
        _load(config, listen)
        logging.getLogger("uvicorn.error").addFilter(DropFilter())
        server = _Server(config)
        port = sock.getsockname()[1]
        banner = (
            f"esqlsh serve: listening on {listen.scheme}://{_url_host(listen.host)}:{port} "
            f"(cluster {settings.cluster_name})\n"
        )
        asyncio.run(_serve(server, sock, banner, log, app))
        _exit_on_next_signal()
    finally:
        app.state.close()
        sock.close()


async def _serve(
    server: uvicorn.Server, sock: socket.socket, banner: str, log: TextIO, app: NodeApp
) -> None:
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started and not task.done():
        await asyncio.sleep(0.01)
    if server.started:
        log.write(banner)
        log.flush()
    while not task.done():
        if server.should_exit and app.in_flight == 0:
            _drop_idle_connections(server)
        await asyncio.wait([task], timeout=0.1)
    await task


def _drop_idle_connections(server: uvicorn.Server) -> None:
    """Once stopping and no request is in flight, the remaining connections are
    idle. A TLS connection its client closed without ``close_notify`` would
    otherwise hold the shutdown for the whole grace period."""
    for connection in list(server.server_state.connections):
        transport = getattr(connection, "transport", None)
        if transport is not None:
            transport.abort()


class _Server(uvicorn.Server):
    """uvicorn's server, minus re-raising the stopping signal after shutdown."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        handled = (signal.SIGINT, signal.SIGTERM)
        original = {sig: signal.signal(sig, self.handle_exit) for sig in handled}
        try:
            yield
        finally:
            for sig, handler in original.items():
                signal.signal(sig, handler)


def _exit_on_next_signal() -> None:
    """Stopped already: a further SIGINT/SIGTERM (e.g. while a query thread the
    node gave up on still runs) ends the process at once, successfully."""
    if threading.current_thread() is not threading.main_thread():
        return
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: os._exit(0))


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host.strip("[]") else socket.AF_INET
    # proto=IPPROTO_TCP: asyncio sets TCP_NODELAY only on accepted sockets whose
    # proto says TCP; without it each response waits ~40 ms (Nagle + delayed ACK).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host.strip("[]"), port))
        sock.set_inheritable(True)
    except OSError:
        sock.close()
        raise
    return sock


def _load(config: uvicorn.Config, listen: Listen) -> None:
    try:
        config.load()
    except (OSError, ValueError) as err:  # ssl.SSLError is an OSError
        if listen.tls_cert is None:
            raise
        detail = getattr(err, "strerror", None) or str(err) or type(err).__name__
        raise TlsSetupError(
            f"cannot use --tls-cert {listen.tls_cert} / --tls-key {listen.tls_key}: {detail}"
        ) from None


def _url_host(host: str) -> str:
    bare = host.strip("[]")
    return f"[{bare}]" if ":" in bare else bare
