"""Where the shell's output goes: results to stdout (through a pager when they are
bigger than the terminal, and teed to a file after ``\\o FILE``), notes, warnings
and errors to stderr, as the one-shot command does.

``Printer`` owns those decisions so meta commands and the query path just say
what kind of text they have. Colour follows the ``Environment`` (NO_COLOR, a
non-tty stream and ``TERM=dumb`` are plain).
"""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import IO

from esqlsh.env import Environment

DEFAULT_PAGER = ("less", "-SRX")
_YELLOW = "\x1b[33m"
_DIM = "\x1b[2m"
_RED = "\x1b[31m"
_RESET = "\x1b[0m"


def pager_command(environ: Mapping[str, str]) -> tuple[list[str], dict[str, str]]:
    """``$PAGER`` (or ``less -SRX``) and its environment: ``LESS=-SRX`` unless the
    user set ``LESS``, so ``PAGER=less`` also scrolls sideways and keeps colour."""
    env = dict(environ)
    env.setdefault("LESS", "-SRX")
    configured = environ.get("PAGER", "").strip()
    command = shlex.split(configured) if configured else list(DEFAULT_PAGER)
    return command, env


class Printer:
    """The shell's streams, colour, tee file and pager."""

    def __init__(self, env: Environment):
        self.env = env
        self.tee: IO[str] | None = None
        self.tee_path: Path | None = None
        self.paging = True

    # ------------------------------------------------------------------ facts

    @property
    def color(self) -> bool:
        return self.env.stdout_colors

    @property
    def err_color(self) -> bool:
        return self.env.stderr_colors

    def terminal_size(self) -> tuple[int, int]:
        """Columns and lines now (the terminal may have been resized)."""
        if not self.env.stdout_isatty:
            return self.env.terminal_width, 1_000_000
        size = shutil.get_terminal_size((self.env.terminal_width, 24))
        return size.columns, size.lines

    @property
    def width(self) -> int | None:
        """The width to render for: the terminal's, or None (as wide as the data)
        when stdout is not a terminal."""
        return self.terminal_size()[0] if self.env.stdout_isatty else None

    # ------------------------------------------------------------------ stdout

    def result(
        self, text: str, *, plain: str | None = None, page: bool = False, tee: bool = True
    ) -> None:
        """Text for stdout: through the pager when ``page`` and it does not fit the
        terminal; teed when ``tee`` (``plain``, its colourless form, if given)."""
        paged = page and self.should_page(text) and self._page(text)
        if not paged:
            self.out(text)
        if tee:
            self.tee_write(plain if plain is not None else text)

    def should_page(self, text: str) -> bool:
        """Paging is on, stdout is a terminal and ``text`` does not fit it."""
        from esqlsh.render.table import needs_pager

        if not (self.paging and self.env.stdout_isatty):
            return False
        return needs_pager(text, *self.terminal_size())

    def out(self, text: str) -> None:
        self.env.stdout.write(text)
        self.env.stdout.flush()

    def tee_write(self, text: str) -> None:
        if self.tee is not None:
            self.tee.write(text)
            self.tee.flush()

    def _page(self, text: str) -> bool:
        """Show ``text`` in the pager; False when there is none to run."""
        command, env = pager_command(self.env.environ)
        if not command:
            return False
        self.env.stdout.flush()
        # The pager handles Ctrl-C itself; the shell must not die of it meanwhile.
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            subprocess.run(command, input=text, text=True, env=env, check=False)
        except OSError:
            return False
        finally:
            signal.signal(signal.SIGINT, previous)
        return True

    # ------------------------------------------------------------------ stderr

    def note(self, text: str) -> None:
        """Timing, row counts, confirmations: dim on a colour terminal."""
        self._err(text, _DIM)

    def warn(self, text: str) -> None:
        self._err(text, _YELLOW)

    def error(self, text: str) -> None:
        """An error line (``Error: …`` already rendered, or a short message)."""
        self._err(text, _RED)

    def raw_err(self, text: str) -> None:
        self.env.stderr.write(text)
        self.env.stderr.flush()

    def _err(self, text: str, colour: str) -> None:
        body = text.rstrip("\n")
        self.raw_err(f"{colour}{body}{_RESET}\n" if self.err_color else f"{body}\n")

    # ------------------------------------------------------------------ \o

    def start_tee(self, path: Path) -> None:
        """Write results to ``path`` too (truncated first), until :meth:`stop_tee`."""
        self.stop_tee()
        path = path.expanduser()
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        self.tee = os.fdopen(fd, "w", encoding="utf-8")
        self.tee_path = path

    def stop_tee(self) -> Path | None:
        path = self.tee_path
        if self.tee is not None:
            self.tee.close()
        self.tee, self.tee_path = None, None
        return path
