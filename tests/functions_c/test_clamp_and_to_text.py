"""CLAMP, CLAMP_MIN, CLAMP_MAX and TO_TEXT (functions Elasticsearch added after 9.1
that the conformance specs use), with the cases of Elasticsearch's specs and docs."""

from __future__ import annotations

import pytest

from esqlsh.errors import VerificationError
from tests.engine.memstorage import MemStorage
from tests.functions_c.helpers import columns_of, employees, query


@pytest.fixture(scope="module")
def storage() -> MemStorage:
    return employees()


def test_clamp_keyword_fields_as_in_conditional_spec(storage: MemStorage) -> None:
    # conditional.csv-spec clampWithKeywordFields / clampMaxWithKeywordFields / clampMin…
    rows, warnings = query(
        storage,
        "FROM emp | WHERE emp_no == 10001 | EVAL c = CLAMP(first_name, last_name, gender), "
        "mx = CLAMP_MAX(first_name, last_name), mn = CLAMP_MIN(first_name, last_name) "
        "| KEEP c, mx, mn",
    )
    assert rows == [["Georgi", "Facello", "Georgi"]]
    assert warnings == []


def test_clamp_numbers(storage: MemStorage) -> None:
    rows, _ = query(
        storage,
        "ROW x = 15 | EVAL c = CLAMP(x, 1, 10), lo = CLAMP_MIN(x, 20), hi = CLAMP_MAX(x, 2.5), "
        "inside = CLAMP(x, 1, 100)",
    )
    assert rows == [[15, 10, 20, 2.5, 15]]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        # the widest type wins; a double wins a tie; of long and unsigned_long the last
        ("1, 2, 3", "integer"),
        ("1, 2::long, 3::long", "long"),
        ("1, 2.0, 3.0", "double"),
        ("1::long, 2.0, 3.0", "double"),
        ("to_ul(1), 2::long, 3::long", "long"),
        ("1::long, to_ul(2), to_ul(3)", "unsigned_long"),
        ("to_ul(1), 2, 3", "unsigned_long"),
    ],
)
def test_clamp_numeric_result_type(storage: MemStorage, args: str, expected: str) -> None:
    # ES's docs table of supported types for CLAMP
    assert columns_of(storage, f"ROW c = CLAMP({args})") == [("c", expected)]


def test_clamp_other_types_compare_in_their_order(storage: MemStorage) -> None:
    rows, _ = query(
        storage,
        'ROW c = CLAMP(TO_IP("1.1.1.1"), TO_IP("10.0.0.1"), TO_IP("11.0.0.0")), '
        'v = CLAMP_MAX(TO_VERSION("1.10.0"), TO_VERSION("1.9.0")), '
        "b = CLAMP_MIN(false, true), d = CLAMP_MAX(true, false)",
    )
    assert rows == [["10.0.0.1", "1.9.0", True, False]]


def test_clamp_null_and_multi_values(storage: MemStorage) -> None:
    rows, warnings = query(
        storage, "ROW x = [1, 2] | EVAL c = CLAMP(x, 1, 10), n = CLAMP(5, null, 3)"
    )
    assert rows == [[[1, 2], None, None]]
    assert warnings == [
        "Line 1:27: evaluation of [CLAMP(x, 1, 10)] failed, treating result as null. "
        "Only first 20 failures recorded.",
        "Line 1:27: java.lang.IllegalArgumentException: single-value function encountered "
        "multi-value",
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            'ROW x = 15 | EVAL c = CLAMP(x, "a", 10)',
            'line 1:23: second argument of [CLAMP(x, "a", 10)] must be [integer], '
            'found value ["a"] type [keyword]',
        ),
        (
            "ROW x = null | EVAL c = CLAMP_MIN(x, 1)",
            "line 1:25: 'field' must not be null in clamp()",
        ),
    ],
)
def test_clamp_type_errors(storage: MemStorage, text: str, message: str) -> None:
    with pytest.raises(VerificationError) as info:
        query(storage, text)
    assert message in str(info.value)


def test_to_text_keeps_values_and_case_turns_it_to_keyword(storage: MemStorage) -> None:
    # conditional.csv-spec casePartialFold*: a text arm of CASE gives keyword
    assert columns_of(storage, 'ROW x = "a" | EVAL t = TO_TEXT(x), c = CASE(true, TO_TEXT(x))') == [
        ("x", "keyword"),
        ("t", "text"),
        ("c", "keyword"),
    ]
    rows, _ = query(storage, "FROM emp | WHERE emp_no == 10001 | EVAL x = TO_TEXT(jobs) | KEEP x")
    assert rows == [[["Accountant", "Senior Python Developer"]]]


def test_to_text_takes_strings_only(storage: MemStorage) -> None:
    with pytest.raises(VerificationError) as info:
        query(storage, "ROW x = 1 | EVAL c = TO_TEXT(x)")
    assert "argument of [TO_TEXT(x)] must be [string], found value [x] type [integer]" in str(
        info.value
    )


def test_clamp_unsigned_long_out_of_long_range_is_null_with_warning(storage: MemStorage) -> None:
    # computed as long (the last of equally wide types): the value does not fit
    rows, warnings = query(
        storage, "ROW x = 18446744073709551615 | EVAL c = CLAMP_MAX(x, 9223372036854775807)"
    )
    assert rows == [[18446744073709551615, None]]
    assert any("[18446744073709551615] out of [long] range" in w for w in warnings)


def test_clamp_negative_bound_of_unsigned_long_is_null_with_warning(storage: MemStorage) -> None:
    rows, warnings = query(storage, "ROW x = 1 | EVAL c = CLAMP_MAX(TO_UL(5), -3) | KEEP c")
    assert rows == [[None]]
    assert any("[-3] out of [unsigned_long] range" in w for w in warnings)
