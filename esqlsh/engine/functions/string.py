"""String functions on Polars: lengths in code points (LENGTH), bytes (BYTE_LENGTH,
BIT_LENGTH), 1-based positions with ES's negative-start rule (SUBSTRING, LOCATE),
Java-regex REPLACE, single-byte SPLIT, hashes, base64, and ES's 1 MB limit on built
strings (CONCAT, REPEAT, SPACE)."""

from __future__ import annotations

import hashlib
import re

import polars as pl

from esqlsh.analysis.types import DataType
from esqlsh.engine.compiled import Col, EvalContext
from esqlsh.engine.functions._common import regex_error
from esqlsh.engine.functions._shared_b import (
    MAX_BYTES,
    InvalidArgumentError,
    failing,
    illegal,
    per_distinct,
    scalar,
)
from esqlsh.errors import IllegalArgumentError

D = DataType
# Character.isWhitespace for the bytes ES's TRIM looks at.
WHITESPACE = " \t\n\x0b\x0c\r\x1c\x1d\x1e\x1f"


# ------------------------------------------------------------------------ lengths


@scalar("length")
def _length(args: list[Col], ctx: EvalContext, t: DataType) -> pl.Expr:
    return args[0].expr.str.len_chars().cast(pl.Int32)


@scalar("byte_length")
def _byte_length(args: list[Col], ctx: EvalContext, t: DataType) -> pl.Expr:
    return args[0].expr.str.len_bytes().cast(pl.Int32)


@scalar("bit_length")
def _bit_length(args: list[Col], ctx: EvalContext, t: DataType) -> pl.Expr:
    return (args[0].expr.str.len_bytes().cast(pl.Int32)) * 8


# ------------------------------------------------------------ building strings


def _limited(ctx: EvalContext, value: pl.Expr, message: str) -> pl.Expr:
    return failing(ctx, value.str.len_bytes() > MAX_BYTES, illegal(message), value)


@scalar("concat")
def _concat(args: list[Col], ctx: EvalContext, t: DataType) -> pl.Expr:
    joined = pl.concat_str([a.expr for a in args], ignore_nulls=False)
    return _limited(ctx, joined, f"concatenating more than [{MAX_BYTES}] bytes is not supported")


def _repeated(text: pl.Expr, count: pl.Expr, too_long: pl.Expr) -> pl.Expr:
    # Polars computes both branches of ``when``: a count whose result would be too
    # long (null with a warning) must not be built at all, and an empty string is
    # not repeated either (a list of 2**31 empty strings is as big).
    build = ~too_long.fill_null(False) & (text.str.len_bytes() > 0)
    safe = count.cast(pl.Int64).clip(0) * build.cast(pl.Int64)
    return text.repeat_by(safe).list.join("")


def _negative_count(ctx: EvalContext, count: pl.Expr, value: pl.Expr) -> pl.Expr:
    message = pl.format(
        "{}[{}]", pl.lit(illegal("Number parameter cannot be negative, found ")), count
    )
    return failing(ctx, count < 0, message, value)


@scalar("repeat")
def _repeat(args: list[Col], ctx: EvalContext, t: DataType) -> pl.Expr:
    text, count = args[0].expr, args[1].expr
    too_long = text.str.len_bytes().cast(pl.Int64) * count.cast(pl.Int64) > MAX_BYTES
    message = illegal(
        f"Creating repeated strings with more than [{MAX_BYTES}] bytes is not supported"
    )
    guarded = failing(ctx, too_long & (count >= 0), message, _repeated(text, count, too_long))
    return _negative_count(ctx, count, guarded)


@scalar("space")
def _space(args: list[Col], ctx: EvalContext, t: DataType) -> pl.Expr:
    count = args[0].expr
    message = illegal(f"Creating strings longer than [{MAX_BYTES}] bytes is not supported")
    too_long = count > MAX_BYTES
    guarded = failing(ctx, too_long, message, _repeated(pl.lit(" "), count, too_long))
    return _negative_count(ctx, count, guarded)


# ------------------------------------------------------------ parts of strings


def _start_index(start: pl.Expr, count: pl.Expr) -> pl.Expr:
    """ES's 1-based start (0 counts as 1, negative counts from the end) as a 0-based
    code point index clamped to the string."""
    index = pl.when(start > 0).then(start - 1).when(start < 0).then(count + start).otherwise(0)
    return pl.min_horizontal(pl.max_horizontal(index, pl.lit(0)), count)


@scalar("substring")
def _substring(args: list[Col], ctx: EvalContext, t: DataType) -> pl.Expr:
    text, start = args[0].expr, args[1].expr.cast(pl.Int64)
    count = text.str.len_chars().cast(pl.Int64)
    begin = _start_index(start, count)
    if len(args) == 2:
        return pl.when(start.is_null()).then(None).otherwise(text.str.slice(begin))
    length = args[2].expr.cast(pl.Int64)
    message = pl.format(
        "{}[{}]", pl.lit(illegal("Length parameter cannot be negative, found ")), length
    )
    part = text.str.slice(begin, length.clip(0))
    part = pl.when(start.is_null() | length.is_null()).then(None).otherwise(part)
    return failing(ctx, length < 0, message, part)


@scalar("left")
def _left(args: list[Col], ctx: EvalContext, t: DataType) -> pl.Expr:
    return args[0].expr.str.head(args[1].expr.cast(pl.Int64).clip(0))


@scalar("right")
def _right(args: list[Col], ctx: EvalContext, t: DataType) -> pl.Expr:
    return args[0].expr.str.tail(args[1].expr.cast(pl.Int64).clip(0))


@scalar("locate")
def _locate(args: list[Col], ctx: EvalContext, t: DataType) -> pl.Expr:
    """1-based code point position of ``substring`` at or after ``start``; 0 when
    absent."""
    text, sub = args[0].expr, args[1].expr
    start = args[2].expr.cast(pl.Int64) if len(args) > 2 else pl.lit(0, dtype=pl.Int64)
    count = text.str.len_chars().cast(pl.Int64)
    begin = _start_index(start, count)
    rest = text.str.slice(begin)
    found = rest.str.contains(sub, literal=True)
    # Characters before the first occurrence (splitn cannot split on "").
    before = rest.str.splitn(sub, 2).struct.field("field_0").str.len_chars().cast(pl.Int64)
    offset = pl.when(sub == "").then(0).otherwise(before)
    position = pl.when(found).then(begin + offset + 1).otherwise(0)
    # ES answers 0 early when the substring has more bytes than the string.
    position = pl.when(text.str.len_bytes() < sub.str.len_bytes()).then(0).otherwise(position)
    return (
        pl.when(text.is_null() | sub.is_null() | start.is_null())
        .then(None)
        .otherwise(position)
        .cast(pl.Int32)
    )


@scalar("starts_with")
def _starts_with(args: list[Col], ctx: EvalContext, t: DataType) -> pl.Expr:
    return args[0].expr.str.starts_with(args[1].expr)


@scalar("ends_with")
def _ends_with(args: list[Col], ctx: EvalContext, t: DataType) -> pl.Expr:
    return args[0].expr.str.ends_with(args[1].expr)


@scalar("ltrim")
def _ltrim(args: list[Col], ctx: EvalContext, t: DataType) -> pl.Expr:
    return args[0].expr.str.strip_chars_start(WHITESPACE)


@scalar("rtrim")
def _rtrim(args: list[Col], ctx: EvalContext, t: DataType) -> pl.Expr:
    return args[0].expr.str.strip_chars_end(WHITESPACE)


@scalar("trim")
def _trim(args: list[Col], ctx: EvalContext, t: DataType) -> pl.Expr:
    return args[0].expr.str.strip_chars(WHITESPACE)


@scalar("reverse")
def _reverse(args: list[Col], ctx: EvalContext, t: DataType) -> pl.Expr:
    # Polars reverses grapheme clusters, as ES does (BreakIterator characters).
    return args[0].expr.str.reverse()


@scalar("to_lower")
def _to_lower(args: list[Col], ctx: EvalContext, t: DataType) -> Col:
    x = args[0]
    if x.multi:
        return Col(x.expr.list.eval(pl.element().str.to_lowercase()), t, multi=True)
    return Col(x.expr.str.to_lowercase(), t)


@scalar("to_upper")
def _to_upper(args: list[Col], ctx: EvalContext, t: DataType) -> Col:
    x = args[0]
    if x.multi:
        return Col(x.expr.list.eval(pl.element().str.to_uppercase()), t, multi=True)
    return Col(x.expr.str.to_uppercase(), t)


@scalar("split")
def _split(args: list[Col], ctx: EvalContext, t: DataType) -> Col:
    text, delim = args
    if delim.is_const:
        if delim.value is None or len(str(delim.value).encode()) != 1:
            raise InvalidArgumentError("delimiter must be single byte for now")
        return Col(text.expr.str.split(str(delim.value)), t, multi=True)
    bad = delim.expr.str.len_bytes() != 1
    message = "org.elasticsearch.xpack.esql.core.InvalidArgumentException: delimiter must be single byte for now"
    parts = text.expr.str.split(delim.expr)
    return Col(failing(ctx, bad, message, parts), t, multi=True)


# ------------------------------------------------------------------------ regexes


def java_replacement(replacement: str, groups: int) -> str:
    """A ``Matcher.replaceAll`` replacement (``$1``, ``${name}``, ``\\$``) in Rust
    regex syntax (``${1}``, ``$$``). Java takes as many digits after ``$`` as still
    name an existing group."""
    out: list[str] = []
    i = 0
    while i < len(replacement):
        c = replacement[i]
        if c == "\\" and i + 1 < len(replacement):
            out.append("$$" if replacement[i + 1] == "$" else replacement[i + 1])
            i += 2
        elif c == "$" and i + 1 < len(replacement) and replacement[i + 1] == "{":
            end = replacement.index("}", i)
            out.append(replacement[i : end + 1])
            i = end + 1
        elif c == "$" and i + 1 < len(replacement) and replacement[i + 1].isdigit():
            j = i + 2
            number = int(replacement[i + 1])
            while (
                j < len(replacement)
                and replacement[j].isdigit()
                and number * 10 + int(replacement[j]) <= groups
            ):
                number = number * 10 + int(replacement[j])
                j += 1
            out.append("${" + str(number) + "}")
            i = j
        else:
            out.append("$$" if c == "$" else c)
            i += 1
    return "".join(out)


def java_regex(pattern: str) -> str:
    """A Java regex in Rust regex syntax: the constructs that differ in spelling.
    Look-around and back-references have no Rust equivalent and fail to compile."""
    # Possessive quantifiers (a*+) behave like greedy ones when nothing can backtrack
    # into them; Rust has no possessive form.
    pattern = re.sub(r"(?<!\\)([*+?}])\+", r"\1", pattern)
    return pattern.replace("\\p{Alpha}", "[a-zA-Z]").replace("\\p{Digit}", "[0-9]")


@scalar("replace")
def _replace(args: list[Col], ctx: EvalContext, t: DataType) -> pl.Expr:
    text, regex, replacement = args
    if not regex.is_const:
        return _replace_per_pattern(text, regex, replacement)
    pattern = java_regex(str(regex.value))
    if error := regex_error(pattern):
        # Java's PatternSyntaxException, raised as the evaluator is built
        raise IllegalArgumentError(f"Invalid regex [{regex.value}]: {error}")
    try:
        groups = re.compile(str(regex.value)).groups
    except re.error:
        groups = 9
    if replacement.is_const:
        return text.expr.str.replace_all(pattern, java_replacement(str(replacement.value), groups))
    # Polars refuses a null replacement value; such rows are null anyway.
    replaced = text.expr.str.replace_all(pattern, replacement.expr.fill_null(""))
    return pl.when(replacement.expr.is_null()).then(None).otherwise(replaced)


def _replace_per_pattern(text: Col, regex: Col, replacement: Col) -> pl.Expr:
    """REPLACE with a regex that differs per row: Polars needs a fixed pattern, so
    the rows are handled once per distinct (pattern, replacement) pair."""

    def apply(frame: pl.Series) -> pl.Series:
        df = frame.struct.unnest()
        out = pl.Series("r", [None] * len(df), dtype=pl.String)
        for key in df.select("p", "n").unique().drop_nulls().iter_rows():
            mask = (df["p"] == key[0]) & (df["n"] == key[1])
            pattern = java_regex(key[0])
            try:
                groups = re.compile(key[0]).groups
            except re.error:
                groups = 9
            if regex_error(pattern):
                continue  # null (Elasticsearch: null and a PatternSyntaxException warning)
            replaced = df.filter(mask).select(
                pl.col("s").str.replace_all(pattern, java_replacement(key[1], groups))
            )["s"]
            out = out.scatter(mask.arg_true(), replaced)
        return out

    packed = pl.struct(text.expr.alias("s"), regex.expr.alias("p"), replacement.expr.alias("n"))
    return packed.map_batches(apply, return_dtype=pl.String)


# ------------------------------------------------------------ hashes and base64


# Java MessageDigest names → hashlib names.
ALGORITHMS = {
    "MD5": "md5",
    "SHA": "sha1",
    "SHA-1": "sha1",
    "SHA1": "sha1",
    "SHA-224": "sha224",
    "SHA-256": "sha256",
    "SHA-384": "sha384",
    "SHA-512": "sha512",
    "SHA-512/224": "sha512_224",
    "SHA-512/256": "sha512_256",
    "SHA3-224": "sha3_224",
    "SHA3-256": "sha3_256",
    "SHA3-384": "sha3_384",
    "SHA3-512": "sha3_512",
}


def _hex_digest(algorithm: str, text: pl.Expr) -> pl.Expr:
    name = ALGORITHMS[algorithm.upper()]
    # Per distinct value: Polars has no cryptographic hash expression.
    return per_distinct(text, lambda v: hashlib.new(name, v.encode()).hexdigest(), pl.String())


@scalar("md5")
def _md5(args: list[Col], ctx: EvalContext, t: DataType) -> pl.Expr:
    return _hex_digest("MD5", args[0].expr)


@scalar("sha1")
def _sha1(args: list[Col], ctx: EvalContext, t: DataType) -> pl.Expr:
    return _hex_digest("SHA-1", args[0].expr)


@scalar("sha256")
def _sha256(args: list[Col], ctx: EvalContext, t: DataType) -> pl.Expr:
    return _hex_digest("SHA-256", args[0].expr)


@scalar("hash")
def _hash(args: list[Col], ctx: EvalContext, t: DataType) -> pl.Expr:
    algorithm, text = args
    if algorithm.is_const:
        name = str(algorithm.value)
        if name.upper() not in ALGORITHMS:
            raise InvalidArgumentError(
                f"invalid algorithm for [{ctx.source.text if ctx.source else 'hash'}]: "
                f"{name} MessageDigest not available"
            )
        return _hex_digest(name, text.expr)
    known = algorithm.expr.str.to_uppercase().is_in(list(ALGORITHMS))
    message = pl.format(
        "java.security.NoSuchAlgorithmException: {} MessageDigest not available", algorithm.expr
    )

    def digest(pair: dict[str, str]) -> str | None:
        name = ALGORITHMS.get(pair["a"].upper())
        return hashlib.new(name, pair["v"].encode()).hexdigest() if name else None

    packed = pl.struct(algorithm.expr.alias("a"), text.expr.alias("v"))
    hashed = per_distinct(
        pl.when(algorithm.expr.is_not_null() & text.expr.is_not_null()).then(packed),
        digest,
        pl.String(),
    )
    return failing(ctx, ~known, message, hashed)


@scalar("to_base64")
def _to_base64(args: list[Col], ctx: EvalContext, t: DataType) -> pl.Expr:
    return args[0].expr.str.encode("base64")


@scalar("from_base64")
def _from_base64(args: list[Col], ctx: EvalContext, t: DataType) -> pl.Expr:
    # Java's Base64 decoder accepts missing padding; Polars wants it: pad first.
    text = args[0].expr
    padding = (4 - text.str.len_bytes() % 4) % 4
    padded = pl.concat_str([text, pl.lit("=").repeat_by(padding).list.join("")])
    valid = padded.str.contains(r"^[A-Za-z0-9+/]*={0,2}$") & (padding != 3)
    message = pl.format(
        "{}{}", pl.lit(illegal("Input byte array has wrong 4-byte ending unit: ")), text
    )
    raw = pl.when(valid).then(padded).str.decode("base64", strict=False)
    # Bytes that are not UTF-8 print with replacement characters, as Java's
    # String(bytes, UTF_8) does; Polars cannot cast them to a string (it fails the
    # whole query) nor decode them lossily, so this is done once per distinct value.
    text_out = per_distinct(raw, lambda b: b.decode("utf-8", "replace"), pl.String())
    return failing(ctx, ~valid, message, text_out)


# ------------------------------------------------------------ after 9.1: CONTAINS


@scalar("contains")
def _contains(args: list[Col], ctx: EvalContext, t: DataType) -> pl.Expr:
    return args[0].expr.str.contains(args[1].expr, literal=True)
