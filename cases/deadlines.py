"""Deadline arithmetic: working days, CNIPA periods and the clocks built on them.

Pure Python, no ORM: the calendar data is always passed in as a ``WorkCalendar``.

Working days (State Council yearly holiday notices, as carried by ``chinesecalendar``
and by the staff-editable calendar table):

- a day listed as an adjusted working day (调休上班, e.g. Sun 2025-01-26) is worked;
- a day listed as a holiday (statutory days off, including weekdays off by 调休) is not;
- any other day is worked when it is Monday to Friday.
- A year with no notice entered is unknown. A strict calendar raises
  ``CalendarYearUnknown`` for it; a lenient one counts Monday to Friday only. Deadlines
  computed on the lenient calendar are returned with ``estimated=True``, never silently.

CNIPA periods (Implementing Regulations of the Patent Law, 2023, Art. 4 and 5;
Examination Guidelines part V ch. 7 §2.3):

- mail is deemed delivered 15 days after dispatch, electronic delivery the same day;
- the first day is not counted; a period in months ends on the same day-number of its
  last month, or on that month's last day (2022-12-31 + 2 months -> 2023-02-28);
- an expiry on a rest day (weekend or holiday) moves to the first working day after it;
  when that day is an adjusted working Saturday or Sunday it moves on to the Monday
  (2023-10-03 -> Mon 2023-10-09, not the adjusted Sat 2023-10-07).
- Our decisions where the texts are silent: if that Monday is itself a holiday the expiry
  moves on to the next working weekday; an expiry that falls directly on an adjusted
  working Saturday or Sunday also moves on to the next working weekday. So a CNIPA
  expiry is always the first day on or after the raw expiry that is both a working day
  and Monday to Friday.
"""

from __future__ import annotations

import calendar as _calendar
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum

from chinese_calendar import constants as _cc

ONE_DAY = timedelta(days=1)
MAIL_DELIVERY_DAYS = 15
FIRST_CHINESECALENDAR_YEAR = 2004


class CalendarYearUnknown(LookupError):
    """A strict calendar was asked about a year whose holiday notice is not entered."""

    def __init__(self, year: int) -> None:
        self.year = year
        super().__init__(
            f"No working-day calendar for {year}: "
            f"enter the State Council holiday notice for {year}."
        )


@dataclass(frozen=True)
class CalendarDayData:
    """One row of the calendar table: a holiday or an adjusted working day."""

    date: date
    is_working: bool
    name: str


@dataclass(frozen=True)
class WorkCalendar:
    """Holidays (days off, incl. weekdays off by 调休) and adjusted working weekend days."""

    holidays: frozenset[date]
    workdays: frozenset[date]
    known_years: frozenset[int]
    strict: bool = True

    def knows(self, d: date) -> bool:
        return d.year in self.known_years

    def is_workday(self, d: date) -> bool:
        if not self.knows(d):
            if self.strict:
                raise CalendarYearUnknown(d.year)
            return d.weekday() < 5
        if d in self.workdays:
            return True
        if d in self.holidays:
            return False
        return d.weekday() < 5

    def is_rest_day(self, d: date) -> bool:
        return not self.is_workday(d)

    def lenient(self) -> WorkCalendar:
        return replace(self, strict=False)

    @classmethod
    def from_days(
        cls, days: Iterable[tuple[date, bool]], known_years: Iterable[int] | None = None
    ) -> WorkCalendar:
        """Build from (date, is_working) rows; unknown years default to those in the rows."""
        rows = list(days)
        # A weekday marked working or a weekend day marked off is the normal week, but
        # keeping every day off in `holidays` makes the table round-trip exactly.
        holidays = frozenset(d for d, working in rows if not working)
        workdays = frozenset(d for d, working in rows if working and d.weekday() >= 5)
        years = {d.year for d, _ in rows} if known_years is None else set(known_years)
        return cls(holidays=holidays, workdays=workdays, known_years=frozenset(years))

    @classmethod
    def from_chinesecalendar(cls) -> WorkCalendar:
        days = chinesecalendar_days()
        last_year = max(row.date.year for row in days)
        return cls.from_days(
            ((row.date, row.is_working) for row in days),
            known_years=range(FIRST_CHINESECALENDAR_YEAR, last_year + 1),
        )


def chinesecalendar_days() -> list[CalendarDayData]:
    """Every holiday and adjusted working day known to ``chinesecalendar``, for seeding."""
    rows = [CalendarDayData(d, False, name) for d, name in _cc.holidays.items()]
    rows += [CalendarDayData(d, True, name) for d, name in _cc.workdays.items()]
    return sorted(rows, key=lambda row: row.date)


def add_workdays(start: date, n: int, calendar: WorkCalendar) -> date:
    """The day on which the n-th working day after ``start`` falls (start not counted)."""
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    d = start
    while n:
        d += ONE_DAY
        if calendar.is_workday(d):
            n -= 1
    return d


def workdays_between(a: date, b: date, calendar: WorkCalendar) -> int:
    """Working days d with a < d <= b; negative of the reverse count when b < a."""
    if b < a:
        return -workdays_between(b, a, calendar)
    count = 0
    d = a + ONE_DAY
    while d <= b:
        count += calendar.is_workday(d)
        d += ONE_DAY
    return count


def _add_months(start: date, months: int) -> date:
    month_index = start.year * 12 + start.month - 1 + months
    year, month = divmod(month_index, 12)
    last_day = _calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(start.day, last_day))


def cnipa_expiry(start: date, calendar: WorkCalendar, *, months: int = 0, days: int = 0) -> date:
    """Expiry of a CNIPA period of ``months`` then ``days`` from ``start`` (see module doc)."""
    if months < 0 or days < 0:
        raise ValueError("a period cannot be negative")
    d = _add_months(start, months) + timedelta(days=days)
    # Rest day -> first working day after; adjusted Sat/Sun -> the Monday (or, if that is
    # a holiday, the next working weekday). Together: the first working weekday on or after.
    while not (d.weekday() < 5 and calendar.is_workday(d)):
        d += ONE_DAY
    return d


def deemed_delivery(dispatched: date, *, electronic: bool) -> date:
    """Implementing Regulations Art. 4: mail 15 days after dispatch; electronic same day."""
    return dispatched if electronic else dispatched + timedelta(days=MAIL_DELIVERY_DAYS)


class Unit(StrEnum):
    WORKDAYS = "workdays"
    DAYS = "days"
    MONTHS = "months"


class Counting(StrEnum):
    WORKDAY = "workday"
    CNIPA = "cnipa"
    PLAIN = "plain"


@dataclass(frozen=True)
class Deadline:
    due: date
    estimated: bool


def _with_fallback(compute: Callable[[WorkCalendar], date], calendar: WorkCalendar) -> Deadline:
    # Always try strictly first, even when handed a lenient calendar, so that a date
    # computed on weekdays only is always flagged as estimated.
    try:
        return Deadline(compute(replace(calendar, strict=True)), estimated=False)
    except CalendarYearUnknown:
        return Deadline(compute(calendar.lenient()), estimated=True)


def compute_due(
    start: date, calendar: WorkCalendar, *, amount: int, unit: Unit | str, counting: Counting | str
) -> Deadline:
    """Due date of a time limit. Valid combinations:

    - WORKDAYS with any counting: ``amount`` working days (the unit decides);
    - DAYS or MONTHS with CNIPA: ``cnipa_expiry`` (rest-day roll and Monday rule);
    - DAYS or MONTHS with PLAIN: bare calendar arithmetic, no roll (the benchmark).

    DAYS or MONTHS with WORKDAY is ambiguous and raises ``ValueError``.
    """
    unit, counting = Unit(unit), Counting(counting)
    if amount < 0:
        raise ValueError(f"amount must be >= 0, got {amount}")
    if unit is Unit.WORKDAYS:
        return _with_fallback(lambda cal: add_workdays(start, amount, cal), calendar)
    if counting is Counting.WORKDAY:
        raise ValueError(f"a period in {unit} cannot be counted in working days")
    months, days = (amount, 0) if unit is Unit.MONTHS else (0, amount)
    if counting is Counting.PLAIN:
        return Deadline(_add_months(start, months) + timedelta(days=days), estimated=False)
    return _with_fallback(lambda cal: cnipa_expiry(start, cal, months=months, days=days), calendar)


def crosses_unknown_year(start: date, due: date, calendar: WorkCalendar) -> bool:
    """Whether the period from ``start`` to ``due`` (a date given, not computed) reaches
    into a year without holiday data: its working days, warning date and any roll are
    then on weekdays only, so the clock is marked estimated."""
    return any(
        not calendar.knows(date(year, 1, 1))
        for year in range(min(start, due).year, max(start, due).year + 1)
    )


def warning_date(
    start: date, due: date, calendar: WorkCalendar, *, share: float, working: bool
) -> date:
    """The day a clock from ``start`` to ``due`` has used ``share`` of its allowed time.

    Advisory, so an unknown year falls back to weekdays only. A clock whose due is not
    after its start warns at once (on ``start``).
    """
    if not 0 < share <= 1:
        raise ValueError(f"share must be in (0, 1], got {share}")

    def used(total: int) -> int:
        # round() first: 25 * 0.56 is 14.000000000000002 in floating point.
        return math.ceil(round(max(total, 0) * share, 9))

    if not working:
        return start + timedelta(days=used((due - start).days))
    return _with_fallback(
        lambda cal: add_workdays(start, used(workdays_between(start, due, cal)), cal), calendar
    ).due


def shift_due(
    due: date, *, paused_from: date, resumed_on: date, calendar: WorkCalendar, working: bool
) -> Deadline:
    """A clock paused from ``paused_from`` to ``resumed_on`` ends later by the paused time."""
    if resumed_on < paused_from:
        raise ValueError("a clock cannot resume before it was paused")
    if not working:
        return Deadline(due + (resumed_on - paused_from), estimated=False)
    return _with_fallback(
        lambda cal: add_workdays(due, workdays_between(paused_from, resumed_on, cal), cal),
        calendar,
    )


def time_left(today: date, due: date, calendar: WorkCalendar, *, working: bool) -> int:
    """Working (or calendar) days from ``today`` to ``due``; negative once overdue.

    Working days use the lenient calendar (a display figure). Past due it is never 0:
    the day after a Friday due date is -1 even on the Saturday and the Monday.
    """
    if not working:
        return (due - today).days
    if due >= today:
        return workdays_between(today, due, calendar.lenient())
    return -max(1, workdays_between(due, today, calendar.lenient()))
