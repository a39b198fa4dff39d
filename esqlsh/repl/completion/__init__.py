"""Completion for the REPL, in pgcli's two steps: ``suggest.suggest`` says what
kind of thing goes at the cursor (pure, from the text alone); ``matchers`` turn
each suggestion into candidates from the function registry and the clusters'
cached metadata (``metadata.MetadataCache``); ``EsqlCompleter`` is the
prompt_toolkit face of both.
"""

from esqlsh.repl.completion.completer import EsqlCompleter
from esqlsh.repl.completion.metadata import ClusterState, MetadataCache, NoMetadata

__all__ = ["ClusterState", "EsqlCompleter", "MetadataCache", "NoMetadata"]
