"""IP functions on Polars: CIDR_MATCH and IP_PREFIX.

An ``ip`` value is canonical text (``10.1.2.3``, ``2001:db8::1``). Both functions
work, as Elasticsearch does, on the 16-byte form where IPv4 addresses are
IPv4-mapped (``::ffff:a.b.c.d``): each address is parsed into eight 16-bit groups,
compared or masked group by group, and (IP_PREFIX) printed back canonically (RFC
5952: lower-case hex, the first longest run of two or more zero groups as ``::``,
IPv4-mapped addresses as dotted quads).

The work runs inside ``map_batches`` as a sequence of materialised, column-wise
Polars steps over the whole batch (eight group columns ``g0`` … ``g7``): every step
is a vectorised Polars operation — no Python per row or per value — and naming
intermediate columns keeps the expression trees small (the same computation as
one nested expression repeats the address text at every reference and grows
exponentially).
"""

from __future__ import annotations

import polars as pl

from esqlsh.analysis.types import DataType
from esqlsh.engine.compiled import Col, EvalContext
from esqlsh.engine.functions._shared_b import failing, illegal, scalar

D = DataType
GROUPS = 8
col = pl.col

# 16-bit value → lower-case hex without leading zeros; bits covered → group mask.
_HEX_KEYS = pl.Series("k", range(0x10000), dtype=pl.Int64)
_HEX_VALUES = pl.Series("v", [format(v, "x") for v in range(0x10000)], dtype=pl.String)
_GROUP_MASKS = {c: (0xFFFF << (16 - c)) & 0xFFFF for c in range(17)}


# ----------------------------------------------------------------------- parsing


def with_groups(frame: pl.DataFrame, text: str, prefix: str = "g") -> pl.DataFrame:
    """Adds columns ``<prefix>0`` … ``<prefix>7`` (Int64): the groups of the IPv4 or
    IPv6 address text in column ``text``, all null for text that is not an address.
    A dotted IPv4 tail (``::ffff:1.2.3.4``) is not read: canonical text never has
    one, ES prints IPv4-mapped addresses as IPv4."""
    frame = frame.with_columns(_v6=col(text).str.contains(":", literal=True))
    frame = _v4_columns(frame, text)
    frame = _v6_columns(frame, text)
    names = [f"{prefix}{i}" for i in range(GROUPS)]
    return frame.with_columns(
        [
            pl.when(col("_v6")).then(col(f"_6_{i}")).otherwise(col(f"_4_{i}")).alias(n)
            for i, n in enumerate(names)
        ]
    ).drop([c for c in frame.columns if c.startswith(("_4_", "_6_", "_v6", "_h"))])


def _v4_columns(frame: pl.DataFrame, text: str) -> pl.DataFrame:
    octets = col(text).str.split_exact(".", 3)
    frame = frame.with_columns(
        [
            octets.struct.field(f"field_{i}").cast(pl.Int64, strict=False).alias(f"_h{i}")
            for i in range(4)
        ]
    )
    valid = col(text).str.contains(r"^\d{1,3}(\.\d{1,3}){3}$") & pl.all_horizontal(
        [col(f"_h{i}") <= 255 for i in range(4)]
    )
    groups = [pl.lit(0, dtype=pl.Int64)] * 5 + [
        pl.lit(0xFFFF, dtype=pl.Int64),
        col("_h0") * 256 + col("_h1"),
        col("_h2") * 256 + col("_h3"),
    ]
    return frame.with_columns(
        [pl.when(valid).then(g).alias(f"_4_{i}") for i, g in enumerate(groups)]
    )


def _v6_columns(frame: pl.DataFrame, text: str) -> pl.DataFrame:
    halves = col(text).str.split_exact("::", 1)
    frame = frame.with_columns(
        _hl=halves.struct.field("field_0"),
        _hr=halves.struct.field("field_1"),
        _hc=col(text).str.count_matches("::", literal=True),
    )
    frame = frame.with_columns(
        _hnl=pl.when(col("_hl") == "")
        .then(0)
        .otherwise(col("_hl").str.count_matches(":", literal=True) + 1),
        _hnr=pl.when(col("_hr").fill_null("") == "")
        .then(0)
        .otherwise(col("_hr").str.count_matches(":", literal=True) + 1),
    )
    frame = frame.with_columns(_hmiss=GROUPS - col("_hnl") - col("_hnr"))
    # "::" stands for the missing zero groups: rebuild all eight, ":"-separated.
    zeros = pl.lit("0:0:0:0:0:0:0:0").str.slice(0, (col("_hmiss").clip(0) * 2 - 1).clip(0))
    expanded = pl.concat_str(
        [
            col("_hl"),
            pl.when(col("_hnl") > 0).then(pl.lit(":")).otherwise(pl.lit("")),
            zeros,
            pl.when(col("_hnr") > 0).then(pl.lit(":")).otherwise(pl.lit("")),
            col("_hr").fill_null(""),
        ]
    )
    frame = frame.with_columns(_hfull=pl.when(col("_hc") == 1).then(expanded).otherwise(col(text)))
    parts = col("_hfull").str.split_exact(":", GROUPS - 1)
    frame = frame.with_columns(
        [
            parts.struct.field(f"field_{i}").str.to_integer(base=16, strict=False).alias(f"_h{i}")
            for i in range(GROUPS)
        ]
    )
    well_formed = pl.when(col("_hc") == 1).then(col("_hmiss") >= 1).otherwise(col("_hc") == 0)
    valid = (
        well_formed
        & col(text).str.contains(r"^[0-9A-Fa-f:]+$")
        & ~col(text).str.contains(":::", literal=True)
        & (col("_hfull").str.count_matches(":", literal=True) == GROUPS - 1)
        & pl.all_horizontal([col(f"_h{i}").is_between(0, 0xFFFF) for i in range(GROUPS)])
    )
    return frame.with_columns(
        [pl.when(valid).then(col(f"_h{i}")).alias(f"_6_{i}") for i in range(GROUPS)]
    )


def _mapped(prefix: str = "g") -> pl.Expr:
    """Whether the groups hold an IPv4-mapped address (``::ffff:0:0/96``)."""
    return pl.all_horizontal([col(f"{prefix}{i}") == 0 for i in range(5)]) & (
        col(f"{prefix}5") == 0xFFFF
    )


def _group_masks(bits: pl.Expr) -> list[pl.Expr]:
    """The eight 16-bit group masks of a ``bits``-bit network."""
    return [
        (bits - 16 * i).clip(0, 16).replace_strict(_GROUP_MASKS, return_dtype=pl.Int64)
        for i in range(GROUPS)
    ]


# ------------------------------------------------------------------- printing


def with_text(frame: pl.DataFrame, prefix: str, out: str) -> pl.DataFrame:
    """Adds column ``out``: the canonical text of groups ``<prefix>0`` … ``7``."""
    groups = [col(f"{prefix}{i}") for i in range(GROUPS)]
    frame = frame.with_columns(
        [
            g.replace_strict(_HEX_KEYS, _HEX_VALUES, default=None).alias(f"_x{i}")
            for i, g in enumerate(groups)
        ]
    )
    # Length of the zero run ending at each group, and the longest run.
    runs: list[pl.Expr] = []
    for i, g in enumerate(groups):
        runs.append(
            pl.when(g == 0).then((runs[-1] if runs else pl.lit(0)) + 1).otherwise(0).alias(f"_r{i}")
        )
        frame = frame.with_columns(runs[-1])
        runs[-1] = col(f"_r{i}")
    frame = frame.with_columns(_rmax=pl.max_horizontal(runs))
    # ":x0:…:x7:" delimits every group on both sides; the first longest run (of two
    # groups at least) becomes "::".
    joined = pl.concat_str(
        [
            pl.lit(":"),
            pl.concat_str([col(f"_x{i}") for i in range(GROUPS)], separator=":"),
            pl.lit(":"),
        ]
    )
    run_text = pl.concat_str(
        [pl.lit(":0:0:0:0:0:0:0:0").str.slice(0, col("_rmax") * 2), pl.lit(":")]
    )
    frame = frame.with_columns(_j=joined, _run=run_text)
    frame = frame.with_columns(_split=col("_j").str.splitn(col("_run"), 2))
    spliced = pl.concat_str(
        [col("_split").struct.field("field_0"), pl.lit("::"), col("_split").struct.field("field_1")]
    )
    v6 = pl.when(col("_rmax") >= 2).then(spliced).otherwise(col("_j"))
    # Drop the helper delimiters, keeping a leading or trailing "::".
    v6 = v6.str.replace(r"^:([^:])", "${1}").str.replace(r"([^:]):$", "${1}")
    v6 = v6.str.replace(r"^:::", "::").str.replace(r":::$", "::")
    quads = pl.concat_str(
        [
            (groups[6] // 256).cast(pl.String),
            (groups[6] % 256).cast(pl.String),
            (groups[7] // 256).cast(pl.String),
            (groups[7] % 256).cast(pl.String),
        ],
        separator=".",
    )
    frame = frame.with_columns(pl.when(_mapped(prefix)).then(quads).otherwise(v6).alias(out))
    return frame.drop(
        [c for c in frame.columns if c.startswith(("_x", "_r", "_j", "_run", "_split"))]
    )


def ip_groups_frame(text: pl.Series) -> pl.DataFrame:
    """The groups of every address in ``text`` (columns ``g0`` … ``g7``)."""
    return with_groups(text.cast(pl.String).alias("t").to_frame(), "t").drop("t")


def canonical_ip(text: pl.Series) -> pl.Series:
    """``text`` with every address in canonical form (null when not an address)."""
    frame = with_text(ip_groups_frame(text), "g", "out")
    return frame["out"].alias(text.name)


# ------------------------------------------------------------------- CIDR_MATCH


def _with_block(frame: pl.DataFrame, name: str) -> pl.DataFrame:
    """Adds the groups (``<name>_g0`` …) and the prefix length in the 128-bit space
    (``<name>_bits``, null when unusable) of the CIDR text in column ``name``."""
    parts = col(name).str.split_exact("/", 1)
    frame = frame.with_columns(
        _addr=parts.struct.field("field_0"),
        _raw=parts.struct.field("field_1").cast(pl.Int64, strict=False),
        _slashes=col(name).str.count_matches("/", literal=True),
    )
    frame = with_groups(frame, "_addr", f"{name}_g")
    v4 = ~col("_addr").str.contains(":", literal=True)
    limit = pl.when(v4).then(32).otherwise(128)
    usable = (
        (col("_slashes") == 1) & col("_raw").is_between(0, limit) & col(f"{name}_g0").is_not_null()
    )
    bits = pl.when(usable).then(pl.when(v4).then(col("_raw") + 96).otherwise(col("_raw")))
    return frame.with_columns(bits.alias(f"{name}_bits")).drop("_addr", "_raw", "_slashes")


Block = tuple[list[int], int] | None  # a constant block's groups and bits


def constant_block(text: str) -> Block:
    """A constant CIDR block parsed once (None when unusable)."""
    frame = _with_block(pl.DataFrame({"c": [text]}, schema={"c": pl.String}), "c")
    bits = frame["c_bits"][0]
    if bits is None:
        return None
    return [frame[f"c_g{i}"][0] for i in range(GROUPS)], bits


def _matches(groups: list[pl.Expr], masks: list[pl.Expr]) -> pl.Expr:
    return pl.all_horizontal(
        [
            col(f"g{i}").and_(m) == g.and_(m)
            for i, (g, m) in enumerate(zip(groups, masks, strict=False))
        ]
    ).fill_null(False)


def cidr_match_series(packed: pl.Series, constants: list[Block]) -> pl.Series:
    """``packed`` has the ip in field ``ip`` and the blocks that vary per row in
    ``b0``, ``b1`` …; ``constants`` are the blocks parsed once. Returns a struct:
    ``found`` (null for a null ip) and, per varying block, ``bad_b<i>`` (a non-null
    block that is not ``address/bits``)."""
    frame = packed.struct.unnest()
    blocks = [c for c in frame.columns if c != "ip"]
    frame = with_groups(frame, "ip", "g")
    hits = []
    for block in constants:
        if block is not None:
            numbers, bits = block
            literal = [pl.lit(g, dtype=pl.Int64) for g in numbers]
            hits.append(_matches(literal, _group_masks(pl.lit(bits))))
    for name in blocks:
        frame = _with_block(frame, name)
        groups = [col(f"{name}_g{i}") for i in range(GROUPS)]
        hits.append(_matches(groups, _group_masks(col(f"{name}_bits"))))
    found = pl.any_horizontal(hits) if hits else pl.lit(False)
    bad = [(col(n).is_not_null() & col(f"{n}_bits").is_null()).alias(f"bad_{n}") for n in blocks]
    out = frame.select(
        pl.when(col("ip").is_null()).then(None).otherwise(found).alias("found"), *bad
    )
    return out.to_struct("r")


def _v4_block_test(ip: pl.Expr, block: tuple[list[int], int]) -> pl.Expr | None:
    """An IPv4 block (IPv4-mapped: bits >= 96) as tests on the address text, which
    is canonical (IPv4 addresses as dotted quads, no leading zeros): its whole
    octets are a text prefix (ending in a dot), a partial one a range of the next
    octet. Several times faster than parsing every address. None for other blocks."""
    numbers, bits = block
    if numbers[:6] != [0, 0, 0, 0, 0, 0xFFFF] or bits < 96:
        return None
    octets = [numbers[6] >> 8, numbers[6] & 0xFF, numbers[7] >> 8, numbers[7] & 0xFF]
    whole, rest = divmod(bits - 96, 8)
    if whole == 4:
        return ip == ".".join(map(str, octets))
    prefix = "".join(f"{o}." for o in octets[:whole])
    v4 = ip.str.starts_with(prefix) if whole else ~ip.str.contains(":", literal=True)
    if rest == 0:
        return v4
    mask = (0xFF << (8 - rest)) & 0xFF
    low = octets[whole] & mask
    after = ip.str.slice(len(prefix)).str.split_exact(".", 1).struct.field("field_0")
    return v4 & after.cast(pl.Int64, strict=False).is_between(low, low | (~mask & 0xFF))


def _constant_v4_match(ip: pl.Expr, constants: list[Block]) -> pl.Expr | None:
    """CIDR_MATCH against constant IPv4 blocks only, on the text; None otherwise."""
    tests = []
    for block in constants:
        if block is None:
            continue
        test = _v4_block_test(ip, block)
        if test is None:
            return None
        tests.append(test)
    found = pl.any_horizontal(tests).fill_null(False) if tests else pl.lit(False)
    return pl.when(ip.is_null()).then(None).otherwise(found)


@scalar("cidr_match", nulls=False)
def _cidr_match(args: list[Col], ctx: EvalContext, t: DataType) -> pl.Expr:
    ip_col = args[0]
    if ip_col.type is D.NULL:
        return pl.lit(None, dtype=pl.Boolean)
    blocks = [b for b in args[1:] if b.type is not D.NULL and not b.is_const]
    constants = [
        constant_block(str(b.value)) for b in args[1:] if b.is_const and b.value is not None
    ]
    for b in args[1:]:
        if b.is_const and b.value is not None and constant_block(str(b.value)) is None:
            ctx.fail_when(
                ip_col.expr.is_not_null(), illegal(f"Expected [ip/prefix] but was [{b.value}]")
            )
    if not blocks and (fast := _constant_v4_match(ip_col.expr, constants)) is not None:
        return fast
    fields = [ip_col.expr.alias("ip")] + [b.expr.alias(f"b{i}") for i, b in enumerate(blocks)]
    dtype = pl.Struct(
        [pl.Field("found", pl.Boolean)]
        + [pl.Field(f"bad_b{i}", pl.Boolean) for i in range(len(blocks))]
    )
    packed = pl.struct(fields)
    result = packed.map_batches(lambda s: cidr_match_series(s, constants), return_dtype=dtype)
    for i, block in enumerate(blocks):
        message = pl.format("{}[{}]", pl.lit(illegal("Expected [ip/prefix] but was ")), block.expr)
        ctx.fail_when(result.struct.field(f"bad_b{i}"), message)
    return result.struct.field("found")


# -------------------------------------------------------------------- IP_PREFIX


def ip_prefix_series(packed: pl.Series) -> pl.Series:
    """``packed`` has fields ``ip``, ``v4`` and ``v6`` (prefix lengths)."""
    frame = with_groups(packed.struct.unnest(), "ip", "g")
    frame = frame.with_columns(
        _bits=pl.when(_mapped("g")).then(col("v4") + 96).otherwise(col("v6"))
    )
    masks = _group_masks(col("_bits"))
    frame = frame.with_columns([col(f"g{i}").and_(m).alias(f"m{i}") for i, m in enumerate(masks)])
    return with_text(frame, "m", "out")["out"]


@scalar("ip_prefix")
def _ip_prefix(args: list[Col], ctx: EvalContext, t: DataType) -> pl.Expr:
    ip_col, v4_len, v6_len = args[0].expr, args[1].expr.cast(pl.Int64), args[2].expr.cast(pl.Int64)
    bad_v4 = (v4_len < 0) | (v4_len > 32)
    bad_v6 = (v6_len < 0) | (v6_len > 128)
    packed = pl.struct(
        ip_col.alias("ip"), v4_len.clip(0, 32).alias("v4"), v6_len.clip(0, 128).alias("v6")
    )
    result = packed.map_batches(ip_prefix_series, return_dtype=pl.String)
    message = (
        pl.when(bad_v4)
        .then(
            pl.format(
                "{}{}", pl.lit(illegal("Prefix length v4 must be in range [0, 32], found ")), v4_len
            )
        )
        .otherwise(
            pl.format(
                "{}{}",
                pl.lit(illegal("Prefix length v6 must be in range [0, 128], found ")),
                v6_len,
            )
        )
    )
    return failing(ctx, bad_v4 | bad_v6, message, result)
