"""The process environment the command line talks to: its streams, whether they are
terminals, colour, terminal width and the config directory.

Everything that writes to the user goes through an ``Environment``, so tests build
one over ``StringIO`` streams instead of patching ``sys``. Colour follows the
https://no-color.org convention (``NO_COLOR`` set and non-empty disables it) and
``FORCE_COLOR`` forces it.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO


def _isatty(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _colour_allowed(environ: Mapping[str, str], isatty: bool) -> bool:
    if environ.get("NO_COLOR"):
        return False
    if environ.get("FORCE_COLOR"):
        return True
    return isatty and environ.get("TERM") != "dumb"


@dataclass
class Environment:
    """Streams and terminal facts of one run of ``esqlsh``."""

    stdin: IO[str] = field(default_factory=lambda: sys.stdin)
    stdout: IO[str] = field(default_factory=lambda: sys.stdout)
    stderr: IO[str] = field(default_factory=lambda: sys.stderr)
    stdin_isatty: bool = False
    stdout_isatty: bool = False
    stderr_isatty: bool = False
    stdout_colors: bool = False
    stderr_colors: bool = False
    terminal_width: int = 80
    environ: Mapping[str, str] = field(default_factory=dict)
    config_dir_override: Path | None = None

    @classmethod
    def from_system(cls) -> Environment:
        """The real process: ``sys`` streams, ``os.environ``."""
        environ = os.environ
        out_tty, err_tty = _isatty(sys.stdout), _isatty(sys.stderr)
        return cls(
            stdin=sys.stdin,
            stdout=sys.stdout,
            stderr=sys.stderr,
            stdin_isatty=_isatty(sys.stdin),
            stdout_isatty=out_tty,
            stderr_isatty=err_tty,
            stdout_colors=_colour_allowed(environ, out_tty),
            stderr_colors=_colour_allowed(environ, err_tty),
            terminal_width=shutil.get_terminal_size((80, 24)).columns,
            environ=environ,
        )

    @property
    def config_dir(self) -> Path:
        """``$ESQLSH_CONFIG_DIR`` or the platform's user config dir for esqlsh."""
        if self.config_dir_override is not None:
            return self.config_dir_override
        if configured := self.environ.get("ESQLSH_CONFIG_DIR"):
            return Path(configured)
        import platformdirs

        return Path(platformdirs.user_config_dir("esqlsh"))

    def write_stdout_bytes(self, data: bytes) -> None:
        """Binary output (``--format arrow``) to stdout's underlying buffer."""
        self.stdout.flush()
        buffer = getattr(self.stdout, "buffer", None)
        if buffer is None:
            raise TypeError("stdout cannot take binary output")
        buffer.write(data)
        buffer.flush()
