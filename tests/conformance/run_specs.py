"""The conformance runner: every csv-spec test through esqlsh, compared as
Elasticsearch's harness compares it.

    python tests/conformance/run_specs.py [--specs DIR] [--fixtures DIR] [-k PATTERN]
        [-v] [--json OUT] [--timeout S] [--update-expected] [--check]
        [--via-http | --split N]

Each test runs in process with ``esqlsh.coordinator.session.run_query`` over the
fixture cluster (``tests/conformance/fixtures.py: fixture_cluster``). With
``--via-http`` every query goes to an ``esqlsh serve`` node over that cluster
(``http_mode.py``); with ``--split N`` the rows are split over N embedded
clusters and each query's FROM spans them all, run by the cross-cluster
coordinator (``split_mode.py``, which says how expectations are adjusted and
which tests cannot apply: those count as skipped, with the reason). Every mode
judges with the same comparator. Whatever a
test does — a wrong answer, an ES|QL error, a crash, a hang past ``--timeout`` — is
recorded as that test's failure with a short cause key (``parse``,
``verification: Unknown function [x]``, ``values``, ``crash: KeyError`` …); the
runner itself never stops early. Tests whose query needs an index that is not in
the conformance folder (``copied: false``) fail with cause ``missing index``.

The last line printed is always ``conformance: P passed, F failed, S skipped``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import sys
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from tests.conformance.compare import Comparison, compare_result  # noqa: E402
from tests.conformance.csvspec import SpecTest, read_spec_file  # noqa: E402
from tests.conformance.index_usage import IndexCatalog, missing_indices, name_list  # noqa: E402
from tests.conformance.modes import Judge, NotApplicable  # noqa: E402

EXPECTED_FAILURES = Path(__file__).with_name("expected_failures.txt")
DEFAULT_TIMEOUT = 10.0

RunQuery = Callable[[str, Any], Any]


def default_conformance_dir() -> Path:
    """``$ESQLSH_CONFORMANCE``, else ``../shared/conformance`` from the repository root."""
    env = os.environ.get("ESQLSH_CONFORMANCE")
    return Path(env) if env else (REPO_ROOT / ".." / "shared" / "conformance").resolve()


# ------------------------------------------------------------------- outcomes


@dataclass
class Outcome:
    """What happened to one test. ``cause`` is the short key failures are grouped
    by; ``reason`` one line for people and the JSON report; ``detail`` the diff or
    traceback shown with ``-v``."""

    file: str
    name: str
    line: int
    status: str  # passed | failed | skipped
    cause: str = ""
    reason: str = ""
    detail: str = ""
    query: str = ""
    seconds: float = 0.0

    @property
    def key(self) -> str:
        return f"{self.file}:{self.name}"


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def passed(self) -> int:
        return self.count("passed")

    @property
    def failed(self) -> int:
        return self.count("failed")

    @property
    def skipped(self) -> int:
        return self.count("skipped")

    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    def summary_line(self) -> str:
        return f"conformance: {self.passed} passed, {self.failed} failed, {self.skipped} skipped"

    def to_json(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "failed": self.failed,
            "skipped": self.skipped,
            "tests": [
                {"file": o.file, "name": o.name, "status": o.status, "reason": o.reason}
                for o in self.outcomes
            ],
        }


def _outcome(
    test: SpecTest, status: str, cause: str = "", reason: str = "", detail: str = ""
) -> Outcome:
    return Outcome(
        test.file, test.name, test.line, status, cause, reason or cause, detail, test.query
    )


# -------------------------------------------------------------------- loading


@dataclass
class SpecSet:
    tests: list[SpecTest]
    file_errors: list[Outcome]


def load_specs(specs_dir: Path, pattern: str | None = None) -> SpecSet:
    """Every test of ``specs_dir/*.csv-spec`` whose ``file:name`` contains ``pattern``.
    A file that cannot be read at all becomes one failed pseudo-test."""
    tests: list[SpecTest] = []
    errors: list[Outcome] = []
    for path in sorted(specs_dir.glob("*.csv-spec")):
        try:
            file_tests = read_spec_file(path)
        except Exception as err:  # a broken file must not stop the others
            errors.append(
                Outcome(path.name, "<file>", 0, "failed", "spec: unreadable file", f"spec: {err}")
            )
            continue
        tests.extend(t for t in file_tests if pattern is None or pattern in t.key)
    if pattern is not None:
        errors = [e for e in errors if pattern in e.key]
    return SpecSet(tests, errors)


MODES = ("single", "http", "split")
NOT_APPLICABLE = "not applicable: "


@dataclass
class Engine:
    """The pieces a run needs, or why they are unavailable (as a failure cause).
    ``judge`` (another mode) replaces ``run_query`` over ``cluster`` (in process);
    ``shown_query`` is the query a mode really sends, for failure reports;
    ``close`` releases what the mode started (a node, a registry)."""

    run_query: RunQuery | None = None
    cluster: Any = None
    unavailable: tuple[str, str] | None = None  # (cause, reason)
    judge: Judge | None = None
    shown_query: Callable[[SpecTest], str] | None = None
    close: Callable[[], None] | None = None

    def compare(self, test: SpecTest) -> Comparison:
        if self.judge is not None:
            return self.judge(test)
        assert self.run_query is not None
        return compare_result(test, self.run_query(test.query, self.cluster))


def load_engine(fixtures_dir: Path) -> Engine:
    try:
        from esqlsh.coordinator.session import run_query
    except Exception as err:
        return Engine(unavailable=("no engine", f"no engine: {_exc_text(err)}"))
    try:
        from tests.conformance.fixtures import fixture_cluster

        cluster = fixture_cluster(fixtures_dir)
    except Exception as err:
        return Engine(unavailable=("fixtures", f"fixtures: {_exc_text(err)}"))
    return Engine(run_query=run_query, cluster=cluster)


def load_http_engine(fixtures_dir: Path, timeout: float = DEFAULT_TIMEOUT) -> Engine:
    """A node serving the fixture cluster, and a judge sending it every query."""
    try:
        from tests.conformance.fixtures import fixture_cluster
        from tests.conformance.http_mode import HttpJudge, stop_node
        from tests.servers import start_node
    except Exception as err:
        return Engine(unavailable=("no node", f"no node: {_exc_text(err)}"))
    try:
        node = start_node(fixture_cluster(fixtures_dir).path)
    except Exception as err:
        return Engine(unavailable=("no node", f"no node: {_exc_text(err)}"))
    # The request may take a little longer than the query; the runner's own
    # time limit still bounds the test.
    judge = HttpJudge(str(node.url), timeout=timeout * 2 if timeout else 0)

    def close() -> None:
        judge.close()
        stop_node(node)

    return Engine(judge=judge, close=close)


def load_split_engine(fixtures_dir: Path, n: int, executor: str = "coordinator") -> Engine:
    """``n`` split clusters and the coordinator (or ``executor``) over them."""
    try:
        from tests.conformance.split_mode import SplitJudge

        judge = SplitJudge(fixtures_dir, n, executor)
    except Exception as err:
        return Engine(unavailable=("no coordinator", f"no coordinator: {_exc_text(err)}"))
    return Engine(judge=judge, shown_query=judge.query_of, close=judge.close)


# -------------------------------------------------------------------- running


class TestTimeout(BaseException):  # noqa: N818 - a BaseException so engine code's `except Exception` cannot swallow it
    """Raised into a test that runs longer than the per-test timeout."""


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Interrupt the body after ``seconds`` (main thread only; SIGALRM is checked
    between Python bytecodes, so a long native call ends first)."""
    usable = (
        seconds > 0
        and hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
    )
    if not usable:
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise TestTimeout(f"timed out after {seconds:g}s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def run_test(
    test: SpecTest, engine: Engine, catalog: IndexCatalog, timeout: float = DEFAULT_TIMEOUT
) -> Outcome:
    """Run and judge one test; never raises (except KeyboardInterrupt)."""
    if test.skipped:
        return _outcome(test, "skipped", reason=test.skip_reason)
    missing = missing_indices(test.query, catalog)
    if missing.named:
        return _outcome(
            test, "failed", "missing index", f"missing index: {name_list(missing.named)}"
        )
    if engine.unavailable is not None:
        cause, reason = engine.unavailable
        return _outcome(test, "failed", cause, reason)
    started = time.perf_counter()
    try:
        with time_limit(timeout):
            comparison = engine.compare(test)
    except KeyboardInterrupt:
        raise
    except NotApplicable as why:
        return _outcome(test, "skipped", reason=f"{NOT_APPLICABLE}{why}")
    except BaseException as err:  # every failure belongs to the test, never to the run
        outcome = _error_outcome(test, err)
    else:
        if comparison.ok:
            outcome = _outcome(test, "passed")
        else:
            first = comparison.mismatches[0].summary
            reason = first if first.startswith("spec:") else f"{comparison.cause}: {first}"
            outcome = _outcome(test, "failed", comparison.cause, reason, comparison.describe())
    outcome.seconds = time.perf_counter() - started
    if outcome.status == "failed" and engine.shown_query is not None:
        outcome.query = engine.shown_query(test)
    if outcome.status == "failed" and missing.covered:
        # The answer may differ only because data this wildcard covers is absent.
        outcome.reason = f"{outcome.reason} [FROM also covers absent {name_list(missing.covered)}]"
        outcome.cause = "missing index (wildcard)"
    return outcome


def _exc_text(err: BaseException) -> str:
    text = str(err).strip().splitlines()
    return f"{type(err).__name__}: {text[0] if text else ''}".rstrip(": ")


def _short(text: str, limit: int = 80) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"


def classify_error(err: BaseException) -> tuple[str, str]:
    """(cause key, one-line reason) for an exception out of a test."""
    from esqlsh.errors import EsqlError, ParsingError, VerificationError

    if isinstance(err, TestTimeout):
        return "timeout", f"timeout: {err}"
    if isinstance(err, ParsingError):
        return "parse", f"parse: {_short(str(err), 200)}"
    if isinstance(err, VerificationError):
        message = err.problems[0].message if err.problems else str(err)
        key = _short(message.split(", did you mean")[0], 60)
        return (
            f"verification: {key}",
            f"verification: {_short(str(err).replace(chr(10), ' '), 300)}",
        )
    if isinstance(err, EsqlError):
        return f"{err.type}: {_short(str(err), 60)}", f"{err.type}: {_short(str(err), 300)}"
    if isinstance(err, NotImplementedError):
        text = _short(str(err), 60)
        return f"not implemented: {text}", f"not implemented: {_short(str(err), 300)}"
    return f"crash: {type(err).__name__}", f"crash: {_short(_exc_text(err), 300)}"


def _error_outcome(test: SpecTest, err: BaseException) -> Outcome:
    cause, reason = classify_error(err)
    detail = str(err)
    if cause.startswith("crash") or cause == "timeout" or cause.startswith("not implemented"):
        detail = "".join(traceback.format_exception(err)[-12:])
    return _outcome(test, "failed", cause, reason, detail)


def run(
    specs_dir: Path,
    fixtures_dir: Path,
    *,
    pattern: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    progress: Callable[[Outcome], None] | None = None,
    mode: str = "single",
    split: int = 3,
    split_executor: str = "coordinator",
) -> Report:
    """Run every selected test; the in-process entry point (pytest uses it).
    ``mode``: ``single`` (in process), ``http`` (through a served node) or
    ``split`` (over ``split`` clusters, through the coordinator, or
    ``split_executor="in-process"``: the split planner without the fan-out)."""
    if mode not in MODES:
        raise ValueError(f"unknown mode [{mode}], expected one of {MODES}")
    specs = load_specs(specs_dir, pattern)
    catalog = IndexCatalog.load(fixtures_dir)
    needs_engine = any(
        not t.skipped and not missing_indices(t.query, catalog).named for t in specs.tests
    )
    if not needs_engine:
        engine = Engine(unavailable=("no engine", "no engine"))
    elif mode == "http":
        engine = load_http_engine(fixtures_dir, timeout)
    elif mode == "split":
        engine = load_split_engine(fixtures_dir, split, split_executor)
    else:
        engine = load_engine(fixtures_dir)
    report = Report(list(specs.file_errors))
    try:
        for test in specs.tests:
            outcome = run_test(test, engine, catalog, timeout)
            report.outcomes.append(outcome)
            if progress is not None:
                progress(outcome)
    finally:
        if engine.close is not None:
            engine.close()
    return report


# ----------------------------------------------------------- expected failures


def read_expected(path: Path = EXPECTED_FAILURES) -> dict[str, str]:
    """``file:name  # reason`` lines → {key: reason}; blank and ``#`` lines ignored."""
    entries: dict[str, str] = {}
    if not path.exists():
        return entries
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, _, reason = line.partition("#")
        entries[key.strip()] = reason.strip()
    return entries


_EXPECTED_HEADER = """\
# Conformance tests esqlsh is known to fail: `file:name  # reason`.
# tests/conformance/test_conformance.py fails when a test fails that is not listed
# here, or when a listed test passes (remove it). Regenerate with
#   python tests/conformance/run_specs.py --update-expected
# which keeps reasons written by people and writes `auto: <cause>` for the others
# (an `auto:` reason is refreshed on every update: edit it to make it stick).
"""


AUTO = "auto: "


def _reason_for(outcome: Outcome, existing: str | None) -> str:
    # A reason written by a person is kept; a generated one ("auto: <cause>") follows
    # the current cause, so it never goes stale.
    if existing and not existing.startswith(AUTO.strip()):
        return existing
    return AUTO + outcome.cause


def write_expected(report: Report, path: Path = EXPECTED_FAILURES, *, keep_unrun: bool) -> int:
    """Rewrite the list from ``report``: its failures, with reasons written by people
    kept and ``auto: <cause>`` for the others. The file's layout is kept: its
    paragraphs (comment headers grouping entries by cause) stay in place, entries
    that no longer fail are dropped (with a paragraph left without entries), and new
    failures are appended in a last paragraph. With ``keep_unrun`` (a ``-k`` run),
    entries of tests not run stay. Returns the number of entries written."""
    existing = read_expected(path)
    failing = {o.key: o for o in report.failures()}
    ran = {o.key for o in report.outcomes}

    def keep(key: str) -> str | None:
        """The entry's reason if it stays, else None."""
        if key in failing:
            return _reason_for(failing[key], existing.get(key))
        if keep_unrun and key not in ran:
            return existing.get(key, "")
        return None

    paragraphs: list[list[tuple[str, str | None]]] = []  # (comment line, None) | (key, reason)
    for block in _paragraphs(path):
        kept = [(k, keep(k)) for k, is_entry in block if is_entry]
        if any(is_entry for _, is_entry in block) and not any(r is not None for _, r in kept):
            continue
        paragraphs.append([(k, None) if not is_entry else (k, keep(k)) for k, is_entry in block])
    listed = {k for block in paragraphs for k, r in block if r is not None}
    new = [o for o in report.failures() if o.key not in listed]
    new.sort(key=lambda o: (o.file, _order(report, o.key)))
    if new:
        paragraphs.append([(o.key, _reason_for(o, existing.get(o.key))) for o in new])
    entries = [(k, r) for block in paragraphs for k, r in block if r is not None]
    width = min(max((len(k) for k, _ in entries), default=0), 70)

    def render(key: str, reason: str | None) -> str:
        if reason is None:
            return key  # a comment line, as written
        return f"{key.ljust(width)}  # {reason}" if reason else key

    body = "\n\n".join(
        "\n".join(render(k, r) for k, r in block if r is not None or not _is_entry(k))
        for block in paragraphs
    )
    path.write_text(_EXPECTED_HEADER + body + ("\n" if body else ""), encoding="utf-8")
    return len(entries)


def _is_entry(line: str) -> bool:
    return bool(line) and not line.startswith("#")


def _paragraphs(path: Path) -> list[list[tuple[str, bool]]]:
    """The existing list without its standard header, as blank-line separated
    paragraphs of (entry key or comment line, is_entry)."""
    if not path.exists():
        return []
    header = set(_EXPECTED_HEADER.splitlines())
    lines = path.read_text(encoding="utf-8").splitlines()
    while lines and (lines[0].strip() in header or not lines[0].strip()):
        lines.pop(0)
    out: list[list[tuple[str, bool]]] = [[]]
    for raw in lines:
        line = raw.strip()
        if not line:
            if out[-1]:
                out.append([])
            continue
        if line.startswith("#"):
            out[-1].append((line, False))
        else:
            out[-1].append((line.partition("#")[0].strip(), True))
    return [block for block in out if block]


def _order(report: Report, key: str) -> int:
    for index, outcome in enumerate(report.outcomes):
        if outcome.key == key:
            return index
    return len(report.outcomes)


@dataclass
class ExpectedCheck:
    unexpected_failures: list[Outcome]
    unexpected_passes: list[Outcome]
    stale: list[str]  # listed, but skipped or no longer a test

    @property
    def ok(self) -> bool:
        return not (self.unexpected_failures or self.unexpected_passes or self.stale)

    def describe(self) -> str:
        lines = []
        if self.unexpected_failures:
            lines.append(
                f"{len(self.unexpected_failures)} failing tests not in expected_failures.txt:"
            )
            lines += [f"  {o.key}  # {o.reason}" for o in self.unexpected_failures]
        if self.unexpected_passes:
            lines.append(f"{len(self.unexpected_passes)} listed tests now pass (remove them):")
            lines += [f"  {o.key}" for o in self.unexpected_passes]
        if self.stale:
            lines.append(
                f"{len(self.stale)} listed tests are skipped or do not exist (remove them):"
            )
            lines += [f"  {k}" for k in self.stale]
        return "\n".join(lines)


def check_expected(
    report: Report, expected: dict[str, str], *, partial: bool = False
) -> ExpectedCheck:
    """Compare a run with the expected-failures list (``partial``: a ``-k`` run, so
    unlisted-but-unrun entries are not stale)."""
    by_key = {o.key: o for o in report.outcomes}
    failures = [o for o in report.failures() if o.key not in expected]
    passes = [o for o in report.outcomes if o.status == "passed" and o.key in expected]
    stale = [
        k
        for k in expected
        if (k in by_key and by_key[k].status == "skipped") or (k not in by_key and not partial)
    ]
    return ExpectedCheck(failures, passes, stale)


# ------------------------------------------------------------------- printing


def print_failure(outcome: Outcome, out: TextIO) -> None:
    print(f"FAIL {outcome.key} (line {outcome.line}): {outcome.reason}", file=out)
    if outcome.query:
        query = outcome.query.rstrip("\r\n").replace("\r\n", "\n         ")
        print("  query: " + query, file=out)
    if outcome.detail:
        for line in outcome.detail.rstrip("\n").splitlines():
            print("  " + line, file=out)
    print(file=out)


def print_summary(report: Report, out: TextIO, top: int = 25) -> None:
    files: dict[str, Counter[str]] = {}
    for outcome in report.outcomes:
        files.setdefault(outcome.file, Counter())[outcome.status] += 1
    print("per file (passed/failed/skipped):", file=out)
    for name, counts in files.items():
        print(
            f"  {name:32} {counts['passed']:4} {counts['failed']:4} {counts['skipped']:4}",
            file=out,
        )
    causes = Counter(o.cause for o in report.failures())
    if causes:
        print(f"top failure causes ({len(causes)} distinct):", file=out)
        for cause, count in causes.most_common(top):
            print(f"  {count:5}  {cause}", file=out)
    not_applicable = [o for o in report.outcomes if o.reason.startswith(NOT_APPLICABLE)]
    if not_applicable:
        print(f"skipped as not applicable in this mode ({len(not_applicable)}):", file=out)
        for outcome in not_applicable:
            print(f"  {outcome.key}: {outcome.reason[len(NOT_APPLICABLE) :]}", file=out)
    slow = sorted(report.outcomes, key=lambda o: o.seconds, reverse=True)[:5]
    if slow and slow[0].seconds > 1:
        print("slowest: " + ", ".join(f"{o.key} {o.seconds:.1f}s" for o in slow), file=out)


# ------------------------------------------------------------------------ CLI


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="run_specs.py",
        description="Run Elasticsearch's csv-spec conformance tests against esqlsh.",
    )
    parser.add_argument(
        "--specs", type=Path, help="folder of *.csv-spec files (default: FIXTURES/specs)"
    )
    parser.add_argument(
        "--fixtures",
        type=Path,
        help="conformance folder with indices.yaml, data/, mappings/ "
        "(default: $ESQLSH_CONFORMANCE or ../shared/conformance)",
    )
    parser.add_argument("-k", dest="pattern", help="only tests whose file:name contains PATTERN")
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="print every failure with its diff"
    )
    parser.add_argument("--json", type=Path, dest="json_out", help="write a JSON report to OUT")
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        help="per-test time limit in seconds (0: none)",
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--split",
        type=int,
        metavar="N",
        help="split each index's rows across N clusters and run through the coordinator",
    )
    parser.add_argument(
        "--split-executor",
        choices=("coordinator", "in-process"),
        default="coordinator",
        help="with --split: the coordinator's fan-out (default) or the split planner "
        "run in process without it",
    )
    mode.add_argument(
        "--via-http", action="store_true", help="run through `esqlsh serve` over HTTP"
    )
    parser.add_argument(
        "--update-expected",
        action="store_true",
        help="rewrite tests/conformance/expected_failures.txt from this run",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="exit 1 only when the run differs from expected_failures.txt",
    )
    return parser


def main(argv: list[str] | None = None, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    parser = _parser()
    args = parser.parse_args(argv)
    if args.split is not None and args.split < 1:
        parser.error(f"--split needs at least 1 cluster, got {args.split}")
    if (args.split is not None or args.via_http) and args.update_expected:
        # expected_failures.txt describes single mode; the other modes are held to it.
        parser.error("--update-expected applies to single mode only")
    mode = "split" if args.split is not None else "http" if args.via_http else "single"
    fixtures = (args.fixtures or default_conformance_dir()).resolve()
    specs = (args.specs or fixtures / "specs").resolve()
    if not specs.is_dir():
        print(f"run_specs.py: no specs folder at {specs}", file=out)
        print(Report().summary_line(), file=out)
        return 2

    def progress(outcome: Outcome) -> None:
        if args.verbose and outcome.status == "failed":
            print_failure(outcome, out)

    started = time.perf_counter()
    report = run(
        specs,
        fixtures,
        pattern=args.pattern,
        timeout=args.timeout,
        progress=progress,
        mode=mode,
        split=args.split or 3,
        split_executor=args.split_executor,
    )
    for error in (o for o in report.outcomes if o.name == "<file>"):
        print(f"FAIL {error.file}: {error.reason}", file=out)
    print_summary(report, out)
    print(f"ran {len(report.outcomes)} tests in {time.perf_counter() - started:.1f}s", file=out)
    status = 0 if report.failed == 0 else 1
    if args.json_out:
        args.json_out.write_text(json.dumps(report.to_json(), indent=1) + "\n", encoding="utf-8")
    if args.update_expected:
        count = write_expected(report, keep_unrun=args.pattern is not None)
        print(f"wrote {count} entries to {EXPECTED_FAILURES}", file=out)
        status = 0
    elif args.check:
        check = check_expected(report, read_expected(), partial=args.pattern is not None)
        if mode == "split":
            # Held to single mode's list: what passes there must pass split. A listed
            # test may pass or be not applicable here; that is no failure.
            check = ExpectedCheck(check.unexpected_failures, [], [])
        if not check.ok:
            print(check.describe(), file=out)
        status = 0 if check.ok else 1
    print(report.summary_line(), file=out)
    return status


if __name__ == "__main__":
    sys.exit(main())
