"""The staff workbench's reads: each person's queue, the managers' watch list, and
which clock each case's next due date belongs to.

A queue is a QuerySet (the admin lists and pages it); its rows carry their ticking
clocks (one prefetch), so the page says whose clock the due date is, in which unit,
and how many days are left, in a fixed number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, F, Prefetch, Q, QuerySet

from cases.calendar import get_work_calendar
from cases.choices import CaseState
from cases.deadlines import WorkCalendar, time_left
from cases.models import Case, Party, Timer
from cases.models.cases import WATCHED

# States in which the center has the next move, and the permission of that move: a case
# in one of these, unassigned, waits on everyone who may make the move.
CENTER_MOVES: dict[str, str] = {
    CaseState.SUBMITTED: "cases.accept_case",
    CaseState.UNDER_REVIEW: "cases.qualify_case",
}


def ticking_timers() -> Prefetch:
    """The running, unpaused clocks of each case, as ``case.ticking``."""
    return Prefetch(
        "timers",
        queryset=Timer.objects.filter(stopped_at__isnull=True, paused_since__isnull=True),
        to_attr="ticking",
    )


def _center_cases(user: Any) -> QuerySet[Case]:
    return Case.objects.for_user(user).open()


def waiting_on(user: Any) -> Q:
    """Open cases where the center has the move and it is ``user``'s: assigned to them,
    or unassigned at a step their role takes."""
    states = [state for state, perm in CENTER_MOVES.items() if user.has_perm(perm)]
    waiting = Q(examiner=user, state__in=list(CENTER_MOVES))
    if states:
        waiting |= Q(examiner__isnull=True, state__in=states)
    return waiting


def watched() -> Q:
    """What managers watch: overdue or at-risk cases, and cases in review that nobody is
    assigned to (auto-assignment found nobody). The condition of the index that serves
    the queue (``cases.models.cases.WATCHED``)."""
    return WATCHED


def queue_mine(user: Any) -> QuerySet[Case]:
    """What waits on ``user``, nearest due first."""
    return (
        _center_cases(user)
        .filter(waiting_on(user))
        .order_by(F("next_due_on").asc(nulls_last=True), "pk")
    )


def queue_watch(user: Any) -> QuerySet[Case]:
    """The managers' list of their center, nearest due first."""
    return (
        _center_cases(user).filter(watched()).order_by(F("next_due_on").asc(nulls_last=True), "pk")
    )


def is_manager(user: Any) -> bool:
    """Managers (and center admins) watch the center; the others work their own queue."""
    return bool(user.has_perm("cases.view_dashboard"))


@dataclass(frozen=True)
class QueueCounts:
    mine: int
    overdue: int
    at_risk: int


def queue_counts(user: Any) -> QueueCounts:
    """The header's figures, in one query."""
    figures = _center_cases(user).aggregate(
        mine=Count("pk", filter=waiting_on(user)),
        overdue=Count("pk", filter=Q(overdue_since__isnull=False)),
        at_risk=Count("pk", filter=Q(at_risk_since__isnull=False, overdue_since__isnull=True)),
    )
    return QueueCounts(**figures)


@dataclass(frozen=True)
class NextDue:
    """Whose clock a case's next due date is, in which unit, and what is left."""

    due_on: date
    step_label: str
    party: str
    party_label: str
    working: bool
    left: int

    @property
    def actionable(self) -> bool:
        """CNIPA's benchmark is not a deadline staff can act on."""
        return self.party != Party.OFFICE


def next_due(case: Case, *, today: date, calendar: WorkCalendar | None = None) -> NextDue | None:
    """From ``case.ticking`` (``ticking_timers``): the clock due first. Pass ``calendar``
    when reading many cases (it is one query to read)."""
    timers = getattr(case, "ticking", None)
    if timers is None:
        timers = list(case.timers.filter(stopped_at__isnull=True, paused_since__isnull=True))
    if not timers:
        return None
    timer = min(timers, key=lambda t: (t.due_on, t.pk))
    return NextDue(
        due_on=timer.due_on,
        step_label=str(timer.get_step_display()),
        party=timer.party,
        party_label=str(timer.get_party_display()),
        working=timer.working,
        left=time_left(today, timer.due_on, calendar or get_work_calendar(), working=timer.working),
    )


def with_next_due(cases: list[Case], *, today: date) -> list[Case]:
    """Set ``case.next_due_info`` (``NextDue`` or None) on each of a page's cases."""
    calendar = get_work_calendar()
    for case in cases:
        case.next_due_info = next_due(case, today=today, calendar=calendar)  # type: ignore[attr-defined]
    return cases
