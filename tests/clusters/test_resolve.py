"""``clusters/resolve.py``: an index expression against a cluster's names, by
Elasticsearch's rules; golden cases for the resources, the missing names and the
concrete indices, and the ``prefix*`` shortcut checked against the scan."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import pytest
from hypothesis import given
from hypothesis import strategies as st

from esqlsh.clusters.resolve import (
    Resources,
    concrete_indices,
    resolve_indices,
    resolve_resources,
    wildcard_regex,
)

from . import test_names as names_cluster

# test_names' cluster (kept there for ``names.resolve_expression``), and two more
INDICES = {
    **names_cluster.INDICES,
    ".visible": False,  # a dot-name whose settings say hidden: false
    "data-hidden": True,  # hidden by its settings, without a dot
}
ALIASES = names_cluster.ALIASES
SORTED = sorted(INDICES)
EVERYTHING = ("employees", "logs-a", "logs-b", "logs-old", "metrics", ".visible")
EVERYTHING += ("logs", "staff", "dangling")  # the aliases


def resources(expression: str) -> Resources:
    return resolve_resources(expression, INDICES, ALIASES)


@pytest.mark.parametrize(
    ("expression", "names", "missing"),
    [
        ("metrics", ("metrics",), ()),
        (" metrics , employees ", ("metrics", "employees"), ()),
        ("metrics,,employees,", ("metrics", "employees"), ()),
        ("", (), ()),
        ("nope,metrics,other", ("metrics",), ("nope", "other")),
        # the expression's order, each name once
        ("metrics,logs-*,metrics", ("metrics", "logs-a", "logs-b", "logs-old"), ()),
        ("_all", EVERYTHING, ()),
        ("_all,metrics", ("metrics",), ("_all",)),
        ("*", EVERYTHING, ()),
        # exclusions: only after a wildcard, left to right, of resources
        ("logs-*,-logs-old", ("logs-a", "logs-b"), ()),
        ("logs-*,-*-old,-logs-a", ("logs-b",), ()),
        ("logs-*,-logs-*,logs-a", ("logs-a",), ()),
        ("logs*,-logs", ("logs-a", "logs-b", "logs-old"), ()),
        ("*,-nope", EVERYTHING, ()),
        ("-logs-old,logs-*", ("logs-a", "logs-b", "logs-old"), ("-logs-old",)),
        ("metrics,-metrics", ("metrics",), ("-metrics",)),
        # aliases: concrete, through wildcards, and dangling
        ("staff", ("staff",), ()),
        ("sta*", ("staff",), ()),
        ("dangling", ("dangling",), ()),
        # hidden indices: named concretely, or by a wildcard when both start with '.'
        (".secret,data-hidden", (".secret", "data-hidden"), ()),
        (".*", (".kibana-1", ".secret", ".visible"), ()),
        (".k*", (".kibana-1",), ()),
        ("*secret,data-*", (), ()),
        ("*visible", (".visible",), ()),
        ("nomatch*", (), ()),
    ],
)
def test_resources(expression: str, names: tuple[str, ...], missing: tuple[str, ...]) -> None:
    found = resources(expression)
    assert (sorted(found.names), found.missing) == (sorted(names), missing)
    assert len(set(found.names)) == len(found.names)
    shortcut = resolve_resources(expression, INDICES, ALIASES, sorted_names=SORTED)
    assert set(shortcut.names) == set(found.names) and shortcut.missing == found.missing


def test_resources_keep_the_order_the_expression_added_them() -> None:
    assert resources("metrics,logs,employees").names == ("metrics", "logs", "employees")


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("logs", ["logs-a", "logs-b"]),
        ("logs,metrics*,-logs", ["metrics"]),
        ("logs*,-logs", ["logs-a", "logs-b", "logs-old"]),
        ("dangling", []),
        ("staff,employees", ["employees"]),
        ("_all", [".visible", "employees", "logs-a", "logs-b", "logs-old", "metrics"]),
        (".*,-.secret", [".kibana-1", ".visible"]),
        ("nope", []),
    ],
)
def test_concrete_indices(expression: str, expected: list[str]) -> None:
    assert resolve_indices(expression, INDICES, ALIASES) == expected
    assert concrete_indices(resources(expression).names, INDICES, ALIASES) == expected


def test_wildcards_treat_other_characters_literally() -> None:
    indices = {"a.b": False, "axb": False, "a?b": False, "a+b": False}
    assert resolve_indices("a.*", indices, {}) == ["a.b"]
    assert resolve_indices("a?*", indices, {}) == ["a?b"]
    assert resolve_indices("a+*", indices, {}) == ["a+b"]
    assert wildcard_regex("a*b").fullmatch("a\nb")


class CountingHidden(Mapping[str, bool]):
    """``INDICES``, counting whose hidden flag was looked up."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def __getitem__(self, name: str) -> bool:
        self.asked.append(name)
        return INDICES[name]

    def __contains__(self, name: object) -> bool:
        return name in INDICES

    def __iter__(self) -> Iterator[str]:
        return iter(SORTED)

    def __len__(self) -> int:
        return len(INDICES)


@pytest.mark.parametrize("sorted_names", [None, SORTED])
def test_hidden_flags_are_read_only_for_what_a_wildcard_matches(
    sorted_names: list[str] | None,
) -> None:
    hidden = CountingHidden()
    names = resolve_resources("metrics,.k*,*-old", hidden, ALIASES, sorted_names=sorted_names)
    assert set(names.names) == {"metrics", ".kibana-1", "logs-old"}
    assert sorted(hidden.asked) == [".kibana-1", "logs-old"]


NAME = st.text(alphabet="ab.-*", min_size=1, max_size=4)


@given(
    indices=st.dictionaries(st.text(alphabet="ab.-", min_size=1, max_size=4), st.booleans()),
    aliases=st.dictionaries(
        st.text(alphabet="abc", min_size=1, max_size=3),
        st.lists(st.text(alphabet="ab.-", min_size=1, max_size=4), max_size=3),
    ),
    parts=st.lists(NAME, min_size=1, max_size=4),
)
def test_the_prefix_shortcut_matches_the_scan(
    indices: dict[str, bool], aliases: dict[str, list[str]], parts: list[str]
) -> None:
    expression = ",".join(parts)
    scanned = resolve_resources(expression, indices, aliases)
    ranged = resolve_resources(expression, indices, aliases, sorted_names=sorted(indices))
    assert set(ranged.names) == set(scanned.names) and ranged.missing == scanned.missing
