"""Reading a case for its status page: one query on PostgreSQL, three elsewhere.

On PostgreSQL the case, its center and applicant, its public events and the clocks the
page shows come in one query (the events and clocks as JSON arrays in subqueries): the
page is public and hot, and three ORM queries cost several times the round trip in
Python. Elsewhere (SQLite) it is three ORM queries; ``tests/cases/test_views_status.py``
checks that both read the same. Never read: internal notes, actors, the examiner.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorWrapper
from django.db.models import Q
from django.utils import timezone

from cases.models import Case, CaseEvent, Center, Entity, Step, Timer


@dataclass(slots=True)
class CaseRow:
    """The columns of a case, its center and its applicant that the page reads."""

    id: int
    reference: str
    title: str
    patent_type: str
    state: str
    application_number: str | None
    submitted_at: datetime
    accepted_at: datetime | None
    qualified_at: datetime | None
    closed_at: datetime | None
    cnipa_filing_date: date | None
    grant_notice_date: date | None
    benchmark_gross_days: int | None
    benchmark_net_days: int | None
    calendar_estimated: bool
    access_code_hash: str
    center_id: int
    center: Center  # not saved: its name, contact details and benchmark days
    applicant: str


@dataclass(slots=True)
class ClockRow:
    """A running clock of the case, or its benchmark clock (running or stopped)."""

    step: str
    party: str
    started_on: date
    due_on: date
    amount: int
    unit: str
    counting: str
    paused_since: date | None
    paused_days: int
    running: bool
    estimated: bool

    @property
    def step_label(self) -> str:
        return str(Step(self.step).label)


Event = tuple[date, str, str]  # the day it happened, transition, public note

_CASE_COLUMNS = (
    "id",
    "reference",
    "title",
    "patent_type",
    "state",
    "application_number",
    "submitted_at",
    "accepted_at",
    "qualified_at",
    "closed_at",
    "cnipa_filing_date",
    "grant_notice_date",
    "benchmark_gross_days",
    "benchmark_net_days",
    "calendar_estimated",
    "access_code_hash",
    "center_id",
)
CENTER_COLUMNS = (
    "name",
    "address",
    "phone",
    "email",
    "website",
    "benchmark_days_invention",
    "benchmark_days_utility_model",
    "benchmark_days_design",
)
_CLOCK_COLUMNS = (
    "step",
    "party",
    "started_on",
    "due_on",
    "amount",
    "unit",
    "counting",
    "paused_since",
    "paused_days",
    "stopped_at",
    "estimated",
)
_EVENT_COLUMNS = ("created_at", "occurred_on", "transition", "public_note")
_CLOCKS_SHOWN = Q(stopped_at__isnull=True) | Q(step=Step.BENCHMARK)


def _case_from_row(row: tuple[Any, ...]) -> CaseRow:
    n, m = len(_CASE_COLUMNS), len(CENTER_COLUMNS)
    values = dict(zip(_CASE_COLUMNS, row[:n], strict=True))
    center = Center(
        pk=values["center_id"], **dict(zip(CENTER_COLUMNS, row[n : n + m], strict=True))
    )
    return CaseRow(**values, center=center, applicant=row[n + m])


def _clock_from_row(row: Any) -> ClockRow:
    values = dict(zip(_CLOCK_COLUMNS, row, strict=True))
    values["running"] = values.pop("stopped_at") is None
    return ClockRow(**values)


def load(case_id: int) -> tuple[CaseRow, list[Event], list[ClockRow]]:
    """The case, its public events (newest first) and the clocks the page shows."""
    if connections[Case.objects.db].vendor == "postgresql":
        return load_in_one_query(case_id)
    return load_with_orm(case_id)


def load_with_orm(case_id: int) -> tuple[CaseRow, list[Event], list[ClockRow]]:
    row = (
        Case.objects.filter(pk=case_id)
        .values_list(*_CASE_COLUMNS, *(f"center__{c}" for c in CENTER_COLUMNS), "entity__name")
        .first()
    )
    if row is None:
        raise Case.DoesNotExist
    events = (
        CaseEvent.objects.filter(case_id=case_id, public=True)
        .order_by("-created_at", "-id")
        .values_list(*_EVENT_COLUMNS)
    )
    events = [_event(at, on, name, note) for at, on, name, note in events]
    clocks = (
        Timer.objects.filter(_CLOCKS_SHOWN, case_id=case_id)
        .order_by("due_on", "id")
        .values_list(*_CLOCK_COLUMNS)
    )
    return _case_from_row(row), events, [_clock_from_row(c) for c in clocks]


def _one_query_sql() -> str:
    def columns(alias: str, names: tuple[str, ...]) -> str:
        return ", ".join(f"{alias}.{name}" for name in names)

    return f"""
        SELECT {columns("c", _CASE_COLUMNS)}, {columns("ce", CENTER_COLUMNS)}, en.name,
          (SELECT json_agg(json_build_array({columns("e", _EVENT_COLUMNS)})
                           ORDER BY e.created_at DESC, e.id DESC)
             FROM {CaseEvent._meta.db_table} e WHERE e.case_id = c.id AND e.public),
          (SELECT json_agg(json_build_array({columns("t", _CLOCK_COLUMNS)})
                           ORDER BY t.due_on, t.id)
             FROM {Timer._meta.db_table} t
            WHERE t.case_id = c.id AND (t.stopped_at IS NULL OR t.step = %s))
          FROM {Case._meta.db_table} c
          JOIN {Center._meta.db_table} ce ON ce.id = c.center_id
          JOIN {Entity._meta.db_table} en ON en.id = c.entity_id
         WHERE c.id = %s
    """


_ONE_QUERY_SQL = _one_query_sql()


def _server_binding_cursor(connection: BaseDatabaseWrapper) -> CursorWrapper:
    """A cursor that sends parameters apart from the SQL, so psycopg can prepare it.

    Django's cursors bind on the client (the values are in the SQL text), which psycopg
    never prepares. This one is wrapped as Django wraps its own (query logging, execute
    wrappers, error translation).
    """
    from django.db.backends.postgresql.base import ServerBindingCursor

    connection.ensure_connection()
    connection.validate_thread_sharing()
    cursor = ServerBindingCursor(connection.connection)
    if connection.queries_logged:
        return connection.make_debug_cursor(cursor)
    return connection.make_cursor(cursor)


def load_in_one_query(case_id: int) -> tuple[CaseRow, list[Event], list[ClockRow]]:
    # Prepared on each connection once run a few times (DATABASE_PREPARED_STATEMENTS):
    # planning this query took longer than running it.
    with _server_binding_cursor(connections[Case.objects.db]) as cursor:
        cursor.execute(_ONE_QUERY_SQL, [Step.BENCHMARK.value, case_id])
        row = cursor.fetchone()
    if row is None:
        raise Case.DoesNotExist
    *columns, events, clocks = row
    # JSON carries dates and times as ISO 8601 text.
    return (
        _case_from_row(tuple(columns)),
        [
            _event(datetime.fromisoformat(at), on and date.fromisoformat(on), name, note)
            for at, on, name, note in events or []
        ],
        [_clock_from_json(values) for values in clocks or []],
    )


def _event(at: datetime, on: date | None, name: str, note: str) -> Event:
    # The day it happened (CNIPA's date) when recorded, else the local day it was recorded.
    return (on or timezone.localdate(at), name, note)


def _clock_from_json(values: list[Any]) -> ClockRow:
    row = dict(zip(_CLOCK_COLUMNS, values, strict=True))
    for name in ("started_on", "due_on", "paused_since"):
        if row[name] is not None:
            row[name] = date.fromisoformat(row[name])
    return _clock_from_row(tuple(row.values()))
