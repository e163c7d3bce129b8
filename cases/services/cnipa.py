"""Case services on CNIPA's side: filing, office actions, grant, rejection, registration."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from cases import appnumbers, deadlines
from cases.errors import InvalidInput
from cases.models import (
    Case,
    PatentType,
    Step,
    Timer,
)
from cases.services import clocks
from cases.services.transitions import (
    closing_service,
    local_day,
    now_or,
    run_transition,
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
    at = now_or(at)
    args: dict[str, Any] = {}

    def number_taken(number: str) -> InvalidInput:
        return InvalidInput(
            _("Application number %(number)s is already recorded on another case.")
            % {"number": number},
            field="application_number",
        )

    def prepare(c: Case) -> None:
        number = _parse_application_number(c, application_number)
        if filing_date is None:
            raise InvalidInput(_("The CNIPA filing date is required."), field="filing_date")
        if filing_date > local_day(at):
            raise InvalidInput(_("The filing date cannot be in the future."), field="filing_date")
        if c.qualified_at and filing_date < local_day(c.qualified_at):
            raise InvalidInput(
                _("The filing date cannot be before the case qualified (%(date)s).")
                % {"date": local_day(c.qualified_at).isoformat()},
                field="filing_date",
            )
        if int(number[:4]) != filing_date.year:
            raise InvalidInput(
                _("The application number's year does not match the filing date."),
                field="application_number",
            )
        if Case.objects.filter(application_number=number).exclude(pk=c.pk).exists():
            raise number_taken(number)
        args.update(application_number=number, filing_date=filing_date)

    def then(c: Case, on: date, at_: datetime) -> None:
        clocks.timer_stop(case=c, step=Step.FILING, on=filing_date, at=at_)
        clocks.timer_open(
            case=c,
            step=Step.BENCHMARK,
            start=filing_date,
            values=clocks.RuleValues(c.center.benchmark_days(c.patent_type), "days", "plain"),
        )

    try:
        return run_transition(
            case,
            "record_filing",
            actor=actor,
            at=at,
            note=note,
            args=args,
            occurred_on=filing_date,
            prepare=prepare,
            clocks_then=then,
        )
    except IntegrityError as error:
        # Another case took the number between the check and the save.
        raise number_taken(args.get("application_number", application_number)) from error


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
    at = now_or(at)

    def prepare(c: Case) -> None:
        if notice_date is None:
            raise InvalidInput(_("The notice date is required."), field="notice_date")
        if notice_date > local_day(at):
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

    return run_transition(
        case,
        "record_office_action",
        actor=actor,
        at=at,
        note=note,
        public_note=public_note,
        prepare=prepare,
        clocks_then=then,
        occurred_on=notice_date,
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
    at = now_or(at)

    def prepare(c: Case) -> None:
        if responded_on is None:
            return
        if responded_on > local_day(at):
            raise InvalidInput(
                _("The response date cannot be in the future."), field="responded_on"
            )
        # The benchmark paused on the office action's notice date.
        noticed = (
            Timer.objects.filter(case=c, step=Step.BENCHMARK, stopped_at__isnull=True)
            .values_list("paused_since", flat=True)
            .first()
        )
        if noticed is not None and responded_on < noticed:
            raise InvalidInput(
                _("The response date is before the office action's notice date (%(date)s).")
                % {"date": noticed.isoformat()},
                field="responded_on",
            )

    def then(c: Case, on: date, at_: datetime) -> None:
        day = responded_on or on
        clocks.timer_stop(case=c, step=Step.OFFICE_ACTION, on=day, at=at_)
        clocks.timer_resume(case=c, step=Step.BENCHMARK, on=day)

    return run_transition(
        case,
        "record_response",
        actor=actor,
        at=at,
        note=note,
        prepare=prepare,
        clocks_then=then,
        occurred_on=responded_on,
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
    at = now_or(at)
    args: dict[str, Any] = {}

    def prepare(c: Case) -> None:
        if notice_date is None:
            raise InvalidInput(_("The grant notice date is required."), field="notice_date")
        received = received_on or notice_date
        if notice_date > local_day(at):
            raise InvalidInput(_("The notice date cannot be in the future."), field="notice_date")
        if received > local_day(at):
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

    return run_transition(
        case,
        "record_grant_notice",
        actor=actor,
        at=at,
        note=note,
        public_note=public_note,
        args=args,
        prepare=prepare,
        clocks_then=then,
        occurred_on=notice_date,
    )


case_record_rejection = closing_service("record_rejection")
case_record_rejection.__doc__ = "CNIPA rejected the application: the case ends."
case_record_fast_track_exit = closing_service("record_fast_track_exit")
case_record_fast_track_exit.__doc__ = (
    "Late response, extension or voluntary amendment: the case leaves the fast track."
)
case_record_registration = closing_service("record_registration")
case_record_registration.__doc__ = "Registration completed (fee paid): the grant is announced."
