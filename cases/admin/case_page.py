"""What the case page shows besides the fields: transitions, clocks, benchmark, history,
documents and notices.

Reads only. A fixed number of queries per page (events with actors, timers, the
examiner choices of the forms, documents, the required set, notices, correction
requests); the case itself comes with its center, entity and examiner.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from django_fsm import can_proceed

from cases import services, workflow
from cases.calendar import get_work_calendar
from cases.choices import kind_labels
from cases.deadlines import shift_due, time_left
from cases.forms import (
    AssignForm,
    CaseDetailsForm,
    CnipaCorrectionForm,
    ConsistencyForm,
    CorrectFilingDateForm,
    CorrectGrantNoticeForm,
    CorrectOfficeActionForm,
    DocumentForm,
    NoticeCorrectionForm,
    TransitionForm,
    transition_form,
)
from cases.models import (
    TERMINAL_STATES,
    Case,
    CaseDocument,
    CaseEvent,
    CaseState,
    ConsistencyCheck,
    Notice,
    Step,
    Timer,
)
from cases.people import staff_display_name
from cases.selectors.documents import document_rows
from cases.services.consistency import CHECKABLE_STATES, consistency_kinds
from cases.services.details import may_edit_details


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
        form = transition_form(name, case=case, initial=transition_initial(case, name))
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


def transition_initial(case: Case, name: str) -> dict[str, str] | None:
    """A transition form filled in for staff: the fast-track exit after the consistency
    check found the filed documents different, with that as the reason."""
    if name != "record_fast_track_exit" or case.inconsistent_since is None:
        return None
    check = case.consistency_checks.order_by("-created_at", "-id").first()
    if check is None or check.consistent:
        return None
    kinds = kind_labels(check.differing_kinds)
    return {
        "note": gettext(
            "Consistency check of %(day)s: %(kinds)s differ from the qualified versions."
        )
        % {"day": timezone.localdate(check.created_at).isoformat(), "kinds": kinds},
        "public_note": gettext(
            "The documents filed with CNIPA (%(kinds)s) differ from those the center "
            "pre-examined, so the application leaves the fast track."
        )
        % {"kinds": kinds},
    }


@dataclass
class ConsistencyPanel:
    latest: ConsistencyCheck | None
    form: ConsistencyForm | None


def consistency_panel(user: Any, case: Case) -> ConsistencyPanel | None:
    """The latest check (with its per-kind outcomes and diffs) and the form for a new one."""
    latest = case.consistency_checks.order_by("-created_at", "-id").first()
    form = None
    if case.state in CHECKABLE_STATES and user.has_perm("cases.check_consistency", case):
        qualified = consistency_kinds(case)
        if qualified:
            form = ConsistencyForm(case=case, qualified=qualified)
    if latest is None and form is None:
        return None
    return ConsistencyPanel(latest=latest, form=form)


def details_form(user: Any, case: Case, retry: dict[str, Any] | None) -> CaseDetailsForm | None:
    """The form correcting the case's details, if ``user`` may; refilled after a refusal."""
    if not may_edit_details(user, case):
        return None
    if retry is not None and retry.get("name") == "edit_details":
        form = CaseDetailsForm(retry["data"], case=case)
        form.is_valid()
        for name, message in retry.get("errors", {}).items():
            if name in form.fields and not form.has_error(name):
                form.add_error(name, message)
        return form
    return CaseDetailsForm(case=case)


CNIPA_CORRECTIONS: dict[str, type[CnipaCorrectionForm]] = {
    "filing_date": CorrectFilingDateForm,
    "office_action": CorrectOfficeActionForm,
    "grant_notice": CorrectGrantNoticeForm,
}
CNIPA_CORRECTION_LABELS = {
    "filing_date": gettext_lazy("Correct the filing date"),
    "office_action": gettext_lazy("Correct the office action"),
    "grant_notice": gettext_lazy("Correct the grant notice"),
}


def may_correct_cnipa(user: Any, case: Case) -> bool:
    return user.has_perm("cases.correct_cnipa_record", case)


def cnipa_correction_offered(case: Case, name: str) -> bool:
    """Whether the CNIPA date ``name`` can be corrected in the case's state (the service
    decides; this only spares offering a form it would refuse)."""
    if name == "filing_date":
        return case.cnipa_filing_date is not None and not case.is_terminal
    if name == "office_action":
        return case.state == CaseState.OFFICE_ACTION
    return case.state == CaseState.GRANT_NOTIFIED


@dataclass
class CnipaCorrection:
    name: str
    label: str
    form: CnipaCorrectionForm
    retry: bool


def cnipa_corrections(user: Any, case: Case, retry: dict[str, Any] | None) -> list[CnipaCorrection]:
    """The forms correcting the CNIPA dates reported, if ``user`` may; the one refused
    last is refilled, its errors at their fields."""
    if not may_correct_cnipa(user, case):
        return []
    panels = []
    for name, form_class in CNIPA_CORRECTIONS.items():
        if not cnipa_correction_offered(case, name):
            continue
        again = retry is not None and retry.get("name") == f"correct_{name}"
        if again:
            form = form_class(retry["data"], case=case, name=name)
            form.is_valid()
            for field_name, message in retry.get("errors", {}).items():
                if field_name in form.fields and not form.has_error(field_name):
                    form.add_error(field_name, message)
        else:
            form = form_class(case=case, name=name)
        panels.append(
            CnipaCorrection(
                name=name, label=str(CNIPA_CORRECTION_LABELS[name]), form=form, retry=again
            )
        )
    return panels


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


@dataclass
class NoticeRow:
    notice: Notice
    # Offered on the newest notice of a decision only: a correction replaces it.
    correction_form: NoticeCorrectionForm | None


def notice_rows(user: Any, case: Case) -> list[NoticeRow]:
    notices = list(
        Notice.objects.filter(case=case)
        .select_related("document", "replaces", "event")
        .order_by("issued_at", "id")
    )
    replaced = {n.replaces_id for n in notices if n.replaces_id}
    may_correct = user.has_perm("cases.correct_notice", case)
    return [
        NoticeRow(
            notice=notice,
            correction_form=NoticeCorrectionForm(
                auto_id=f"id_notice_{notice.pk}_%s",
                initial={"message": notice.event.public_note},
            )
            if may_correct and notice.pk not in replaced
            else None,
        )
        for notice in notices
    ]


def case_page_context(
    user: Any, case: Case, *, retry: dict[str, Any] | None = None
) -> dict[str, Any]:
    today = timezone.localdate()
    clocks = clock_rows(case, today=today)
    return {
        "case_transitions": transition_buttons(user, case, retry) if not case.is_terminal else [],
        "assign_form": AssignForm(case=case) if may_assign(user, case) else None,
        "details_form": details_form(user, case, retry),
        "can_correct_number": bool(case.application_number) and may_correct_cnipa(user, case),
        "cnipa_corrections": cnipa_corrections(user, case, retry),
        "can_reset_access_code": user.has_perm("cases.reset_access_code", case),
        "case_clocks": clocks,
        "case_benchmark": benchmark(case, clocks, today=today),
        "case_events": history_rows(case),
        "case_documents": document_rows(case),
        "case_missing_documents": kind_labels(CaseDocument.objects.missing_kinds(case))
        if not case.accepted_at
        else "",
        "case_correction_requests": list(case.correction_requests.order_by("created_at", "id")),
        "document_form": DocumentForm()
        if not case.is_terminal and user.has_perm("cases.add_casedocument", case)
        else None,
        "case_notices": notice_rows(user, case),
        "case_consistency": consistency_panel(user, case),
        "today": today,
    }
