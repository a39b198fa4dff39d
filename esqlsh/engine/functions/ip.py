"""IP functions on Polars: CIDR_MATCH and IP_PREFIX.

An ``ip`` value is canonical text (``10.1.2.3``, ``2001:db8::1``). Both functions
work, as Elasticsearch does, on the 16-byte form where IPv4 addresses are
IPv4-mapped (``::ffff:a.b.c.d``): each address is parsed — with string and list
expressions, no Python per row — into its eight 16-bit groups, compared or masked
group by group, and (IP_PREFIX) printed back canonically (RFC 5952: lower-case
hex, the longest run of two or more zero groups as ``::``, IPv4-mapped addresses
as dotted quads).
"""

from __future__ import annotations

import polars as pl

from esqlsh.analysis.types import DataType
from esqlsh.engine.compiled import Col, EvalContext
from esqlsh.engine.functions._shared_b import failing, illegal, scalar

D = DataType
GROUPS = 8


def ip_groups(text: pl.Expr) -> list[pl.Expr]:
    """The eight 16-bit groups (Int64) of an IPv4 or IPv6 address in text form;
    null for text that is not an address."""
    is_v6 = text.str.contains(":", literal=True)
    v4 = _v4_groups(text)
    v6 = _v6_groups(text)
    return [pl.when(is_v6).then(g6).otherwise(g4) for g4, g6 in zip(v4, v6)]


def _v4_groups(text: pl.Expr) -> list[pl.Expr]:
    octets = text.str.split(".")
    valid = (octets.list.len() == 4) & text.str.contains(r"^\d{1,3}(\.\d{1,3}){3}$")
    parts = [octets.list.get(i, null_on_oob=True).cast(pl.Int64, strict=False) for i in range(4)]
    valid = valid & pl.all_horizontal([(p >= 0) & (p <= 255) for p in parts])
    high = parts[0] * 256 + parts[1]
    low = parts[2] * 256 + parts[3]
    zero = pl.lit(0, dtype=pl.Int64)
    groups = [zero] * 5 + [pl.lit(0xFFFF, dtype=pl.Int64), high, low]
    return [pl.when(valid).then(g) for g in groups]


def _v6_groups(text: pl.Expr) -> list[pl.Expr]:
    text = _embedded_v4_as_hex(text)
    halves = text.str.split("::")
    compressed = halves.list.len() == 2
    left = _hex_parts(halves.list.get(0, null_on_oob=True))
    right = _hex_parts(halves.list.get(1, null_on_oob=True).fill_null(""))
    missing = GROUPS - left.list.len() - right.list.len()
    zeros = pl.lit("0").repeat_by(missing.clip(0))
    full = pl.when(compressed).then(pl.concat_list([left, zeros, right])).otherwise(left)
    well_formed = pl.when(compressed).then(missing >= 1).otherwise(halves.list.len() == 1)
    valid = well_formed & (full.list.len() == GROUPS) & text.str.contains(r"^[0-9A-Fa-f:]+$")
    groups = [full.list.get(i, null_on_oob=True).str.to_integer(base=16, strict=False) for i in range(GROUPS)]
    valid = valid & pl.all_horizontal([(g >= 0) & (g <= 0xFFFF) for g in groups])
    return [pl.when(valid).then(g.cast(pl.Int64)) for g in groups]


def _hex_parts(text: pl.Expr) -> pl.Expr:
    """``a:b:c`` as a list of strings; the empty string as an empty list."""
    return text.str.split(":").list.eval(pl.element().filter(pl.element() != ""))


def _embedded_v4_as_hex(text: pl.Expr) -> pl.Expr:
    """``::ffff:1.2.3.4`` → ``::ffff:102:304`` (a dotted tail is two groups)."""
    tail = text.str.extract(r":(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$", 1)
    octets = tail.str.split(".")
    parts = [octets.list.get(i, null_on_oob=True).cast(pl.Int64, strict=False) for i in range(4)]
    high = _hex(parts[0] * 256 + parts[1])
    low = _hex(parts[2] * 256 + parts[3])
    head = text.str.replace(r"(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$", "")
    return pl.when(tail.is_null()).then(text).otherwise(pl.concat_str([head, high, pl.lit(":"), low]))


_HEX_DIGITS = "0123456789abcdef"


def _hex(value: pl.Expr) -> pl.Expr:
    """A 16-bit value as lower-case hex without leading zeros."""
    digits = [
        pl.lit(list(_HEX_DIGITS)).list.get(((value // (16**k)) % 16).cast(pl.Int64))
        for k in (3, 2, 1, 0)
    ]
    return pl.concat_str(digits).str.strip_chars_start("0").replace("", "0")


# ------------------------------------------------------------------- CIDR_MATCH


def _cidr(text: pl.Expr) -> tuple[list[pl.Expr], pl.Expr]:
    """A CIDR block's groups and its prefix length in the 128-bit space."""
    address = text.str.split("/").list.get(0, null_on_oob=True)
    bits = text.str.split("/").list.get(1, null_on_oob=True).cast(pl.Int64, strict=False)
    v4 = ~address.str.contains(":", literal=True)
    prefix = pl.when(v4).then(bits + 96).otherwise(bits)
    valid = pl.when(v4).then((bits >= 0) & (bits <= 32)).otherwise((bits >= 0) & (bits <= 128))
    return ip_groups(address), pl.when(valid).then(prefix)


def _group_mask(prefix: pl.Expr, i: int) -> pl.Expr:
    """The bits of group ``i`` that a ``prefix``-bit network covers."""
    covered = (prefix - 16 * i).clip(0, 16)
    kept = pl.lit(0xFFFF, dtype=pl.Int64) - (pl.lit(2, dtype=pl.Int64).pow(16 - covered) - 1)
    return pl.when(covered == 0).then(0).otherwise(kept)


def _in_block(ip: list[pl.Expr], block: list[pl.Expr], prefix: pl.Expr) -> pl.Expr:
    conditions = []
    for i in range(GROUPS):
        mask = _group_mask(prefix, i)
        conditions.append(_and(ip[i], mask) == _and(block[i], mask))
    return pl.all_horizontal(conditions)


def _and(value: pl.Expr, mask: pl.Expr) -> pl.Expr:
    return value.cast(pl.Int64).and_(mask.cast(pl.Int64))


@scalar("cidr_match", nulls=False)
def _cidr_match(args: list[Col], ctx: EvalContext, t: DataType) -> pl.Expr:
    ip_col, blocks = args[0], args[1:]
    if ip_col.type is D.NULL:
        return pl.lit(None, dtype=pl.Boolean)
    ip = ip_groups(ip_col.expr)
    matches = []
    for block in blocks:
        if block.type is D.NULL:
            continue
        groups, prefix = _cidr(block.expr)
        message = pl.format("{}[{}]", pl.lit(illegal("Expected [ip/prefix] but was ")), block.expr)
        usable = prefix.is_not_null() & groups[0].is_not_null()
        matches.append(failing(ctx, block.expr.is_not_null() & ~usable, message, _in_block(ip, groups, prefix)))
    if not matches:
        return pl.when(ip_col.expr.is_null()).then(None).otherwise(pl.lit(False))
    any_match = pl.any_horizontal([m.fill_null(False) for m in matches])
    return pl.when(ip_col.expr.is_null()).then(None).otherwise(any_match)


# -------------------------------------------------------------------- IP_PREFIX


def format_ip(groups: list[pl.Expr]) -> pl.Expr:
    """Canonical text of an address given as eight 16-bit groups."""
    mapped = pl.all_horizontal([g == 0 for g in groups[:5]]) & (groups[5] == 0xFFFF)
    v4 = pl.concat_str(
        [
            (groups[6] // 256).cast(pl.String), pl.lit("."), (groups[6] % 256).cast(pl.String), pl.lit("."),
            (groups[7] // 256).cast(pl.String), pl.lit("."), (groups[7] % 256).cast(pl.String),
        ]
    )
    return pl.when(mapped).then(v4).otherwise(_format_v6(groups))


def _format_v6(groups: list[pl.Expr]) -> pl.Expr:
    # ":g0:g1:…:g7:" so every group is delimited on both sides; the longest run of
    # zero groups (the leftmost of equals) becomes "::".
    joined = pl.concat_str([pl.lit(":")] + [x for g in groups for x in (_hex(g), pl.lit(":"))])
    result = joined
    done = pl.lit(False)
    for run in range(GROUPS, 1, -1):
        pattern = ":" + ":".join(["0"] * run) + ":"
        has_run = joined.str.contains(pattern, literal=True)
        replaced = joined.str.replace(pattern, "::", literal=True)
        result = pl.when(~done & has_run).then(replaced).otherwise(result)
        done = done | has_run
    # Strip the helper delimiters, keeping a leading or trailing "::".
    result = result.str.replace(r"^:([^:])", "$1").str.replace(r"([^:]):$", "$1")
    return result.str.replace(r"^:::", "::").str.replace(r":::$", "::")


@scalar("ip_prefix")
def _ip_prefix(args: list[Col], ctx: EvalContext, t: DataType) -> pl.Expr:
    ip_col, v4_len, v6_len = args[0].expr, args[1].expr.cast(pl.Int64), args[2].expr.cast(pl.Int64)
    groups = ip_groups(ip_col)
    mapped = pl.all_horizontal([g == 0 for g in groups[:5]]) & (groups[5] == 0xFFFF)
    prefix = pl.when(mapped).then(v4_len + 96).otherwise(v6_len)
    masked = [_and(g, _group_mask(prefix, i)) for i, g in enumerate(groups)]
    result = format_ip(masked)
    bad_v4 = (v4_len < 0) | (v4_len > 32)
    bad_v6 = (v6_len < 0) | (v6_len > 128)
    message = (
        pl.when(bad_v4)
        .then(pl.format("{}{}", pl.lit(illegal("Prefix length v4 must be in range [0, 32], found ")), v4_len))
        .otherwise(pl.format("{}{}", pl.lit(illegal("Prefix length v6 must be in range [0, 128], found ")), v6_len))
    )
    return failing(ctx, bad_v4 | bad_v6, message, result)
