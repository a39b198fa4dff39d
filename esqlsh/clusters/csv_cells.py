"""CSV files as Elasticsearch's csv-spec loader reads them, vectorised: lines
become cells, cells become raw multi-value columns (``List(String)``).

The conventions (``CsvTestsDataLoader``'s, as the csv module plus
``multiValuesAwareCsvToStringArray`` give them):

- lines are trimmed; empty lines and ``//`` comments are skipped;
- a line is split at commas into tokens; a token may be quoted (``"a, b"``,
  ``""`` for a quote; spaces before the opening quote are skipped, text after
  the closing one is kept); a token whose value ends in a single ``\\``
  continues into the next one (``\\,`` is a literal comma);
- tokens ``[a`` … ``b]`` (trimmed: the first starts with ``[`` and does not end
  with ``]``, the last is the first after it that ends with ``]``) form one
  multi-value cell, joined by commas; a ``]`` token outside one, or a ``[`` one
  never closed, is an error;
- a cell ``[a, b]`` holds the values ``a`` and ``b`` (trimmed; surrounding quotes
  dropped; ``\\,`` a literal comma; empty ones dropped); any other cell holds
  itself; an empty cell holds nothing (null).

How: a line without brackets, quotes or backslashes (almost every line) is cut
at its commas (``str.split``). The others are cut into cells by one regular
expression whose first branch matches a bracketed group of tokens; those with
quotes or backslashes are first rewritten token by token (Polars list
expressions): quotes resolved, commas inside a token value replaced by a
placeholder. Their cells then replace the plain split's.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from esqlsh.clusters.mapping import normalize_type_name
from esqlsh.clusters.parallel import ordered_map
from esqlsh.clusters.source_lines import LINE, read_line_blocks
from esqlsh.errors import IllegalArgumentError

RAW = pl.List(pl.String())

# A comma that belongs to a token's value (quoted, or after a backslash), while
# the line is cut at the other commas. Not expected in CSV text.
_COMMA_IN_VALUE = "\x00"
# A literal ``\,`` while a multi-value cell is split at commas.
_ESCAPED_COMMA = "\x01"

# On ``line + ","``: a bracketed group of tokens (the fewest that end in ``]``),
# else one token; each match ends with the comma after it.
_CELL = r"(\s*\[(?:[^,]*,)*?[^,]*\]\s*|[^,]*),"
# On ``line + ","``: one csv token and the comma after it. Quoted: the closing
# quote is the first one not doubled, text after it runs to the comma; a quote
# left open runs to the end of the line. Or not quoted.
_TOKEN = r'( *"(?:[^"]|"")*"(?:[^,"][^,]*)?,| *"(?:[^"]|"")*,$|[^,]*,)'
_QUOTED = r'(?s)^ *"((?:[^"]|"")*)(?:"(.*))?$'


@dataclass
class CsvSource:
    """A CSV file opened for reading: its header, and its blocks of lines still
    to be cut into columns (``parse``), so that a loader can turn each block into
    field values as it goes."""

    names: list[str]
    types: dict[str, str]
    blocks: Iterator[pl.DataFrame]

    def parse(self, block: pl.DataFrame) -> pl.DataFrame:
        """A block's rows as raw columns."""
        return _columns(_content(block), self.names)

    def empty(self) -> pl.DataFrame:
        return pl.DataFrame({n: pl.Series(n, [], dtype=RAW) for n in self.names})


def open_csv(path: str | Path) -> CsvSource | None:
    """The file's header and remaining lines; None when it has no header (no
    lines but empty ones and comments)."""
    blocks = read_line_blocks(path)
    first = next((b for b in map(_content, blocks) if b.height), None)
    if first is None:
        return None
    names, types = _parse_header(_header_cells(first))
    return CsvSource(names, types, itertools.chain([first.slice(1)], blocks))


def read_csv_columns(path: str | Path) -> tuple[pl.DataFrame, dict[str, str]]:
    """The file's rows as raw columns (``List(String)``, null for no values) and
    the header's types (mapping type names) for the columns that give one."""
    source = open_csv(path)
    if source is None:
        return pl.DataFrame(), {}
    parts = [p for p in ordered_map(source.parse, source.blocks) if p.height]
    return pl.concat(parts or [source.empty()], how="vertical", rechunk=False), source.types


def _content(block: pl.DataFrame) -> pl.DataFrame:
    """A block without empty lines and comments, lines trimmed."""
    line = pl.col(LINE).str.strip_chars()
    return block.with_columns(line).filter((line != "") & ~line.str.starts_with("//"))


def _header_cells(block: pl.DataFrame) -> list[str]:
    line_no, line = block.row(0)
    cells = [str(c) for c in line_cells(pl.Series([line]))[0]]
    if _bad_lines(pl.Series([cells], dtype=RAW), None)[0]:
        _raise_line_error(cells, line_no, None)
    return cells


def _parse_header(entries: list[str]) -> tuple[list[str], dict[str, str]]:
    names: list[str] = []
    types: dict[str, str] = {}
    for entry in entries:
        name, sep, kind = entry.partition(":")
        name = name.strip()
        if not name:
            raise IllegalArgumentError(
                f"Invalid CSV header [{','.join(entries)}]: empty column name"
            )
        if name in names:
            raise IllegalArgumentError(f"Invalid CSV header: duplicate column [{name}]")
        names.append(name)
        if sep and kind.strip():
            types[name] = normalize_type_name(kind)
    return names, types


def _columns(block: pl.DataFrame, names: list[str]) -> pl.DataFrame:
    """A block of lines as raw columns. Most lines are plain (no brackets, quotes
    or backslashes): their cells are the text between commas. The others are cut
    into cells by ``line_cells``, which then replace theirs."""
    lines = block.get_column(LINE)
    count = len(names)
    tokens = lines.str.split(",")
    bad = tokens.list.len() != count
    special = lines.str.contains(r'[\[\]"\\]')
    where = special.arg_true()
    cells = line_cells(lines.filter(special)) if where.len() else None
    if cells is not None:
        bad = bad.scatter(where, _bad_lines(cells, count))
    if bad.any():
        line_no, line = block.row(int(bad.arg_true()[0]))
        _raise_line_error([str(c) for c in line_cells(pl.Series([line]))[0]], line_no, count)
    spaced = _spaced(lines)
    tricky = cells is not None and lines.filter(special).str.contains(r'["\\]').any()
    columns: list[pl.Series] = []
    hints: list[frozenset[str]] = []
    for i, name in enumerate(names):
        column = tokens.list.get(i, null_on_oob=True).rename(name)
        if spaced:
            column = column.str.strip_chars()
        hint: frozenset[str] = frozenset()
        if cells is not None:
            replaced = cells.list.get(i)
            column = column.scatter(where, replaced)
            hint = _hint(replaced) if tricky else _brackets_hint(replaced)
        columns.append(column)
        hints.append(hint)
    return pl.DataFrame([split_cells(c, h) for c, h in zip(columns, hints, strict=True)])


def _spaced(lines: pl.Series) -> bool:
    """Whether white space meets a comma somewhere (lines are trimmed: otherwise
    cells need no trimming). Cheap checks first: ASCII white space, or any
    non-ASCII text (Unicode spaces), before the search proper."""
    maybe = lines.str.contains(r"[ \t\r\x0b\x0c]").any() or bool(
        (lines.str.len_bytes() != lines.str.len_chars()).any()
    )
    return maybe and bool(lines.str.contains(r"\s,|,\s").any())


def _hint(cells: pl.Series) -> frozenset[str]:
    """Which special characters occur in cells (the others' steps are skipped):
    ``[``, ``"``, ``\\``; ``,`` when a cell that is not a multi-value has one."""
    found = {c for c in '["\\' if cells.str.contains(c, literal=True).any()}
    is_mv = cells.str.starts_with("[") & cells.str.ends_with("]")
    if (cells.str.contains(",", literal=True) & ~is_mv).any():
        found.add(",")
    return frozenset(found)


def _brackets_hint(cells: pl.Series) -> frozenset[str]:
    """``_hint`` for cells of lines without quotes or backslashes, where a comma
    only occurs inside brackets."""
    return frozenset("[") if cells.str.starts_with("[").any() else frozenset()


# --- lines to cells ----------------------------------------------------------------


def line_cells(lines: pl.Series) -> pl.Series:
    """Each (trimmed) line's cells, trimmed, as ``List(String)``."""
    tricky = lines.str.contains(r'["\\]')
    text = lines
    if tricky.any():
        text = text.scatter(tricky.arg_true(), _resolve_tokens(lines.filter(tricky)))
    cell = pl.element().str.head(-1)
    if tricky.any():
        cell = cell.str.replace_all(_COMMA_IN_VALUE, ",", literal=True)
    return (text + ",").str.extract_all(_CELL).list.eval(cell.str.strip_chars())


def _resolve_tokens(lines: pl.Series) -> pl.Series:
    """Lines rewritten token by token: quotes resolved, a comma inside a token
    value (quoted, or escaped by a trailing backslash) replaced by a placeholder,
    so the line can be cut at its commas."""
    token = pl.element().str.head(-1)
    quoted = token.str.extract_groups(_QUOTED)
    inner, after = quoted.struct.field("1"), quoted.struct.field("2")
    value = (
        pl.when(inner.is_not_null())
        .then(inner.str.replace_all('""', '"', literal=True) + after.fill_null(""))
        .otherwise(token.str.strip_chars_start(" "))
    )
    continues = value.str.ends_with("\\") & ~value.str.ends_with("\\\\")
    separator = pl.when(continues).then(pl.lit(_COMMA_IN_VALUE)).otherwise(pl.lit(","))
    piece = value.str.replace_all(",", _COMMA_IN_VALUE, literal=True) + separator
    joined = (lines + ",").str.extract_all(_TOKEN).list.eval(piece).list.join("")
    return joined.str.head(-1)  # the separator after the last token


def _bad_lines(cells: pl.Series, expected: int | None) -> pl.Series:
    """Lines with a stray ``]`` token, an unclosed ``[`` one, or (``expected``
    given) the wrong number of cells."""
    e = pl.element()
    stray = (e.str.ends_with("]") & ~e.str.starts_with("[")) | (
        e.str.starts_with("[") & ~e.str.ends_with("]")
    )
    bad = cells.list.eval(stray).list.any()
    if expected is not None:
        bad = bad | (cells.list.len() != expected)
    return bad


def _raise_line_error(cells: list[str], line_no: int, expected: int | None) -> None:
    for cell in cells:
        if cell.endswith("]") and not cell.startswith("["):
            raise IllegalArgumentError(
                f"Error line [{line_no}]: Unexpected end of a multi-value field value "
                f"(no previous starting point); found [{cell}]"
            )
        if cell.startswith("[") and not cell.endswith("]"):
            raise IllegalArgumentError(
                f"Error line [{line_no}]: Unexpected start of a multi-value field value; "
                f"current token [{cell}], no closing point"
            )
    raise IllegalArgumentError(
        f"Error line [{line_no}]: Incorrect number of entries; "
        f"expected [{expected}] but found [{len(cells)}]"
    )


# --- cells to values ------------------------------------------------------------------


def split_cells(cells: pl.Series, hint: frozenset[str] | None = None) -> pl.Series:
    """Cell text as lists of values: ``""`` → null, ``[a, b]`` → [a, b], ``x`` →
    [x]; ``\\,`` is a literal comma; quotes around a value are dropped. ``hint``:
    the special characters that may occur (``[``, ``"``, ``\\``, and ``,``
    outside a multi-value; found when not given), the others' steps are skipped.
    Each step is its own select: Polars would compute a fused expression's shared
    parts once per use."""
    hint = _hint(cells) if hint is None else hint
    frame = cells.str.strip_chars().to_frame("c")
    c = pl.col("c")
    if not hint:
        only = frame.select(pl.when(c != "").then(pl.concat_list(c)).cast(RAW))
        return only.to_series().rename(cells.name)
    if "\\" in hint:
        frame = frame.select(c.str.replace_all("\\,", _ESCAPED_COMMA, literal=True))
    if "[" not in hint:
        parts = pl.concat_list(c)
    else:
        is_mv = c.str.starts_with("[") & c.str.ends_with("]")
        body = c.str.slice(1, c.str.len_chars() - 2)
        if "," in hint:
            parts = pl.when(is_mv).then(body.str.split(",")).otherwise(pl.concat_list(c))
        else:
            # No comma outside the multi-values: one split serves every cell.
            parts = pl.when(is_mv).then(body).otherwise(c).str.split(",")
    value = _element_value(hint)
    # ``filter`` inside ``eval``: ``list.drop_nulls`` is several times slower.
    frame = frame.select(c=parts.list.eval(value.filter(value != "")))
    return frame.select(pl.when(c.list.len() > 0).then(c).cast(RAW)).to_series().rename(cells.name)


def _element_value(hint: frozenset[str]) -> pl.Expr:
    """A value of a cell (empty ones are dropped)."""
    el = pl.element().str.strip_chars()
    if '"' in hint:
        el = (
            pl.when(el.str.starts_with('"') & el.str.ends_with('"') & (el.str.len_chars() >= 2))
            .then(el.str.slice(1, el.str.len_chars() - 2))
            .otherwise(el)
        )
    if "\\" in hint:
        el = el.str.replace_all(_ESCAPED_COMMA, ",", literal=True)
    return el
