"""Case services on the center's side: intake, scope check, review, and closing.

One function per transition, each straight-line code (``transitions`` says the shape);
the CNIPA side is in ``cnipa.py``. ``SERVICES`` maps each transition name to its service.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import events
from cases.actors import Actor
from cases.calendar import get_work_calendar
from cases.choices import kind_labels
from cases.deadlines import Counting, Unit, compute_due
from cases.errors import InvalidInput, TransitionNotAllowed
from cases.models import (
    Case,
    Center,
    CorrectionRequest,
    Entity,
    Party,
    PatentType,
    ReferenceCounter,
    Step,
)
from cases.services import access, assignment, clocks, notices, outbox
from cases.services.cnipa import (
    case_record_fast_track_exit,
    case_record_filing,
    case_record_grant_notice,
    case_record_office_action,
    case_record_registration,
    case_record_rejection,
    case_record_response,
)
from cases.services.documents import case_add_document, correction_request_record
from cases.services.transitions import (
    case_locked,
    check_examiner,
    check_permission,
    check_transition,
    local_day,
    now_or,
    require_public_note,
)
from cases.validators import normalize_classification


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
    actor: Actor,
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
    check_permission(
        actor,
        "cases.submit_case",
        entity,
        _("You are not allowed to register cases for this center."),
    )
    if patent_type not in PatentType.values:
        raise InvalidInput(
            _("Unknown patent type “%(value)s”.") % {"value": patent_type}, field="patent_type"
        )
    if not title.strip():
        raise InvalidInput(_("A title is required."), field="title")
    try:
        classification = normalize_classification(patent_type, classification)
    except ValidationError as error:
        raise InvalidInput(error.messages[0], field="classification") from error
    if examiner is not None:
        check_examiner(examiner, entity)
    center = entity.center
    case = Case.objects.create(
        center=center,
        entity=entity,
        reference=_next_reference(center, local_day(at).year),
        patent_type=patent_type,
        title=title.strip(),
        classification=classification,
        examiner=examiner,
        submitted_at=at,
    )
    # Shown once to staff (the admin), who hand it to the applicant; only its hash is kept.
    case.issued_access_code = access.case_issue_access_code(case=case)
    clocks.timer_open(case=case, step=Step.ACCEPTANCE, start=local_day(at))
    clocks.case_refresh_deadlines(case=case)
    event = events.case_submitted_event(case=case, actor=actor, at=at, note=note)
    outbox.case_event_recorded(event=event)
    return case


def case_accept(
    *,
    case: Case | int,
    actor: Actor,
    examiner: Any = None,
    note: str = "",
    at: datetime | None = None,
) -> Case:
    """Scope check passed (field and entity): review starts, optionally assigned."""
    at = now_or(at)
    with case_locked(case) as case:
        check_transition(case, "accept", actor)
        previous = case.examiner
        automatic = False
        if examiner is not None:
            check_examiner(examiner, case)
        elif case.examiner_id is None and case.center.auto_assign:
            examiner = assignment.examiner_pick(case=case, on=local_day(at))
            automatic = examiner is not None
        if examiner is not None:
            case.examiner = examiner
        from_state = case.state
        case.accept(at=at)
        case.save(update_fields=["state", "accepted_at", "examiner", "updated_at"])
        clocks.timer_stop(case=case, step=Step.ACCEPTANCE, on=local_day(at), at=at)
        clocks.timer_open(case=case, step=Step.REVIEW, start=local_day(at))
        clocks.case_refresh_deadlines(case=case)
        event = events.case_accepted_event(
            case=case, actor=actor, from_state=from_state, at=at, note=note
        )
        if examiner is not None and examiner != previous:
            # An assignment is an event of its own, whoever chose (the acceptance form,
            # or the automatic choice, which its note says): the history shows every
            # assignment alike, and the examiner's e-mail is keyed on it.
            assigned = events.examiner_assigned_event(
                case=case,
                actor=actor,
                at=at,
                previous=previous,
                examiner=examiner,
                automatic=automatic,
            )
            assignment.examiner_assigned(case=case, examiner=examiner, at=at, event_id=assigned.pk)
        notice = notices.notice_issue(case=case, event=event, actor=actor, at=at)
        outbox.case_event_recorded(event=event, notice=notice)
    return case


def case_assign(*, case: Case | int, actor: Actor, examiner: Any) -> Case:
    """Assign (or reassign) the examiner of an open case; not a state change."""
    at = timezone.now()
    with case_locked(case) as case:
        check_permission(
            actor,
            "cases.assign_case",
            case,
            _("You are not allowed to assign examiners on this case."),
        )
        if case.is_terminal:
            raise TransitionNotAllowed(
                _("The case is “%(state)s”: it can no longer be assigned.")
                % {"state": case.get_state_display()}
            )
        if examiner is not None:
            check_examiner(examiner, case)
        previous = case.examiner
        case.examiner = examiner
        case.save(update_fields=["examiner", "updated_at"])
        event = events.examiner_assigned_event(
            case=case, actor=actor, at=at, previous=previous, examiner=examiner
        )
        if examiner is not None and examiner != previous:
            assignment.examiner_assigned(case=case, examiner=examiner, at=at, event_id=event.pk)
    return case


def case_request_correction(
    *,
    case: Case | int,
    actor: Actor,
    note: str = "",
    public_note: str = "",
    due: date | None = None,
    documents: Sequence[str] = (),
    at: datetime | None = None,
) -> Case:
    """Ask the applicant for corrections (补正); the center's review clock pauses.

    ``public_note`` says what to correct: the applicant reads it on the status page, in
    the e-mail and on the correction notice. ``documents`` are the kinds of document to
    replace. ``due`` is the date given in the request; without it the correction rule
    applies.
    """
    at = now_or(at)
    with case_locked(case) as case:
        check_transition(case, "request_correction", actor)
        require_public_note("request_correction", public_note)
        if due is not None:
            check_correction_due(due, on=local_day(at))
        from_state = case.state
        case.request_correction()
        case.save(update_fields=["state", "updated_at"])
        clocks.timer_pause(case=case, step=Step.REVIEW, on=local_day(at))
        clocks.timer_open(case=case, step=Step.CORRECTION, start=local_day(at), due=due)
        clocks.case_refresh_deadlines(case=case)
        event = events.correction_requested_event(
            case=case,
            actor=actor,
            from_state=from_state,
            at=at,
            note=note,
            public_note=public_note,
        )
        correction_request_record(case=case, event=event, kinds=documents, at=at)
        notice = notices.notice_issue(case=case, event=event, actor=actor, at=at)
        outbox.case_event_recorded(event=event, notice=notice)
    return case


def check_correction_due(due: date, *, on: date) -> None:
    """A correction due date given by staff: not in the past, and at most
    ``CORRECTION_DUE_MAX_WORKDAYS`` working days after ``on`` (a later one is a typo)."""
    if due < on:
        raise InvalidInput(_("The correction due date is in the past."), field="due")
    limit = settings.CORRECTION_DUE_MAX_WORKDAYS
    latest = compute_due(
        on, get_work_calendar(), amount=limit, unit=Unit.WORKDAYS, counting=Counting.WORKDAY
    ).due
    if due > latest:
        raise InvalidInput(
            _(
                "The correction due date is more than %(limit)s working days away (the "
                "latest is %(latest)s)."
            )
            % {"limit": limit, "latest": latest.isoformat()},
            field="due",
        )


def check_step_day(day: date, *, at: datetime, started: date | None, field: str) -> None:
    """The date a step happened, as staff give it: never in the future, never before the
    step started."""
    if day > local_day(at):
        raise InvalidInput(_("The date cannot be in the future."), field=field)
    if started is not None and day < started:
        raise InvalidInput(
            _("The date is before the step started (%(date)s).") % {"date": started.isoformat()},
            field=field,
        )


def case_receive_correction(
    *,
    case: Case | int,
    actor: Actor,
    note: str = "",
    received_on: date | None = None,
    documents: Mapping[str, File] | None = None,
    at: datetime | None = None,
) -> Case:
    """The corrected application arrived: review resumes where it paused.

    ``received_on`` is the day it arrived (default today; not in the future nor before
    the request). ``documents`` (``{kind: file}``) are stored as new versions answering
    the correction request; every document the request named must have one, now or
    uploaded before.
    """
    at = now_or(at)
    with case_locked(case) as case:
        check_transition(case, "receive_correction", actor)
        if received_on is not None:
            correction = clocks.running_timer(case, Step.CORRECTION)
            check_step_day(
                received_on,
                at=at,
                started=correction.started_on if correction else None,
                field="received_on",
            )
        # The documents answering the request: stored first, then all named ones needed.
        request = CorrectionRequest.objects.filter(case=case).order_by("-created_at", "-id").first()
        for kind, file in (documents or {}).items():
            try:
                case_add_document(
                    case=case, kind=kind, file=file, actor=actor, answers=request, at=at
                )
            except InvalidInput as error:
                # The forms (admin, portal, API) name each upload ``file_<kind>``: the
                # refusal of a file goes to its own field.
                if error.field != "file":
                    raise
                raise InvalidInput(error.message, field=f"file_{kind}") from error
        if request is not None:
            missing = request.missing_kinds()
            if missing:
                raise InvalidInput(
                    _("The correction request asked for new versions of: %(kinds)s.")
                    % {"kinds": kind_labels(missing)},
                    field="documents",
                )
        from_state = case.state
        case.receive_correction()
        case.save(update_fields=["state", "updated_at"])
        day = received_on or local_day(at)
        clocks.timer_stop(case=case, step=Step.CORRECTION, on=day, at=at)
        clocks.timer_resume(case=case, step=Step.REVIEW, on=day)
        clocks.case_refresh_deadlines(case=case)
        event = events.correction_received_event(
            case=case,
            actor=actor,
            from_state=from_state,
            at=at,
            note=note,
            received_on=received_on,
        )
        outbox.case_event_recorded(event=event)
    return case


def case_qualify(
    *,
    case: Case | int,
    actor: Actor,
    note: str = "",
    public_note: str = "",
    at: datetime | None = None,
) -> Case:
    """Pre-examination qualified: the applicant must now file with CNIPA."""
    at = now_or(at)
    with case_locked(case) as case:
        check_transition(case, "qualify", actor)
        from_state = case.state
        case.qualify(at=at)
        case.save(update_fields=["state", "qualified_at", "updated_at"])
        clocks.timer_stop(case=case, step=Step.REVIEW, on=local_day(at), at=at)
        clocks.timer_open(case=case, step=Step.FILING, start=local_day(at))
        clocks.case_refresh_deadlines(case=case)
        event = events.case_qualified_event(
            case=case,
            actor=actor,
            from_state=from_state,
            at=at,
            note=note,
            public_note=public_note,
        )
        notice = notices.notice_issue(case=case, event=event, actor=actor, at=at)
        outbox.case_event_recorded(event=event, notice=notice)
    return case


def case_decline(
    *,
    case: Case | int,
    actor: Actor,
    note: str = "",
    public_note: str = "",
    at: datetime | None = None,
) -> Case:
    """Not accepted: outside the center's fields, or the entity is not eligible."""
    at = now_or(at)
    with case_locked(case) as case:
        check_transition(case, "decline", actor)
        require_public_note("decline", public_note)
        from_state = case.state
        case.decline(at=at)
        case.save(update_fields=["state", "closed_at", "updated_at"])
        clocks.timers_stop_all(case=case, on=local_day(at), at=at)
        clocks.case_refresh_deadlines(case=case)
        event = events.case_declined_event(
            case=case,
            actor=actor,
            from_state=from_state,
            at=at,
            note=note,
            public_note=public_note,
        )
        notice = notices.notice_issue(case=case, event=event, actor=actor, at=at)
        outbox.case_event_recorded(event=event, notice=notice)
    return case


def case_disqualify(
    *,
    case: Case | int,
    actor: Actor,
    note: str = "",
    public_note: str = "",
    at: datetime | None = None,
) -> Case:
    """Pre-examination unqualified: the case ends here."""
    at = now_or(at)
    with case_locked(case) as case:
        check_transition(case, "disqualify", actor)
        require_public_note("disqualify", public_note)
        from_state = case.state
        case.disqualify(at=at)
        case.save(update_fields=["state", "closed_at", "updated_at"])
        clocks.timers_stop_all(case=case, on=local_day(at), at=at)
        clocks.case_refresh_deadlines(case=case)
        event = events.case_disqualified_event(
            case=case,
            actor=actor,
            from_state=from_state,
            at=at,
            note=note,
            public_note=public_note,
        )
        notice = notices.notice_issue(case=case, event=event, actor=actor, at=at)
        outbox.case_event_recorded(event=event, notice=notice)
    return case


def case_lapse(
    *,
    case: Case | int,
    actor: Actor,
    note: str = "",
    public_note: str = "",
    override_reason: str = "",
    at: datetime | None = None,
) -> Case:
    """The applicant's period ran out: the case lapses, the applicant's clocks breached.

    ``public_note`` tells the applicant why (status page, e-mail); it is required. While
    the applicant's period is still running, the case lapses only with an
    ``override_reason`` (e.g. the applicant said in writing they will not file), which
    the event records; only those who may lapse cases (managers) get this far.
    """
    at = now_or(at)
    with case_locked(case) as case:
        check_transition(case, "lapse", actor)
        require_public_note("lapse", public_note)
        timer = clocks.applicant_timer(case)
        due_on = timer.due_on if timer is not None else None
        early = due_on is not None and local_day(at) <= due_on
        if early and not override_reason.strip():
            raise InvalidInput(
                _(
                    "The applicant has until %(due)s: a case lapses only after that. To lapse "
                    "it now, give the reason for doing so before the deadline."
                )
                % {"due": due_on.isoformat()},
                field="override_reason",
            )
        from_state = case.state
        case.lapse(at=at)
        case.save(update_fields=["state", "closed_at", "updated_at"])
        clocks.timers_stop_all(case=case, on=local_day(at), at=at, breached_party=Party.APPLICANT)
        clocks.case_refresh_deadlines(case=case)
        event = events.case_lapsed_event(
            case=case,
            actor=actor,
            from_state=from_state,
            at=at,
            note=note,
            public_note=public_note,
            override_reason=override_reason.strip() if early else "",
            due_on=due_on if early else None,
        )
        outbox.case_event_recorded(event=event)
    return case


def case_withdraw(
    *,
    case: Case | int,
    actor: Actor,
    note: str = "",
    public_note: str = "",
    at: datetime | None = None,
) -> Case:
    """Withdrawn at the applicant's request, before filing with CNIPA."""
    at = now_or(at)
    with case_locked(case) as case:
        check_transition(case, "withdraw", actor)
        from_state = case.state
        case.withdraw(at=at)
        case.save(update_fields=["state", "closed_at", "updated_at"])
        clocks.timers_stop_all(case=case, on=local_day(at), at=at)
        clocks.case_refresh_deadlines(case=case)
        event = events.case_withdrawn_event(
            case=case,
            actor=actor,
            from_state=from_state,
            at=at,
            note=note,
            public_note=public_note,
        )
        outbox.case_event_recorded(event=event)
    return case


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
