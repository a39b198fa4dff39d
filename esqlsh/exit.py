"""The exit statuses of the ``esqlsh`` command (documented in ``--help`` and the README)."""

from __future__ import annotations

from enum import IntEnum


class ExitStatus(IntEnum):
    """What ``esqlsh`` exits with. ``cli.run`` is the one place that picks one."""

    OK = 0
    ERROR = 1  # the query failed (Elasticsearch's error on stderr), or esqlsh did
    USAGE = 2  # bad command line, unreadable query file, nothing to run
    PARTIAL = 3  # a result was printed, but it is partial (``is_partial``)
    CANCELLED = 130  # interrupted (Ctrl-C), as shells report SIGINT


EPILOG = """\b
Exit status:
  0    success
  1    the query failed (Elasticsearch's error on stderr)
  2    usage error (bad option, unreadable file, no query)
  3    partial result (printed, but some data was missing)
  130  interrupted (Ctrl-C)"""
