"""Data migrations: what they fill in on data recorded before them."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from cases.models import CaseEvent, CaseState
from tests import factories


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_events_recorded_before_0009_take_their_cases_cnipa_dates_in_0010():
    case = factories.make_case(CaseState.GRANT_NOTIFIED)
    events = {e.transition: e.pk for e in case.events.all()}
    executor = MigrationExecutor(connection)
    executor.migrate([("cases", "0008_drop_redundant_indexes")])
    try:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate([("cases", "0010_event_occurred_on_backfill")])
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
    on = dict(CaseEvent.objects.filter(case=case).values_list("transition", "occurred_on"))
    case.refresh_from_db()
    assert on["record_filing"] == case.cnipa_filing_date
    assert on["record_grant_notice"] == case.grant_notice_date
    assert on["accept"] is None and on["qualify"] is None
    assert set(on) == set(events)
