"""Completion for the REPL, in pgcli's two steps: ``suggest`` says what kind of
thing goes at the cursor (pure, from the text alone); the matchers turn each
suggestion into candidates from the function registry and the clusters' cached
metadata (``MetadataCache``); ``EsqlCompleter`` is the prompt_toolkit face of both.
"""

from esqlsh.repl.completion.suggest import suggest

__all__ = ["suggest"]
