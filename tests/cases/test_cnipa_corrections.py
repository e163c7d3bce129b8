"""Correcting a CNIPA date reported wrongly (services.cnipa.case_correct_*): every
refusal, the clocks that count from it moved, the event, the sweep's flags; the admin's
forms on the case page."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.actors import Actor
from cases.errors import InvalidInput, PermissionDenied, TransitionNotAllowed
from cases.models import Case, CaseEvent, CaseState, Role, Step, Timer
from cases.services import sweep
from tests.factories import make_case, make_center, make_portal_user, make_user, staff_of

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


def clock(case: Case, step: str) -> Timer:
    return Timer.objects.filter(case=case, step=step).latest("id")


def fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


# Submitted Mon 2026-03-02, one step a day: accepted 03-03, qualified 03-04, filed 03-05,
# then the office action or the grant notice on 03-06.
START = at(date(2026, 3, 2))
LATER = at(date(2026, 3, 25))


def refusal(service, case: Case, **kwargs) -> InvalidInput:
    kwargs.setdefault("note", "Misread the receipt.")
    with pytest.raises(InvalidInput) as error:
        service(case=case, actor=staff_of(case), at=LATER, **kwargs)
    return error.value


# The filing date


def test_correcting_the_filing_date_moves_the_benchmark_and_the_filing_clock(english):
    case = make_case(CaseState.FILED, start=START)
    benchmark = clock(case, Step.BENCHMARK)
    version = case.status_version
    assert (benchmark.started_on, benchmark.amount, benchmark.counting) == (
        date(2026, 3, 5),
        29,
        "plain",
    )

    services.case_correct_filing_date(
        case=case,
        actor=staff_of(case, Role.INTAKE_CLERK),
        filing_date=date(2026, 3, 4),
        note="The receipt says 4 March.",
        at=LATER,
    )

    case = fresh(case)
    assert case.cnipa_filing_date == date(2026, 3, 4)
    moved = clock(case, Step.BENCHMARK)
    assert moved.started_on == date(2026, 3, 4)
    assert moved.due_on == benchmark.due_on - timedelta(days=1)  # 29 calendar days
    assert moved.warn_on < benchmark.warn_on
    assert case.next_due_on == moved.due_on
    assert clock(case, Step.FILING).stopped_on == date(2026, 3, 4)
    event = CaseEvent.objects.get(case=case, transition="correct_filing_date")
    assert "2026-03-05 → 2026-03-04" in event.note and "The receipt says 4 March." in event.note
    assert not event.public and event.actor == staff_of(case, Role.INTAKE_CLERK).user
    # Events are append-only: the filing's own keeps the date first reported.
    filed = CaseEvent.objects.get(case=case, transition="record_filing")
    assert filed.occurred_on == date(2026, 3, 5)
    assert case.status_version > version


def test_the_benchmark_keeps_the_office_action_time_already_paused(english):
    case = make_case(CaseState.FILED, start=START)
    actor = staff_of(case)
    services.case_record_office_action(
        case=case, actor=actor, notice_date=date(2026, 3, 6), at=at(date(2026, 3, 6))
    )
    services.case_record_response(
        case=case, actor=actor, responded_on=date(2026, 3, 10), at=at(date(2026, 3, 10))
    )
    services.case_record_office_action(
        case=case, actor=actor, notice_date=date(2026, 3, 12), at=at(date(2026, 3, 12))
    )
    before = clock(case, Step.BENCHMARK)
    assert (before.paused_days, before.paused_since) == (4, date(2026, 3, 12))

    services.case_correct_filing_date(
        case=case, actor=actor, filing_date=date(2026, 3, 4), note="Typo", at=LATER
    )

    after = clock(case, Step.BENCHMARK)
    assert (after.paused_days, after.paused_since) == (4, date(2026, 3, 12))
    # 29 days from 03-04 plus the 4 days already paused: one day earlier than before.
    assert after.due_on == date(2026, 3, 4) + timedelta(days=29 + 4)
    assert after.due_on == before.due_on - timedelta(days=1)
    assert fresh(case).next_due_on == clock(case, Step.OFFICE_ACTION).due_on  # paused: no date


def test_the_filing_date_correction_refusals(english):
    case = make_case(CaseState.FILED, start=START)
    correct = services.case_correct_filing_date

    assert refusal(correct, case, filing_date=date(2026, 3, 4), note=" ").field == "note"
    error = refusal(correct, case, filing_date=None)
    assert str(error) == "The CNIPA filing date is required."
    error = refusal(correct, case, filing_date=date(2026, 3, 5))
    assert str(error) == "That is the date already recorded."
    error = refusal(correct, case, filing_date=date(2026, 3, 26))
    assert (str(error), error.field) == ("The filing date cannot be in the future.", "filing_date")
    error = refusal(correct, case, filing_date=date(2026, 3, 3))
    assert str(error) == "The filing date cannot be before the case qualified (2026-03-04)."
    assert fresh(case).cnipa_filing_date == date(2026, 3, 5)  # nothing changed

    acted = make_case(CaseState.OFFICE_ACTION, start=START)  # notice dated 03-06
    error = refusal(correct, acted, filing_date=date(2026, 3, 7))
    assert (
        str(error)
        == "The filing date cannot be after the office action's notice date (2026-03-06)."
    )
    granted = make_case(CaseState.GRANT_NOTIFIED, start=START)  # notice dated 03-06
    error = refusal(correct, granted, filing_date=date(2026, 3, 7))
    assert str(error) == "The filing date cannot be after the grant notice's date (2026-03-06)."

    for state in (CaseState.QUALIFIED, CaseState.GRANTED):
        other = make_case(state, start=START)
        with pytest.raises(TransitionNotAllowed):
            correct(case=other, actor=staff_of(other), filing_date=date(2026, 3, 4), note="x")


def test_the_filing_date_must_stay_in_the_application_numbers_year(english):
    # Qualified on 2025-12-31, filed on 2026-01-01 under a 2026 number.
    case = make_case(CaseState.FILED, start=at(date(2025, 12, 29)))
    assert case.application_number.startswith("2026")
    error = refusal(services.case_correct_filing_date, case, filing_date=date(2025, 12, 31))
    assert error.field == "filing_date" and "is of 2026" in str(error)


def test_examiners_and_applicants_may_not_correct(english):
    case = make_case(CaseState.FILED, start=START)
    for actor in (
        staff_of(case, Role.EXAMINER),
        Actor.portal(make_portal_user(entity=case.entity)),
    ):
        with pytest.raises(PermissionDenied):
            services.case_correct_filing_date(
                case=case, actor=actor, filing_date=date(2026, 3, 4), note="x", at=LATER
            )
        with pytest.raises(PermissionDenied):
            services.case_correct_application_number(
                case=case, actor=actor, application_number="x", note="x"
            )


def test_a_later_filing_date_clears_an_overdue_flag_the_clock_no_longer_deserves():
    case = make_case(CaseState.FILED, start=START)
    due = clock(case, Step.BENCHMARK).due_on
    now = at(due + timedelta(days=1))
    sweep.deadlines_sweep(now=now)
    assert fresh(case).overdue_since is not None and fresh(case).at_risk_since is not None

    services.case_correct_filing_date(
        case=case, actor=staff_of(case), filing_date=date(2026, 3, 7), note="Typo", at=now
    )

    benchmark = clock(case, Step.BENCHMARK)
    assert benchmark.due_on == due + timedelta(days=2)
    assert benchmark.overdue_since is None and benchmark.at_risk_since is not None
    case = fresh(case)
    assert case.overdue_since is None and case.at_risk_since is not None
    assert sweep.deadlines_sweep(now=now).overdue == 0  # not flagged again


def test_an_earlier_filing_date_makes_the_benchmark_overdue_at_the_next_sweep():
    case = make_case(CaseState.FILED, start=START, step_days=3)  # qualified 03-08, filed 03-11
    due = clock(case, Step.BENCHMARK).due_on
    now = at(due - timedelta(days=1))
    sweep.deadlines_sweep(now=now)
    assert fresh(case).overdue_since is None

    services.case_correct_filing_date(
        case=case, actor=staff_of(case), filing_date=date(2026, 3, 8), note="Typo", at=now
    )

    assert clock(case, Step.BENCHMARK).due_on == due - timedelta(days=3)
    assert sweep.deadlines_sweep(now=now).overdue == 1
    assert fresh(case).overdue_since is not None
    assert CaseEvent.objects.filter(case=case, transition="flag_overdue").count() == 1


def test_correcting_the_filing_date_after_the_grant_notice_recounts_the_benchmark():
    case = make_case(CaseState.GRANT_NOTIFIED, start=START)  # filed 03-05, notice 03-06
    assert (case.benchmark_gross_days, case.benchmark_net_days) == (1, 1)

    services.case_correct_filing_date(
        case=case, actor=staff_of(case), filing_date=date(2026, 3, 4), note="Typo", at=LATER
    )

    case = fresh(case)
    assert (case.benchmark_gross_days, case.benchmark_net_days) == (2, 2)
    benchmark = clock(case, Step.BENCHMARK)
    assert benchmark.started_on == date(2026, 3, 4)
    assert (benchmark.stopped_on, benchmark.outcome) == (date(2026, 3, 6), "met")


# The office action


def test_correcting_the_office_action_recomputes_the_response_clock(english):
    case = make_case(CaseState.OFFICE_ACTION, start=START)  # notice 03-06, electronic
    response = clock(case, Step.OFFICE_ACTION)
    assert (response.started_on, response.due_on) == (date(2026, 3, 6), date(2026, 3, 16))

    services.case_correct_office_action(
        case=case,
        actor=staff_of(case),
        notice_date=date(2026, 3, 9),  # Mon
        note="The notice is dated 9 March.",
        at=LATER,
    )

    response = clock(case, Step.OFFICE_ACTION)
    assert (response.started_on, response.due_on) == (date(2026, 3, 9), date(2026, 3, 19))
    assert clock(case, Step.BENCHMARK).paused_since == date(2026, 3, 9)
    case = fresh(case)
    assert case.next_due_on == date(2026, 3, 19)
    event = CaseEvent.objects.get(case=case, transition="correct_office_action")
    assert "2026-03-06 → 2026-03-09" in event.note and "2026-03-16 → 2026-03-19" in event.note
    assert not event.public

    # By mail: deemed delivered 15 days after dispatch, then the period recorded.
    services.case_correct_office_action(
        case=case,
        actor=staff_of(case),
        notice_date=date(2026, 3, 9),
        electronic=False,
        note="It came by post.",
        at=LATER,
    )
    assert clock(case, Step.OFFICE_ACTION).started_on == date(2026, 3, 24)

    # The date printed on the notice; kept when only the notice date is corrected again.
    services.case_correct_office_action(
        case=case,
        actor=staff_of(case),
        notice_date=date(2026, 3, 9),
        due=date(2026, 4, 30),
        note="The notice gives a date.",
        at=LATER,
    )
    assert clock(case, Step.OFFICE_ACTION).due_on == date(2026, 4, 30)
    services.case_correct_office_action(
        case=case, actor=staff_of(case), notice_date=date(2026, 3, 10), note="x", at=LATER
    )
    assert clock(case, Step.OFFICE_ACTION).due_on == date(2026, 4, 30)
    # A new period replaces it.
    services.case_correct_office_action(
        case=case,
        actor=staff_of(case),
        notice_date=date(2026, 3, 10),
        period_days=20,
        note="A 20-day period.",
        at=LATER,
    )
    response = clock(case, Step.OFFICE_ACTION)
    assert (response.amount, response.due_on) == (20, date(2026, 3, 30))


def test_a_corrected_due_date_in_the_past_clears_nothing_until_it_is_deserved():
    case = make_case(CaseState.OFFICE_ACTION, start=START)
    now = at(date(2026, 3, 18))
    sweep.deadlines_sweep(now=now)  # due 03-16: overdue
    assert fresh(case).overdue_since is not None
    services.case_correct_office_action(
        case=case, actor=staff_of(case), notice_date=date(2026, 3, 9), note="x", at=now
    )
    assert fresh(case).overdue_since is None  # due 03-19 now
    assert clock(case, Step.OFFICE_ACTION).overdue_since is None


def test_the_office_action_correction_refusals(english):
    case = make_case(CaseState.OFFICE_ACTION, start=START)
    correct = services.case_correct_office_action

    assert refusal(correct, case, notice_date=date(2026, 3, 9), note="").field == "note"
    assert str(refusal(correct, case, notice_date=None)) == "The notice date is required."
    error = refusal(correct, case, notice_date=date(2026, 3, 26))
    assert str(error) == "The notice date cannot be in the future."
    error = refusal(correct, case, notice_date=date(2026, 3, 4))
    assert str(error) == "The notice date is before the CNIPA filing date."
    error = refusal(correct, case, notice_date=date(2026, 3, 9), period_days=0)
    assert error.field == "period_days"
    error = refusal(correct, case, notice_date=date(2026, 3, 9), due=date(2026, 3, 8))
    assert (str(error), error.field) == ("The response due date is before the notice date.", "due")
    error = refusal(correct, case, notice_date=date(2026, 3, 6))
    assert str(error) == "That is the office action already recorded."
    assert clock(case, Step.OFFICE_ACTION).due_on == date(2026, 3, 16)

    filed = make_case(CaseState.FILED, start=START)
    with pytest.raises(TransitionNotAllowed):
        correct(case=filed, actor=staff_of(filed), notice_date=date(2026, 3, 9), note="x")


def test_an_office_action_cannot_be_dated_before_the_previous_response(english):
    case = make_case(CaseState.FILED, start=START)
    actor = staff_of(case)
    services.case_record_office_action(
        case=case, actor=actor, notice_date=date(2026, 3, 6), at=at(date(2026, 3, 6))
    )
    services.case_record_response(
        case=case, actor=actor, responded_on=date(2026, 3, 10), at=at(date(2026, 3, 10))
    )
    services.case_record_office_action(
        case=case, actor=actor, notice_date=date(2026, 3, 12), at=at(date(2026, 3, 12))
    )
    error = refusal(services.case_correct_office_action, case, notice_date=date(2026, 3, 9))
    assert "previous office action (2026-03-10)" in str(error)


# The grant notice


def test_correcting_the_grant_notice_moves_registration_and_the_benchmark(english):
    case = make_case(CaseState.GRANT_NOTIFIED, start=START)  # filed 03-05, notice 03-06
    assert clock(case, Step.REGISTRATION).due_on == date(2026, 5, 6)

    services.case_correct_grant_notice(
        case=case,
        actor=staff_of(case),
        notice_date=date(2026, 3, 20),
        received_on=date(2026, 3, 23),
        note="The notice is dated 20 March.",
        at=LATER,
    )

    case = fresh(case)
    assert (case.grant_notice_date, case.grant_notice_received_on) == (
        date(2026, 3, 20),
        date(2026, 3, 23),
    )
    registration = clock(case, Step.REGISTRATION)
    # Two months from receipt: Sat 2026-05-23, a rest day, moves to Mon 05-25.
    assert (registration.started_on, registration.due_on) == (date(2026, 3, 23), date(2026, 5, 25))
    assert case.next_due_on == date(2026, 5, 25)
    assert (case.benchmark_gross_days, case.benchmark_net_days) == (15, 15)
    benchmark = clock(case, Step.BENCHMARK)
    assert (benchmark.stopped_on, benchmark.outcome) == (date(2026, 3, 20), "met")
    event = CaseEvent.objects.get(case=case, transition="correct_grant_notice")
    assert "2026-03-06 → 2026-03-20" in event.note and "2026-03-06 → 2026-03-23" in event.note

    # A notice dated after the benchmark's due date: the benchmark was missed.
    services.case_correct_grant_notice(
        case=case,
        actor=staff_of(case),
        notice_date=date(2026, 4, 20),
        note="Typo in the month.",
        at=at(date(2026, 4, 25)),
    )
    case = fresh(case)
    assert clock(case, Step.BENCHMARK).outcome == "breached"
    assert case.benchmark_gross_days == 46
    assert case.grant_notice_received_on == date(2026, 4, 20)  # empty: the notice date


def test_the_grant_notice_correction_refusals(english):
    case = make_case(CaseState.GRANT_NOTIFIED, start=START)
    correct = services.case_correct_grant_notice

    assert refusal(correct, case, notice_date=date(2026, 3, 9), note="").field == "note"
    assert str(refusal(correct, case, notice_date=None)) == "The grant notice date is required."
    error = refusal(correct, case, notice_date=date(2026, 3, 26))
    assert str(error) == "The notice date cannot be in the future."
    error = refusal(correct, case, notice_date=date(2026, 3, 9), received_on=date(2026, 3, 26))
    assert error.field == "received_on"
    error = refusal(correct, case, notice_date=date(2026, 3, 4))
    assert str(error) == "The grant notice is dated before the CNIPA filing date."
    error = refusal(correct, case, notice_date=date(2026, 3, 9), received_on=date(2026, 3, 8))
    assert str(error) == "The notice cannot be received before it was issued."
    error = refusal(correct, case, notice_date=date(2026, 3, 6), received_on=date(2026, 3, 6))
    assert str(error) == "That is the grant notice already recorded."

    granted = make_case(CaseState.GRANTED, start=START)
    with pytest.raises(TransitionNotAllowed):
        correct(case=granted, actor=staff_of(granted), notice_date=date(2026, 3, 9), note="x")


# The admin's case page


def english_client(user) -> Client:
    client = Client()
    client.cookies["django_language"] = "en"
    client.force_login(user)
    return client


def correction_form_html(body: str, name: str) -> str:
    start = body.index(f"/cnipa-correction/{name}/")
    return body[start : body.index("</form>", start)]


def test_the_case_page_corrects_the_filing_date_with_errors_at_their_fields():
    case = make_case(CaseState.FILED)
    staff = english_client(staff_of(case, Role.INTAKE_CLERK).user)
    page = staff.get(reverse("admin:cases_case_change", args=[case.pk])).content.decode()
    assert "Correct the filing date" in page and "Correct the office action" not in page
    url = reverse("admin:cases_case_cnipa_correction", args=[case.pk, "filing_date"])
    tomorrow = timezone.localdate() + timedelta(days=1)

    response = staff.post(url, {"filing_date": tomorrow.isoformat(), "note": "x"}, follow=True)

    form = correction_form_html(response.content.decode(), "filing_date")
    assert re.search(
        r'name="filing_date"[^>]*>\s*<ul class="errorlist"[^>]*>\s*<li>'
        r"The filing date cannot be in the future.</li>",
        form,
    )
    response = staff.post(url, {"filing_date": case.cnipa_filing_date.isoformat()}, follow=True)
    form = correction_form_html(response.content.decode(), "filing_date")
    assert re.search(r'name="note"[^>]*>\s*</textarea>\s*<ul class="errorlist"', form)

    qualified = case.qualified_at.astimezone(SHANGHAI).date()
    response = staff.post(
        url, {"filing_date": qualified.isoformat(), "note": "The receipt's date."}, follow=True
    )
    assert "The filing date was corrected" in response.content.decode()
    assert fresh(case).cnipa_filing_date == qualified
    assert clock(case, Step.BENCHMARK).started_on == qualified


def test_the_case_page_corrects_the_office_action_and_the_grant_notice():
    case = make_case(CaseState.OFFICE_ACTION)
    staff = english_client(staff_of(case).user)
    notice = clock(case, Step.BENCHMARK).paused_since
    page = staff.get(reverse("admin:cases_case_change", args=[case.pk])).content.decode()
    form = correction_form_html(page, "office_action")
    assert f'value="{notice.isoformat()}"' in form  # filled in with what is recorded
    url = reverse("admin:cases_case_cnipa_correction", args=[case.pk, "office_action"])
    response = staff.post(
        url,
        {
            "notice_date": notice.isoformat(),
            "period_days": "30",
            "delivery": "electronic",
            "note": "A 30-day period.",
        },
        follow=True,
    )
    assert "The office action was corrected" in response.content.decode()
    assert clock(case, Step.OFFICE_ACTION).amount == 30
    response = staff.post(
        url,
        {
            "notice_date": notice.isoformat(),
            "period_days": "5",
            "due": notice.isoformat(),
            "delivery": "electronic",
            "note": "x",
        },
        follow=True,
    )
    assert "Give either a response period or a due date, not both." in response.content.decode()

    granted = make_case(CaseState.GRANT_NOTIFIED)
    staff = english_client(staff_of(granted).user)
    day = granted.grant_notice_date
    response = staff.post(
        reverse("admin:cases_case_cnipa_correction", args=[granted.pk, "grant_notice"]),
        {
            "notice_date": day.isoformat(),
            "received_on": (day + timedelta(days=1)).isoformat(),
            "note": "Received a day later.",
        },
        follow=True,
    )
    assert "The grant notice was corrected" in response.content.decode()
    assert clock(granted, Step.REGISTRATION).started_on == day + timedelta(days=1)


def test_an_examiner_cannot_correct_and_another_center_gets_404():
    case = make_case(CaseState.FILED)
    url = reverse("admin:cases_case_cnipa_correction", args=[case.pk, "filing_date"])
    data = {"filing_date": case.qualified_at.astimezone(SHANGHAI).date().isoformat(), "note": "x"}
    examiner = english_client(staff_of(case, Role.EXAMINER).user)
    page = examiner.get(reverse("admin:cases_case_change", args=[case.pk])).content.decode()
    assert "cnipa-correction" not in page and "application-number" not in page
    assert examiner.post(url, data).status_code == 403
    assert (
        examiner.post(
            reverse("admin:cases_case_application_number", args=[case.pk]),
            {"application_number": case.application_number, "note": "x"},
        ).status_code
        == 403
    )
    other = english_client(make_user(Role.CENTER_ADMIN, make_center()))
    assert other.post(url, data).status_code == 404
    assert (
        other.post(
            reverse("admin:cases_case_cnipa_correction", args=[case.pk, "nonsense"]), data
        ).status_code
        == 404
    )
    assert fresh(case).cnipa_filing_date == case.cnipa_filing_date
    assert not CaseEvent.objects.filter(case=case, transition="correct_filing_date").exists()
