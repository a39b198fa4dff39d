"""The whole csv-spec corpus through esqlsh, held to ``expected_failures.txt``.

Fails when a test fails that the list does not name, or when a listed test passes
or no longer runs (the list must then shrink). The corpus is
``$ESQLSH_CONFORMANCE`` or ``../shared/conformance`` from the repository root.
Regenerate the list with ``python tests/conformance/run_specs.py --update-expected``.
"""

from __future__ import annotations

import pytest

from tests.conformance import run_specs


def test_conformance_matches_expected_failures() -> None:
    fixtures = run_specs.default_conformance_dir()
    specs = fixtures / "specs"
    if not specs.is_dir():
        pytest.fail(f"no conformance corpus at {fixtures} (set ESQLSH_CONFORMANCE)")
    report = run_specs.run(specs, fixtures)
    expected = run_specs.read_expected()
    check = run_specs.check_expected(report, expected)
    counts = f"{report.summary_line()} ({len(expected)} listed as expected failures)"
    print(counts)
    assert check.ok, f"{counts}\n{check.describe()}"
