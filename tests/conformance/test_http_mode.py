"""``--via-http`` pieces against a small stand-in node (http.server on 127.0.0.1):
warning headers, error bodies, and a test judged over HTTP as in process."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from esqlsh.errors import ParsingError, Problem, VerificationError
from tests.conformance import run_specs
from tests.conformance.compare import warning_header_text
from tests.conformance.csvspec import read_spec_text
from tests.conformance.http_mode import (
    HttpEsqlError,
    HttpJudge,
    NotAnAnswer,
    decode_warning_text,
    error_from_body,
    parse_warning_headers,
)
from tests.conformance.index_usage import IndexCatalog

TRICKY = 'Line 1:7: evaluation of [TO_INT("a,b")] failed: 50% \\ naïve — ✓'


def header(message: str) -> str:
    return f'299 Elasticsearch-9.1.0-abc "{warning_header_text(message)}"'


def test_warning_text_round_trips_elasticsearch_encoding() -> None:
    assert decode_warning_text(warning_header_text(TRICKY)) == TRICKY


def test_warning_headers_one_per_header_or_folded() -> None:
    first, second = header(TRICKY), header("plain, with a comma")
    assert parse_warning_headers([first, second]) == [TRICKY, "plain, with a comma"]
    assert parse_warning_headers([f"{first}, {second}"]) == [TRICKY, "plain, with a comma"]
    dated = first + ' "Tue, 04 Dec 2024 10:00:00 GMT"'
    assert parse_warning_headers([dated]) == [TRICKY]
    with pytest.raises(ValueError):
        parse_warning_headers(["199 other"])


def test_error_bodies_become_the_errors_they_describe() -> None:
    def body(kind: str, reason: str, status: int = 400) -> dict[str, object]:
        return {"error": {"root_cause": [], "type": kind, "reason": reason}, "status": status}

    parsing = error_from_body(400, body("parsing_exception", "line 1:7: mismatched input"))
    assert isinstance(parsing, ParsingError)
    assert (parsing.line, parsing.column, parsing.message) == (1, 7, "mismatched input")
    found = "Found 2 problems\nline 1:1: Unknown index [x]\nline 2:3: Unknown column [y]"
    verification = error_from_body(400, body("verification_exception", found))
    assert isinstance(verification, VerificationError)
    assert verification.problems == [
        Problem(1, 1, "Unknown index [x]"),
        Problem(2, 3, "Unknown column [y]"),
    ]
    other = error_from_body(500, body("illegal_state_exception", "boom", 500))
    assert isinstance(other, HttpEsqlError)
    assert (other.type, str(other), other.status) == ("illegal_state_exception", "boom", 500)
    assert isinstance(error_from_body(502, "<html>"), NotAnAnswer)


# ------------------------------------------------------------------ stand-in node


class StandIn(BaseHTTPRequestHandler):
    """``ROW a = N`` answers N with two warnings; ``bad`` a parsing error."""

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        length = int(self.headers.get("Content-Length", 0))
        query = json.loads(self.rfile.read(length))["query"]
        assert self.path == "/_query?format=json"
        if "bad" in query:
            error = {"type": "parsing_exception", "reason": "line 1:5: mismatched input 'bad'"}
            self._send(400, {"error": {"root_cause": [error], **error}, "status": 400}, [])
            return
        value = int(query.split("=")[1])
        answer = {
            "took": 1,
            "is_partial": False,
            "columns": [{"name": "a", "type": "integer"}],
            "values": [[value]],
        }
        self._send(200, answer, [header(TRICKY), header("second")])

    def _send(self, status: int, body: object, warnings: list[str]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for warning in warnings:
            self.send_header("Warning", warning)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def stand_in() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), StandIn)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


SPECS = f"""
good
ROW a = 1;
warning:{warning_header_text(TRICKY)}
warning:second
a:integer
1
;

wrongValue
ROW a = 2;
warning:{warning_header_text(TRICKY)}
warning:second
a:integer
3
;

missingWarning
ROW a = 1;
a:integer
1
;

syntax
ROW bad = 1;
a:integer
1
;
"""


def test_tests_are_judged_over_http_as_in_process(stand_in: str, tmp_path: Path) -> None:
    judge = HttpJudge(stand_in, timeout=5)
    engine = run_specs.Engine(judge=judge)
    catalog = IndexCatalog.load(tmp_path)
    tests = {t.name: t for t in read_spec_text(SPECS, "http.csv-spec")}
    try:
        outcome = {n: run_specs.run_test(t, engine, catalog, 5) for n, t in tests.items()}
    finally:
        judge.close()
    assert outcome["good"].status == "passed", outcome["good"].detail
    assert outcome["wrongValue"].cause == "values"
    assert outcome["missingWarning"].cause == "warnings"
    assert (outcome["syntax"].cause, outcome["syntax"].reason) == (
        "parse",
        "parse: line 1:5: mismatched input 'bad'",
    )
