"""Date implementations: ES's rounding, ChronoUnit differences, ChronoField
extraction, Java patterns."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from esqlsh.analysis.types import DataType as T
from esqlsh.engine.functions._shared_b import InvalidArgumentError
from esqlsh.engine.functions.date import java_to_chrono
from esqlsh.errors import IllegalArgumentError
from esqlsh.plan.logical import TemporalAmount

from .helpers import columns, const

K = T.KEYWORD
INVALID = "org.elasticsearch.xpack.esql.core.InvalidArgumentException: "


def ms(text: str) -> int:
    """Epoch milliseconds of an ISO date (UTC)."""
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp() * 1000)


def iso(value: datetime | None) -> str | None:
    return None if value is None else value.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]


def trunc(amount: TemporalAmount, dates: list[str], t: T = T.DATETIME) -> list[str | None]:
    scale = 1_000_000 if t is T.DATE_NANOS else 1
    values = [ms(d) * scale for d in dates]
    out = columns(
        "date_trunc",
        const(amount, T.DATE_PERIOD if amount.months or amount.days else T.TIME_DURATION),
        (values, t),
    )
    return [iso(v) for v in out.values]


def test_truncate_to_months_quarters_and_years() -> None:
    dates = ["1985-02-18", "1985-05-13", "1985-09-17"]
    assert trunc(TemporalAmount(months=1), dates) == [
        "1985-02-01T00:00:00.000",
        "1985-05-01T00:00:00.000",
        "1985-09-01T00:00:00.000",
    ]
    assert trunc(TemporalAmount(months=3), dates) == [
        "1985-01-01T00:00:00.000",
        "1985-04-01T00:00:00.000",
        "1985-07-01T00:00:00.000",
    ]
    assert trunc(TemporalAmount(months=12), dates)[0] == "1985-01-01T00:00:00.000"


def test_arbitrary_calendar_intervals_count_from_year_one() -> None:
    assert trunc(TemporalAmount(months=84), ["1963-01-01", "1978-04-12"]) == [
        "1961-01-01T00:00:00.000",
        "1975-01-01T00:00:00.000",
    ]
    assert trunc(TemporalAmount(months=7), ["1969-11-12", "1972-01-12"]) == [
        "1969-10-01T00:00:00.000",
        "1971-07-01T00:00:00.000",
    ]


def test_weeks_start_on_monday_and_fixed_intervals_on_the_epoch() -> None:
    assert trunc(TemporalAmount(days=7), ["1985-02-24", "1985-07-09"]) == [
        "1985-02-18T00:00:00.000",
        "1985-07-08T00:00:00.000",
    ]
    assert trunc(TemporalAmount(millis=240 * 3_600_000), ["1985-02-18"]) == [
        "1985-02-11T00:00:00.000"
    ]
    assert trunc(TemporalAmount(days=1), ["1985-02-18T13:14:15"]) == ["1985-02-18T00:00:00.000"]


def test_truncate_date_nanos() -> None:
    assert trunc(TemporalAmount(millis=3_600_000), ["2023-10-23T13:55:01"], T.DATE_NANOS) == [
        "2023-10-23T13:00:00.000"
    ]


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        (TemporalAmount(), "Zero or negative time interval is not supported"),
        (TemporalAmount(months=-1), "Zero or negative time interval is not supported"),
        (TemporalAmount(months=1, days=2), "Time interval with multiple periods is not supported"),
    ],
)
def test_invalid_intervals(amount: TemporalAmount, message: str) -> None:
    with pytest.raises(IllegalArgumentError, match=message):
        columns("date_trunc", const(amount, T.DATE_PERIOD), ([0], T.DATETIME))


def diff(unit: str, start: str, end: str) -> int | None:
    out: int | None = columns(
        "date_diff", const(unit, K), ([ms(start)], T.DATETIME), ([ms(end)], T.DATETIME)
    ).value
    return out


def test_date_diff_counts_whole_units() -> None:
    assert diff("year", "2023-12-31T23:59:59", "2024-12-31T23:59:58") == 0
    assert diff("yy", "2023-12-31T23:59:59", "2024-12-31T23:59:59") == 1
    assert diff("months", "2023-01-31", "2023-02-28") == 0
    assert diff("quarter", "2023-01-01", "2023-07-01") == 2
    assert diff("day", "2023-01-02", "2023-01-01") == -1
    assert diff("hours", "2023-01-01T00:00:00", "2023-01-01T05:59:59") == 5
    assert diff("WEEK", "2023-01-01", "2023-01-20") == 2
    assert diff("ms", "2023-01-01T00:00:00", "2023-01-01T00:00:01") == 1000


def test_date_diff_overflow_and_bad_units() -> None:
    out = columns(
        "date_diff", const("nanoseconds", K), ([0], T.DATETIME), ([ms("2000-01-01")], T.DATETIME)
    )
    assert out.value is None
    assert out.failure == INVALID + "[946684800000000000] out of [integer] range"
    with pytest.raises(InvalidArgumentError, match="A value of .YEAR, QUARTER"):
        columns("date_diff", const("fortnight", K), ([0], T.DATETIME), ([0], T.DATETIME))
    per_row = columns(
        "date_diff", (["day", "nope"], K), ([0, 0], T.DATETIME), ([86_400_000, 0], T.DATETIME)
    )
    assert per_row.values == [1, None]
    assert (per_row.failures[1] or "").endswith("received [nope]")


def test_date_diff_with_a_unit_per_row_agrees_with_constant_units() -> None:
    cases = [
        ("year", "2023-12-31T23:59:59", "2024-12-31T23:59:58"),
        ("months", "2023-01-31", "2023-02-28"),
        ("quarter", "2023-07-01", "2023-01-01"),
        ("hours", "2023-01-01T00:00:00", "2023-01-01T05:59:59"),
        ("WEEK", "2023-01-01", "2023-01-20"),
        ("yy", "1985-01-31", "2023-10-23T13:55:01.123"),
    ]
    units, starts, ends = zip(*cases, strict=True)
    per_row = columns(
        "date_diff",
        (list(units), K),
        ([ms(s) for s in starts], T.DATETIME),
        ([ms(e) for e in ends], T.DATETIME),
    )
    assert per_row.values == [diff(*case) for case in cases]
    # a millisecond date past the nanosecond range: no calendar, null (no failure)
    far = columns("date_diff", (["month"], K), ([2**63 - 1], T.DATETIME), ([0], T.DATETIME))
    assert far.values == [None]


def test_date_diff_with_nanos() -> None:
    out = columns("date_diff", const("ns", K), ([0], T.DATETIME), ([1_500], T.DATE_NANOS))
    assert out.value == 1500


def test_date_extract_fields() -> None:
    when = ms("2022-05-06T17:18:19.123")
    for field, expected in [
        ("year", 2022),
        ("MONTH_OF_YEAR", 5),
        ("day_of_month", 6),
        ("hour_of_day", 17),
        ("minute_of_hour", 18),
        ("second_of_minute", 19),
        ("milli_of_second", 123),
        ("day_of_week", 5),
        ("day_of_year", 126),
        ("ampm_of_day", 1),
        ("clock_hour_of_ampm", 5),
        ("epoch_day", 19118),
        ("aligned_week_of_year", 18),
        ("proleptic_month", 24268),
        ("era", 1),
    ]:
        assert columns("date_extract", const(field, K), ([when], T.DATETIME)).value == expected, (
            field
        )
    with pytest.raises(InvalidArgumentError, match="invalid date field"):
        columns("date_extract", const("nope", K), ([when], T.DATETIME))
    per_row = columns("date_extract", (["year", "nope"], K), ([when, when], T.DATETIME))
    assert per_row.values == [2022, None]
    assert per_row.failures[1] == (
        "java.lang.IllegalArgumentException: No enum constant java.time.temporal.ChronoField.NOPE"
    )


def test_java_patterns_translate_to_chrono() -> None:
    assert java_to_chrono("yyyy-MM-dd'T'HH:mm:ss.SSSZ") == "%Y-%m-%dT%H:%M:%S.%3f+0000"
    assert java_to_chrono("hh 'o''clock' a, EEEE d MMM") == "%I o'clock %p, %A %-d %b"
    assert java_to_chrono("100%") == "100%%"


def test_date_format() -> None:
    when = ms("2023-10-23T12:15:03.360")
    assert columns("date_format", ([when, None], T.DATETIME)).values == [
        "2023-10-23T12:15:03.360Z",
        None,
    ]
    assert (
        columns("date_format", const("yyyy-MM-dd", K), ([when], T.DATETIME)).value == "2023-10-23"
    )
    assert (
        columns("date_format", const("EEE, MMM d HH:mm", K), ([when], T.DATETIME)).value
        == "Mon, Oct 23 12:15"
    )
    nanos = columns("date_format", ([when * 1_000_000 + 123], T.DATE_NANOS)).value
    assert nanos == "2023-10-23T12:15:03.360000123Z"
    per_row = columns("date_format", (["yyyy", "MM"], K), ([when, when], T.DATETIME))
    assert per_row.values == ["2023", "10"]


def test_date_format_with_a_null_or_unusable_constant_pattern() -> None:
    when = ms("2023-10-23T12:15:03.360")
    # a multi-valued pattern reaches the function reduced to a null constant
    assert columns("date_format", const(None, K), ([when], T.DATETIME)).value is None
    assert columns("date_parse", const(None, K), (["2023"], K)).value is None
    with pytest.raises(IllegalArgumentError, match=r"^Invalid format: \[yyyy-N\]: Unknown"):
        columns("date_format", const("yyyy-N", K), ([when], T.DATETIME))


def test_date_parse() -> None:
    out = columns("date_parse", (["2023-10-23T12:15:03.360Z", "2023-10-23", "x", None], K))
    assert [iso(v) for v in out.values] == [
        "2023-10-23T12:15:03.360",
        "2023-10-23T00:00:00.000",
        None,
        None,
    ]
    assert out.failures[2] == (
        "java.lang.IllegalArgumentException: failed to parse date field [x] with format [strict_date_optional_time]"
    )
    custom = columns("date_parse", const("MM/dd/yyyy", K), (["12/25/2023", "2023-12-25"], K))
    assert [iso(v) for v in custom.values] == ["2023-12-25T00:00:00.000", None]
    assert custom.failures[1] == (
        "java.lang.IllegalArgumentException: failed to parse date field [2023-12-25] with format [MM/dd/yyyy]"
    )
    offset = columns("date_parse", (["2023-10-23T12:15:03+01:00"], K))
    assert iso(offset.value) == "2023-10-23T11:15:03.000"


def test_now_is_the_query_time() -> None:
    out = columns("now")
    assert out.col.value == 1_700_000_000_000
    assert out.value == datetime.fromtimestamp(1_700_000_000, tz=UTC)
