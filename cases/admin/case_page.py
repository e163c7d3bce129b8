"""What the case page shows besides the fields: transitions, clocks, benchmark, history.

Reads only. Three queries per page (events with actors, timers, the examiner choices of
the forms); the case itself comes with its center, entity and examiner.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils import timezone
from django_fsm import can_proceed

from cases import services, workflow
from cases.calendar import get_work_calendar
from cases.deadlines import shift_due, time_left
from cases.forms import AssignForm, TransitionForm, transition_form
from cases.models import TERMINAL_STATES, Case, CaseEvent, Step, Timer
from cases.people import staff_display_name


@dataclass
class TransitionButton:
    name: str
    label: str
    form: TransitionForm
    closes_case: bool
    # Messages of the transition's conditions that fail now; the POST would say the same.
    blocked: list[str] = field(default_factory=list)
    # Shown open, filled in with what was typed, after a refused attempt.
    retry: bool = False


@dataclass
class ClockRow:
    timer: Timer
    running: bool
    paused: bool
    # Working (or calendar) days left; negative: days overdue. None when stopped. For a
    # paused clock, what was left when it paused: what it will have when it resumes.
    left: int | None
    # A paused clock's due date moves on by the paused time when it resumes
    # (``services.timer_resume``): the date it would get if it resumed today.
    due_if_resumed_today: date | None = None

    @property
    def overdue_by(self) -> int:
        return -self.left if self.left is not None and self.left < 0 else 0


@dataclass
class Benchmark:
    target_days: int
    filing_date: date
    gross_days: int
    net_days: int
    final: bool

    @property
    def over(self) -> bool:
        return self.net_days > self.target_days


def transition_buttons(
    user: Any, case: Case, retry: dict[str, Any] | None = None
) -> list[TransitionButton]:
    """The transitions that exist from the case's state and that ``user`` may take.

    ``retry`` (``{"name": ..., "data": {...}, "errors": {field: message}}``) is a refused
    attempt to show again, its errors at their fields.
    """
    buttons = []
    for name in services.SERVICES:
        if not can_proceed(getattr(case, name), check_conditions=False):
            continue
        if not user.has_perm(workflow.TRANSITION_PERMISSIONS[name], case):
            continue
        target = workflow.transition_target(case, name)
        again = retry is not None and retry.get("name") == name
        form = transition_form(name, case=case)
        if retry is not None and again:
            form = transition_form(name, case=case, data=retry["data"])
            form.is_valid()  # the form's own errors, at their fields
            for field, message in retry.get("errors", {}).items():
                if field in form.fields and not form.has_error(field):
                    form.add_error(field, message)
        buttons.append(
            TransitionButton(
                name=name,
                label=str(workflow.TRANSITION_LABELS.get(name, name)),
                form=form,
                closes_case=target in TERMINAL_STATES,
                blocked=workflow.failed_conditions(case, name),
                retry=again,
            )
        )
    return buttons


def may_assign(user: Any, case: Case) -> bool:
    """Whether the page offers to assign the examiner: an open case, and the permission."""
    return not case.is_terminal and user.has_perm("cases.assign_case", case)


def clock_rows(case: Case, *, today: date) -> list[ClockRow]:
    calendar = get_work_calendar()
    rows = []
    for timer in case.timers.order_by("started_on", "id"):
        running = timer.stopped_at is None
        paused = timer.paused_since is not None
        left = due_if_resumed_today = None
        if running and not paused:
            left = time_left(today, timer.due_on, calendar, working=timer.working)
        elif running:
            assert timer.paused_since is not None
            left = time_left(timer.paused_since, timer.due_on, calendar, working=timer.working)
            due_if_resumed_today = shift_due(
                timer.due_on,
                paused_from=timer.paused_since,
                resumed_on=max(today, timer.paused_since),
                calendar=calendar,
                working=timer.working,
            ).due
        rows.append(
            ClockRow(
                timer=timer,
                running=running,
                paused=paused,
                left=left,
                due_if_resumed_today=due_if_resumed_today,
            )
        )
    return rows


@dataclass
class HistoryRow:
    event: CaseEvent
    # The staff member who acted, written as everywhere else (``people.person_name``);
    # blank for the system.
    actor_name: str


def history_rows(case: Case) -> list[HistoryRow]:
    """The case's events, newest first, with their actors' names."""
    events = (
        CaseEvent.objects.filter(case=case).select_related("actor").order_by("-created_at", "-id")
    )
    return [HistoryRow(event=event, actor_name=staff_display_name(event.actor)) for event in events]


def benchmark(case: Case, clocks: list[ClockRow], *, today: date) -> Benchmark | None:
    """Days from the CNIPA filing date against the center's benchmark for the type.

    Net days leave out the time the applicant held the case (office-action responses).
    """
    if case.cnipa_filing_date is None:
        return None
    target = case.center.benchmark_days(case.patent_type)
    if case.benchmark_gross_days is not None:
        return Benchmark(
            target_days=target,
            filing_date=case.cnipa_filing_date,
            gross_days=case.benchmark_gross_days,
            net_days=case.benchmark_net_days
            if case.benchmark_net_days is not None
            else case.benchmark_gross_days,
            final=True,
        )
    gross = (today - case.cnipa_filing_date).days
    paused = 0
    for row in clocks:
        if row.timer.step == Step.BENCHMARK:
            paused += row.timer.paused_days
            if row.timer.paused_since is not None:
                paused += max(0, (today - row.timer.paused_since).days)
    return Benchmark(
        target_days=target,
        filing_date=case.cnipa_filing_date,
        gross_days=gross,
        net_days=gross - paused,
        final=False,
    )


def case_page_context(
    user: Any, case: Case, *, retry: dict[str, Any] | None = None
) -> dict[str, Any]:
    today = timezone.localdate()
    clocks = clock_rows(case, today=today)
    return {
        "case_transitions": transition_buttons(user, case, retry) if not case.is_terminal else [],
        "assign_form": AssignForm(case=case) if may_assign(user, case) else None,
        "can_reset_access_code": user.has_perm("cases.reset_access_code", case),
        "case_clocks": clocks,
        "case_benchmark": benchmark(case, clocks, today=today),
        "case_events": history_rows(case),
        "today": today,
    }
