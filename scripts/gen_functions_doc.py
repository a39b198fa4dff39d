"""Generate ``docs/FUNCTIONS.md`` from the function registry.

Every function a user can call is listed once, under its family, with the same text
``\\help FUNCTION`` shows (``esqlsh.analysis.registry.help_text``). Run it after
declaring or changing a function:

    .venv/bin/python scripts/gen_functions_doc.py          # rewrite the file
    .venv/bin/python scripts/gen_functions_doc.py --check  # exit 1 if it is stale

``tests/functions_c/test_docs.py`` checks that the file is up to date.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from esqlsh.analysis.registry import FAMILY, FunctionDef, help_text, public_functions

DOC_PATH = Path(__file__).resolve().parent.parent / "docs" / "FUNCTIONS.md"

# family (declaring module) -> section title, in the order of the document
SECTIONS: dict[str, str] = {
    "aggregate": "Aggregate functions",
    "grouping": "Grouping functions",
    "conditional": "Conditional functions and expressions",
    "date": "Date and time functions",
    "ip": "IP functions",
    "math": "Math functions",
    "string": "String functions",
    "conversion": "Type conversion functions",
    "multivalue": "Multivalue functions",
}

HEADER = """# ES|QL functions in esqlsh

Generated from the function registry by `scripts/gen_functions_doc.py`; do not edit
by hand. The text of each entry is what `\\help FUNCTION` shows. Types are
Elasticsearch's names; `null` is accepted wherever a value is. A function that is
not multi-value aware returns `null` for a multi-valued argument, with the warning
`single-value function encountered multi-value`.
"""


# Elasticsearch functions esqlsh does not provide, and why (the audit against
# EsqlFunctionRegistry; a name here must not be in the registry).
NOT_PROVIDED: dict[str, str] = {
    "categorize": "needs Elasticsearch's ML text categorizer (token weights, merging) to "
    "give the same categories",
    "to_aggregate_metric_double": "the aggregate_metric_double type does not exist in esqlsh",
    "st_*, to_geohash, to_geohex, to_geotile, st_centroid_agg, st_extent_agg": "spatial "
    "functions are out of scope (no spatial spec in the conformance set)",
    "match, multi_match, match_phrase, qstr, kql, score, term": "full-text search needs "
    "Lucene indices",
    "knn, v_cosine, v_dot_product, v_hamming, v_l1_norm, v_l2_norm, v_magnitude, "
    "text_embedding": "dense vectors are out of scope (snapshot-only in 9.1)",
    "rate, avg_over_time, count_over_time, count_distinct_over_time, first_over_time, "
    "last_over_time, max_over_time, min_over_time, sum_over_time": "time-series aggregations "
    "need the TS command (snapshot-only in 9.1)",
    "delay": "a debugging function of snapshot builds",
}


def family_of(fn: FunctionDef) -> str:
    family = FAMILY.get(fn.name, "")
    return family if family in SECTIONS else "other"


def render() -> str:
    """The whole document."""
    grouped: dict[str, list[FunctionDef]] = {}
    for fn in public_functions():
        grouped.setdefault(family_of(fn), []).append(fn)
    titles = {**SECTIONS, "other": "Other functions"}
    out = [HEADER]
    out.append("## Contents\n")
    for family, title in titles.items():
        if family in grouped:
            names = ", ".join(f"`{fn.name.upper()}`" for fn in grouped[family])
            out.append(f"- **{title}**: {names}")
    out.append("")
    for family, title in titles.items():
        for i, fn in enumerate(grouped.get(family, [])):
            if i == 0:
                out.append(f"## {title}\n")
            out.append(f"### {fn.name.upper()}\n")
            out.append("```text")
            out.append(help_text(fn.name))
            out.append("```\n")
    out.append("## Not provided\n")
    out.append("Elasticsearch functions esqlsh does not implement, and why:\n")
    out.append("| functions | why |")
    out.append("| --- | --- |")
    for names, why in NOT_PROVIDED.items():
        out.append(f"| {names.upper()} | {why} |")
    return "\n".join(out).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is stale")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = DOC_PATH.read_text(encoding="utf-8") if DOC_PATH.exists() else ""
        if current != text:
            print(f"{DOC_PATH} is stale: run scripts/gen_functions_doc.py", file=sys.stderr)
            return 1
        return 0
    DOC_PATH.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
