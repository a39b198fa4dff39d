"""Value conversion: each mapping type's values as ES|QL reads them back."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

import polars as pl
import pytest

from esqlsh.clusters.convert import (
    DocumentParsingError,
    canonical_ip,
    canonical_point,
    convert_field,
    infer_type,
    java_double,
)
from esqlsh.clusters.mapping import FieldSpec

RAW = pl.List(pl.String)


def convert(values: list[Any], kind: str, **params: Any) -> list[Any]:
    series = pl.Series("f", values, dtype=RAW)
    return convert_field(series, FieldSpec("f", kind, params=params)).to_list()


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def test_integers_are_coerced_sorted_and_keep_duplicates() -> None:
    assert convert([["3", "1", "3"], None, ["-7.23", "11.17"]], "integer") == [
        [1, 3, 3],
        None,
        [-7, 11],
    ]
    assert convert([["3.65", "-0.35"]], "long") == [[0, 3]]


@pytest.mark.parametrize(
    ("kind", "value"), [("byte", "128"), ("short", "-32769"), ("integer", "2147483648")]
)
def test_out_of_range_integers_are_rejected(kind: str, value: str) -> None:
    with pytest.raises(DocumentParsingError) as err:
        convert([["1"], [value]], kind)
    assert str(err.value) == (
        f"failed to parse field [f] of type [{kind}] in document at row [2]. "
        f"Preview of field's value: '{value}'"
    )


def test_physical_dtypes() -> None:
    def dtype(kind: str, value: str, **params: Any) -> pl.DataType:
        return convert_field(
            pl.Series("f", [[value]], dtype=RAW), FieldSpec("f", kind, params=params)
        ).dtype

    assert dtype("byte", "1") == pl.List(pl.Int32)
    assert dtype("long", "1") == pl.List(pl.Int64)
    assert dtype("unsigned_long", "1") == pl.List(pl.UInt64)
    assert dtype("half_float", "1") == pl.List(pl.Float64)
    assert dtype("date", "2020-01-01") == pl.List(pl.Datetime("ms", "UTC"))
    assert dtype("date_nanos", "2020-01-01") == pl.List(pl.Datetime("ns", "UTC"))
    assert dtype("ip", "::1") == pl.List(pl.String)


def test_floating_point_precisions_match_elasticsearch() -> None:
    # The values Elasticsearch's employees tests expect for height 2.03 / 2.08.
    assert convert([["2.03"], ["2.08"]], "float") == [[2.0299999713897705], [2.0799999237060547]]
    assert convert([["2.03"], ["2.08"]], "half_float") == [[2.029296875], [2.080078125]]
    assert convert([["2.03"], ["1.63"]], "scaled_float", scaling_factor=100) == [[2.03], [1.63]]
    assert convert([["2.03"]], "double") == [[2.03]]


def test_doubles_reject_non_finite() -> None:
    with pytest.raises(DocumentParsingError):
        convert([["NaN"]], "double")


def test_unsigned_long_full_range() -> None:
    assert convert([["18446744073709551615", "0"]], "unsigned_long") == [[0, 18446744073709551615]]


def test_booleans_sorted_with_duplicates() -> None:
    assert convert([["true", "false", "false"]], "boolean") == [[False, False, True]]
    with pytest.raises(DocumentParsingError):
        convert([["yes"]], "boolean")


def test_keywords_sorted_and_deduplicated_text_as_written() -> None:
    assert convert([["b", "a", "b"], ["é", "z"]], "keyword") == [["a", "b"], ["z", "é"]]
    assert convert([["b", "a", "b"]], "text") == [["b", "a", "b"]]
    assert convert([["b", "a", "b"]], "keyword", doc_values=False) == [["b", "a", "b"]]


def test_dates() -> None:
    values = [
        [
            "1953-09-02T00:00:00Z",
            "2023-10-23T13:55:01.543123456Z",
            "1698069301543",
            "2023-10-23",
            "2020-01-01T00:00:00.5-05:30",
            "1969-12-31T23:59:59.9995Z",
            "2021-03-04T05:06+01",
        ]
    ]
    assert convert(values, "date") == [
        [
            utc(1953, 9, 2),
            utc(1969, 12, 31, 23, 59, 59, 999000),
            utc(2020, 1, 1, 5, 30, 0, 500000),
            utc(2021, 3, 4, 4, 6),
            utc(2023, 10, 23),
            utc(2023, 10, 23, 13, 55, 1, 543000),
            utc(2023, 10, 23, 13, 55, 1, 543000),
        ]
    ]


def test_date_nanos_keep_nanoseconds() -> None:
    out = convert_field(
        pl.Series("f", [["2023-10-23T13:55:01.543123456Z", "1698069301543"]], dtype=RAW),
        FieldSpec("f", "date_nanos"),
    )
    assert out.explode().dt.epoch("ns").to_list() == [1698069301543000000, 1698069301543123456]


def test_epoch_second_format() -> None:
    assert convert([["1700000000"]], "date", format="epoch_second") == [
        [utc(2023, 11, 14, 22, 13, 20)]
    ]


def test_bad_date_is_rejected() -> None:
    with pytest.raises(DocumentParsingError, match=r"of type \[date\]"):
        convert([["yesterday"]], "date")


def test_ips_canonical_sorted_by_bytes_deduplicated() -> None:
    values = [
        [
            "fe80::cae2:65ff:fece:fec1",
            "127.0.0.1",
            "::ffff:1.2.3.4",
            "::1",
            "127.0.0.1",
            "0:0:0:0:0:0:0:1",
        ]
    ]
    assert convert(values, "ip") == [["::1", "1.2.3.4", "127.0.0.1", "fe80::cae2:65ff:fece:fec1"]]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("192.168.0.1", "192.168.0.1"),
        ("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
        ("1:0:2:3:4:5:6:7", "1:0:2:3:4:5:6:7"),
        ("::ffff:10.0.0.1", "10.0.0.1"),
        ("FE80::1", "fe80::1"),
        ("nope", None),
        ("300.1.1.1", None),
    ],
)
def test_canonical_ip(text: str, expected: str | None) -> None:
    assert canonical_ip(text) == expected


def test_versions_sorted_by_version_order() -> None:
    assert convert([["1.11.0", "1.2.3", "1.2.3-SNAPSHOT", "bad", "1.2.3"]], "version") == [
        ["1.2.3-SNAPSHOT", "1.2.3", "1.11.0", "bad"]
    ]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1.0, "1.0"),
        (0.001, "0.001"),
        (0.0001, "1.0E-4"),
        (5.867332220077515e-07, "5.867332220077515E-7"),
        (1234567.0, "1234567.0"),
        (12345678.0, "1.2345678E7"),
        (-2.5, "-2.5"),
        (0.0, "0.0"),
        (1e21, "1.0E21"),
    ],
)
def test_java_double(value: float, text: str) -> None:
    assert java_double(value) == text


def test_points() -> None:
    assert canonical_point("POINT(1 2)", geo=True) == "POINT (1.0 2.0)"
    assert canonical_point("41.12,-71.34", geo=True) == "POINT (-71.34 41.12)"
    assert canonical_point('{"lat": 41.12, "lon": -71.34}', geo=True) == "POINT (-71.34 41.12)"
    assert canonical_point("POINT (200 0)", geo=True) is None
    assert canonical_point("POINT (200 0)", geo=False) == "POINT (200.0 0.0)"


def test_ranges_are_stored_with_inclusive_bounds() -> None:
    assert convert([["0..2"], None], "integer_range") == [[{"gte": 0, "lte": 1}], None]
    ((low, high),) = [tuple(r[0].values()) for r in convert([["0.0..1.5"]], "double_range")]
    assert low == 0.0 and high == math.nextafter(1.5, 0)
    assert convert([["172.21.0.0/16"]], "ip_range") == [
        [{"gte": "172.21.0.0", "lte": "172.21.255.255"}]
    ]
    assert convert([['{"gt": "10.0.0.1", "lt": "10.0.0.9"}']], "ip_range") == [
        [{"gte": "10.0.0.2", "lte": "10.0.0.8"}]
    ]
    assert convert([["1900-01-01..1910-01-01"]], "date_range") == [
        [{"gte": utc(1900, 1, 1), "lte": utc(1909, 12, 31, 23, 59, 59, 999000)}]
    ]


def test_typed_sources() -> None:
    def typed(series: pl.Series, kind: str, **params: Any) -> list[Any]:
        return convert_field(series, FieldSpec("f", kind, params=params)).to_list()

    assert typed(pl.Series([3, None, 1], dtype=pl.Int64), "integer") == [[3], None, [1]]
    assert typed(pl.Series([[3, 1], []], dtype=pl.List(pl.Int64)), "long") == [[1, 3], None]
    assert typed(pl.Series([2.9, -2.9]), "long") == [[2], [-2]]
    assert typed(pl.Series([2.03]), "float") == [[2.0299999713897705]]
    assert typed(pl.Series([datetime(2020, 1, 1, 1)]), "date") == [[utc(2020, 1, 1, 1)]]
    assert typed(pl.Series([5]), "date") == [[utc(1970, 1, 1, 0, 0, 0, 5000)]]
    assert typed(pl.Series([12]), "keyword") == [["12"]]
    assert typed(pl.Series(["::ffff:1.2.3.4"]), "ip") == [["1.2.3.4"]]


@pytest.mark.parametrize(
    ("values", "kinds", "expected"),
    [
        ([["1"], ["-22"]], None, "long"),
        ([["1.5"], ["2"]], None, "double"),
        ([["true"], ["false"]], None, "boolean"),
        ([["2024-01-01T00:00:00Z"], ["2024-02-03"]], None, "date"),
        ([["abc"], ["1"]], None, "keyword"),
        ([["1"]], frozenset({"str"}), "keyword"),
        ([["1"], ["2.5"]], frozenset({"int", "float"}), "double"),
        ([["true"]], frozenset({"bool"}), "boolean"),
        ([["2024-01-01"]], frozenset({"str"}), "date"),
    ],
)
def test_infer_type(values: list[list[str]], kinds: frozenset[str] | None, expected: str) -> None:
    assert infer_type(pl.Series(values, dtype=RAW), kinds) == expected


def test_keyword_ignore_above_values_are_not_indexed() -> None:
    assert convert([["short", "much too long"], ["much too long"]], "keyword", ignore_above=5) == [
        ["short"],
        None,
    ]
    assert convert([["much too long"]], "text", ignore_above=5) == [["much too long"]]
