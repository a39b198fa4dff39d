"""String implementations: code points, 1-based positions, Java regexes, limits."""

from __future__ import annotations

import hashlib

import pytest

from esqlsh.analysis.types import DataType as T
from esqlsh.engine.functions._shared_b import InvalidArgumentError
from esqlsh.engine.functions.string import java_replacement
from esqlsh.errors import IllegalArgumentError

from .helpers import columns, const, unary

K = T.KEYWORD
ILLEGAL = "java.lang.IllegalArgumentException: "


def test_lengths_count_code_points_and_bytes() -> None:
    values = ["hello", "", "¡", "❗️", None]
    assert unary("length", values, K).values == [5, 0, 1, 2, None]
    assert unary("byte_length", values, K).values == [5, 0, 2, 6, None]
    assert unary("bit_length", values, T.TEXT).values == [40, 0, 16, 48, None]


def test_concat_is_null_when_any_argument_is() -> None:
    out = columns("concat", (["a", "b", None], K), const("-", K), (["x", None, "z"], T.TEXT))
    assert out.values == ["a-x", None, None]


@pytest.mark.parametrize(
    ("start", "expected"),
    [(3, "cello"), (1, "Facello"), (0, "Facello"), (-3, "llo"), (-30, "Facello"), (30, "")],
)
def test_substring_start_rules(start: int, expected: str) -> None:
    assert columns("substring", (["Facello"], K), const(start, T.INTEGER)).value == expected


def test_substring_with_length_and_code_points() -> None:
    out = columns(
        "substring", (["héllo wörld", "abc", None], K), const(2, T.INTEGER), const(4, T.INTEGER)
    )
    assert out.values == ["éllo", "bc", None]
    negative = columns("substring", (["abc"], K), const(1, T.INTEGER), const(-1, T.INTEGER))
    assert negative.value is None
    assert negative.failure == ILLEGAL + "Length parameter cannot be negative, found [-1]"


def test_substring_of_null_positions_is_null() -> None:
    assert columns("substring", (["abc", "abc"], K), ([None, 2], T.INTEGER)).values == [None, "bc"]
    out = columns("substring", (["abc"], K), const(1, T.INTEGER), ([None], T.INTEGER))
    assert out.values == [None]


def test_left_and_right() -> None:
    out = columns("left", (["Awdeh", "ab", "x"], K), ([3, 5, -1], T.INTEGER))
    assert out.values == ["Awd", "ab", ""]
    assert columns("right", (["Awdeh", "ab", "x"], K), ([3, 5, -1], T.INTEGER)).values == [
        "deh",
        "ab",
        "",
    ]


def test_locate() -> None:
    out = columns("locate", (["héllo wörld", "abc", "", "a"], K), (["wö", "z", "", "abc"], K))
    assert out.values == [7, 0, 1, 0]
    start = columns(
        "locate", (["aXbXc", "aXbXc", "aXbXc"], K), const("X", K), ([3, -2, 0], T.INTEGER)
    )
    assert start.values == [4, 4, 2]


def test_starts_and_ends_with() -> None:
    assert columns("starts_with", (["Saniya", "Georgi", None], K), const("S", K)).values == [
        True,
        False,
        None,
    ]
    assert columns("ends_with", (["Saniya", "Georgi"], K), (["ya", "x"], K)).values == [True, False]


def test_trims_remove_whitespace_only_at_the_ends() -> None:
    values = ["  some text \t", " red ", None]
    assert unary("trim", values, K).values == ["some text", "red", None]
    assert unary("ltrim", values, K).values == ["some text \t", "red ", None]
    assert unary("rtrim", values, K).values == ["  some text", " red", None]


def test_repeat_and_space() -> None:
    out = columns("repeat", (["ab", "ab", "x"], K), ([3, 0, -1], T.INTEGER))
    assert out.values == ["ababab", "", None]
    assert out.failures[2] == ILLEGAL + "Number parameter cannot be negative, found [-1]"
    too_long = columns("repeat", (["abc"], K), const(1_000_000, T.INTEGER))
    assert (
        too_long.failure
        == ILLEGAL + "Creating repeated strings with more than [1048576] bytes is not supported"
    )
    spaces = unary("space", [3, 0, -2], T.INTEGER)
    assert spaces.values == ["   ", "", None]


def test_too_long_results_are_never_built() -> None:
    # 2**31 - 1 repeats would need gigabytes: the count must be cut before building.
    huge = columns("repeat", (["abc", "d", ""], K), ([2**31 - 1, 2, 2**31 - 1], T.INTEGER))
    assert huge.values == [None, "dd", ""]
    assert huge.failures[0] is not None and "more than [1048576] bytes" in huge.failures[0]
    assert unary("space", [2**31 - 1, 1], T.INTEGER).values == [None, " "]


def test_reverse_keeps_grapheme_clusters() -> None:
    assert unary("reverse", ["abc", "a👍🏽b", None], K).values == ["cba", "b👍🏽a", None]


def test_case_changes_map_multi_values() -> None:
    assert unary("to_upper", ["Some Text", None], T.TEXT).values == ["SOME TEXT", None]
    out = unary("to_lower", [["Some", "TEXT"], None], K, multi=True)
    assert out.values == [["some", "text"], None]
    assert out.col.multi and out.col.type is K


def test_split_on_a_single_byte() -> None:
    out = columns("split", (["foo;bar;baz", "solo", "", None], K), const(";", K))
    assert out.values == [["foo", "bar", "baz"], ["solo"], [""], None]
    assert out.col.multi
    with pytest.raises(InvalidArgumentError, match="delimiter must be single byte"):
        columns("split", (["a"], K), const("::", K))


def test_replace_with_a_bad_regex() -> None:
    # a constant one fails the query (Java's PatternSyntaxException); one per row is null
    with pytest.raises(IllegalArgumentError, match=r"^Invalid regex \[\(\]: unclosed group"):
        columns("replace", (["x"], K), const("(", K), const("y", K))
    per_row = columns("replace", (["x", "x"], K), (["(", "x"], K), const("y", K))
    assert per_row.values == [None, "y"]


def test_replace_translates_java_group_references() -> None:
    out = columns("replace", (["Hello World", None], K), const("(o)(r)?", K), const("[$1$2]", K))
    assert out.values == ["Hell[o] W[or]ld", None]
    assert java_replacement("$12x", groups=1) == "${1}2x"
    assert java_replacement("$12x", groups=12) == "${12}x"
    assert java_replacement("cost \\$5", groups=0) == "cost $$5"


def test_replace_with_a_regex_per_row() -> None:
    out = columns("replace", (["aaa", "bbb"], K), (["a", "b+"], K), const("x", K))
    assert out.values == ["xxx", "x"]


def test_hashes_are_hex_digests() -> None:
    values = ["hello", "", None]
    assert unary("md5", values, K).values == [
        hashlib.md5(b"hello").hexdigest(),
        hashlib.md5(b"").hexdigest(),
        None,
    ]
    assert unary("sha1", values, K).values[0] == hashlib.sha1(b"hello").hexdigest()
    assert unary("sha256", values, K).values[0] == hashlib.sha256(b"hello").hexdigest()
    out = columns("hash", (["SHA-512", "md5", "nope"], K), const("x", K))
    assert out.values == [hashlib.sha512(b"x").hexdigest(), hashlib.md5(b"x").hexdigest(), None]
    assert (
        out.failures[2]
        == "java.security.NoSuchAlgorithmException: nope MessageDigest not available"
    )


def test_base64_round_trip() -> None:
    assert unary("to_base64", ["elastic", "héllo", None], K).values == [
        "ZWxhc3RpYw==",
        "aMOpbGxv",
        None,
    ]
    out = unary("from_base64", ["ZWxhc3RpYw==", "ZWxhc3RpYw", "!!", None], K)
    assert out.values == ["elastic", "elastic", None, None]
    assert (out.failures[2] or "").startswith(ILLEGAL)
    # bytes that are not UTF-8 (Polars would fail the whole query) print replaced
    assert unary("from_base64", ["/w==", "abc"], K).values == ["\ufffd", "i\ufffd"]


def test_null_typed_argument_gives_typed_null() -> None:
    out = columns("length", const(None, T.NULL))
    assert out.value is None and out.col.type is T.INTEGER
