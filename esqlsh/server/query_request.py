"""The body of ``POST /_query`` and ``POST /_query/async``, read as Elasticsearch's
``RequestXContent`` reads it: an ``ObjectParser`` named ``esql/query`` (or
``esql/async_query``) that refuses unknown fields and values of the wrong JSON
type, then ``EsqlQueryRequest.validate``.

Messages carry Elasticsearch's ``[line:column]`` prefix; the column is where the
offending value (or, for an unknown field, its name) starts in the body text.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from esqlsh.analysis.messages import did_you_mean
from esqlsh.server import errors, rest

SYNC_PARSER = "esql/query"
ASYNC_PARSER = "esql/async_query"

_COMMON_FIELDS = {
    "query": "string",
    "columnar": "boolean",
    "filter": "object",
    "accept_pragma_risks": "boolean",
    "include_ccs_metadata": "boolean",
    "pragma": "object",
    "params": "params",
    "locale": "string",
    "profile": "boolean",
    "tables": "object",
}
_ASYNC_FIELDS = {
    "keep_on_completion": "boolean",
    "wait_for_completion_timeout": "value",
    "keep_alive": "value",
}
# Which JSON token kinds each ObjectParser value type accepts.
_ACCEPTED = {
    "string": ("VALUE_STRING",),
    "boolean": ("VALUE_BOOLEAN", "VALUE_STRING"),
    "object": ("START_OBJECT",),
    "params": ("START_OBJECT", "START_ARRAY"),
    "value": ("VALUE_STRING", "VALUE_NUMBER", "VALUE_BOOLEAN", "VALUE_NULL"),
}
_PARAM_KINDS = ("VALUE", "IDENTIFIER", "PATTERN")
_PARAM_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_LONG_RANGE = range(-(2**63), 2**63)


@dataclass(frozen=True)
class QueryRequest:
    """One ``_query`` request; times in seconds (``None``: no limit)."""

    query: str
    columnar: bool = False
    params: list[Any] | dict[str, Any] | None = None
    filter: dict[str, Any] | None = None
    locale: str | None = None
    include_ccs_metadata: bool = False
    profile: bool = False
    wait_for_completion_timeout: float | None = 1.0
    keep_alive: float | None = 5 * 86400.0
    keep_on_completion: bool = False


def parse_query_request(raw: bytes, *, is_async: bool) -> QueryRequest:
    """The request in ``raw``; raises the ``HttpError`` Elasticsearch would answer."""
    parser = ASYNC_PARSER if is_async else SYNC_PARSER
    text = _decode(raw)
    if not text.strip():
        raise errors.parse_exception("request body or source parameter is required")
    body = _load_json(text)
    if not isinstance(body, dict):
        raise errors.x_content_parse(
            f"[1:1] [{parser}] Expected START_OBJECT but was: {_token(body)}"
        )
    fields = {**_COMMON_FIELDS, **(_ASYNC_FIELDS if is_async else {})}
    values: dict[str, Any] = {}
    for name, value in body.items():
        kind = fields.get(name)
        if kind is None:
            where = _location(text, name, value=False)
            hint = did_you_mean(rest.suggest(name, fields, threshold=0.7), lead="")
            raise errors.x_content_parse(f"{where} [{parser}] unknown field [{name}]{hint}")
        values[name] = _field_value(parser, text, name, kind, value)
    return _build(values)


def _build(values: dict[str, Any]) -> QueryRequest:
    problems = []
    query = values.get("query")
    if not isinstance(query, str) or not query.strip():
        problems.append("[query] is required")
    if values.get("pragma") and not values.get("accept_pragma_risks"):
        problems.append("[pragma] only allowed in snapshot builds")
    if values.get("tables"):
        problems.append("[tables] only allowed in snapshot builds")
    if problems:
        raise errors.validation_failed(problems)
    assert isinstance(query, str)
    check_filter(values.get("filter"))
    return QueryRequest(
        query=query,
        columnar=values.get("columnar", False),
        params=values.get("params"),
        filter=values.get("filter"),
        locale=values.get("locale"),
        include_ccs_metadata=values.get("include_ccs_metadata", False),
        profile=values.get("profile", False),
        wait_for_completion_timeout=values.get("wait_for_completion_timeout", 1.0),
        keep_alive=values.get("keep_alive", 5 * 86400.0),
        keep_on_completion=values.get("keep_on_completion", False),
    )


# ------------------------------------------------------------------ JSON


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise errors.x_content_parse(
            f"[1:{err.start + 1}] Invalid UTF-8 start byte 0x{raw[err.start]:02x}"
        ) from None


def _load_json(text: str) -> Any:
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constants)
    except _JsonProblem as problem:
        raise errors.x_content_parse(str(problem)) from None
    except json.JSONDecodeError as err:
        raise errors.x_content_parse(f"[{err.lineno}:{err.colno}] {err.msg}") from None
    except RecursionError:
        raise errors.x_content_parse("[1:1] the body is nested too deeply") from None


class _JsonProblem(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # Elasticsearch's JSON parser runs with strict duplicate detection.
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise _JsonProblem(f"Duplicate field '{key}'")
        seen[key] = value
    return seen


def _no_constants(name: str) -> Any:
    raise _JsonProblem(f"Non-standard token '{name}': not allowed in JSON")


def _token(value: Any) -> str:
    """The Jackson token a JSON value starts with, as Elasticsearch names it."""
    if value is None:
        return "VALUE_NULL"
    if isinstance(value, bool):
        return "VALUE_BOOLEAN"
    if isinstance(value, int | float):
        return "VALUE_NUMBER"
    if isinstance(value, str):
        return "VALUE_STRING"
    return "START_ARRAY" if isinstance(value, list) else "START_OBJECT"


def _location(text: str, field: str, *, value: bool = True) -> str:
    """``[line:column]`` of the top-level ``field`` (its value, or its name)."""
    match = re.search(re.escape(json.dumps(field, ensure_ascii=False)) + r"\s*:\s*", text)
    if match is None:
        return "[1:1]"
    offset = match.end() if value else match.start()
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"[{line}:{column}]"


# ------------------------------------------------------------------ fields


def _field_value(parser: str, text: str, name: str, kind: str, value: Any) -> Any:
    # The location is looked up only for an error: it searches the whole body.
    token = _token(value)
    if token not in _ACCEPTED[kind]:
        raise errors.x_content_parse(
            f"{_location(text, name)} [{parser}] {name} doesn't support values of type: {token}"
        )
    try:
        if kind == "boolean":
            return value if isinstance(value, bool) else rest.parse_bool(value)
        if kind == "value":
            return rest.parse_time_value(_value_text(value), name)
        if kind == "params":
            return parse_params(value)
    except errors.HttpError as err:
        cause = {k: v for k, v in err.body["error"].items() if k != "root_cause"}
        failed = f"{_location(text, name)} [{parser}] failed to parse field [{name}]"
        raise errors.x_content_parse(failed, caused_by=cause) from None
    return value


def _value_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "null" if value is None else str(value)


def parse_params(value: list[Any] | dict[str, Any]) -> list[Any] | dict[str, Any]:
    """``RequestXContent.parseParams``: ``[1, "x"]`` is positional, ``[{"a": 1}]``
    named (``{"a": {"value": 1}}`` too). Raises x_content_parse on bad params."""
    if isinstance(value, dict):
        return []  # Elasticsearch reads no parameters from an object
    named: dict[str, Any] = {}
    positional: list[Any] = []
    problems: list[str] = []
    for item in value:
        if isinstance(item, dict):
            _named_param(item, named, problems)
        else:
            _check_scalar(item, problems)
            positional.append(item)
    if named and positional:
        problems.append(
            "Params cannot contain both named and unnamed parameters; got "
            f"{_java_list(f'{{{k}:{v}}}' for k, v in named.items())} and "
            f"{_java_list(f'{{{v}}}' for v in positional)}"
        )
    if problems:
        raise errors.x_content_parse("Failed to parse params: " + "; ".join(problems))
    return named if named else positional


def _named_param(item: dict[str, Any], named: dict[str, Any], problems: list[str]) -> None:
    if len(item) > 1:
        shown = ", ".join(f"{{{k}:{v}}}" for k, v in item.items())
        problems.append(f"Cannot parse more than one key:value pair as parameter, found [{shown}]")
    for name, raw in item.items():
        if not _PARAM_NAME.fullmatch(name):
            problems.append(
                f"[{name}] is not a valid parameter name, a valid parameter name starts with "
                "a letter or underscore, and contains letters, digits and underscores only"
            )
        named[name] = _param_value(name, raw, problems)


def _param_value(name: str, raw: Any, problems: list[str]) -> Any:
    if not isinstance(raw, dict):
        _check_scalar(raw, problems)
        return raw
    kinds = _PARAM_KINDS
    if len(raw) != 1:
        detail = (
            " has no valid param attribute"
            if not raw
            else f" has multiple param attributes [{', '.join(raw)}]"
        )
        problems.append(
            f"[{name}]{detail}, only one of {', '.join(kinds)} can be defined in a param"
        )
        return None
    kind, inner = next(iter(raw.items()))
    if kind.upper() not in kinds:
        problems.append(
            f"[{kind}] is not a valid param attribute, a valid attribute is any of "
            + ", ".join(kinds)
        )
        return None
    if kind.upper() != "VALUE":
        problems.append(f"[{name}] {kind.lower()} parameters are not supported by esqlsh")
        return None
    _check_scalar(inner, problems)
    return inner


def _check_scalar(value: Any, problems: list[str]) -> None:
    # Whole numbers beyond a long have no ES|QL type (Jackson's BIG_INTEGER).
    if isinstance(value, int) and not isinstance(value, bool) and value not in _LONG_RANGE:
        problems.append(f"[{value}] is not supported as a parameter")
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, int) and not isinstance(item, bool) and item not in _LONG_RANGE:
                problems.append(f"[{item}] is not supported as a parameter")


def _java_list(items: Any) -> str:
    return "[" + ", ".join(items) + "]"


# ------------------------------------------------------------------ filter


def check_filter(query_dsl: dict[str, Any] | None) -> None:
    """The node runs ES|QL only: a ``filter`` that selects every document is
    accepted, any other query DSL is refused (Elasticsearch would apply it)."""
    if _matches_all(query_dsl):
        return
    assert isinstance(query_dsl, dict)
    kinds = ", ".join(query_dsl) or "?"
    raise errors.illegal_argument(
        f"esqlsh serve does not apply query DSL filters; only [match_all] is accepted, "
        f"got [{kinds}]"
    )


def _matches_all(query_dsl: Any) -> bool:
    if query_dsl is None or query_dsl == {}:
        return True
    if not isinstance(query_dsl, dict) or len(query_dsl) != 1:
        return False
    kind, body = next(iter(query_dsl.items()))
    if kind == "match_all":
        return isinstance(body, dict)
    if kind == "bool" and isinstance(body, dict):
        clauses = [body.get(k) for k in ("must", "filter")]
        others = set(body) - {"must", "filter", "boost"}
        return not others and all(_all_match_all(c) for c in clauses)
    return False


def _all_match_all(clause: Any) -> bool:
    if clause is None:
        return True
    items = clause if isinstance(clause, list) else [clause]
    return all(_matches_all(item) for item in items)
