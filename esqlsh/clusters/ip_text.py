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
_HEXTET = r"^[0-9a-f]{1,4}$"
_HEX2 = [f"{i:02x}" for i in range(256)]
_MAPPED_PREFIX = "0" * 20 + "ffff"
_GROUPS = pl.List(pl.String())


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
    v4 = text.str.extract_groups(f"^({_OCTET})\\.({_OCTET})\\.({_OCTET})\\.({_OCTET})$")
    hex_octets = [_hex2(v4.struct.field(str(i)).cast(pl.Int32)) for i in range(1, 5)]
    out = pl.select(
        pl.when(v4.struct.field("1").is_not_null()).then(
            pl.concat_str([pl.lit(_MAPPED_PREFIX), *hex_octets])
        )
    ).to_series()
    v6 = text.str.contains(":").fill_null(False)
    if v6.any():
        out = out.scatter(v6.arg_true(), _per_distinct(text.filter(v6), _ipv6_key))
    return out.rename(values.name)


def _ipv6_key(text: pl.Series) -> pl.Series:
    padded = ipv6_groups(text).list.eval(pl.element().str.pad_start(4, "0"))
    return padded.list.join("")


def ipv6_groups(text: pl.Series) -> pl.Series:
    """The eight groups of each IPv6 address (hex without leading zeros), null
    where the text is not one. Steps are materialised one by one: Polars runs the
    nested list expressions far slower when they are fused."""
    a = pl.col("a")
    frame = (
        text.str.to_lowercase()
        .to_frame("a")
        .select(a=_embedded_ipv4_as_hex(a).str.splitn("::", 2))
        .unnest("a")
    )
    left, right = pl.col("field_0"), pl.col("field_1")
    frame = frame.select(
        gap=right.is_not_null(),
        left=_split_groups(left),
        right=pl.when(right.is_not_null())
        .then(_split_groups(right))
        .otherwise(pl.lit([], dtype=_GROUPS)),
    )
    count = pl.col("left").list.len() + pl.col("right").list.len()
    frame = frame.with_columns(
        fill=pl.when("gap").then(8 - count).otherwise(0).clip(0),
        fits=pl.when("gap").then(count <= 7).otherwise(count == 8),
    )
    frame = frame.select(
        "fits",
        groups=pl.concat_list("left", pl.lit("0").repeat_by("fill"), "right"),
    )
    g = pl.col("groups")
    frame = frame.select(
        ok=pl.col("fits") & g.list.eval(pl.element().str.contains(_HEXTET)).list.all(),
        groups=g.list.eval(pl.element().str.strip_chars_start("0")),
    )
    trimmed = g.list.eval(pl.when(pl.element() == "").then(pl.lit("0")).otherwise(pl.element()))
    return frame.select(pl.when("ok").then(trimmed)).to_series().rename(text.name)


def _split_groups(side: pl.Expr) -> pl.Expr:
    """``a:b:c`` as its groups; an empty side of ``::`` has none."""
    return pl.when(side == "").then(pl.lit([], dtype=_GROUPS)).otherwise(side.str.split(":"))


def _embedded_ipv4_as_hex(address: pl.Expr) -> pl.Expr:
    """``…:a.b.c.d`` rewritten with the IPv4 part as two hex groups."""
    g = address.str.extract_groups(f"^(.*:)({_OCTET})\\.({_OCTET})\\.({_OCTET})\\.({_OCTET})$")
    o = [g.struct.field(str(i)).cast(pl.Int32) for i in range(2, 6)]
    high = pl.concat_str([_hex2(o[0]), _hex2(o[1])]).str.strip_chars_start("0")
    low = pl.concat_str([_hex2(o[2]), _hex2(o[3])]).str.strip_chars_start("0")
    hex_tail = pl.concat_str(
        [g.struct.field("1"), high.replace("", "0"), pl.lit(":"), low.replace("", "0")]
    )
    return pl.when(g.struct.field("1").is_not_null()).then(hex_tail).otherwise(address)


def _hex2(byte: pl.Expr) -> pl.Expr:
    """A byte value as two hex digits (a 256-entry table: Polars has no int → hex)."""
    return byte.replace_strict(list(range(256)), _HEX2, default=None, return_dtype=pl.String)


def _v6_text(groups: pl.Series) -> pl.Series:
    """RFC 5952 text of eight groups, or the IPv4 address an IPv4-mapped one holds."""
    frame = groups.to_frame("g")
    g = pl.col("g")
    mapped = (g.list.head(5).list.eval(pl.element() == "0").list.all()) & (g.list.get(5) == "ffff")
    words = [g.list.get(i).str.to_integer(base=16) for i in (6, 7)]
    ipv4 = pl.format(
        "{}.{}.{}.{}", words[0] // 256, words[0] % 256, words[1] // 256, words[1] % 256
    )
    zero_mask = g.list.eval(pl.when(pl.element() == "0").then(pl.lit("0")).otherwise(pl.lit("x")))
    mask = zero_mask.list.join("")
    runs = list(range(8, 1, -1))  # longest first: the first hit is the run to compress
    found = [mask.str.find("0" * n, literal=True) for n in runs]
    start = pl.coalesce(found)
    length = pl.coalesce(
        [pl.when(f.is_not_null()).then(pl.lit(n)) for f, n in zip(found, runs, strict=True)]
    )
    compressed = pl.concat_str(
        [
            g.list.head(start).list.join(":"),
            pl.lit("::"),
            g.list.slice(start + length).list.join(":"),
        ]
    )
    text = (
        pl.when(g.is_null())
        .then(pl.lit(None, dtype=pl.String))
        .when(mapped)
        .then(ipv4)
        .when(start.is_null())
        .then(g.list.join(":"))
        .otherwise(compressed)
    )
    return frame.select(text.alias("ip")).to_series()
