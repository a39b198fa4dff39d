"""DISSECT and GROK: new keyword (or typed) columns extracted from a string.

DISSECT follows Elasticsearch's ``DissectParser``: a leading delimiter must
prefix the input, then each key takes the text up to the first occurrence of its
delimiter (``->`` also skips repeats of it), the last key without a delimiter the
rest; ``%{+k}`` keys are joined with the append separator in order (``/n`` gives
an explicit order), ``%{?k}``/``%{}`` are matched and dropped. It is vectorised
as successive ``str.splitn`` — no regex backtracking, as the parser has none.
GROK runs the analyzer's regular expression with ``str.extract_groups``.

A row that does not match gets nulls. A multi-valued input is matched value by
value; each key then holds the values of the matching ones.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from esqlsh.analysis.grok import group_field_index
from esqlsh.analysis.types import DataType
from esqlsh.engine.columns import col, exactly
from esqlsh.engine.expressions import is_multi, physical_of
from esqlsh.engine.runtime import Run, conform_dtypes
from esqlsh.plan.logical import DissectNode, GrokNode

_LEADING = re.compile(r"^(.*?)%\{", re.DOTALL)
_KEY_DELIMITER = re.compile(r"%\{([^}]*?)}(.+?(?=%\{)|.*$)", re.DOTALL)
_LEFT_MODIFIER = re.compile(r"([+*&?])(.*?)(->)?$", re.DOTALL)
_RIGHT_PADDING = re.compile(r"^(.*?)(->)?$", re.DOTALL)
_APPEND_WITH_ORDER = re.compile(r"[+](.*?)(/)([0-9]+)(->)?$", re.DOTALL)


@dataclass(frozen=True)
class DissectKey:
    name: str
    modifier: str  # "" | "+" | "/" (append with order) | "?" | "*" | "&"
    skip: bool
    padding: bool
    order: int = 0


def _parse_key(text: str) -> DissectKey:
    modifiers = re.findall(r"[/+*&?]", text)
    modifier = modifiers[-1] if modifiers else ""
    if modifier == "/":
        m = _APPEND_WITH_ORDER.search(text)
        if m:
            return DissectKey(m.group(1), "/", False, m.group(4) is not None, int(m.group(3)))
    if modifier in "+*&?" and modifier:
        m = _LEFT_MODIFIER.search(text)
        assert m is not None
        return DissectKey(m.group(2), modifier, modifier == "?", m.group(3) is not None)
    m = _RIGHT_PADDING.search(text)
    assert m is not None
    name = m.group(1)
    return DissectKey(name, "", name == "", m.group(2) is not None)


def parse_dissect(pattern: str) -> tuple[str, list[tuple[DissectKey, str]]]:
    """The leading delimiter and the (key, delimiter) pairs of a pattern."""
    leading = ""
    for m in _LEADING.finditer(pattern):
        leading = m.group(1)
    pairs = [
        (_parse_key(m.group(1)), m.group(2))
        for m in _KEY_DELIMITER.finditer(pattern[len(leading) :])
    ]
    appended = {k.name for k, _ in pairs if k.modifier in ("+", "/")}
    pairs = [
        (DissectKey(k.name, "+", k.skip, k.padding), d)
        if k.modifier == "" and k.name in appended
        else (k, d)
        for k, d in pairs
    ]
    return leading, pairs


def _append_order(pairs: list[tuple[DissectKey, str]]) -> dict[str, list[int]]:
    """For each appended key, the indexes of its parts in append order
    (implicit ones first, in pattern order, as Elasticsearch numbers them from
    -1000)."""
    ranked: dict[str, list[tuple[int, int]]] = {}
    implicit = -1000
    for i, (key, _) in enumerate(pairs):
        if key.modifier == "+":
            ranked.setdefault(key.name, []).append((implicit, i))
            implicit += 1
        elif key.modifier == "/":
            ranked.setdefault(key.name, []).append((key.order, i))
    return {
        name: [i for _, i in sorted(parts, key=lambda p: p[0])] for name, parts in ranked.items()
    }


def dissect_exprs(
    value: pl.Expr, pattern: str, separator: str, keys: tuple[str, ...]
) -> tuple[pl.Expr, dict[str, pl.Expr]]:
    """(matched, {key: value}) for a single-valued string expression."""
    leading, pairs = parse_dissect(pattern)
    ok = value.str.starts_with(leading) & (value.str.len_bytes() > len(leading.encode()))
    rest = value.str.slice(len(leading))
    parts: list[pl.Expr] = []
    for key, delimiter in pairs:
        if delimiter == "":
            parts.append(rest)
            continue
        split = rest.str.splitn(delimiter, 2)
        parts.append(split.struct.field("field_0"))
        rest = split.struct.field("field_1")
        ok = ok & rest.is_not_null()
        if key.padding:
            rest = rest.str.replace(f"^(?:{re.escape(delimiter)})+", "")
    outputs: dict[str, pl.Expr] = {}
    for name, indexes in _append_order(pairs).items():
        outputs[name] = pl.concat_str([parts[i] for i in indexes], separator=separator)
    for (key, _), part in zip(pairs, parts, strict=True):
        if not key.skip and key.modifier == "" and key.name not in outputs:
            outputs[key.name] = part
    matched = ok.fill_null(False)
    return matched, {
        k: pl.when(matched).then(outputs.get(k, pl.lit(None, pl.String))) for k in keys
    }


def _extract(
    lf: pl.LazyFrame,
    operand: str,
    build: Callable[[pl.Expr], tuple[pl.Expr, dict[str, pl.Expr]]],
    run: Run,
) -> pl.LazyFrame:
    """Add the extracted columns, value by value for a multi-valued operand."""
    dtype = lf.collect_schema()[operand]
    if isinstance(dtype, pl.Null):  # a null operand (ROW n = null): nothing matches
        lf = lf.with_columns(pl.col(operand).cast(pl.String))
    if not is_multi(dtype):
        matched, outputs = build(pl.col(operand))
        return lf.with_columns(e.alias(k) for k, e in outputs.items()).drop(operand)
    row, value = run.temp("row"), run.temp("value")
    lf = lf.with_row_index(row)
    values = lf.select(row, pl.col(operand).alias(value)).explode(value)
    matched, outputs = build(pl.col(value))
    values = values.with_columns(e.alias(k) for k, e in outputs.items()).filter(matched)
    schema = values.collect_schema()

    def gathered(k: str) -> pl.Expr:
        # a grok field filled by several groups is already a list: flatten it
        value = col(k).explode() if is_multi(schema[k]) else col(k)
        return value.drop_nulls()

    per_row = (
        values.group_by(row, maintain_order=True)
        .agg(gathered(k) for k in outputs)
        .with_columns(pl.when(col(k).list.len() > 0).then(col(k)) for k in outputs)
    )
    lf = lf.drop(exactly([operand, *(k for k in outputs if k in lf.collect_schema().names())]))
    return lf.join(per_row, on=row, how="left", maintain_order="left").drop(row)


def dissect(node: DissectNode, lf: pl.LazyFrame, run: Run) -> pl.LazyFrame:
    operand = run.temp("operand")
    lf = run.with_fields(lf, [(operand, node.operand)])

    def build(value: pl.Expr) -> tuple[pl.Expr, dict[str, pl.Expr]]:
        return dissect_exprs(value, node.pattern, node.append_separator, node.keys)

    return _extract(lf, operand, build, run)


def _grok_cast(capture: pl.Expr, t: DataType) -> pl.Expr:
    if t is DataType.BOOLEAN:
        return capture.str.to_lowercase() == "true"
    if t in (DataType.KEYWORD, DataType.TEXT):
        return capture
    return capture.str.strip_chars().cast(physical_of(t), strict=False)


def grok_group_field(group: str, fields: list[str]) -> str | None:
    """The output field a regex group fills. The analyzer names groups
    ``f<i>_<k>`` (the ``k``-th capture of ``fields[i]``; see
    ``esqlsh.analysis.grok``); a group named after a field fills that field."""
    if group in fields:
        return group
    try:
        index = group_field_index(group)
    except ValueError:
        return None
    return fields[index] if index < len(fields) else None


def grok_exprs(value: pl.Expr, node: GrokNode) -> tuple[pl.Expr, dict[str, pl.Expr]]:
    groups = re.findall(r"\(\?P?<([^>=!]+)>", node.regex)
    names = [f.name for f in node.fields]
    captures: dict[str, list[pl.Expr]] = {}
    extracted = value.str.extract_groups(node.regex)
    for group in dict.fromkeys(groups):
        target = grok_group_field(group, names)
        if target is not None:
            captures.setdefault(target, []).append(extracted.struct.field(group))
    matched = value.str.contains(node.regex).fill_null(False)
    outputs: dict[str, pl.Expr] = {}
    for f in node.fields:
        parts = [_grok_cast(c, f.type) for c in captures.get(f.name, [])]
        if not parts:
            outputs[f.name] = pl.lit(None, dtype=physical_of(f.type))
        elif len(parts) == 1:
            outputs[f.name] = parts[0]
        else:
            # A field named twice: the values of the groups that matched.
            listed = pl.concat_list(parts).list.drop_nulls()
            outputs[f.name] = pl.when(listed.list.len() > 0).then(listed)
    return matched, {k: pl.when(matched).then(e) for k, e in outputs.items()}


def grok(node: GrokNode, lf: pl.LazyFrame, run: Run) -> pl.LazyFrame:
    operand = run.temp("operand")
    lf = run.with_fields(lf, [(operand, node.operand)])
    lf = _extract(lf, operand, lambda v: grok_exprs(v, node), run)
    return conform_dtypes(lf, {f.name: f.type for f in node.fields})
