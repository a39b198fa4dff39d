"""Unit tests of the conformance reader, comparator and runner, on small inline
specs and hand-made results (no engine needed)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from esqlsh.analysis.types import DataType
from esqlsh.engine.result import Result
from esqlsh.errors import ParsingError, Problem, VerificationError
from esqlsh.plan.logical import Attribute
from tests.conformance import run_specs
from tests.conformance.compare import (
    canonical,
    compare_result,
    compare_values,
    expected_value,
    fallback_es_values,
    java_double,
    warning_header_text,
)
from tests.conformance.csvspec import (
    SpecFormatError,
    SpecTest,
    read_pipe_table,
    read_spec_text,
    skip_reason,
)
from tests.conformance.index_usage import IndexCatalog, missing_indices
from tests.conformance.modes import NotApplicable


def one(text: str) -> SpecTest:
    tests = read_spec_text(text)
    assert len(tests) == 1
    return tests[0]


# ---------------------------------------------------------------------- reader


def test_multiline_query_is_joined_with_crlf_and_loses_its_semicolon() -> None:
    test = one(
        """
        // a comment before the test
        simple
        FROM employees
        // tag::docs[]
        | KEEP emp_no
        # a hash comment
        | LIMIT 2;

        emp_no:integer
        10001
        // a comment in the table
        10002
        ;
        """
    )
    assert test.name == "simple"
    assert test.query == "FROM employees\r\n| KEEP emp_no\r\n| LIMIT 2"
    assert test.columns == [("emp_no", "integer")]
    assert test.rows == [["10001"], ["10002"]]
    assert test.line == 3
    assert not test.skipped


def test_query_closed_by_a_lone_semicolon_keeps_the_last_crlf() -> None:
    test = one("t\nROW a = 1\n| EVAL b = 2\n;\na:integer|b:integer\n1|2\n;\n")
    assert test.query == "ROW a = 1\r\n| EVAL b = 2\r\n"


def test_escaped_semicolon_does_not_end_the_query() -> None:
    test = one('t\nSET time_zone = "+10:00"\\;\nROW a = 1;\na:integer\n1\n;\n')
    assert test.query == 'SET time_zone = "+10:00";\r\nROW a = 1'


def test_options_before_the_query() -> None:
    test = one(
        "t\nrequired_capability: fix_a\nREQUIRED_CAPABILITY: fix_b\n"
        "skip_flattened_rewrite: why\nrequest_stored: skip\nROW a = 1;\na:integer\n1\n;\n"
    )
    assert test.required_capabilities == ["fix_a", "fix_b"]
    assert test.options == {"skip_flattened_rewrite": "why", "request_stored": "skip"}
    assert test.query == "ROW a = 1"


def test_warnings_regexes_and_ignore_order() -> None:
    tests = read_spec_text(
        'a\nROW x = 1;\nwarning:Line 1:1: first\nWarning:Line 1:2: \\"quoted\\"\n'
        "ignoreOrder:true\nx:integer\n1\n;\n"
        "b\nROW x = 1;\nwarningRegex:evaluation of \\[x\\] failed\nignoreOrder:false\nx:integer\n1\n;\n"
    )
    assert tests[0].warnings == ["Line 1:1: first", 'Line 1:2: \\"quoted\\"']
    assert tests[0].ignore_order is True
    assert tests[1].warning_regexes == ["evaluation of \\[x\\] failed"]
    assert tests[1].ignore_order is False


def test_mixing_warnings_and_regexes_is_rejected() -> None:
    with pytest.raises(SpecFormatError, match="Cannot mix"):
        read_spec_text("a\nROW x = 1;\nwarning:w\nwarningRegex:r\nx:integer\n1\n;\n")


def test_bad_ignore_order_value_is_rejected() -> None:
    with pytest.raises(SpecFormatError, match="ignoreOrder"):
        read_spec_text("a\nROW x = 1;\nignoreOrder:yes\nx:integer\n1\n;\n")


def test_instructions_and_skipping() -> None:
    tests = read_spec_text(
        "old#[skip:-8.13.99, reason:added in 8.14]\nROW a = 1;\na:integer\n1\n;\n"
        "new#[skip:9.0.0-9.1.99,reason:not in 9.1]\nROW a = 1;\na:integer\n1\n;\n"
        "open#[skip:9.1.0-, reason:from 9.1 on]\nROW a = 1;\na:integer\n1\n;\n"
        "muted-Ignore\nROW a = 1;\na:integer\n1\n;\n"
    )
    assert [t.name for t in tests] == ["old", "new", "open", "muted-Ignore"]
    assert tests[0].instructions == "[skip:-8.13.99, reason:added in 8.14]"
    assert [t.skipped for t in tests] == [False, True, True, True]
    assert "not in 9.1" in tests[1].skip_reason
    assert skip_reason("x", "[skip:-8.99.99]", (8, 15, 0)) == "skip:-8.99.99"


def test_duplicate_names_strict_and_lenient() -> None:
    text = "Same\nROW a = 1;\na:integer\n1\n;\nsame\nROW a = 2;\na:integer\n2\n;\n"
    with pytest.raises(SpecFormatError, match="Duplicate test name"):
        read_spec_text(text, strict=True)
    tests = read_spec_text(text)
    assert [t.key for t in tests] == ["inline.csv-spec:Same", "inline.csv-spec:same~2"]
    assert tests[1].options["duplicate_of_line"] == "1"


def test_test_without_body_is_rejected() -> None:
    with pytest.raises(SpecFormatError, match="without a body"):
        read_spec_text("lonely\n")


def test_table_cells_as_supercsv_reads_them() -> None:
    assert read_pipe_table('a | "b|c" | "say ""hi""" |  | x"y"z\r\n') == [
        ["a ", " b|c ", ' say "hi" ', "  ", " xyz"]
    ]
    assert read_pipe_table('"multi\r\nline"|b\r\n') == [["multi\nline", "b"]]
    assert read_pipe_table("a||b\r\n") == [["a", None, "b"]]


def test_rows_hold_trimmed_cells_null_and_empty() -> None:
    test = one("t\nROW a = 1;\na:keyword | b:keyword | c:keyword\nhi | | NULL\n;\n")
    assert test.rows == [["hi", "", None]]


def test_header_names_may_hold_casts() -> None:
    test = one("t\nROW a = 1;\na::long:long | b:l\n1 | 2\n;\n")
    assert test.columns == [("a::long", "long"), ("b", "l")]


def test_absent_table() -> None:
    test = one("t\nROW a = 1;\nwarning:w\n;\n")
    assert test.columns is None and not test.has_table
    assert test.warnings == ["w"]


# ------------------------------------------------------------------ comparator


def spec(table: str, *, ignore_order: bool = False, warnings: str = "") -> SpecTest:
    test = one(f"t\nROW a = 1;\n{warnings}{table}\n;\n")
    test.ignore_order = test.ignore_order or ignore_order
    return test


def check(
    test: SpecTest,
    names: list[str],
    types: list[str],
    rows: list[Any],
    warnings: list[str] | None = None,
) -> str:
    """The failure cause ("" when the comparison passes)."""
    return compare_values(test, names, types, rows, warnings or []).cause


def test_column_names_and_count() -> None:
    test = spec("a:integer | b:keyword\n1 | x")
    assert check(test, ["a", "b"], ["integer", "keyword"], [[1, "x"]]) == ""
    assert check(test, ["a", "c"], ["integer", "keyword"], [[1, "x"]]) == "columns"
    assert check(test, ["a"], ["integer"], [[1]]) == "columns"


def test_types_with_aliases_and_integer_for_long() -> None:
    test = spec("a:i | b:l | c:ul | d:d | e:s | f:k | g:v | h:date | i:dt | j:bool | k:txt")
    types = [
        "integer",
        "long",
        "unsigned_long",
        "double",
        "keyword",
        "keyword",
        "version",
        "date",
        "date",
        "boolean",
        "text",
    ]
    assert check(test, list("abcdefghijk"), types, []) == ""
    assert check(spec("a:long"), ["a"], ["integer"], []) == ""
    assert check(spec("a:integer"), ["a"], ["long"], []) == "types"
    assert check(spec("a:text"), ["a"], ["keyword"], []) == "types"
    assert check(spec("a:keyword"), ["a"], ["text"], []) == "types"
    assert check(spec("a:null\nnull"), ["a"], ["null"], [[None]]) == ""


def test_unknown_spec_type_is_a_spec_problem() -> None:
    assert check(spec("a:wibble"), ["a"], ["keyword"], []).startswith("spec: Unknown type name")


def test_nulls_and_empty_strings() -> None:
    test = spec("a:keyword | b:integer\nnull | null\n | 1")
    assert check(test, ["a", "b"], ["keyword", "integer"], [[None, None], ["", 1]]) == ""
    assert check(test, ["a", "b"], ["keyword", "integer"], [["x", None], ["", 1]]) == "values"
    # Like Elasticsearch's harness: the string "null" cannot be told from null.
    assert check(spec("a:keyword\nnull"), ["a"], ["keyword"], [["null"]]) == ""


def test_multi_values() -> None:
    test = spec("a:keyword | b:integer\n[x, y] | [1, 2, 3]\n[z] | 4\n[a\\,b, c] | null")
    rows = [[["x", "y"], [1, 2, 3]], ["z", 4], [["a,b", "c"], None]]
    assert check(test, ["a", "b"], ["keyword", "integer"], rows) == ""
    assert (
        check(test, ["a", "b"], ["keyword", "integer"], [[["y", "x"], [1, 2, 3]], rows[1], rows[2]])
        == "values"
    )
    assert expected_value("integer", "[1]") == 1


def test_doubles_compare_exactly_as_java_prints_them() -> None:
    test = spec("d:double\n1.0\n0.30000000000000004\n1.0E10\n1e-5")
    assert check(test, ["d"], ["double"], [[1.0], [0.1 + 0.2], [1e10], [0.00001]]) == ""
    assert check(spec("d:double\n0.3"), ["d"], ["double"], [[0.1 + 0.2]]) == "values"
    # An integer in a double column would print as 1, not 1.0.
    assert check(spec("d:double\n1.0"), ["d"], ["double"], [[1]]) == "values"
    assert [java_double(x) for x in (1.0, 100.0, 1e7, 1.5e-3, 1e-4, -0.0, 123456.789)] == [
        "1.0",
        "100.0",
        "1.0E7",
        "0.0015",
        "1.0E-4",
        "-0.0",
        "123456.789",
    ]


def test_dates_unsigned_longs_ips_versions_booleans() -> None:
    test = spec(
        "d:date | e:date | u:ul | ip:ip | v:version | b:boolean\n"
        "2025-03-04T10:09:08Z | 1985-01-01 | 18446744073709551615 | ::ffff:1.2.3.4 | 1.2.3-SNAPSHOT | true"
    )
    row = [
        "2025-03-04T10:09:08.000Z",
        "1985-01-01T00:00:00.000Z",
        18446744073709551615,
        "1.2.3.4",
        "1.2.3-SNAPSHOT",
        True,
    ]
    types = ["date", "date", "unsigned_long", "ip", "version", "boolean"]
    assert check(test, ["d", "e", "u", "ip", "v", "b"], types, [row]) == ""
    assert (
        check(test, ["d", "e", "u", "ip", "v", "b"], types, [row[:5] + ["true"]]) == ""
    )  # toString
    assert check(test, ["d", "e", "u", "ip", "v", "b"], types, [row[:5] + [False]]) == "values"
    assert expected_value("date_nanos", "2023-10-23T13:55:01.5Z") == "2023-10-23T13:55:01.500Z"


def test_unparseable_expected_cell_is_a_spec_problem() -> None:
    assert check(spec("b:boolean\nTRUE"), ["b"], ["boolean"], [[True]]).startswith("spec:")


def test_keyword_newline_escape_and_geo_points() -> None:
    assert canonical("keyword", "a\\nb") == "a\nb"
    assert check(spec("p:geo_point\nPOINT(1 2)"), ["p"], ["geo_point"], [["POINT (1.0 2.0)"]]) == ""
    assert (
        check(spec("p:geo_point\nPOINT(1 2)"), ["p"], ["geo_point"], [["POINT (1.0 2.5)"]])
        == "values"
    )


def test_order_matters_unless_ignore_order() -> None:
    table = "a:integer\n1\n2"
    assert check(spec(table), ["a"], ["integer"], [[2], [1]]) == "values"
    assert check(spec(table, ignore_order=True), ["a"], ["integer"], [[2], [1]]) == ""
    assert check(spec(table, ignore_order=True), ["a"], ["integer"], [[2], [2]]) == "values"


def test_row_count_mismatch_is_reported() -> None:
    comparison = compare_values(spec("a:integer\n1\n2"), ["a"], ["integer"], [[1]])
    assert comparison.cause == "values"
    assert "expected 2 rows, got 1" in comparison.mismatches[0].summary
    assert "Expected:" in comparison.describe() and "Actual:" in comparison.describe()


def test_exact_warnings_are_a_sorted_list() -> None:
    test = spec("a:integer\n1", warnings='warning:w2\nwarning:Line 1:1: \\"x\\"\n')
    assert check(test, ["a"], ["integer"], [[1]], ['Line 1:1: "x"', "w2"]) == ""
    assert check(test, ["a"], ["integer"], [[1]], ["w2"]) == "warnings"
    assert check(test, ["a"], ["integer"], [[1]], ["w2", 'Line 1:1: "x"', "w2"]) == "warnings"


def test_default_limit_warning_is_ignored_and_none_expected_means_none() -> None:
    test = spec("a:integer\n1")
    limit = "No limit defined, adding default limit of [1000]"
    assert check(test, ["a"], ["integer"], [[1]], [limit]) == ""
    assert check(test, ["a"], ["integer"], [[1]], ["surprise"]) == "warnings"


def test_warning_regexes_are_allowed_patterns() -> None:
    test = spec(
        "a:integer\n1", warnings="warningRegex:by zero\nwarningRegex:evaluation of \\[x\\]\n"
    )
    assert check(test, ["a"], ["integer"], [[1]], []) == ""
    assert (
        check(test, ["a"], ["integer"], [[1]], ["java.lang.ArithmeticException: / by zero"]) == ""
    )
    assert check(test, ["a"], ["integer"], [[1]], ["other"]) == "warnings"


def test_warning_header_encoding() -> None:
    assert warning_header_text('a "b" \\ c') == 'a \\"b\\" \\\\ c'
    assert warning_header_text("100% é ❗") == "100%25 é %E2%9D%97"


def test_compare_result_uses_the_json_values_of_a_frame() -> None:
    frame = pl.DataFrame(
        {
            "d": pl.Series([0], dtype=pl.Datetime("ms", "UTC")),
            "m": pl.Series([[1, 2]], dtype=pl.List(pl.Int32)),
            "s": pl.Series([["x"]], dtype=pl.List(pl.String)),
        }
    )
    result = Result(
        (
            Attribute("d", DataType.DATETIME),
            Attribute("m", DataType.INTEGER),
            Attribute("s", DataType.KEYWORD),
        ),
        frame,
        ["No limit defined, adding default limit of [1000]"],
    )
    test = spec("d:date | m:integer | s:keyword\n1970-01-01T00:00:00.000Z | [1, 2] | x")
    assert compare_result(test, result).ok
    result.is_partial = True
    assert compare_result(test, result).cause == "partial"


def test_fallback_values_match_the_shared_ones() -> None:
    frame = pl.DataFrame(
        {
            "d": pl.Series([0, None], dtype=pl.Datetime("ms", "UTC")),
            "m": pl.Series([[1, 2], [3]], dtype=pl.List(pl.Int32)),
            "u": pl.Series([2**64 - 1, 0], dtype=pl.UInt64),
        }
    )
    result = Result(
        (
            Attribute("d", DataType.DATETIME),
            Attribute("m", DataType.INTEGER),
            Attribute("u", DataType.UNSIGNED_LONG),
        ),
        frame,
    )
    assert fallback_es_values(result) == [
        ["1970-01-01T00:00:00.000Z", [1, 2], 2**64 - 1],
        [None, 3, 0],
    ]


# ---------------------------------------------------------------------- runner


def _result(value: int) -> Result:
    return Result(
        (Attribute("a", DataType.INTEGER),), pl.DataFrame({"a": pl.Series([value], dtype=pl.Int32)})
    )


def stub_engine(query: str, cluster: object) -> Result:
    """A stand-in for run_query: ``ROW a = N`` answers N; a few queries misbehave."""
    if "boom" in query:
        raise KeyError("boom")
    if "bad syntax" in query:
        raise ParsingError(1, 5, "mismatched input 'syntax'")
    if "nofn" in query:
        raise VerificationError([Problem(1, 9, "Unknown function [nofn]")])
    if "slow" in query:
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            pass
    return _result(int(query.split("=")[1].strip()))


SPECS = """\
good
ROW a = 1;
a:integer
1
;

wrong
ROW a = 2;
a:integer
3
;

crash
ROW boom = 1;
a:integer
1
;

syntax
ROW bad syntax = 1;
a:integer
1
;

unknownFunction
ROW nofn = 1;
a:integer
1
;

slow
ROW slow = 1;
a:integer
1
;

absent
FROM conv_from_keyword | LIMIT 1;
a:integer
1
;

ignored-Ignore
ROW a = 1;
a:integer
1
;
"""


@pytest.fixture
def spec_dirs(tmp_path: Path) -> tuple[Path, Path]:
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "unit.csv-spec").write_text(SPECS, encoding="utf-8")
    (tmp_path / "indices.yaml").write_text(
        "indices:\n  employees: {copied: true}\n  conv_from_keyword: {copied: false}\n",
        encoding="utf-8",
    )
    return specs, tmp_path


def test_run_test_classifies_every_outcome(spec_dirs: tuple[Path, Path]) -> None:
    specs, fixtures = spec_dirs
    engine = run_specs.Engine(run_query=stub_engine, cluster=None)
    catalog = IndexCatalog.load(fixtures)
    tests = {t.name: t for t in run_specs.load_specs(specs).tests}
    outcome = {
        name: run_specs.run_test(t, engine, catalog, timeout=0.3) for name, t in tests.items()
    }
    assert outcome["good"].status == "passed"
    assert (outcome["wrong"].status, outcome["wrong"].cause) == ("failed", "values")
    assert outcome["crash"].cause == "crash: KeyError"
    assert outcome["crash"].reason == "crash: KeyError: 'boom'"
    assert outcome["syntax"].cause == "parse"
    assert outcome["unknownFunction"].cause == "verification: Unknown function [nofn]"
    assert outcome["slow"].cause == "timeout"
    assert (outcome["absent"].cause, outcome["absent"].reason) == (
        "missing index",
        "missing index: conv_from_keyword",
    )
    assert outcome["ignored-Ignore"].status == "skipped"


def test_missing_indices_scan() -> None:
    catalog = IndexCatalog(
        copied={
            "employees": True,
            "airports": False,
            "languages_lookup": True,
            "gone_lookup": False,
        },
        views={"a_view"},
        policies={"city_names": (["airports"], False)},
    )
    found = missing_indices("FROM employees, airports | LOOKUP JOIN gone_lookup ON x", catalog)
    assert found.named == ["airports", "gone_lookup"]
    found = missing_indices('SET a = "b";\r\nFROM emp*,-employees | ENRICH city_names', catalog)
    assert found.named == ["policy city_names"]
    assert missing_indices("FROM *,-airports", catalog).covered == ["a_view", "gone_lookup"]
    assert missing_indices("ROW a = 1", catalog).named == []


def test_main_prints_summary_last_and_writes_json(
    spec_dirs: tuple[Path, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    specs, fixtures = spec_dirs
    monkeypatch.setattr(run_specs, "load_engine", lambda _: run_specs.Engine(run_query=stub_engine))
    out = tmp_path / "report.json"
    status = run_specs.main(
        [
            "--specs",
            str(specs),
            "--fixtures",
            str(fixtures),
            "--json",
            str(out),
            "--timeout",
            "0.3",
            "-v",
        ]
    )
    lines = capsys.readouterr().out.rstrip("\n").splitlines()
    assert status == 1
    assert lines[-1] == "conformance: 1 passed, 6 failed, 1 skipped"
    assert any(line.startswith("FAIL unit.csv-spec:wrong") for line in lines)
    report = json.loads(out.read_text())
    assert (report["passed"], report["failed"], report["skipped"]) == (1, 6, 1)
    assert {"file": "unit.csv-spec", "name": "good", "status": "passed", "reason": ""} in report[
        "tests"
    ]


def test_main_filters_with_k(
    spec_dirs: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    specs, fixtures = spec_dirs
    monkeypatch.setattr(run_specs, "load_engine", lambda _: run_specs.Engine(run_query=stub_engine))
    assert (
        run_specs.main(
            ["--specs", str(specs), "--fixtures", str(fixtures), "-k", "unit.csv-spec:good"]
        )
        == 0
    )
    assert capsys.readouterr().out.splitlines()[-1] == "conformance: 1 passed, 0 failed, 0 skipped"


def test_main_without_engine_reports_failures_not_crashes(
    spec_dirs: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    specs, fixtures = spec_dirs
    monkeypatch.setattr(
        run_specs,
        "load_engine",
        lambda _: run_specs.Engine(unavailable=("no engine", "no engine: ImportError")),
    )
    assert run_specs.main(["--specs", str(specs), "--fixtures", str(fixtures)]) == 1
    assert capsys.readouterr().out.splitlines()[-1] == "conformance: 0 passed, 7 failed, 1 skipped"


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["--split", "0"], "--split needs at least 1 cluster"),
        (["--split", "2", "--via-http"], "not allowed with argument"),
        (["--via-http", "--update-expected"], "applies to single mode only"),
    ],
)
def test_bad_mode_options_are_rejected(
    option: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        run_specs.main(option)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_a_mode_judges_and_may_decline(spec_dirs: tuple[Path, Path]) -> None:
    specs, fixtures = spec_dirs

    def judge(test: SpecTest) -> Any:
        if "a = 2" in test.query:
            raise NotApplicable("the data is elsewhere")
        return compare_result(test, stub_engine(test.query, None))

    engine = run_specs.Engine(judge=judge, shown_query=lambda t: "SHOWN " + t.query)
    catalog = IndexCatalog.load(fixtures)
    tests = {t.name: t for t in run_specs.load_specs(specs).tests}
    good = run_specs.run_test(tests["good"], engine, catalog, 0.3)
    declined = run_specs.run_test(tests["wrong"], engine, catalog, 0.3)
    crash = run_specs.run_test(tests["crash"], engine, catalog, 0.3)
    assert good.status == "passed"
    assert (declined.status, declined.reason) == (
        "skipped",
        "not applicable: the data is elsewhere",
    )
    assert (crash.cause, crash.query) == ("crash: KeyError", "SHOWN ROW boom = 1")


def test_expected_failures_update_and_check(spec_dirs: tuple[Path, Path], tmp_path: Path) -> None:
    specs, fixtures = spec_dirs
    engine = run_specs.Engine(run_query=stub_engine)
    catalog = IndexCatalog.load(fixtures)
    report = run_specs.Report(
        [run_specs.run_test(t, engine, catalog, 0.3) for t in run_specs.load_specs(specs).tests]
    )
    listing = tmp_path / "expected.txt"
    listing.write_text(
        "unit.csv-spec:wrong  # a reason written by hand\nunit.csv-spec:gone  # old\n"
    )
    assert run_specs.write_expected(report, listing, keep_unrun=False) == 6
    entries = run_specs.read_expected(listing)
    assert entries["unit.csv-spec:wrong"] == "a reason written by hand"
    assert entries["unit.csv-spec:crash"] == "auto: crash: KeyError"
    assert "unit.csv-spec:gone" not in entries
    assert run_specs.check_expected(report, entries).ok
    entries.pop("unit.csv-spec:wrong")
    entries["unit.csv-spec:good"] = "x"
    entries["unit.csv-spec:ignored-Ignore"] = "x"
    check = run_specs.check_expected(report, entries)
    assert [o.key for o in check.unexpected_failures] == ["unit.csv-spec:wrong"]
    assert [o.key for o in check.unexpected_passes] == ["unit.csv-spec:good"]
    assert check.stale == ["unit.csv-spec:ignored-Ignore"]


def test_expected_failures_update_keeps_the_grouping(
    spec_dirs: tuple[Path, Path], tmp_path: Path
) -> None:
    specs, _ = spec_dirs
    engine = run_specs.Engine(run_query=stub_engine)
    catalog = IndexCatalog.load(spec_dirs[1])
    report = run_specs.Report(
        [run_specs.run_test(t, engine, catalog, 0.3) for t in run_specs.load_specs(specs).tests]
    )
    listing = tmp_path / "expected.txt"
    listing.write_text(
        run_specs._EXPECTED_HEADER
        + "# -- fixed since: the group goes\nunit.csv-spec:good  # was broken\n\n"
        + "# -- values\nunit.csv-spec:gone  # old\nunit.csv-spec:wrong  # by hand\n",
        encoding="utf-8",
    )
    run_specs.write_expected(report, listing, keep_unrun=False)
    text = listing.read_text(encoding="utf-8")
    body = text[len(run_specs._EXPECTED_HEADER) :].split("\n\n")
    assert "fixed since" not in text and "gone" not in text
    assert body[0].splitlines()[0] == "# -- values"
    assert body[0].splitlines()[1].startswith("unit.csv-spec:wrong") and "# by hand" in body[0]
    # new failures come last, with generated reasons
    assert "unit.csv-spec:crash" in body[-1] and "auto: crash: KeyError" in body[-1]
    assert text.startswith(run_specs._EXPECTED_HEADER)
    # a second update changes nothing
    run_specs.write_expected(report, listing, keep_unrun=False)
    assert listing.read_text(encoding="utf-8") == text
