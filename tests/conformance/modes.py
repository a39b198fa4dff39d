"""What the runner's modes (single, ``--via-http``, ``--split N``) share.

A mode turns a test into a ``Comparison``: it runs the test's query its own way
(in process, through a served node, over split clusters) and compares the answer
with the comparator of ``compare.py``, so every mode judges exactly alike. A mode
raises the query's error (an ``EsqlError`` or anything else) for the runner to
classify, or ``NotApplicable`` when the test cannot be run honestly in that mode
(the runner counts it as skipped, with the reason).
"""

from __future__ import annotations

from collections.abc import Callable

from tests.conformance.compare import Comparison
from tests.conformance.csvspec import SpecTest

Judge = Callable[[SpecTest], Comparison]


class NotApplicable(Exception):  # noqa: N818 - it names a verdict, not a failure
    """This mode cannot run this test as written; ``str()`` says why."""
