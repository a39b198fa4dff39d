"""Reading Elasticsearch's ``*.csv-spec`` files into ``SpecTest`` values.

This mirrors Elasticsearch's own reader so that a test means here what it means
there (``x-pack/plugin/esql/qa/testFixtures/.../SpecReader.java`` and
``CsvSpecReader.java``; the expected table as ``CsvTestUtils.loadCsvSpecValues``
tokenises it with SuperCSV):

- every line is trimmed; empty lines and lines starting with ``//`` or ``#`` are
  skipped everywhere (also inside queries and expected tables);
- a test starts with its name on a line of its own; text after the first ``#`` holds
  instructions (``#[skip:-8.13.99, reason:…]``); names are unique per file,
  case-insensitively;
- before the query: option lines (``required_capability:``, ``request_stored:``,
  ``skip_flattened_rewrite:``, ``pragma:`` …, matched case-insensitively);
- the query is every other line up to and including the first line ending in
  ``;`` (removed); lines are joined with ``\\r\\n``; a line ending in ``\\;`` does not
  end the query, it stands for ``;`` followed by ``\\r\\n``;
- after the query, up to a line starting with ``;``: ``warning:``, ``warningRegex:``
  and ``ignoreOrder:`` lines, the rest being the expected table, ``|``-separated with
  ``"`` quoting (SuperCSV).

A test is skipped when its name ends in ``-Ignore`` or its ``skip:`` version range
contains the Elasticsearch version we emulate (``CsvTestUtils.isEnabled``).
Malformed expected tables do not stop the file: they are recorded on the test
(``table_error``), as Elasticsearch only fails that test.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

# The Elasticsearch version whose behaviour esqlsh reproduces; ``skip:`` ranges are
# evaluated against it as Elasticsearch evaluates them against Version.CURRENT.
ES_VERSION = (9, 1, 0)


class SpecFormatError(ValueError):
    """A spec file Elasticsearch's reader would reject as a whole."""


@dataclass
class SpecTest:
    """One csv-spec test. ``rows`` hold the expected cells as Elasticsearch reads
    them: trimmed strings, ``None`` for ``null`` (any case), ``""`` for an empty cell;
    multi-values stay as written (``[a, b]``): the comparator parses them per type."""

    file: str
    name: str
    line: int
    query: str
    end_line: int = 0
    instructions: str = ""
    required_capabilities: list[str] = field(default_factory=list)
    options: dict[str, str] = field(default_factory=dict)
    columns: list[tuple[str, str]] | None = None
    rows: list[list[str | None]] = field(default_factory=list)
    expected_results: str = ""
    table_error: str | None = None
    warnings: list[str] = field(default_factory=list)
    warning_regexes: list[str] = field(default_factory=list)
    ignore_order: bool = False
    skipped: bool = False
    skip_reason: str = ""

    @property
    def key(self) -> str:
        """``file:name``, the identity used by ``-k`` and the expected-failures list."""
        return f"{self.file}:{self.name}"

    @property
    def has_table(self) -> bool:
        return self.columns is not None


# ------------------------------------------------------------------ file reading


def should_skip_line(line: str) -> bool:
    return not line or line.startswith("//") or line.startswith("#")


def read_spec_file(path: str | Path, *, strict: bool = False) -> list[SpecTest]:
    """All tests of one csv-spec file, in file order (see ``read_spec_text``)."""
    path = Path(path)
    return read_spec_text(path.read_text(encoding="utf-8"), path.name, strict=strict)


def read_spec_text(
    text: str, file: str = "inline.csv-spec", *, strict: bool = False
) -> list[SpecTest]:
    """All tests of a csv-spec text (``file`` names it in the tests and errors).

    Elasticsearch rejects a whole file that repeats a test name (case-insensitively);
    so does ``strict``. Otherwise the repeat is kept under the name ``NAME~2`` (so
    that keys stay unique) with ``options["duplicate_of_line"]`` set."""
    seen: dict[str, int] = {}
    tests: list[SpecTest] = []
    header: str | None = None
    header_line = 0
    duplicate_of = 0
    parser = _TestParser()
    for number, raw in enumerate(text.splitlines(), start=1):
        line = _java_trim(raw)
        if should_skip_line(line):
            continue
        if header is None:
            name = line.split("#", 1)[0].strip()
            duplicate_of = seen.get(name.lower(), 0)
            if duplicate_of and strict:
                raise SpecFormatError(
                    f"Duplicate test name '{name}' at line {number} in file '{file}' "
                    f"(previously seen at line {duplicate_of})"
                )
            seen.setdefault(name.lower(), number)
            header, header_line = line, number
            continue
        done = parser.feed(line)
        if done is not None:
            test = _make_test(file, header, header_line, number, done)
            if duplicate_of:
                test.options["duplicate_of_line"] = str(duplicate_of)
                test.name = _unique_name(test.name, seen)
            tests.append(test)
            header = None
            parser = _TestParser()
    if header is not None:
        raise SpecFormatError(f"Read a test [{header}] without a body at the end of [{file}].")
    return tests


def _unique_name(name: str, seen: dict[str, int]) -> str:
    counter = 2
    while f"{name}~{counter}".lower() in seen:
        counter += 1
    unique = f"{name}~{counter}"
    seen[unique.lower()] = 0
    return unique


def _java_trim(s: str) -> str:
    """``String.trim()``: strips every char <= U+0020 (not other Unicode spaces)."""
    start, end = 0, len(s)
    while start < end and s[start] <= " ":
        start += 1
    while end > start and s[end - 1] <= " ":
        end -= 1
    return s[start:end]


# --------------------------------------------------------------- one test's body

# Preamble/body option lines Elasticsearch's newer reader recognises (CsvSpecReader
# option parsers). They never become part of the query.
_OPTION_PREFIXES = (
    "required_capability_coordinator:",
    "missing_capability_coordinator:",
    "missing_capability_data_node:",
    "required_capability:",
    "required_feature:",
    "request_stored:",
    "request_time_filter:",
    "skip_flattened_rewrite:",
    "documents_found:",
    "dataset:",
    "pragma:",
    "approximate:",
)


@dataclass
class _Body:
    query: str
    required_capabilities: list[str]
    options: dict[str, str]
    data: str
    warnings: list[str]
    warning_regexes: list[str]
    ignore_order: bool


class _TestParser:
    """Feeds one test's lines (after its name); returns the body at its closing ``;``."""

    def __init__(self) -> None:
        self.query: list[str] = []
        self.capabilities: list[str] = []
        self.options: dict[str, str] = {}
        self.body: _Body | None = None
        self.data: list[str] = []

    def feed(self, line: str) -> _Body | None:
        if self.body is None:
            self._feed_preamble(line)
            return None
        return self._feed_result(line)

    def _option(self, line: str) -> bool:
        lower = line.lower()
        if lower.startswith("schema::"):
            self.options["schema"] = line[len("schema::") :].strip()
            return True
        for prefix in _OPTION_PREFIXES:
            if lower.startswith(prefix):
                value = line[len(prefix) :].strip()
                # ``required_feature:`` is the 8.x spelling of a required capability.
                if prefix in ("required_capability:", "required_feature:"):
                    self.capabilities.append(value)
                else:
                    key = prefix[:-1]
                    previous = self.options.get(key)
                    self.options[key] = value if previous is None else f"{previous}\n{value}"
                return True
        return False

    def _feed_preamble(self, line: str) -> None:
        if self._option(line):
            return
        if line.endswith("\\;"):
            self.query.append(line[:-2] + ";\r\n")
        elif line.endswith(";"):
            self.query.append(line[:-1].strip())
            self.body = _Body(
                query="".join(self.query),
                required_capabilities=list(self.capabilities),
                options=dict(self.options),
                data="",
                warnings=[],
                warning_regexes=[],
                ignore_order=False,
            )
        else:
            self.query.append(line + "\r\n")

    def _feed_result(self, line: str) -> _Body | None:
        body = self.body
        assert body is not None
        lower = line.lower()
        if lower.startswith("warning:"):
            if body.warning_regexes:
                raise SpecFormatError(
                    f"Cannot mix warnings and regex warnings in CSV SPEC files: [{line}]"
                )
            body.warnings.append(line[len("warning:") :].strip())
        elif lower.startswith("warningregex:"):
            if body.warnings:
                raise SpecFormatError(
                    f"Cannot mix warnings and regex warnings in CSV SPEC files: [{line}]"
                )
            body.warning_regexes.append(line[len("warningregex:") :].strip())
        elif lower.startswith("ignoreorder:"):
            value = lower[len("ignoreorder:") :].strip()
            if value not in ("true", "false"):
                raise SpecFormatError(
                    f"Invalid value for ignoreOrder: [{value}], it can only be true or false"
                )
            body.ignore_order = body.ignore_order or value == "true"
        elif line.startswith(";"):
            body.data = "".join(self.data)
            return body
        elif not self._option(line):
            self.data.append(line + "\r\n")
        return None


def _make_test(file: str, header: str, line: int, end_line: int, body: _Body) -> SpecTest:
    name, _, instructions = header.partition("#")
    name = name.strip()
    test = SpecTest(
        file=file,
        name=name,
        line=line,
        end_line=end_line,
        query=body.query,
        instructions=instructions,
        required_capabilities=body.required_capabilities,
        options=body.options,
        expected_results=body.data,
        warnings=body.warnings,
        warning_regexes=body.warning_regexes,
        ignore_order=body.ignore_order,
    )
    _fill_table(test)
    test.skip_reason = skip_reason(name, instructions)
    test.skipped = bool(test.skip_reason)
    return test


def _fill_table(test: SpecTest) -> None:
    if not test.expected_results:
        return
    try:
        records = read_pipe_table(test.expected_results)
        if not records:
            return
        test.columns = [parse_header_cell(cell) for cell in records[0]]
        test.rows = [[_cell(value) for value in record] for record in records[1:]]
    except ValueError as err:
        test.columns = None
        test.table_error = str(err)


def _cell(value: str | None) -> str | None:
    # CsvTestUtils.loadCsvSpecValues: SuperCSV's null (an empty cell) becomes "",
    # a trimmed "null" (any case) becomes null.
    if value is None:
        return ""
    value = _java_trim(value)
    return None if value.lower() == "null" else value


_TYPECAST = "__TYPECAST__"


def parse_header_cell(cell: str | None) -> tuple[str, str]:
    """``name:type`` → (name, type as written). ``::`` inside a name is kept
    (``x::long:long``), as Elasticsearch's header parsing does."""
    if cell is None:
        raise ValueError("Invalid CSV header: empty column")
    parts = _java_split(cell.replace("::", _TYPECAST), ":")
    if len(parts) != 2:
        raise ValueError(f"Invalid CSV header {cell}")
    type_name = _java_trim(parts[1].replace(_TYPECAST, "::"))
    if not type_name:
        raise ValueError(f"A type is always expected in the csv file; found {cell}")
    return _java_trim(parts[0].replace(_TYPECAST, "::")), type_name


def _java_split(s: str, sep: str) -> list[str]:
    """``String.split``: trailing empty strings are dropped."""
    if s == "":
        return [""]
    parts = s.split(sep)
    while parts and parts[-1] == "":
        parts.pop()
    return parts


# ------------------------------------------------------------- SuperCSV reading


def read_pipe_table(text: str) -> list[list[str | None]]:
    """Records of a ``|``-separated, ``"``-quoted text (lines joined by ``\\r\\n``) as
    SuperCSV's Tokenizer reads them: quotes may open anywhere in a cell, ``""`` inside
    quotes is a quote, a quoted cell may span lines, an empty cell is None."""
    lines = text.split("\r\n")
    if lines and lines[-1] == "":
        lines.pop()
    records: list[list[str | None]] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if line == "":
            continue
        record, index = _read_record(line, lines, index)
        records.append(record)
    return records


def _read_record(line: str, lines: list[str], index: int) -> tuple[list[str | None], int]:
    cells: list[str | None] = []
    current: list[str] = []
    quoted = False
    pos = 0
    while True:
        if pos == len(line):
            if not quoted:
                cells.append("".join(current) or None)
                return cells, index
            if index >= len(lines):
                raise ValueError("unexpected end of file while reading quoted column")
            current.append("\n")
            line, index, pos = lines[index], index + 1, 0
            continue
        char = line[pos]
        if quoted:
            if char == '"':
                if pos + 1 < len(line) and line[pos + 1] == '"':
                    current.append('"')
                    pos += 1
                else:
                    quoted = False
            else:
                current.append(char)
        elif char == "|":
            cells.append("".join(current) or None)
            current = []
        elif char == '"':
            quoted = True
        else:
            current.append(char)
        pos += 1


# ------------------------------------------------------------------- skipping

_INSTRUCTION = re.compile(r"\[(.*?)]")


def parse_instructions(instructions: str) -> dict[str, str]:
    """``[k1:v1, k2:v2]`` → {k1: v1, k2: v2} (``CsvTestUtils.parseInstructions``)."""
    match = _INSTRUCTION.search(instructions)
    pairs: dict[str, str] = {}
    if match:
        for group in match.group(1).split(","):
            kv = _java_split(group, ":")
            if len(kv) != 2:
                raise SpecFormatError(
                    f"expected instruction in [k1:v1,k2:v2] format; got {match.group(1)}"
                )
            pairs[kv[0].strip()] = kv[1].strip()
    return pairs


def _version(text: str) -> tuple[int, ...]:
    core = text.split("-", 1)[0]
    return tuple(int(part) for part in core.split("."))


def skip_reason(name: str, instructions: str, version: tuple[int, ...] = ES_VERSION) -> str:
    """Why Elasticsearch ``version`` would not run the test, or ""."""
    if name.endswith("-Ignore"):
        return "name ends with -Ignore"
    try:
        pairs = parse_instructions(instructions)
    except SpecFormatError as err:
        return f"bad instructions: {err}"
    skip = pairs.get("skip")
    if skip is None:
        return ""
    bounds = skip.split("-")
    if len(bounds) != 2:
        return f"malformed version range : {skip}"
    lower = _version(bounds[0].strip()) if bounds[0].strip() else (0,)
    upper = _version(bounds[1].strip()) if bounds[1].strip() else version
    if lower <= version <= upper:
        reason = pairs.get("reason", "")
        return f"skip:{skip}" + (f" ({reason})" if reason else "")
    return ""
