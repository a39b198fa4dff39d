"""Date parsing fast paths give exactly what the general path gives."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from esqlsh.clusters.convert import parse_date_values, parse_dates


def _two(low: int, high: int) -> st.SearchStrategy[str]:
    return st.integers(low, high).map(lambda n: f"{n:02d}")


_ISO = st.builds(
    lambda y, m, d, h, mi, s, ms, shape: (
        f"{y:04d}-{m}-{d}"
        + ("" if shape == 0 else f"T{h}:{mi}:{s}")
        + ("" if shape < 2 else f".{ms:03d}")
        + ("" if shape == 0 else "Z")
    ),
    st.one_of(st.integers(0, 9999), st.sampled_from([0, 1600, 1900, 1970, 2000, 2024])),
    _two(0, 13),
    _two(0, 32),
    _two(0, 25),
    _two(0, 61),
    _two(0, 61),
    st.integers(0, 999),
    st.integers(0, 2),
)
_OTHER = st.sampled_from(
    ["1698069301543", "2023-10-23T13:55:01.543123Z", "2020-01-01T00:00:00.5-05:30", "x", ""]
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(_ISO, _OTHER), min_size=1, max_size=40))
def test_fast_paths_match_the_general_path(texts: list[str]) -> None:
    values = pl.Series("v", texts)
    for unit in ("ms", "ns"):
        general = values.to_frame().lazy().select(parse_dates(pl.col("v"), unit)).collect()
        # Physical values: Python's datetime has no year 0.
        expected = general.to_series().to_physical().to_list()
        assert parse_date_values(values, unit).to_physical().to_list() == expected
