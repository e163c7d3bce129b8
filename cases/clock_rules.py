"""What opening, pausing, resuming and stopping do to a clock, and a case's deadline summary.

Pure functions on a clock's fields (no ORM, no saving): ``services.clocks`` applies them
to ``Timer`` rows and saves them; the demo data generator (``cases.demo.bulk``) applies
them to its in-memory clocks, so that both follow one set of rules. The date arithmetic
is ``cases.deadlines``'; the calendar is passed in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Protocol

from cases import deadlines
from cases.choices import TimerOutcome


class Clock(Protocol):
    """The fields of a clock these rules read and set (``Timer`` has them all)."""

    unit: str
    due_on: date
    warn_on: date
    estimated: bool
    paused_since: date | None
    paused_days: int
    stopped_on: date | None
    stopped_at: datetime | None
    outcome: str
    at_risk_since: datetime | None
    overdue_since: datetime | None


@dataclass(frozen=True)
class OpeningDates:
    due_on: date
    warn_on: date
    estimated: bool  # computed on weekdays only: a year without its holiday notice


@dataclass(frozen=True)
class DeadlineSummary:
    """A case's deadline fields, from its running clocks."""

    next_due_on: date | None
    at_risk_since: datetime | None
    overdue_since: datetime | None
    calendar_estimated: bool


def is_working(clock: Clock) -> bool:
    """Counted in working days (else calendar days, or months)."""
    return clock.unit == deadlines.Unit.WORKDAYS


def opening_dates(
    start: date,
    calendar: deadlines.WorkCalendar,
    *,
    amount: int,
    unit: str,
    counting: str,
    warning_share: Decimal,
    due: date | None = None,
) -> OpeningDates:
    """Due and warning dates of a clock started on ``start`` under a rule's values;
    ``due`` overrides the rule (a date printed on a notice)."""
    if due is None:
        deadline = deadlines.compute_due(
            start, calendar, amount=amount, unit=unit, counting=counting
        )
    else:
        deadline = deadlines.Deadline(
            due=due, estimated=deadlines.crosses_unknown_year(start, due, calendar)
        )
    warn_on = deadlines.warning_date(
        start,
        deadline.due,
        calendar,
        share=float(warning_share),
        working=unit == deadlines.Unit.WORKDAYS,
    )
    return OpeningDates(due_on=deadline.due, warn_on=warn_on, estimated=deadline.estimated)


def paused_time(clock: Clock, *, until: date, calendar: deadlines.WorkCalendar) -> int:
    """How long a paused clock has been paused by ``until``, in its own unit of days."""
    assert clock.paused_since is not None
    if is_working(clock):
        return max(0, deadlines.workdays_between(clock.paused_since, until, calendar.lenient()))
    return max(0, (until - clock.paused_since).days)


def clock_pause(clock: Clock, *, on: date) -> None:
    """Pause a running clock on ``on`` (a paused one stays paused since its first day)."""
    if clock.paused_since is None:
        clock.paused_since = on


def clock_resume(clock: Clock, *, on: date, calendar: deadlines.WorkCalendar) -> None:
    """Resume a paused clock: its due and warning dates move on by the paused time, and a
    flag it no longer deserves is cleared."""
    if clock.paused_since is None:
        return
    due, warn = (
        deadlines.shift_due(
            day,
            paused_from=clock.paused_since,
            resumed_on=on,
            calendar=calendar,
            working=is_working(clock),
        )
        for day in (clock.due_on, clock.warn_on)
    )
    clock.paused_days += paused_time(clock, until=on, calendar=calendar)
    clock.paused_since = None
    clock.due_on = due.due
    clock.warn_on = warn.due
    clock.estimated = clock.estimated or due.estimated
    if clock.overdue_since is not None and clock.due_on >= on:
        clock.overdue_since = None
    if clock.at_risk_since is not None and clock.warn_on > on:
        clock.at_risk_since = None


def clock_restart(
    clock: Clock, dates: OpeningDates, *, today: date, calendar: deadlines.WorkCalendar
) -> None:
    """A clock whose start was recorded wrongly gets ``dates`` (``opening_dates`` from the
    corrected start, under the values it started with), moved on by the time it has
    already been paused, as each resumption moved it; a pause still running stays. A flag
    the new dates no longer deserve is cleared (as on resuming); one they now deserve is
    the sweep's to raise."""
    due, warn = dates.due_on, dates.warn_on
    if clock.paused_days:
        if is_working(clock):
            shifted = [
                deadlines.add_workdays(day, clock.paused_days, calendar.lenient())
                for day in (due, warn)
            ]
            due, warn = shifted
        else:
            due = due + timedelta(days=clock.paused_days)
            warn = warn + timedelta(days=clock.paused_days)
    clock.due_on = due
    clock.warn_on = warn
    clock.estimated = dates.estimated
    if clock.overdue_since is not None and clock.due_on >= today:
        clock.overdue_since = None
    if clock.at_risk_since is not None and clock.warn_on > today:
        clock.at_risk_since = None


def clock_restop(clock: Clock, *, on: date) -> None:
    """A stopped clock whose stop (or due date) was recorded wrongly: stopped ``on``, met
    if by its due date, else breached, as ``clock_stop`` decides."""
    clock.stopped_on = on
    clock.outcome = TimerOutcome.BREACHED if on > clock.due_on else TimerOutcome.MET


def clock_stop(
    clock: Clock,
    *,
    on: date,
    at: datetime,
    calendar: deadlines.WorkCalendar,
    breached: bool | None = None,
) -> None:
    """Stop a clock on ``on``: met if by its due date, else breached (``breached`` decides
    when given: a lapse breaches the applicant's clocks whatever their dates)."""
    if clock.paused_since is not None:
        clock.paused_days += paused_time(clock, until=on, calendar=calendar)
        clock.paused_since = None
    clock.stopped_on = on
    clock.stopped_at = at
    if breached is None:
        breached = on > clock.due_on
    clock.outcome = TimerOutcome.BREACHED if breached else TimerOutcome.MET


def deadline_summary(running: Iterable[Clock]) -> DeadlineSummary:
    """The case's next due date and flags, from its running clocks: a paused clock has no
    due date meanwhile and raises no flag, but an estimated one still marks the case."""
    running = list(running)
    ticking = [clock for clock in running if clock.paused_since is None]
    return DeadlineSummary(
        next_due_on=min((c.due_on for c in ticking), default=None),
        at_risk_since=min((c.at_risk_since for c in ticking if c.at_risk_since), default=None),
        overdue_since=min((c.overdue_since for c in ticking if c.overdue_since), default=None),
        calendar_estimated=any(c.estimated for c in running),
    )
