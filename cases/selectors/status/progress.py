"""Where a case is on its path, what is awaited from whom by when, and the benchmark."""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from cases import deadlines
from cases.models import CaseState, Counting, Step, Unit
from cases.selectors.status.page import BenchmarkProgress, Deadline, PathStep
from cases.selectors.status.reading import CaseRow, ClockRow

S = CaseState

# The path as the applicant sees it. Filing is a moment; examination is the stretch after.
STEPS: tuple[tuple[str, Promise], ...] = (
    ("submitted", gettext_lazy("Submitted")),
    ("review", gettext_lazy("Pre-examination")),
    ("qualified", gettext_lazy("Qualified")),
    ("filed", gettext_lazy("Filed with CNIPA")),
    ("examination", gettext_lazy("CNIPA examination")),
    ("grant", gettext_lazy("Grant")),
)
CURRENT_STEP: dict[str, int] = {
    S.SUBMITTED: 0,
    S.UNDER_REVIEW: 1,
    S.CORRECTION_REQUESTED: 1,
    S.QUALIFIED: 2,
    S.FILED: 4,
    S.OFFICE_ACTION: 4,
    S.GRANT_NOTIFIED: 5,
    S.GRANTED: 5,
}
_SHARED_STEPS = {i: list(CURRENT_STEP.values()).count(i) for i in set(CURRENT_STEP.values())}
# Where a step covers several states, the current one is named under it, by its label or,
# where that would repeat the step before ("Filed with CNIPA" under examination), by this.
STEP_NOTES: dict[str, Promise] = {S.FILED: gettext_lazy("Awaiting CNIPA's decision")}
# The transitions in the applicant's words (the staff labels are in workflow).
PUBLIC_EVENT_LABELS: dict[str, Promise] = {
    "submit": gettext_lazy("Application received by the center"),
    "accept": gettext_lazy("Accepted for pre-examination"),
    "decline": gettext_lazy("Not accepted"),
    "request_correction": gettext_lazy("Correction requested"),
    "receive_correction": gettext_lazy("Correction received"),
    "qualify": gettext_lazy("Pre-examination qualified"),
    "disqualify": gettext_lazy("Pre-examination unqualified"),
    "record_filing": gettext_lazy("Filed with CNIPA"),
    "record_office_action": gettext_lazy("Office action issued by CNIPA"),
    "record_response": gettext_lazy("Office action answered"),
    "record_grant_notice": gettext_lazy("Grant notified"),
    "record_rejection": gettext_lazy("Rejected by CNIPA"),
    "record_fast_track_exit": gettext_lazy("Left the fast track"),
    "record_registration": gettext_lazy("Registration completed: grant announced"),
    "lapse": gettext_lazy("Lapsed"),
    "withdraw": gettext_lazy("Withdrawn"),
}
# What the rule of a clock counts from, per step ("%(period)s" is "10 calendar days"...).
RULE_FROM: dict[str, Promise] = {
    Step.ACCEPTANCE: gettext_lazy("%(period)s from submission"),
    Step.REVIEW: gettext_lazy("%(period)s from acceptance"),
    Step.CORRECTION: gettext_lazy("%(period)s from the correction request"),
    Step.FILING: gettext_lazy("%(period)s from qualification"),
    Step.OFFICE_ACTION: gettext_lazy("%(period)s from delivery of the office action"),
    Step.REGISTRATION: gettext_lazy("%(period)s from receipt of the grant notice"),
    Step.BENCHMARK: gettext_lazy("%(period)s from the CNIPA filing date"),
}


def local_date(value: datetime | None) -> date | None:
    return timezone.localdate(value) if value is not None else None


# The path


def _reached(case: CaseRow) -> list[date | None]:
    """The date each step was reached (None: not reached, or no date of its own)."""
    filed = case.cnipa_filing_date
    return [
        local_date(case.submitted_at),
        local_date(case.accepted_at),
        local_date(case.qualified_at),
        filed,
        None,  # examination starts on the filing date, shown once on the step before
        case.grant_notice_date,
    ]


def steps_of(case: CaseRow) -> list[PathStep]:
    dates = _reached(case)
    state_label = str(CaseState(case.state).label)
    current = CURRENT_STEP.get(case.state)
    if current is not None:
        steps = []
        for index, (_key, label) in enumerate(STEPS):
            if index < current or case.state == S.GRANTED:
                status = "done"
            else:
                status = "current" if index == current else "upcoming"
            here = index == current
            on = dates[index] if index <= current else None
            # Name the state where a step covers several (e.g. review: correction requested).
            note = ""
            if here and _SHARED_STEPS.get(index, 0) > 1:
                note = str(STEP_NOTES.get(case.state, state_label))
            steps.append(PathStep(str(label), status, on, note, here))
        return steps
    # A terminal outcome: the steps the case reached, then how it ended. Not the grant: a
    # case that ends after the grant notice (registration not completed) was not granted,
    # and a ticked "grant" step would say it was; its notice is on the timeline.
    reached = [*dates[:4], dates[3]]  # examination is reached when filed
    last = max(i for i, on in enumerate(reached) if on is not None or i == 0)
    steps = [PathStep(str(label), "done", dates[i]) for i, (_k, label) in enumerate(STEPS)]
    ended = PathStep(state_label, "ended", local_date(case.closed_at), current=True)
    return [*steps[: last + 1], ended]


# Clocks


def _period(amount: int, unit: str) -> str:
    if unit == Unit.WORKDAYS:
        return ngettext("%(n)d working day", "%(n)d working days", amount) % {"n": amount}
    if unit == Unit.MONTHS:
        return ngettext("%(n)d month", "%(n)d months", amount) % {"n": amount}
    return ngettext("%(n)d calendar day", "%(n)d calendar days", amount) % {"n": amount}


def _rule(timer: ClockRow, calendar: deadlines.WorkCalendar | None) -> str:
    """The rule a clock follows, in words; or that its date was set by a notice."""
    if timer.paused_days == 0 and timer.step != Step.BENCHMARK:
        try:
            computed = deadlines.compute_due(
                timer.started_on,
                calendar or deadlines.WorkCalendar(frozenset(), frozenset(), frozenset()),
                amount=timer.amount,
                unit=timer.unit,
                counting=timer.counting,
            ).due
        except ValueError:
            computed = None
        if computed is not None and computed != timer.due_on:
            return _("the date set in the notice or request")
    template = RULE_FROM.get(timer.step, gettext_lazy("%(period)s"))
    text = str(template) % {"period": _period(timer.amount, timer.unit)}
    if timer.counting == Counting.CNIPA:
        text += _(
            ", counted as CNIPA counts (the first day is not counted; an expiry on a rest "
            "day moves to the next working day)"
        )
    elif timer.counting == Counting.WORKDAY:
        text += _(", public holidays excluded")
    return text


def deadline_of(timer: ClockRow, today: date, calendar: deadlines.WorkCalendar | None) -> Deadline:
    working = timer.unit == Unit.WORKDAYS
    if working:
        assert calendar is not None
        days_left = deadlines.time_left(today, timer.due_on, calendar, working=True)
    else:
        days_left = (timer.due_on - today).days
    return Deadline(
        step_label=timer.step_label,
        party=timer.party,
        due_on=timer.due_on,
        days_left=days_left,
        working=working,
        rule=_rule(timer, calendar),
        estimated=timer.estimated,
    )


def benchmark_of(case: CaseRow, timers: list[ClockRow], today: date) -> BenchmarkProgress | None:
    if case.cnipa_filing_date is None or case.state not in {
        S.FILED,
        S.OFFICE_ACTION,
        S.GRANT_NOTIFIED,
        S.GRANTED,
    }:
        return None
    target = case.center.benchmark_days(case.patent_type)
    if case.benchmark_gross_days is not None:
        net = case.benchmark_net_days
        return BenchmarkProgress(
            target_days=target,
            gross_days=case.benchmark_gross_days,
            net_days=case.benchmark_gross_days if net is None else net,
            finished=True,
        )
    gross = max(0, (today - case.cnipa_filing_date).days)
    paused = 0
    clock = next((t for t in reversed(timers) if t.step == Step.BENCHMARK), None)
    if clock is not None:
        paused = clock.paused_days
        if clock.paused_since is not None:
            paused += max(0, (today - clock.paused_since).days)
    return BenchmarkProgress(
        target_days=target, gross_days=gross, net_days=max(0, gross - paused), finished=False
    )
