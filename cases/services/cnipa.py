"""Case services on CNIPA's side: filing, office actions, grant, rejection, registration."""

from __future__ import annotations

from datetime import date, datetime

from django.db import IntegrityError
from django.db.models import Min
from django.utils.translation import gettext as _

from cases import appnumbers, deadlines, events
from cases.actors import Actor
from cases.errors import InvalidInput, TransitionNotAllowed
from cases.models import (
    Case,
    CaseEvent,
    CaseState,
    PatentType,
    Step,
    Timer,
)
from cases.services import clocks, outbox
from cases.services.status_pages import status_pages_forget
from cases.services.transitions import (
    case_locked,
    check_permission,
    check_transition,
    local_day,
    now_or,
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


def _number_taken(number: str, case: Case) -> InvalidInput:
    """The refusal of a number already recorded, naming the case that has it (only by
    "another center's case" when it is not this center's: staff see their own only)."""
    other = (
        Case.objects.filter(application_number=number)
        .exclude(pk=case.pk)
        .values("reference", "center_id")
        .first()
    )
    if other is not None and other["center_id"] == case.center_id:
        message = _("Application number %(number)s is already recorded on case %(reference)s.") % {
            "number": number,
            "reference": other["reference"],
        }
    elif other is not None:
        message = _(
            "Application number %(number)s is already recorded on a case of another center."
        ) % {"number": number}
    else:
        message = _("Application number %(number)s is already recorded on another case.") % {
            "number": number
        }
    return InvalidInput(message, field="application_number")


def case_record_filing(
    *,
    case: Case | int,
    actor: Actor,
    application_number: str,
    filing_date: date | None,
    note: str = "",
    at: datetime | None = None,
) -> Case:
    """Filed with CNIPA: record the application number and filing date; the benchmark starts."""
    at = now_or(at)
    number = application_number
    try:
        with case_locked(case) as case:
            check_transition(case, "record_filing", actor)
            number = _parse_application_number(case, application_number)
            if filing_date is None:
                raise InvalidInput(_("The CNIPA filing date is required."), field="filing_date")
            if filing_date > local_day(at):
                raise InvalidInput(
                    _("The filing date cannot be in the future."), field="filing_date"
                )
            if case.qualified_at and filing_date < local_day(case.qualified_at):
                raise InvalidInput(
                    _("The filing date cannot be before the case qualified (%(date)s).")
                    % {"date": local_day(case.qualified_at).isoformat()},
                    field="filing_date",
                )
            if int(number[:4]) != filing_date.year:
                raise InvalidInput(
                    _("The application number's year does not match the filing date."),
                    field="application_number",
                )
            if Case.objects.filter(application_number=number).exclude(pk=case.pk).exists():
                raise _number_taken(number, case)
            from_state = case.state
            case.record_filing(application_number=number, filing_date=filing_date)
            case.save(
                update_fields=["state", "application_number", "cnipa_filing_date", "updated_at"]
            )
            clocks.timer_stop(case=case, step=Step.FILING, on=filing_date, at=at)
            clocks.timer_open(
                case=case,
                step=Step.BENCHMARK,
                start=filing_date,
                values=clocks.RuleValues(
                    case.center.benchmark_days(case.patent_type), "days", "plain"
                ),
            )
            clocks.case_refresh_deadlines(case=case)
            event = events.filing_recorded_event(
                case=case,
                actor=actor,
                from_state=from_state,
                at=at,
                note=note,
                filed_on=filing_date,
            )
            outbox.case_event_recorded(event=event)
    except IntegrityError as error:
        # Another case took the number between the check and the save.
        raise _number_taken(
            number, case if isinstance(case, Case) else Case.objects.get(pk=case)
        ) from error
    return case


def _check_office_action_notice(
    case: Case, notice_date: date | None, period_days: int | None, *, today: date
) -> None:
    """An office action's notice date and period, checked as recorded and as corrected."""
    if notice_date is None:
        raise InvalidInput(_("The notice date is required."), field="notice_date")
    if notice_date > today:
        raise InvalidInput(_("The notice date cannot be in the future."), field="notice_date")
    if case.cnipa_filing_date and notice_date < case.cnipa_filing_date:
        raise InvalidInput(
            _("The notice date is before the CNIPA filing date."), field="notice_date"
        )
    if period_days is not None and period_days <= 0:
        raise InvalidInput(_("The response period must be at least one day."), field="period_days")


def case_record_office_action(
    *,
    case: Case | int,
    actor: Actor,
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
    at = now_or(at)
    with case_locked(case) as case:
        check_transition(case, "record_office_action", actor)
        _check_office_action_notice(case, notice_date, period_days, today=local_day(at))
        if due is not None and due < notice_date:
            raise InvalidInput(_("The response due date is before the notice date."), field="due")
        from_state = case.state
        case.record_office_action()
        case.save(update_fields=["state", "updated_at"])
        clocks.timer_pause(case=case, step=Step.BENCHMARK, on=notice_date)
        values = None
        if period_days is not None:
            values = clocks.RuleValues(period_days, "days", "cnipa")
        clocks.timer_open(
            case=case,
            step=Step.OFFICE_ACTION,
            start=deadlines.deemed_delivery(notice_date, electronic=electronic),
            values=values,
            due=due,
        )
        clocks.case_refresh_deadlines(case=case)
        event = events.office_action_recorded_event(
            case=case,
            actor=actor,
            from_state=from_state,
            at=at,
            note=note,
            public_note=public_note,
            notice_date=notice_date,
        )
        outbox.case_event_recorded(event=event)
    return case


def case_record_response(
    *,
    case: Case | int,
    actor: Actor,
    responded_on: date | None = None,
    note: str = "",
    at: datetime | None = None,
) -> Case:
    """The applicant answered the office action: CNIPA's clock runs again."""
    at = now_or(at)
    with case_locked(case) as case:
        check_transition(case, "record_response", actor)
        if responded_on is not None:
            if responded_on > local_day(at):
                raise InvalidInput(
                    _("The response date cannot be in the future."), field="responded_on"
                )
            # The benchmark paused on the office action's notice date.
            noticed = (
                Timer.objects.filter(case=case, step=Step.BENCHMARK, stopped_at__isnull=True)
                .values_list("paused_since", flat=True)
                .first()
            )
            if noticed is not None and responded_on < noticed:
                raise InvalidInput(
                    _("The response date is before the office action's notice date (%(date)s).")
                    % {"date": noticed.isoformat()},
                    field="responded_on",
                )
        from_state = case.state
        case.record_response()
        case.save(update_fields=["state", "updated_at"])
        day = responded_on or local_day(at)
        clocks.timer_stop(case=case, step=Step.OFFICE_ACTION, on=day, at=at)
        clocks.timer_resume(case=case, step=Step.BENCHMARK, on=day)
        clocks.case_refresh_deadlines(case=case)
        event = events.response_recorded_event(
            case=case,
            actor=actor,
            from_state=from_state,
            at=at,
            note=note,
            responded_on=responded_on,
        )
        outbox.case_event_recorded(event=event)
    return case


def _grant_notice_dates(
    case: Case, notice_date: date | None, received_on: date | None, *, today: date
) -> date:
    """The day the grant notice was received (default: its date), checked as recorded
    and as corrected alike."""
    if notice_date is None:
        raise InvalidInput(_("The grant notice date is required."), field="notice_date")
    received = received_on or notice_date
    if notice_date > today:
        raise InvalidInput(_("The notice date cannot be in the future."), field="notice_date")
    if received > today:
        raise InvalidInput(_("The date received cannot be in the future."), field="received_on")
    if case.cnipa_filing_date and notice_date < case.cnipa_filing_date:
        raise InvalidInput(
            _("The grant notice is dated before the CNIPA filing date."), field="notice_date"
        )
    if received < notice_date:
        raise InvalidInput(
            _("The notice cannot be received before it was issued."), field="received_on"
        )
    return received


def case_record_grant_notice(
    *,
    case: Case | int,
    actor: Actor,
    notice_date: date | None,
    received_on: date | None = None,
    note: str = "",
    public_note: str = "",
    at: datetime | None = None,
) -> Case:
    """Grant and registration notices issued: the benchmark stops, registration is due."""
    at = now_or(at)
    with case_locked(case) as case:
        check_transition(case, "record_grant_notice", actor)
        received = _grant_notice_dates(case, notice_date, received_on, today=local_day(at))
        from_state = case.state
        case.record_grant_notice(notice_date=notice_date, received_on=received)
        benchmark = clocks.timer_stop(case=case, step=Step.BENCHMARK, on=notice_date, at=at)
        if case.cnipa_filing_date is not None:
            gross = (notice_date - case.cnipa_filing_date).days
            case.benchmark_gross_days = gross
            case.benchmark_net_days = gross - (benchmark.paused_days if benchmark else 0)
        case.save(
            update_fields=[
                "state",
                "grant_notice_date",
                "grant_notice_received_on",
                "benchmark_gross_days",
                "benchmark_net_days",
                "updated_at",
            ]
        )
        clocks.timer_open(case=case, step=Step.REGISTRATION, start=received)
        clocks.case_refresh_deadlines(case=case)
        event = events.grant_notice_recorded_event(
            case=case,
            actor=actor,
            from_state=from_state,
            at=at,
            note=note,
            public_note=public_note,
            notice_date=notice_date,
        )
        outbox.case_event_recorded(event=event)
    return case


def case_record_rejection(
    *,
    case: Case | int,
    actor: Actor,
    note: str = "",
    public_note: str = "",
    at: datetime | None = None,
) -> Case:
    """CNIPA rejected the application: the case ends."""
    at = now_or(at)
    with case_locked(case) as case:
        check_transition(case, "record_rejection", actor)
        from_state = case.state
        case.record_rejection(at=at)
        case.save(update_fields=["state", "closed_at", "updated_at"])
        clocks.timers_stop_all(case=case, on=local_day(at), at=at)
        clocks.case_refresh_deadlines(case=case)
        event = events.rejection_recorded_event(
            case=case,
            actor=actor,
            from_state=from_state,
            at=at,
            note=note,
            public_note=public_note,
        )
        outbox.case_event_recorded(event=event)
    return case


def case_record_fast_track_exit(
    *,
    case: Case | int,
    actor: Actor,
    note: str = "",
    public_note: str = "",
    at: datetime | None = None,
) -> Case:
    """Late response, extension or voluntary amendment: the case leaves the fast track."""
    at = now_or(at)
    with case_locked(case) as case:
        check_transition(case, "record_fast_track_exit", actor)
        from_state = case.state
        case.record_fast_track_exit(at=at)
        case.save(update_fields=["state", "closed_at", "updated_at"])
        clocks.timers_stop_all(case=case, on=local_day(at), at=at)
        clocks.case_refresh_deadlines(case=case)
        event = events.fast_track_exit_recorded_event(
            case=case,
            actor=actor,
            from_state=from_state,
            at=at,
            note=note,
            public_note=public_note,
        )
        outbox.case_event_recorded(event=event)
    return case


def case_record_registration(
    *,
    case: Case | int,
    actor: Actor,
    note: str = "",
    public_note: str = "",
    registered_on: date | None = None,
    at: datetime | None = None,
) -> Case:
    """Registration completed (fee paid): the grant is announced.

    ``registered_on`` is the day it was completed (default today; not in the future nor
    before the grant notice was received)."""
    at = now_or(at)
    with case_locked(case) as case:
        check_transition(case, "record_registration", actor)
        if registered_on is not None:
            if registered_on > local_day(at):
                raise InvalidInput(
                    _("The registration date cannot be in the future."), field="registered_on"
                )
            received = case.grant_notice_received_on or case.grant_notice_date
            if received is not None and registered_on < received:
                raise InvalidInput(
                    _("The registration date is before the grant notice was received (%(date)s).")
                    % {"date": received.isoformat()},
                    field="registered_on",
                )
        from_state = case.state
        case.record_registration(at=at)
        case.save(update_fields=["state", "closed_at", "updated_at"])
        clocks.timers_stop_all(case=case, on=registered_on or local_day(at), at=at)
        clocks.case_refresh_deadlines(case=case)
        event = events.registration_recorded_event(
            case=case,
            actor=actor,
            from_state=from_state,
            at=at,
            note=note,
            public_note=public_note,
            registered_on=registered_on,
        )
        outbox.case_event_recorded(event=event)
    return case


def case_correct_application_number(
    *,
    case: Case | int,
    actor: Actor,
    application_number: str,
    note: str,
    at: datetime | None = None,
) -> Case:
    """Correct the application number recorded (by staff, or reported online by the
    applicant) with the same checks as the filing; the reason goes with the event."""
    at = now_or(at)
    number = application_number
    try:
        with case_locked(case) as case:
            _check_may_correct(actor, case)
            if not case.application_number:
                raise TransitionNotAllowed(_("No CNIPA filing is recorded on this case yet."))
            if not note.strip():
                raise InvalidInput(_("Say why the number is corrected."), field="note")
            number = _parse_application_number(case, application_number)
            if case.cnipa_filing_date and int(number[:4]) != case.cnipa_filing_date.year:
                raise InvalidInput(
                    _("The application number's year does not match the filing date."),
                    field="application_number",
                )
            if number == case.application_number:
                raise InvalidInput(
                    _("That is the number already recorded."), field="application_number"
                )
            if Case.objects.filter(application_number=number).exclude(pk=case.pk).exists():
                raise _number_taken(number, case)
            previous = case.application_number
            case.application_number = number
            case.save(update_fields=["application_number", "updated_at"])
            status_pages_forget(case_id=case.pk)
            events.application_number_corrected_event(
                case=case, actor=actor, at=at, previous=previous, note=note.strip()
            )
    except IntegrityError as error:
        raise _number_taken(
            number, case if isinstance(case, Case) else Case.objects.get(pk=case)
        ) from error
    return case


# Correcting what was reported: a CNIPA date recorded wrongly (by staff, or reported online
# by the applicant) moves the clocks that count from it, as recording it did.


def _check_may_correct(actor: Actor, case: Case) -> None:
    check_permission(
        actor,
        "cases.correct_cnipa_record",
        case,
        _("You are not allowed to correct the CNIPA data of this case."),
    )


def _require_reason(note: str) -> str:
    if not note.strip():
        raise InvalidInput(_("Say why it is corrected."), field="note")
    return note.strip()


def _recount_benchmark(case: Case, benchmark: Timer | None) -> None:
    """The benchmark's gross and net days, as ``case_record_grant_notice`` records them."""
    if case.grant_notice_date is None or case.cnipa_filing_date is None:
        return
    gross = (case.grant_notice_date - case.cnipa_filing_date).days
    case.benchmark_gross_days = gross
    case.benchmark_net_days = gross - (benchmark.paused_days if benchmark else 0)


def case_correct_filing_date(
    *,
    case: Case | int,
    actor: Actor,
    filing_date: date | None,
    note: str,
    at: datetime | None = None,
) -> Case:
    """Correct the CNIPA filing date recorded, with the filing's checks; the benchmark
    counts from the new date by the values it started with, keeping the office-action
    time already paused (and, once the grant notice is in, its outcome and days follow)."""
    at = now_or(at)
    with case_locked(case) as case:
        _check_may_correct(actor, case)
        if case.cnipa_filing_date is None:
            raise TransitionNotAllowed(_("No CNIPA filing is recorded on this case yet."))
        if case.is_terminal:
            raise TransitionNotAllowed(
                _("The case is closed: its CNIPA dates can no longer be corrected.")
            )
        note = _require_reason(note)
        if filing_date is None:
            raise InvalidInput(_("The CNIPA filing date is required."), field="filing_date")
        if filing_date == case.cnipa_filing_date:
            raise InvalidInput(_("That is the date already recorded."), field="filing_date")
        if filing_date > local_day(at):
            raise InvalidInput(_("The filing date cannot be in the future."), field="filing_date")
        if case.qualified_at and filing_date < local_day(case.qualified_at):
            raise InvalidInput(
                _("The filing date cannot be before the case qualified (%(date)s).")
                % {"date": local_day(case.qualified_at).isoformat()},
                field="filing_date",
            )
        if case.application_number and int(case.application_number[:4]) != filing_date.year:
            raise InvalidInput(
                _(
                    "The application number %(number)s is of %(year)s: correct the number "
                    "first if the filing date is in another year."
                )
                % {"number": case.application_number, "year": case.application_number[:4]},
                field="filing_date",
            )
        first_action = CaseEvent.objects.filter(
            case=case, transition="record_office_action"
        ).aggregate(day=Min("occurred_on"))["day"]
        if first_action is not None and filing_date > first_action:
            raise InvalidInput(
                _("The filing date cannot be after the office action's notice date (%(date)s).")
                % {"date": first_action.isoformat()},
                field="filing_date",
            )
        if case.grant_notice_date is not None and filing_date > case.grant_notice_date:
            raise InvalidInput(
                _("The filing date cannot be after the grant notice's date (%(date)s).")
                % {"date": case.grant_notice_date.isoformat()},
                field="filing_date",
            )
        previous = case.cnipa_filing_date
        case.cnipa_filing_date = filing_date
        filing = clocks.last_timer(case, Step.FILING)
        if filing is not None and filing.stopped_at is not None:
            clocks.timer_restop(timer=filing, on=filing_date)
        benchmark = clocks.last_timer(case, Step.BENCHMARK)
        if benchmark is not None:
            clocks.timer_restart(timer=benchmark, start=filing_date, today=local_day(at))
            if benchmark.stopped_at is not None:
                clocks.timer_restop(timer=benchmark, on=benchmark.stopped_on or filing_date)
        _recount_benchmark(case, benchmark)
        case.save(
            update_fields=[
                "cnipa_filing_date",
                "benchmark_gross_days",
                "benchmark_net_days",
                "updated_at",
            ]
        )
        clocks.case_refresh_deadlines(case=case)
        events.filing_date_corrected_event(
            case=case, actor=actor, at=at, previous=previous, note=note
        )
    return case


def case_correct_office_action(
    *,
    case: Case | int,
    actor: Actor,
    notice_date: date | None,
    note: str,
    period_days: int | None = None,
    due: date | None = None,
    electronic: bool = True,
    at: datetime | None = None,
) -> Case:
    """Correct the office action awaiting its response: its notice date (the benchmark is
    paused from it) and the response clock, counted again from the deemed delivery as on
    recording. ``due`` sets the date printed on the notice; ``period_days`` a new period;
    neither keeps what was recorded (the period, or the printed date)."""
    at = now_or(at)
    with case_locked(case) as case:
        _check_may_correct(actor, case)
        if case.state != CaseState.OFFICE_ACTION:
            raise TransitionNotAllowed(
                _("Only an office action still awaiting its response can be corrected.")
            )
        note = _require_reason(note)
        _check_office_action_notice(case, notice_date, period_days, today=local_day(at))
        answered = (
            case.timers.filter(step=Step.OFFICE_ACTION, stopped_at__isnull=False)
            .order_by("-stopped_on")
            .values_list("stopped_on", flat=True)
            .first()
        )
        if answered is not None and notice_date < answered:
            raise InvalidInput(
                _(
                    "The notice date is before the response to the previous office action (%(date)s)."
                )
                % {"date": answered.isoformat()},
                field="notice_date",
            )
        response = clocks.running_timer(case, Step.OFFICE_ACTION)
        benchmark = clocks.running_timer(case, Step.BENCHMARK)
        if response is None:
            raise TransitionNotAllowed(_("No office-action response clock is running."))
        previous_notice = benchmark.paused_since if benchmark is not None else None
        previous_due = response.due_on
        values = None
        if period_days is not None:
            values = clocks.RuleValues(period_days, "days", "cnipa")
        elif due is None and response.due_on != clocks.rule_due(response):
            due = response.due_on  # the date printed on the notice, as recorded
        if due is not None and due < notice_date:
            raise InvalidInput(_("The response due date is before the notice date."), field="due")
        start = deadlines.deemed_delivery(notice_date, electronic=electronic)
        unchanged = (
            notice_date == previous_notice
            and start == response.started_on
            and (values is None or values.amount == response.amount)
            and (due is None or due == response.due_on)
        )
        if unchanged:
            raise InvalidInput(
                _("That is the office action already recorded."), field="notice_date"
            )
        if benchmark is not None:
            clocks.timer_repause(timer=benchmark, on=notice_date)
        clocks.timer_restart(
            timer=response, start=start, today=local_day(at), values=values, due=due
        )
        case.save(update_fields=["updated_at"])
        clocks.case_refresh_deadlines(case=case)
        events.office_action_corrected_event(
            case=case,
            actor=actor,
            at=at,
            previous_notice=previous_notice,
            notice_date=notice_date,
            previous_due=previous_due,
            due=response.due_on,
            note=note,
        )
    return case


def case_correct_grant_notice(
    *,
    case: Case | int,
    actor: Actor,
    notice_date: date | None,
    note: str,
    received_on: date | None = None,
    at: datetime | None = None,
) -> Case:
    """Correct the grant notice awaiting registration: its date (the benchmark stopped
    on it: outcome and days follow) and the day it was received (registration is due 2
    months from it, by the values the clock started with)."""
    at = now_or(at)
    with case_locked(case) as case:
        _check_may_correct(actor, case)
        if case.state != CaseState.GRANT_NOTIFIED:
            raise TransitionNotAllowed(
                _("Only a grant notice still awaiting registration can be corrected.")
            )
        note = _require_reason(note)
        received = _grant_notice_dates(case, notice_date, received_on, today=local_day(at))
        answered = (
            case.timers.filter(step=Step.OFFICE_ACTION, stopped_at__isnull=False)
            .order_by("-stopped_on")
            .values_list("stopped_on", flat=True)
            .first()
        )
        if answered is not None and notice_date < answered:
            raise InvalidInput(
                _("The grant notice is dated before the office-action response (%(date)s).")
                % {"date": answered.isoformat()},
                field="notice_date",
            )
        if notice_date == case.grant_notice_date and received == case.grant_notice_received_on:
            raise InvalidInput(_("That is the grant notice already recorded."), field="notice_date")
        previous_notice = case.grant_notice_date
        previous_received = case.grant_notice_received_on
        case.grant_notice_date = notice_date
        case.grant_notice_received_on = received
        benchmark = clocks.last_timer(case, Step.BENCHMARK)
        if benchmark is not None and benchmark.stopped_at is not None:
            clocks.timer_restop(timer=benchmark, on=notice_date)
        _recount_benchmark(case, benchmark)
        case.save(
            update_fields=[
                "grant_notice_date",
                "grant_notice_received_on",
                "benchmark_gross_days",
                "benchmark_net_days",
                "updated_at",
            ]
        )
        registration = clocks.running_timer(case, Step.REGISTRATION)
        if registration is not None:
            clocks.timer_restart(timer=registration, start=received, today=local_day(at))
        clocks.case_refresh_deadlines(case=case)
        events.grant_notice_corrected_event(
            case=case,
            actor=actor,
            at=at,
            previous_notice=previous_notice,
            previous_received=previous_received,
            note=note,
        )
    return case
