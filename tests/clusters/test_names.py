"""Index name validation and index-expression resolution."""

from __future__ import annotations

import pytest

from esqlsh.clusters.names import InvalidIndexNameError, validate_index_name
from esqlsh.clusters.resolve import resolve_indices as resolve_expression

CHARS = "[' ','\"','*',',','/','<','>','?','\\','|']"


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("Logs", "must be lowercase"),
        ("a/b", f"must not contain the following characters {CHARS}"),
        ("..\\x", f"must not contain the following characters {CHARS}"),
        ("a b", f"must not contain the following characters {CHARS}"),
        ("a,b", f"must not contain the following characters {CHARS}"),
        ("lo*gs", f"must not contain the following characters {CHARS}"),
        ('a"b', f"must not contain the following characters {CHARS}"),
        ("a#b", "must not contain '#'"),
        ("a:b", "must not contain ':'"),
        ("_logs", "must not start with '_', '-', or '+'"),
        ("-logs", "must not start with '_', '-', or '+'"),
        ("+logs", "must not start with '_', '-', or '+'"),
        (".", "must not be '.' or '..'"),
        ("..", "must not be '.' or '..'"),
        ("x" * 256, "index name is too long, (256 > 255)"),
    ],
)
def test_invalid_names_give_elasticsearch_messages(name: str, reason: str) -> None:
    with pytest.raises(InvalidIndexNameError) as err:
        validate_index_name(name)
    assert str(err.value) == f"Invalid index name [{name}], {reason}"
    assert err.value.type == "invalid_index_name_exception"
    assert err.value.status == 400


@pytest.mark.parametrize("name", ["logs", "logs-2024.05.06", ".hidden", "a_b", "émile", "x" * 255])
def test_valid_names(name: str) -> None:
    validate_index_name(name)


def test_non_ascii_length_counts_bytes() -> None:
    with pytest.raises(InvalidIndexNameError, match=r"\(256 > 255\)"):
        validate_index_name("é" * 128)


INDICES = {
    "logs-a": False,
    "logs-b": False,
    "logs-old": False,
    "metrics": False,
    "employees": False,
    ".secret": True,
    ".kibana-1": True,
}
ALIASES = {"logs": ["logs-a", "logs-b"], "staff": ["employees"], "dangling": ["nope"]}


def resolve(expr: str) -> list[str]:
    return resolve_expression(expr, INDICES, ALIASES)


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("metrics", ["metrics"]),
        ("metrics,employees", ["employees", "metrics"]),
        (" metrics , employees ", ["employees", "metrics"]),
        ("nope", []),
        ("nope,metrics", ["metrics"]),
        ("logs-*", ["logs-a", "logs-b", "logs-old"]),
        ("*-old", ["logs-old"]),
        ("l*s-*", ["logs-a", "logs-b", "logs-old"]),
        ("*", ["employees", "logs-a", "logs-b", "logs-old", "metrics"]),
        ("_all", ["employees", "logs-a", "logs-b", "logs-old", "metrics"]),
        # exclusions apply, left to right, to what earlier parts matched
        ("logs-*,-logs-old", ["logs-a", "logs-b"]),
        ("logs-*,-*-old,-logs-a", ["logs-b"]),
        ("logs-*,-logs-*,logs-a", ["logs-a"]),
        ("*,-logs*", ["employees", "metrics"]),
        # before any wildcard a leading '-' is part of a (missing) name
        ("-logs-old,logs-*", ["logs-a", "logs-b", "logs-old"]),
        ("metrics,-metrics", ["metrics"]),
        # aliases, concrete and through wildcards
        ("logs", ["logs-a", "logs-b"]),
        ("staff", ["employees"]),
        ("sta*", ["employees"]),
        ("dangling", []),
        # excluding an alias removes the alias, not indices matched on their own
        ("logs*,-logs", ["logs-a", "logs-b", "logs-old"]),
        ("logs,metrics*,-logs", ["metrics"]),
        # hidden indices: only wildcards starting with '.'
        (".secret", [".secret"]),
        (".*", [".kibana-1", ".secret"]),
        (".k*", [".kibana-1"]),
        ("*secret", []),
    ],
)
def test_resolve(expr: str, expected: list[str]) -> None:
    assert resolve(expr) == expected


def test_wildcard_treats_other_characters_literally() -> None:
    indices = {"a.b": False, "axb": False, "a?b": False}
    assert resolve_expression("a.*", indices, {}) == ["a.b"]
    assert resolve_expression("a?*", indices, {}) == ["a?b"]
