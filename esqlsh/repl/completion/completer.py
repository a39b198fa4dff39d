"""``EsqlCompleter``: prompt_toolkit's face of completion.

``get_completions`` runs the two steps (``suggest`` on the text before the cursor,
then the matchers over the registry and the cached metadata) and yields
``Completion``s: the text to insert, how much of the typed word it replaces, and a
``display_meta`` (a field's type, a function's signature, an index's cluster).
It never blocks on the network (metadata comes from ``MetadataCache``'s
snapshots) and never raises.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping

from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document

from esqlsh.repl.completion.matchers import Candidate, MatchOptions, candidates, warm_up
from esqlsh.repl.completion.metadata import MetadataSource, NoMetadata
from esqlsh.repl.completion.suggest import META_COMMANDS, suggest

__all__ = ["EsqlCompleter"]


def _default_meta_commands() -> dict[str, str]:
    """The REPL's own table of meta commands (``repl/meta.py``) when it is there,
    else ``suggest.META_COMMANDS``."""
    try:
        from esqlsh.repl.meta import META_COMMANDS as REPL_COMMANDS
    except Exception:  # the REPL's table is not importable: the built-in list
        return dict(META_COMMANDS)
    found = {"\\" + name: command.summary for name, command in REPL_COMMANDS.items()}
    return found or dict(META_COMMANDS)


def _default_formats() -> tuple[str, ...]:
    """The formats ``\\format`` accepts (the REPL's list, else every renderer's)."""
    try:
        from esqlsh.repl.meta import SHELL_FORMATS

        return tuple(SHELL_FORMATS)
    except Exception:  # fall back to the renderers' list
        pass
    try:
        from esqlsh.render.formats import FORMATS
    except Exception:  # rendering unavailable: no format names to offer
        return ()
    return tuple(FORMATS)


class EsqlCompleter(Completer):
    """Completes ES|QL and the REPL's meta commands.

    ``metadata``: where cluster aliases, indices, fields and policies come from
    (a ``MetadataCache``; ``None`` completes commands, functions and keywords only).
    ``meta_commands``: ``{"\\\\name": "description"}`` to offer after ``\\``
    (default: the REPL's ``repl.meta.META_COMMANDS``, else ``suggest.META_COMMANDS``).
    ``formats``: names offered after ``\\format`` (default: the REPL's
    ``SHELL_FORMATS``, else the renderers' ``FORMATS``). ``keyword_casing``:
    ``auto`` | ``upper`` | ``lower``. ``max_candidates``: per completion request."""

    def __init__(
        self,
        metadata: MetadataSource | None = None,
        *,
        meta_commands: Mapping[str, str] | None = None,
        formats: Iterable[str] | None = None,
        keyword_casing: str = "auto",
        max_candidates: int = 100,
    ):
        self.metadata: MetadataSource = metadata if metadata is not None else NoMetadata()
        self.options = MatchOptions(
            keyword_casing=keyword_casing,
            limit=max_candidates,
            meta_commands=tuple((meta_commands or _default_meta_commands()).items()),
            formats=tuple(formats) if formats is not None else _default_formats(),
        )
        # Build the function lists off the prompt's thread: the first Tab is then
        # as quick as the others.
        threading.Thread(target=warm_up, name="esqlsh-completion-warm-up", daemon=True).start()

    def get_completions(
        self, document: Document, complete_event: CompleteEvent
    ) -> Iterable[Completion]:
        try:
            found = self.candidates(document.text_before_cursor)
        except Exception:  # completion must never break typing
            return
        after = document.text_after_cursor
        for c in found[: self.options.limit]:
            yield _completion(c, after)

    def candidates(self, text_before_cursor: str) -> list[Candidate]:
        """The candidates for a text (the completer without prompt_toolkit)."""
        return candidates(suggest(text_before_cursor), self.metadata, self.options)


def _completion(c: Candidate, after: str) -> Completion:
    text = c.text
    if c.kind == "function" and after.startswith("(") and text.endswith("("):
        text = text[:-1]  # the call's parenthesis is already there
    return Completion(
        text,
        start_position=-c.replace,
        display=c.display,
        display_meta=c.meta,
    )
