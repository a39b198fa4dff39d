"""Async queries (``POST /_query/async`` and ``/_query/async/{id}``): queries run in
a thread pool; the store keeps the ones still running or asked to be kept, until
their ``keep_alive`` runs out or they are deleted.

Ids are encoded as Elasticsearch's ``AsyncExecutionId``: URL-safe base64 of two
length-prefixed strings (a document id and a task id ``node:number``), so a
malformed id is ``invalid id: [<id>]`` (400) and a well-formed unknown one
``resource_not_found_exception`` with the id as reason (404), as Elasticsearch
answers. The engine cannot interrupt a running query: ``stop`` waits for it and
answers the complete result (``is_partial: false``), ``delete`` forgets it and
lets the thread finish on its own.

All methods run on the event loop's thread; only the futures cross threads.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import re
import secrets
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from itertools import count
from typing import TYPE_CHECKING

from esqlsh.server import errors

if TYPE_CHECKING:
    from esqlsh.engine.result import Result

_TASK_ID = re.compile(r"[^:]+:-?\d+")


@dataclass
class AsyncQuery:
    """One submitted query. ``columnar`` and ``profile`` are the submit request's:
    later GETs answer in the same shape."""

    id: str
    future: Future[Result]
    started: float
    expires: float
    columnar: bool = False
    profile: bool = False
    cancel: threading.Event = field(default_factory=threading.Event)

    @property
    def done(self) -> bool:
        return self.future.done()

    def elapsed_ms(self) -> int:
        return int((time.monotonic() - self.started) * 1000)

    async def wait(self, timeout: float | None) -> bool:
        """Wait up to ``timeout`` seconds (None: until done); True when done."""
        if self.future.done():
            return True
        if timeout is not None and timeout <= 0:
            return False
        waiter = asyncio.wrap_future(self.future)
        done, _ = await asyncio.wait([waiter], timeout=timeout)
        return bool(done)


class AsyncQueries:
    """The async queries of one node."""

    def __init__(self, executor: Executor, node_id: str):
        self._executor = executor
        self._node_id = node_id
        self._tasks = count(1)
        self._queries: dict[str, AsyncQuery] = {}

    def submit(
        self,
        job: Callable[[], Result],
        *,
        keep_alive: float | None,
        columnar: bool = False,
        profile: bool = False,
    ) -> AsyncQuery:
        """Start ``job``; the query is not stored until ``keep`` is called."""
        now = time.monotonic()
        expires = now + keep_alive if keep_alive is not None else float("inf")
        query_id = self._new_id()
        future = self._executor.submit(job)
        return AsyncQuery(query_id, future, now, expires, columnar=columnar, profile=profile)

    def keep(self, query: AsyncQuery) -> None:
        self._purge()
        self._queries[query.id] = query

    def get(self, query_id: str, *, keep_alive: float | None = None) -> AsyncQuery:
        """The query (its expiry pushed to ``keep_alive`` from now when given)."""
        decode_id(query_id)
        self._purge()
        query = self._queries.get(query_id)
        if query is None:
            raise errors.resource_not_found(query_id)
        if keep_alive is not None:
            query.expires = time.monotonic() + keep_alive
        return query

    def delete(self, query_id: str) -> None:
        query = self.get(query_id)
        query.cancel.set()
        query.future.cancel()  # only a query still queued is really cancelled
        del self._queries[query_id]

    def clear(self) -> None:
        for query in self._queries.values():
            query.cancel.set()
            query.future.cancel()
        self._queries.clear()

    def __len__(self) -> int:
        return len(self._queries)

    def _purge(self) -> None:
        now = time.monotonic()
        for query_id in [q.id for q in self._queries.values() if q.expires < now]:
            stale = self._queries.pop(query_id)
            stale.cancel.set()
            stale.future.cancel()

    def _new_id(self) -> str:
        doc_id = base64.urlsafe_b64encode(secrets.token_bytes(16)).decode().rstrip("=")
        return encode_id(doc_id, f"{self._node_id}:{next(self._tasks)}")


# ------------------------------------------------------------------ ids


def encode_id(doc_id: str, task_id: str) -> str:
    """``AsyncExecutionId.encode``: base64url of ``writeString(doc)`` +
    ``writeString(task)``."""
    return base64.urlsafe_b64encode(_write_string(doc_id) + _write_string(task_id)).decode()


def decode_id(query_id: str) -> tuple[str, str]:
    """``AsyncExecutionId.decode``; raises ``invalid id: [<id>]`` (400)."""
    invalid = errors.illegal_argument(f"invalid id: [{query_id}]")
    try:
        data = base64.urlsafe_b64decode(_padded(query_id).encode("ascii"))
        doc_id, rest = _read_string(data)
        task_id, rest = _read_string(rest)
    except (binascii.Error, ValueError, UnicodeError, IndexError):
        raise invalid from None
    if rest:
        raise invalid
    if not _TASK_ID.fullmatch(task_id):
        raise errors.illegal_argument(f"malformed task id {task_id}")
    return doc_id, task_id


def _padded(text: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9_\-]*={0,2}", text):
        raise ValueError("not base64url")
    stripped = text.rstrip("=")
    return stripped + "=" * (-len(stripped) % 4)


def _write_string(text: str) -> bytes:
    data = text.encode("utf-8")
    return _vint(len(text)) + data


def _vint(value: int) -> bytes:
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _read_string(data: bytes) -> tuple[str, bytes]:
    """``StreamInput.readString``: a vint count of characters, then UTF-8."""
    length, shift, pos = 0, 0, 0
    while True:
        byte = data[pos]
        pos += 1
        length |= (byte & 0x7F) << shift
        if byte < 0x80:
            break
        shift += 7
        if shift > 28:
            raise ValueError("vint too long")
    # Characters, not bytes: decode greedily and count.
    text = data[pos:].decode("utf-8", "ignore")[:length]
    if len(text) != length:
        raise ValueError("string shorter than its length")
    used = len(text.encode("utf-8"))
    if data[pos : pos + used].decode("utf-8") != text:
        raise ValueError("not UTF-8")
    return text, data[pos + used :]
