"""``run_specs.py --via-http``: every test's query through a served node.

One ``esqlsh serve`` node (``tests/servers.py: start_node``) serves the fixture
cluster for the whole run; each query goes to ``POST {url}/_query?format=json``
over one ``requests.Session``. The answer is read back the way Elasticsearch's
REST harness reads it — ``columns``/``values`` of the JSON body, the warnings
from the ``Warning: 299 Elasticsearch-… "text"`` headers (unescaped and
percent-decoded, ``HeaderWarning``'s encoding undone) and ``is_partial`` — and
judged by the same comparator as in process. An error body becomes the
``EsqlError`` it describes (``parsing_exception`` → ``ParsingError`` …), so a
failure is classified exactly as in process.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from esqlsh.errors import EsqlError, ParsingError, Problem, VerificationError
from tests.conformance.compare import Comparison, compare_values
from tests.conformance.csvspec import SpecTest


@dataclass
class Answer:
    """A ``_query`` answer in the comparator's terms."""

    names: list[str]
    types: list[str]
    values: list[list[Any]]
    warnings: list[str] = field(default_factory=list)
    partial: bool = False


# ------------------------------------------------------------------- warnings

# One warn-value of RFC 7234: code, agent, quoted text, optional quoted date.
_WARNING = re.compile(r'\s*299\s+\S+\s+"((?:[^"\\]|\\.)*)"(?:\s+"[^"]*")?\s*(?:,|$)')
_ESCAPED = re.compile(r"\\(.)")


def decode_warning_text(text: str) -> str:
    """The message of a header's quoted text: ``HeaderWarning.escapeAndEncode``
    escapes ``\\`` and ``"`` first, then percent-encodes; undo both in reverse."""
    decoded = urllib.parse.unquote(text, encoding="utf-8", errors="surrogatepass")
    return _ESCAPED.sub(r"\1", decoded)


def parse_warning_headers(values: Iterable[str]) -> list[str]:
    """The messages of ``Warning`` header values (one per header, or several
    folded into one comma-separated value)."""
    messages: list[str] = []
    for value in values:
        pos = 0
        while pos < len(value):
            match = _WARNING.match(value, pos)
            if match is None:
                raise ValueError(f"not an Elasticsearch warning header: {value!r}")
            messages.append(decode_warning_text(match.group(1)))
            pos = match.end()
    return messages


def warning_headers(response: requests.Response) -> list[str]:
    """Every ``Warning`` header as sent (requests folds repeated headers into one)."""
    raw = getattr(response.raw, "headers", None)
    if raw is not None and hasattr(raw, "getlist"):
        return list(raw.getlist("Warning"))
    folded = response.headers.get("Warning")
    return [folded] if folded else []


# --------------------------------------------------------------------- errors

_POSITION = re.compile(r"^line (\d+):(\d+): (.*)$", re.DOTALL)
_PROBLEM_HEAD = re.compile(r"^Found \d+ problems?$")


class HttpEsqlError(EsqlError):
    """An error body of a type no local exception class stands for."""

    def __init__(self, type_: str, reason: str, status: int):
        super().__init__(reason)
        self.type = type_
        self.status = status


class NotAnAnswer(Exception):  # noqa: N818 - the node's reply is the subject
    """The node's reply is neither an answer nor an Elasticsearch error body."""


def error_from_body(status: int, body: Any) -> Exception:
    """The exception an Elasticsearch error body describes."""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return NotAnAnswer(f"HTTP {status} without an error object: {str(body)[:200]}")
    kind = str(error.get("type", "exception"))
    reason = str(error.get("reason", ""))
    if kind == "parsing_exception":
        match = _POSITION.match(reason)
        if match:
            return ParsingError(int(match.group(1)), int(match.group(2)), match.group(3))
    if kind == "verification_exception":
        problems = _problems(reason)
        if problems:
            return VerificationError(problems)
    return HttpEsqlError(kind, reason, int(body.get("status", status)))


def _problems(reason: str) -> list[Problem]:
    """``Found N problems\\nline L:C: msg\\n…`` → problems (a message may span lines)."""
    lines = reason.split("\n")
    if not lines or not _PROBLEM_HEAD.match(lines[0]):
        return []
    problems: list[Problem] = []
    for line in lines[1:]:
        match = _POSITION.match(line)
        if match:
            problems.append(Problem(int(match.group(1)), int(match.group(2)), match.group(3)))
        elif problems:
            last = problems[-1]
            problems[-1] = Problem(last.line, last.column, f"{last.message}\n{line}")
        else:
            return []
    return problems


# ------------------------------------------------------------------ answering


def answer_from_response(response: requests.Response) -> Answer:
    """The answer of a ``_query?format=json`` response, or its error raised."""
    try:
        body = response.json()
    except ValueError as err:
        raise NotAnAnswer(
            f"HTTP {response.status_code}, not JSON: {response.text[:200]!r}"
        ) from err
    if response.status_code != 200:
        raise error_from_body(response.status_code, body)
    return answer_from_body(body, parse_warning_headers(warning_headers(response)))


def answer_from_body(body: dict[str, Any], warnings: list[str]) -> Answer:
    columns = body.get("columns") or []
    return Answer(
        names=[c["name"] for c in columns],
        types=[c["type"] for c in columns],
        values=[list(row) for row in body.get("values") or []],
        warnings=warnings,
        partial=bool(body.get("is_partial", False)),
    )


class HttpJudge:
    """Runs tests through a node at ``url``; one session for the whole run."""

    def __init__(self, url: str, timeout: float = 30.0):
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()
        self.session.headers["Content-Type"] = "application/json"

    def query(self, text: str) -> Answer:
        response = self.session.post(
            f"{self.url}/_query",
            params={"format": "json"},
            json={"query": text},
            timeout=self.timeout or None,
        )
        return answer_from_response(response)

    def __call__(self, test: SpecTest) -> Comparison:
        answer = self.query(test.query)
        return compare_values(
            test, answer.names, answer.types, answer.values, answer.warnings, partial=answer.partial
        )

    def close(self) -> None:
        self.session.close()


# ---------------------------------------------------------------------- node


@contextmanager
def served(path: Path) -> Iterator[str]:
    """An ``esqlsh serve`` node over the cluster at ``path``, for the block; yields its URL."""
    from tests.servers import start_node

    node = start_node(path)
    try:
        yield str(node.url)
    finally:
        stop_node(node)


def stop_node(node: Any) -> None:
    """Stop a node from ``start_node`` (whichever of stop/close/terminate it offers)."""
    for name in ("stop", "close", "terminate"):
        method = getattr(node, name, None)
        if callable(method):
            method()
            return
    if hasattr(node, "__exit__"):
        node.__exit__(None, None, None)
