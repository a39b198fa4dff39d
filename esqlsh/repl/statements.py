"""Where a statement typed into the shell (or read by ``\\i``) ends.

A query ends with ``;`` or a blank line; a meta command (``\\name …``) is one
line. A ``;`` inside a string (``"…"``, ``\"\"\"…\"\"\"``), a backquoted name or a
comment (``//``, nestable ``/* */``) does not count, so the scanner here walks
those as ES|QL's lexer does — without tokenizing: it only needs to know what is
quoted.
"""

from __future__ import annotations

EXIT_WORDS = frozenset({"exit", "quit", ":q"})
EDIT_SUFFIX = "\\e"  # a query ending in \e opens in the editor


def is_meta(text: str) -> bool:
    """A meta command (``\\clusters``) or an exit word, not a query."""
    stripped = text.strip()
    return stripped.startswith("\\") or stripped.lower() in EXIT_WORDS


def _quoted_span(text: str, i: int) -> tuple[int, bool] | None:
    """The end of the quoted span (string, backquoted name, comment) starting at
    ``i`` and whether it is closed; None when none starts there."""
    if text.startswith('"""', i):
        end = text.find('"""', i + 3)
        return (len(text), False) if end < 0 else (end + 3, True)
    if text.startswith("//", i):
        end = text.find("\n", i)
        return (len(text), True) if end < 0 else (end, True)
    if text.startswith("/*", i):
        return _block_comment_end(text, i)
    if text[i] == '"':
        return _closing(text, i + 1, '"', escape="\\")
    if text[i] == "`":
        return _closing(text, i + 1, "`", double=True)
    return None


def _closing(
    text: str, j: int, quote: str, *, escape: str = "", double: bool = False
) -> tuple[int, bool]:
    while j < len(text):
        ch = text[j]
        if escape and ch == escape:
            j += 2
        elif ch == quote and double and text.startswith(quote * 2, j):
            j += 2  # a doubled backquote stands for one
        elif ch == quote:
            return j + 1, True
        else:
            j += 1
    return len(text), False


def _block_comment_end(text: str, i: int) -> tuple[int, bool]:
    depth, j = 0, i
    while j < len(text):
        if text.startswith("/*", j):
            depth, j = depth + 1, j + 2
        elif text.startswith("*/", j):
            depth, j = depth - 1, j + 2
            if depth == 0:
                return j, True
        else:
            j += 1
    return len(text), False


def _scan(text: str) -> tuple[list[int], bool]:
    """Offsets of the unquoted ``;`` of ``text``, and whether it ends inside a
    string, backquoted name or block comment."""
    ends: list[int] = []
    i = 0
    while i < len(text):
        span = _quoted_span(text, i)
        if span is not None:
            if not span[1]:
                return ends, True
            i = span[0]
            continue
        if text[i] == ";":
            ends.append(i)
        i += 1
    return ends, False


def ends_statement(text: str) -> bool:
    """Whether ``text`` ends with a ``;`` that is not quoted or commented out."""
    stripped = text.rstrip()
    ends, unclosed = _scan(stripped)
    return not unclosed and bool(ends) and ends[-1] == len(stripped) - 1


def strip_terminator(text: str) -> str:
    """``text`` without the ``;`` (and blanks) that ended it."""
    stripped = text.strip()
    while ends_statement(stripped):
        stripped = stripped[:-1].rstrip()
    return stripped


def should_submit(text: str, *, cursor_at_end: bool = True) -> bool:
    """What Enter does with the buffer ``text``: submit (True) or add a line.

    Submit an empty buffer, a one-line meta command, a query ending with ``;`` or
    with ``\\e`` (to edit it), or a query whose last line is blank (Enter on an empty line ends it) unless that
    line is inside a string or comment."""
    stripped = text.strip()
    if not stripped:
        return True
    if is_meta(stripped) and "\n" not in stripped:
        return True
    if stripped.endswith(EDIT_SUFFIX):
        return True  # `FROM x | \e`: edit what was typed
    if ends_statement(text):
        return True
    if not cursor_at_end or "\n" not in text or _scan(text)[1]:
        return False
    return not text.rsplit("\n", 1)[-1].strip()


def split_statements(text: str) -> list[str]:
    """The statements of a file (``\\i``): meta commands one per line, queries ended
    by ``;`` or a blank line; each without its terminator, empty ones dropped."""
    statements: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        joined = strip_terminator("\n".join(pending))
        if joined:
            statements.append(joined)
        pending.clear()

    for line in text.splitlines():
        inside = bool(pending) and _scan("\n".join(pending) + "\n")[1]
        if not pending and is_meta(line):
            statements.append(line.strip())
        elif not line.strip() and not inside:
            flush()
        else:
            pending.append(line)
            if ends_statement("\n".join(pending)):
                flush()
    flush()
    return statements
