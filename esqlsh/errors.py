"""Errors every stage raises, worded and typed as Elasticsearch words and types them.

An ``EsqlError`` carries Elasticsearch's exception ``type`` (``parsing_exception``,
``verification_exception`` …), the HTTP ``status`` Elasticsearch would answer with,
and the ``reason`` text exactly as Elasticsearch prints it. Positions are 1-based
(``line 1:7``), as Elasticsearch prints them. Only ``cli.py`` turns these into exit
codes; the server turns them into ``{"error": {...}, "status": N}`` bodies.
"""

from __future__ import annotations

from dataclasses import dataclass


class EsqlError(Exception):
    """Base of every user-facing error. ``str(err)`` is Elasticsearch's reason text."""

    type: str = "exception"
    status: int = 500

    def __init__(self, reason: str, *, line: int | None = None, column: int | None = None):
        super().__init__(reason)
        self.reason = reason
        self.line = line
        self.column = column

    def to_es(self) -> dict[str, object]:
        cause = {"type": self.type, "reason": self.reason}
        return {"error": {"root_cause": [cause], **cause}, "status": self.status}


class ParsingError(EsqlError):
    """A syntax error: ``line 1:7: mismatched input '|' expecting …``."""

    type = "parsing_exception"
    status = 400

    def __init__(self, line: int, column: int, message: str):
        super().__init__(f"line {line}:{column}: {message}", line=line, column=column)
        self.message = message


@dataclass(frozen=True)
class Problem:
    """One verification problem at a position (1-based line and column)."""

    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}:{self.column}: {self.message}"


class VerificationError(EsqlError):
    """Analysis errors, collected: ``Found 2 problems\\nline 1:6: …\\nline 1:20: …``."""

    type = "verification_exception"
    status = 400

    def __init__(self, problems: list[Problem]):
        count = len(problems)
        head = f"Found {count} problem{'s' if count != 1 else ''}"
        body = "\n".join(str(p) for p in problems)
        first = problems[0] if problems else None
        super().__init__(
            f"{head}\n{body}",
            line=first.line if first else None,
            column=first.column if first else None,
        )
        self.problems = problems


class IllegalArgumentError(EsqlError):
    """``illegal_argument_exception`` (e.g. a bad enrich policy, bad param)."""

    type = "illegal_argument_exception"
    status = 400


class IndexNotFoundError(EsqlError):
    type = "index_not_found_exception"
    status = 404


class QueryExecutionError(EsqlError):
    """A failure while running a query that Elasticsearch reports as a 400/500."""

    type = "esql_illegal_argument_exception"
    status = 400


class ConfigError(EsqlError):
    """A configuration file problem: ``config.yaml:12: clusters.one.hosts: …``."""

    type = "config_error"
    status = 400


class ClusterUnavailableError(EsqlError):
    """A cluster could not be asked or gave no usable answer: connection refused,
    TLS failure, timeout, a dropped connection, a missing cluster directory.
    ``data_received`` says whether part of an answer had arrived (→ ``partial``)."""

    type = "connect_transport_exception"
    status = 500

    def __init__(self, reason: str, *, alias: str, data_received: bool = False):
        super().__init__(reason)
        self.alias = alias
        self.data_received = data_received


class RemoteError(EsqlError):
    """An Elasticsearch error body returned by a cluster; its ``type``, ``reason`` and
    HTTP ``status`` are kept as the cluster sent them."""

    def __init__(
        self,
        reason: str,
        *,
        alias: str,
        type: str = "exception",
        status: int = 500,
        data_received: bool = False,
    ):
        super().__init__(reason)
        self.alias = alias
        self.type = type
        self.status = status
        self.data_received = data_received
