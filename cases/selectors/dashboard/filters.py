"""What the manager chose: the dashboard's filters, and the cases they select."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from cases.models import TERMINAL_STATES, Case, CaseFigures, CaseState

OPEN_STATES = tuple(state for state in CaseState.values if state not in TERMINAL_STATES)


@dataclass(frozen=True)
class DashboardFilters:
    """What the manager chose; ``center_id`` None means every center (superusers only)."""

    start: date
    end: date
    center_id: int | None = None
    patent_type: str = ""
    field: str = ""
    examiner_id: int | None = None

    @property
    def start_at(self) -> datetime:
        """The first instant of ``start``, local time."""
        return timezone.make_aware(datetime.combine(self.start, time.min))

    @property
    def end_before(self) -> datetime:
        """The first instant after ``end``, local time."""
        return timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min))

    def scope(self) -> QuerySet[Case]:
        """Cases of the center(s), type, field and examiner chosen; any date."""
        cases = Case.objects.all()
        if self.center_id is not None:
            cases = cases.filter(center_id=self.center_id)
        if self.patent_type:
            cases = cases.filter(patent_type=self.patent_type)
        if self.field:
            cases = cases.filter(classification__istartswith=self.field)
        if self.examiner_id is not None:
            cases = cases.filter(examiner_id=self.examiner_id)
        return cases

    def open_cases(self) -> QuerySet[Case]:
        """The scope's open cases, any submission date (the "now" figures)."""
        return self.scope().filter(state__in=OPEN_STATES)

    def cohort(self) -> QuerySet[CaseFigures]:
        """The summary rows of the scope's cases submitted in the date range."""
        rows = CaseFigures.objects.filter(submitted_on__gte=self.start, submitted_on__lte=self.end)
        if self.center_id is not None:
            rows = rows.filter(center_id=self.center_id)
        if self.patent_type:
            rows = rows.filter(patent_type=self.patent_type)
        if self.field:
            rows = rows.filter(classification__istartswith=self.field)
        if self.examiner_id is not None:
            rows = rows.filter(examiner_id=self.examiner_id)
        return rows


def default_period(today: date) -> tuple[date, date]:
    """The last 12 months, today included."""
    try:
        year_ago = today.replace(year=today.year - 1)
    except ValueError:  # 29 February
        year_ago = today.replace(year=today.year - 1, day=28)
    return year_ago + timedelta(days=1), today
