"""Automatic assignment on acceptance (``services.assignment``) and the examiner's e-mail."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from cases import services
from cases.models import Absence, Case, CaseState, Notification, Role, StaffProfile
from cases.people import staff_display_name
from cases.services.assignment import examiner_pick
from tests.factories import make_case, make_center, make_user, staff_of

S = CaseState
pytestmark = pytest.mark.django_db


@pytest.fixture
def auto_center():
    center = make_center()
    center.auto_assign = True
    center.save(update_fields=["auto_assign"])
    return center


def examiner(center, *, ipc="C08", locarno="", capacity=None, email=True):
    user = make_user(Role.EXAMINER, center)
    if email:
        user.email = f"{user.username}@example.com"
        user.save(update_fields=["email"])
    StaffProfile.objects.filter(user=user).update(
        ipc_prefixes=ipc, locarno_classes=locarno, capacity=capacity
    )
    return user


def accept(case, **kwargs):
    return services.case_accept(case=case, actor=staff_of(case, Role.INTAKE_CLERK), **kwargs)


def test_acceptance_assigns_the_matching_examiner_with_the_fewest_open_cases(auto_center):
    busy = examiner(auto_center)
    free = examiner(auto_center)
    examiner(auto_center, ipc="H01M")  # another field
    for _ in range(2):
        services.case_assign(
            case=make_case(S.UNDER_REVIEW, center=auto_center),
            actor=staff_of(auto_center),
            examiner=busy,
        )
    case = accept(make_case(S.SUBMITTED, center=auto_center))
    assert case.examiner == free
    event = case.events.get(transition="assign")
    assert "自动分配" in event.note  # system notes are in the site language
    mail = Notification.objects.get(kind=Notification.Kind.CASE_ASSIGNED, case=case)
    assert mail.recipient == free.email
    assert mail.payload["step"] == "review"


def test_ties_go_in_turn(auto_center):
    first = examiner(auto_center)
    second = examiner(auto_center)
    a = accept(make_case(S.SUBMITTED, center=auto_center))
    services.case_withdraw(case=a, actor=staff_of(a))  # both have 0 open cases again
    b = accept(make_case(S.SUBMITTED, center=auto_center))
    assert {a.examiner, b.examiner} == {first, second}


def test_designs_go_by_locarno_class(auto_center):
    examiner(auto_center)
    designer = examiner(auto_center, ipc="", locarno="14")
    case = make_case(S.SUBMITTED, center=auto_center, patent_type="design")
    assert examiner_pick(case=case, on=timezone.localdate()) == designer


def test_absent_and_full_examiners_are_passed_over(auto_center):
    away = examiner(auto_center)
    full = examiner(auto_center, capacity=1)
    services.case_assign(
        case=make_case(S.UNDER_REVIEW, center=auto_center),
        actor=staff_of(auto_center),
        examiner=full,
    )
    today = timezone.localdate()
    Absence.objects.create(user=away, first_day=today - timedelta(days=1), last_day=today)
    case = make_case(S.SUBMITTED, center=auto_center)
    assert examiner_pick(case=case, on=today) is None
    assert examiner_pick(case=case, on=today + timedelta(days=1)) == away
    accepted = accept(case)
    assert accepted.examiner is None  # nobody: unassigned, in the managers' watch list
    assert not accepted.events.filter(transition="assign").exists()


def test_a_chosen_examiner_wins_and_is_logged_and_emailed(auto_center):
    examiner(auto_center)
    chosen = examiner(auto_center, ipc="H01M")
    case = accept(make_case(S.SUBMITTED, center=auto_center), examiner=chosen)
    assert case.examiner == chosen
    # Its own event, after the acceptance's, not marked automatic; the e-mail keyed on it.
    accepted, assigned = case.events.filter(transition__in=["accept", "assign"]).order_by("id")
    assert (accepted.transition, assigned.transition) == ("accept", "assign")
    assert assigned.note == f"预审员：— → {staff_display_name(chosen)}"
    assert not assigned.public
    assert assigned.created_at == accepted.created_at
    mail = Notification.objects.get(kind="case_assigned", recipient=chosen.email)
    assert mail.key == f"event:{assigned.pk}:examiner"


def test_an_assignment_before_acceptance_is_kept(auto_center):
    examiner(auto_center)
    chosen = examiner(auto_center, ipc="H01M")
    case = make_case(S.SUBMITTED, center=auto_center)
    services.case_assign(case=case, actor=staff_of(case), examiner=chosen)
    assert accept(case).examiner == chosen


def test_no_automatic_assignment_when_the_center_has_it_off():
    center = make_center()
    examiner(center)
    assert accept(make_case(S.SUBMITTED, center=center)).examiner is None


def test_a_manual_reassignment_emails_the_new_examiner(auto_center):
    one = examiner(auto_center)
    other = examiner(auto_center)
    case = accept(make_case(S.SUBMITTED, center=auto_center))
    target = other if case.examiner == one else one
    services.case_assign(case=case, actor=staff_of(case), examiner=target)
    assert Case.objects.get(pk=case.pk).examiner == target
    assert Notification.objects.filter(kind="case_assigned", recipient=target.email).exists()


def test_the_pick_counts_open_cases_only(auto_center):
    one = examiner(auto_center, capacity=1)
    closed = make_case(S.UNDER_REVIEW, center=auto_center)
    services.case_assign(case=closed, actor=staff_of(closed), examiner=one)
    services.case_withdraw(case=closed, actor=staff_of(closed))
    case = make_case(S.SUBMITTED, center=auto_center)
    assert examiner_pick(case=case, on=date.today()) == one
