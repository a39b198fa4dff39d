"""Key bindings of the shell's prompt.

Enter submits when the buffer holds a whole statement (``statements.should_submit``:
a query ending with ``;``, a blank last line, a meta command) and otherwise starts
a new line; Alt-Enter (Esc then Enter) submits whatever is there. Ctrl-R search,
history suggestions (→ or Ctrl-E to take one) and the emacs/vi modes are
prompt_toolkit's own.
"""

from __future__ import annotations

from prompt_toolkit.filters import completion_is_selected, has_completions
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent

from esqlsh.repl.statements import should_submit


def repl_key_bindings() -> KeyBindings:
    bindings = KeyBindings()

    @bindings.add("enter", filter=has_completions & completion_is_selected)
    def _take_completion(event: KeyPressEvent) -> None:
        # Enter on a highlighted completion takes it, as in pgcli; it never submits.
        buffer = event.current_buffer
        buffer.complete_state = None

    @bindings.add("enter", filter=~(has_completions & completion_is_selected))
    def _enter(event: KeyPressEvent) -> None:
        buffer = event.current_buffer
        at_end = buffer.document.is_cursor_at_the_end
        if should_submit(buffer.text, cursor_at_end=at_end):
            buffer.validate_and_handle()
        else:
            buffer.insert_text("\n")

    @bindings.add("escape", "enter")
    def _submit(event: KeyPressEvent) -> None:
        event.current_buffer.validate_and_handle()

    return bindings
