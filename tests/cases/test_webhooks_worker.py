"""Webhooks with real workers: a worker process killed while a receiver holds its
request, then another worker; the receiver accepts each event once, each signed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from cases.models import CaseState, WebhookDelivery, WebhookEndpoint
from cases.tasks import deliver_webhooks_task
from tests import factories
from tests.broker import purge_queue
from tests.cases.test_tasks import TIMEOUT, running_worker
from tests.webhook_receiver import Receiver

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
ROOT = Path(__file__).resolve().parents[2]
SECRET = "whsec-worker-test"


def worker_process() -> subprocess.Popen:
    """A Celery worker in its own process, on this test's database and broker."""
    settings_dict = connection.settings_dict
    env = dict(
        os.environ,
        DATABASE_URL=(
            f"postgres://{settings_dict['USER']}@{settings_dict['HOST']}:"
            f"{settings_dict['PORT'] or 5432}/{settings_dict['NAME']}"
        ),
        WEBHOOK_ALLOWED_PRIVATE_HOSTS="127.0.0.1",
    )
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "protection_center",
            "worker",
            "--pool=solo",
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
            "-l",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_a_worker_killed_mid_delivery_loses_and_repeats_nothing(settings):
    if connection.vendor != "postgresql":
        pytest.skip("the worker process needs the shared PostgreSQL database")
    settings.WEBHOOK_ALLOWED_PRIVATE_HOSTS = ["127.0.0.1"]
    with Receiver(SECRET) as receiver:
        center = factories.make_center()
        WebhookEndpoint.objects.create(
            center=center,
            name="docketing",
            url=receiver.url,
            secret=SECRET,
            event_types=[WebhookEndpoint.EventType.CASE_TRANSITION],
        )
        for _ in range(2):
            factories.make_case(CaseState.FILED, center=center)  # 4 transitions each
        expected = {str(i) for i in WebhookDelivery.objects.values_list("event_id", flat=True)}
        assert len(expected) == 8
        receiver.hold_request = 4  # the 4th request: the worker dies waiting for the answer

        purge_queue()
        worker = worker_process()
        try:
            deliver_webhooks_task.delay()
            assert receiver.holding.wait(60), "the worker should have sent the 4th delivery"
            worker.send_signal(signal.SIGKILL)
            worker.wait(TIMEOUT)
        finally:
            if worker.poll() is None:
                worker.kill()
        receiver.release.set()
        assert WebhookDelivery.objects.filter(status="delivered").count() == 3

        with running_worker():
            assert deliver_webhooks_task.delay().get(timeout=TIMEOUT) == 5
            assert deliver_webhooks_task.delay().get(timeout=TIMEOUT) == 0

    ids = [got["id"] for got in receiver.accepted]
    assert sorted(ids) == sorted(expected), "each event accepted exactly once"
    assert receiver.bad_signatures == 0
    assert not WebhookDelivery.objects.exclude(status="delivered").exists()
