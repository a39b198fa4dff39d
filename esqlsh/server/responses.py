"""An ``_query`` answer written as Elasticsearch writes it.

JSON and YAML are ``EsqlQueryResponse.toXContentChunked``: ``id``/``is_running``
for async requests, ``took``, ``is_partial``, ``columns`` (``all_columns`` plus the
non-null ``columns`` under ``drop_null_columns``), ``values`` (row by row, or
column by column when ``columnar``) and ``profile``. ``csv``/``tsv``/``txt`` are
``TextFormat`` (``csv`` ends lines with CRLF, takes a one-character
``delimiter``); ``arrow`` is ``ArrowResponse``'s IPC stream. The cell values come
from ``esqlsh.render`` so every path shows the same values. Warnings become
``Warning: 299 Elasticsearch-<version>-<hash> "<text>"`` headers, escaped and
percent-encoded as ``HeaderWarning.escapeAndEncode`` does.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from esqlsh.server import errors, rest
from esqlsh.server.settings import BUILD_HASH, ES_VERSION

if TYPE_CHECKING:
    from esqlsh.engine.result import Result

WARNING_AGENT = f"Elasticsearch-{ES_VERSION}-{BUILD_HASH}"
COMPATIBLE_JSON = "application/vnd.elasticsearch+json;compatible-with=9"
_CONTENT_TYPES = {
    "yaml": "application/yaml",
    "tsv": "text/tab-separated-values; charset=utf-8",
    "txt": "text/plain; charset=utf-8",
    "arrow": "application/vnd.apache.arrow.stream",
}
# HeaderWarning.doesNotNeedEncoding: everything else is percent-encoded (UTF-8).
_PLAIN = frozenset(
    [0x09, 0x20, 0x21, 0x22, 0x23, 0x24, 0x5C]
    + list(range(0x26, 0x5C))
    + list(range(0x5D, 0x7F))
    + list(range(0x80, 0x100))
)


@dataclass(frozen=True)
class OutputOptions:
    """How to write one ``_query`` answer (from the URL, the headers and the body)."""

    media: rest.MediaChoice
    columnar: bool = False
    drop_null_columns: bool = False
    delimiter: str = ","
    profile: bool = False


@dataclass(frozen=True)
class QueryAnswer:
    """A result to write, or none yet (an async query still running)."""

    result: Result | None
    took_ms: int
    async_id: str | None = None
    is_async: bool = False

    @property
    def is_running(self) -> bool:
        return self.result is None

    @property
    def rows(self) -> int:
        return 0 if self.result is None else self.result.frame.height


def output_options(
    path: str,
    params: Mapping[str, str],
    headers: Mapping[str, str],
    *,
    columnar: bool,
    profile: bool = False,
) -> OutputOptions:
    """The checks of ``EsqlMediaTypeParser`` and ``EsqlResponseListener``, in order."""
    media = rest.choose_format(
        params.get("format"), headers.get("accept"), headers.get("content-type")
    )
    if columnar and media.fmt in rest.TEXT_FORMATS:
        raise errors.illegal_argument(
            "Invalid use of [columnar] argument: cannot be used in combination with "
            f"[{', '.join(rest.TEXT_FORMATS)}] formats"
        )
    if "delimiter" in params and media.fmt != "csv":
        raise errors.illegal_argument(
            f"parameter: [delimiter] can only be used with the format [csv] for request [{path}]"
        )
    if media.fmt in rest.UNSUPPORTED_FORMATS:
        raise errors.illegal_argument(f"esqlsh serve does not write the [{media.fmt}] format")
    if "header" in params:
        media = rest.MediaChoice(media.fmt, media.compatible, params["header"] != "absent")
    return OutputOptions(
        media=media,
        columnar=columnar,
        drop_null_columns=rest.param_bool(params, "drop_null_columns"),
        delimiter=_delimiter(params.get("delimiter")),
        profile=profile,
    )


def _delimiter(raw: str | None) -> str:
    """``TextFormat.CSV.delimiter``: one character, not a quote, newline or tab."""
    if raw is None:
        return ","
    value = urllib.parse.unquote_plus(raw)
    if len(value) != 1:
        kind = "multi-character" if value else "empty"
        raise errors.illegal_argument(f"invalid {kind} delimiter [{value}]")
    if value in '"\n\r':
        raise errors.illegal_argument(
            f"illegal reserved character specified as delimiter [{value}]"
        )
    if value == "\t":
        raise errors.illegal_argument(
            "illegal delimiter [TAB] specified as delimiter for the [csv] format; "
            "choose the [tsv] format instead"
        )
    return value


# ------------------------------------------------------------------ writing


def write_answer(answer: QueryAnswer, options: OutputOptions) -> tuple[bytes, str]:
    """The body and its Content-Type."""
    fmt = options.media.fmt
    if fmt in ("json", "yaml"):
        return _write_document(answer, options)
    if fmt == "arrow":
        return _write_arrow(answer.result), _CONTENT_TYPES["arrow"]
    return _write_text(answer.result, options), _text_content_type(options)


def _write_document(answer: QueryAnswer, options: OutputOptions) -> tuple[bytes, str]:
    body = answer_body(answer, options)
    if options.media.fmt == "yaml":
        import yaml

        text = yaml.safe_dump(body, sort_keys=False, explicit_start=True, allow_unicode=True)
        return utf8(text), _CONTENT_TYPES["yaml"]
    from esqlsh.render.formats import to_json

    content_type = COMPATIBLE_JSON if options.media.compatible else "application/json"
    return utf8(to_json(body)), content_type


def answer_body(answer: QueryAnswer, options: OutputOptions) -> dict[str, Any]:
    """The JSON document of an answer (``EsqlQueryResponse`` field order)."""
    body: dict[str, Any] = {}
    if answer.is_async:
        if answer.async_id is not None:
            body["id"] = answer.async_id
        body["is_running"] = answer.is_running
    result = answer.result
    body["took"] = answer.took_ms
    body["is_partial"] = bool(result is not None and result.is_partial)
    columns = [] if result is None else _columns(result)
    if options.drop_null_columns and result is not None:
        kept = _non_null(result)
        body["all_columns"] = columns
        body["columns"] = [columns[i] for i in kept]
        result = _select(result, kept)
    else:
        body["columns"] = columns
    body["values"] = [] if result is None else _values(result, options.columnar)
    if options.profile:
        body["profile"] = {"drivers": []}
    return body


def _columns(result: Result) -> list[dict[str, str]]:
    return [{"name": a.name, "type": a.type.es_name} for a in result.columns]


def _values(result: Result, columnar: bool) -> list[list[Any]]:
    from esqlsh.render.values import to_columnar, to_es_values

    return to_columnar(result) if columnar else to_es_values(result)


def _non_null(result: Result) -> list[int]:
    """Indices of the columns with at least one value (an empty multi-value and
    the null/unsupported types count as null, as the answer shows them)."""
    import polars as pl

    from esqlsh.analysis.types import DataType

    frame = result.frame
    if not result.columns:
        return []
    checks = []
    for i, dtype in enumerate(frame.dtypes):
        column = pl.nth(i)
        present = column.is_not_null()
        if isinstance(dtype, pl.List):
            present = present & (column.list.len() > 0)
        checks.append(present.any().alias(f"c{i}"))
    flags = frame.select(checks).row(0)
    blank = (DataType.NULL, DataType.UNSUPPORTED)
    return [
        i
        for i, (attr, flag) in enumerate(zip(result.columns, flags, strict=True))
        if flag and attr.type not in blank
    ]


def _select(result: Result, kept: list[int]) -> Result:
    from esqlsh.engine.result import Result as ResultType

    names = [result.frame.columns[i] for i in kept]
    return ResultType(
        columns=tuple(result.columns[i] for i in kept),
        frame=result.frame.select(names),
        warnings=result.warnings,
        took_ms=result.took_ms,
        is_partial=result.is_partial,
    )


def _write_arrow(result: Result | None) -> bytes:
    if result is not None:
        from esqlsh.render.formats import render

        output = render(result, "arrow")
        assert isinstance(output, bytes)
        return output
    import pyarrow as pa

    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, pa.schema([])):
        pass
    return bytes(sink.getvalue().to_pybytes())


def _write_text(result: Result | None, options: OutputOptions) -> bytes:
    if result is None:
        return b""
    from esqlsh.render.formats import RenderOptions, render

    fmt, header = options.media.fmt, options.media.header
    if fmt == "csv" and options.delimiter != ",":
        return utf8(_csv_with_delimiter(result, options.delimiter, header))
    eol = "\r\n" if fmt == "csv" else "\n"
    output = render(result, fmt, RenderOptions(header=header, eol=eol))
    return output if isinstance(output, bytes) else utf8(output)


def _csv_with_delimiter(result: Result, delimiter: str, header: bool) -> str:
    """``format=csv&delimiter=;`` (the shared renderer writes commas only)."""
    from esqlsh.render.values import es_text, to_es_values

    def cell(value: str) -> str:
        if any(c in value for c in ('"', "\n", "\r", delimiter)):
            return '"' + value.replace('"', '""') + '"'
        return value

    lines = [delimiter.join(cell(a.name) for a in result.columns)] if header else []
    for row in to_es_values(result):
        lines.append(delimiter.join(cell("" if v is None else es_text(v)) for v in row))
    return "".join(line + "\r\n" for line in lines)


def _text_content_type(options: OutputOptions) -> str:
    if options.media.fmt == "csv":
        presence = "present" if options.media.header else "absent"
        return f"text/csv; charset=utf-8; header={presence}"
    return _CONTENT_TYPES[options.media.fmt]


def utf8(text: str) -> bytes:
    # A lone surrogate (from a JSON \ud800 escape) must not stop an answer.
    return text.encode("utf-8", "replace")


# ------------------------------------------------------------------ headers


def warning_headers(warnings: list[str]) -> list[tuple[str, str]]:
    """One ``Warning`` header per warning, in order."""
    return [("Warning", f'299 {WARNING_AGENT} "{escape_warning(w)}"') for w in warnings]


def escape_warning(text: str) -> str:
    """``HeaderWarning.escapeAndEncode``: backslash-escape ``\\`` and ``"``, then
    percent-encode (UTF-8) every character outside the RFC 7230 quoted-string set."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return "".join(
        c if ord(c) in _PLAIN else urllib.parse.quote(c, safe="", encoding="utf-8") for c in escaped
    )


def async_headers(answer: QueryAnswer) -> list[tuple[str, str]]:
    """``X-Elasticsearch-Async-Id`` (when there is an id) and ``-Is-Running``."""
    headers = []
    if answer.async_id is not None:
        headers.append(("X-Elasticsearch-Async-Id", answer.async_id))
    headers.append(("X-Elasticsearch-Async-Is-Running", "?1" if answer.is_running else "?0"))
    return headers
