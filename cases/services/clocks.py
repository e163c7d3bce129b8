"""Running clocks: open, pause, resume and stop timers; keep the case's deadline summary.

Called only from the case services, inside their transaction, after the case row is
locked (``transitions.case_locked``). Dates are local (``TIME_ZONE``, Asia/Shanghai by default).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from cases import clock_rules
from cases.calendar import get_work_calendar
from cases.models import Case, Party, Step, TimeLimitRule, Timer
from cases.models import Counting as C
from cases.models import Unit as U
from cases.services.status_pages import status_pages_forget


@dataclass(frozen=True)
class RuleValues:
    amount: int
    unit: str
    counting: str
    warning_share: Decimal = Decimal("0.80")


# DESIGN §2 defaults; a TimeLimitRule row for the center (and patent type) overrides them.
DEFAULT_RULES: dict[str, RuleValues] = {
    Step.ACCEPTANCE: RuleValues(2, U.WORKDAYS, C.WORKDAY),
    Step.REVIEW: RuleValues(5, U.WORKDAYS, C.WORKDAY),
    Step.CORRECTION: RuleValues(5, U.WORKDAYS, C.WORKDAY),
    Step.FILING: RuleValues(10, U.DAYS, C.CNIPA),
    Step.OFFICE_ACTION: RuleValues(10, U.DAYS, C.CNIPA),
    Step.REGISTRATION: RuleValues(2, U.MONTHS, C.CNIPA),
}
STEP_PARTY: dict[str, str] = {
    Step.ACCEPTANCE: Party.CENTER,
    Step.REVIEW: Party.CENTER,
    Step.CORRECTION: Party.APPLICANT,
    Step.FILING: Party.APPLICANT,
    Step.OFFICE_ACTION: Party.APPLICANT,
    Step.REGISTRATION: Party.APPLICANT,
    Step.BENCHMARK: Party.OFFICE,
}


def rule_values(*, center_id: int, step: str, patent_type: str) -> RuleValues:
    """The rule in force for a step: center and type, else center, else the default."""
    if step == Step.BENCHMARK:
        raise ValueError("The benchmark comes from the center's benchmark days.")
    rules = {
        r.patent_type: r
        for r in TimeLimitRule.objects.filter(
            center_id=center_id, step=step, patent_type__in=[patent_type, ""]
        )
    }
    rule = rules.get(patent_type) or rules.get("")
    if rule is None:
        return DEFAULT_RULES[step]
    return RuleValues(rule.amount, rule.unit, rule.counting, rule.warning_share)


def rules_ensure_defaults(*, center_id: int) -> int:
    """Create the center's rule rows from the defaults, so staff can see and edit them."""
    existing = set(
        TimeLimitRule.objects.filter(center_id=center_id, patent_type="").values_list(
            "step", flat=True
        )
    )
    new = [
        TimeLimitRule(
            center_id=center_id,
            step=step,
            patent_type="",
            amount=v.amount,
            unit=v.unit,
            counting=v.counting,
            warning_share=v.warning_share,
        )
        for step, v in DEFAULT_RULES.items()
        if step not in existing
    ]
    TimeLimitRule.objects.bulk_create(new)
    return len(new)


def rule_due(timer: Timer) -> date:
    """The due date a clock's own rule gives from its start; a clock whose due date was
    given instead (a date printed on a notice, set in a request) has another."""
    return clock_rules.opening_dates(
        timer.started_on,
        get_work_calendar(),
        amount=timer.amount,
        unit=timer.unit,
        counting=timer.counting,
        warning_share=timer.warning_share,
    ).due_on


def timer_open(
    *,
    case: Case,
    step: str,
    start: date,
    values: RuleValues | None = None,
    due: date | None = None,
) -> Timer:
    """Start a clock on ``start``; ``due`` overrides the rule (a date printed on a notice)."""
    if values is None:
        values = rule_values(center_id=case.center_id, step=step, patent_type=case.patent_type)
    dates = clock_rules.opening_dates(
        start,
        get_work_calendar(),
        amount=values.amount,
        unit=values.unit,
        counting=values.counting,
        warning_share=values.warning_share,
        due=due,
    )
    return Timer.objects.create(
        case=case,
        step=step,
        party=STEP_PARTY[step],
        started_on=start,
        due_on=dates.due_on,
        warn_on=dates.warn_on,
        amount=values.amount,
        unit=values.unit,
        counting=values.counting,
        warning_share=values.warning_share,
        estimated=dates.estimated,
    )


def running_timer(case: Case, step: str) -> Timer | None:
    """The running clock of a step, if any."""
    return case.timers.filter(step=step, stopped_at__isnull=True).order_by("-id").first()


_running = running_timer


def applicant_timer(case: Case) -> Timer | None:
    """The running clock of what the applicant must do now (correction, filing,
    registration, an office-action response), the one due first."""
    return (
        case.timers.filter(stopped_at__isnull=True, party=Party.APPLICANT)
        .order_by("due_on", "id")
        .first()
    )


def timer_pause(*, case: Case, step: str, on: date) -> Timer | None:
    timer = _running(case, step)
    if timer is None or timer.paused_since is not None:
        return timer
    clock_rules.clock_pause(timer, on=on)
    timer.save(update_fields=["paused_since"])
    return timer


def timer_resume(*, case: Case, step: str, on: date) -> Timer | None:
    """Resume a paused clock; its due and warning dates move on by the paused time."""
    timer = _running(case, step)
    if timer is None or timer.paused_since is None:
        return timer
    clock_rules.clock_resume(timer, on=on, calendar=get_work_calendar())
    timer.save(
        update_fields=[
            "paused_days",
            "paused_since",
            "due_on",
            "warn_on",
            "estimated",
            "overdue_since",
            "at_risk_since",
        ]
    )
    return timer


def _stop(timer: Timer, *, on: date, at: datetime, breached: bool | None = None) -> None:
    clock_rules.clock_stop(timer, on=on, at=at, calendar=get_work_calendar(), breached=breached)
    timer.save(update_fields=["paused_days", "paused_since", "stopped_on", "stopped_at", "outcome"])


def timer_stop(
    *, case: Case, step: str, on: date, at: datetime, breached: bool | None = None
) -> Timer | None:
    """Stop a step's clock: met if stopped by its due date, else breached."""
    timer = _running(case, step)
    if timer is not None:
        _stop(timer, on=on, at=at, breached=breached)
    return timer


def timers_stop_all(
    *, case: Case, on: date, at: datetime, breached_party: str | None = None
) -> None:
    """Stop every running clock of a case that has ended; ``breached_party``'s count as breached."""
    for timer in case.timers.filter(stopped_at__isnull=True):
        breached = True if breached_party and timer.party == breached_party else None
        _stop(timer, on=on, at=at, breached=breached)


def timer_restart(
    *,
    timer: Timer,
    start: date,
    today: date,
    values: RuleValues | None = None,
    due: date | None = None,
) -> Timer:
    """Correct the start of a clock (the CNIPA date it counts from was reported wrongly):
    its due and warning dates again from ``start`` by the rule values it started with (or
    ``values``; ``due`` overrides, as on opening), keeping the pauses already recorded."""
    if values is None:
        values = RuleValues(timer.amount, timer.unit, timer.counting, timer.warning_share)
    calendar = get_work_calendar()
    dates = clock_rules.opening_dates(
        start,
        calendar,
        amount=values.amount,
        unit=values.unit,
        counting=values.counting,
        warning_share=values.warning_share,
        due=due,
    )
    timer.started_on = start
    timer.amount, timer.unit, timer.counting = values.amount, values.unit, values.counting
    timer.warning_share = values.warning_share
    clock_rules.clock_restart(timer, dates, today=today, calendar=calendar)
    timer.save(
        update_fields=[
            "started_on",
            "amount",
            "unit",
            "counting",
            "warning_share",
            "due_on",
            "warn_on",
            "estimated",
            "overdue_since",
            "at_risk_since",
        ]
    )
    return timer


def timer_restop(*, timer: Timer, on: date) -> Timer:
    """Correct the day a stopped clock stopped; its outcome follows."""
    clock_rules.clock_restop(timer, on=on)
    timer.save(update_fields=["stopped_on", "outcome"])
    return timer


def timer_repause(*, timer: Timer, on: date) -> Timer:
    """Correct the day a paused clock paused (the notice that paused it was misdated)."""
    timer.paused_since = on
    timer.save(update_fields=["paused_since"])
    return timer


def last_timer(case: Case, step: str) -> Timer | None:
    """A step's newest clock, running or stopped."""
    return case.timers.filter(step=step).order_by("-started_on", "-id").first()


def case_refresh_deadlines(*, case: Case) -> Case:
    """Recompute the case's deadline summary from its running clocks (one query), and
    save it. Called by the case services under their case lock (``case_locked``), after
    they moved the clocks."""
    summary = clock_rules.deadline_summary(case.timers.filter(stopped_at__isnull=True))
    case.next_due_on = summary.next_due_on
    case.at_risk_since = summary.at_risk_since
    case.overdue_since = summary.overdue_since
    case.calendar_estimated = summary.calendar_estimated
    case.save(
        update_fields=[
            "next_due_on",
            "at_risk_since",
            "overdue_since",
            "calendar_estimated",
            "updated_at",
        ]
    )
    status_pages_forget(case_id=case.pk)
    return case
