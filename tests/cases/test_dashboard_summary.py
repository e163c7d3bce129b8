"""The dashboard summary's refresh and the page that reads it, under PostgreSQL's real
row locks: a second session stands for a refresh running in a worker.

Nothing here waits on the clock: a session that would wait for a lock fails at once
(a short ``lock_timeout``) instead.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager

import psycopg
import pytest
from django.db import OperationalError, connection, connections
from django.test import Client
from django.urls import reverse

from cases.models import Case, CaseFigures, CaseState, DashboardSummaryState
from cases.services import dashboard_summary_refresh
from tests.factories import make_case, make_center, make_entity
from tests.pages import as_manager

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

STATE = DashboardSummaryState._meta.db_table
FIGURES = CaseFigures._meta.db_table


@contextmanager
def refresh_in_progress():
    """Another session in the middle of a full refresh: it holds the summary's lock and
    has deleted every row, not yet inserted again nor committed."""
    with psycopg.connect(**connection.get_connection_params()) as other:
        other.execute(f"SELECT 1 FROM {STATE} WHERE id = 1 FOR UPDATE")
        other.execute(f"DELETE FROM {FIGURES}")
        try:
            yield
        finally:
            other.rollback()


@contextmanager
def lock_timeout(milliseconds: int):
    """This session gives up on any lock it would wait for longer than that."""
    with connection.cursor() as cursor:
        cursor.execute(f"SET lock_timeout = {milliseconds}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")


@pytest.fixture
def center():
    center = make_center("SH")
    entity = make_entity(center)
    for state in (CaseState.SUBMITTED, CaseState.UNDER_REVIEW, CaseState.QUALIFIED):
        make_case(state, entity=entity)
    assert dashboard_summary_refresh() == 3
    return center


def test_a_manager_opening_the_dashboard_does_not_wait_on_a_refresh(client, center):
    as_manager(client, center, language="en")

    with refresh_in_progress(), lock_timeout(1000):
        response = client.get(reverse("cases:dashboard"))

    assert response.status_code == 200
    # The rows of the last committed refresh, not the half-done one.
    figures = response.context["figures"]
    assert (figures.total.received, figures.total.qualified) == (3, 1)
    assert "as of" in response.content.decode()


def test_two_managers_at_once_do_not_wait_on_each_other(client, center):
    """Each view in its own thread and session, both while a refresh holds the lock."""
    as_manager(client, center, language="en")
    cookies = client.cookies
    results: list[int] = []

    def view() -> None:
        try:
            with lock_timeout(1000):
                manager = Client()
                manager.cookies = cookies
                response = manager.get(reverse("cases:dashboard"))
                results.append(response.context["figures"].total.received)
        finally:
            connections.close_all()

    with refresh_in_progress():
        threads = [threading.Thread(target=view) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    assert results == [3, 3]


def test_a_refresh_while_another_runs_skips_and_a_full_one_waits_its_turn(center):
    case = Case.objects.filter(center=center).first()
    with refresh_in_progress():
        with lock_timeout(1000):
            assert dashboard_summary_refresh() is None  # skipped at once: nothing waited
        # A full rebuild (a calendar change) must not be dropped: it waits for the lock.
        with lock_timeout(50), pytest.raises(OperationalError):
            dashboard_summary_refresh(full=True)

    assert CaseFigures.objects.count() == 3  # the other session's delete never committed
    assert dashboard_summary_refresh(full=True) == 3
    assert CaseFigures.objects.filter(case=case).exists()


def test_two_refreshes_at_once_leave_each_case_one_right_row(center):
    entity = make_entity(center)
    added = [make_case(CaseState.FILED, entity=entity) for _ in range(3)]
    start = threading.Barrier(2)
    results: list[int | None] = []

    def refresh() -> None:
        try:
            start.wait()
            results.append(dashboard_summary_refresh())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=refresh) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # One rewrote the six cases changed lately; the other skipped (None) or, coming
    # after it, rewrote them again.
    assert len(results) == 2 and 6 in results and set(results) <= {None, 6}
    rows = CaseFigures.objects.filter(case__in=added)
    assert rows.count() == 3
    assert {row.filed_on for row in rows} == {c.cnipa_filing_date for c in added}
    assert CaseFigures.objects.count() == Case.objects.count()
