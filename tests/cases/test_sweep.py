"""The deadline sweep: flags, events and outbox rows, once, in a bounded number of queries."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from cases import calendar, deadlines, services
from cases.models import (
    Case,
    CaseEvent,
    CaseState,
    Center,
    Notification,
    Party,
    Role,
    StaffProfile,
    Step,
    Timer,
)
from cases.services import outbox, sweep
from tests import factories

S = CaseState
Kind = Notification.Kind


def ensure_role_groups() -> None:
    """The role groups come from a data migration, which a transactional test's flush empties."""
    for role in Role:
        Group.objects.get_or_create(name=role)


def staff(role: Role, center: Center, *, email: str, language: str = "zh-hans"):
    """A staff member of ``center`` with an e-mail address and a language."""
    ensure_role_groups()
    user = factories.make_user(role, center)
    user.email = email
    user.save(update_fields=["email"])
    StaffProfile.objects.filter(user=user).update(language=language)
    return user


def assigned_case(state: str = S.UNDER_REVIEW, *, center: Center, examiner=None, **kw) -> Case:
    case = factories.make_case(state, center=center, **kw)
    if examiner is not None:
        case = services.case_assign(case=case, actor=factories.staff_of(case), examiner=examiner)
    return case


def set_clock(case: Case, *, due: date, warn: date, step: str | None = None) -> Timer:
    """Move a running clock's dates (tests only: the services never do this)."""
    timers = Timer.objects.filter(case=case, stopped_at__isnull=True)
    if step is not None:
        timers = timers.filter(step=step)
    assert timers.update(due_on=due, warn_on=warn) == 1
    return timers.get()


def make_overdue(case: Case, today: date, step: str | None = None) -> Timer:
    return set_clock(case, due=today - timedelta(days=1), warn=today - timedelta(days=3), step=step)


@pytest.fixture
def now() -> datetime:
    return timezone.now()


@pytest.fixture
def today(now) -> date:
    return timezone.localdate(now)


@pytest.fixture
def center():
    return factories.make_center()


@pytest.fixture
def examiner(center):
    return staff(Role.EXAMINER, center, email="examiner@example.com", language="en")


@pytest.fixture
def manager(center):
    return staff(Role.MANAGER, center, email="manager@example.com")


@pytest.mark.django_db
def test_a_flag_moves_the_case_as_every_change_does_and_is_the_systems(center, now, today):
    case = factories.make_case(S.UNDER_REVIEW, center=center)
    make_overdue(case, today)
    later = now + timedelta(minutes=3)

    sweep.deadlines_sweep(now=later)

    case.refresh_from_db()
    assert case.updated_at == later  # the dashboard's refresh finds what changed by it
    event = CaseEvent.objects.get(case=case, transition="flag_overdue")
    assert (event.actor, event.channel) == (None, "system")


@pytest.mark.django_db
def test_overdue_center_step_is_flagged_logged_and_notified(center, examiner, manager, now, today):
    other_center = factories.make_center()
    staff(Role.MANAGER, other_center, email="elsewhere@example.com")
    case = assigned_case(center=center, examiner=examiner)
    timer = make_overdue(case, today)

    result = sweep.deadlines_sweep(now=now)

    timer.refresh_from_db()
    case.refresh_from_db()
    assert (timer.overdue_since, timer.at_risk_since) == (now, now)
    assert (case.overdue_since, case.at_risk_since) == (now, now)
    assert case.state == S.UNDER_REVIEW
    event = CaseEvent.objects.get(case=case, transition__startswith="flag_")
    assert event.transition == "flag_overdue"  # at risk and overdue at once: one event
    assert (event.from_state, event.to_state, event.public) == (
        S.UNDER_REVIEW,
        S.UNDER_REVIEW,
        False,
    )
    assert timer.due_on.isoformat() in event.note
    with translation.override("zh-hans"):
        assert str(Step.REVIEW.label) in event.note
    to_examiner = Notification.objects.get(timer=timer)
    assert (to_examiner.kind, to_examiner.recipient, to_examiner.language) == (
        Kind.STEP_OVERDUE,
        "examiner@example.com",
        "en",
    )
    assert to_examiner.payload["reference"] == case.reference
    assert to_examiner.payload["role"] == "examiner"
    digest = Notification.objects.get(kind=Kind.OVERDUE_DIGEST)
    assert (digest.recipient, digest.language, digest.center, digest.case) == (
        "manager@example.com",
        "zh-hans",
        center,
        None,
    )
    assert digest.payload["count"] == 1
    assert [s["reference"] for s in digest.payload["steps"]] == [case.reference]
    assert (result.overdue, result.at_risk, result.cases, result.events) == (1, 1, 1, 1)
    assert result.notifications == 2


@pytest.mark.django_db
def test_at_risk_center_step_notifies_only_the_examiner(center, examiner, manager, now, today):
    case = assigned_case(center=center, examiner=examiner)
    timer = set_clock(case, due=today + timedelta(days=2), warn=today)

    sweep.deadlines_sweep(now=now)

    timer.refresh_from_db()
    case.refresh_from_db()
    assert (timer.at_risk_since, timer.overdue_since) == (now, None)
    assert (case.at_risk_since, case.overdue_since) == (now, None)
    assert CaseEvent.objects.get(case=case, transition__startswith="flag_").transition == (
        "flag_at_risk"
    )
    assert list(Notification.objects.filter(timer=timer).values_list("kind", "recipient")) == [
        (Kind.STEP_AT_RISK, "examiner@example.com")
    ]


@pytest.mark.django_db
def test_at_risk_then_overdue_are_two_flags(center, examiner, now, today):
    case = assigned_case(center=center, examiner=examiner)
    timer = set_clock(case, due=today + timedelta(days=1), warn=today)
    sweep.deadlines_sweep(now=now)

    later = now + timedelta(days=2)
    sweep.deadlines_sweep(now=later)

    timer.refresh_from_db()
    assert (timer.at_risk_since, timer.overdue_since) == (now, later)
    assert list(
        CaseEvent.objects.filter(case=case, transition__startswith="flag_").values_list(
            "transition", flat=True
        )
    ) == ["flag_at_risk", "flag_overdue"]
    assert set(Notification.objects.filter(timer=timer).values_list("kind", flat=True)) == {
        Kind.STEP_AT_RISK,
        Kind.STEP_OVERDUE,
    }


@pytest.mark.django_db
def test_overdue_benchmark_notifies_managers_not_the_examiner(center, examiner, manager, now):
    case = assigned_case(S.FILED, center=center, examiner=examiner)
    timer = make_overdue(case, timezone.localdate(now), step=Step.BENCHMARK)
    assert timer.party == Party.OFFICE

    sweep.deadlines_sweep(now=now)

    assert not Notification.objects.filter(timer=timer).exists()
    digest = Notification.objects.get(kind=Kind.OVERDUE_DIGEST)
    assert (digest.kind, digest.recipient) == (Kind.OVERDUE_DIGEST, "manager@example.com")
    assert digest.payload["steps"] == [
        {
            "reference": case.reference,
            "title": case.title,
            "step": Step.BENCHMARK,
            "due_on": timer.due_on.isoformat(),
        }
    ]


@pytest.mark.django_db
def test_each_manager_gets_one_digest_of_their_own_centers_overdue_steps(
    center, examiner, manager, now, today, monkeypatch
):
    monkeypatch.setattr(sweep, "DIGEST_ITEMS", 3)
    english = staff(Role.MANAGER, center, email="manager-en@example.com", language="en")
    away = staff(Role.MANAGER, center, email="away@example.com")
    away.is_active = False
    away.save(update_fields=["is_active"])
    other = factories.make_center()
    staff(Role.MANAGER, other, email="elsewhere@example.com")
    ours = [assigned_case(center=center, examiner=examiner) for _ in range(5)]
    for days, case in enumerate(ours, start=1):
        set_clock(case, due=today - timedelta(days=days), warn=today - timedelta(days=9))
    theirs = factories.make_case(S.UNDER_REVIEW, center=other)
    make_overdue(theirs, today)
    at_risk = assigned_case(center=center, examiner=examiner)
    set_clock(at_risk, due=today + timedelta(days=2), warn=today)

    result = sweep.deadlines_sweep(now=now)

    digests = {n.recipient: n for n in Notification.objects.filter(kind=Kind.OVERDUE_DIGEST)}
    assert set(digests) == {"manager@example.com", english.email, "elsewhere@example.com"}
    mine = digests["manager@example.com"]
    assert mine.center == center and mine.payload["count"] == 5
    # Oldest due first, at most DIGEST_ITEMS listed; the at-risk case is not in it.
    assert [s["reference"] for s in mine.payload["steps"]] == [c.reference for c in ours[::-1]][:3]
    assert digests[english.email].language == "en"
    assert [s["reference"] for s in digests["elsewhere@example.com"].payload["steps"]] == [
        theirs.reference
    ]
    assert result.notifications == 6 + 3  # the examiner's 5 overdue and 1 at risk, 3 digests


@pytest.mark.django_db
def test_digest_reads_in_the_managers_language_and_links_to_the_overdue_list(
    center, examiner, now, today, monkeypatch
):
    monkeypatch.setattr(sweep, "DIGEST_ITEMS", 2)
    staff(Role.MANAGER, center, email="manager-en@example.com", language="en")
    staff(Role.MANAGER, center, email="manager-zh@example.com", language="zh-hans")
    cases = [assigned_case(center=center, examiner=examiner) for _ in range(3)]
    for case in cases:
        make_overdue(case, today)
    sweep.deadlines_sweep(now=now)
    digests = {n.language: n for n in Notification.objects.filter(kind=Kind.OVERDUE_DIGEST)}

    subject, body = outbox.render(digests["en"])
    assert subject == f"[{center.code}] 3 steps newly overdue"
    assert body.startswith("3 steps of the center's cases became overdue:")
    assert f"{cases[0].reference} · Pre-examination review · due on" in body
    assert cases[2].reference not in body and "… and 1 more." in body
    assert "/admin/cases/case/?deadline=overdue" in body
    subject, body = outbox.render(digests["zh-hans"])
    assert subject.startswith(f"[{center.code}]") and "逾期" in subject
    assert cases[0].reference in body and "预审" in body


@pytest.mark.django_db
def test_digest_is_shown_in_the_admin_to_its_own_center_only(client, center, examiner, today, now):
    manager = staff(Role.MANAGER, center, email="manager@example.com")
    other = staff(Role.MANAGER, factories.make_center(), email="elsewhere@example.com")
    make_overdue(assigned_case(center=center, examiner=examiner), today)
    sweep.deadlines_sweep(now=now)
    digest = Notification.objects.get(kind=Kind.OVERDUE_DIGEST)
    url = f"/admin/cases/notification/{digest.pk}/change/"

    client.force_login(manager)
    assert client.get(url).status_code == 200
    assert "manager@example.com" in client.get("/admin/cases/notification/").content.decode()
    client.force_login(other)
    assert client.get(url).status_code in (302, 404)
    assert "manager@example.com" not in client.get("/admin/cases/notification/").content.decode()


@pytest.mark.django_db
def test_paused_and_stopped_clocks_are_not_flagged(center, examiner, now, today):
    case = assigned_case(S.CORRECTION_REQUESTED, center=center, examiner=examiner)
    paused = Timer.objects.get(case=case, step=Step.REVIEW)
    stopped = Timer.objects.get(case=case, step=Step.ACCEPTANCE)
    assert paused.paused_since is not None and stopped.stopped_at is not None
    past = {"due_on": today - timedelta(days=5), "warn_on": today - timedelta(days=6)}
    Timer.objects.filter(pk__in=[paused.pk, stopped.pk]).update(**past)

    result = sweep.deadlines_sweep(now=now)

    assert (result.at_risk, result.overdue) == (0, 0)
    assert not Timer.objects.filter(pk__in=[paused.pk, stopped.pk], at_risk_since__isnull=False)
    assert Case.objects.get(pk=case.pk).overdue_since is None


@pytest.mark.django_db
def test_second_sweep_changes_nothing(center, examiner, manager, now, today):
    cases = [assigned_case(center=center, examiner=examiner) for _ in range(3)]
    for case in cases:
        make_overdue(case, today)
    first = sweep.deadlines_sweep(now=now)
    events = CaseEvent.objects.count()
    keys = set(Notification.objects.values_list("key", flat=True))

    second = sweep.deadlines_sweep(now=now + timedelta(minutes=5))

    assert first.overdue == 3
    assert (second.at_risk, second.overdue, second.events, second.notifications) == (0, 0, 0, 0)
    assert CaseEvent.objects.count() == events
    assert set(Notification.objects.values_list("key", flat=True)) == keys
    assert not Case.objects.filter(pk__in=[c.pk for c in cases]).exclude(overdue_since=now)


@pytest.mark.django_db
def test_batches_cover_every_clock(center, examiner, now, today, monkeypatch):
    monkeypatch.setattr(sweep, "BATCH", 2)
    cases = [assigned_case(center=center, examiner=examiner) for _ in range(5)]
    for case in cases:
        make_overdue(case, today)

    result = sweep.deadlines_sweep(now=now)

    assert result.overdue == 5
    assert CaseEvent.objects.filter(transition="flag_overdue").count() == 5
    assert not Timer.objects.filter(case__in=cases, overdue_since__isnull=True, stopped_at=None)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_sweeps_flag_each_clock_once(center, examiner, manager, now, today):
    assert connection.vendor == "postgresql", "the concurrency test needs PostgreSQL"
    cases = [assigned_case(center=center, examiner=examiner) for _ in range(8)]
    for case in cases:
        make_overdue(case, today)
    barrier = threading.Barrier(2)
    results: list[object] = []

    def run() -> None:
        from django.db import connections

        try:
            barrier.wait(timeout=10)
            results.append(sweep.deadlines_sweep(now=now))
        except Exception as error:
            results.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert all(isinstance(r, sweep.SweepResult) for r in results), results
    assert sum(r.overdue for r in results) == 8
    assert CaseEvent.objects.filter(transition="flag_overdue").count() == 8
    assert set(
        CaseEvent.objects.filter(transition="flag_overdue").values_list("case_id", flat=True)
    ) == {c.pk for c in cases}
    # One to the examiner per clock, each once; each clock in exactly one manager's digest.
    assert Notification.objects.filter(kind=Kind.STEP_OVERDUE).count() == 8
    digests = Notification.objects.filter(kind=Kind.OVERDUE_DIGEST)
    listed = [s["reference"] for d in digests for s in d.payload["steps"]]
    assert sorted(listed) == sorted(c.reference for c in cases)
    assert sum(d.payload["count"] for d in digests) == 8


def _sweep_queries(now: datetime) -> int:
    calendar.get_work_calendar()  # the calendar is cached per process; keep it out of the count
    with CaptureQueriesContext(connection) as queries:
        sweep.deadlines_sweep(now=now)
    return len(queries)


@pytest.mark.django_db
def test_query_count_does_not_grow_with_open_or_flagged_cases(center, examiner, manager, today):
    def open_cases(n: int) -> list[Case]:
        return [assigned_case(center=center, examiner=examiner) for _ in range(n)]

    open_cases(4)
    make_overdue(open_cases(1)[0], today)
    few_open = _sweep_queries(timezone.now())

    open_cases(45)
    make_overdue(open_cases(1)[0], today)
    many_open = _sweep_queries(timezone.now())

    for case in open_cases(20):
        make_overdue(case, today)
    many_flagged = _sweep_queries(timezone.now())

    assert Case.objects.open().count() == 71
    assert CaseEvent.objects.filter(transition="flag_overdue").count() == 22
    assert few_open == many_open == many_flagged
    # Flagging: 3 lookups (overdue, at risk, their cases), 2 updates, 3 inserts (events,
    # examiners, digests), 3 lookups for the digests (steps, managers, centers) and 1 of
    # the centers' webhook endpoints; reminders: the calendar's version and 1 insert;
    # plus the savepoints of the two transactions, nested in the test's.
    assert few_open <= 18


# Applicant reminders -----------------------------------------------------------------


def _calendar() -> deadlines.WorkCalendar:
    return calendar.get_work_calendar().lenient()


@pytest.mark.django_db
def test_applicant_is_reminded_three_working_days_before_and_on_the_due_day(center, now, today):
    entity = factories.make_entity(center, contact_email="ip@example.com", contact_language="en")
    case = factories.make_case(S.QUALIFIED, entity=entity)
    due = deadlines.add_workdays(today, 3, _calendar())
    timer = set_clock(case, due=due, warn=due)
    assert timer.party == Party.APPLICANT

    first = sweep.deadlines_sweep(now=now)
    again = sweep.deadlines_sweep(now=now + timedelta(hours=1))
    on_due_day = now + timedelta(days=(due - today).days)
    due_day = sweep.deadlines_sweep(now=on_due_day)
    due_day_again = sweep.deadlines_sweep(now=on_due_day + timedelta(hours=1))

    assert (first.reminders, again.reminders, due_day.reminders, due_day_again.reminders) == (
        1,
        0,
        1,
        0,
    )
    rows = Notification.objects.filter(timer=timer).order_by("id")
    assert [(n.kind, n.recipient, n.language) for n in rows] == [
        (Kind.APPLICANT_REMINDER, "ip@example.com", "en"),
        (Kind.APPLICANT_DUE_TODAY, "ip@example.com", "en"),
    ]
    assert rows[0].payload["due_on"] == due.isoformat()
    assert not rows[0].payload["due_estimated"]  # a known year: the date is not provisional


@pytest.mark.django_db
def test_applicant_is_not_reminded_earlier_nor_of_center_steps(center, examiner, now, today):
    entity = factories.make_entity(center)
    owed = factories.make_case(S.QUALIFIED, entity=entity)
    later = deadlines.add_workdays(today, 4, _calendar())
    set_clock(owed, due=later, warn=later)
    centers_step = assigned_case(center=center, examiner=examiner, entity=entity)
    soon = deadlines.add_workdays(today, 1, _calendar())
    set_clock(centers_step, due=soon, warn=soon)

    result = sweep.deadlines_sweep(now=now)

    assert result.reminders == 0
    assert not Notification.objects.filter(
        kind__in=[Kind.APPLICANT_REMINDER, Kind.APPLICANT_DUE_TODAY]
    )
