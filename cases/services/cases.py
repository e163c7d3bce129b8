"""Case services on the center's side: intake, scope check, review, and closing.

One function per transition, all through ``transitions.run_transition``; the CNIPA side
is in ``cnipa.py``. ``SERVICES`` maps each transition name to its service.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cases import workflow
from cases.errors import InvalidInput, PermissionDenied, TransitionNotAllowed
from cases.models import (
    Case,
    Center,
    Entity,
    Party,
    PatentType,
    ReferenceCounter,
    Role,
    Step,
)
from cases.people import staff_display_name
from cases.services import access, clocks
from cases.services.cnipa import (
    case_record_fast_track_exit,
    case_record_filing,
    case_record_grant_notice,
    case_record_office_action,
    case_record_registration,
    case_record_rejection,
    case_record_response,
)
from cases.services.transitions import (
    closing_service,
    local_day,
    lock_case,
    log_event,
    now_or,
    require_public_note,
    run_transition,
)


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
    at = now_or(at)
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
        reference=_next_reference(center, local_day(at).year),
        patent_type=patent_type,
        title=title.strip(),
        classification=classification.strip().upper(),
        examiner=examiner,
        submitted_at=at,
    )
    # Shown once to staff (the admin), who hand it to the applicant; only its hash is kept.
    case.issued_access_code = access.case_issue_access_code(case=case)
    clocks.timer_open(case=case, step=Step.ACCEPTANCE, start=local_day(at))
    clocks.case_refresh_deadlines(case=case)
    log_event(case, name="submit", from_state="", actor=actor, at=at, note=note)
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
    at = now_or(at)

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

    return run_transition(
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
    case = lock_case(case)
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
    # In the site's language, as the system's other notes: the whole center reads it.
    with translation.override(settings.LANGUAGE_CODE):
        note = _("Examiner: %(old)s → %(new)s") % {
            "old": staff_display_name(previous) or "—",
            "new": staff_display_name(examiner) or "—",
        }
    log_event(
        case,
        name="assign",
        from_state=case.state,
        actor=actor,
        at=timezone.now(),
        note=note,
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

    ``public_note`` says what to correct: the applicant reads it on the status page and in
    the e-mail. ``due`` is the date given in the request; without it the correction rule
    applies.
    """
    at = now_or(at)

    def prepare(c: Case) -> None:
        require_public_note("request_correction", public_note)
        if due is not None and due < local_day(at):
            raise InvalidInput(_("The correction due date is in the past."), field="due")

    def then(c: Case, on: date, at_: datetime) -> None:
        clocks.timer_pause(case=c, step=Step.REVIEW, on=on)
        clocks.timer_open(case=c, step=Step.CORRECTION, start=on, due=due)

    return run_transition(
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

    return run_transition(
        case, "receive_correction", actor=actor, at=at, note=note, clocks_then=then
    )


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
    at = now_or(at)

    def then(c: Case, on: date, at_: datetime) -> None:
        clocks.timer_stop(case=c, step=Step.REVIEW, on=on, at=at_)
        clocks.timer_open(case=c, step=Step.FILING, start=on)

    return run_transition(
        case,
        "qualify",
        actor=actor,
        at=at,
        note=note,
        public_note=public_note,
        args={"at": at},
        clocks_then=then,
    )


case_decline = closing_service("decline")
case_decline.__doc__ = "Not accepted: outside the center's fields, or the entity is not eligible."
case_disqualify = closing_service("disqualify")
case_disqualify.__doc__ = "Pre-examination unqualified: the case ends here."
case_lapse = closing_service("lapse", breached_party=Party.APPLICANT)
case_lapse.__doc__ = "The applicant's period ran out: the case lapses."
case_withdraw = closing_service("withdraw")
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
