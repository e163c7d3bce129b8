"""Clocks opened, paused and stopped by the services; rules, estimates and the benchmark."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from cases import calendar, services
from cases import errors as services_errors
from cases.appnumbers import make_application_number
from cases.deadlines import add_workdays
from cases.models import CalendarYear, Case, CaseState, Step, TimeLimitRule, Timer
from tests import factories

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(y: int, m: int, d: int, hour: int = 10) -> datetime:
    return datetime(y, m, d, hour, tzinfo=SHANGHAI)


def timer(case: Case, step: str) -> Timer:
    return Timer.objects.filter(case=case, step=step).latest("id")


def accepted_case(submitted: datetime, accepted: datetime) -> Case:
    case = submitted_case(submitted)
    return services.case_accept(case=case, actor=factories.staff_of(case), at=accepted)


def submitted_case(on: datetime, **kwargs) -> Case:
    """A case registered on ``on`` with the documents that accepting it needs."""
    entity = factories.make_entity(factories.make_center())
    patent_type = kwargs.get("patent_type", "invention")
    case = services.case_submit(
        actor=factories.staff_of(entity),
        entity=entity,
        patent_type=patent_type,
        title="Graphene composite",
        classification="14-02" if patent_type == "design" else "C08K 3/04",
        at=on,
    )
    factories.add_documents(case, at=on)
    return case


@pytest.mark.django_db
def test_submission_opens_the_acceptance_clock():
    case = submitted_case(at(2025, 1, 23))  # Thu
    clock = timer(case, Step.ACCEPTANCE)
    assert clock.party == "center"
    assert clock.due_on == date(2025, 1, 26)  # Thu + 2 working days -> Sun, an adjusted working day
    assert case.next_due_on == date(2025, 1, 26)
    assert not clock.estimated


@pytest.mark.django_db
def test_accept_stops_acceptance_and_opens_review():
    case = submitted_case(at(2025, 1, 24))  # Fri
    case = services.case_accept(case=case, actor=factories.staff_of(case), at=at(2025, 1, 24, 15))
    acceptance = timer(case, Step.ACCEPTANCE)
    review = timer(case, Step.REVIEW)
    assert acceptance.outcome == Timer.Outcome.MET and acceptance.stopped_on == date(2025, 1, 24)
    # Fri 2025-01-24 + 5 working days: Sun 26 (adjusted), Mon 27, then Spring Festival
    # (Tue 28 Jan - Tue 4 Feb off), Wed 5, Thu 6, Fri 7 -> Fri 2025-02-07
    assert review.due_on == date(2025, 2, 7)
    assert review.warn_on == date(2025, 2, 6)  # 4 of 5 working days used
    assert case.next_due_on == date(2025, 2, 7)


@pytest.mark.django_db
def test_correction_pauses_the_review_clock_by_the_working_days_waited():
    baseline = accepted_case(at(2025, 3, 3), at(2025, 3, 4))
    case = accepted_case(at(2025, 3, 3), at(2025, 3, 4))
    base_due = timer(baseline, Step.REVIEW).due_on
    assert base_due == date(2025, 3, 11)  # Tue 03-04 + 5 working days -> Tue 03-11

    case = services.case_request_correction(
        case=case, actor=factories.staff_of(case), public_note="Fix claim 2.", at=at(2025, 3, 5)
    )  # Wed
    review = timer(case, Step.REVIEW)
    assert review.paused_since == date(2025, 3, 5)
    correction = timer(case, Step.CORRECTION)
    assert correction.party == "applicant" and correction.due_on == date(2025, 3, 12)
    assert case.next_due_on == date(2025, 3, 12)  # the paused center clock does not count

    case = services.case_receive_correction(
        case=case, actor=factories.staff_of(case), at=at(2025, 3, 10)
    )  # Mon
    review = timer(case, Step.REVIEW)
    # waited Thu, Fri, Mon = 3 working days: the review now ends 3 working days later
    assert review.paused_days == 3
    assert review.due_on == date(2025, 3, 14)
    assert review.due_on == add_workdays(base_due, 3, calendar.get_work_calendar())
    assert timer(case, Step.CORRECTION).outcome == Timer.Outcome.MET


@pytest.mark.django_db
def test_correction_due_date_from_the_request():
    case = accepted_case(at(2025, 3, 3), at(2025, 3, 4))
    case = services.case_request_correction(
        case=case,
        actor=factories.staff_of(case),
        public_note="Fix claim 2.",
        due=date(2025, 3, 20),
        at=at(2025, 3, 5),
    )
    assert timer(case, Step.CORRECTION).due_on == date(2025, 3, 20)


@pytest.mark.django_db
def test_rule_changes_do_not_move_running_clocks():
    first = accepted_case(at(2025, 3, 3), at(2025, 3, 4))
    TimeLimitRule.objects.create(
        center=first.center,
        step=Step.REVIEW,
        patent_type="",
        amount=10,
        unit="workdays",
        counting="workday",
    )
    running = timer(first, Step.REVIEW)
    assert (running.due_on, running.amount) == (date(2025, 3, 11), 5)
    second = factories.make_entity(first.center)
    later = services.case_submit(
        actor=factories.staff_of(second),
        entity=second,
        patent_type="invention",
        title="t",
        classification="C08K 3/04",
        at=at(2025, 3, 3),
    )
    factories.add_documents(later)
    later = services.case_accept(case=later, actor=factories.staff_of(later), at=at(2025, 3, 4))
    assert timer(later, Step.REVIEW).due_on == date(2025, 3, 18)  # Tue + 10 working days
    assert Timer.objects.get(pk=running.pk).due_on == date(2025, 3, 11)


@pytest.mark.django_db
def test_patent_type_rule_wins_over_the_center_rule():
    case = submitted_case(at(2025, 3, 3), patent_type="design")
    TimeLimitRule.objects.create(
        center=case.center,
        step=Step.REVIEW,
        patent_type="",
        amount=5,
        unit="workdays",
        counting="workday",
    )
    TimeLimitRule.objects.create(
        center=case.center,
        step=Step.REVIEW,
        patent_type="design",
        amount=3,
        unit="workdays",
        counting="workday",
    )
    design = services.case_submit(
        actor=factories.staff_of(case),
        entity=case.entity,
        patent_type="design",
        title="Lamp",
        classification="14-02",
        at=at(2025, 3, 3),
    )
    factories.add_documents(design)
    design = services.case_accept(case=design, actor=factories.staff_of(design), at=at(2025, 3, 4))
    assert timer(design, Step.REVIEW).due_on == date(2025, 3, 7)  # Tue + 3 working days


@pytest.mark.django_db
def test_year_without_calendar_data_gives_a_flagged_estimate():
    CalendarYear.objects.filter(year=2025).update(complete=False)
    calendar.calendar_changed()
    case = submitted_case(at(2025, 1, 24))  # Fri; the real next working day is Sun 01-26
    clock = timer(case, Step.ACCEPTANCE)
    assert clock.estimated is True
    assert clock.due_on == date(2025, 1, 28)  # weekdays only: Mon 27, Tue 28
    assert Case.objects.get(pk=case.pk).calendar_estimated is True


@pytest.mark.django_db
def test_known_year_is_not_estimated():
    case = submitted_case(at(2025, 1, 24))
    assert timer(case, Step.ACCEPTANCE).estimated is False
    assert Case.objects.get(pk=case.pk).calendar_estimated is False


def _filed_case(filing: date) -> Case:
    case = submitted_case(at(filing.year, filing.month, 1))
    case = services.case_accept(
        case=case,
        actor=factories.staff_of(case),
        at=at(filing.year, filing.month, 1, 11),
    )
    case = services.case_qualify(
        case=case, actor=factories.staff_of(case), at=at(filing.year, filing.month, 1, 12)
    )
    number = make_application_number(filing.year, 1, case.pk)
    return services.case_record_filing(
        case=case,
        actor=factories.staff_of(case),
        application_number=str(number),
        filing_date=filing,
        at=at(filing.year, filing.month, filing.day, 16),
    )


@pytest.mark.django_db
def test_filing_starts_the_benchmark_clock():
    case = _filed_case(date(2025, 6, 3))
    benchmark = timer(case, Step.BENCHMARK)
    assert benchmark.party == "office"
    assert benchmark.due_on == date(2025, 7, 2)  # 29 calendar days after filing
    assert timer(case, Step.FILING).outcome == Timer.Outcome.MET


@pytest.mark.django_db
def test_office_action_due_from_the_notice_period():
    case = _filed_case(date(2025, 9, 1))
    # notice Tue 2025-09-23 + 10 days -> Fri 10-03, inside the National Day holiday
    # (Wed 10-01 to Wed 10-08): the expiry moves to the first working day, Thu 10-09.
    case = services.case_record_office_action(
        case=case,
        actor=factories.staff_of(case),
        notice_date=date(2025, 9, 23),
        at=at(2025, 9, 23, 17),
    )
    response = timer(case, Step.OFFICE_ACTION)
    assert response.due_on == date(2025, 10, 9)
    assert timer(case, Step.BENCHMARK).paused_since == date(2025, 9, 23)


@pytest.mark.django_db
def test_office_action_by_mail_counts_from_deemed_delivery():
    case = _filed_case(date(2025, 6, 2))
    case = services.case_record_office_action(
        case=case,
        actor=factories.staff_of(case),
        notice_date=date(2025, 6, 10),
        electronic=False,
        period_days=10,
        at=at(2025, 6, 10, 17),
    )
    # dispatched Tue 06-10, deemed delivered Wed 06-25, + 10 days -> Sat 07-05 -> Mon 07-07
    assert timer(case, Step.OFFICE_ACTION).due_on == date(2025, 7, 7)


@pytest.mark.django_db
def test_office_action_explicit_due_date():
    case = _filed_case(date(2025, 6, 2))
    case = services.case_record_office_action(
        case=case,
        actor=factories.staff_of(case),
        notice_date=date(2025, 6, 10),
        due=date(2025, 6, 30),
        at=at(2025, 6, 10, 17),
    )
    assert timer(case, Step.OFFICE_ACTION).due_on == date(2025, 6, 30)


@pytest.mark.django_db
def test_benchmark_gross_and_net_of_applicant_time():
    case = _filed_case(date(2025, 6, 2))
    case = services.case_record_office_action(
        case=case,
        actor=factories.staff_of(case),
        notice_date=date(2025, 6, 7),
        at=at(2025, 6, 7, 17),
    )
    case = services.case_record_response(
        case=case,
        actor=factories.staff_of(case),
        responded_on=date(2025, 6, 10),
        at=at(2025, 6, 10, 17),
    )
    benchmark = timer(case, Step.BENCHMARK)
    assert benchmark.paused_days == 3
    assert benchmark.due_on == date(2025, 7, 4)  # 07-01 moved on by the 3 paused days
    case = services.case_record_grant_notice(
        case=case,
        actor=factories.staff_of(case),
        notice_date=date(2025, 6, 22),
        received_on=date(2025, 6, 23),
        at=at(2025, 6, 23, 9),
    )
    assert (case.benchmark_gross_days, case.benchmark_net_days) == (20, 17)
    benchmark = timer(case, Step.BENCHMARK)
    assert benchmark.outcome == Timer.Outcome.MET and benchmark.stopped_on == date(2025, 6, 22)
    registration = timer(case, Step.REGISTRATION)
    assert registration.due_on == date(
        2025, 8, 25
    )  # received 06-23 + 2 months = Sat 08-23 -> Mon 08-25


@pytest.mark.django_db
def test_benchmark_missed_is_breached():
    case = _filed_case(date(2025, 3, 3))
    case = services.case_record_grant_notice(
        case=case,
        actor=factories.staff_of(case),
        notice_date=date(2025, 4, 30),
        at=at(2025, 4, 30, 9),
    )
    assert timer(case, Step.BENCHMARK).outcome == Timer.Outcome.BREACHED
    assert case.benchmark_gross_days == 58


@pytest.mark.django_db
def test_terminal_states_stop_every_clock():
    case = factories.make_case(CaseState.OFFICE_ACTION)
    assert Timer.objects.filter(case=case, stopped_at__isnull=True).count() == 2
    case = services.case_record_fast_track_exit(case=case, actor=factories.staff_of(case))
    assert Timer.objects.filter(case=case, stopped_at__isnull=True).count() == 0
    assert (case.next_due_on, case.at_risk_since, case.overdue_since) == (None, None, None)


@pytest.mark.django_db
def test_lapse_breaches_the_applicant_clock():
    case = factories.make_case(CaseState.QUALIFIED)
    case = services.case_lapse(
        case=case,
        actor=factories.staff_of(case),
        **factories.transition_kwargs("lapse", case, None),
    )
    assert timer(case, Step.FILING).outcome == Timer.Outcome.BREACHED


@pytest.mark.django_db
def test_case_summary_tracks_the_earliest_running_clock():
    case = factories.make_case(CaseState.OFFICE_ACTION)
    running = Timer.objects.filter(case=case, stopped_at__isnull=True, paused_since__isnull=True)
    assert case.next_due_on == min(t.due_on for t in running)
    assert running.count() == 1  # the benchmark is paused while the applicant answers


@pytest.mark.django_db
def test_a_correction_due_date_given_into_a_year_without_data_is_marked_estimated():
    CalendarYear.objects.filter(year=2026).update(complete=False)
    calendar.calendar_changed()
    case = accepted_case(at(2025, 12, 15), at(2025, 12, 16))
    case = services.case_request_correction(
        case=case,
        actor=factories.staff_of(case),
        public_note="Renumber the claims.",
        due=date(2026, 1, 9),
        at=at(2025, 12, 17),
    )
    assert timer(case, Step.CORRECTION).estimated is True
    assert Case.objects.get(pk=case.pk).calendar_estimated is True


@pytest.mark.django_db
def test_a_correction_due_date_given_within_known_years_is_not_estimated():
    case = accepted_case(at(2025, 12, 1), at(2025, 12, 2))
    case = services.case_request_correction(
        case=case,
        actor=factories.staff_of(case),
        public_note="Renumber the claims.",
        due=date(2025, 12, 12),
        at=at(2025, 12, 3),
    )
    assert timer(case, Step.CORRECTION).estimated is False


@pytest.mark.django_db
def test_the_correction_due_date_has_an_upper_limit(settings):
    settings.CORRECTION_DUE_MAX_WORKDAYS = 5
    case = accepted_case(at(2025, 3, 3), at(2025, 3, 4))  # Tue
    with pytest.raises(services_errors.InvalidInput) as raised:
        services.case_request_correction(
            case=case,
            actor=factories.staff_of(case),
            public_note="x",
            due=date(2025, 3, 13),  # 6 working days after Wed 03-05
            at=at(2025, 3, 5),
        )
    assert raised.value.field == "due"
    assert "2025-03-12" in str(raised.value)
    case = services.case_request_correction(
        case=case,
        actor=factories.staff_of(case),
        public_note="x",
        due=date(2025, 3, 12),
        at=at(2025, 3, 5),
    )
    assert timer(case, Step.CORRECTION).due_on == date(2025, 3, 12)


def _correction_case() -> Case:
    case = accepted_case(at(2025, 3, 3), at(2025, 3, 4))
    return services.case_request_correction(
        case=case, actor=factories.staff_of(case), public_note="x", at=at(2025, 3, 5)
    )


@pytest.mark.django_db
def test_correction_received_on_the_day_it_arrived():
    case = _correction_case()
    case = services.case_receive_correction(
        case=case, actor=factories.staff_of(case), received_on=date(2025, 3, 7), at=at(2025, 3, 10)
    )
    assert timer(case, Step.CORRECTION).stopped_on == date(2025, 3, 7)
    assert case.events.get(transition="receive_correction").occurred_on == date(2025, 3, 7)
    assert timer(case, Step.REVIEW).paused_since is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("received", "message"),
    [(date(2025, 3, 11), "future"), (date(2025, 3, 4), "before the step started (2025-03-05)")],
)
def test_correction_received_on_is_never_in_the_future_nor_before_the_request(
    received, message, english
):
    case = _correction_case()
    with pytest.raises(services_errors.InvalidInput, match=r"\(2025-03-05\)|future") as raised:
        services.case_receive_correction(
            case=case, actor=factories.staff_of(case), received_on=received, at=at(2025, 3, 10)
        )
    assert raised.value.field == "received_on"
    assert message in str(raised.value)
    assert Case.objects.get(pk=case.pk).state == CaseState.CORRECTION_REQUESTED


@pytest.mark.django_db
def test_registration_recorded_on_the_day_it_was_completed(english):
    case = factories.make_case(CaseState.GRANT_NOTIFIED)
    received = case.grant_notice_received_on
    with pytest.raises(services_errors.InvalidInput) as raised:
        services.case_record_registration(
            case=case,
            actor=factories.staff_of(case),
            registered_on=date.fromordinal(received.toordinal() - 1),
        )
    assert raised.value.field == "registered_on"
    case = services.case_record_registration(
        case=case, actor=factories.staff_of(case), registered_on=received
    )
    assert case.events.get(transition="record_registration").occurred_on == received
    assert timer(case, Step.REGISTRATION).stopped_on == received
