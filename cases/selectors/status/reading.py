"""Reading a case for its status page, in three ORM queries.

``status_case`` reads the case with its center and applicant and the versions of what
the page shows (the case's, its center's, its applicant's and the calendar's): enough to
check the link and to find a kept page. ``status_history`` reads what else a page
rendered afresh needs: the public events and the clocks. Never read: internal notes,
actors, the examiner.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Q, Subquery
from django.utils import timezone

from cases.models import CalendarVersion, Case, CaseEvent, Center, Step, Timer


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
_CLOCKS_SHOWN = Q(stopped_at__isnull=True) | Q(step=Step.BENCHMARK)


def _case_from_row(row: tuple[Any, ...]) -> CaseRow:
    n, m = len(_CASE_COLUMNS), len(CENTER_COLUMNS)
    values = dict(zip(_CASE_COLUMNS, row[:n], strict=True))
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
        calendar_version=calendar_version.hex if calendar_version else "",
    )


def _clock_from_row(row: Any) -> ClockRow:
    values = dict(zip(_CLOCK_COLUMNS, row, strict=True))
    values["running"] = values.pop("stopped_at") is None
    return ClockRow(**values)


def status_case(case_id: int) -> CaseRow:
    """The case, its center and applicant, and the versions of what its page shows.

    Raises ``Case.DoesNotExist`` for an unknown id.
    """
    calendar_version = CalendarVersion.objects.filter(pk=1).values("version")
    row = (
        Case.objects.filter(pk=case_id)
        .annotate(calendar_version=Subquery(calendar_version))
        .values_list(
            *_CASE_COLUMNS,
            *(f"center__{c}" for c in CENTER_COLUMNS),
            "center__status_version",
            "entity__name",
            "entity__status_version",
            "calendar_version",
        )
        .first()
    )
    if row is None:
        raise Case.DoesNotExist
    return _case_from_row(row)


def status_history(case_id: int) -> tuple[list[Event], list[ClockRow]]:
    """The case's public events (newest first) and the clocks its page shows."""
    events = (
        CaseEvent.objects.filter(case_id=case_id, public=True)
        .order_by("-created_at", "-id")
        .values_list(*_EVENT_COLUMNS)
    )
    clocks = (
        Timer.objects.filter(_CLOCKS_SHOWN, case_id=case_id)
        .order_by("due_on", "id")
        .values_list(*_CLOCK_COLUMNS)
    )
    return (
        [_event(at, on, name, note) for at, on, name, note in events],
        [_clock_from_row(c) for c in clocks],
    )


def _event(at: datetime, on: date | None, name: str, note: str) -> Event:
    # The day it happened (CNIPA's date) when recorded, else the local day it was recorded.
    return (on or timezone.localdate(at), name, note)
