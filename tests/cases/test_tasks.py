"""The Celery tasks with a real worker on the real Redis broker and PostgreSQL.

The worker runs in a thread of the test process (``start_worker``), so it shares the
locmem e-mail outbox and sees what the test commits (``transaction=True``).
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from contextlib import contextmanager
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import CalendarDay, Case, CaseEvent, CaseState, Notification, Role
from cases.services import outbox
from cases.tasks import deliver_notifications_task, sweep_deadlines_task
from protection_center import celery as app_celery
from protection_center.celery import app
from tests import factories
from tests.broker import purge_queue, queued_tasks
from tests.cases.test_sweep import assigned_case, make_overdue, staff

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

S = CaseState
TIMEOUT = 30
CLOSED_PORT = "redis://127.0.0.1:6399/0"


@contextmanager
def running_worker():
    app.control.purge()  # messages left by earlier runs would run against this test's data
    with start_worker(app, perform_ping_check=False, pool="solo", shutdown_timeout=30) as worker:
        yield worker


@pytest.fixture
def worker():
    with running_worker() as worker:
        yield worker


@contextmanager
def broker_at(url: str, monkeypatch: pytest.MonkeyPatch):
    """Point publishers at another broker; the producer pool is per URL, so drop ours.

    Celery reads ``CELERY_BROKER_URL`` from the environment before its own setting.
    """
    previous = app.conf.broker_url
    app.conf.broker_url = url
    app.amqp._producer_pool = None
    try:
        with monkeypatch.context() as patch:
            patch.setenv("CELERY_BROKER_URL", url)
            yield
    finally:
        app.conf.broker_url = previous
        app.amqp._producer_pool = None


class WorkerKilled(BaseException):
    """Stands for SIGKILL: nothing in the delivery loop may catch it."""


class KilledHalfwayBackend(LocmemBackend):
    """Sends ``limit`` messages, then the worker dies before sending the next."""

    limit = 3
    sent = 0

    def send_messages(self, messages):
        if KilledHalfwayBackend.sent >= self.limit:
            raise WorkerKilled
        KilledHalfwayBackend.sent += len(messages)
        return super().send_messages(messages)


def test_worker_sweep_flags_an_overdue_case_and_its_mail_goes_out(worker):
    center = factories.make_center()
    examiner = staff(Role.EXAMINER, center, email="examiner@example.com", language="en")
    staff(Role.MANAGER, center, email="manager@example.com")
    case = assigned_case(center=center, examiner=examiner)
    timer = make_overdue(case, timezone.localdate())

    result = sweep_deadlines_task.delay().get(timeout=TIMEOUT)
    deliver_notifications_task.delay().get(timeout=TIMEOUT)

    assert (result["overdue"], result["events"], result["notifications"]) == (1, 1, 2)
    case.refresh_from_db()
    assert case.overdue_since is not None and case.state == S.UNDER_REVIEW
    assert CaseEvent.objects.filter(case=case, transition="flag_overdue", public=False).count() == 1
    assert set(
        Notification.objects.filter(Q(timer=timer) | Q(center=center)).values_list(
            "recipient", "kind", "status"
        )
    ) == {
        ("examiner@example.com", Notification.Kind.STEP_OVERDUE, Notification.Status.SENT),
        ("manager@example.com", Notification.Kind.OVERDUE_DIGEST, Notification.Status.SENT),
    }
    # Besides the e-mail telling them the case was assigned to them.
    to_examiner = [
        m
        for m in mail.outbox
        if m.to == ["examiner@example.com"] and "Assigned to you" not in m.subject
    ]
    assert [m.subject for m in to_examiner] == [
        f"[{case.reference}] Overdue: Pre-examination review"
    ]
    assert sum(m.to == ["manager@example.com"] for m in mail.outbox) == 1


def test_redis_down_the_transition_commits_and_its_mail_waits(caplog, monkeypatch):
    case = factories.make_case(S.UNDER_REVIEW)
    caplog.set_level(logging.WARNING, logger="cases.enqueue")
    from django.core.cache import cache

    cache.clear()  # the case's own history asked for a delivery a moment ago

    with broker_at(CLOSED_PORT, monkeypatch):
        started = time.monotonic()
        services.case_qualify(case=case, actor=factories.staff_of(case))
        elapsed = time.monotonic() - started

    assert elapsed < 5, "an unreachable broker must not hold the transition"
    assert Case.objects.get(pk=case.pk).state == S.QUALIFIED
    notice = Notification.objects.get(
        key__startswith="event:", case=case, payload__state=S.QUALIFIED
    )
    assert notice.status == Notification.Status.PENDING
    assert "Could not enqueue cases.tasks.deliver_notifications_task" in caplog.text

    # The broker is back: the periodic delivery sends it, once.
    with running_worker():
        deliver_notifications_task.delay().get(timeout=TIMEOUT)
        deliver_notifications_task.delay().get(timeout=TIMEOUT)

    notice.refresh_from_db()
    assert notice.status == Notification.Status.SENT
    contact = case.entity.contact_email
    notices = Notification.objects.filter(case=case)
    assert notices.exclude(status=Notification.Status.SENT).count() == 0
    assert sum(m.to == [contact] for m in mail.outbox) == notices.count()


def test_worker_killed_mid_delivery_rerun_sends_the_rest_once(worker, settings):
    case = factories.make_case(S.SUBMITTED)
    for i in range(6):
        Notification.objects.create(
            key=f"test:{i}",
            kind=Notification.Kind.CASE_TRANSITION,
            case=case,
            recipient=f"r{i}@example.com",
            language="en",
            payload={"reference": case.reference, "title": case.title, "state": case.state},
            next_attempt_at=timezone.now() - timedelta(minutes=6 - i),  # a stable order
        )
    settings.EMAIL_BACKEND = "tests.cases.test_tasks.KilledHalfwayBackend"
    KilledHalfwayBackend.sent = 0

    with pytest.raises(WorkerKilled):
        outbox.deliver_pending()

    assert Notification.objects.filter(status=Notification.Status.SENT).count() == 3
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert deliver_notifications_task.delay().get(timeout=TIMEOUT) == 3
    assert deliver_notifications_task.delay().get(timeout=TIMEOUT) == 0
    assert Counter(m.to[0] for m in mail.outbox) == {f"r{i}@example.com": 1 for i in range(6)}
    assert not Notification.objects.exclude(status=Notification.Status.SENT)


def test_beat_schedule_names_every_periodic_task_with_an_expiry():
    schedule = app.conf.beat_schedule
    tasks = {entry["task"] for entry in schedule.values()}
    assert tasks == {
        "cases.tasks.sweep_deadlines_task",
        "cases.tasks.deliver_notifications_task",
        "cases.tasks.refresh_dashboard_summary_task",
        "cases.tasks.deliver_webhooks_task",
        "cases.tasks.prune_idempotent_requests_task",
    }
    assert all(entry["options"]["expires"] > 0 for entry in schedule.values())
    assert set(app.tasks) >= tasks  # each entry names a registered task


def test_worker_refreshes_the_dashboard_summary(worker):
    from cases.models import CaseFigures
    from cases.tasks import refresh_dashboard_summary_task

    case = factories.make_case(S.QUALIFIED)
    refresh_dashboard_summary_task.delay().get(timeout=TIMEOUT)
    assert CaseFigures.objects.filter(case=case).exists()


def add_holiday(client, day: str) -> None:
    center = factories.make_center()
    client.force_login(factories.make_user(Role.CENTER_ADMIN, center))
    response = client.post(
        reverse("admin:cases_calendarday_add"),
        {"date": day, "is_working": "", "name": "Test holiday"},
    )
    assert response.status_code == 302, response.content.decode()[:500]
    assert CalendarDay.objects.filter(date=day, is_working=False).exists()


def test_a_holiday_edit_queues_a_full_rebuild_of_the_dashboard_summary(client):
    purge_queue()

    add_holiday(client, "2031-05-06")

    summary = [kwargs for name, kwargs in queued_tasks() if name == app_celery.SUMMARY_TASK]
    assert summary == [{"full": True}]


def test_redis_down_a_holiday_edit_commits_and_the_rebuild_waits_for_beat(
    client, caplog, monkeypatch
):
    caplog.set_level(logging.WARNING, logger="cases.enqueue")

    with broker_at(CLOSED_PORT, monkeypatch):
        add_holiday(client, "2031-05-07")

    assert "Could not enqueue cases.tasks.refresh_dashboard_summary_task" in caplog.text


def test_worker_rebuilds_the_whole_dashboard_summary(worker):
    from cases.models import CaseFigures
    from cases.tasks import refresh_dashboard_summary_task

    cases = [factories.make_case(S.QUALIFIED) for _ in range(2)]
    refresh_dashboard_summary_task.delay().get(timeout=TIMEOUT)
    CaseFigures.objects.all().delete()

    assert refresh_dashboard_summary_task.delay(full=True).get(timeout=TIMEOUT) == 2
    assert CaseFigures.objects.filter(case__in=cases).count() == 2
