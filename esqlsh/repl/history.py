"""The shell's persistent history: a prompt_toolkit ``FileHistory`` in the user
data directory, readable by its owner only (mode 0600, its directory 0700), that
never keeps a secret.

Nothing the shell accepts carries credentials today, but a pasted line such as
``api_key = "…"`` or ``password: …`` must not end up on disk (or in Ctrl-R
search and suggestions): an entry with such an assignment is dropped whole.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterable, Mapping
from pathlib import Path

from prompt_toolkit.history import FileHistory

HISTORY_FILE = "history"
HISTORY_ENV = "ESQLSH_HISTORY"

# An assignment of a credential: `api_key = …`, `"password": …`, `api-key:…`.
_SECRET_ASSIGNMENT = re.compile(
    r"""(?ix) (?<![a-z0-9_]) ["'`]? (api[_-]?key|password|passwd) ["'`]? \s* (=|:) """
)


def has_secret(text: str) -> bool:
    """Whether any line of ``text`` assigns an API key or a password."""
    return _SECRET_ASSIGNMENT.search(text) is not None


def history_path(environ: Mapping[str, str]) -> Path:
    """``$ESQLSH_HISTORY``, else ``history`` in the platform's user data dir."""
    configured = environ.get(HISTORY_ENV)
    if configured:
        return Path(configured).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("esqlsh")) / HISTORY_FILE


def _private_file(path: Path) -> None:
    """Create ``path`` (and its directory) for its owner only; tighten an
    existing file that others could read."""
    if not path.parent.exists():
        path.parent.mkdir(parents=True, mode=0o700, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.close(fd)
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        path.chmod(0o600)


class PrivateHistory(FileHistory):
    """``FileHistory`` that keeps the file 0600 and drops entries with secrets."""

    def __init__(self, path: Path):
        _private_file(path)
        self.path = path
        super().__init__(str(path))

    def append_string(self, string: str) -> None:
        if has_secret(string):
            return
        super().append_string(string)

    def store_string(self, string: str) -> None:
        _private_file(self.path)
        super().store_string(string)

    def load_history_strings(self) -> Iterable[str]:
        # An entry written before the filter existed (or by hand) is not offered.
        return [s for s in super().load_history_strings() if not has_secret(s)]
