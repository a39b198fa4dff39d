"""SUM and AVG of integral values at the edges of the long range.

The sum of a group is exact (Int128) and must fit a long: exactly at LONG_MAX /
LONG_MIN it is that long, one past it is null with Elasticsearch's ``long
overflow`` warning. Running sums that leave the range on the way, but end in
it, give the exact total without a warning (the order of the rows is not the
query's to know). Pinned for every way the engine computes a sum: the fast path
(a plain column in STATS), the general one (a filtered aggregate), multi-valued
input, grouped and not, integers wider than an int, and the partial aggregates
of a query over two clusters, merged on the coordinator.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import pytest

from esqlsh.clusters import layout
from esqlsh.clusters.config import ClusterSpec, Config
from esqlsh.clusters.embedded import EmbeddedCluster
from esqlsh.clusters.registry import Registry
from esqlsh.coordinator import run_federated
from esqlsh.coordinator.session import run_query
from esqlsh.render.values import to_es_values

LONG_MAX = 2**63 - 1
LONG_MIN = -(2**63)
INT_MAX = 2**31 - 1
INT_MIN = -(2**31)
LIMIT_WARNING = "No limit defined, adding default limit of [1000]"
OVERFLOW = "java.lang.ArithmeticException: long overflow"

# (group, l) rows; each group's first row goes to cluster a, the others to b.
ROWS: list[tuple[str, int | None]] = [
    ("max", LONG_MAX - 5),
    ("max", 5),
    ("past", LONG_MAX - 5),
    ("past", 6),
    ("min", LONG_MIN + 5),
    ("min", -5),
    ("under", LONG_MIN + 5),
    ("under", -6),
    # 2 * LONG_MAX + 2 * LONG_MIN + 2 + 7: out of range on the way, 7 at the end
    ("mixed", LONG_MAX),
    ("mixed", LONG_MAX),
    ("mixed", LONG_MIN),
    ("mixed", LONG_MIN + 2),
    ("mixed", 7),
    ("nulls", None),
    ("nulls", 3),
    ("nulls", None),
    ("nulls", -4),
    ("empty", None),
    ("empty", None),
]
EXPECTED_SUMS = {
    "max": LONG_MAX,
    "past": None,
    "min": LONG_MIN,
    "under": None,
    "mixed": 7,
    "nulls": -1,
    "empty": None,
}
GROUPS = list(EXPECTED_SUMS)
OVERFLOWING = [g for g in GROUPS if EXPECTED_SUMS[g] is None and g != "empty"]

# Multi-valued rows (group, m): every value counts.
MULTI: list[tuple[str, list[int] | None]] = [
    ("mv_fit", [LONG_MAX, LONG_MAX]),
    ("mv_fit", [LONG_MIN, LONG_MIN, 9]),  # 7 in all
    ("mv_fit", None),
    ("mv_past", [LONG_MAX, 1]),
    ("mv_max", [LONG_MAX - 1]),
    ("mv_max", [1, -1, 1]),
]


def _write_index(root: Path, frame: pl.DataFrame, mapping: dict[str, str]) -> None:
    folder = layout.index_dir(root, "nums")
    folder.mkdir(parents=True)
    ids = pl.int_range(pl.len()).cast(pl.String).alias(layout.ID_COLUMN)
    frame.select(ids, pl.all()).write_parquet(folder / layout.DATA_FILE)
    properties = {field: {"type": t} for field, t in mapping.items()}
    layout.write_json(folder / layout.MAPPING_FILE, {"properties": properties})


def _ints(longs: list[int] | None) -> list[int] | None:
    """``longs`` as ints: the extremes of the long range become those of int."""
    if longs is None:
        return None
    return [max(INT_MIN, min(INT_MAX, v)) for v in longs]


def _frame(
    rows: list[tuple[str, int | None]], multi: list[tuple[str, list[int] | None]]
) -> pl.DataFrame:
    keys = [k for k, _ in rows] + [k for k, _ in multi]
    return pl.DataFrame(
        {
            "k": keys,
            "l": [v for _, v in rows] + [None] * len(multi),
            "m": [None] * len(rows) + [v for _, v in multi],
            # integers: their sum must not wrap as an int
            "i": [{"max": INT_MAX, "min": INT_MIN}.get(k) for k in keys],
            "j": [None] * len(rows) + [_ints(v) for _, v in multi],
        },
        schema={
            "k": pl.String,
            "l": pl.Int64,
            "m": pl.List(pl.Int64),
            "i": pl.Int32,
            "j": pl.List(pl.Int32),
        },
    )


MAPPING = {"k": "keyword", "l": "long", "m": "long", "i": "integer", "j": "integer"}


def _split(rows: list[Any]) -> tuple[list[Any], list[Any]]:
    """Each group's first row, and the others."""
    seen: set[str] = set()
    first, rest = [], []
    for row in rows:
        (rest if row[0] in seen else first).append(row)
        seen.add(row[0])
    return first, rest


@pytest.fixture(scope="module")
def roots(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("long_sums")
    (a_rows, b_rows), (a_multi, b_multi) = _split(ROWS), _split(MULTI)
    parts = {"one": (ROWS, MULTI), "a": (a_rows, a_multi), "b": (b_rows, b_multi)}
    out = {}
    for name, (rows, multi) in parts.items():
        _write_index(base / name, _frame(rows, multi), MAPPING)
        out[name] = base / name
    return out


@pytest.fixture(scope="module")
def one(roots: dict[str, Path]) -> EmbeddedCluster:
    return EmbeddedCluster(roots["one"])


def query(cluster: EmbeddedCluster, text: str) -> tuple[list[list[Any]], list[str]]:
    result = run_query(text, cluster)
    return to_es_values(result), [w for w in result.warnings if w != LIMIT_WARNING]


def federated(roots: dict[str, Path], text: str) -> tuple[list[list[Any]], list[str]]:
    specs = {a: ClusterSpec(alias=a, type="embedded", path=roots[a]) for a in ("a", "b")}
    with Registry.from_config(Config(None, specs, None)) as reg:
        result = run_federated(text, reg)
    return to_es_values(result), [w for w in result.warnings if w != LIMIT_WARNING]


def _overflow_warnings(text: str, call: str) -> list[str]:
    """Elasticsearch's warnings for overflows of ``call`` in ``text``: the same
    message once, however many groups overflowed."""
    column = text.index(call) + 1
    head = (
        f"Line 1:{column}: evaluation of [{call}] failed, treating result as null. "
        "Only first 20 failures recorded."
    )
    return [head, f"Line 1:{column}: {OVERFLOW}"]


def _by_group(rows: list[list[Any]]) -> dict[str, list[Any]]:
    return {row[-1]: row[:-1] for row in rows}


# The fast path (a plain column) and the general one (a filtered aggregate).
SUMS = {"fast": "SUM(l)", "general": "SUM(l) WHERE true"}


@pytest.mark.parametrize("path", SUMS)
def test_grouped_sums_at_the_edges(one: EmbeddedCluster, path: str) -> None:
    text = f'FROM nums | WHERE NOT k LIKE "mv_*" | STATS s = {SUMS[path]} BY k'
    rows, warnings = query(one, text)
    assert _by_group(rows) == {g: [EXPECTED_SUMS[g]] for g in GROUPS}
    assert warnings == _overflow_warnings(text, "SUM(l)")


@pytest.mark.parametrize("path", SUMS)
@pytest.mark.parametrize("group", GROUPS)
def test_ungrouped_sum_at_the_edges(one: EmbeddedCluster, path: str, group: str) -> None:
    text = f'FROM nums | WHERE k == "{group}" | STATS s = {SUMS[path]}'
    rows, warnings = query(one, text)
    assert rows == [[EXPECTED_SUMS[group]]]
    expected = _overflow_warnings(text, "SUM(l)") if group in OVERFLOWING else []
    assert warnings == expected


@pytest.mark.parametrize("path", ["AVG(l)", "AVG(l) WHERE true"])
def test_avg_of_longs_at_the_edges(one: EmbeddedCluster, path: str) -> None:
    text = f"FROM nums | STATS a = {path}, c = COUNT(l) BY k"
    rows, warnings = query(one, text)
    by_group = _by_group(rows)
    assert set(by_group) == {*GROUPS, *(k for k, _ in MULTI)}
    for g in GROUPS:
        total, count = EXPECTED_SUMS[g], by_group[g][1]
        assert by_group[g][0] == (None if total is None else total / count), g
    assert warnings == _overflow_warnings(text, "AVG(l)")


def test_the_sum_exactly_at_long_max_is_exact(one: EmbeddedCluster) -> None:
    """Not a double's neighbour of LONG_MAX: every digit."""
    rows, _ = query(one, 'FROM nums | WHERE k == "max" | STATS s = SUM(l)')
    assert rows[0][0] == 9223372036854775807


def test_multi_valued_sums(one: EmbeddedCluster) -> None:
    text = 'FROM nums | WHERE k LIKE "mv_*" | STATS s = SUM(m), a = AVG(m), c = COUNT(m) BY k'
    rows, warnings = query(one, text)
    assert _by_group(rows) == {
        "mv_fit": [7, 7 / 5, 5],
        "mv_past": [None, None, 2],
        "mv_max": [LONG_MAX, LONG_MAX / 4, 4],
    }
    assert warnings == _overflow_warnings(text, "SUM(m)") + _overflow_warnings(text, "AVG(m)")


@pytest.mark.parametrize("path", ["", " WHERE true"])
def test_integer_sums_are_exact_longs(one: EmbeddedCluster, path: str) -> None:
    """Past the int range, exactly: no int wraps, no overflow either way."""
    text = f"FROM nums | STATS s = SUM(i){path}, a = AVG(i){path}, c = COUNT(i) BY k"
    by_group = _by_group(query(one, text)[0])
    assert by_group["max"] == [2 * INT_MAX, float(INT_MAX), 2]
    assert by_group["min"] == [2 * INT_MIN, float(INT_MIN), 2]
    assert by_group["nulls"] == [None, None, 0]
    text = f"FROM nums | STATS s = SUM(i){path} | EVAL t = TO_STRING(s)"
    rows, warnings = query(one, text)
    assert rows == [[-2, "-2"]]
    assert warnings == []


def test_multi_valued_integer_sums(one: EmbeddedCluster) -> None:
    text = 'FROM nums | WHERE k LIKE "mv_*" | STATS s = SUM(j), a = AVG(j) BY k'
    rows, warnings = query(one, text)
    # [INT_MAX, INT_MAX], [INT_MIN, INT_MIN, 9]; [INT_MAX, 1]; [INT_MAX], [1, -1, 1]
    assert _by_group(rows) == {
        "mv_fit": [7, 7 / 5],
        "mv_past": [INT_MAX + 1, (INT_MAX + 1) / 2],
        "mv_max": [INT_MAX + 1, (INT_MAX + 1) / 4],
    }
    assert warnings == []


def test_sum_over_no_values_is_null_without_a_warning(one: EmbeddedCluster) -> None:
    rows, warnings = query(one, 'FROM nums | WHERE k == "empty" | STATS s = SUM(l), c = COUNT(l)')
    assert rows == [[None, 0]]
    assert warnings == []
    rows, warnings = query(one, 'FROM nums | WHERE k == "nowhere" | STATS s = SUM(l), a = AVG(l)')
    assert rows == [[None, None]]
    assert warnings == []


# ------------------------------------------------ partials on two clusters, merged


def test_partial_sums_merge_to_the_single_cluster_answer(
    roots: dict[str, Path], one: EmbeddedCluster
) -> None:
    """Each cluster's partial sums fit (``mixed`` leaves the range inside cluster
    b, and comes back); where the merged total does not, the coordinator answers
    null with the warning, at the aggregate's position in the query."""
    tail = '| WHERE NOT k LIKE "mv_*" | STATS s = SUM(l), a = AVG(l), c = COUNT(l) BY k'
    text = f"FROM a:nums,b:nums {tail}"
    rows, warnings = federated(roots, text)
    single, _ = query(one, f"FROM nums {tail}")
    assert _by_group(rows) == _by_group(single)
    assert _by_group(rows)["mixed"][0] == 7
    assert _by_group(rows)["max"][0] == LONG_MAX
    assert warnings == (_overflow_warnings(text, "SUM(l)") + _overflow_warnings(text, "AVG(l)"))


def test_partial_sums_ungrouped(roots: dict[str, Path]) -> None:
    rows, warnings = federated(roots, 'FROM a:nums,b:nums | WHERE k == "max" | STATS s = SUM(l)')
    assert (rows, warnings) == ([[LONG_MAX]], [])
    text = 'FROM a:nums,b:nums | WHERE k == "past" | STATS s = SUM(l)'
    rows, warnings = federated(roots, text)
    assert rows == [[None]]
    assert warnings == _overflow_warnings(text, "SUM(l)")


def test_partial_sums_of_multi_values(roots: dict[str, Path], one: EmbeddedCluster) -> None:
    tail = '| WHERE k IN ("mv_past", "mv_max") | STATS s = SUM(m), c = COUNT(m) BY k'
    rows, _ = federated(roots, f"FROM a:nums,b:nums {tail}")
    single, _ = query(one, f"FROM nums {tail}")
    assert _by_group(rows) == _by_group(single)


def test_a_clusters_overflowing_partial_makes_the_total_null(roots: dict[str, Path]) -> None:
    """Cluster a's rows of ``mv_fit`` sum past LONG_MAX: its partial is null with
    the warning, and so is the total (as one cluster adding its rows in that
    order would answer), though all the rows together sum to 7."""
    text = 'FROM a:nums,b:nums | WHERE k == "mv_fit" | STATS s = SUM(m)'
    rows, warnings = federated(roots, text)
    assert rows == [[None]]
    assert warnings == _overflow_warnings(text, "SUM(m)")
