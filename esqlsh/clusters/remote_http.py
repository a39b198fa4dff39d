"""One Elasticsearch cluster's HTTP connection: the ``requests.Session`` (auth header,
TLS verification, timeouts), failing over between hosts, reading answers with a byte
count, and turning what goes wrong into esqlsh's errors.

Every failure leaves as one of two errors (``esqlsh/errors.py``):

- ``RemoteError``: the cluster answered with an error status. An Elasticsearch
  error body keeps its ``type``, ``reason`` and status as sent (a 401 is
  Elasticsearch's ``security_exception``); any other error body becomes a
  ``status_exception`` naming the HTTP status.
- ``ClusterUnavailableError``: no usable answer — connection refused, name not
  resolved, TLS verification failed, connect or read timeout, the connection
  dropped while the answer was arriving (``data_received`` when body bytes had
  already arrived).

Messages never carry a secret: hosts are kept without their ``user:password@``
part, and every text that leaves is scrubbed of the configured credentials.
"""

from __future__ import annotations

import base64
import json
import re
import socket
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import quote, unquote, urlencode, urlsplit, urlunsplit

from esqlsh import __version__
from esqlsh.errors import ClusterUnavailableError, RemoteError

if TYPE_CHECKING:
    # requests, urllib3 and ssl are imported where a request is made: a
    # configuration naming a cluster that no query reaches costs no start-up time.
    import requests

    from esqlsh.clusters.config import ClusterSpec

# Bytes read at a time from an answer's body.
_CHUNK = 64 * 1024
# A best-effort clean-up call (stop/delete an async query) waits at most this long.
CLEANUP_TIMEOUT = 2.0
# Connecting never waits longer than this, whatever the cluster's timeout.
_MAX_CONNECT = 10.0


@dataclass
class Answer:
    """An HTTP answer read whole: status, headers, body bytes, Warning headers."""

    status: int
    headers: Mapping[str, str]
    body: bytes
    warnings: list[str] = field(default_factory=list)
    reason: str = ""

    @property
    def content_type(self) -> str:
        return self.headers.get("Content-Type", "").split(";")[0].strip().lower()

    def json(self) -> Any:
        """The body as JSON (``None`` when it is not JSON)."""
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


class BodyDropped(Exception):
    """The connection ended while an answer's body was arriving."""

    def __init__(self, received: int, cause: BaseException):
        super().__init__(str(cause))
        self.received = received
        self.cause = cause


@dataclass(frozen=True)
class Host:
    """One endpoint: ``url`` has no userinfo (safe to print)."""

    url: str
    username: str | None = None
    password: str | None = None

    @property
    def label(self) -> str:
        """``host:port`` as Elasticsearch's transport errors name a node."""
        parts = urlsplit(self.url)
        return parts.netloc or self.url


def parse_host(text: str) -> Host:
    """A configured host (``https://u:p@es:9200``, ``es:9200``, ``es``) as a URL
    without userinfo plus the credentials it carried."""
    raw = text.strip()
    has_scheme = "://" in raw
    parts = urlsplit(raw if has_scheme else "http://" + raw)
    hostname = parts.hostname or ""
    if ":" in hostname:  # an IPv6 literal
        hostname = f"[{hostname}]"
    # A bare name is Elasticsearch's port; a URL without one, its scheme's.
    default = (443 if parts.scheme == "https" else 80) if has_scheme else 9200
    netloc = f"{hostname}:{parts.port or default}"
    path = parts.path.rstrip("/")
    url = urlunsplit((parts.scheme, netloc, path, "", ""))
    username = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password else None
    return Host(url, username, password)


class HttpClient:
    """A session to one cluster. ``request`` tries the hosts in order, moving on
    when a host cannot be connected to, and remembers the one that answered."""

    def __init__(self, spec: ClusterSpec):
        self.alias = spec.alias
        self.timeout = float(spec.timeout)
        self.hosts = [parse_host(h) for h in spec.hosts]
        if not self.hosts:
            raise ClusterUnavailableError(
                f"no hosts configured for cluster [{spec.alias}]", alias=spec.alias
            )
        self.auth_kind, header, self._secrets = _auth(spec, self.hosts)
        self._auth_header = header
        self._verify: str | bool = str(spec.ca_certs) if spec.ca_certs else bool(spec.verify_certs)
        self._session: requests.Session | None = None
        self._session_lock = threading.Lock()
        self._current = 0

    @property
    def session(self) -> requests.Session:
        """The ``requests.Session``, made on first use (importing requests then)."""
        with self._session_lock:  # the metadata and query steps may race to it
            if self._session is None:
                self._session = _new_session(self._auth_header, self._verify)
            return self._session

    @property
    def host(self) -> Host:
        """The host that answered last (the first one before any answer)."""
        return self.hosts[self._current]

    # --- requests -------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        body: Any = None,
        read_timeout: float | None = None,
        on_headers: Callable[[requests.Response], None] | None = None,
    ) -> Answer:
        """Send one request and read the whole answer. ``on_headers`` sees the
        response as soon as its headers arrived (before the body is read)."""
        import requests

        data = json.dumps(body).encode() if body is not None else None
        timeout = (min(self.timeout, _MAX_CONNECT), read_timeout or self.timeout)
        last: BaseException | None = None
        for attempt in range(len(self.hosts)):
            index = (self._current + attempt) % len(self.hosts)
            host = self.hosts[index]
            try:
                response = self.send(
                    method, host.url + path, params=params, data=data, timeout=timeout
                )
            except requests.exceptions.ConnectionError as err:
                if _is_connect_failure(err):
                    last = err
                    continue  # this host cannot be reached: try the next one
                raise self.unavailable(host, err, timeout[1]) from None
            except requests.exceptions.RequestException as err:
                raise self.unavailable(host, err, timeout[1]) from None
            self._current = index
            return self._read(host, response, on_headers, timeout[1])
        assert last is not None
        raise self.unavailable(self.hosts[self._current], last, timeout[1]) from None

    def _read(
        self,
        host: Host,
        response: requests.Response,
        on_headers: Callable[[requests.Response], None] | None,
        read_timeout: float,
    ) -> Answer:
        try:
            if on_headers is not None:
                on_headers(response)
            body = read_body(response)
        except BodyDropped as dropped:
            raise self.unavailable(
                host, dropped.cause, read_timeout, received=dropped.received
            ) from None
        finally:
            response.close()
        return Answer(
            response.status_code,
            response.headers,
            body,
            warning_headers(response),
            response.reason or "",
        )

    def quiet(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        timeout: float = CLEANUP_TIMEOUT,
    ) -> None:
        """A best-effort call (clean-up): short timeouts, every failure ignored."""
        import requests

        host = self.hosts[self._current]
        try:
            response = self.send(
                method,
                host.url + path,
                params=params,
                timeout=(min(timeout, self.timeout), timeout),
            )
            response.close()
        except requests.exceptions.RequestException:
            pass

    def send(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        data: bytes | None = None,
        timeout: tuple[float, float],
    ) -> requests.Response:
        """One request through the session's connection pool, the body left to
        stream. Prepared here rather than by ``Session.request``, which merges
        the session's settings (cookies, environment, hooks, auth) into every
        call and costs twice what sending does: this client has no per-call
        settings, follows no redirects (Elasticsearch sends none) and keeps no
        cookies. Raises ``requests`` exceptions, as ``Session.request`` does."""
        import requests
        from requests.hooks import default_hooks
        from requests.structures import CaseInsensitiveDict

        session = self.session
        if params:
            url += "?" + urlencode(params)
        if not url.isascii():  # an international host name: let requests encode it
            return session.request(
                method, url, data=data, timeout=timeout, stream=True, allow_redirects=False
            )
        prepared = requests.PreparedRequest()
        prepared.method = method
        prepared.url = url
        prepared.headers = CaseInsensitiveDict(cast(Mapping[str, str], session.headers))
        if data is not None or method not in ("GET", "HEAD"):
            prepared.headers["Content-Length"] = str(len(data or b""))
        prepared.body = data
        prepared.hooks = default_hooks()
        adapter = session.get_adapter(url)
        return adapter.send(
            prepared, stream=True, timeout=timeout, verify=self._verify, cert=None, proxies={}
        )

    def close(self) -> None:
        with self._session_lock:
            if self._session is not None:
                self._session.close()

    # --- errors ---------------------------------------------------------------

    def scrub(self, text: str) -> str:
        """``text`` without any configured secret or URL userinfo."""
        text = re.sub(r"(\w+://)[^/@\s]+@", r"\1", text)
        for secret in self._secrets:
            if secret:
                text = text.replace(secret, "***")
        return text

    def unavailable(
        self, host: Host, err: BaseException, read_timeout: float, *, received: int = 0
    ) -> ClusterUnavailableError:
        reason = self.scrub(describe_failure(host, err, read_timeout, received))
        return ClusterUnavailableError(reason, alias=self.alias, data_received=received > 0)

    def remote_error(self, answer: Answer, *, data_received: bool = False) -> RemoteError:
        """The error an error answer stands for."""
        body = answer.json()
        error = body.get("error") if isinstance(body, dict) else None
        if isinstance(error, dict) and isinstance(error.get("type"), str):
            status = body.get("status") if isinstance(body.get("status"), int) else answer.status
            return RemoteError(
                self.scrub(str(error.get("reason", ""))),
                alias=self.alias,
                type=str(error["type"]),
                status=int(status),
                data_received=data_received,
            )
        if isinstance(error, str):  # very old clusters answer {"error": "text"}
            return RemoteError(
                self.scrub(error),
                alias=self.alias,
                type="status_exception",
                status=answer.status,
                data_received=data_received,
            )
        return RemoteError(
            self.scrub(status_reason(answer)),
            alias=self.alias,
            type="status_exception",
            status=answer.status,
            data_received=data_received,
        )


def status_reason(answer: Answer) -> str:
    """What a non-Elasticsearch error answer says: its status line and the start of
    its body."""
    phrase = answer.reason or _REASONS.get(answer.status, "")
    text = f"status line [{answer.status}{' ' + phrase if phrase else ''}]"
    snippet = answer.body[:200].decode("utf-8", "replace").strip()
    return f"{text}: {snippet}" if snippet else text


_REASONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    406: "Not Acceptable",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


def read_body(response: requests.Response) -> bytes:
    """The whole body; ``BodyDropped`` (with the bytes received so far) when the
    connection ends early."""
    import requests
    import urllib3

    parts: list[bytes] = []
    received = 0
    try:
        for chunk in response.iter_content(_CHUNK):
            parts.append(chunk)
            received += len(chunk)
    except (
        requests.exceptions.ChunkedEncodingError,
        requests.exceptions.ConnectionError,
        requests.exceptions.Timeout,
        urllib3.exceptions.HTTPError,
        OSError,
    ) as err:
        # The chunk being read when the connection ended is not handed out, but it
        # arrived: urllib3 counts every byte it read.
        raw_count = getattr(response.raw, "tell", lambda: 0)()
        raise BodyDropped(max(received, int(raw_count or 0)), err) from None
    return b"".join(parts)


# --- failures as text ------------------------------------------------------------


def _is_connect_failure(err: requests.exceptions.ConnectionError) -> bool:
    """True when nothing was sent: the host refused, is unknown or unroutable, so
    trying another host is safe. TLS failures are not (another host would fail too)."""
    import requests
    import urllib3

    if isinstance(err, requests.exceptions.SSLError | requests.exceptions.ReadTimeout):
        return False
    if isinstance(err, requests.exceptions.ConnectTimeout):
        return True
    return any(
        isinstance(
            c, urllib3.exceptions.NewConnectionError | ConnectionRefusedError | socket.gaierror
        )
        for c in _causes(err)
    )


def describe_failure(host: Host, err: BaseException, read_timeout: float, received: int) -> str:
    """Elasticsearch-like text for a transport failure, naming the node as
    ``[host:port]``."""
    import ssl

    import requests
    import urllib3

    where = f"[{host.label}]"
    causes = list(_causes(err))
    if received:
        return f"{where} connection closed after [{received}] bytes of the response"
    if any(isinstance(c, ssl.SSLCertVerificationError) for c in causes):
        detail = next(c for c in causes if isinstance(c, ssl.SSLCertVerificationError))
        return (
            f"{where} TLS handshake failed: {detail.verify_message or 'certificate verify failed'}"
        )
    if isinstance(err, requests.exceptions.SSLError) or any(
        isinstance(c, ssl.SSLError) for c in causes
    ):
        return f"{where} TLS handshake failed"
    if isinstance(err, requests.exceptions.ConnectTimeout):
        return f"{where} connect_timeout[{_seconds(min(read_timeout, _MAX_CONNECT))}]"
    if isinstance(err, requests.exceptions.ReadTimeout) or any(
        isinstance(c, TimeoutError | socket.timeout | urllib3.exceptions.ReadTimeoutError)
        for c in causes
    ):
        return f"{where} request timed out after [{_seconds(read_timeout)}]"
    if any(isinstance(c, socket.gaierror) for c in causes):
        return f"{where} connect_exception: unknown host"
    if any(isinstance(c, ConnectionRefusedError) for c in causes):
        return f"{where} connect_exception: Connection refused"
    if any(isinstance(c, urllib3.exceptions.NewConnectionError) for c in causes):
        return f"{where} connect_exception"
    return f"{where} connection closed before a response arrived"


def _seconds(value: float) -> str:
    return f"{round(value, 3):g}s"


def _causes(err: BaseException) -> Iterable[BaseException]:
    """``err`` and everything it wraps (args, __cause__, __context__, urllib3's
    ``reason``), each once."""
    seen: set[int] = set()
    stack = [err]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        for nxt in (current.__cause__, current.__context__, getattr(current, "reason", None)):
            if isinstance(nxt, BaseException):
                stack.append(nxt)
        stack.extend(a for a in current.args if isinstance(a, BaseException))


# --- auth ------------------------------------------------------------------------


def _new_session(auth_header: str | None, verify: str | bool) -> requests.Session:
    import requests

    session = requests.Session()
    session.headers.update(
        {
            "Accept": "application/json",
            "Content-Type": "application/json",
            "User-Agent": f"esqlsh/{__version__}",
        }
    )
    if auth_header:
        session.headers["Authorization"] = auth_header
    session.verify = verify
    session.trust_env = False  # no proxies or .netrc credentials from the environment
    return session


def _auth(spec: ClusterSpec, hosts: list[Host]) -> tuple[str, str | None, list[str]]:
    """(kind for ``describe``, the Authorization header, the secrets to scrub)."""
    if spec.api_key is not None:
        key = spec.api_key.reveal()
        # ``id:api_key`` is encoded as Elasticsearch expects; an encoded key never has ":".
        encoded = base64.b64encode(key.encode()).decode() if ":" in key else key
        return "api_key", f"ApiKey {encoded}", [key, encoded]
    if spec.bearer is not None:
        token = spec.bearer.reveal()
        return "bearer", f"Bearer {token}", [token]
    username, password = spec.username, spec.password.reveal() if spec.password else None
    if username is None:
        embedded = next((h for h in hosts if h.username), None)
        if embedded is not None:
            username, password = embedded.username, embedded.password
    if username is not None:
        pair = base64.b64encode(f"{username}:{password or ''}".encode()).decode()
        return "basic", f"Basic {pair}", [p for p in (password, pair) if p]
    return "none", None, []


# --- Warning headers -------------------------------------------------------------

# ``299 Elasticsearch-9.1.0-abc "text"`` optionally followed by ` "date"`.
_WARNING = re.compile(r'\d{3} \S+ "((?:[^"\\]|\\.)*)"(?: "[^"]*")?')


def warning_headers(response: requests.Response) -> list[str]:
    """The texts of the ``Warning`` headers, in order, decoded."""
    raw = getattr(response.raw, "headers", None)
    values: list[str]
    if raw is not None and hasattr(raw, "getlist"):
        values = list(raw.getlist("Warning"))
    else:
        joined = response.headers.get("Warning")
        values = [joined] if joined else []
    out: list[str] = []
    for value in values:
        out.extend(parse_warnings(value))
    return out


def parse_warnings(value: str) -> list[str]:
    """Every warning text in one header value (several may be comma-joined):
    backslash escapes undone, then percent-encoding (Elasticsearch's
    ``HeaderWarning.escapeAndEncode`` in reverse)."""
    return [unquote(_unescape(m.group(1))) for m in _WARNING.finditer(value)]


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def path_of(*segments: str) -> str:
    """A URL path from segments, each percent-encoded but for ``,`` ``*`` ``:``
    (date math such as ``<logs-{now/d}>`` is sent encoded, as Elasticsearch wants)."""
    return "/" + "/".join(quote(s, safe=",*:") for s in segments)


def deadline_left(deadline: float) -> float:
    return deadline - time.monotonic()


__all__ = [
    "CLEANUP_TIMEOUT",
    "Answer",
    "BodyDropped",
    "Host",
    "HttpClient",
    "deadline_left",
    "describe_failure",
    "parse_host",
    "parse_warnings",
    "path_of",
    "read_body",
    "status_reason",
    "warning_headers",
]
