"""Helpers: suggestions, literal typing, temporal strings, DISSECT and GROK patterns."""

from __future__ import annotations

import polars as pl
import pytest

from esqlsh.analysis import literals, messages
from esqlsh.analysis.dissect import DissectError, parse_dissect
from esqlsh.analysis.grok import GrokError, compile_grok, group_field_index
from esqlsh.analysis.types import DataType as T
from esqlsh.plan.logical import TemporalAmount


def test_similarity_is_lucene_levenshtein() -> None:
    assert messages.similarity("tolower", "to_lower") == pytest.approx(0.875)
    assert messages.find_similar("foo", ["bar", "fop", "fou", "baz"]) == ["fop", "fou"]
    assert messages.did_you_mean([]) == ""
    assert messages.did_you_mean(["a", "b"]) == ", did you mean any of [a, b]?"


def test_java_hash_set_order_matches_java_string_hash_buckets() -> None:
    # "Aa" and "BB" collide in String.hashCode (2112): insertion order within a bucket.
    assert messages.java_hash_set_order(["BB", "Aa"]) == ["BB", "Aa"]
    assert messages._java_string_hash("hello") == 99162322


def test_english_ordinals_and_type_names() -> None:
    assert [messages.english_ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22)] == [
        "1st",
        "2nd",
        "3rd",
        "4th",
        "11th",
        "12th",
        "13th",
        "21st",
        "22nd",
    ]
    assert messages.type_name(T.DATETIME) == "datetime"
    assert messages.enum_name(T.DATE_PERIOD) == "DATE_PERIOD"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (2147483647, T.INTEGER),
        (-2147483648, T.INTEGER),
        (2147483648, T.LONG),
        (9223372036854775808, T.UNSIGNED_LONG),
        (18446744073709551616, T.DOUBLE),
    ],
)
def test_integer_literal_types(value: int, expected: T) -> None:
    assert literals.integer_literal(value)[1] is expected


def test_temporal_strings_and_units() -> None:
    assert literals.parse_temporal_string(" 2 quarters") == (
        TemporalAmount(months=6),
        T.DATE_PERIOD,
    )
    assert literals.parse_temporal_string("90min") == (
        TemporalAmount(millis=5_400_000),
        T.TIME_DURATION,
    )
    assert literals.parse_temporal_string("2024-01-01") is None
    with pytest.raises(literals.TemporalUnitError, match="Unexpected temporal unit: 'parsecs'"):
        literals.parse_temporal_string("3 parsecs")


def test_string_conversions() -> None:
    assert literals.convert_string("12", T.INTEGER) == 12
    assert literals.convert_string("2147483648.7", T.LONG) == 2147483648
    assert literals.convert_string("TRUE", T.BOOLEAN) is True
    with pytest.raises(literals.ConversionError, match=r"Cannot parse number \[c\]"):
        literals.convert_string("c", T.DOUBLE)


def test_dissect_keys_modifiers_and_regex() -> None:
    spec = parse_dissect("[%{a}] %{+a/2} %{?x}: %{b->} %{}, %{c}")
    assert spec.leading == "["
    assert spec.output_keys == ("a", "b", "c")
    assert [p.key.modifier for p in spec.pairs] == ["+", "+/", "?", "", "", ""]
    frame = pl.DataFrame({"s": ["[x] y z: w    q, r"]})
    got = frame.select(pl.col("s").str.extract_groups(spec.regex())).unnest("s").row(0)
    assert got == ("x", "y", "z", "w", "q", "r")
    with pytest.raises(DissectError):
        parse_dissect("no keys here")
    with pytest.raises(DissectError):
        parse_dissect("%{*a} %{b}")


def test_grok_compiles_for_polars_with_group_per_capture() -> None:
    spec = compile_grok("%{IP:ip} %{WORD:w} %{WORD:w} (?<raw>\\d+)")
    assert [(a.name, a.type) for a in spec.fields] == [
        ("ip", T.KEYWORD),
        ("raw", T.KEYWORD),
        ("w", T.KEYWORD),
    ]
    got = pl.Series(["10.0.0.1 a b 42"]).str.extract_groups(spec.regex).to_list()[0]
    by_field: dict[str, list[str]] = {}
    for group, value in got.items():
        by_field.setdefault(spec.fields[group_field_index(group)].name, []).append(value)
    assert by_field == {"ip": ["10.0.0.1"], "w": ["a", "b"], "raw": ["42"]}
    with pytest.raises(GrokError, match=r"Unable to find pattern \[NOPE\]"):
        compile_grok("%{NOPE}")
