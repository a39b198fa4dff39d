"""Error display: Elasticsearch's message, then the query line with a caret."""

from __future__ import annotations

from esqlsh.errors import EsqlError, IndexNotFoundError, ParsingError, Problem, VerificationError
from esqlsh.render.errors import caret_excerpt, render_error, render_internal_error


def test_parsing_error_with_caret() -> None:
    err = ParsingError(1, 12, "mismatched input '<EOF>' expecting {'dissect', 'eval'}")
    assert render_error(err, "ROW a = 1 |") == (
        "Error: line 1:12: mismatched input '<EOF>' expecting {'dissect', 'eval'}\n"
        "1 | ROW a = 1 |\n"
        "  |            ^\n"
    )


def test_verification_error_carets_every_problem() -> None:
    err = VerificationError(
        [Problem(1, 6, "Unknown index [nope]"), Problem(2, 10, "Unknown column [x]")]
    )
    text = "FROM nope\n| KEEP a, x"
    assert render_error(err, text) == (
        "Error: Found 2 problems\n"
        "line 1:6: Unknown index [nope]\n"
        "line 2:10: Unknown column [x]\n"
        "1 | FROM nope\n"
        "  |      ^\n"
        "2 | | KEEP a, x\n"
        "  |          ^\n"
    )


def test_error_without_position_or_text() -> None:
    assert render_error(IndexNotFoundError("no such index [x]"), "FROM x") == (
        "Error: no such index [x]\n"
    )
    assert render_error(ParsingError(1, 1, "boom"), None) == "Error: line 1:1: boom\n"


def test_caret_keeps_tabs_and_ignores_bad_lines() -> None:
    assert caret_excerpt("\tFROM x", 1, 3) == "1 | \tFROM x\n  | \t ^"
    assert caret_excerpt("FROM x", 3, 1) == ""


def test_colour_marks_caret() -> None:
    out = render_error(EsqlError("bad", line=1, column=2), "ab", color=True)
    assert "\x1b[31m^" in out and out.startswith("\x1b[1;31mError:")


def test_internal_error_is_one_line() -> None:
    assert render_internal_error(KeyError("k")) == "Error: internal error: KeyError: 'k'\n"
    multi = ValueError("first\n\ncontext the user cannot act on")
    assert render_internal_error(multi) == "Error: internal error: ValueError: first\n"
