"""The REST layer's small rules, as Elasticsearch applies them to every request:
URL parameters (unknown ones refused with a "did you mean"), booleans, time values,
and which format an ``_query`` answer is written in.

Sources: ``BaseRestHandler.unrecognized``, ``RestRequest.paramAsBoolean``,
``TimeValue.parseTimeValue``, ``EsqlMediaTypeParser``, ``TextFormat``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from esqlsh.server import errors

# BaseRestHandler.ALWAYS_SUPPORTED plus RestResponse's response parameters.
ALWAYS_SUPPORTED = frozenset({"format", "filter_path", "pretty", "human", "error_trace"})

TEXT_FORMATS = ("txt", "csv", "tsv")  # TextFormat.values() order
# ``format=`` values an Elasticsearch node knows; esqlsh writes all but cbor and smile.
KNOWN_FORMATS = ("json", "yaml", "cbor", "smile", "arrow", *TEXT_FORMATS)
UNSUPPORTED_FORMATS = frozenset({"cbor", "smile"})

# Media types (without parameters) to formats; ``vnd.elasticsearch+`` variants too.
_MEDIA_TYPES = {
    "application/json": "json",
    "application/yaml": "yaml",
    "application/cbor": "cbor",
    "application/smile": "smile",
    "application/vnd.apache.arrow.stream": "arrow",
    "text/plain": "txt",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
_WILDCARDS = frozenset({"*/*", "application/*"})


def check_params(path: str, given: Iterable[str], supported: Iterable[str]) -> None:
    """``request [/_query] contains unrecognized parameter: [x] -> did you mean [y]?``"""
    allowed = ALWAYS_SUPPORTED | set(supported)
    unknown = sorted(set(given) - allowed)
    if not unknown:
        return
    parts = []
    for name in unknown:
        text = f"[{name}]"
        suggestions = suggest(name, allowed, threshold=0.5)
        if suggestions:
            listed = f"[{suggestions[0]}]" if len(suggestions) == 1 else _java_list(suggestions)
            prefix = "any of " if len(suggestions) > 1 else ""
            text += f" -> did you mean {prefix}{listed}?"
        parts.append(text)
    plural = "s" if len(unknown) > 1 else ""
    raise errors.illegal_argument(
        f"request [{path}] contains unrecognized parameter{plural}: {', '.join(parts)}"
    )


def suggest(value: str, candidates: Iterable[str], *, threshold: float) -> list[str]:
    """Candidates more similar to ``value`` than ``threshold`` (Lucene's
    ``LevenshteinDistance``), most similar first, then by name."""
    scored = [(similarity(value, c), c) for c in set(candidates)]
    kept = [(s, c) for s, c in scored if s > threshold]
    return [c for _, c in sorted(kept, key=lambda sc: (-sc[0], sc[1]))]


def similarity(a: str, b: str) -> float:
    """``1 - edit_distance / max(len)``, as Lucene's ``LevenshteinDistance``."""
    if not a and not b:
        return 1.0
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return 1.0 - previous[-1] / max(len(a), len(b))


def _java_list(items: list[str]) -> str:
    return "[" + ", ".join(items) + "]"


# ------------------------------------------------------------------ values


def param_bool(params: Mapping[str, str], name: str, default: bool = False) -> bool:
    """``RestRequest.paramAsBoolean``: absent → default, ``?x`` alone → true."""
    raw = params.get(name)
    if raw is None:
        return default
    if raw == "":
        return True
    return parse_bool(raw)


def parse_bool(raw: str) -> bool:
    if raw == "true":
        return True
    if raw == "false":
        return False
    raise errors.illegal_argument(
        f"Failed to parse value [{raw}] as only [true] or [false] are allowed."
    )


_TIME_UNITS = (
    ("nanos", 1e-9),
    ("micros", 1e-6),
    ("ms", 1e-3),
    ("s", 1.0),
    ("m", 60.0),
    ("h", 3600.0),
    ("d", 86400.0),
)


def parse_time_value(raw: str, setting: str) -> float | None:
    """``TimeValue.parseTimeValue`` in seconds; ``-1`` (no limit) is None."""
    text = raw.strip().lower()
    for suffix, scale in _TIME_UNITS:
        if text.endswith(suffix):
            return _time_number(text[: -len(suffix)].strip(), raw, setting) * scale
    if text == "-1":
        return None
    if text == "0":
        return 0.0
    raise errors.parse_exception(
        f"failed to parse setting [{setting}] with value [{raw}] as a time value: "
        "unit is missing or unrecognized"
    )


def _time_number(number: str, raw: str, setting: str) -> float:
    try:
        value = int(number)
    except ValueError:
        try:
            float(number)
        except ValueError:
            raise errors.parse_exception(f"failed to parse [{raw}]") from None
        raise errors.parse_exception(
            f"failed to parse [{raw}], fractional time values are not supported"
        ) from None
    if value < 0:
        raise errors.parse_exception(
            f"failed to parse setting [{setting}] with value [{raw}] as a time value: "
            "negative durations are not supported"
        )
    return float(value)


# ------------------------------------------------------------------ formats


@dataclass(frozen=True)
class MediaChoice:
    """The format of an answer; ``compatible`` when the client asked for
    ``application/vnd.elasticsearch+json; compatible-with=9`` (and gets it back);
    ``header`` is TextFormat's ``header=present|absent`` of the Accept header."""

    fmt: str
    compatible: bool = False
    header: bool = True


def choose_format(
    format_param: str | None, accept: str | None, content_type: str | None
) -> MediaChoice:
    """``EsqlMediaTypeParser.getResponseMediaType``: the ``format`` parameter, else
    the Accept header, else the Content-Type; unknown → Elasticsearch's error."""
    if format_param is not None:
        fmt = format_param.lower()
        if fmt not in KNOWN_FORMATS:
            raise _invalid_media(accept, content_type, format_param)
        return MediaChoice(fmt, compatible=_compatible(accept), header=_header(accept))
    for header_value in (accept, content_type):
        parsed = _media_from_header(header_value)
        if parsed is not None:
            return parsed
        if header_value is not None and not _is_wildcard(header_value):
            raise _invalid_media(accept, content_type, None)
    return MediaChoice("json")


def json_choice(accept: str | None) -> MediaChoice:
    """For endpoints that only answer JSON: keep the client's compatible-with."""
    return MediaChoice("json", compatible=_compatible(accept))


def _media_from_header(value: str | None) -> MediaChoice | None:
    if value is None:
        return None
    for entry in value.split(","):
        base, *params = (p.strip() for p in entry.split(";"))
        base = base.lower()
        compatible = "+" in base and base.split("/")[1].startswith("vnd.elasticsearch+")
        if compatible:
            kind, sub = base.split("/", 1)
            base = f"{kind}/{sub.removeprefix('vnd.elasticsearch+')}"
        fmt = _MEDIA_TYPES.get(base)
        if fmt is not None:
            absent = any(p.lower().replace(" ", "") == "header=absent" for p in params)
            return MediaChoice(fmt, compatible=compatible, header=not absent)
    return None


def _is_wildcard(value: str) -> bool:
    return any(e.split(";")[0].strip() in _WILDCARDS for e in value.split(","))


def _compatible(accept: str | None) -> bool:
    parsed = _media_from_header(accept)
    return parsed is not None and parsed.compatible and parsed.fmt == "json"


def _header(accept: str | None) -> bool:
    parsed = _media_from_header(accept)
    return parsed.header if parsed is not None else True


def _invalid_media(
    accept: str | None, content_type: str | None, fmt: str | None
) -> errors.HttpError:
    def shown(value: str | None) -> str:
        return "null" if value is None else value

    return errors.illegal_argument(
        f"Invalid request content type: Accept=[{shown(accept)}], "
        f"Content-Type=[{shown(content_type)}], format=[{shown(fmt)}]"
    )
