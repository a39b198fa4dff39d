"""IP implementations: CIDR blocks in the 128-bit space, prefixes, canonical text."""

from __future__ import annotations

import ipaddress

import polars as pl
import pytest

from esqlsh.analysis.types import DataType as T
from esqlsh.engine.functions.ip import canonical_ip

from .helpers import columns, const

K = T.KEYWORD
ADDRESSES = [
    "10.1.2.3",
    "127.0.0.1",
    "::1",
    "::",
    "1::",
    "2001:db8::ff00:42:8329",
    "fe80::cae2:65ff:fece:feb9",
    "0:0:1:0:0:1:0:0",
    "1:0:0:2:0:0:0:3",
    "1:0:0:0:2:0:0:3",
    "1:2:3:4:5:6:7:8",
    "::ffff:a01:203",
    "FE80::1",
    "0:0:0:1::",
]
NOT_ADDRESSES = ["bad", "1.2.3", "256.1.1.1", "::1::", "1:2:3:4:5:6:7:8:9", ":::1", "12345::", None]


def expected_text(text: str) -> str:
    address = ipaddress.ip_address(text)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return str(address.ipv4_mapped)
    return str(address)


def test_canonical_text_round_trips() -> None:
    out = canonical_ip(pl.Series("ip", ADDRESSES + NOT_ADDRESSES))
    assert out.to_list() == [expected_text(a) for a in ADDRESSES] + [None] * len(NOT_ADDRESSES)


def test_cidr_match_with_constant_blocks() -> None:
    ips = ["10.1.2.3", "192.168.1.1", "2001:db8::1", "fe80::1", None]
    out = columns("cidr_match", (ips, T.IP), const("10.0.0.0/8", K), const("2001:db8::/32", K))
    assert out.values == [True, False, True, False, None]


def test_cidr_match_blocks_per_row_and_the_ipv4_mapped_space() -> None:
    ips = ["10.1.2.3", "10.1.2.3", "fe80::1", "1.2.3.4"]
    blocks = ["10.1.2.3/32", "10.1.2.4/32", "fe80::/10", "::ffff:0:0/96"]
    assert columns("cidr_match", (ips, T.IP), (blocks, K)).values == [True, False, True, True]


def test_cidr_match_unusable_block_warns() -> None:
    out = columns("cidr_match", (["10.1.2.3", "10.1.2.3"], T.IP), (["10.0.0.0", "10.0.0.0/8"], K))
    assert out.values == [False, True]
    assert out.failures == [
        "java.lang.IllegalArgumentException: Expected [ip/prefix] but was [10.0.0.0]",
        None,
    ]
    constant = columns(
        "cidr_match", (["10.1.2.3"], T.IP), const("10.0.0.0/40", K), const("10.0.0.0/8", K)
    )
    assert constant.value is True
    assert constant.failure is not None


@pytest.mark.parametrize(
    ("ip", "v4", "v6", "expected"),
    [
        ("1.2.3.4", 24, 0, "1.2.3.0"),
        ("1.2.3.255", 25, 0, "1.2.3.128"),
        ("1.2.3.4", 0, 128, "0.0.0.0"),
        ("fe80::cae2:65ff:fece:feb9", 0, 112, "fe80::cae2:65ff:fece:0"),
        ("2001:db8::ff00:42:8329", 32, 16, "2001::"),
        ("1:2:3:4:5:6:7:8", 0, 128, "1:2:3:4:5:6:7:8"),
    ],
)
def test_ip_prefix(ip: str, v4: int, v6: int, expected: str) -> None:
    out = columns("ip_prefix", ([ip], T.IP), const(v4, T.INTEGER), const(v6, T.INTEGER))
    assert out.value == expected


def test_ip_prefix_out_of_range() -> None:
    out = columns("ip_prefix", (["1.2.3.4"], T.IP), const(33, T.INTEGER), const(0, T.INTEGER))
    assert out.value is None
    assert (
        out.failure
        == "java.lang.IllegalArgumentException: Prefix length v4 must be in range [0, 32], found 33"
    )


def test_ip_functions_scale_without_per_row_python() -> None:
    ips = [f"10.{i % 256}.{i // 256 % 256}.1" for i in range(20000)] + [
        f"fe80::{i:x}" for i in range(20000)
    ]
    out = columns("cidr_match", (ips, T.IP), const("10.0.0.0/8", K))
    assert sum(out.values) == 20000
