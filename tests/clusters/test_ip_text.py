"""Vectorised ip text against Python's ``ipaddress`` (``convert.canonical_ip``,
``ordering.encode_ip``)."""

from __future__ import annotations

import ipaddress

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from esqlsh.clusters.convert import canonical_ip
from esqlsh.clusters.ip_text import canonical_ips, ip_sort_keys
from esqlsh.engine.ordering import encode_ip


def _spellings(value: int, style: int) -> str:
    """An IPv6 address written one of several legal ways."""
    address = ipaddress.IPv6Address(value)
    groups = address.exploded.split(":")
    if style == 0:
        return address.compressed
    if style == 1:
        return address.exploded.upper()
    if style == 2:
        return ":".join(g.lstrip("0") or "0" for g in groups)
    if style == 3:
        ipv4 = ipaddress.IPv4Address(value & 0xFFFFFFFF)
        return ":".join(groups[:6]) + ":" + str(ipv4)
    if style == 4:
        return f"::ffff:{ipaddress.IPv4Address(value & 0xFFFFFFFF)}"
    return address.compressed.replace("::", ":0:", 1) if "::" in address.compressed else "::"


_ADDRESSES = st.one_of(
    st.builds(
        _spellings,
        st.one_of(
            st.integers(0, 2**128 - 1),
            st.integers(0, 2**32 - 1),
            st.sampled_from([0, 1, 2**64, 0xFFFF << 32, (1 << 112) | 1]),
        ),
        st.integers(0, 5),
    ),
    st.builds(str, st.builds(ipaddress.IPv4Address, st.integers(0, 2**32 - 1))),
    st.text(st.sampled_from(list("0123456789abcdefAF:.% ")), max_size=24),
)


def _expected_key(text: str) -> str | None:
    return encode_ip(text.strip()).hex() if canonical_ip(text) is not None else None  # type: ignore[union-attr]


@settings(max_examples=150, deadline=None)
@given(st.lists(_ADDRESSES, min_size=1, max_size=30))
def test_matches_ipaddress(texts: list[str]) -> None:
    values = pl.Series(texts + texts[:3])  # repeats take the per-distinct path
    assert canonical_ips(values).to_list() == [canonical_ip(t) for t in values]
    assert ip_sort_keys(values).to_list() == [_expected_key(t) for t in values]


def test_nulls_and_edge_cases() -> None:
    values = pl.Series(
        [None, "::", "::1", "1::", "1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:8::", "1::2::3", ":1::2"]
    )
    assert (
        canonical_ips(values).to_list()
        == [None, "::", "::1", "1::", "1:2:3:4:5:6:7:0"] + [None] * 3
    )
    assert ip_sort_keys(pl.Series(["10.0.0.1"])).to_list() == ["00000000000000000000ffff0a000001"]
