"""The interactive shell: a ``ReplApp`` wires the prompt (prompt_toolkit: history,
key bindings, toolbar, highlighting, completion), the meta commands, the query
runner (worker thread, live per-cluster display, Ctrl-C) and the renderers.

Each piece lives in its own module (``keys``, ``history``, ``meta``, ``runner``,
``live``, ``output``, ``render.table``); this one only connects them and owns
the loop: read a statement, run it (meta command or query), show what came back.
prompt_toolkit and rich are imported here and below only: ``esqlsh --help`` and
one-shot queries never load them.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
import time
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Any

from esqlsh import __version__
from esqlsh.env import Environment
from esqlsh.errors import EsqlError
from esqlsh.exit import ExitStatus
from esqlsh.repl.health import ClusterHealth
from esqlsh.repl.meta import QUIT, ReplSettings, run_meta
from esqlsh.repl.output import Printer
from esqlsh.repl.runner import QueryCancelled, QueryRunner
from esqlsh.repl.statements import EDIT_SUFFIX, is_meta, strip_terminator

if TYPE_CHECKING:
    from prompt_toolkit import PromptSession
    from prompt_toolkit.formatted_text import StyleAndTextTuples
    from prompt_toolkit.history import History
    from prompt_toolkit.input import Input
    from prompt_toolkit.output import Output

    from esqlsh.coordinator.fanout import FederatedResult
    from esqlsh.repl.completion import MetadataCache

PROMPT = "esql> "
CONTINUATION = "  ... "


class ReplApp:
    """One interactive session over ``registry``'s clusters."""

    def __init__(
        self,
        env: Environment,
        registry: Any,
        settings: ReplSettings | None = None,
        *,
        history: History | None = None,
        pt_input: Input | None = None,
        pt_output: Output | None = None,
    ):
        self.env = env
        self.registry = registry
        self.settings = settings or ReplSettings()
        self.printer = Printer(env)
        self.health = ClusterHealth(registry, on_change=self._redraw)
        self.runner = QueryRunner(registry, self.printer)
        self.metadata: MetadataCache | None = None  # made with the prompt (completion)
        self.last_query: str | None = None
        self.last_result: FederatedResult | None = None
        self._history = history
        self._input = pt_input
        self._output = pt_output
        self._session: PromptSession[str] | None = None
        self._prefill = ""
        self._depth = 0
        self.apply_settings()

    # ------------------------------------------------------------------ the loop

    def run(self) -> ExitStatus:
        """Read and run statements until ``\\q`` or Ctrl-D."""
        self.printer.note(self.banner())
        session = self.session()
        try:
            while True:
                try:
                    text = session.prompt(default=self._take_prefill())
                except KeyboardInterrupt:
                    continue  # Ctrl-C at the prompt drops the line being typed
                except EOFError:
                    break
                if self.run_statement(text) == QUIT:
                    break
        finally:
            self.close()
        return ExitStatus.OK

    def banner(self) -> str:
        aliases = [
            f"{a} (local)" if a == self.registry.local else a for a in self.registry.clusters
        ]
        return (
            f"esqlsh {__version__} · clusters: {', '.join(aliases)}\n"
            "End a query with ; or a blank line. \\help for help, \\q to quit."
        )

    def close(self) -> None:
        self.printer.stop_tee()
        if self.metadata is not None:
            self.metadata.close()

    def run_statement(self, text: str) -> str | None:
        """Run one statement (a meta command or a query); ``QUIT`` to leave.
        Ctrl-C ends the statement typed at the prompt, with every statement of
        the files it ran (``\\i``)."""
        stripped = text.strip()
        if not stripped:
            return None
        typed = self._depth == 0
        try:
            if stripped.endswith(EDIT_SUFFIX) and not is_meta(stripped):
                self.edit(stripped[: -len(EDIT_SUFFIX)].strip())
                return None
            if is_meta(stripped):
                return self._run_meta(stripped)
            self.run_query(strip_terminator(stripped))
        except (KeyboardInterrupt, QueryCancelled):
            if not typed:
                raise
            self.printer.note("Cancelled.")
        return None

    def _run_meta(self, line: str) -> str | None:
        self._depth += 1
        try:
            return run_meta(self, line)
        except QueryCancelled:
            raise
        except EsqlError as err:
            self.show_error(err, None)
        except Exception as err:  # noqa: BLE001 - a meta command's bug must not end the shell
            self.show_internal_error(err)
        finally:
            self._depth -= 1
        return None

    def include_depth(self) -> int:
        return self._depth - 1

    # ------------------------------------------------------------------ queries

    def run_query(self, text: str) -> None:
        """Run ``text`` on the clusters and show its result, status and warnings
        (``QueryCancelled`` on Ctrl-C)."""
        if not text:
            return
        self.last_query = text
        started = time.perf_counter()
        try:
            result = self.runner.run(
                text,
                self.settings.params or None,
                include_ccs_metadata=self.settings.include_ccs_metadata,
            )
        except QueryCancelled:
            raise
        except EsqlError as err:
            self.show_error(err, text)
            return
        except Exception as err:  # noqa: BLE001 - the shell outlives a bug
            self.show_internal_error(err)
            return
        elapsed_ms = (time.perf_counter() - started) * 1000
        self.last_result = result
        self.show_result(result, elapsed_ms)

    def show_result(self, result: FederatedResult, elapsed_ms: float) -> None:
        self._show_rows(result)
        self._show_status(result)
        for warning in result.warnings:
            self.printer.warn(f"Warning: {warning}")
        rows = result.frame.height
        count = f"{rows} row" if rows == 1 else f"{rows} rows"
        partial = " (partial)" if result.is_partial else ""
        timing = f" in {elapsed_ms:.1f} ms" if self.settings.timing else ""
        self.printer.note(f"{count}{partial}{timing}")

    def _show_rows(self, result: FederatedResult) -> None:
        fmt = self.settings.format
        if fmt == "table":
            from esqlsh.render.table import TableOptions, render_result

            options = TableOptions(color=self.printer.color, types=self.settings.types)
            natural = render_result(result, options)
            plain = render_result(result, TableOptions(types=self.settings.types))
            if self.printer.should_page(natural):
                self.printer.result(natural, plain=plain, page=True)
                return
            width = self.printer.width
            fitted = render_result(result, TableOptions(width, options.color, options.types))
            self.printer.result(fitted, plain=plain)
            return
        from esqlsh.render.formats import RenderOptions, render

        shown = render(
            result, fmt, RenderOptions(color=self.printer.color, width=self.printer.width)
        )
        plain_text = render(result, fmt, RenderOptions())
        assert isinstance(shown, str) and isinstance(plain_text, str), "arrow is not offered"
        self.printer.result(shown, plain=plain_text, page=True)

    def _show_status(self, result: FederatedResult) -> None:
        if result.clusters is None:
            return
        from esqlsh.render.status import render_status

        color, width = self.printer.color, self.printer.width
        self.printer.out(render_status(result.clusters, result.local, color=color, width=width))

    # ------------------------------------------------------------------ errors

    def show_error(self, err: EsqlError, text: str | None) -> None:
        from esqlsh.render.errors import render_error

        self.printer.raw_err(render_error(err, text, color=self.printer.err_color))

    def show_internal_error(self, err: BaseException) -> None:
        from esqlsh.render.errors import render_internal_error

        if self.env.environ.get("ESQLSH_DEBUG"):
            self.printer.raw_err("".join(traceback.format_exception(err)))
        self.printer.raw_err(render_internal_error(err, color=self.printer.err_color))

    # ------------------------------------------------------------------ shell services

    def edit(self, text: str) -> None:
        """``\\e``: ``text`` in ``$VISUAL``/``$EDITOR`` (else ``vi``); what the editor
        leaves becomes the next prompt's text, to review and run."""
        editor = self.env.environ.get("VISUAL") or self.env.environ.get("EDITOR") or "vi"
        fd, name = tempfile.mkstemp(prefix="esqlsh-", suffix=".esql")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as file:
                file.write(text + "\n" if text else "")
            status = subprocess.call([*shlex.split(editor), name])
            edited = Path(name).read_text(encoding="utf-8").strip()
        except OSError as err:
            self.printer.error(f"Error: cannot run the editor [{editor}]: {err.strerror or err}")
            return
        finally:
            Path(name).unlink(missing_ok=True)
        if status != 0:
            self.printer.error(f"The editor [{editor}] exited with status {status}.")
        self._prefill = edited

    def refresh(self) -> None:
        """``\\refresh``: forget cached metadata, ping every cluster again."""
        if self.metadata is not None:
            self.metadata.refresh()
        self.health.ping_all()

    def apply_settings(self) -> None:
        """Make the prompt and printer follow ``settings`` (after ``\\set``)."""
        self.printer.paging = self.settings.pager
        if self._session is not None:
            from prompt_toolkit.enums import EditingMode

            vi = self.settings.editing_mode == "vi"
            self._session.app.editing_mode = EditingMode.VI if vi else EditingMode.EMACS

    def _take_prefill(self) -> str:
        text, self._prefill = self._prefill, ""
        return text

    # ------------------------------------------------------------------ the prompt

    def session(self) -> PromptSession[str]:
        if self._session is None:
            self._session = self._make_session()
            self.apply_settings()
        return self._session

    def _make_session(self) -> PromptSession[str]:
        from prompt_toolkit import PromptSession
        from prompt_toolkit.auto_suggest import AutoSuggestFromHistory

        from esqlsh.repl.keys import repl_key_bindings

        completer = self._completer()
        return PromptSession(
            PROMPT,
            multiline=True,
            prompt_continuation=CONTINUATION,
            history=self._history or self._file_history(),
            auto_suggest=AutoSuggestFromHistory(),
            key_bindings=repl_key_bindings(),
            # Ctrl-X Ctrl-E (emacs) or v (vi) edits the buffer in $VISUAL/$EDITOR.
            enable_open_in_editor=True,
            bottom_toolbar=self.toolbar,
            lexer=self._lexer(),
            completer=completer,
            complete_in_thread=True,
            complete_while_typing=True,
            reserve_space_for_menu=6,
            input=self._input,
            output=self._output,
        )

    def _file_history(self) -> History:
        from prompt_toolkit.history import InMemoryHistory

        from esqlsh.repl.history import PrivateHistory, history_path

        path = history_path(self.env.environ)
        try:
            return PrivateHistory(path)
        except OSError as err:
            self.printer.warn(f"Warning: history is not saved ({path}: {err.strerror or err})")
            return InMemoryHistory()

    def _lexer(self) -> Any:
        from prompt_toolkit.lexers import PygmentsLexer

        from esqlsh.repl.lexer import EsqlLexer

        return PygmentsLexer(EsqlLexer)

    def _completer(self) -> Any:
        """The ES|QL completer over a metadata cache that loads every cluster's
        indices, fields and policies in the background (the prompt never waits)."""
        from esqlsh.repl.completion import EsqlCompleter, MetadataCache

        self.metadata = MetadataCache(self.registry, on_update=lambda alias: self._redraw())
        return EsqlCompleter(self.metadata)

    def toolbar(self) -> StyleAndTextTuples:
        """Clusters up/down, the format, timing, and the keys worth knowing."""
        up, down, loading = self.cluster_counts()
        parts: StyleAndTextTuples = [("", f" clusters: {up} up")]
        if down:
            parts.append(("bg:ansired fg:ansiwhite", f", {down} down"))
        if loading:
            parts.append(("", f", {loading} loading"))
        timing = "on" if self.settings.timing else "off"
        parts.append(("", f" │ format: {self.settings.format} │ timing: {timing}"))
        if self.printer.tee_path is not None:
            parts.append(("", f" │ \\o {self.printer.tee_path}"))
        parts.append(("", " │ Alt-Enter: run │ \\help "))
        return parts

    def cluster_counts(self) -> tuple[int, int, int]:
        """Clusters up, down and not known yet: from the metadata cache's loads
        when there is one (a cluster whose metadata loaded is up), else from the
        pings."""
        total = len(self.registry.clusters)
        states = self.metadata.states() if self.metadata is not None else None
        if states is None:
            up, down = self.health.counts()
        else:
            statuses = [state.status for state in states.values()]
            up, down = statuses.count("ready"), statuses.count("failed")
        return up, down, total - up - down

    def _redraw(self) -> None:
        session = self._session
        if session is not None and session.app.is_running:
            session.app.invalidate()


def start_repl(env: Environment, registry: Any, settings: ReplSettings | None = None) -> ExitStatus:
    """Run the shell over ``registry`` until the user leaves it."""
    return ReplApp(env, registry, settings).run()
