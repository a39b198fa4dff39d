"""IP addresses as text, vectorised: the canonical text an ``ip`` field gives back
for a value, and a sort key in Lucene's byte order.

Canonical text: IPv4 dotted decimal; IPv6 per RFC 5952 (lower case, no leading
zeros, the longest run of two or more zero groups written ``::``, the first on a
tie); an IPv4-mapped IPv6 address (``::ffff:a.b.c.d``) as its IPv4 address.
Accepted input is what Python's ``ipaddress`` accepts (an IPv4 octet has no
leading zero; an IPv6 address may end in dotted IPv4), less zone ids
(``fe80::1%eth0``), which Elasticsearch rejects. ``convert.canonical_ip`` is the
same function for one value.

Sort key: the 16 bytes Lucene stores (IPv4 mapped into IPv6) as 32 lower-case
hex digits, so text order is byte order.

Both are Polars string and list operations over a Series of values; the IPv6
steps run only on the distinct values that contain a ``:``.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_IPV4 = rf"{_OCTET}(?:\.{_OCTET}){{3}}"
_HEX2 = [f"{i:02x}" for i in range(256)]
_MAPPED_PREFIX = "0" * 20 + "ffff"


def canonical_ips(values: pl.Series) -> pl.Series:
    """Each value's canonical text, null where it is not an ip address."""
    text = values.cast(pl.String).str.strip_chars()
    out = pl.select(pl.when(text.str.contains(f"^{_IPV4}$")).then(text)).to_series()
    v6 = text.str.contains(":").fill_null(False)
    if v6.any():
        out = out.scatter(v6.arg_true(), _per_distinct(text.filter(v6), _ipv6_text))
    return out.rename(values.name)


def _ipv6_text(text: pl.Series) -> pl.Series:
    return _v6_text(ipv6_groups(text))


def _per_distinct(values: pl.Series, fn: Callable[[pl.Series], pl.Series]) -> pl.Series:
    """``fn`` (vectorised, but many steps per value) run on the distinct values
    only: addresses repeat, and a hash lookup is cheaper than the steps."""
    distinct = values.unique()
    if distinct.len() == values.len():
        return fn(values)
    return values.replace_strict(distinct, fn(distinct), return_dtype=pl.String)


def ip_sort_keys(values: pl.Series) -> pl.Series:
    """Lucene's 16 bytes of each address as 32 hex digits (null when not an ip)."""
    text = values.cast(pl.String).str.strip_chars()
    octets = pl.col("v").struct.field
    hex_octets = [_hex2(octets(str(i)).cast(pl.Int32)) for i in range(1, 5)]
    out = (
        text.to_frame("v")
        .lazy()
        .select(
            pl.col("v").str.extract_groups(f"^({_OCTET})\\.({_OCTET})\\.({_OCTET})\\.({_OCTET})$")
        )
        .select(
            pl.when(octets("1").is_not_null()).then(
                pl.concat_str([pl.lit(_MAPPED_PREFIX), *hex_octets])
            )
        )
        .collect()
        .to_series()
    )
    v6 = text.str.contains(":").fill_null(False)
    if v6.any():
        out = out.scatter(v6.arg_true(), _per_distinct(text.filter(v6), _ipv6_key))
    return out.rename(values.name)


def _ipv6_key(text: pl.Series) -> pl.Series:
    padded = ipv6_groups(text).list.eval(pl.element().str.pad_start(4, "0"))
    return padded.list.join("")


def ipv6_groups(text: pl.Series) -> pl.Series:
    """The eight groups of each IPv6 address (hex without leading zeros), null
    where the text is not one."""
    address = text.str.to_lowercase()
    dotted = address.str.contains(".", literal=True)
    if dotted.any():
        address = address.scatter(dotted.arg_true(), _ipv4_end_as_hex(address.filter(dotted)))
    left, right = pl.col("field_0"), pl.col("field_1")
    gap = right.is_not_null()
    count = _group_count(left) + pl.when(gap).then(_group_count(right)).otherwise(0)
    zeros = pl.lit(":".join("0" * 8)).str.head((2 * (8 - count) - 1).clip(1))
    full = pl.concat_str(
        [
            pl.when(left != "").then(left),
            pl.when(gap).then(zeros),
            pl.when(right != "").then(right),
        ],
        separator=":",
        ignore_nulls=True,
    )
    fits = pl.when(gap).then(count <= 7).otherwise(count == 8)
    eight = r"^[0-9a-f]{1,4}(?::[0-9a-f]{1,4}){7}$"
    return (
        address.str.splitn("::", 2)
        .struct.unnest()
        .lazy()
        .select(full=pl.when(fits).then(full))
        .select(
            pl.when(pl.col("full").str.contains(eight)).then(
                pl.col("full").str.replace_all("(^|:)0+([0-9a-f])", "$1$2").str.split(":")
            )
        )
        .collect()
        .to_series()
        .rename(text.name)
    )


def _group_count(side: pl.Expr) -> pl.Expr:
    """Groups in ``a:b:c`` (an empty side of ``::`` has none)."""
    return pl.when(side == "").then(0).otherwise(side.str.count_matches(":", literal=True) + 1)


def _ipv4_end_as_hex(address: pl.Series) -> pl.Series:
    """Addresses with a dotted IPv4 end (``…:a.b.c.d``) rewritten with it as two
    hex groups; others unchanged."""
    g = pl.col("g")
    o = [g.struct.field(str(i)).cast(pl.Int32) for i in range(2, 6)]
    high = pl.concat_str([_hex2(o[0]), _hex2(o[1])]).str.strip_chars_start("0")
    low = pl.concat_str([_hex2(o[2]), _hex2(o[3])]).str.strip_chars_start("0")
    hex_end = pl.concat_str(
        [g.struct.field("1"), high.replace("", "0"), pl.lit(":"), low.replace("", "0")]
    )
    pattern = f"^(.*:)({_OCTET})\\.({_OCTET})\\.({_OCTET})\\.({_OCTET})$"
    return (
        address.to_frame("a")
        .lazy()
        .with_columns(g=pl.col("a").str.extract_groups(pattern))
        .select(pl.when(g.struct.field("1").is_not_null()).then(hex_end).otherwise(pl.col("a")))
        .collect()
        .to_series()
    )


def _hex2(byte: pl.Expr) -> pl.Expr:
    """A byte value as two hex digits (a 256-entry table: Polars has no int → hex)."""
    return byte.replace_strict(list(range(256)), _HEX2, default=None, return_dtype=pl.String)


def _v6_text(groups: pl.Series) -> pl.Series:
    """RFC 5952 text of eight groups, or the IPv4 address an IPv4-mapped one holds.
    The zero-run search is staged: Polars does not share list sub-expressions
    between the expressions that use them."""
    g = pl.col("g")
    zero_mask = g.list.eval(pl.when(pl.element() == "0").then(pl.lit("0")).otherwise(pl.lit("x")))
    runs = list(range(8, 1, -1))  # longest first: the first hit is the run to compress
    found = [pl.col("mask").str.find("0" * n, literal=True).alias(f"run{n}") for n in runs]
    start = pl.coalesce(f"run{n}" for n in runs)
    length = pl.coalesce(pl.when(pl.col(f"run{n}").is_not_null()).then(pl.lit(n)) for n in runs)
    mapped = (g.list.head(5).list.eval(pl.element() == "0").list.all()) & (g.list.get(5) == "ffff")
    words = [g.list.get(i).str.to_integer(base=16) for i in (6, 7)]
    ipv4 = pl.format(
        "{}.{}.{}.{}", words[0] // 256, words[0] % 256, words[1] // 256, words[1] % 256
    )
    compressed = pl.concat_str(
        [
            g.list.head(pl.col("start")).list.join(":"),
            pl.lit("::"),
            g.list.slice(pl.col("start") + pl.col("length")).list.join(":"),
        ]
    )
    text = (
        pl.when(g.is_null())
        .then(pl.lit(None, dtype=pl.String))
        .when(mapped)
        .then(ipv4)
        .when(pl.col("start").is_null())
        .then(g.list.join(":"))
        .otherwise(compressed)
    )
    return (
        groups.to_frame("g")
        .lazy()
        .with_columns(mask=zero_mask.list.join(""))
        .with_columns(found)
        .with_columns(start=start, length=length)
        .select(text.alias("ip"))
        .collect()
        .to_series()
    )
