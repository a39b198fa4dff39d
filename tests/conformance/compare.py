"""Comparing a query's ``Result`` with a ``SpecTest`` as Elasticsearch's harness does.

The rules follow ``EsqlSpecTestCase`` (the REST runner), ``CsvAssert`` and
``CsvTestUtils`` in ``x-pack/plugin/esql/qa/``:

- Columns: same count, same names in order; types compared by the spec's type names
  (``CsvTestUtils.Type.asType``: ``i``/``integer``, ``l``/``long``, ``ul``, ``d``,
  ``s``/``k``/``string``/``keyword``, ``txt``/``text``, ``v``/``version``,
  ``date``/``dt``/``datetime`` …), except that an ``integer`` column satisfies a
  ``long`` expectation. ``text`` and ``keyword`` are different types.
- Values: each expected cell is parsed by its column type (``[a, b]`` is a
  multi-value, ``\\,`` an escaped comma inside one, ``null`` any case is null, an
  empty cell is the empty string), turned back into the form Elasticsearch's JSON
  answer has (dates printed with milliseconds, ips canonical …) and both sides are
  compared as Java's ``toString`` of those values. So doubles compare exactly (as
  ``Double.toString``), a multi-value compares as a whole, ``"null"`` equals null,
  and in keyword/text cells a written ``\\n`` stands for a newline. Geo points are
  compared after Lucene's coordinate quantisation, as ``EsqlSpecTestCase`` does.
- Order: rows in order, unless ``ignoreOrder:true``; then both sides are sorted
  before comparing. (Elasticsearch sorts by a per-type comparator on each row's first
  values; we sort by the compared text of whole rows: the same multiset test, without
  Elasticsearch's tie-order accidents.)
- Warnings: the actual warnings are taken as the HTTP ``Warning`` header carries them
  (``HeaderWarning.escapeAndEncode``: ``\\`` and ``"`` escaped, ``%`` and non-Latin-1
  characters percent-encoded), minus the default-LIMIT warning ("No limit defined,
  adding default limit of [...]", which every harness filters out). ``warning:`` lines
  must equal them as a sorted list (``AssertWarnings.ExactStrings``);
  ``warningRegex:`` lines are the *allowed* warnings: each actual warning must match
  one (``.*RE.*``), and none at all is fine (``AllowedRegexes``); with neither there
  must be no warning.
- A partial result (``is_partial``) fails, as in ``EsqlSpecTestCase``.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import math
import re
import struct
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from tests.conformance.csvspec import SpecTest

if TYPE_CHECKING:
    from esqlsh.engine.result import Result

DEFAULT_LIMIT_WARNING = "No limit defined, adding default limit of"

# ------------------------------------------------------------------------ types

# CsvTestUtils.Type names and their aliases (upper-case lookup, as asType does).
_TYPES = [
    "integer",
    "long",
    "unsigned_long",
    "double",
    "float",
    "half_float",
    "scaled_float",
    "keyword",
    "text",
    "semantic_text",
    "ip",
    "version",
    "null",
    "datetime",
    "date_nanos",
    "boolean",
    "geo_point",
    "cartesian_point",
    "geo_shape",
    "cartesian_shape",
    "unsupported",
]
_ALIASES = {
    "SHORT": "integer",
    "BYTE": "integer",
    "COUNTER_INTEGER": "integer",
    "COUNTER_LONG": "long",
    "COUNTER_DOUBLE": "double",
    "COUNTER_FLOAT": "float",
    "BOOL": "boolean",
    "I": "integer",
    "L": "long",
    "UL": "unsigned_long",
    "D": "double",
    "K": "keyword",
    "S": "keyword",
    "STRING": "keyword",
    "TXT": "text",
    "N": "null",
    "DATE": "datetime",
    "DT": "datetime",
    "V": "version",
}
TYPE_LOOKUP: dict[str, str] = {t.upper(): t for t in _TYPES} | _ALIASES
_STRINGS = frozenset({"keyword", "text", "semantic_text"})


def spec_type(name: str) -> str | None:
    """The harness type of a spec header or response type name, or None if unknown."""
    return TYPE_LOOKUP.get(name.upper())


def actual_type(es_type: str) -> str:
    """The harness type of a response column type; unknown ones count as ``null``
    (``CsvAssert.assertMetadata``)."""
    return spec_type(es_type) or "null"


class SpecValueError(ValueError):
    """An expected cell the harness cannot parse (Elasticsearch fails the test)."""


# --------------------------------------------------------------- Java text forms


def java_double(x: float) -> str:
    """``Double.toString``: ``1.0``, ``0.001``, ``1.0E7``, ``1.234E-5``."""
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    if x == 0:
        return "-0.0" if math.copysign(1.0, x) < 0 else "0.0"
    sign = "-" if x < 0 else ""
    # repr() gives the shortest round-tripping digits, as Java 19+ does.
    _, digit_tuple, exponent = Decimal(repr(abs(x))).normalize().as_tuple()
    assert isinstance(exponent, int)
    digits = "".join(map(str, digit_tuple))
    if 1e-3 <= abs(x) < 1e7:
        text = format(Decimal(f"{digits}E{exponent}"), "f")
        return sign + (text if "." in text else text + ".0")
    mantissa = digits[0] + "." + (digits[1:] or "0")
    return f"{sign}{mantissa}E{len(digits) + exponent - 1}"


def java_text(value: Any) -> str:
    """Java's ``toString`` of a value parsed from a JSON answer."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return java_double(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(java_text(v) for v in value) + "]"
    return str(value)


def canonical(type_name: str, value: Any) -> str:
    """The text ``EsqlSpecTestCase.valueMapper`` compares for a cell of ``type_name``."""
    if value is None:
        return "null"
    if isinstance(value, str):
        if type_name == "geo_point" or type_name == "cartesian_point":
            point = _normalized_point(type_name, value)
            if point is not None:
                return point
        if type_name in _STRINGS:
            return value.replace("\\n", "\n")
    return java_text(value)


# Lucene GeoEncodingUtils: coordinates are stored as 32-bit integers.
_LAT_DECODE = 180.0 / (1 << 32)
_LON_DECODE = 360.0 / (1 << 32)
_POINT = re.compile(r"^\s*POINT\s*\(\s*(\S+)\s+(\S+)\s*\)\s*$", re.IGNORECASE)


def _quantize(value: float, decode: float, limit: float) -> float:
    encoded = (1 << 31) - 1 if value == limit else math.floor(value / decode)
    return encoded * decode


def _normalized_point(type_name: str, wkt: str) -> str | None:
    match = _POINT.match(wkt)
    if not match:
        return None
    try:
        x, y = float(match.group(1)), float(match.group(2))
    except ValueError:
        return None
    if type_name == "geo_point":
        x, y = _quantize(x, _LON_DECODE, 180.0), _quantize(y, _LAT_DECODE, 90.0)
    else:
        x, y = _as_float32(x), _as_float32(y)
    return f"POINT ({x:f} {y:f})"


def _as_float32(x: float) -> float:
    return float(struct.unpack("<f", struct.pack("<f", x))[0])


# ------------------------------------------------------------ expected values

_INT = re.compile(r"^[+-]?\d+$")
_DOUBLE_SUFFIX = re.compile(r"[dDfF]$")
_COMMA_SPLIT = re.compile(r"(?<!\\),")


def expected_value(type_name: str, cell: str | None) -> Any:
    """An expected cell as the JSON answer would hold it (``loadCsvSpecValues`` then
    ``CsvAssert.convertExpectedValue``): None, a scalar, or a list for a multi-value."""
    if cell is None:
        return None
    if cell == "":
        return ""  # SuperCSV's null, turned back into "" and never converted
    if cell.startswith("["):
        if not cell.endswith("]"):
            raise SpecValueError(
                f"Incomplete multi-value (opening and closing square brackets) found {cell}"
            )
        parts = _java_split_regex(cell[1:-1], _COMMA_SPLIT)
        if len(parts) == 1:
            return _convert(type_name, parts[0].replace("\\,", ","))
        return [_convert(type_name, _trim(p).replace("\\,", ",")) for p in parts]
    return _convert(type_name, cell)


def _java_split_regex(s: str, pattern: re.Pattern[str]) -> list[str]:
    """``String.split(regex)``: trailing empty strings are dropped."""
    if s == "":
        return [""]
    parts = pattern.split(s)
    while parts and parts[-1] == "":
        parts.pop()
    return parts


def _trim(s: str) -> str:
    return s.strip("".join(chr(c) for c in range(0x21)))


def _convert(type_name: str, text: str) -> Any:
    try:
        return _CONVERTERS.get(type_name, _as_string)(text)
    except SpecValueError:
        raise
    except (ValueError, ArithmeticError, InvalidOperation) as err:
        raise SpecValueError(f"cannot parse [{text}] as {type_name}: {err}") from err


def _as_string(text: str) -> str:
    return text


def _as_int(bits: int) -> Any:
    def convert(text: str) -> int:
        if not _INT.match(text):
            raise SpecValueError(f'For input string: "{text}"')
        value = int(text)
        if not -(1 << (bits - 1)) <= value < (1 << (bits - 1)):
            raise SpecValueError(f'For input string: "{text}" (out of range)')
        return value

    return convert


def _as_unsigned_long(text: str) -> int:
    value = int(Decimal(text))
    if not 0 <= value < (1 << 64):
        raise SpecValueError(f"[{text}] out of [unsigned_long] range")
    return value


def _as_double(text: str) -> float:
    text = _trim(text)
    if _DOUBLE_SUFFIX.search(text) and not text.lower().endswith("inf"):
        text = text[:-1]
    if text in ("NaN", "Infinity", "+Infinity", "-Infinity"):
        return float(text.replace("Infinity", "inf"))
    if not re.match(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$", text):
        raise SpecValueError(f'For input string: "{text}"')
    return float(text)


def _as_float(text: str) -> float:
    return _as_float32(_as_double(text))


def _as_half_float(text: str) -> float:
    return float(struct.unpack("<e", struct.pack("<e", _as_double(text)))[0])


def _as_scaled_float(text: str) -> float:
    # ScaledFloatFieldMapper with the harness's fixed factor 100.
    return int(Decimal(text) * 100) * (1.0 / 100.0)


def _as_boolean(text: str) -> bool:
    if text == "true":
        return True
    if text == "false":
        return False
    raise SpecValueError(f"Failed to parse value [{text}] as only [true] or [false] are allowed.")


def _as_ip(text: str) -> str:
    address = ipaddress.ip_address(text)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return str(address)


_DATE = re.compile(
    r"^(?P<y>[+-]?\d{4,9})(?:-(?P<mo>\d{2})(?:-(?P<d>\d{2})"
    r"(?:T(?P<h>\d{2})(?::(?P<mi>\d{2})(?::(?P<s>\d{2})(?:[.,](?P<f>\d{1,9}))?)?)?"
    r"(?P<z>Z|[+-]\d{2}(?::?\d{2})?)?)?)?)?$"
)
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def days_from_civil(year: int, month: int, day: int) -> int:
    """Days since 1970-01-01 of a proleptic Gregorian date (any year, 0 and
    negative ones too, which Python's datetime cannot hold)."""
    year -= month <= 2
    era = year // 400
    year_of_era = year - era * 400
    day_of_year = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return era * 146097 + day_of_era - 719468


def civil_from_days(days: int) -> tuple[int, int, int]:
    """The inverse of ``days_from_civil``."""
    days += 719468
    era = days // 146097
    day_of_era = days - era * 146097
    year_of_era = (
        day_of_era - day_of_era // 1460 + day_of_era // 36524 - day_of_era // 146096
    ) // 365
    day_of_year = day_of_era - (365 * year_of_era + year_of_era // 4 - year_of_era // 100)
    shifted_month = (5 * day_of_year + 2) // 153
    day = day_of_year - (153 * shifted_month + 2) // 5 + 1
    month = shifted_month + (3 if shifted_month < 10 else -9)
    return year_of_era + era * 400 + (month <= 2), month, day


def parse_iso_nanos(text: str) -> int:
    """Epoch nanoseconds of a ``strict_date_optional_time(_nanos)`` text."""
    match = _DATE.match(text)
    if not match:
        raise SpecValueError(f"failed to parse date field [{text}]")
    g = match.groupdict()
    month, day = int(g["mo"] or 1), int(g["d"] or 1)
    hour, minute, second = int(g["h"] or 0), int(g["mi"] or 0), int(g["s"] or 0)
    if not (1 <= month <= 12 and 1 <= day <= 31 and hour < 24 and minute < 60 and second < 60):
        raise SpecValueError(f"failed to parse date field [{text}]")
    zone = g["z"] or "Z"
    offset_minutes = 0
    if zone != "Z":
        sign = -1 if zone[0] == "-" else 1
        hhmm = zone[1:].replace(":", "")
        offset_minutes = sign * (int(hhmm[:2]) * 60 + int(hhmm[2:] or 0))
    days = days_from_civil(int(g["y"]), month, day)
    seconds = days * 86400 + hour * 3600 + minute * 60 + second - offset_minutes * 60
    return seconds * 1_000_000_000 + int((g["f"] or "0").ljust(9, "0"))


def _format_seconds(seconds: int) -> str:
    days, rest = divmod(seconds, 86400)
    year, month, day = civil_from_days(days)
    hour, rest = divmod(rest, 3600)
    minute, second = divmod(rest, 60)
    # java.time's year printing: 4 digits, a sign below year 0 and above 9999.
    year_text = f"{year:04d}" if 0 <= year <= 9999 else f"{'+' if year > 0 else '-'}{abs(year):04d}"
    return f"{year_text}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}"


def format_millis(millis: int) -> str:
    """``strict_date_optional_time`` in UTC, always with milliseconds."""
    seconds, ms = divmod(millis, 1000)
    return f"{_format_seconds(seconds)}.{ms:03d}Z"


def format_nanos(nanos: int) -> str:
    """``strict_date_optional_time_nanos``: 3 to 9 fraction digits, trailing zeros cut."""
    seconds, fraction = divmod(nanos, 1_000_000_000)
    digits = f"{fraction:09d}".rstrip("0").ljust(3, "0")
    return f"{_format_seconds(seconds)}.{digits}Z"


def _as_datetime(text: str) -> str:
    return format_millis(parse_iso_nanos(text) // 1_000_000)


def _as_date_nanos(text: str) -> str:
    return format_nanos(parse_iso_nanos(text))


_WKT_TOKEN = re.compile(r"\s*([A-Za-z]+|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|[(),])")


def normalize_wkt(text: str) -> str:
    """WKT as Elasticsearch prints it back (``POINT (1.0 2.0)``)."""
    out: list[str] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        match = _WKT_TOKEN.match(text, pos)
        if not match:
            raise SpecValueError(f"cannot parse WKT [{text}]")
        token = match.group(1)
        pos = match.end()
        if token[0].isalpha():
            out.append((" " if out and out[-1] not in ("(", " ") else "") + token.upper())
        elif token == "(":
            out.append(" (" if out and out[-1][-1:].isalpha() else "(")
        elif token == ")":
            out.append(")")
        elif token == ",":
            out.append(", ")
        else:
            prefix = " " if out and out[-1] not in ("(", ", ", " (") else ""
            out.append(prefix + java_double(float(token)))
    return "".join(out)


_CONVERTERS = {
    "integer": _as_int(32),
    "long": _as_int(64),
    "unsigned_long": _as_unsigned_long,
    "double": _as_double,
    "float": _as_float,
    "half_float": _as_half_float,
    "scaled_float": _as_scaled_float,
    "boolean": _as_boolean,
    "ip": _as_ip,
    "datetime": _as_datetime,
    "date_nanos": _as_date_nanos,
    "null": lambda text: None,
    "geo_point": normalize_wkt,
    "cartesian_point": normalize_wkt,
    "geo_shape": normalize_wkt,
    "cartesian_shape": normalize_wkt,
}


# ---------------------------------------------------------------------- warnings


def _needs_no_encoding(char: str) -> bool:
    code = ord(char)
    return code in (0x09, 0x20, 0x21, 0x5C, 0x22) or (
        0x23 <= code <= 0x7E and code != 0x25 or 0x80 <= code <= 0xFF
    )


def warning_header_text(message: str) -> str:
    """A warning as the ``Warning`` header carries it (``HeaderWarning.escapeAndEncode``)."""
    escaped = message.replace("\\", "\\\\").replace('"', '\\"')
    out: list[str] = []
    run: list[str] = []
    for char in escaped:
        if _needs_no_encoding(char):
            if run:
                out.append(
                    "".join(f"%{b:02X}" for b in "".join(run).encode("utf-8", "surrogatepass"))
                )
                run = []
            out.append(char)
        else:
            run.append(char)
    if run:
        out.append("".join(f"%{b:02X}" for b in "".join(run).encode("utf-8", "surrogatepass")))
    return "".join(out)


def actual_warnings(warnings: Sequence[str]) -> list[str]:
    """The warnings the harness asserts on: header-encoded, default-LIMIT one removed."""
    encoded = [warning_header_text(w) for w in warnings]
    return [w for w in encoded if not w.startswith(DEFAULT_LIMIT_WARNING)]


def compare_warnings(test: SpecTest, warnings: Sequence[str]) -> Mismatch | None:
    actual = actual_warnings(warnings)
    if test.warnings:
        if sorted(actual) == sorted(test.warnings):
            return None
        return Mismatch("warnings", "different warnings", _warning_diff(test.warnings, actual))
    if test.warning_regexes:
        try:
            patterns = [re.compile(f".*{r}.*") for r in test.warning_regexes]
        except re.error as err:
            return Mismatch("spec", f"spec: bad warningRegex: {err}", "")
        unexpected = [w for w in actual if not any(p.fullmatch(w) for p in patterns)]
        if not unexpected:
            return None
        detail = "allowed (regex):\n" + "".join(f"  {r}\n" for r in test.warning_regexes)
        detail += "unexpected:\n" + "".join(f"  {w}\n" for w in unexpected)
        return Mismatch("warnings", f"unexpected warning: {unexpected[0]}", detail)
    if not actual:
        return None
    return Mismatch("warnings", f"unexpected warning: {actual[0]}", _warning_diff([], actual))


def _warning_diff(expected: Sequence[str], actual: Sequence[str]) -> str:
    missing = [w for w in sorted(expected) if w not in actual]
    extra = [w for w in sorted(actual) if w not in expected]
    lines = ["expected warnings:"] + ([f"  {w}" for w in expected] or ["  (none)"])
    lines += ["actual warnings:"] + ([f"  {w}" for w in actual] or ["  (none)"])
    lines += [f"- {w}" for w in missing] + [f"+ {w}" for w in extra]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------- compare


@dataclass
class Mismatch:
    """One way a result differs. ``kind``: spec | partial | columns | types | values |
    warnings."""

    kind: str
    summary: str
    detail: str = ""


@dataclass
class Comparison:
    mismatches: list[Mismatch] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.mismatches

    @property
    def cause(self) -> str:
        """A short key for the first mismatch (``values``, ``warnings`` …)."""
        if not self.mismatches:
            return ""
        first = self.mismatches[0]
        return first.summary if first.kind == "spec" else first.kind

    def describe(self) -> str:
        parts = []
        for mismatch in self.mismatches:
            parts.append(f"[{mismatch.kind}] {mismatch.summary}")
            if mismatch.detail:
                parts.append(mismatch.detail.rstrip("\n"))
        return "\n".join(parts)


def compare_result(test: SpecTest, result: Result) -> Comparison:
    """How ``result`` differs from what ``test`` expects (empty when it passes)."""
    names = [attr.name for attr in result.columns]
    types = [str(attr.type.value) for attr in result.columns]
    values = es_values(result)
    return compare_values(test, names, types, values, result.warnings, partial=result.is_partial)


def compare_values(
    test: SpecTest,
    names: Sequence[str],
    types: Sequence[str],
    values: Sequence[Sequence[Any]],
    warnings: Sequence[str] = (),
    *,
    partial: bool = False,
) -> Comparison:
    """The comparison on an answer in JSON form: column names, response type names,
    rows of JSON values, raw warning messages."""
    comparison = Comparison()
    found = comparison.mismatches
    if test.table_error:
        found.append(Mismatch("spec", f"spec: bad expected table: {test.table_error}"))
    elif test.columns is None:
        found.append(Mismatch("spec", "spec: no expected table"))
    if partial:
        found.append(Mismatch("partial", "unexpected partial results"))
    if test.columns is not None and not test.table_error:
        found.extend(_compare_table(test, list(names), list(types), values))
    warning = compare_warnings(test, warnings)
    if warning is not None:
        found.append(warning)
    return comparison


def _compare_table(
    test: SpecTest, names: list[str], types: list[str], values: Sequence[Sequence[Any]]
) -> list[Mismatch]:
    assert test.columns is not None
    expected_names = [name for name, _ in test.columns]
    expected_types: list[str] = []
    for _, type_text in test.columns:
        resolved = spec_type(type_text)
        if resolved is None:
            return [Mismatch("spec", f"spec: Unknown type name: [{type_text}]")]
        expected_types.append(resolved)
    header = _header_mismatch(expected_names, expected_types, names, types)
    if header is not None:
        return [header]
    for number, row in enumerate(test.rows):
        if len(row) > len(expected_types):
            return [
                Mismatch(
                    "spec",
                    f"spec: row {number} has {len(row)} cells for {len(expected_types)} columns",
                )
            ]
    try:
        expected_rows = [
            [
                canonical(t, expected_value(t, cell))
                for t, cell in zip(expected_types, row, strict=False)
            ]
            for row in test.rows
        ]
    except SpecValueError as err:
        return [Mismatch("spec", f"spec: {err}")]
    actual_rows = [
        [canonical(t, v) for t, v in zip(expected_types, row, strict=False)] for row in values
    ]
    return _row_mismatches(test, expected_types, expected_rows, actual_rows)


def _header_mismatch(
    expected_names: list[str], expected_types: list[str], names: list[str], types: list[str]
) -> Mismatch | None:
    table = _header_table(expected_names, expected_types, names, types)
    if len(names) != len(expected_names):
        return Mismatch(
            "columns",
            f"expected {len(expected_names)} columns, got {len(names)}",
            table,
        )
    for index, (want, got) in enumerate(zip(expected_names, names, strict=True)):
        if want != got:
            return Mismatch(
                "columns", f"column {index}: expected name [{want}], got [{got}]", table
            )
    for name, want, got_raw in zip(expected_names, expected_types, types, strict=True):
        got = actual_type(got_raw)
        if got == "integer" and want == "long":
            got = "long"
        if want != got:
            return Mismatch("types", f"column [{name}]: expected type {want}, got {got_raw}", table)
    return None


def _header_table(
    expected_names: list[str], expected_types: list[str], names: list[str], types: list[str]
) -> str:
    want = " | ".join(f"{n}:{t}" for n, t in zip(expected_names, expected_types, strict=True))
    got = " | ".join(f"{n}:{t}" for n, t in zip(names, types, strict=True))
    return f"expected: {want}\nactual:   {got}\n"


def _row_mismatches(
    test: SpecTest,
    types: list[str],
    expected: list[list[str]],
    actual: list[list[str]],
) -> list[Mismatch]:
    if test.ignore_order:
        expected = sorted(expected)
        actual = sorted(actual)
    failures: list[tuple[int, int, str, str]] = []
    for row in range(min(len(expected), len(actual))):
        want, got = expected[row], actual[row]
        for column in range(max(len(want), len(got))):
            w = want[column] if column < len(want) else "<missing>"
            g = got[column] if column < len(got) else "<missing>"
            if w != g:
                failures.append((row, column, w, g))
    if not failures and len(expected) == len(actual):
        return []
    names = [name for name, _ in test.columns or []]
    if failures:
        row, column, w, g = failures[0]
        summary = f"row {row} column {column} [{names[column] if column < len(names) else '?'}]: expected {w!r}, got {g!r}"
    elif len(expected) > len(actual):
        summary = f"expected {len(expected)} rows, got {len(actual)}: expected more data after [{len(actual)}]"
    else:
        summary = f"expected {len(expected)} rows, got {len(actual)}: still has data after [{len(expected)}]"
    detail = _describe_failures(failures, names)
    first_bad = failures[0][0] if failures else min(len(expected), len(actual))
    detail += pipe_table("Expected:", names, types, expected, first_bad)
    detail += pipe_table("Actual:", names, types, actual, first_bad)
    if test.ignore_order:
        detail += "(ignoreOrder: both sides sorted)\n"
    return [Mismatch("values", summary, detail)]


def _describe_failures(failures: list[tuple[int, int, str, str]], names: list[str]) -> str:
    lines = []
    for row, column, want, got in failures[:10]:
        name = names[column] if column < len(names) else "?"
        lines.append(f"row {row} column {column} [{name}]: expected {want!r} but was {got!r}")
    if len(failures) > 10:
        lines.append(f"... {len(failures) - 10} more differing cells")
    return "\n".join(lines) + ("\n" if lines else "")


def pipe_table(
    title: str,
    names: list[str],
    types: list[str],
    rows: list[list[str]],
    mark: int = -1,
    max_rows: int = 40,
) -> str:
    """An aligned ``name:type | …`` table (CsvAssert's failure layout); the row
    ``mark`` is flagged with ``>``, and at most ``max_rows`` rows around it are shown."""
    headers = [f"{n}:{t}" for n, t in zip(names, types, strict=False)]
    start = max(0, min(mark - max_rows // 2, len(rows) - max_rows)) if mark >= 0 else 0
    shown = rows[start : start + max_rows]
    width = max([len(headers)] + [len(r) for r in shown]) if (headers or shown) else 0
    cols = [headers + [""] * (width - len(headers))] + [r + [""] * (width - len(r)) for r in shown]
    widths = [max(len(c[i]) for c in cols) for i in range(width)]

    def fmt(cells: list[str], marker: str) -> str:
        return marker + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    lines = [title, fmt(cols[0], "  ")]
    if start:
        lines.append(f"  ... {start} rows")
    for offset, cells in enumerate(cols[1:]):
        lines.append(fmt(cells, "> " if start + offset == mark else "  "))
    rest = len(rows) - start - len(shown)
    if rest > 0:
        lines.append(f"  ... {rest} more rows")
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------ JSON values


def es_values(result: Result) -> list[list[Any]]:
    """The result's rows as Elasticsearch's JSON answer holds them: the shared
    ``esqlsh.render.values.to_es_values`` when it exists, else a local stand-in."""
    try:
        from esqlsh.render.values import to_es_values
    except ImportError:
        return fallback_es_values(result)
    return to_es_values(result)


def fallback_es_values(result: Result) -> list[list[Any]]:
    """A minimal ``to_es_values`` for developing before the shared one exists."""
    columns = [
        [_json_value(attr.type.value, v) for v in result.frame.to_series(i).to_list()]
        for i, attr in enumerate(result.columns)
    ]
    return [list(row) for row in zip(*columns, strict=True)] if columns else []


def _json_value(type_name: str, value: Any) -> Any:
    if isinstance(value, list):
        items = [_json_value(type_name, v) for v in value]
        return None if not items else items[0] if len(items) == 1 else items
    if value is None or type_name in ("null", "unsupported"):
        return None
    if isinstance(value, dt.datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        delta = moment - _EPOCH
        nanos = (delta.days * 86400 + delta.seconds) * 1_000_000_000 + delta.microseconds * 1000
        return (
            format_nanos(nanos) if type_name == "date_nanos" else format_millis(nanos // 1_000_000)
        )
    return value
