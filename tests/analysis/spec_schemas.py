"""Check the analyzer against the conformance corpus: for every csv-spec test with an
expected table, analyse its query over the fixture cluster and compare the plan's
column names and types with the table header (and expected warnings from analysis).

Not a pytest (many specs need functions or commands other engineers are still
writing): run ``python -m tests.analysis.spec_schemas [-v] [name-filter]`` to print
the pass rate and each mismatch.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

from esqlsh.analysis.analyzer import analyze
from esqlsh.errors import EsqlError
from tests.conformance.csvspec import read_spec_file
from tests.conformance.fixtures import fixture_cluster

CONFORMANCE = Path("/work/shared/conformance")

# CsvTestUtils.Type aliases used in spec headers.
TYPE_ALIASES = {
    "i": "integer",
    "int": "integer",
    "l": "long",
    "d": "double",
    "s": "keyword",
    "k": "keyword",
    "str": "keyword",
    "string": "keyword",
    "ul": "unsigned_long",
    "date": "date",
    "datetime": "date",
    "dt": "date",
    "b": "boolean",
    "bool": "boolean",
    "v": "version",
    "ip": "ip",
    "txt": "text",
    # CsvAssert compares the widened types
    "short": "integer",
    "byte": "integer",
    "float": "double",
    "half_float": "double",
    "scaled_float": "double",
}


def normalize(t: str) -> str:
    t = t.strip().lower()
    return TYPE_ALIASES.get(t, t)


def main(argv: list[str]) -> int:
    from esqlsh.syntax.parser import parse

    verbose = "-v" in argv
    filters = [a for a in argv if not a.startswith("-")]
    catalog = fixture_cluster(CONFORMANCE / "")
    outcomes: Counter[str] = Counter()
    for path in sorted((CONFORMANCE / "specs").glob("*.csv-spec")):
        for test in read_spec_file(path):
            if test.columns is None or test.skipped:
                continue
            if filters and not any(f in f"{path.stem}.{test.name}" for f in filters):
                continue
            label = f"{path.stem}.{test.name}"
            try:
                plan = analyze(parse(test.query), catalog)
            except EsqlError as e:
                outcomes["error"] += 1
                if verbose:
                    print(f"ERROR {label}: {e.reason.splitlines()[-1][:200]}")
                continue
            except Exception as e:  # noqa: BLE001 - report, keep going
                outcomes["crash"] += 1
                print(f"CRASH {label}: {type(e).__name__}: {e}")
                continue
            got = [(a.name, a.type.value) for a in plan.schema]
            want = [(n, normalize(t)) for n, t in test.columns]
            if got == want:
                outcomes["ok"] += 1
            else:
                outcomes["mismatch"] += 1
                if verbose:
                    print(f"MISMATCH {label}:\n  want {want}\n  got  {got}")
    total = sum(outcomes.values())
    print(f"{outcomes['ok']}/{total} schemas match; {dict(outcomes)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
