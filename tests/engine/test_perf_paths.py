"""The engine's fast paths (issue 7) give the answers of the general ones.

Pinned here, over an embedded cluster written directly as Parquet:

- SUM/AVG of a long: exact Int128 partial sums, null plus Elasticsearch's
  ``long overflow`` warning exactly past the long range, as the general path does;
- SUM/AVG of a double: split sums, correctly rounded on ordinary data, equal to
  the general (filtered) path;
- group order (first appearance, the null group first with one key) without
  ``maintain_order``; COUNT_DISTINCT as two plain aggregations;
- EVAL failures deferred to the STATS (or the final collect): the same warnings,
  in the same order, and no collect before the end when nothing failed;
- predicates and projections pushed into the Parquet scan;
- LIKE's literal patterns (``*x*``, ``x*``, ``*x``) and CIDR_MATCH's IPv4 blocks
  as text tests: the answers of the regex and of the parsed addresses;
- double division by a constant: a true division, checked only when it can fail.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from esqlsh.clusters import layout
from esqlsh.clusters.embedded import EmbeddedCluster
from esqlsh.coordinator.session import run_query
from esqlsh.engine.functions import ip as ip_functions
from esqlsh.engine.functions import operators
from esqlsh.engine.functions.operators import _literal_wildcard, wildcard_to_regex
from esqlsh.render.values import to_es_values

LONG_MAX = 2**63 - 1
LONG_MIN = -(2**63)
LIMIT_WARNING = "No limit defined, adding default limit of [1000]"
OVERFLOW = "java.lang.ArithmeticException: long overflow"


def _write_index(root: Path, name: str, frame: pl.DataFrame, mapping: dict[str, str]) -> None:
    folder = layout.index_dir(root, name)
    folder.mkdir(parents=True)
    ids = pl.int_range(pl.len()).cast(pl.String).alias(layout.ID_COLUMN)
    frame.select(ids, pl.all()).write_parquet(folder / layout.DATA_FILE)
    properties = {field: {"type": t} for field, t in mapping.items()}
    layout.write_json(folder / layout.MAPPING_FILE, {"properties": properties})


def _doubles(rng: random.Random, n: int) -> list[float | None]:
    """Doubles of ordinary spread (a few binades), some negative, some null."""
    return [None if i % 17 == 0 else rng.uniform(-50.0, 1000.0) for i in range(n)]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> EmbeddedCluster:
    root = tmp_path_factory.mktemp("perf_paths")
    rng = random.Random(7)
    n = 3000
    groups = ["b", None, "a", "c", "a", "b"]
    events = pl.DataFrame(
        {
            "g": [groups[i % len(groups)] for i in range(n)],
            "h": [f"h{(i * 7) % 5}" for i in range(n)],
            "l": [None if i % 11 == 0 else rng.randint(-(10**6), 10**6) for i in range(n)],
            "d": _doubles(rng, n),
            "x": [None if i % 13 == 0 else f"v{(i * 31) % 23}" for i in range(n)],
            "url": [
                f"/api/v{i % 3}/{['users', 'items', 'us*ers'][i % 3]}/{i % 5}" for i in range(n)
            ],
            "tags": [
                None if i % 9 == 0 else [f"t{(i + k) % 4}" for k in range(1 + i % 3)]
                for i in range(n)
            ],
        },
        schema={
            "g": pl.String,
            "h": pl.String,
            "l": pl.Int64,
            "d": pl.Float64,
            "x": pl.String,
            "url": pl.String,
            "tags": pl.List(pl.String),
        },
    )
    _write_index(
        root,
        "events",
        events,
        {
            "g": "keyword",
            "h": "keyword",
            "l": "long",
            "d": "double",
            "x": "keyword",
            "url": "keyword",
            "tags": "keyword",
        },
    )
    # Sums at the edges of the long range: a and d fit exactly, b and c do not.
    big = pl.DataFrame(
        {
            "k": ["a", "a", "b", "b", "c", "c", "d", "e"],
            "l": [LONG_MAX - 1, 1, LONG_MAX, 1, LONG_MIN, -1, LONG_MIN, None],
        },
        schema={"k": pl.String, "l": pl.Int64},
    )
    _write_index(root, "big", big, {"k": "keyword", "l": "long"})
    return EmbeddedCluster(root)


def query(cluster: EmbeddedCluster, text: str) -> tuple[list[list[Any]], list[str]]:
    result = run_query(text, cluster)
    return to_es_values(result), [w for w in result.warnings if w != LIMIT_WARNING]


@contextmanager
def collected_plans() -> Iterator[list[pl.LazyFrame]]:
    """The lazy frames collected while the block runs."""
    plans: list[pl.LazyFrame] = []
    original = pl.LazyFrame.collect

    def collect(self: pl.LazyFrame, *args: Any, **kwargs: Any) -> pl.DataFrame:
        plans.append(self)
        return original(self, *args, **kwargs)

    pl.LazyFrame.collect = collect  # type: ignore[method-assign]
    try:
        yield plans
    finally:
        pl.LazyFrame.collect = original  # type: ignore[method-assign]


# ----------------------------------------------------------------- long sums


def test_long_sum_overflows_exactly_past_the_range(cluster: EmbeddedCluster) -> None:
    rows, warnings = query(cluster, "FROM big | STATS s = SUM(l) BY k | SORT k")
    assert rows == [[LONG_MAX, "a"], [None, "b"], [None, "c"], [LONG_MIN, "d"], [None, "e"]]
    assert warnings == [
        "Line 1:22: evaluation of [SUM(l)] failed, treating result as null. "
        "Only first 20 failures recorded.",
        f"Line 1:22: {OVERFLOW}",
    ]


def test_long_sum_fast_path_equals_the_filtered_path(cluster: EmbeddedCluster) -> None:
    fast = query(cluster, "FROM big | STATS s = SUM(l), a = AVG(l) BY k | SORT k")
    general = query(
        cluster, "FROM big | STATS s = SUM(l) WHERE true, a = AVG(l) WHERE true BY k | SORT k"
    )
    assert fast[0] == general[0]
    assert [w.split(": ", 1)[1] for w in fast[1]] == [w.split(": ", 1)[1] for w in general[1]]
    assert fast[0][0] == [LONG_MAX, LONG_MAX / 2, "a"]


def test_avg_of_long_warns_on_overflow(cluster: EmbeddedCluster) -> None:
    rows, warnings = query(cluster, 'FROM big | WHERE k == "b" | STATS a = AVG(l)')
    assert rows == [[None]]
    assert warnings[-1] == f"Line 1:39: {OVERFLOW}"


def test_long_sum_without_values_is_null(cluster: EmbeddedCluster) -> None:
    rows, warnings = query(cluster, 'FROM big | WHERE k == "e" | STATS s = SUM(l), c = COUNT(l)')
    assert rows == [[None, 0]]
    assert warnings == []


# --------------------------------------------------------------- double sums


def _exact_sums(cluster: EmbeddedCluster) -> dict[str | None, float]:
    frame = pl.read_parquet(layout.index_dir(cluster.path, "events") / layout.DATA_FILE)
    return {
        key: math.fsum(v for v in frame.filter(pl.col("g").eq_missing(key))["d"] if v is not None)
        for key in frame["g"].unique().to_list()
    }


def test_double_sum_is_correctly_rounded(cluster: EmbeddedCluster) -> None:
    rows, _ = query(cluster, "FROM events | STATS s = SUM(d), a = AVG(d), n = COUNT(d) BY g")
    exact = _exact_sums(cluster)
    for total, mean, count, key in rows:
        assert total == exact[key]
        assert mean == exact[key] / count


def test_double_sum_fast_path_equals_the_filtered_path(cluster: EmbeddedCluster) -> None:
    fast, _ = query(cluster, "FROM events | STATS s = SUM(d), a = AVG(d) BY g")
    general, _ = query(
        cluster, "FROM events | STATS s = SUM(d) WHERE true, a = AVG(d) WHERE true BY g"
    )
    assert fast == general


def test_double_sum_of_evaluated_values_without_by(cluster: EmbeddedCluster) -> None:
    rows, warnings = query(cluster, "FROM events | EVAL k = d / 1024.0 | STATS s = SUM(k)")
    frame = pl.read_parquet(layout.index_dir(cluster.path, "events") / layout.DATA_FILE)
    assert rows == [[math.fsum(v / 1024.0 for v in frame["d"] if v is not None)]]
    assert warnings == []


# -------------------------------------------------------------- group order


def test_one_key_groups_null_first_then_first_appearance(cluster: EmbeddedCluster) -> None:
    rows, _ = query(cluster, "FROM events | STATS c = COUNT(*) BY g")
    assert [r[1] for r in rows] == [None, "b", "a", "c"]
    assert sum(r[0] for r in rows) == 3000


def test_two_key_groups_in_first_appearance(cluster: EmbeddedCluster) -> None:
    rows, _ = query(cluster, "FROM events | STATS c = COUNT(*) BY g, h")
    frame = pl.read_parquet(layout.index_dir(cluster.path, "events") / layout.DATA_FILE)
    expected = frame.select("g", "h").unique(maintain_order=True).rows()
    assert [(r[1], r[2]) for r in rows] == expected


def test_multi_valued_key_groups_in_first_appearance(cluster: EmbeddedCluster) -> None:
    rows, _ = query(cluster, "FROM events | STATS c = COUNT(*) BY tags")
    assert [r[1] for r in rows] == [None, "t1", "t2", "t3", "t0"]


def test_count_distinct_two_step_equals_per_group_count(cluster: EmbeddedCluster) -> None:
    alone, _ = query(cluster, "FROM events | STATS n = COUNT_DISTINCT(x) BY g")
    mixed, _ = query(cluster, "FROM events | STATS n = COUNT_DISTINCT(x), c = COUNT(*) BY g")
    assert alone == [[n, key] for n, _, key in mixed]
    frame = pl.read_parquet(layout.index_dir(cluster.path, "events") / layout.DATA_FILE)
    for n, key in alone:
        assert n == frame.filter(pl.col("g").eq_missing(key))["x"].drop_nulls().n_unique()


def test_count_distinct_of_only_nulls_is_zero(cluster: EmbeddedCluster) -> None:
    rows, _ = query(
        cluster, "FROM big | EVAL n = TO_STRING(null) | STATS c = COUNT_DISTINCT(k) BY n"
    )
    assert rows == [[5, None]]


# ----------------------------------------------------------- deferred failures

_OVERFLOWING = "FROM big | EVAL m = l * 2"


def test_eval_failures_reach_a_stats(cluster: EmbeddedCluster) -> None:
    rows, warnings = query(cluster, _OVERFLOWING + " | STATS c = COUNT(m), n = COUNT(*)")
    assert rows == [[3, 8]]
    assert warnings[0] == (
        "Line 1:21: evaluation of [l * 2] failed, treating result as null. "
        "Only first 20 failures recorded."
    )
    assert warnings[1:] == [f"Line 1:21: {OVERFLOW}"]


def test_eval_failures_reach_the_result_and_a_filter_alike(cluster: EmbeddedCluster) -> None:
    _, at_end = query(cluster, _OVERFLOWING + " | KEEP m")
    _, before_filter = query(cluster, _OVERFLOWING + " | WHERE m IS NULL | KEEP m")
    _, before_stats = query(cluster, _OVERFLOWING + " | STATS c = COUNT(*) BY m")
    assert at_end == before_filter == before_stats
    assert len(at_end) == 2


def test_eval_failures_pass_keep_and_rename(cluster: EmbeddedCluster) -> None:
    text = _OVERFLOWING + " | KEEP m, k | RENAME m AS n | STATS c = COUNT(n) BY k | SORT k"
    with collected_plans() as plans:
        rows, warnings = query(cluster, text)
    assert rows == [[1, "a"], [1, "b"], [1, "c"], [0, "d"], [0, "e"]]
    assert warnings == query(cluster, _OVERFLOWING + " | KEEP m")[1]
    # the data is read once more, for the messages: some rows failed
    assert sum("Parquet SCAN" in plan.explain() for plan in plans) == 2


def test_first_twenty_failures_in_row_order(cluster: EmbeddedCluster) -> None:
    text = "FROM events | EVAL q = TO_INTEGER(x) | STATS c = COUNT(q)"
    rows, warnings = query(cluster, text)
    frame = pl.read_parquet(layout.index_dir(cluster.path, "events") / layout.DATA_FILE)
    failing = [v for v in frame["x"] if v is not None][:20]
    assert rows == [[0]]
    assert len(warnings) == 21
    assert [w.split('"')[-2] for w in warnings[1:]] == failing


def test_failures_of_an_eval_and_of_the_stats_in_order(cluster: EmbeddedCluster) -> None:
    _, warnings = query(cluster, _OVERFLOWING + " | STATS s = SUM(l), c = COUNT(m) BY k")
    assert [w.split(": ", 1)[0] for w in warnings] == ["Line 1:21"] * 2 + ["Line 1:39"] * 2


def test_no_collect_before_the_end_without_failures(cluster: EmbeddedCluster) -> None:
    with collected_plans() as plans:
        rows, warnings = query(
            cluster, "FROM events | EVAL k = l + 1, r = d / 2.0 | STATS s = SUM(k), m = MAX(r)"
        )
    assert warnings == []
    # one pass over the data: the STATS's (then a collect of its few rows)
    assert sum("Parquet SCAN" in plan.explain() for plan in plans) == 1


# ------------------------------------------------------------ scan pushdown


def _scan_plan(cluster: EmbeddedCluster, text: str) -> str:
    with collected_plans() as plans:
        run_query(text, cluster)
    return plans[0].explain()


def test_where_runs_in_the_parquet_scan(cluster: EmbeddedCluster) -> None:
    plan = _scan_plan(cluster, 'FROM events | WHERE g == "a" AND d > 10.0 | STATS c = COUNT(*)')
    scan = plan[plan.index("Parquet SCAN") :]
    assert "SELECTION:" in scan and "PROJECT 2/" in scan


def test_like_runs_in_the_parquet_scan_as_a_substring_test(cluster: EmbeddedCluster) -> None:
    plan = _scan_plan(cluster, 'FROM events | WHERE url LIKE "*/users/*" | STATS c = COUNT(*)')
    assert 'SELECTION: col("url").str.contains(["/users/"])' in plan


def test_stats_aggregates_are_plain(cluster: EmbeddedCluster) -> None:
    plan = _scan_plan(
        cluster, "FROM events | STATS s = SUM(l), a = AVG(d), c = COUNT(x), m = MAX(d) BY g"
    )
    aggregate = plan[plan.index("AGGREGATE") : plan.index("FROM")]
    assert "when(" not in aggregate and "drop_nulls" not in aggregate


# --------------------------------------------------------------------- LIKE

PATTERNS = [
    "*users*",
    "users*",
    "*users",
    "users",
    "*",
    "**",
    "",
    "*s/*",
    "/api*",
    "*us\\*ers*",
    "*us*ers*",
    "*use?s*",
    "\\*",
    "*\\\\*",
    "*/4",
]
TEXTS = [
    "/api/v0/users/1",
    "users",
    "/api/v1/us*ers/2",
    "",
    "*",
    "x\nusers\ny",
    "USERS",
    "\\",
    "a\\b",
    "us*ers",
    "/api",
    "/4",
    None,
]


@pytest.mark.parametrize("pattern", PATTERNS)
def test_like_literal_fast_path_equals_the_regex(pattern: str) -> None:
    frame = pl.DataFrame({"s": TEXTS}, schema={"s": pl.String})
    regex = frame.select(pl.col("s").str.contains(wildcard_to_regex(pattern))).to_series()
    fast = _literal_wildcard(pl.col("s"), pattern)
    if fast is not None:
        assert frame.select(fast).to_series().to_list() == regex.to_list()


def test_like_fast_path_fires_on_literal_patterns() -> None:
    for pattern in ("*users*", "users*", "*users", "users", "*"):
        assert _literal_wildcard(pl.col("s"), pattern) is not None
    for pattern in ("*us?rs*", "*us*ers*", "*us\\*ers*"):
        assert _literal_wildcard(pl.col("s"), pattern) is None


@pytest.mark.parametrize("where", ["WHERE {f} LIKE {p}", "WHERE {f} LIKE {p} OR LENGTH(g) > 5"])
@pytest.mark.parametrize(
    ("field", "pattern"), [("url", "*users*"), ("tags", "*t1*"), ("tags", "t2")]
)
def test_like_fast_and_regex_paths_agree_in_queries(
    cluster: EmbeddedCluster, monkeypatch: pytest.MonkeyPatch, where: str, field: str, pattern: str
) -> None:
    """The same query with the fast path and with the regex. Multi-valued rows:
    dropped on the index-scan path, a warning and null on the general one (OR
    with a condition that does not go to the index)."""
    text = f"FROM events | {where.format(f=field, p=repr(pattern).replace(chr(39), chr(34)))}"
    text += " | STATS c = COUNT(*)"
    fast = query(cluster, text)
    monkeypatch.setattr(operators, "_literal_wildcard", lambda operand, pattern: None)
    regex = query(cluster, text)
    assert fast == regex
    assert fast[0][0][0] > 0


# --------------------------------------------------------------- CIDR_MATCH


def _addresses(rng: random.Random, n: int) -> list[str | None]:
    octets = [0, 1, 10, 127, 128, 192, 255]
    out: list[str | None] = []
    for i in range(n):
        if i % 10 == 9:
            out.append(None)
        elif i % 3 == 2:
            out.append(":".join(format(rng.randint(0, 0xFFFF), "x") for _ in range(8)))
        else:
            out.append(".".join(str(rng.choice(octets + [rng.randint(0, 255)])) for _ in range(4)))
    return out


def test_cidr_match_ipv4_text_path_equals_parsing() -> None:
    rng = random.Random(11)
    text = ip_functions.canonical_ip(pl.Series("ip", _addresses(rng, 1500), dtype=pl.String))
    frame = pl.DataFrame({"ip": text})
    packed = frame.select(pl.struct(pl.col("ip")).alias("p"))["p"]
    blocks = [f"{rng.randint(0, 255)}.{rng.choice([0, 1, 10])}.0.0/{b}" for b in range(33)]
    blocks += ["10.0.0.0/8", "0.0.0.0/0", "192.168.1.7/32", "127.0.0.1/31"]
    for block in blocks:
        constants = [ip_functions.constant_block(block)]
        fast = ip_functions._constant_v4_match(pl.col("ip"), constants)
        assert fast is not None
        parsed = ip_functions.cidr_match_series(packed, constants).struct.field("found")
        assert frame.select(fast).to_series().to_list() == parsed.to_list(), block


def test_cidr_match_ipv6_blocks_keep_the_parsing_path() -> None:
    block = ip_functions.constant_block("2001:db8::/32")
    assert ip_functions._constant_v4_match(pl.col("ip"), [block]) is None


# ------------------------------------------------------------------ division


def test_double_division_is_a_true_division(cluster: EmbeddedCluster) -> None:
    rows, warnings = query(cluster, "ROW a = 19.0, b = 2.05 | EVAL q = a / 10, r = b / 0.05")
    assert rows == [[19.0, 2.05, 1.9, 40.99999999999999]]
    assert warnings == []


def test_division_by_a_large_constant_is_unchecked_by_zero_checked(
    cluster: EmbeddedCluster,
) -> None:
    with collected_plans() as plans:
        _, warnings = query(cluster, "FROM events | EVAL q = d / 1024.0 | KEEP q | LIMIT 3")
    assert warnings == []
    assert "is_finite" not in plans[-1].explain()
    _, warnings = query(cluster, "ROW a = 1.0 | EVAL q = a / 0.0")
    assert warnings[-1] == "Line 1:24: java.lang.ArithmeticException: / by zero"
    rows, warnings = query(cluster, "ROW a = 1.0E308 | EVAL q = a / 0.5")
    assert rows == [[1.0e308, None]]
    assert warnings[-1] == "Line 1:28: java.lang.ArithmeticException: / by zero"
