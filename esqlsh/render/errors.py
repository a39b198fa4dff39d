"""How an error reads on a terminal: Elasticsearch's message, then, for each
position the error names, the query line with a caret under the column."""

from __future__ import annotations

from esqlsh.errors import EsqlError, VerificationError

_RED = "\x1b[31m"
_BOLD_RED = "\x1b[1;31m"
_RESET = "\x1b[0m"


def render_error(err: EsqlError, query_text: str | None = None, *, color: bool = False) -> str:
    """``Error: <reason>`` plus caret excerpts of ``query_text``; ends in a newline."""
    head = f"{_BOLD_RED}Error:{_RESET} " if color else "Error: "
    parts = [head + err.reason]
    if query_text:
        for line, column in _positions(err):
            excerpt = caret_excerpt(query_text, line, column, color=color)
            if excerpt:
                parts.append(excerpt)
    return "\n".join(parts) + "\n"


def _positions(err: EsqlError) -> list[tuple[int, int]]:
    if isinstance(err, VerificationError) and err.problems:
        seen: list[tuple[int, int]] = []
        for p in err.problems:
            if (p.line, p.column) not in seen:
                seen.append((p.line, p.column))
        return seen
    if err.line is not None and err.column is not None:
        return [(err.line, err.column)]
    return []


def caret_excerpt(query_text: str, line: int, column: int, *, color: bool = False) -> str:
    """``query_text``'s ``line`` (1-based) with a ``^`` under ``column`` (1-based)::

    1 | FROM nope | LIMIT 1
      |      ^
    """
    lines = query_text.splitlines()
    if not 1 <= line <= len(lines):
        return ""
    text = lines[line - 1]
    gutter = str(line)
    # Keep tabs so the caret lines up with the query whatever the tab width.
    lead = "".join(c if c == "\t" else " " for c in text[: max(column - 1, 0)])
    caret = f"{_RED}^{_RESET}" if color else "^"
    return f"{gutter} | {text}\n{' ' * len(gutter)} | {lead}{caret}"


def render_internal_error(err: BaseException, *, color: bool = False) -> str:
    """A bug in esqlsh itself: one line, no traceback (``ESQLSH_DEBUG=1`` shows it)."""
    head = f"{_BOLD_RED}Error:{_RESET} " if color else "Error: "
    first_line = (str(err).strip().splitlines() or [""])[0]
    return f"{head}internal error: {type(err).__name__}: {first_line}\n"
