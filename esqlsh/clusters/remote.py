"""A cluster reached over Elasticsearch's REST API: the ``Cluster`` of a config
entry with ``type: elasticsearch`` (``clusters/registry.py``).

``catalog()`` is a ``RemoteCatalog`` (``remote_catalog.py``); making one reads the
enrich policies at once, so an unreachable or refusing cluster fails there, in the
coordinator's concurrent metadata step. ``run()`` prints the fragment to ES|QL
and sends it as an async query::

    POST /_query/async?format=arrow   {query, wait_for_completion_timeout: 1s,
                                       keep_alive: 1m, keep_on_completion: false}
    GET  /_query/async/{id}?wait_for_completion_timeout=1s     while it runs
    POST /_query/async/{id}/stop, DELETE /_query/async/{id}    on cancel / timeout

so that a Ctrl-C or a coordinator giving up leaves nothing running on the
cluster. The requests run on a worker thread: the caller returns as soon as
``cancel`` is set or the cluster's ``timeout`` passes, and whichever of the two
threads learns the async id last deletes the query. Arrow is asked for first;
an answer saying the format cannot carry the result (406, or a 400 naming Arrow)
is asked again as JSON. The answer becomes physical columns in
``remote_frames.py``; HTTP and its failures live in ``remote_http.py``.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import CancelledError
from typing import TYPE_CHECKING, Any

from esqlsh.clusters.registry import FragmentResult
from esqlsh.clusters.remote_catalog import RemoteCatalog
from esqlsh.clusters.remote_http import Answer, HttpClient, path_of
from esqlsh.errors import ClusterUnavailableError
from esqlsh.plan.logical import Attribute
from esqlsh.syntax import ast

if TYPE_CHECKING:
    from esqlsh.clusters.config import ClusterSpec
    from esqlsh.clusters.remote_frames import Table
    from esqlsh.plan.split import Fragment

KIND = "elasticsearch"
# The row cap a fragment that needs no limit is sent with (Elasticsearch's maximum).
UNBOUNDED_LIMIT = 10000
WAIT_FOR_COMPLETION = 1.0  # seconds each request waits for the query to finish
KEEP_ALIVE = "1m"
_ASYNC_ID = "X-Elasticsearch-Async-Id"
_ASYNC_RUNNING = "X-Elasticsearch-Async-Is-Running"
_TOOK_NANOS = "Took-nanos"
# The worker's read timeout runs this much past the caller's deadline.
_READ_SLACK = 1.0
# ``stop`` may wait for what the query has so far; never long.
_STOP_TIMEOUT = 1.0
# How often the caller looks at ``cancel`` and the deadline while the worker waits.
_TICK = 0.05


class ElasticsearchCluster:
    """A ``Cluster`` behind Elasticsearch's REST API (one ``requests.Session``)."""

    kind = KIND

    def __init__(self, spec: ClusterSpec):
        self.spec = spec
        self.alias = spec.alias
        self.skip_unavailable = spec.skip_unavailable
        self.timeout = float(spec.timeout)
        self._http = HttpClient(spec)
        self._format = "arrow"
        self._catalog: RemoteCatalog | None = None

    def __repr__(self) -> str:
        return f"ElasticsearchCluster({self.alias!r}, {self.describe()!r})"

    # --- Cluster ---------------------------------------------------------------

    def catalog(self) -> RemoteCatalog:
        """A new catalog (fresh metadata); its policies are read now."""
        catalog = RemoteCatalog(self._http, self.alias)
        catalog.policies()
        self._catalog = catalog
        return catalog

    def catalog_for(self, expression: str, *, policies: bool) -> RemoteCatalog:
        """A new catalog with what a query over ``expression`` needs fetched now:
        the expression resolved and its indices' fields (and the policies when
        asked for, or when there is no expression to resolve: some request must
        show the cluster is there). The coordinator calls this on each cluster's
        own thread, so every round trip of the metadata step runs concurrently
        across clusters instead of one cluster after another during analysis."""
        catalog = RemoteCatalog(self._http, self.alias)
        if policies or not expression:
            catalog.policies()
        if expression:
            catalog.prefetch(expression)
        self._catalog = catalog
        return catalog

    def run(self, fragment: Fragment, cancel: threading.Event) -> FragmentResult:
        query = self._drive(self.request_body(fragment), self._format, cancel)
        if query.format_unsupported:
            self._format = "json"  # the cluster has no Arrow: ask in JSON from now on
        answer = query.outcome()
        table = query.table(answer)
        return FragmentResult(
            columns=tuple(Attribute(name, t) for name, t in table.columns),
            frame=table.frame,
            warnings=list(dict.fromkeys(query.warnings)),
            took_ms=_took_ms(answer, query.elapsed_ms),
            shards=self._shards(fragment, answer),
            bytes_received=query.bytes_received,
        )

    def run_query_passthrough(
        self, text: str, params: Any, cancel: threading.Event
    ) -> tuple[dict[str, Any], list[str]]:
        """The whole query sent as it is (``--server-side``), with
        ``include_ccs_metadata``: the JSON answer (row values) and its warnings."""
        body = self._async_body(text, params)
        body["include_ccs_metadata"] = True
        query = self._drive(body, "json", cancel, columnar=False)
        answer = query.outcome()
        parsed = answer.json()
        if not isinstance(parsed, dict):
            raise ClusterUnavailableError(
                self._http.scrub(f"[{self._http.host.label}] unreadable JSON answer"),
                alias=self.alias,
                data_received=bool(answer.body),
            )
        return parsed, list(dict.fromkeys(query.warnings))

    def describe(self) -> str:
        """``http://es1:9200, http://es2:9200 (api_key)``: no credentials."""
        hosts = ", ".join(h.url for h in self._http.hosts)
        return f"{hosts} ({self._http.auth_kind})"

    def close(self) -> None:
        self._http.close()

    # --- helpers ---------------------------------------------------------------

    def request_body(self, fragment: Fragment) -> dict[str, Any]:
        """The ``POST /_query/async`` body of a fragment."""
        text = fragment.text()
        if fragment.unbounded:
            text += f"\n| LIMIT {UNBOUNDED_LIMIT}"
        return self._async_body(text, getattr(fragment, "params", None))

    def _async_body(self, text: str, params: Any) -> dict[str, Any]:
        body: dict[str, Any] = {
            "query": text,
            "wait_for_completion_timeout": f"{int(WAIT_FOR_COMPLETION * 1000)}ms",
            "keep_alive": KEEP_ALIVE,
            "keep_on_completion": False,
        }
        if params:
            body["params"] = _params(params)
        return body

    def _drive(
        self, body: dict[str, Any], fmt: str, cancel: threading.Event, *, columnar: bool = True
    ) -> AsyncQuery:
        """Run the async query on a worker until it ends, ``cancel`` is set
        (``CancelledError``) or the cluster's timeout passes (unavailable)."""
        if cancel.is_set():
            raise CancelledError()
        deadline = time.monotonic() + self.timeout
        query = AsyncQuery(self._http, body, fmt, deadline, columnar=columnar)
        from esqlsh.clusters.workers import WORKERS

        WORKERS.submit(query.run, f"esqlsh-{self.alias}")
        while not query.finished.wait(_TICK):
            if cancel.is_set():
                query.abandon()
                raise CancelledError()
            if time.monotonic() >= deadline:
                # Not waiting for the clean-up: the timeout is the cluster's budget.
                query.abandon(wait=False)
                raise ClusterUnavailableError(
                    f"[{self._http.host.label}] query timed out after [{self.timeout:g}s]",
                    alias=self.alias,
                    data_received=False,  # what came so far said "still running"
                )
        return query

    def _shards(self, fragment: Fragment, answer: Answer) -> dict[str, int]:
        """The cluster's ``_shards``: from its own ``_clusters`` when the answer has
        one, else one per concrete index the catalog resolved for the fragment."""
        body = answer.json() if answer.content_type.endswith("json") else None
        details = body.get("_clusters", {}).get("details", {}) if isinstance(body, dict) else {}
        own = details.get("(local)", {}).get("_shards") if isinstance(details, dict) else None
        if isinstance(own, dict):
            return {k: int(own.get(k, 0)) for k in ("total", "successful", "skipped", "failed")}
        count = 1
        expression = _from_expression(fragment.query)
        if self._catalog is not None and expression is not None:
            names = self._catalog.cached(expression)
            count = len(names) if names is not None else 1
        return {"total": count, "successful": count, "skipped": 0, "failed": 0}


class AsyncQuery:
    """One async ES|QL query, driven on a worker thread; ``abandon`` (from the
    caller) makes sure it is stopped and deleted on the cluster."""

    def __init__(
        self,
        http: HttpClient,
        body: dict[str, Any],
        fmt: str,
        deadline: float,
        *,
        columnar: bool = True,
    ):
        self.http = http
        self.body = body
        self.format = fmt
        self.columnar = columnar  # JSON values by column (fragments) or by row
        self.deadline = deadline
        self.started = time.monotonic()
        self.finished = threading.Event()
        self.bytes_received = 0
        self.warnings: list[str] = []
        self.format_unsupported = False
        self.elapsed_ms = 0
        self._id: str | None = None
        self._lock = threading.Lock()
        self._abandoned = False
        self._cleaned = False
        self._outcome: Answer | None = None
        self._error: BaseException | None = None

    # --- the caller's side -----------------------------------------------------

    def outcome(self) -> Answer:
        """The final answer (the query done, its result in the body)."""
        if self._error is not None:
            raise self._error
        assert self._outcome is not None
        return self._outcome

    def abandon(self, *, wait: bool = True) -> None:
        """Stop waiting; stop and delete the query on the cluster if it has an id
        (else the worker does when it learns one). ``wait=False`` does it on a
        thread of its own (not a daemon: the process lets it finish first)."""
        with self._lock:
            self._abandoned = True
        if wait:
            self._clean_up()
        else:
            threading.Thread(target=self._clean_up, name="esqlsh-async-cleanup").start()

    # --- the worker's side -----------------------------------------------------

    def run(self) -> None:
        try:
            self._outcome = self._execute()
        except BaseException as err:  # handed to the caller by outcome()
            self._error = err
        finally:
            self.elapsed_ms = int((time.monotonic() - self.started) * 1000)
            self.finished.set()
            if self._abandoned:
                self._clean_up()

    def _execute(self) -> Answer:
        answer = self._submit(self.format)
        if self.format == "arrow" and _arrow_refused(answer):
            self.format_unsupported = answer.status == 406
            self.format = "json"
            answer = self._submit("json")
        while True:
            if not answer.ok:
                raise self.http.remote_error(answer)
            if self._abandoned:
                raise CancelledError()
            if not _is_running(answer):
                break
            answer = self._poll()
        if self._id is not None:
            # Finished after a poll: the result is stored until keep_alive; free it.
            self.http.quiet("DELETE", path_of("_query", "async", self._id))
            self._cleaned = True
        return answer

    def _submit(self, fmt: str) -> Answer:
        return self._send("POST", "/_query/async", body=self._body(fmt), params={"format": fmt})

    def _poll(self) -> Answer:
        assert self._id is not None
        path = path_of("_query", "async", self._id)
        answer = self._send("GET", path, params=self._poll_params(self.format))
        if self.format == "arrow" and _arrow_refused(answer):
            self.format = "json"
            answer = self._send("GET", path, params=self._poll_params("json"))
        return answer

    def _send(
        self,
        method: str,
        path: str,
        *,
        body: dict[str, Any] | None = None,
        params: dict[str, str] | None = None,
    ) -> Answer:
        left = max(self.deadline - time.monotonic(), 0.1)
        # The caller enforces the deadline; the read timeout (a little later, so the
        # caller's timeout is the one reported) bounds the worker once nobody waits.
        answer = self.http.request(
            method,
            path,
            params=params,
            body=body,
            read_timeout=left + WAIT_FOR_COMPLETION + _READ_SLACK,
            on_headers=self._note_headers,
        )
        self.bytes_received += len(answer.body)
        self.warnings.extend(answer.warnings)
        self._note_id(_async_id(answer))
        return answer

    def _note_headers(self, response: Any) -> None:
        # The id arrives in a header before the body: learn it early, so a
        # connection dropped mid-body still lets the query be deleted.
        self._note_id(response.headers.get(_ASYNC_ID))

    def _note_id(self, async_id: str | None) -> None:
        if async_id and self._id is None:
            with self._lock:
                self._id = async_id

    def _body(self, fmt: str) -> dict[str, Any]:
        if fmt == "json" and self.columnar:
            return {**self.body, "columnar": True}
        return dict(self.body)

    def _poll_params(self, fmt: str) -> dict[str, str]:
        left_ms = int(max(self.deadline - time.monotonic(), 0.1) * 1000)
        wait = min(int(WAIT_FOR_COMPLETION * 1000), left_ms)
        return {"format": fmt, "wait_for_completion_timeout": f"{wait}ms"}

    def table(self, answer: Answer) -> Table:
        """The final answer's result as physical columns."""
        # Imported here: reading answers needs pyarrow, a query that reaches no
        # remote cluster does not.
        from esqlsh.clusters.remote_frames import UnreadableAnswer, from_arrow, from_json

        try:
            if answer.content_type.endswith("json"):
                # Columnar only when asked for: a server ignoring format=arrow answers rows.
                asked = self.columnar and self.format == "json"
                return from_json(answer.json(), columnar=asked)
            return from_arrow(answer.body)
        except UnreadableAnswer as err:
            raise ClusterUnavailableError(
                self.http.scrub(f"[{self.http.host.label}] {err}"),
                alias=self.http.alias,
                data_received=bool(answer.body),
            ) from None

    def _clean_up(self) -> None:
        with self._lock:
            if self._cleaned or self._id is None:
                return
            self._cleaned = True
            async_id = self._id
        # stop ends the query (its partial result is not wanted); DELETE frees it, and
        # cancels it too where stop could not be answered in time.
        self.http.quiet("POST", path_of("_query", "async", async_id, "stop"), timeout=_STOP_TIMEOUT)
        self.http.quiet("DELETE", path_of("_query", "async", async_id))


# --- answers ----------------------------------------------------------------------


def _async_id(answer: Answer) -> str | None:
    header = answer.headers.get(_ASYNC_ID)
    if header:
        return header
    if answer.content_type.endswith("json"):
        body = answer.json()
        if isinstance(body, dict) and isinstance(body.get("id"), str):
            return str(body["id"])
    return None


def _is_running(answer: Answer) -> bool:
    header = answer.headers.get(_ASYNC_RUNNING)
    if header is not None:
        return header.strip().lower() in ("?1", "true", "1")
    if answer.content_type.endswith("json"):
        body = answer.json()
        return isinstance(body, dict) and bool(body.get("is_running"))
    return False


def _arrow_refused(answer: Answer) -> bool:
    """The cluster cannot give this result (or any result) as Arrow."""
    if answer.status == 406:
        return True
    if answer.status != 400:
        return False
    body = answer.json()
    error = body.get("error") if isinstance(body, dict) else None
    reason = str(error.get("reason", "")) if isinstance(error, dict) else ""
    return "arrow" in reason.lower()


def _took_ms(answer: Answer, elapsed_ms: int) -> int:
    if answer.content_type.endswith("json"):
        body = answer.json()
        if isinstance(body, dict) and isinstance(body.get("took"), int):
            return int(body["took"])
    nanos = answer.headers.get(_TOOK_NANOS)
    if nanos and nanos.isdigit():
        return int(nanos) // 1_000_000
    return elapsed_ms


def _from_expression(query: ast.Query) -> str | None:
    """The index expression of the fragment's FROM (what the catalog resolved)."""
    first = query.commands[0] if query.commands else None
    if not isinstance(first, ast.From):
        return None
    # As patterns.catalog_expression: ``::data`` is a plain name, other selectors match nothing.
    return ",".join(p.index for p in first.patterns if not p.selector or p.selector == "data")


def _params(params: Any) -> list[Any]:
    """Params as the request body takes them: positional values, or one
    ``{name: value}`` object per named param."""
    if isinstance(params, dict):
        return [{str(k): v} for k, v in params.items()]
    return list(params)


__all__ = ["KIND", "UNBOUNDED_LIMIT", "AsyncQuery", "ElasticsearchCluster"]
