"""How Elasticsearch orders values: sort keys for SORT (and for any function that
compares ips or versions).

- ``ip``: by the 16 bytes of the address (IPv4 as IPv4-mapped IPv6), as Lucene
  stores it; held as canonical text, so the key is computed.
- ``version``: by Elasticsearch's ``VersionEncoder`` bytes: numeric parts compared
  numerically, a pre-release sorts before its release, identifiers numerically or
  lexically, invalid versions after all valid ones (by their text).
- keyword/text: by UTF-8 bytes (Polars' string order); others: natural order.
- multi-values: the lowest value when ascending, the highest when descending.

Key computation for ips and versions is per distinct value in Python (Polars has
no expression for either encoding); each batch is mapped once.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable

import polars as pl

from esqlsh.analysis.types import DataType
from esqlsh.engine.compiled import Col

_NUMERIC_MARKER = b"\x01"
_PRERELEASE_SEPARATOR = b"\x02"
_NO_PRERELEASE_SEPARATOR = b"\x03"
_MAX_IDENTIFIERS = 32

_LEGAL_MAIN = re.compile(r"(0|[1-9]\d*)(\.(0|[1-9]\d*))*")
_LEGAL_PRERELEASE = re.compile(
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))"
)
_LEGAL_BUILD = re.compile(r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?")
_DIGITS = re.compile(r"\d+")


def _suffix(text: str, separator: str) -> str | None:
    start = text.find(separator)
    return text[start:] if start > 0 else None


def _digit_groups(text: str) -> bytes:
    """Each run of digits prefixed by a marker and its length, so that longer
    numbers sort after shorter ones."""
    out = bytearray()
    pos = 0
    for match in _DIGITS.finditer(text):
        out += text[pos : match.start()].encode()
        digits = match.group()
        if len(digits) >= 128:
            raise ValueError(
                f"Groups of digits cannot be longer than 127, but found: {len(digits)}"
            )
        out += _NUMERIC_MARKER + bytes([len(digits) | 0x80]) + digits.encode()
        pos = match.end()
    out += text[pos:].encode()
    return bytes(out)


def encode_version(text: str) -> bytes:
    """Elasticsearch's ``VersionEncoder.encodeVersion`` bytes of ``text``."""
    build = _suffix(text, "+")
    main = text[: len(text) - len(build)] if build is not None else text
    pre = _suffix(main, "-")
    if pre is not None:
        main = main[: len(main) - len(pre)]
    parts = [p for p in (main, pre, build) if p is not None]
    too_many = any(p.count(".") + 1 > _MAX_IDENTIFIERS for p in parts)
    legal = (
        _LEGAL_MAIN.fullmatch(main) is not None
        and (pre is None or _LEGAL_PRERELEASE.fullmatch(pre) is not None)
        and (build is None or _LEGAL_BUILD.fullmatch(build) is not None)
    )
    if too_many or not legal:
        return text.encode() if text else _NO_PRERELEASE_SEPARATOR
    out = bytearray(_digit_groups(main))
    if pre is not None:
        out += _PRERELEASE_SEPARATOR + b"-"
        ids = pre[1:].split(".")
        out += b".".join(_digit_groups(i) if i.isdigit() else i.encode() for i in ids)
    else:
        out += _NO_PRERELEASE_SEPARATOR
    if build is not None:
        out += build.encode()
    return bytes(out)


def encode_ip(text: str) -> bytes | None:
    """The 16 bytes Lucene stores for an ip (IPv4 mapped into IPv6)."""
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if address.version == 4:
        return b"\x00" * 10 + b"\xff\xff" + address.packed
    return address.packed


def _map_distinct(fn: Callable[[str], bytes | None]) -> Callable[[pl.Series], pl.Series]:
    def apply(series: pl.Series) -> pl.Series:
        distinct = series.drop_nulls().unique()
        keys = pl.Series([fn(v) for v in distinct], dtype=pl.Binary)
        return series.replace_strict(distinct, keys, default=None, return_dtype=pl.Binary)

    return apply


def _keyed(expr: pl.Expr, fn: Callable[[str], bytes | None], multi: bool) -> pl.Expr:
    mapped = _map_distinct(fn)
    if multi:
        inner = pl.element().map_batches(mapped, return_dtype=pl.Binary, is_elementwise=True)
        return expr.list.eval(inner)
    return expr.map_batches(mapped, return_dtype=pl.Binary, is_elementwise=True)


def ip_sort_key(expr: pl.Expr, multi: bool = False) -> pl.Expr:
    """Binary keys ordering ips as Elasticsearch does (lists stay lists)."""
    return _keyed(expr, encode_ip, multi)


def version_sort_key(expr: pl.Expr, multi: bool = False) -> pl.Expr:
    """Binary keys ordering versions as Elasticsearch does (lists stay lists)."""
    return _keyed(expr, encode_version, multi)


def order_key(col: Col, ascending: bool) -> pl.Expr:
    """The expression to sort ``col`` by: a scalar per row."""
    expr = col.expr
    if col.type is DataType.IP:
        expr = ip_sort_key(expr, col.multi)
    elif col.type is DataType.VERSION:
        expr = version_sort_key(expr, col.multi)
    if col.multi:
        expr = expr.list.min() if ascending else expr.list.max()
    return expr
