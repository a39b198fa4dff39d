"""NDJSON files (one JSON object per line) as raw columns, vectorised.

A document's values, as Elasticsearch's document parser sees them: nested
objects flatten to dotted paths, arrays (nested too) are multi-values of their
path, nulls are no value. Each value keeps its JSON text (a number ``1.50``
stays ``1.50``: a ``keyword`` field indexes the text), and its kind (``str``,
``int``, ``float``, ``bool``; ``object`` for an object kept whole) is recorded
per path for type inference. Objects at ``keep`` paths are values, not fields
(a ``geo_point``'s ``{"lat", "lon"}``, a range): each becomes its JSON text.

How: Polars' JSON decoder has no way to keep number text and fails on a path
that is a scalar in one document and an array in the next, so lines are cut
into JSON tokens by one regular expression, and the tokens' nesting (depth, the
current key at each level, whether a level is an object or an array) is
worked out with cumulative sums and forward fills over the token column. The
syntax of each line is checked first by Polars' JSON decoder.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import polars as pl

from esqlsh.clusters.convert import lists_from_rows
from esqlsh.clusters.parallel import ordered_map
from esqlsh.clusters.source_lines import LINE, read_line_blocks
from esqlsh.errors import IllegalArgumentError

RAW = pl.List(pl.String())

# A key with its colon, a string, a bracket, or a bare literal (number, true,
# false, null); commas, colons after keys and white space are not tokens.
_STRING = r'"(?:[^"\\]|\\.)*"'
_TOKENS = rf"{_STRING}\s*:|{_STRING}|[{{}}\[\]]|[^\s{{}}\[\],:\"]+"
_INT = r"^-?[0-9]+$"
_ANY_STRUCT = pl.Struct({"\x00": pl.Null()})
# Holds a block's rows while no path has a value yet.
_ROWS = "\x00rows"

Kinds = dict[str, set[str]]

# Smaller blocks than for CSV: a line makes dozens of tokens, each a row here.
BLOCK_BYTES = 16 << 20


def read_ndjson_columns(
    path: str | Path, keep: Iterable[str] = ()
) -> tuple[pl.DataFrame, dict[str, frozenset[str]]]:
    """The documents of ``path`` as raw columns (``List(String)`` per dotted path,
    in order of first appearance) and the JSON kinds seen per path."""
    keep_paths = frozenset(keep)
    parts: list[pl.DataFrame] = []
    kinds: Kinds = {}
    blocks = read_line_blocks(path, BLOCK_BYTES)
    for columns, block_kinds in ordered_map(lambda b: _block(b, keep_paths), blocks):
        if columns is None:
            continue
        for p, k in block_kinds.iter_rows():
            kinds.setdefault(p, set()).update(k)
        parts.append(columns)
    frame = pl.concat(parts, how="diagonal").drop(_ROWS) if parts else pl.DataFrame()
    if not frame.width:
        frame = pl.DataFrame()  # no values at all: no columns, no rows
    return frame, {p: frozenset(k) for p, k in kinds.items()}


def _block(block: pl.DataFrame, keep: frozenset[str]) -> tuple[pl.DataFrame | None, pl.DataFrame]:
    """A block's raw columns (None when it has no documents) and kinds per path."""
    docs = block.filter(pl.col(LINE).str.strip_chars() != "")
    if docs.height == 0:
        return None, pl.DataFrame()
    _check_syntax(docs)
    values = document_values(docs.get_column(LINE), keep)
    kinds = values.group_by("path").agg(pl.col("kind").unique())
    return _columns(values, docs.height), kinds


# --- syntax --------------------------------------------------------------------------


def _check_syntax(docs: pl.DataFrame) -> None:
    """Every line must be a JSON object; the error names the first that is not,
    in Python's ``json`` words."""
    lines = docs.get_column(LINE)
    starts_object = lines.str.strip_chars_start().str.starts_with("{")
    if not starts_object.all():
        _raise_for(docs.filter(~starts_object).row(0))
    if _parses(lines):
        return
    low, high = 0, lines.len()
    while high - low > 1:  # halving: the first line the decoder rejects
        mid = (low + high) // 2
        if _parses(lines.slice(low, mid - low)):
            low = mid
        else:
            high = mid
    _raise_for(docs.row(low))


def _parses(lines: pl.Series) -> bool:
    try:
        lines.str.json_decode(_ANY_STRUCT)
    except pl.exceptions.ComputeError:
        return False
    return True


def _raise_for(row: tuple[int, str]) -> None:
    line_no, line = row
    try:
        doc = json.loads(line)
    except ValueError as e:
        raise IllegalArgumentError(f"Error line [{line_no}]: not a JSON object: {e}") from None
    if not isinstance(doc, dict):
        raise IllegalArgumentError(f"Error line [{line_no}]: not a JSON object")
    # Python accepts what the decoder does not (NaN, Infinity): not JSON either.
    raise IllegalArgumentError(f"Error line [{line_no}]: not a JSON object: invalid JSON")


# --- tokens to values --------------------------------------------------------------------


def document_values(lines: pl.Series, keep: frozenset[str] = frozenset()) -> pl.DataFrame:
    """One row per value, in document order: ``row`` (the line's position),
    ``path``, ``text`` and ``kind``."""
    tokens = _tokens(lines)
    tokens = tokens.with_columns(_key_texts(tokens))
    depth = tokens.get_column("depth_after").max()
    levels = range(1, int(depth) + 1 if isinstance(depth, int) else 1)
    nested = tokens.lazy().with_columns(_levels(levels)).with_columns(path=_path(levels))
    region: pl.Expr = pl.lit(None, dtype=pl.Int64)
    if keep:
        nested = nested.with_columns(_kept_regions(levels, keep))
        region = pl.col("region")
    frame = nested.select(*_TOKEN_COLUMNS, "path", *(["region"] if keep else [])).collect()
    kind = pl.col("kind")
    scalars = frame.filter(region.is_null() & kind.is_in([_STR, _LIT]) & (pl.col("tok") != "null"))
    values = scalars.select("pos", "row", "path", text=_scalar_text(scalars), kind=_scalar_kind())
    if keep:
        values = pl.concat([values, _kept_objects(frame)]).sort("pos")
    return values.drop("pos")


# Token kinds.
_OPEN, _CLOSE, _KEY, _STR, _LIT = range(5)
_TOKEN_COLUMNS = ("pos", "row", "tok", "kind", "depth_before", "depth_after")


def _tokens(lines: pl.Series) -> pl.DataFrame:
    tok = pl.col("tok")
    kind = (
        pl.when(tok.str.starts_with('"'))
        .then(pl.when(tok.str.ends_with(":")).then(_KEY).otherwise(_STR))
        .when((tok == "{") | (tok == "["))
        .then(_OPEN)
        .when((tok == "}") | (tok == "]"))
        .then(_CLOSE)
        .otherwise(_LIT)
        .cast(pl.Int8)
    )
    delta = pl.when(pl.col("kind") == _OPEN).then(1).when(pl.col("kind") == _CLOSE).then(-1)
    return (
        lines.str.extract_all(_TOKENS)
        .rename("tok")
        .to_frame()
        .with_row_index("row")
        .explode("tok")
        .with_row_index("pos")
        .lazy()
        .with_columns(kind=kind)
        .with_columns(delta=delta.otherwise(0).cast(pl.Int32))
        # Lines are balanced (checked), so depth runs on across them.
        .with_columns(depth_after=pl.col("delta").cum_sum())
        .with_columns(depth_before=pl.col("depth_after") - pl.col("delta"))
        .collect()
    )


def _levels(levels: range) -> list[pl.Expr]:
    """Per token and nesting level L: whether the container open at L is an object
    (``obj_L``) and the latest key seen at L (``key_L``). A forward fill gives the
    value of the innermost container at that level, which encloses the token when
    the token is at least that deep."""
    tok, kind = pl.col("tok"), pl.col("kind")
    out: list[pl.Expr] = []
    for level in levels:
        opens = (kind == _OPEN) & (pl.col("depth_after") == level)
        is_key = (kind == _KEY) & (pl.col("depth_before") == level)
        out.append(pl.when(opens).then(tok == "{").forward_fill().alias(f"obj_{level}"))
        out.append(pl.when(is_key).then(pl.col("key")).forward_fill().alias(f"key_{level}"))
    return out


def _path(levels: range) -> pl.Expr:
    """The dotted path of a token's value: the keys of the objects around it
    (arrays add nothing). A bracket belongs to the level outside it."""
    inside = pl.min_horizontal("depth_before", "depth_after")
    parts = [
        pl.when((inside >= level) & pl.col(f"obj_{level}")).then(pl.col(f"key_{level}"))
        for level in levels
    ]
    if not parts:
        return pl.lit("")
    return pl.concat_str(parts, separator=".", ignore_nulls=True)


def _key_texts(tokens: pl.DataFrame) -> pl.Series:
    """``key``: a key token's name, null for other tokens."""
    is_key = tokens.get_column("kind") == _KEY
    names = tokens.get_column("tok").filter(is_key).str.strip_chars_end(":").str.strip_chars_end()
    out = pl.repeat(None, tokens.height, dtype=pl.String, eager=True).rename("key")
    return out.scatter(is_key.arg_true(), string_values(names))


def _scalar_text(scalars: pl.DataFrame) -> pl.Series:
    tok = scalars.get_column("tok")
    quoted = scalars.get_column("kind") == _STR
    if quoted.all():
        return string_values(tok)
    return tok.scatter(quoted.arg_true(), string_values(tok.filter(quoted)))


def string_values(literals: pl.Series) -> pl.Series:
    """JSON string literals' values (escapes decoded where there are any)."""
    text = literals.str.slice(1, literals.str.len_chars() - 2)
    escaped = literals.str.contains("\\", literal=True)
    if escaped.any():
        text = text.scatter(escaped.arg_true(), literals.filter(escaped).str.json_decode(pl.String))
    return text


def _scalar_kind() -> pl.Expr:
    tok = pl.col("tok")
    return (
        pl.when(pl.col("kind") == _STR)
        .then(pl.lit("str"))
        .when(tok.is_in(["true", "false"]))
        .then(pl.lit("bool"))
        .when(tok.str.contains(_INT))
        .then(pl.lit("int"))
        .otherwise(pl.lit("float"))
    )


# --- objects kept whole ----------------------------------------------------------------


def _kept_regions(levels: range, keep: frozenset[str]) -> pl.Expr:
    """``region``: for tokens inside an object at a ``keep`` path (its braces
    included), the position of that object's opening brace (the outermost one
    when such objects nest); null elsewhere."""
    kind = pl.col("kind")
    kept_open = (pl.col("tok") == "{") & pl.col("path").is_in(list(keep))
    deepest = pl.max_horizontal("depth_before", "depth_after")
    outermost: list[pl.Expr] = []
    for level in levels:
        opens = (kind == _OPEN) & (pl.col("depth_after") == level)
        kept_at = pl.when(opens).then(kept_open).forward_fill()
        outermost.append(pl.when((deepest >= level) & kept_at).then(pl.lit(level)))
    region_level = pl.coalesce(outermost) if outermost else pl.lit(None, dtype=pl.Int32)
    starts = kept_open & (region_level == pl.col("depth_after"))
    region = pl.when(starts).then(pl.col("pos")).forward_fill()
    return pl.when(region_level.is_not_null()).then(region).alias("region")


def _kept_objects(tokens: pl.DataFrame) -> pl.DataFrame:
    """Each kept object as one value: its JSON text (``{"lat": 1.5, "lon": 2.5}``)."""
    inside = tokens.filter(pl.col("region").is_not_null())
    kind, tok = pl.col("kind"), pl.col("tok")
    ends_value = kind.is_in([_CLOSE, _STR, _LIT])
    after_value = ends_value.shift(1).over("region").fill_null(False)
    sep = pl.when(after_value & (kind != _CLOSE)).then(pl.lit(", ")).otherwise(pl.lit(""))
    text = pl.when(kind == _KEY).then(_key_json(tok)).otherwise(tok)
    return (
        inside.with_columns(piece=sep + text)
        .group_by("region", maintain_order=True)
        .agg(
            pl.col("pos").first(),
            pl.col("row").first(),
            pl.col("path").first(),
            pl.col("piece").str.join(""),
        )
        .select("pos", "row", "path", text=pl.col("piece"), kind=pl.lit("object"))
    )


def _key_json(tok: pl.Expr) -> pl.Expr:
    return tok.str.strip_chars_end(":").str.strip_chars_end() + ": "


# --- values to columns -----------------------------------------------------------------


def _columns(values: pl.DataFrame, height: int) -> pl.DataFrame:
    """One ``List(String)`` column per path, a row per document. Values are sorted
    by path (stably: each path's values stay in document order), and each path's
    lists are built from its slice and the count of values per document."""
    order = values.get_column("path").unique(maintain_order=True)
    ranked = values.with_columns(rank=pl.col("path").cast(pl.Enum(order)).to_physical())
    ranked = ranked.sort("rank", maintain_order=True)
    sizes = ranked.get_column("rank").rle().struct.field("len")
    columns = [pl.repeat(None, height, dtype=pl.Null, eager=True).rename(_ROWS)]
    start = 0
    for path, size in zip(order, sizes, strict=True):
        part = ranked.slice(start, size)
        lists = lists_from_rows(part.get_column("row"), part.get_column("text"), height)
        columns.append(lists.rename(path))
        start += size
    return pl.DataFrame(columns)
