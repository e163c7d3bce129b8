"""Tests of cases/clock_rules.py: what opening, pausing, resuming and stopping do to a
clock (an unsaved ``Timer``), on the real 2025 calendar (Spring Festival off Tue 01-28 to
Tue 02-04, Sun 01-26 worked; National Day off Wed 10-01 to Wed 10-08, Sat 10-11 worked)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from cases.clock_rules import (
    OpeningDates,
    clock_pause,
    clock_restart,
    clock_restop,
    clock_resume,
    clock_stop,
    deadline_summary,
    opening_dates,
    paused_time,
)
from cases.deadlines import WorkCalendar
from cases.models import Timer

CAL = WorkCalendar.from_chinesecalendar()
SHARE = Decimal("0.80")


def clock_of(unit: str, due_on: date, warn_on: date, **fields) -> Timer:
    """A clock as the services hold it, never saved: the rules read and set fields only."""
    return Timer(unit=unit, due_on=due_on, warn_on=warn_on, **fields)


@pytest.mark.parametrize(
    ("start", "amount", "unit", "counting", "due", "expected"),
    [
        # Fri 01-24 + 5 working days: Sun 01-26, Mon 01-27, (holiday), Wed 02-05 ... Fri 02-07;
        # 80% is the 4th: Thu 02-06.
        (date(2025, 1, 24), 5, "workdays", "workday", None, (date(2025, 2, 7), date(2025, 2, 6))),
        # Mon 09-22 + 10 days = Thu 10-02, a holiday: CNIPA rolls to Thu 10-09; 80% of the 17
        # calendar days is 14: Mon 10-06.
        (date(2025, 9, 22), 10, "days", "cnipa", None, (date(2025, 10, 9), date(2025, 10, 6))),
        # Sun 01-26 + 2 months = Wed 03-26; 80% of 59 days is 48: Sat 03-15.
        (date(2025, 1, 26), 2, "months", "cnipa", None, (date(2025, 3, 26), date(2025, 3, 15))),
        # A due date printed on the notice wins over the rule: Mon 03-10; warn 8 of 9 days.
        (date(2025, 3, 1), 10, "days", "cnipa", date(2025, 3, 10), (date(2025, 3, 10), date(2025, 3, 9))),
    ],
)  # fmt: skip
def test_opening_dates(start, amount, unit, counting, due, expected):
    dates = opening_dates(
        start, CAL, amount=amount, unit=unit, counting=counting, warning_share=SHARE, due=due
    )

    assert (dates.due_on, dates.warn_on) == expected
    assert not dates.estimated


def test_opening_in_a_year_without_its_holiday_notice_is_estimated():
    # Mon 2031-01-06 + 5 weekdays: Mon 01-13 (no 2031 notice yet).
    dates = opening_dates(
        date(2031, 1, 6), CAL, amount=5, unit="workdays", counting="workday", warning_share=SHARE
    )

    assert (dates.due_on, dates.estimated) == (date(2031, 1, 13), True)


@pytest.mark.parametrize(
    ("unit", "paused", "resumed", "due", "warn", "days", "new_due", "new_warn"),
    [
        # Working days (09-29, 10-09]: Tue 09-30 and Thu 10-09 only: due Fri 10-10 moves two
        # working days, to Sat 10-11 (worked) and Mon 10-13.
        ("workdays", date(2025, 9, 29), date(2025, 10, 9), date(2025, 10, 10), date(2025, 10, 9),
         2, date(2025, 10, 13), date(2025, 10, 11)),
        # Calendar days: ten days paused, ten days later.
        ("days", date(2025, 3, 3), date(2025, 3, 13), date(2025, 3, 20), date(2025, 3, 18),
         10, date(2025, 3, 30), date(2025, 3, 28)),
        # Resumed the day it paused: nothing moves.
        ("days", date(2025, 3, 3), date(2025, 3, 3), date(2025, 3, 20), date(2025, 3, 18),
         0, date(2025, 3, 20), date(2025, 3, 18)),
    ],
)  # fmt: skip
def test_pause_then_resume_moves_the_dates_by_the_paused_time(
    unit, paused, resumed, due, warn, days, new_due, new_warn
):
    clock = clock_of(unit, due, warn)

    clock_pause(clock, on=paused)
    clock_pause(clock, on=resumed)  # already paused: paused since the first day
    assert paused_time(clock, until=resumed, calendar=CAL) == days
    clock_resume(clock, on=resumed, calendar=CAL)

    assert (clock.paused_since, clock.paused_days) == (None, days)
    assert (clock.due_on, clock.warn_on) == (new_due, new_warn)


def test_resume_clears_flags_the_clock_no_longer_deserves():
    flagged = datetime(2025, 3, 19, 6)
    clock = clock_of("days", date(2025, 3, 18), date(2025, 3, 16), paused_since=date(2025, 3, 10))
    clock.at_risk_since = clock.overdue_since = flagged

    clock_resume(clock, on=date(2025, 3, 12), calendar=CAL)  # due Thu 03-20, warn Tue 03-18

    assert (clock.at_risk_since, clock.overdue_since) == (None, None)


def test_resume_of_a_running_clock_changes_nothing():
    clock = clock_of("days", date(2025, 3, 18), date(2025, 3, 16))

    clock_resume(clock, on=date(2025, 3, 12), calendar=CAL)

    assert (clock.due_on, clock.warn_on, clock.paused_days) == (
        date(2025, 3, 18),
        date(2025, 3, 16),
        0,
    )


@pytest.mark.parametrize(
    ("stopped", "breached", "outcome"),
    [
        (date(2025, 3, 18), None, "met"),  # on the due date
        (date(2025, 3, 19), None, "breached"),  # the day after
        (date(2025, 3, 10), True, "breached"),  # a lapse breaches whatever the dates
    ],
)
def test_stop(stopped, breached, outcome):
    clock = clock_of("days", date(2025, 3, 18), date(2025, 3, 16))
    at = datetime(2025, 3, 19, 10)

    clock_stop(clock, on=stopped, at=at, calendar=CAL, breached=breached)

    assert (clock.stopped_on, clock.stopped_at, clock.outcome) == (stopped, at, outcome)


def test_stopping_a_paused_clock_counts_its_paused_time():
    clock = clock_of("days", date(2025, 3, 18), date(2025, 3, 16), paused_since=date(2025, 3, 10))

    clock_stop(clock, on=date(2025, 3, 14), at=datetime(2025, 3, 14, 9), calendar=CAL)

    assert (clock.paused_since, clock.paused_days, clock.outcome) == (None, 4, "met")


def test_deadline_summary_leaves_paused_clocks_out_but_not_their_estimate():
    risk, late = datetime(2025, 3, 5, 6), datetime(2025, 3, 8, 6)
    clocks = [
        clock_of("days", date(2025, 3, 20), date(2025, 3, 18), at_risk_since=late),
        clock_of("days", date(2025, 3, 12), date(2025, 3, 10), at_risk_since=risk),
        clock_of(
            "days", date(2025, 3, 1), date(2025, 2, 27), estimated=True,
            paused_since=date(2025, 2, 28), overdue_since=late,
        ),
    ]  # fmt: skip

    summary = deadline_summary(clocks)

    assert summary.next_due_on == date(2025, 3, 12)
    assert (summary.at_risk_since, summary.overdue_since) == (risk, None)
    assert summary.calendar_estimated
    assert deadline_summary([]).next_due_on is None


AT = datetime(2025, 1, 1, 10)


@pytest.mark.parametrize(
    ("unit", "paused_days", "expected"),
    [
        # No pause: the new dates as they are.
        ("days", 0, (date(2025, 3, 20), date(2025, 3, 15))),
        # Calendar days: 4 days already paused move both dates on by 4 days.
        ("days", 4, (date(2025, 3, 24), date(2025, 3, 19))),
        # Working days: Thu 03-20 + 2 working days = Mon 03-24; Sat 03-15 + 2 = Tue 03-18.
        ("workdays", 2, (date(2025, 3, 24), date(2025, 3, 18))),
    ],
)  # fmt: skip
def test_a_restarted_clock_keeps_its_paused_time(unit, paused_days, expected):
    clock = clock_of(unit, date(2025, 3, 1), date(2025, 2, 25), paused_days=paused_days)
    dates = OpeningDates(due_on=date(2025, 3, 20), warn_on=date(2025, 3, 15), estimated=False)
    clock_restart(clock, dates, today=date(2025, 3, 1), calendar=CAL)
    assert (clock.due_on, clock.warn_on) == expected


@pytest.mark.parametrize(
    ("today", "overdue_kept", "at_risk_kept"),
    [
        (date(2025, 3, 10), False, False),  # before the new warning date: both cleared
        (date(2025, 3, 16), False, True),  # past the new warning date: still at risk
        (date(2025, 3, 21), True, True),  # past the new due date: still overdue
    ],
)
def test_a_restarted_clock_loses_the_flags_it_no_longer_deserves(today, overdue_kept, at_risk_kept):
    clock = clock_of(
        "days", date(2025, 3, 1), date(2025, 2, 25), overdue_since=AT, at_risk_since=AT
    )
    dates = OpeningDates(due_on=date(2025, 3, 20), warn_on=date(2025, 3, 15), estimated=False)
    clock_restart(clock, dates, today=today, calendar=CAL)
    assert (clock.overdue_since is not None, clock.at_risk_since is not None) == (
        overdue_kept,
        at_risk_kept,
    )


@pytest.mark.parametrize(
    ("on", "outcome"),
    [(date(2025, 3, 20), "met"), (date(2025, 3, 21), "breached")],
)
def test_a_restopped_clock_is_met_by_its_due_date(on, outcome):
    clock = clock_of("days", date(2025, 3, 20), date(2025, 3, 15), outcome="breached")
    clock_restop(clock, on=on)
    assert (clock.stopped_on, clock.outcome) == (on, outcome)
