"""Every write to a case: one function per transition.

Each service locks the case row, checks the transition exists from the current state,
the actor's role and center, and the transition's conditions; then runs the transition,
saves, moves the clocks and writes the ``CaseEvent``, all in one transaction. Callers get
a ``DomainError`` with a message they can show, never a library exception.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed, has_transition_perm

from cases import appnumbers, deadlines, workflow
from cases.errors import ConditionNotMet, InvalidInput, PermissionDenied, TransitionNotAllowed
from cases.models import (
    Case,
    CaseEvent,
    Center,
    Entity,
    Party,
    PatentType,
    ReferenceCounter,
    Role,
    Step,
)
from cases.services import access, clocks, outbox


def _label(name: str) -> str:
    return str(workflow.TRANSITION_LABELS.get(name, name))


def _now(at: datetime | None) -> datetime:
    return at or timezone.now()


def _local(at: datetime) -> date:
    return timezone.localdate(at)


def _lock(case: Case | int) -> Case:
    pk = case if isinstance(case, int) else case.pk
    return (
        Case.objects.select_for_update(of=("self",)).select_related("center", "entity").get(pk=pk)
    )


def _ensure(case: Case, name: str, actor: Any) -> Callable[..., Any]:
    """Return the bound transition after checking state, permission and conditions."""
    method = getattr(case, name)
    if not can_proceed(method, check_conditions=False):
        raise TransitionNotAllowed(
            _("“%(action)s” is not possible while the case is “%(state)s”.")
            % {"action": _label(name), "state": case.get_state_display()}
        )
    if actor is not None and not has_transition_perm(method, actor):
        # has_transition_perm also checks conditions; tell permission from condition apart.
        if not workflow.may_transition(actor, case, name):
            raise PermissionDenied(
                _("You are not allowed to “%(action)s” on this case.") % {"action": _label(name)}
            )
    failed = workflow.failed_conditions(case, name)
    if failed:
        raise ConditionNotMet(" ".join(failed))
    return method


def _log(
    case: Case,
    *,
    name: str,
    from_state: str,
    actor: Any,
    at: datetime,
    note: str = "",
    public_note: str = "",
    public: bool = True,
) -> CaseEvent:
    event = CaseEvent.objects.create(
        case=case,
        transition=name,
        from_state=from_state,
        to_state=case.state,
        actor=actor,
        created_at=at,
        note=note,
        public_note=public_note,
        public=public,
    )
    outbox.case_event_recorded(event=event)
    return event


def _run(
    case: Case | int,
    name: str,
    *,
    actor: Any,
    at: datetime | None,
    note: str,
    public_note: str = "",
    args: dict[str, Any] | None = None,
    prepare: Callable[[Case], None] | None = None,
    clocks_then: Callable[[Case, date, datetime], None] | None = None,
) -> Case:
    """The common path: lock, check, transition, save, clocks, event.

    ``prepare`` validates input against the locked case (raising ``InvalidInput``) and
    sets fields the transition does not own, such as the assigned examiner.
    """
    at = _now(at)
    case = _lock(case)
    method = _ensure(case, name, actor)
    if prepare is not None:
        prepare(case)
    from_state = case.state
    method(**(args or {}))
    case.save()
    if clocks_then is not None:
        clocks_then(case, _local(at), at)
    clocks.case_refresh_deadlines(case=case)
    _log(
        case,
        name=name,
        from_state=from_state,
        actor=actor,
        at=at,
        note=note,
        public_note=public_note,
    )
    return case


def _next_reference(center: Center, year: int) -> str:
    counter, _created = ReferenceCounter.objects.select_for_update().get_or_create(
        center=center, year=year
    )
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{center.code}-{year}-{counter.last:06d}"


@transaction.atomic
def case_submit(
    *,
    actor: Any,
    entity: Entity,
    patent_type: str,
    title: str,
    classification: str,
    examiner: Any = None,
    note: str = "",
    at: datetime | None = None,
) -> Case:
    """Intake: register a draft application received from a registered entity."""
    at = _now(at)
    if actor is not None:
        roles = workflow.user_roles(actor)
        if not (
            roles & {Role.INTAKE_CLERK, Role.MANAGER, Role.CENTER_ADMIN}
        ) or not workflow.works_on_center(actor, entity.center_id):
            raise PermissionDenied(_("You are not allowed to register cases for this center."))
    if patent_type not in PatentType.values:
        raise InvalidInput(
            _("Unknown patent type “%(value)s”.") % {"value": patent_type}, field="patent_type"
        )
    if not title.strip():
        raise InvalidInput(_("A title is required."), field="title")
    if not classification.strip():
        raise InvalidInput(_("A main classification is required."), field="classification")
    center = entity.center
    case = Case.objects.create(
        center=center,
        entity=entity,
        reference=_next_reference(center, _local(at).year),
        patent_type=patent_type,
        title=title.strip(),
        classification=classification.strip().upper(),
        examiner=examiner,
        submitted_at=at,
    )
    # Shown once to staff (the admin), who hand it to the applicant; only its hash is kept.
    case.issued_access_code = access.case_issue_access_code(case=case)
    clocks.timer_open(case=case, step=Step.ACCEPTANCE, start=_local(at))
    clocks.case_refresh_deadlines(case=case)
    _log(case, name="submit", from_state="", actor=actor, at=at, note=note)
    return case


@transaction.atomic
def case_accept(
    *,
    case: Case | int,
    actor: Any,
    examiner: Any = None,
    note: str = "",
    at: datetime | None = None,
) -> Case:
    """Scope check passed (field and entity): review starts, optionally assigned."""
    at = _now(at)

    def prepare(c: Case) -> None:
        if examiner is not None:
            if Role.EXAMINER not in workflow.user_roles(examiner) or not workflow.works_on_center(
                examiner, c.center_id
            ):
                raise InvalidInput(_("Assign an examiner of this center."), field="examiner")
            c.examiner = examiner

    def then(c: Case, on: date, at_: datetime) -> None:
        clocks.timer_stop(case=c, step=Step.ACCEPTANCE, on=on, at=at_)
        clocks.timer_open(case=c, step=Step.REVIEW, start=on)

    return _run(
        case,
        "accept",
        actor=actor,
        at=at,
        note=note,
        args={"at": at},
        prepare=prepare,
        clocks_then=then,
    )


@transaction.atomic
def case_assign(*, case: Case | int, actor: Any, examiner: Any) -> Case:
    """Assign (or reassign) the examiner of an open case; not a state change."""
    case = _lock(case)
    if actor is not None and not workflow.may_assign(actor, case):
        raise PermissionDenied(_("You are not allowed to assign examiners on this case."))
    if case.is_terminal:
        raise TransitionNotAllowed(
            _("The case is “%(state)s”: it can no longer be assigned.")
            % {"state": case.get_state_display()}
        )
    if examiner is not None and (
        Role.EXAMINER not in workflow.user_roles(examiner)
        or not workflow.works_on_center(examiner, case.center_id)
    ):
        raise InvalidInput(_("Assign an examiner of this center."), field="examiner")
    previous = case.examiner
    case.examiner = examiner
    case.save(update_fields=["examiner", "updated_at"])
    _log(
        case,
        name="assign",
        from_state=case.state,
        actor=actor,
        at=timezone.now(),
        note=_("Examiner: %(old)s → %(new)s") % {"old": previous or "—", "new": examiner or "—"},
        public=False,
    )
    return case


@transaction.atomic
def case_request_correction(
    *,
    case: Case | int,
    actor: Any,
    note: str = "",
    public_note: str = "",
    due: date | None = None,
    at: datetime | None = None,
) -> Case:
    """Ask the applicant for corrections (补正); the center's review clock pauses.

    ``due`` is the date given in the request; without it the correction rule applies.
    """
    at = _now(at)

    def prepare(c: Case) -> None:
        if due is not None and due < _local(at):
            raise InvalidInput(_("The correction due date is in the past."), field="due")

    def then(c: Case, on: date, at_: datetime) -> None:
        clocks.timer_pause(case=c, step=Step.REVIEW, on=on)
        clocks.timer_open(case=c, step=Step.CORRECTION, start=on, due=due)

    return _run(
        case,
        "request_correction",
        actor=actor,
        at=at,
        note=note,
        public_note=public_note,
        prepare=prepare,
        clocks_then=then,
    )


@transaction.atomic
def case_receive_correction(
    *, case: Case | int, actor: Any, note: str = "", at: datetime | None = None
) -> Case:
    """The corrected application arrived: review resumes where it paused."""

    def then(c: Case, on: date, at_: datetime) -> None:
        clocks.timer_stop(case=c, step=Step.CORRECTION, on=on, at=at_)
        clocks.timer_resume(case=c, step=Step.REVIEW, on=on)

    return _run(case, "receive_correction", actor=actor, at=at, note=note, clocks_then=then)


@transaction.atomic
def case_qualify(
    *,
    case: Case | int,
    actor: Any,
    note: str = "",
    public_note: str = "",
    at: datetime | None = None,
) -> Case:
    """Pre-examination qualified: the applicant must now file with CNIPA."""
    at = _now(at)

    def then(c: Case, on: date, at_: datetime) -> None:
        clocks.timer_stop(case=c, step=Step.REVIEW, on=on, at=at_)
        clocks.timer_open(case=c, step=Step.FILING, start=on)

    return _run(
        case,
        "qualify",
        actor=actor,
        at=at,
        note=note,
        public_note=public_note,
        args={"at": at},
        clocks_then=then,
    )


def _parse_application_number(case: Case, text: str) -> str:
    try:
        number = appnumbers.parse_application_number(text or "")
    except ValueError as error:
        raise InvalidInput(str(error), field="application_number") from error
    if number.is_pct_national_phase:
        raise InvalidInput(
            _("%(number)s is a PCT national-phase number; such applications are not eligible.")
            % {"number": number},
            field="application_number",
        )
    if number.patent_kind != case.patent_type:
        raise InvalidInput(
            _(
                "The type digit of %(number)s means “%(kind)s”, but the case’s patent type is “%(type)s”."
            )
            % {
                "number": number,
                "kind": PatentType(number.patent_kind).label,
                "type": case.get_patent_type_display(),
            },
            field="application_number",
        )
    return str(number)


@transaction.atomic
def case_record_filing(
    *,
    case: Case | int,
    actor: Any,
    application_number: str,
    filing_date: date | None,
    note: str = "",
    at: datetime | None = None,
) -> Case:
    """Filed with CNIPA: record the application number and filing date; the benchmark starts."""
    at = _now(at)
    parsed: dict[str, str] = {}

    def prepare(c: Case) -> None:
        parsed["number"] = _parse_application_number(c, application_number)
        if filing_date is None:
            raise InvalidInput(_("The CNIPA filing date is required."), field="filing_date")
        if filing_date > _local(at):
            raise InvalidInput(_("The filing date cannot be in the future."), field="filing_date")
        if c.qualified_at and filing_date < _local(c.qualified_at):
            raise InvalidInput(
                _("The filing date cannot be before the case qualified (%(date)s).")
                % {"date": _local(c.qualified_at).isoformat()},
                field="filing_date",
            )
        if int(parsed["number"][:4]) != filing_date.year:
            raise InvalidInput(
                _("The application number's year does not match the filing date."),
                field="application_number",
            )
        taken = Case.objects.filter(application_number=parsed["number"]).exclude(pk=c.pk)
        if taken.exists():
            raise InvalidInput(
                _("Application number %(number)s is already recorded on another case.")
                % {"number": parsed["number"]},
                field="application_number",
            )

    def then(c: Case, on: date, at_: datetime) -> None:
        clocks.timer_stop(case=c, step=Step.FILING, on=filing_date, at=at_)
        clocks.timer_open(
            case=c,
            step=Step.BENCHMARK,
            start=filing_date,
            values=clocks.RuleValues(c.center.benchmark_days(c.patent_type), "days", "plain"),
        )

    class _Args(dict):
        pass

    args = _Args()

    def prepare_and_args(c: Case) -> None:
        prepare(c)
        args.update(application_number=parsed["number"], filing_date=filing_date)

    try:
        return _run(
            case,
            "record_filing",
            actor=actor,
            at=at,
            note=note,
            args=args,
            prepare=prepare_and_args,
            clocks_then=then,
        )
    except IntegrityError as error:
        raise InvalidInput(
            _("Application number %(number)s is already recorded on another case.")
            % {"number": parsed.get("number", application_number)},
            field="application_number",
        ) from error


@transaction.atomic
def case_record_office_action(
    *,
    case: Case | int,
    actor: Any,
    notice_date: date | None,
    period_days: int | None = None,
    due: date | None = None,
    electronic: bool = True,
    note: str = "",
    public_note: str = "",
    at: datetime | None = None,
) -> Case:
    """CNIPA issued an office action: the applicant's response clock runs, CNIPA's pauses.

    The due date is the one printed on the notice (``due``), or the notice's delivery
    date plus its period in days counted as CNIPA counts (default: the office-action rule).
    """
    at = _now(at)

    def prepare(c: Case) -> None:
        if notice_date is None:
            raise InvalidInput(_("The notice date is required."), field="notice_date")
        if notice_date > _local(at):
            raise InvalidInput(_("The notice date cannot be in the future."), field="notice_date")
        if c.cnipa_filing_date and notice_date < c.cnipa_filing_date:
            raise InvalidInput(
                _("The notice date is before the CNIPA filing date."), field="notice_date"
            )
        if period_days is not None and period_days <= 0:
            raise InvalidInput(
                _("The response period must be at least one day."), field="period_days"
            )
        if due is not None and due < notice_date:
            raise InvalidInput(_("The response due date is before the notice date."), field="due")

    def then(c: Case, on: date, at_: datetime) -> None:
        assert notice_date is not None
        clocks.timer_pause(case=c, step=Step.BENCHMARK, on=notice_date)
        delivered = deadlines.deemed_delivery(notice_date, electronic=electronic)
        values = None
        if period_days is not None:
            values = clocks.RuleValues(period_days, "days", "cnipa")
        clocks.timer_open(case=c, step=Step.OFFICE_ACTION, start=delivered, values=values, due=due)

    return _run(
        case,
        "record_office_action",
        actor=actor,
        at=at,
        note=note,
        public_note=public_note,
        prepare=prepare,
        clocks_then=then,
    )


@transaction.atomic
def case_record_response(
    *,
    case: Case | int,
    actor: Any,
    responded_on: date | None = None,
    note: str = "",
    at: datetime | None = None,
) -> Case:
    """The applicant answered the office action: CNIPA's clock runs again."""
    at = _now(at)

    def prepare(c: Case) -> None:
        if responded_on is not None and responded_on > _local(at):
            raise InvalidInput(
                _("The response date cannot be in the future."), field="responded_on"
            )

    def then(c: Case, on: date, at_: datetime) -> None:
        day = responded_on or on
        clocks.timer_stop(case=c, step=Step.OFFICE_ACTION, on=day, at=at_)
        clocks.timer_resume(case=c, step=Step.BENCHMARK, on=day)

    return _run(
        case, "record_response", actor=actor, at=at, note=note, prepare=prepare, clocks_then=then
    )


@transaction.atomic
def case_record_grant_notice(
    *,
    case: Case | int,
    actor: Any,
    notice_date: date | None,
    received_on: date | None = None,
    note: str = "",
    public_note: str = "",
    at: datetime | None = None,
) -> Case:
    """Grant and registration notices issued: the benchmark stops, registration is due."""
    at = _now(at)
    args: dict[str, Any] = {}

    def prepare(c: Case) -> None:
        if notice_date is None:
            raise InvalidInput(_("The grant notice date is required."), field="notice_date")
        received = received_on or notice_date
        if notice_date > _local(at):
            raise InvalidInput(_("The notice date cannot be in the future."), field="notice_date")
        if received > _local(at):
            raise InvalidInput(_("The date received cannot be in the future."), field="received_on")
        if c.cnipa_filing_date and notice_date < c.cnipa_filing_date:
            raise InvalidInput(
                _("The grant notice is dated before the CNIPA filing date."), field="notice_date"
            )
        if received < notice_date:
            raise InvalidInput(
                _("The notice cannot be received before it was issued."), field="received_on"
            )
        args.update(notice_date=notice_date, received_on=received)

    def then(c: Case, on: date, at_: datetime) -> None:
        assert notice_date is not None
        benchmark = clocks.timer_stop(case=c, step=Step.BENCHMARK, on=notice_date, at=at_)
        if c.cnipa_filing_date is not None:
            gross = (notice_date - c.cnipa_filing_date).days
            c.benchmark_gross_days = gross
            c.benchmark_net_days = gross - (benchmark.paused_days if benchmark else 0)
            c.save(update_fields=["benchmark_gross_days", "benchmark_net_days"])
        clocks.timer_open(case=c, step=Step.REGISTRATION, start=args["received_on"])

    return _run(
        case,
        "record_grant_notice",
        actor=actor,
        at=at,
        note=note,
        public_note=public_note,
        args=args,
        prepare=prepare,
        clocks_then=then,
    )


def _closing(name: str, *, breached_party: str | None = None) -> Callable[..., Case]:
    def service(
        *,
        case: Case | int,
        actor: Any,
        note: str = "",
        public_note: str = "",
        at: datetime | None = None,
    ) -> Case:
        at = _now(at)

        def then(c: Case, on: date, at_: datetime) -> None:
            clocks.timers_stop_all(case=c, on=on, at=at_, breached_party=breached_party)

        return _run(
            case,
            name,
            actor=actor,
            at=at,
            note=note,
            public_note=public_note,
            args={"at": at},
            clocks_then=then,
        )

    service.__name__ = service.__qualname__ = f"case_{name}"
    return transaction.atomic(service)


case_decline = _closing("decline")
case_decline.__doc__ = "Not accepted: outside the center's fields, or the entity is not eligible."
case_disqualify = _closing("disqualify")
case_disqualify.__doc__ = "Pre-examination unqualified: the case ends here."
case_record_rejection = _closing("record_rejection")
case_record_rejection.__doc__ = "CNIPA rejected the application: the case ends."
case_record_fast_track_exit = _closing("record_fast_track_exit")
case_record_fast_track_exit.__doc__ = (
    "Late response, extension or voluntary amendment: the case leaves the fast track."
)
case_record_registration = _closing("record_registration")
case_record_registration.__doc__ = "Registration completed (fee paid): the grant is announced."
case_lapse = _closing("lapse", breached_party=Party.APPLICANT)
case_lapse.__doc__ = "The applicant's period ran out: the case lapses."
case_withdraw = _closing("withdraw")
case_withdraw.__doc__ = "Withdrawn at the applicant's request, before filing with CNIPA."

# Transition name -> service, for the admin's buttons and the API.
SERVICES: dict[str, Callable[..., Case]] = {
    "accept": case_accept,
    "decline": case_decline,
    "request_correction": case_request_correction,
    "receive_correction": case_receive_correction,
    "qualify": case_qualify,
    "disqualify": case_disqualify,
    "record_filing": case_record_filing,
    "record_office_action": case_record_office_action,
    "record_response": case_record_response,
    "record_grant_notice": case_record_grant_notice,
    "record_rejection": case_record_rejection,
    "record_fast_track_exit": case_record_fast_track_exit,
    "record_registration": case_record_registration,
    "lapse": case_lapse,
    "withdraw": case_withdraw,
}
