"""The workbench's queues (``selectors.queue``), the landing page and the header counts."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.choices import TERMINAL_STATES
from cases.models import Case, CaseState, Role
from cases.selectors import queue
from tests.factories import make_case, make_center, make_entity, make_user, staff_of
from tests.pages import login, result_rows

S = CaseState
pytestmark = pytest.mark.django_db


def changelist() -> str:
    return reverse("admin:cases_case_changelist")


def test_an_examiners_queue_is_their_cases_and_unassigned_ones_in_review(center):
    examiner = make_user(Role.EXAMINER, center)
    colleague = make_user(Role.EXAMINER, center)
    mine = make_case(S.UNDER_REVIEW, center=center)
    services.case_assign(case=mine, actor=staff_of(mine), examiner=examiner)
    theirs = make_case(S.UNDER_REVIEW, center=center)
    services.case_assign(case=theirs, actor=staff_of(theirs), examiner=colleague)
    unassigned = make_case(S.UNDER_REVIEW, center=center)
    submitted = make_case(S.SUBMITTED, center=center)  # intake's move, not the examiner's
    waiting_on_applicant = make_case(S.CORRECTION_REQUESTED, center=center)
    services.case_assign(
        case=waiting_on_applicant, actor=staff_of(waiting_on_applicant), examiner=examiner
    )

    assert set(queue.queue_mine(examiner)) == {mine, unassigned}
    assert submitted not in queue.queue_mine(examiner)
    counts = queue.queue_counts(examiner)
    assert counts.mine == 2


def test_an_intake_clerks_queue_is_the_submitted_cases(center):
    clerk = make_user(Role.INTAKE_CLERK, center)
    submitted = make_case(S.SUBMITTED, center=center)
    make_case(S.UNDER_REVIEW, center=center)
    make_case(S.SUBMITTED)  # another center's
    assert list(queue.queue_mine(clerk)) == [submitted]


def test_the_queue_is_nearest_due_first(center):
    clerk = make_user(Role.INTAKE_CLERK, center)
    later = make_case(S.SUBMITTED, center=center, start=timezone.now() - timedelta(hours=1))
    sooner = make_case(S.SUBMITTED, center=center, start=timezone.now() - timedelta(days=3))
    assert list(queue.queue_mine(clerk)) == [sooner, later]


def test_managers_watch_overdue_at_risk_and_unassigned_review(center):
    manager = make_user(Role.MANAGER, center)
    examiner = make_user(Role.EXAMINER, center)
    overdue = make_case(S.SUBMITTED, center=center, start=timezone.now() - timedelta(days=20))
    Case.objects.filter(pk=overdue.pk).update(overdue_since=timezone.now())
    unassigned = make_case(S.UNDER_REVIEW, center=center)
    fine = make_case(S.UNDER_REVIEW, center=center)
    services.case_assign(case=fine, actor=staff_of(fine), examiner=examiner)
    assert set(queue.queue_watch(manager)) == {overdue, unassigned}
    assert queue.queue_counts(manager).overdue == 1


def test_examiners_land_on_their_queue_and_managers_on_the_watch_list(client, center):
    login(client, Role.EXAMINER, center)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"] == f"{changelist()}?queue=mine"
    assert client.get(reverse("admin:index"), {"apps": "1"}).status_code == 200

    login(client, Role.MANAGER, center)
    assert client.get(reverse("admin:index"))["Location"] == f"{changelist()}?queue=watch"


def test_the_header_shows_the_queue_counts(client, center):
    clerk = login(client, Role.INTAKE_CLERK, center, language="en")
    make_case(S.SUBMITTED, center=center)
    make_case(S.SUBMITTED, center=center)
    body = client.get(changelist()).content.decode()
    assert f'href="{changelist()}?queue=mine"' in body
    assert 'Waiting on me <span class="pc-count">2</span>' in body
    assert queue.queue_counts(clerk).mine == 2


def test_the_list_names_the_step_and_unit_of_each_due_date(client, center):
    login(client, Role.MANAGER, center, language="en")
    make_case(S.UNDER_REVIEW, center=center)
    filed = make_case(S.FILED, center=center)
    rows = result_rows(client.get(changelist(), {"queue": "watch"}).content.decode())
    assert re.search(r"Pre-examination review · Center · \d+ working days? left", rows)
    rows = result_rows(client.get(changelist(), {"q": filed.reference}).content.decode())
    assert "CNIPA" in rows
    assert "calendar days left" in rows


@pytest.mark.parametrize("params", [{"queue": "mine"}, {"queue": "watch"}, {}])
def test_queue_pages_take_a_constant_number_of_queries(
    client, center, django_assert_max_num_queries, params
):
    examiner = login(client, Role.EXAMINER, center)
    for _ in range(3):
        case = make_case(S.UNDER_REVIEW, entity=make_entity(center))
        services.case_assign(case=case, actor=staff_of(case), examiner=examiner)
    with django_assert_max_num_queries(16):
        assert client.get(changelist(), params).status_code == 200
    for _ in range(12):
        case = make_case(S.UNDER_REVIEW, entity=make_entity(center))
        services.case_assign(case=case, actor=staff_of(case), examiner=examiner)
    with django_assert_max_num_queries(16):
        assert client.get(changelist(), params).status_code == 200


def test_the_watch_queue_is_every_flagged_or_unassigned_review_case_of_the_center(center):
    manager = make_user(Role.MANAGER, center)
    examiner = make_user(Role.EXAMINER, center)
    now = timezone.now()
    cases = {
        "overdue": make_case(S.SUBMITTED, center=center),
        "at_risk": make_case(S.QUALIFIED, center=center),
        "unassigned_review": make_case(S.UNDER_REVIEW, center=center),
        "assigned_review": make_case(S.UNDER_REVIEW, center=center),
        "unassigned_submitted": make_case(S.SUBMITTED, center=center),
        "closed_flagged": make_case(S.WITHDRAWN, center=center),
        "other_center": make_case(S.UNDER_REVIEW, center=make_center("PD")),
    }
    Case.objects.filter(pk=cases["overdue"].pk).update(overdue_since=now, at_risk_since=now)
    Case.objects.filter(pk=cases["at_risk"].pk).update(at_risk_since=now)
    Case.objects.filter(pk=cases["closed_flagged"].pk).update(overdue_since=now)
    services.case_assign(case=cases["assigned_review"], actor=staff_of(center), examiner=examiner)
    # The rule, read in Python from every row.
    expected = [
        case.pk
        for case in Case.objects.filter(center=center)
        if case.state not in TERMINAL_STATES
        and (
            case.overdue_since is not None
            or case.at_risk_since is not None
            or (case.examiner_id is None and case.state == S.UNDER_REVIEW)
        )
    ]

    watched = list(queue.queue_watch(manager).values_list("pk", flat=True))

    assert sorted(watched) == sorted(expected)
    assert set(watched) == {cases[k].pk for k in ("overdue", "at_risk", "unassigned_review")}


def test_the_watch_queue_reads_its_partial_index(center):
    """The queue's filter is the index's condition: PostgreSQL can read the center's
    watched cases from the index, in order, instead of all the center's cases."""
    manager = make_user(Role.MANAGER, center)
    queryset = queue.queue_watch(manager)[:50]
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        # Tiny tables are cheapest to scan whole; forbid it to see what else can serve.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "case_center_watched" in plan
    assert "Sort" not in plan  # read in the queue's order
