"""Tests of cases/deadlines.py against the real State Council calendars of 2024-2026.

Holiday blocks and adjusted working days below were read from chinesecalendar 1.11.0
(`chinese_calendar.constants.holidays` / `.workdays`); the test
`test_calendar_data_matches_the_tables` pins the ones the tables rely on.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cases.deadlines import (
    CalendarYearUnknown,
    Counting,
    Deadline,
    Unit,
    WorkCalendar,
    add_workdays,
    chinesecalendar_days,
    cnipa_expiry,
    compute_due,
    crosses_unknown_year,
    deemed_delivery,
    shift_due,
    time_left,
    warning_date,
    workdays_between,
)

CAL = WorkCalendar.from_chinesecalendar()

ADJUSTED_WORKDAYS = [  # 调休上班, all Saturdays or Sundays
    date(2024, 2, 4), date(2024, 2, 18), date(2024, 4, 7), date(2024, 4, 28),
    date(2024, 5, 11), date(2024, 9, 14), date(2024, 9, 29), date(2024, 10, 12),
    date(2025, 1, 26), date(2025, 2, 8), date(2025, 4, 27), date(2025, 9, 28),
    date(2025, 10, 11),
    date(2026, 1, 4), date(2026, 2, 14), date(2026, 2, 28), date(2026, 5, 9),
    date(2026, 9, 20), date(2026, 10, 10),
]  # fmt: skip

HOLIDAY_BLOCKS = [  # (first, last) days off as listed by the notices
    (date(2024, 1, 1), date(2024, 1, 1)),  # New Year, Mon
    (date(2024, 2, 10), date(2024, 2, 17)),  # Spring Festival, Sat-Sat
    (date(2024, 4, 4), date(2024, 4, 6)),  # Qingming, Thu-Sat
    (date(2024, 5, 1), date(2024, 5, 5)),  # Labour Day, Wed-Sun
    (date(2024, 6, 10), date(2024, 6, 10)),  # Dragon Boat, Mon
    (date(2024, 9, 15), date(2024, 9, 17)),  # Mid-Autumn, Sun-Tue
    (date(2024, 10, 1), date(2024, 10, 7)),  # National Day, Tue-Mon
    (date(2025, 1, 1), date(2025, 1, 1)),  # New Year, Wed
    (date(2025, 1, 28), date(2025, 2, 4)),  # Spring Festival, Tue-Tue
    (date(2025, 4, 4), date(2025, 4, 6)),  # Qingming, Fri-Sun
    (date(2025, 5, 1), date(2025, 5, 5)),  # Labour Day, Thu-Mon
    (date(2025, 5, 31), date(2025, 6, 2)),  # Dragon Boat, Sat-Mon
    (date(2025, 10, 1), date(2025, 10, 8)),  # National Day + Mid-Autumn, Wed-Wed
    (date(2026, 1, 1), date(2026, 1, 3)),  # New Year, Thu-Sat
    (date(2026, 2, 15), date(2026, 2, 23)),  # Spring Festival, Sun-Mon
    (date(2026, 4, 4), date(2026, 4, 6)),  # Qingming, Sat-Mon
    (date(2026, 5, 1), date(2026, 5, 5)),  # Labour Day, Fri-Tue
    (date(2026, 6, 19), date(2026, 6, 21)),  # Dragon Boat, Fri-Sun
    (date(2026, 9, 25), date(2026, 9, 27)),  # Mid-Autumn, Fri-Sun
    (date(2026, 10, 1), date(2026, 10, 7)),  # National Day, Thu-Wed
]


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def test_calendar_data_matches_the_tables() -> None:
    rows = chinesecalendar_days()
    worked = {row.date for row in rows if row.is_working and 2024 <= row.date.year <= 2026}
    off = {row.date for row in rows if not row.is_working and 2024 <= row.date.year <= 2026}
    assert worked == set(ADJUSTED_WORKDAYS)
    assert off == {d for first, last in HOLIDAY_BLOCKS for d in _days(first, last)}
    assert all(d.weekday() >= 5 for d in worked)


def test_chinesecalendar_days_names_each_row() -> None:
    rows = {row.date: row for row in chinesecalendar_days()}
    assert (rows[date(2025, 1, 26)].is_working, rows[date(2025, 1, 26)].name) == (
        True,
        "Spring Festival",
    )
    assert rows[date(2025, 10, 6)].name == "Mid-autumn Festival"
    assert not rows[date(2024, 10, 1)].is_working
    assert date(2025, 1, 27) not in rows  # an ordinary working Monday has no row


ADD_WORKDAYS = [
    (date(2023, 12, 29), 1, date(2024, 1, 2)),  # Fri -> Tue 2024-01-02, over New Year Mon
    (date(2024, 2, 2), 1, date(2024, 2, 4)),  # Fri -> Sun 2024-02-04, an adjusted working day
    (date(2024, 2, 9), 1, date(2024, 2, 18)),  # Fri -> Sun 2024-02-18, after Spring Festival
    (date(2024, 2, 9), 2, date(2024, 2, 19)),  # Fri -> Mon 2024-02-19
    (date(2024, 4, 3), 1, date(2024, 4, 7)),  # Wed -> Sun 2024-04-07, after Qingming
    (date(2024, 4, 3), 2, date(2024, 4, 8)),  # Wed -> Mon 2024-04-08
    (date(2024, 4, 26), 1, date(2024, 4, 28)),  # Fri -> Sun 2024-04-28, adjusted
    (date(2024, 4, 30), 1, date(2024, 5, 6)),  # Tue -> Mon 2024-05-06, over Labour Day
    (date(2024, 5, 10), 1, date(2024, 5, 11)),  # Fri -> Sat 2024-05-11, adjusted
    (date(2024, 6, 7), 1, date(2024, 6, 11)),  # Fri -> Tue 2024-06-11, over Dragon Boat Mon
    (date(2024, 9, 13), 1, date(2024, 9, 14)),  # Fri -> Sat 2024-09-14, adjusted
    (date(2024, 9, 13), 2, date(2024, 9, 18)),  # Fri -> Wed 2024-09-18, over Mid-Autumn
    (date(2024, 9, 27), 1, date(2024, 9, 29)),  # Fri -> Sun 2024-09-29, adjusted
    (date(2024, 9, 30), 1, date(2024, 10, 8)),  # Mon -> Tue 2024-10-08, over National Day
    (date(2024, 9, 27), 10, date(2024, 10, 16)),  # Fri -> Wed 2024-10-16, both adjusted days
    (date(2024, 10, 11), 1, date(2024, 10, 12)),  # Fri -> Sat 2024-10-12, adjusted
    (date(2024, 12, 31), 1, date(2025, 1, 2)),  # Tue -> Thu 2025-01-02, over New Year Wed
    (date(2025, 1, 24), 0, date(2025, 1, 24)),  # Fri + 0 -> Fri itself
    (date(2025, 1, 24), 1, date(2025, 1, 26)),  # Fri -> Sun 2025-01-26, an adjusted working day
    (date(2025, 1, 24), 7, date(2025, 2, 10)),  # Fri -> Mon 2025-02-10, over Spring Festival
    (date(2025, 2, 7), 1, date(2025, 2, 8)),  # Fri -> Sat 2025-02-08, adjusted
    (date(2025, 4, 3), 1, date(2025, 4, 7)),  # Thu -> Mon 2025-04-07, over Qingming Fri
    (date(2025, 4, 25), 1, date(2025, 4, 27)),  # Fri -> Sun 2025-04-27, adjusted
    (date(2025, 4, 30), 1, date(2025, 5, 6)),  # Wed -> Tue 2025-05-06, over Labour Day
    (date(2025, 5, 30), 1, date(2025, 6, 3)),  # Fri -> Tue 2025-06-03, over Dragon Boat
    (date(2025, 9, 26), 1, date(2025, 9, 28)),  # Fri -> Sun 2025-09-28, adjusted
    (date(2025, 9, 30), 1, date(2025, 10, 9)),  # Tue -> Thu 2025-10-09, over National Day
    (date(2025, 10, 10), 1, date(2025, 10, 11)),  # Fri -> Sat 2025-10-11, adjusted
    (date(2025, 12, 31), 1, date(2026, 1, 4)),  # Wed -> Sun 2026-01-04, adjusted after New Year
    (date(2026, 2, 13), 1, date(2026, 2, 14)),  # Fri -> Sat 2026-02-14, adjusted
    (date(2026, 2, 13), 2, date(2026, 2, 24)),  # Fri -> Tue 2026-02-24, over Spring Festival
    (date(2026, 2, 27), 1, date(2026, 2, 28)),  # Fri -> Sat 2026-02-28, adjusted
    (date(2026, 4, 3), 1, date(2026, 4, 7)),  # Fri -> Tue 2026-04-07, over Qingming
    (date(2026, 4, 30), 1, date(2026, 5, 6)),  # Thu -> Wed 2026-05-06, over Labour Day
    (date(2026, 5, 8), 1, date(2026, 5, 9)),  # Fri -> Sat 2026-05-09, adjusted
    (date(2026, 6, 18), 1, date(2026, 6, 22)),  # Thu -> Mon 2026-06-22, over Dragon Boat
    (date(2026, 9, 18), 1, date(2026, 9, 20)),  # Fri -> Sun 2026-09-20, adjusted
    (date(2026, 9, 24), 1, date(2026, 9, 28)),  # Thu -> Mon 2026-09-28, over Mid-Autumn
    (date(2026, 9, 30), 1, date(2026, 10, 8)),  # Wed -> Thu 2026-10-08, over National Day
    (date(2026, 10, 9), 1, date(2026, 10, 10)),  # Fri -> Sat 2026-10-10, adjusted
]


@pytest.mark.parametrize(("start", "n", "expected"), ADD_WORKDAYS)
def test_add_workdays(start: date, n: int, expected: date) -> None:
    assert add_workdays(start, n, CAL) == expected


@pytest.mark.parametrize(("start", "n", "end"), ADD_WORKDAYS)
def test_workdays_between_inverts_add_workdays(start: date, n: int, end: date) -> None:
    assert workdays_between(start, end, CAL) == n
    assert workdays_between(end, start, CAL) == -n


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (date(2025, 1, 24), date(2025, 1, 24), 0),  # same day
        (date(2025, 1, 24), date(2025, 2, 10), 7),  # Fri -> Mon over Spring Festival
        (date(2025, 2, 10), date(2025, 1, 24), -7),  # reversed
        (date(2025, 1, 27), date(2025, 2, 4), 0),  # Mon -> Tue, Spring Festival only
        (date(2024, 2, 10), date(2024, 2, 18), 1),  # Sat -> Sun: only adjusted Sun 02-18
        (date(2024, 9, 13), date(2024, 9, 18), 2),  # Fri -> Wed: adjusted Sat 09-14, Wed 09-18
        (date(2025, 9, 30), date(2025, 10, 10), 2),  # Tue -> Fri: Thu 10-09, Fri 10-10
        (date(2026, 2, 13), date(2026, 2, 24), 2),  # Fri -> Tue: adjusted Sat 02-14, Tue 02-24
        (date(2026, 4, 30), date(2026, 5, 11), 5),  # Thu -> Mon: Wed-Fri, adjusted Sat, Mon
        (date(2026, 9, 18), date(2026, 9, 28), 6),  # Fri -> Mon: adjusted Sun 09-20, Mon-Thu, Mon
        (date(2025, 5, 30), date(2025, 6, 3), 1),  # Fri -> Tue over Dragon Boat
        (date(2025, 1, 3), date(2025, 1, 5), 0),  # Fri -> Sun: an ordinary weekend
    ],
)
def test_workdays_between(a: date, b: date, expected: int) -> None:
    assert workdays_between(a, b, CAL) == expected


def test_add_workdays_rejects_negative_n() -> None:
    with pytest.raises(ValueError):
        add_workdays(date(2025, 1, 24), -1, CAL)


CNIPA_ROLL = [  # (raw expiry, expiry after the rest-day roll and the Monday rule)
    (date(2023, 10, 3), date(2023, 10, 9)),  # Tue holiday -> adjusted Sat 10-07 -> Mon 10-09
    (date(2024, 1, 1), date(2024, 1, 2)),  # Mon New Year -> Tue
    (date(2024, 2, 3), date(2024, 2, 5)),  # Sat -> adjusted Sun 02-04 -> Mon 02-05
    (date(2024, 2, 14), date(2024, 2, 19)),  # Wed Spring Festival -> adjusted Sun 02-18 -> Mon
    (date(2024, 2, 18), date(2024, 2, 19)),  # adjusted Sun itself -> Mon (our decision)
    (date(2024, 4, 4), date(2024, 4, 8)),  # Thu Qingming -> adjusted Sun 04-07 -> Mon 04-08
    (date(2024, 4, 27), date(2024, 4, 29)),  # Sat -> adjusted Sun 04-28 -> Mon 04-29
    (date(2024, 5, 1), date(2024, 5, 6)),  # Wed Labour Day -> Mon 05-06
    (date(2024, 5, 11), date(2024, 5, 13)),  # adjusted Sat itself -> Mon 05-13
    (date(2024, 6, 8), date(2024, 6, 11)),  # Sat -> Mon 06-10 is Dragon Boat -> Tue 06-11
    (date(2024, 9, 14), date(2024, 9, 18)),  # adjusted Sat -> Mon 09-16 Mid-Autumn -> Wed 09-18
    (date(2024, 9, 15), date(2024, 9, 18)),  # Sun Mid-Autumn -> Wed 09-18
    (date(2024, 9, 28), date(2024, 9, 30)),  # Sat -> adjusted Sun 09-29 -> Mon 09-30
    (date(2024, 10, 1), date(2024, 10, 8)),  # Tue National Day -> Tue 10-08
    (date(2024, 10, 12), date(2024, 10, 14)),  # adjusted Sat itself -> Mon 10-14
    (date(2025, 1, 1), date(2025, 1, 2)),  # Wed New Year -> Thu
    (date(2025, 1, 25), date(2025, 1, 27)),  # Sat -> adjusted Sun 01-26 -> Mon 01-27
    (date(2025, 1, 29), date(2025, 2, 5)),  # Wed Spring Festival -> Wed 02-05
    (date(2025, 2, 8), date(2025, 2, 10)),  # adjusted Sat itself -> Mon 02-10
    (date(2025, 4, 4), date(2025, 4, 7)),  # Fri Qingming -> Mon 04-07
    (date(2025, 4, 26), date(2025, 4, 28)),  # Sat -> adjusted Sun 04-27 -> Mon 04-28
    (date(2025, 5, 1), date(2025, 5, 6)),  # Thu Labour Day -> Tue 05-06
    (date(2025, 5, 31), date(2025, 6, 3)),  # Sat Dragon Boat -> Tue 06-03
    (date(2025, 9, 27), date(2025, 9, 29)),  # Sat -> adjusted Sun 09-28 -> Mon 09-29
    (date(2025, 10, 1), date(2025, 10, 9)),  # Wed National Day -> Thu 10-09
    (date(2025, 10, 6), date(2025, 10, 9)),  # Mon Mid-Autumn -> Thu 10-09
    (date(2025, 10, 11), date(2025, 10, 13)),  # adjusted Sat itself -> Mon 10-13
    (date(2026, 1, 1), date(2026, 1, 5)),  # Thu New Year -> adjusted Sun 01-04 -> Mon 01-05
    (date(2026, 2, 13), date(2026, 2, 13)),  # Fri, a working weekday: stays
    (date(2026, 2, 14), date(2026, 2, 24)),  # adjusted Sat -> Mon 02-16 holiday -> Tue 02-24
    (date(2026, 2, 15), date(2026, 2, 24)),  # Sun Spring Festival -> Tue 02-24
    (date(2026, 2, 28), date(2026, 3, 2)),  # adjusted Sat itself -> Mon 03-02
    (date(2026, 4, 4), date(2026, 4, 7)),  # Sat Qingming -> Tue 04-07
    (date(2026, 5, 1), date(2026, 5, 6)),  # Fri Labour Day -> Wed 05-06
    (date(2026, 5, 9), date(2026, 5, 11)),  # adjusted Sat itself -> Mon 05-11
    (date(2026, 6, 19), date(2026, 6, 22)),  # Fri Dragon Boat -> Mon 06-22
    (date(2026, 9, 19), date(2026, 9, 21)),  # Sat -> adjusted Sun 09-20 -> Mon 09-21
    (date(2026, 9, 25), date(2026, 9, 28)),  # Fri Mid-Autumn -> Mon 09-28
    (date(2026, 10, 1), date(2026, 10, 8)),  # Thu National Day -> Thu 10-08
    (date(2026, 10, 10), date(2026, 10, 12)),  # adjusted Sat itself -> Mon 10-12
]


@pytest.mark.parametrize(("raw", "expected"), CNIPA_ROLL)
def test_cnipa_expiry_rolls_rest_days_and_applies_monday_rule(raw: date, expected: date) -> None:
    assert cnipa_expiry(raw - timedelta(days=10), CAL, days=10) == expected


@pytest.mark.parametrize(
    ("start", "months", "days", "expected"),
    [
        (date(2022, 12, 31), 2, 0, date(2023, 2, 28)),  # Sat + 2 months -> Tue 02-28, last day
        (date(2024, 1, 31), 1, 0, date(2024, 2, 29)),  # Wed + 1 month -> Thu 02-29, leap year
        (date(2023, 9, 3), 1, 0, date(2023, 10, 9)),  # 10-03 holiday -> Mon 10-09, not Sat 10-07
        (date(2023, 8, 31), 1, 0, date(2023, 10, 9)),  # 09-30 Sat holiday -> Mon 10-09
        (date(2025, 11, 30), 2, 0, date(2026, 1, 30)),  # Sun + 2 months -> Fri, no roll
        (date(2025, 12, 31), 2, 0, date(2026, 3, 2)),  # -> adjusted Sat 02-28 -> Mon 03-02
        (date(2025, 8, 15), 1, 17, date(2025, 10, 9)),  # 09-15 + 17 days = 10-02 -> Thu 10-09
        (date(2025, 1, 24), 0, 15, date(2025, 2, 10)),  # 02-08 adjusted Sat -> Mon 02-10
    ],
)
def test_cnipa_expiry_months_then_days(start: date, months: int, days: int, expected: date) -> None:
    assert cnipa_expiry(start, CAL, months=months, days=days) == expected


def test_cnipa_expiry_skips_a_monday_holiday_after_an_adjusted_weekend() -> None:
    # Fri 2030-01-04 off, Sat 01-05 worked, Mon 01-07 off: the Monday rule lands on Tue.
    cal = WorkCalendar(
        holidays=frozenset({date(2030, 1, 4), date(2030, 1, 7)}),
        workdays=frozenset({date(2030, 1, 5)}),
        known_years=frozenset({2030}),
    )
    assert cnipa_expiry(date(2030, 1, 4), cal) == date(2030, 1, 8)


def test_cnipa_expiry_rejects_negative_periods() -> None:
    with pytest.raises(ValueError):
        cnipa_expiry(date(2025, 1, 1), CAL, days=-1)


# Properties over the whole chinesecalendar range, kept clear of the unknown 2027.
starts = st.dates(min_value=date(2004, 1, 1), max_value=date(2026, 8, 31))
counts = st.integers(min_value=0, max_value=60)
cnipa_starts = st.dates(min_value=date(2004, 1, 1), max_value=date(2026, 6, 30))


@settings(max_examples=100, deadline=None)
@given(start=starts, n=counts)
def test_add_workdays_lands_on_the_nth_working_day(start: date, n: int) -> None:
    end = add_workdays(start, n, CAL)
    assert workdays_between(start, end, CAL) == n
    if n > 0:
        assert CAL.is_workday(end)
        assert add_workdays(start, n - 1, CAL) < end


@settings(max_examples=100, deadline=None)
@given(start=cnipa_starts, months=st.integers(0, 3), days=counts)
def test_cnipa_expiry_is_the_first_working_weekday_on_or_after_the_raw_expiry(
    start: date, months: int, days: int
) -> None:
    raw = compute_due(start, CAL, amount=months, unit="months", counting="plain").due
    raw += timedelta(days=days)
    expiry = cnipa_expiry(start, CAL, months=months, days=days)
    assert CAL.is_workday(expiry)
    assert expiry.weekday() < 5  # never a Saturday or Sunday, even an adjusted working one
    assert raw <= expiry
    assert all(d.weekday() >= 5 or CAL.is_rest_day(d) for d in _days(raw, expiry)[:-1])


def test_from_days_rebuilds_the_same_calendar() -> None:
    rows = [(row.date, row.is_working) for row in chinesecalendar_days()]
    rebuilt = WorkCalendar.from_days(rows)
    assert rebuilt == CAL
    every_day = _days(date(2024, 1, 1), date(2026, 12, 31))
    assert [rebuilt.is_workday(d) for d in every_day] == [CAL.is_workday(d) for d in every_day]


def test_from_days_sorts_rows_into_holidays_and_workdays() -> None:
    cal = WorkCalendar.from_days(
        [
            (date(2030, 1, 7), False),  # Mon marked off -> holiday
            (date(2030, 1, 5), True),  # Sat marked working -> adjusted working day
            (date(2030, 1, 8), True),  # an ordinary working Tue: nothing to record
        ]
    )
    assert cal.holidays == {date(2030, 1, 7)}
    assert cal.workdays == {date(2030, 1, 5)}
    assert cal.known_years == {2030}
    assert WorkCalendar.from_days([], known_years=[2030, 2031]).known_years == {2030, 2031}


def test_calendar_knows_2004_to_2026() -> None:
    assert CAL.known_years == frozenset(range(2004, 2027))
    assert CAL.knows(date(2026, 12, 31))
    assert not CAL.knows(date(2027, 1, 1))
    assert CAL.is_workday(date(2025, 1, 26))  # adjusted Sun
    assert CAL.is_rest_day(date(2025, 1, 28))  # Spring Festival Tue
    assert CAL.is_rest_day(date(2025, 1, 4))  # ordinary Sat


def test_strict_calendar_raises_for_an_unknown_year() -> None:
    with pytest.raises(CalendarYearUnknown) as excinfo:
        CAL.is_workday(date(2027, 1, 4))
    assert excinfo.value.year == 2027
    assert "2027" in str(excinfo.value)
    assert "State Council" in str(excinfo.value)
    assert isinstance(excinfo.value, LookupError)
    with pytest.raises(CalendarYearUnknown):
        add_workdays(date(2026, 12, 31), 1, CAL)


def test_lenient_calendar_counts_weekdays_in_an_unknown_year() -> None:
    lenient = CAL.lenient()
    assert not lenient.strict
    assert CAL.strict
    assert lenient.is_workday(date(2027, 1, 1))  # Fri; surely New Year, but no notice yet
    assert lenient.is_rest_day(date(2027, 1, 2))  # Sat
    assert lenient.is_rest_day(date(2025, 1, 28))  # known years keep their holidays


def test_compute_due_in_an_unknown_year_is_an_estimate_on_weekdays() -> None:
    # Thu 2026-12-24 + 10: Fri 25, Mon 28 - Thu 31, then 2027 weekdays Fri 01-01 - Thu 01-07.
    due = compute_due(date(2026, 12, 24), CAL, amount=10, unit="workdays", counting="workday")
    assert due == Deadline(date(2027, 1, 7), estimated=True)
    # CNIPA: Sun 2026-12-20 + 1 month -> Wed 2027-01-20, a weekday, so no roll.
    due = compute_due(date(2026, 12, 20), CAL, amount=1, unit="months", counting="cnipa")
    assert due == Deadline(date(2027, 1, 20), estimated=True)


def test_compute_due_in_known_years_is_not_an_estimate() -> None:
    due = compute_due(date(2026, 12, 1), CAL, amount=5, unit="workdays", counting="workday")
    assert due == Deadline(date(2026, 12, 8), estimated=False)  # Tue -> Tue


def test_compute_due_flags_an_estimate_even_with_a_lenient_calendar() -> None:
    due = compute_due(
        date(2026, 12, 24), CAL.lenient(), amount=10, unit="workdays", counting="workday"
    )
    assert due.estimated


@pytest.mark.parametrize(
    ("start", "amount", "unit", "counting", "expected"),
    [
        (date(2025, 1, 24), 7, Unit.WORKDAYS, Counting.WORKDAY, date(2025, 2, 10)),
        (date(2025, 1, 24), 7, "workdays", "cnipa", date(2025, 2, 10)),  # unit decides
        (date(2025, 1, 24), 7, "workdays", "plain", date(2025, 2, 10)),  # unit decides
        (date(2023, 9, 23), 10, "days", "cnipa", date(2023, 10, 9)),  # Tue 10-03 -> Mon 10-09
        (date(2023, 9, 23), 10, "days", "plain", date(2023, 10, 3)),  # no roll
        (date(2025, 12, 31), 2, "months", "cnipa", date(2026, 3, 2)),  # adjusted Sat -> Mon
        (date(2025, 12, 31), 2, "months", "plain", date(2026, 2, 28)),  # no roll
        (date(2025, 1, 2), 29, "days", "plain", date(2025, 1, 31)),  # the benchmark
        (date(2025, 1, 24), 0, "days", "cnipa", date(2025, 1, 24)),  # Fri, zero days
    ],
)
def test_compute_due(start: date, amount: int, unit: str, counting: str, expected: date) -> None:
    assert compute_due(start, CAL, amount=amount, unit=unit, counting=counting) == Deadline(
        expected, estimated=False
    )


@pytest.mark.parametrize(
    ("amount", "unit", "counting"),
    [
        (10, "days", "workday"),  # calendar days counted in working days: ambiguous
        (2, "months", "workday"),
        (10, "weeks", "cnipa"),  # unknown unit
        (10, "days", "lunar"),  # unknown counting
        (-1, "days", "plain"),  # negative amount
        (-1, "workdays", "workday"),
    ],
)
def test_compute_due_rejects_invalid_combinations(amount: int, unit: str, counting: str) -> None:
    with pytest.raises(ValueError):
        compute_due(date(2025, 1, 24), CAL, amount=amount, unit=unit, counting=counting)


def test_deemed_delivery() -> None:
    assert deemed_delivery(date(2025, 1, 24), electronic=True) == date(2025, 1, 24)
    assert deemed_delivery(date(2025, 1, 24), electronic=False) == date(2025, 2, 8)
    assert deemed_delivery(date(2024, 2, 20), electronic=False) == date(2024, 3, 6)  # leap Feb


@pytest.mark.parametrize(
    ("start", "due", "share", "working", "expected"),
    [
        # 7 working days, 80% -> ceil(5.6) = 6th working day: adjusted Sat 2025-02-08.
        (date(2025, 1, 24), date(2025, 2, 10), 0.8, True, date(2025, 2, 8)),
        (date(2025, 1, 24), date(2025, 2, 10), 1.0, True, date(2025, 2, 10)),
        # 2 working days, 10% -> ceil(0.2) = 1st working day: adjusted Sun 2025-01-26.
        (date(2025, 1, 24), date(2025, 1, 27), 0.1, True, date(2025, 1, 26)),
        # 29 calendar days, 80% -> ceil(23.2) = 24 days.
        (date(2025, 1, 1), date(2025, 1, 30), 0.8, False, date(2025, 1, 25)),
        # 25 days at 56% is 14, although 25 * 0.56 == 14.000000000000002 in floating point.
        (date(2025, 3, 1), date(2025, 3, 26), 0.56, False, date(2025, 3, 15)),
        (date(2025, 3, 3), date(2025, 3, 17), 0.7, True, date(2025, 3, 12)),  # 10 wd -> 7th
        # Thu 2026-12-24 -> Thu 2027-01-07 is 10 weekdays; 50% -> Thu 2026-12-31, no raise.
        (date(2026, 12, 24), date(2027, 1, 7), 0.5, True, date(2026, 12, 31)),
        (date(2025, 3, 3), date(2025, 3, 3), 0.8, True, date(2025, 3, 3)),  # zero-length clock
    ],
)
def test_warning_date(start: date, due: date, share: float, working: bool, expected: date) -> None:
    assert warning_date(start, due, CAL, share=share, working=working) == expected


@pytest.mark.parametrize("share", [0, -0.5, 1.5])
def test_warning_date_rejects_a_share_outside_0_1(share: float) -> None:
    with pytest.raises(ValueError):
        warning_date(date(2025, 3, 3), date(2025, 3, 17), CAL, share=share, working=True)


def test_shift_due_after_a_three_working_day_pause() -> None:
    # Paused Mon 2025-01-06, resumed Thu 01-09: Tue, Wed, Thu = 3 working days.
    shifted = shift_due(
        date(2025, 2, 10),
        paused_from=date(2025, 1, 6),
        resumed_on=date(2025, 1, 9),
        calendar=CAL,
        working=True,
    )
    assert shifted == Deadline(date(2025, 2, 13), estimated=False)  # Mon -> Thu
    assert workdays_between(date(2025, 2, 10), shifted.due, CAL) == 3


def test_shift_due_does_not_count_holidays_in_the_pause() -> None:
    # Paused Mon 2025-01-27 to Wed 02-05: only Wed 02-05 is a working day.
    shifted = shift_due(
        date(2025, 2, 10),
        paused_from=date(2025, 1, 27),
        resumed_on=date(2025, 2, 5),
        calendar=CAL,
        working=True,
    )
    assert shifted == Deadline(date(2025, 2, 11), estimated=False)


def test_shift_due_in_calendar_days_and_into_an_unknown_year() -> None:
    kwargs = {"paused_from": date(2025, 1, 6), "resumed_on": date(2025, 1, 9), "calendar": CAL}
    assert shift_due(date(2025, 1, 30), working=False, **kwargs) == Deadline(
        date(2025, 2, 2), estimated=False
    )
    # Thu 2026-12-31 + 3 working days lands in 2027 (Fri 01-01, Mon 01-04, Tue 01-05).
    assert shift_due(date(2026, 12, 31), working=True, **kwargs) == Deadline(
        date(2027, 1, 5), estimated=True
    )
    with pytest.raises(ValueError):
        shift_due(
            date(2025, 1, 30),
            paused_from=date(2025, 1, 9),
            resumed_on=date(2025, 1, 6),
            calendar=CAL,
            working=False,
        )


@pytest.mark.parametrize(
    ("today", "due", "working", "expected"),
    [
        (date(2025, 1, 24), date(2025, 2, 10), True, 7),  # Fri -> Mon over Spring Festival
        (date(2025, 2, 10), date(2025, 2, 10), True, 0),  # due today
        (date(2025, 2, 11), date(2025, 2, 10), True, -1),  # Tue, due Mon: overdue
        (date(2025, 1, 11), date(2025, 1, 10), True, -1),  # Sat, due Fri: overdue, not 0
        (date(2025, 1, 13), date(2025, 1, 10), True, -1),  # Mon, due Fri: 1 working day late
        (date(2025, 1, 14), date(2025, 1, 10), True, -2),  # Tue, due Fri
        (date(2026, 12, 31), date(2027, 1, 4), True, 2),  # into 2027 on weekdays, no raise
        (date(2025, 1, 24), date(2025, 2, 10), False, 17),
        (date(2025, 2, 11), date(2025, 2, 10), False, -1),  # due yesterday
    ],
)
def test_time_left(today: date, due: date, working: bool, expected: int) -> None:
    assert time_left(today, due, CAL, working=working) == expected


@pytest.mark.parametrize(
    ("start", "due", "known", "expected"),
    [
        (date(2025, 3, 3), date(2025, 3, 12), {2025}, False),
        (date(2025, 12, 17), date(2026, 1, 9), {2025}, True),  # crosses into 2026
        (date(2025, 12, 17), date(2026, 1, 9), {2025, 2026}, False),
        (date(2024, 12, 30), date(2026, 1, 2), {2024, 2026}, True),  # 2025 in between
        (date(2026, 1, 5), date(2026, 1, 9), {2025}, True),
    ],
)
def test_crosses_unknown_year(start, due, known, expected):
    cal = WorkCalendar.from_days([], known_years=known)
    assert crosses_unknown_year(start, due, cal) is expected
