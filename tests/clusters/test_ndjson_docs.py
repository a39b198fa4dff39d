"""The vectorised NDJSON reader against a document-by-document model (Python's
``json`` with numbers kept as written, flattening as esqlsh first did)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from esqlsh.clusters.ndjson_docs import read_ndjson_columns
from esqlsh.errors import IllegalArgumentError

# --- the model --------------------------------------------------------------------


class _Int(str):
    kind = "int"


class _Float(str):
    kind = "float"


def model_read(text: str, keep: frozenset[str] = frozenset()) -> tuple[dict, dict]:
    """Column → values per document, and kinds per column."""
    docs: list[dict[str, list[str]]] = []
    kinds: dict[str, set[str]] = {}
    order: dict[str, None] = {}
    for line in text.split("\n"):
        if not line.strip():
            continue
        doc = json.loads(line, parse_int=_Int, parse_float=_Float)
        values: dict[str, list[str]] = {}
        _flatten(doc, "", values, kinds, keep)
        order.update(dict.fromkeys(values))
        docs.append(values)
    columns = {p: [d.get(p) for d in docs] for p in order}
    return columns, {k: frozenset(v) for k, v in kinds.items()}


def _flatten(value: Any, path: str, out: dict, kinds: dict, keep: frozenset[str]) -> None:
    if value is None:
        return
    if isinstance(value, dict) and path not in keep:
        for key, child in value.items():
            _flatten(child, f"{path}.{key}" if path else key, out, kinds, keep)
        return
    if isinstance(value, list):
        for item in value:
            _flatten(item, path, out, kinds, keep)
        return
    if isinstance(value, bool):
        text, kind = ("true" if value else "false"), "bool"
    elif isinstance(value, _Int | _Float):
        text, kind = str(value), value.kind
    elif isinstance(value, str):
        text, kind = value, "str"
    else:
        text, kind = _json_text(value), "object"
    out.setdefault(path, []).append(text)
    kinds.setdefault(path, set()).add(kind)


def _json_text(value: Any) -> str:
    if isinstance(value, _Int | _Float):
        return str(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)}: {_json_text(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_json_text(v) for v in value) + "]"
    return json.dumps(value)


def read_new(path: Path, keep: frozenset[str] = frozenset()) -> tuple[dict, dict]:
    frame, kinds = read_ndjson_columns(path, keep)
    return {c: frame.get_column(c).to_list() for c in frame.columns}, kinds


# --- generated documents ----------------------------------------------------------------

_KEYS = st.sampled_from(["a", "b", "loc", "x.y", "é", 'q"t', "n"])
_NUMBERS = st.sampled_from(["1", "-0", "1.50", "2e3", "-1.5E-7", "12345678901234567890123"])
_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.text(st.sampled_from(list('ab \\"/,:{}[]é\n\t')), max_size=5),
    _NUMBERS.map(lambda n: _Raw(n)),
)


class _Raw(str):
    """A number to write as is."""


_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(_KEYS, inner, max_size=3)),
    max_leaves=8,
)


def dump(value: Any, spaced: bool) -> str:
    sep, colon = (", ", ": ") if spaced else (",", ":")
    if isinstance(value, _Raw):
        return str(value)
    if isinstance(value, dict):
        return (
            "{"
            + sep.join(f"{json.dumps(k)}{colon}{dump(v, spaced)}" for k, v in value.items())
            + "}"
        )
    if isinstance(value, list):
        return "[" + sep.join(dump(v, spaced) for v in value) + "]"
    return json.dumps(value, ensure_ascii=spaced)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    docs=st.lists(st.dictionaries(_KEYS, _VALUES, max_size=4), min_size=1, max_size=4),
    spaced=st.booleans(),
)
def test_matches_model(tmp_path: Path, docs: list[dict], spaced: bool) -> None:
    text = "\n".join(dump(d, spaced) for d in docs) + "\n"
    path = tmp_path / "d.ndjson"
    path.write_text(text, encoding="utf-8")
    got = read_new(path)
    expected = model_read(text)
    if not expected[0]:  # no values at all: the model has no rows either
        assert got[0] == {}
        return
    assert got == expected


@pytest.mark.parametrize(
    "line",
    [
        '{"loc": {"lat": 1.50, "lon": -2}, "a": 1}',
        '{"loc": [{"lat": 1, "lon": 2}, {"lat": 3, "lon": [4, 5]}], "b": {"loc": {"x": 1}}}',
        '{"loc": {"lat": 1, "inner": {"loc": {"z": null}}, "s": "t\\"x"}}',
        '{"loc": "POINT (1 2)", "a": {"loc": 1}}',
        '{"loc": {}}',
    ],
)
def test_kept_objects_match_model(tmp_path: Path, line: str) -> None:
    path = tmp_path / "k.ndjson"
    path.write_text(line + "\n" + line + "\n", encoding="utf-8")
    keep = frozenset({"loc", "loc.inner"})
    got, kinds = read_new(path, keep)
    expected, expected_kinds = model_read(line + "\n" + line, keep)
    assert kinds == expected_kinds
    # Strings in kept objects keep their source escapes; the model re-escapes them.
    assert {
        k: [[json.loads(v) if v.startswith("{") else v for v in vs or []] for vs in col]
        for k, col in got.items()
    } == {
        k: [[json.loads(v) if v.startswith("{") else v for v in vs or []] for vs in col]
        for k, col in expected.items()
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"a": 1}\n\n{"a": tru}\n', "Error line [3]: not a JSON object: Expecting value"),
        ('{"a": 1}\n[1]\n', "Error line [2]: not a JSON object"),
        ('{"a": 1}\n{"a": 1,}\n{"a": }\n', "Error line [2]: not a JSON object: Expecting"),
        ("null\n", "Error line [1]: not a JSON object"),
    ],
)
def test_syntax_errors_name_the_first_bad_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "e.ndjson"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(IllegalArgumentError) as err:
        read_ndjson_columns(path)
    assert str(err.value).startswith(message)
