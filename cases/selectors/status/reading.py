"""Reading a case for its status page: four statements of plain SQL, on every database.

``status_case`` reads the case with its center and applicant and the versions of what
the page shows (the case's, its center's, its applicant's and the calendar's): enough to
check the link and to find a kept page, which is all a page viewed again reads.
``status_history`` reads what else a page rendered afresh needs: the public events, the
clocks and the center's notices (their PDFs are downloaded through the same signed
link). Plain SQL rather than the ORM: building these queries
cost the ORM more than three times what running them costs the database, and the page
is public and hot (README, *Applicant status page*). The statements are standard SQL,
made once from the models' tables and columns, and run as they are on PostgreSQL and on
SQLite. Never read: internal notes, actors, the examiner.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from django.db import connections
from django.utils import timezone

from cases.models import (
    CalendarVersion,
    Case,
    CaseEvent,
    Center,
    Entity,
    Notice,
    NoticeKind,
    Step,
    Timer,
)


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
    status_version: int
    center: Center  # not saved: its name, contact details and benchmark days
    center_version: int
    applicant: str
    entity_version: int
    calendar_version: str


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


@dataclass(slots=True)
class NoticeRow:
    """A notice of the center, listed on the page with its download link."""

    id: int
    number: str
    kind: str
    issued_at: datetime

    @property
    def kind_label(self) -> str:
        return str(NoticeKind(self.kind).label)

    @property
    def issued_on(self) -> date:
        return timezone.localdate(self.issued_at)


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
    "status_version",
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


def _columns(alias: str, names: tuple[str, ...]) -> str:
    return ", ".join(f"{alias}.{name}" for name in names)


_CASE_SQL = f"""
    SELECT {_columns("c", _CASE_COLUMNS)}, {_columns("ce", CENTER_COLUMNS)}, ce.status_version,
           en.name, en.status_version,
           (SELECT v.version FROM {CalendarVersion._meta.db_table} v WHERE v.id = 1)
      FROM {Case._meta.db_table} c
      JOIN {Center._meta.db_table} ce ON ce.id = c.center_id
      JOIN {Entity._meta.db_table} en ON en.id = c.entity_id
     WHERE c.id = %s
"""
_EVENTS_SQL = f"""
    SELECT {_columns("e", _EVENT_COLUMNS)} FROM {CaseEvent._meta.db_table} e
     WHERE e.case_id = %s AND e.public ORDER BY e.created_at DESC, e.id DESC
"""
_NOTICES_SQL = f"""
    SELECT n.id, n.number, n.kind, n.issued_at FROM {Notice._meta.db_table} n
     WHERE n.case_id = %s ORDER BY n.issued_at, n.id
"""
# The running clocks, and the benchmark's even once stopped.
_CLOCKS_SQL = f"""
    SELECT {_columns("t", _CLOCK_COLUMNS)} FROM {Timer._meta.db_table} t
     WHERE t.case_id = %s AND (t.stopped_at IS NULL OR t.step = %s) ORDER BY t.due_on, t.id
"""


def _aware(value: datetime | None) -> datetime | None:
    # SQLite returns UTC times without their zone; PostgreSQL with it.
    if value is not None and timezone.is_naive(value):
        return value.replace(tzinfo=UTC)
    return value


def status_case(case_id: int) -> CaseRow:
    """The case, its center and applicant, and the versions of what its page shows.

    Raises ``Case.DoesNotExist`` for an unknown id.
    """
    with connections[Case.objects.db].cursor() as cursor:
        cursor.execute(_CASE_SQL, [case_id])
        row = cursor.fetchone()
    if row is None:
        raise Case.DoesNotExist
    n, m = len(_CASE_COLUMNS), len(CENTER_COLUMNS)
    values = dict(zip(_CASE_COLUMNS, row[:n], strict=True))
    for name in ("submitted_at", "accepted_at", "qualified_at", "closed_at"):
        values[name] = _aware(values[name])
    values["calendar_estimated"] = bool(values["calendar_estimated"])
    center = Center(
        pk=values["center_id"], **dict(zip(CENTER_COLUMNS, row[n : n + m], strict=True))
    )
    center_version, applicant, entity_version, calendar_version = row[n + m :]
    return CaseRow(
        **values,
        center=center,
        center_version=center_version,
        applicant=applicant,
        entity_version=entity_version,
        calendar_version=uuid.UUID(str(calendar_version)).hex if calendar_version else "",
    )


def status_history(case_id: int) -> tuple[list[Event], list[ClockRow], list[NoticeRow]]:
    """The case's public events (newest first), the clocks its page shows, and the
    center's notices of it (oldest first)."""
    with connections[Case.objects.db].cursor() as cursor:
        cursor.execute(_EVENTS_SQL, [case_id])
        events = cursor.fetchall()
        cursor.execute(_CLOCKS_SQL, [case_id, Step.BENCHMARK.value])
        clocks = cursor.fetchall()
        cursor.execute(_NOTICES_SQL, [case_id])
        notices = cursor.fetchall()
    return (
        [_event(_aware(at), on, name, note) for at, on, name, note in events],
        [_clock(values) for values in clocks],
        [NoticeRow(pk, number, kind, _aware(at)) for pk, number, kind, at in notices],
    )


def _clock(values: tuple[Any, ...]) -> ClockRow:
    row = dict(zip(_CLOCK_COLUMNS, values, strict=True))
    row["running"] = row.pop("stopped_at") is None
    row["estimated"] = bool(row["estimated"])
    return ClockRow(**row)


def _event(at: datetime, on: date | None, name: str, note: str) -> Event:
    # The day it happened (CNIPA's date) when recorded, else the local day it was recorded.
    return (on or timezone.localdate(at), name, note)
