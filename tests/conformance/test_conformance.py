"""The whole csv-spec corpus through esqlsh, in every mode of the runner.

- single (in process): held to ``expected_failures.txt``. Fails when a test fails
  that the list does not name, or when a listed test passes or no longer runs
  (the list must then shrink). Regenerate the list with
  ``python tests/conformance/run_specs.py --update-expected``.
- via HTTP: through one ``esqlsh serve`` node, the same tests pass (and fail) as
  in process.
- split over 3 clusters, through the coordinator: every test that passes in
  single mode passes. The tests the split cannot run honestly (``split_mode.py``
  says why) are named below, so that list cannot grow unnoticed.

The corpus is ``$ESQLSH_CONFORMANCE`` or ``../shared/conformance`` from the
repository root. The single-mode run is made once and shared.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conformance import run_specs

# Tests that compute with METADATA _index: over remote clusters `_index` is
# `cK:employees`, so the spec's answer does not apply (see split_mode.py).
NOT_APPLICABLE_IN_SPLIT = {
    "metadata.csv-spec:inComparison",
    "metadata.csv-spec:metaIndexInAggs",
    "metadata.csv-spec:metaIndexAliasedInAggs",
    "metadata.csv-spec:inAggsAndAsGroups",
    "metadata.csv-spec:inAggsAndAsGroupsAliased",
    "metadata.csv-spec:inFunction",
    "metadata.csv-spec:multipleIndices",
}


@pytest.fixture(scope="module")
def corpus() -> Path:
    fixtures = run_specs.default_conformance_dir()
    if not (fixtures / "specs").is_dir():
        pytest.fail(f"no conformance corpus at {fixtures} (set ESQLSH_CONFORMANCE)")
    return fixtures


@pytest.fixture(scope="module")
def single(corpus: Path) -> run_specs.Report:
    return run_specs.run(corpus / "specs", corpus)


def keys(report: run_specs.Report, status: str) -> set[str]:
    return {o.key for o in report.outcomes if o.status == status}


def reasons(report: run_specs.Report, wanted: set[str]) -> str:
    return "\n".join(f"  {o.key}  # {o.reason}" for o in report.outcomes if o.key in wanted)


def test_conformance_matches_expected_failures(single: run_specs.Report) -> None:
    expected = run_specs.read_expected()
    check = run_specs.check_expected(single, expected)
    counts = f"{single.summary_line()} ({len(expected)} listed as expected failures)"
    print(counts)
    assert check.ok, f"{counts}\n{check.describe()}"


def test_via_http_passes_what_single_passes(corpus: Path, single: run_specs.Report) -> None:
    http = run_specs.run(corpus / "specs", corpus, mode="http")
    print(f"single: {single.summary_line()}\nvia http: {http.summary_line()}")
    lost = keys(single, "passed") - keys(http, "passed")
    gained = keys(http, "passed") - keys(single, "passed")
    assert not lost, f"{len(lost)} tests pass in process but not via HTTP:\n{reasons(http, lost)}"
    assert not gained, f"{len(gained)} tests pass only via HTTP:\n{reasons(single, gained)}"
    assert (http.passed, http.failed, http.skipped) == (
        single.passed,
        single.failed,
        single.skipped,
    )


def test_split_3_passes_what_single_passes(corpus: Path, single: run_specs.Report) -> None:
    split = run_specs.run(corpus / "specs", corpus, mode="split", split=3)
    not_applicable = {
        o.key for o in split.outcomes if o.reason.startswith(run_specs.NOT_APPLICABLE)
    }
    print(f"single: {single.summary_line()}\nsplit 3: {split.summary_line()}")
    print(f"not applicable split ({len(not_applicable)}):\n{reasons(split, not_applicable)}")
    lost = keys(single, "passed") - keys(split, "passed") - NOT_APPLICABLE_IN_SPLIT
    assert not lost, f"{len(lost)} tests pass single but not split 3:\n{reasons(split, lost)}"
    assert not_applicable == NOT_APPLICABLE_IN_SPLIT, (
        "tests split mode declines changed:\n"
        f"new: {sorted(not_applicable - NOT_APPLICABLE_IN_SPLIT)}\n"
        f"gone: {sorted(NOT_APPLICABLE_IN_SPLIT - not_applicable)}"
    )
