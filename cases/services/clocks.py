"""Running clocks: open, pause, resume and stop timers; keep the case's deadline summary.

Called only from the case services, inside their transaction, after the case row is
locked (``transitions.case_locked``). Dates are local (``TIME_ZONE``, Asia/Shanghai by default).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Count, Min, Q

from cases import deadlines
from cases.models import CalendarDay, CalendarYear, Case, Party, Step, TimeLimitRule, Timer, Unit
from cases.models import Counting as C
from cases.models import Unit as U
from cases.optional_cache import shared_version, shared_version_bump
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

_CALENDAR_VERSION_KEY = "pc:calendar-version"
_calendar_memo: dict[str, object] = {"version": None, "calendar": None}


def get_work_calendar() -> deadlines.WorkCalendar:
    """The working-day calendar built from ``CalendarDay``, memoized per process.

    Edits bump a version in the shared cache (and announce it to every process's copy
    of the version), so every process rebuilds on next use. Without the cache (its
    server down) the calendar is read afresh on each use.
    """
    version = shared_version(_CALENDAR_VERSION_KEY)
    if version is None or _calendar_memo["version"] != version or not _calendar_memo["calendar"]:
        rows = CalendarDay.objects.values_list("date", "is_working")
        years = CalendarYear.objects.filter(complete=True).values_list("year", flat=True)
        _calendar_memo["calendar"] = deadlines.WorkCalendar.from_days(
            list(rows), known_years=list(years)
        )
        _calendar_memo["version"] = version
    return _calendar_memo["calendar"]  # type: ignore[return-value]


def calendar_sync_from_package() -> tuple[int, int]:
    """Add the ``chinesecalendar`` package's days and years; staff-entered rows win.

    Returns (days added, years marked complete).
    """
    package_days = deadlines.chinesecalendar_days()
    staff_dates = set(
        CalendarDay.objects.filter(source=CalendarDay.Source.STAFF).values_list("date", flat=True)
    )
    existing = set(CalendarDay.objects.values_list("date", flat=True))
    new = [
        CalendarDay(
            date=d.date, is_working=d.is_working, name=d.name, source=CalendarDay.Source.PACKAGE
        )
        for d in package_days
        if d.date not in existing and d.date not in staff_dates
    ]
    CalendarDay.objects.bulk_create(new, ignore_conflicts=True)
    years = sorted(deadlines.WorkCalendar.from_chinesecalendar().known_years)
    marked = 0
    for year in years:
        _obj, created = CalendarYear.objects.get_or_create(
            year=year, defaults={"complete": True, "source": "chinesecalendar"}
        )
        marked += int(created)
    calendar_changed()
    return len(new), marked


def calendar_changed() -> None:
    """Invalidate every process's calendar after the table changed."""
    shared_version_bump(_CALENDAR_VERSION_KEY)
    _calendar_memo["version"] = None


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


def _compute(start: date, values: RuleValues) -> deadlines.Deadline:
    return deadlines.compute_due(
        start,
        get_work_calendar(),
        amount=values.amount,
        unit=values.unit,
        counting=values.counting,
    )


def rule_due(timer: Timer) -> date:
    """The due date a clock's own rule gives from its start; a clock whose due date was
    given instead (a date printed on a notice, set in a request) has another."""
    return _compute(timer.started_on, RuleValues(timer.amount, timer.unit, timer.counting)).due


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
    calendar = get_work_calendar()
    if due is None:
        deadline = _compute(start, values)
    else:
        deadline = deadlines.Deadline(due=due, estimated=False)
    working = values.unit == Unit.WORKDAYS
    warn_on = deadlines.warning_date(
        start, deadline.due, calendar, share=float(values.warning_share), working=working
    )
    return Timer.objects.create(
        case=case,
        step=step,
        party=STEP_PARTY[step],
        started_on=start,
        due_on=deadline.due,
        warn_on=warn_on,
        amount=values.amount,
        unit=values.unit,
        counting=values.counting,
        warning_share=values.warning_share,
        estimated=deadline.estimated,
    )


def _running(case: Case, step: str) -> Timer | None:
    return case.timers.filter(step=step, stopped_at__isnull=True).order_by("-id").first()


def timer_pause(*, case: Case, step: str, on: date) -> Timer | None:
    timer = _running(case, step)
    if timer is None or timer.paused_since is not None:
        return timer
    timer.paused_since = on
    timer.save(update_fields=["paused_since"])
    return timer


def _paused_amount(timer: Timer, until: date) -> int:
    assert timer.paused_since is not None
    if timer.working:
        return max(
            0, deadlines.workdays_between(timer.paused_since, until, get_work_calendar().lenient())
        )
    return max(0, (until - timer.paused_since).days)


def timer_resume(*, case: Case, step: str, on: date) -> Timer | None:
    """Resume a paused clock; its due and warning dates move on by the paused time."""
    timer = _running(case, step)
    if timer is None or timer.paused_since is None:
        return timer
    calendar = get_work_calendar()
    shifted = deadlines.shift_due(
        timer.due_on,
        paused_from=timer.paused_since,
        resumed_on=on,
        calendar=calendar,
        working=timer.working,
    )
    warn = deadlines.shift_due(
        timer.warn_on,
        paused_from=timer.paused_since,
        resumed_on=on,
        calendar=calendar,
        working=timer.working,
    )
    timer.paused_days += _paused_amount(timer, on)
    timer.paused_since = None
    timer.due_on = shifted.due
    timer.warn_on = warn.due
    timer.estimated = timer.estimated or shifted.estimated
    if timer.overdue_since is not None and timer.due_on >= on:
        timer.overdue_since = None
    if timer.at_risk_since is not None and timer.warn_on > on:
        timer.at_risk_since = None
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
    if timer.paused_since is not None:
        timer.paused_days += _paused_amount(timer, on)
        timer.paused_since = None
    timer.stopped_on = on
    timer.stopped_at = at
    if breached is None:
        breached = on > timer.due_on
    timer.outcome = Timer.Outcome.BREACHED if breached else Timer.Outcome.MET
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


def case_refresh_deadlines(*, case: Case) -> Case:
    """Recompute the case's deadline summary from its running clocks (one query), and
    save it. Called by the case services under their case lock (``case_locked``), after
    they moved the clocks."""
    summary = case.timers.filter(stopped_at__isnull=True).aggregate(
        next_due=Min("due_on", filter=Q(paused_since__isnull=True)),
        at_risk=Min("at_risk_since", filter=Q(paused_since__isnull=True)),
        overdue=Min("overdue_since", filter=Q(paused_since__isnull=True)),
        estimated=Count("id", filter=Q(estimated=True)),
    )
    case.next_due_on = summary["next_due"]
    case.at_risk_since = summary["at_risk"]
    case.overdue_since = summary["overdue"]
    case.calendar_estimated = bool(summary["estimated"])
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
