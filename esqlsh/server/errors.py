"""Error answers in Elasticsearch's shapes.

Two shapes exist. The exception form, which ``ElasticsearchException`` writes for
anything a handler throws::

    {"error": {"root_cause": [{"type": …, "reason": …}], "type": …, "reason": …},
     "status": N}

and the simple form the REST layer answers before any handler runs
(``RestController.handleBadRequest``: ``{"error": "no handler found …"}``;
``BytesRestResponse.createSimpleErrorResponse``: ``{"error": "…", "status": N}``).
An ``HttpError`` carries either, with its status and extra headers; engine errors
(``EsqlError``) become the exception form through ``EsqlError.to_es``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from esqlsh.errors import EsqlError


class HttpError(Exception):
    """An answer that is not a success: status, JSON body, extra headers."""

    def __init__(
        self, status: int, body: dict[str, Any], headers: list[tuple[str, str]] | None = None
    ):
        super().__init__(str(body.get("error")))
        self.status = status
        self.body = body
        self.headers = headers or []


def exception(
    etype: str,
    reason: str,
    status: int,
    *,
    headers: list[tuple[str, str]] | None = None,
    caused_by: dict[str, Any] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> HttpError:
    """The exception form; ``extra`` fields (``index``, ``header`` …) go on the
    cause and on the error, as Elasticsearch repeats them."""
    cause: dict[str, Any] = {"type": etype, "reason": reason, **(extra or {})}
    error: dict[str, Any] = {"root_cause": [cause], **cause}
    if caused_by is not None:
        error["caused_by"] = caused_by
    return HttpError(status, {"error": error, "status": status}, headers)


def simple(message: str, status: int, *, with_status: bool = True) -> HttpError:
    body: dict[str, Any] = {"error": message}
    if with_status:
        body["status"] = status
    return HttpError(status, body)


def illegal_argument(reason: str) -> HttpError:
    return exception("illegal_argument_exception", reason, 400)


def parse_exception(reason: str) -> HttpError:
    """``ElasticsearchParseException`` (e.g. a bad time value, no body)."""
    return exception("parse_exception", reason, 400)


def x_content_parse(reason: str, caused_by: dict[str, Any] | None = None) -> HttpError:
    """``XContentParseException``: a body that is not the JSON the endpoint reads."""
    return exception("x_content_parse_exception", reason, 400, caused_by=caused_by)


def validation_failed(problems: list[str]) -> HttpError:
    """``ActionRequestValidationException``: ``Validation Failed: 1: …;2: …;``."""
    text = "".join(f"{i}: {p};" for i, p in enumerate(problems, start=1))
    return exception("action_request_validation_exception", f"Validation Failed: {text}", 400)


def index_not_found(name: str) -> HttpError:
    return exception(
        "index_not_found_exception",
        f"no such index [{name}]",
        404,
        extra={
            "resource.type": "index_or_alias",
            "resource.id": name,
            "index_uuid": "_na_",
            "index": name,
        },
    )


def resource_not_found(reason: str) -> HttpError:
    return exception("resource_not_found_exception", reason, 404)


def from_esql(err: EsqlError) -> HttpError:
    body = err.to_es()
    status = int(err.status)
    return HttpError(status, body)


def internal(err: BaseException) -> HttpError:
    """A bug in esqlsh: Elasticsearch's 500 shape, one line of text, no traceback."""
    first_line = (str(err).strip().splitlines() or [""])[0]
    return exception("exception", f"{type(err).__name__}: {first_line}".rstrip(": "), 500)
