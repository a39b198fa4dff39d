"""IP functions on Polars: CIDR_MATCH and IP_PREFIX.

An ``ip`` value is canonical text (``10.1.2.3``, ``2001:db8::1``). Both functions
work, as Elasticsearch does, on the 16-byte form where IPv4 addresses are
IPv4-mapped (``::ffff:a.b.c.d``). Each address is parsed — with string and list
expressions, no Python per row — into a list of its eight 16-bit groups; masks are
lists too, and lists are combined element-wise inside one ``list.eval`` by
concatenating them first (``head``/``slice`` pick each operand back out), which
keeps the expression tree small. IP_PREFIX prints the result canonically (RFC
5952: lower-case hex, the longest run of two or more zero groups as ``::``,
IPv4-mapped addresses as dotted quads).
"""

from __future__ import annotations

import polars as pl

from esqlsh.analysis.types import DataType
from esqlsh.engine.compiled import Col, EvalContext
from esqlsh.engine.functions._shared_b import failing, illegal, scalar

D = DataType
GROUPS = 8
_E = pl.element()


# ----------------------------------------------------------------------- parsing


def ip_groups(text: pl.Expr) -> pl.Expr:
    """An IPv4 or IPv6 address in text form as a list of eight 16-bit groups
    (Int64); null for text that is not an address."""
    is_v6 = text.str.contains(":", literal=True)
    return pl.when(is_v6).then(_v6_groups(text)).otherwise(_v4_groups(text))


def _v4_groups(text: pl.Expr) -> pl.Expr:
    octets = text.str.split(".").list.eval(_E.cast(pl.Int64, strict=False))
    valid = text.str.contains(r"^\d{1,3}(\.\d{1,3}){3}$") & (octets.list.max() <= 255)
    pairs = octets.list.eval((_E.gather_every(2) * 256) + _E.gather_every(2, offset=1))
    prefix = pl.lit([0, 0, 0, 0, 0, 0xFFFF], dtype=pl.List(pl.Int64))
    return pl.when(valid).then(pl.concat_list([prefix, pairs]))


def _v6_groups(text: pl.Expr) -> pl.Expr:
    # A dotted IPv4 tail (``::ffff:1.2.3.4``) is not read: canonical text never
    # has one (ES prints IPv4-mapped addresses as IPv4).
    halves = text.str.split("::")
    compressed = halves.list.len() == 2
    left = _hex_parts(halves.list.first())
    right = _hex_parts(halves.list.get(1, null_on_oob=True).fill_null(""))
    missing = GROUPS - left.list.len().cast(pl.Int64) - right.list.len().cast(pl.Int64)
    zeros = pl.lit("0").repeat_by(missing.clip(0))
    full = pl.when(compressed).then(pl.concat_list([left, zeros, right])).otherwise(left)
    groups = full.list.eval(_E.str.to_integer(base=16, strict=False))
    well_formed = pl.when(compressed).then(missing >= 1).otherwise(halves.list.len() == 1)
    valid = (
        well_formed
        & text.str.contains(r"^[0-9A-Fa-f:]+$")
        & (groups.list.len() == GROUPS)
        & (groups.list.max() <= 0xFFFF)
        & (groups.list.eval(_E.is_null().any()).list.first().not_())
    )
    return pl.when(valid).then(groups)


def _hex_parts(text: pl.Expr) -> pl.Expr:
    """``a:b:c`` as a list of strings; the empty string as an empty list."""
    return text.str.split(":").list.eval(_E.filter(_E != ""))


def _hex(value: pl.Expr) -> pl.Expr:
    """A 16-bit value as lower-case hex without leading zeros."""
    digits = [
        pl.lit("0123456789abcdef").str.slice((value // (16**k)) % 16, 1) for k in (3, 2, 1, 0)
    ]
    stripped = pl.concat_str(digits).str.strip_chars_start("0")
    return pl.when(stripped == "").then(pl.lit("0")).otherwise(stripped)


# ------------------------------------------------------------------------ masks


def network_mask(prefix: pl.Expr) -> pl.Expr:
    """The 128-bit mask of a ``prefix``-bit network as eight 16-bit groups."""
    masks = []
    for i in range(GROUPS):
        covered = (prefix - 16 * i).clip(0, 16)
        kept = pl.lit(0xFFFF, dtype=pl.Int64) - (pl.lit(2, dtype=pl.Int64).pow(16 - covered) - 1)
        masks.append(pl.when(covered == 0).then(pl.lit(0, dtype=pl.Int64)).otherwise(kept))
    return pl.concat_list(masks)


def _masked(groups: pl.Expr, mask: pl.Expr) -> pl.Expr:
    """Element-wise ``groups & mask``."""
    return pl.concat_list([groups, mask]).list.eval(_E.head(GROUPS).and_(_E.tail(GROUPS)))


def _cidr(text: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """A CIDR block's groups and its prefix length in the 128-bit space (null when
    the block is not ``address/bits``)."""
    parts = text.str.split("/")
    address = parts.list.first()
    bits = parts.list.get(1, null_on_oob=True).cast(pl.Int64, strict=False)
    v4 = ~address.str.contains(":", literal=True)
    limit = pl.when(v4).then(32).otherwise(128)
    usable = (parts.list.len() == 2) & (bits >= 0) & (bits <= limit)
    prefix = pl.when(usable).then(pl.when(v4).then(bits + 96).otherwise(bits))
    return ip_groups(address), prefix


# ------------------------------------------------------------------- CIDR_MATCH


@scalar("cidr_match", nulls=False)
def _cidr_match(args: list[Col], ctx: EvalContext, t: DataType) -> pl.Expr:
    ip_col, blocks = args[0], [b for b in args[1:] if b.type is not D.NULL]
    if ip_col.type is D.NULL:
        return pl.lit(None, dtype=pl.Boolean)
    ip = ip_groups(ip_col.expr)
    matches = []
    for block in blocks:
        groups, prefix = _cidr(block.expr)
        mask = network_mask(prefix)
        both = pl.concat_list([ip, groups, mask])
        same = both.list.eval(
            (_E.slice(0, GROUPS).and_(_E.slice(2 * GROUPS, GROUPS)) == _E.slice(GROUPS, GROUPS).and_(_E.slice(2 * GROUPS, GROUPS))).all()
        ).list.first()
        bad = block.expr.is_not_null() & (prefix.is_null() | groups.is_null())
        message = pl.format("{}[{}]", pl.lit(illegal("Expected [ip/prefix] but was ")), block.expr)
        matches.append(failing(ctx, bad, message, same).fill_null(False))
    found = pl.any_horizontal(matches) if matches else pl.lit(False)
    return pl.when(ip_col.expr.is_null()).then(pl.lit(None, dtype=pl.Boolean)).otherwise(found)


# -------------------------------------------------------------------- IP_PREFIX


def format_ip(groups: pl.Expr) -> pl.Expr:
    """Canonical text of an address given as a list of eight 16-bit groups."""
    mapped = (groups.list.head(5).list.sum() == 0) & (groups.list.get(5, null_on_oob=True) == 0xFFFF)
    quads = groups.list.tail(2).list.eval(
        pl.concat_str([(_E // 256).cast(pl.String), pl.lit("."), (_E % 256).cast(pl.String)])
    )
    return pl.when(mapped).then(quads.list.join(".")).otherwise(_format_v6(groups))


def _format_v6(groups: pl.Expr) -> pl.Expr:
    # ":g0:…:g7:" delimits every group on both sides; the longest run of zero groups
    # (the leftmost of equals, as the first arg_max) becomes "::".
    joined = pl.concat_str([pl.lit(":"), groups.list.eval(_hex(_E)).list.join(":"), pl.lit(":")])
    runs = joined.str.extract_all(r"(?::0)+:")
    longest = runs.list.get(runs.list.eval(_E.str.len_chars()).list.arg_max(), null_on_oob=True)
    compressible = longest.str.len_chars() >= 5  # two zero groups at least: ":0:0:"
    around = joined.str.splitn(longest, 2)
    spliced = pl.concat_str([around.struct.field("field_0"), pl.lit("::"), around.struct.field("field_1")])
    text = pl.when(compressible).then(spliced).otherwise(joined)
    # Drop the helper delimiters, keeping a leading or trailing "::".
    text = pl.when(text.str.starts_with("::")).then(text).otherwise(text.str.slice(1))
    return pl.when(text.str.ends_with("::")).then(text).otherwise(text.str.head(-1))


@scalar("ip_prefix")
def _ip_prefix(args: list[Col], ctx: EvalContext, t: DataType) -> pl.Expr:
    ip_col, v4_len, v6_len = args[0].expr, args[1].expr.cast(pl.Int64), args[2].expr.cast(pl.Int64)
    groups = ip_groups(ip_col)
    mapped = (groups.list.head(5).list.sum() == 0) & (groups.list.get(5, null_on_oob=True) == 0xFFFF)
    prefix = pl.when(mapped).then(v4_len + 96).otherwise(v6_len)
    result = format_ip(_masked(groups, network_mask(prefix)))
    bad_v4 = (v4_len < 0) | (v4_len > 32)
    bad_v6 = (v6_len < 0) | (v6_len > 128)
    message = (
        pl.when(bad_v4)
        .then(pl.format("{}{}", pl.lit(illegal("Prefix length v4 must be in range [0, 32], found ")), v4_len))
        .otherwise(pl.format("{}{}", pl.lit(illegal("Prefix length v6 must be in range [0, 128], found ")), v6_len))
    )
    return failing(ctx, bad_v4 | bad_v6, message, result)
