"""Two concurrent retries of one POST (same Idempotency-Key) on real PostgreSQL
connections: one runs the transition, the other waits and answers the same."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections, transaction
from django.urls import reverse
from rest_framework.test import APIClient

from cases.models import Case, CaseEvent, CaseState, IdempotentRequest
from cases.services.api_tokens import api_token_create
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
TIMEOUT = 30


def waiting_backends() -> int:
    """Other connections of this database waiting on a lock."""
    with connections["default"].cursor() as cursor:
        # The statistics views are read once per transaction unless told to read again.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def test_two_concurrent_retries_make_one_transition_and_answer_the_same():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row locks")
    case = factories.make_case(CaseState.SUBMITTED)
    user = factories.center_staff(case.center)
    _row, token = api_token_create(user=user, name="docketing")
    url = reverse("api:case-transition", args=[case.reference, "accept"])
    answers: list = []

    def retry():
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        try:
            answers.append(
                client.post(
                    url,
                    {"note": "by the docketing system"},
                    format="json",
                    HTTP_IDEMPOTENCY_KEY="accept-once",
                )
            )
        finally:
            connections.close_all()

    threads = [threading.Thread(target=retry) for _ in range(2)]
    # Hold the case: the first request stops inside its transaction (key row written),
    # so the second one surely arrives while the first is still running.
    with transaction.atomic():
        Case.objects.select_for_update().get(pk=case.pk)
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + TIMEOUT
        while waiting_backends() < 2:
            assert time.monotonic() < deadline, "both requests should be waiting"
            time.sleep(0.02)
    for thread in threads:
        thread.join(TIMEOUT)

    assert [a.status_code for a in answers] == [200, 200]
    assert answers[0].json() == answers[1].json()
    assert sorted(a.has_header("Idempotent-Replayed") for a in answers) == [False, True]
    assert CaseEvent.objects.filter(case=case, transition="accept").count() == 1
    assert IdempotentRequest.objects.filter(user=user, key="accept-once").count() == 1
