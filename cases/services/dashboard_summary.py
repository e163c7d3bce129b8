"""Keep the dashboard's summary table (``CaseFigures``) up to date, set-based.

``dashboard_summary_refresh`` rewrites the rows of the cases changed since its last run,
found on the index on ``Case.updated_at`` (every service saves the case, so every
transition and assignment moves it; the review clock's paused days change only in
services that also save the case). It runs in a fixed number of statements whatever the
number of cases: lock the state row, delete the changed cases' rows, insert them again
with one ``INSERT … SELECT`` compiled by the ORM, record the time.

Only the Celery task ``refresh_dashboard_summary_task`` runs it: beat every five
minutes, and once more (a full rebuild) after a calendar change commits. The dashboard
never does: it reads the rows as they are and says when they were refreshed, so page
views take no lock and never wait on a refresh or on each other (readers see the rows of
the last committed refresh while the next one rewrites them).

It looks back ``REFRESH_MARGIN`` before its last run so that a transaction that saved a
case just before that run but committed just after it is not missed. When the
working-day calendar or the time zone changes (staff edit a holiday), every row is
rebuilt: the next run notices the calendar's fingerprint changed.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import date, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import (
    ExpressionWrapper,
    F,
    IntegerField,
    Min,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from cases import deadlines
from cases.db.functions import DaysBetween, WorkdayOrdinal, WorkdayWindow, local_date
from cases.models import Case, CaseFigures, DashboardSummaryState, Step, Timer

logger = logging.getLogger(__name__)

REFRESH_MARGIN = timedelta(minutes=5)
# The summary's columns and, in the same order, what the SELECT gives for each.
COLUMNS = (
    "case_id",
    "center_id",
    "patent_type",
    "classification",
    "examiner_id",
    "submitted_on",
    "accepted_on",
    "qualified_on",
    "left_review_on",
    "filed_on",
    "granted_on",
    "review_workdays",
    "filing_days",
    "gross_days",
    "net_days",
    "case_updated_at",
)


def calendar_fingerprint(calendar: deadlines.WorkCalendar) -> str:
    text = repr(
        (
            sorted(calendar.holidays),
            sorted(calendar.workdays),
            sorted(calendar.known_years),
            settings.TIME_ZONE,
        )
    )
    return hashlib.sha256(text.encode()).hexdigest()


def review_workdays(window: WorkdayWindow) -> ExpressionWrapper:
    """Working days the center's ACCEPTANCE and REVIEW clocks ran: from the day of
    submission (not counted) to the day of qualification, less the working days the
    REVIEW clock was paused for corrections. NULL until qualified."""
    paused = Subquery(
        Timer.objects.filter(case=OuterRef("pk"), step=Step.REVIEW)
        .order_by()
        .values("case")
        .annotate(total=Sum("paused_days"))
        .values("total"),
        output_field=IntegerField(),
    )
    return ExpressionWrapper(
        WorkdayOrdinal(local_date("qualified_at"), window=window)
        - WorkdayOrdinal(local_date("submitted_at"), window=window)
        - Coalesce(paused, Value(0)),
        output_field=IntegerField(),
    )


def _rows(cases: QuerySet[Case], window: WorkdayWindow) -> QuerySet[Case]:
    qualified_on = local_date("qualified_at")
    return (
        cases.order_by()
        .annotate(
            s_submitted_on=local_date("submitted_at"),
            s_accepted_on=local_date("accepted_at"),
            s_qualified_on=qualified_on,
            # Qualified, or closed before qualifying: either way, out of the center's review.
            s_left_review_on=Coalesce(local_date("qualified_at"), local_date("closed_at")),
            s_review=review_workdays(window),
            s_filing=DaysBetween(local_date("qualified_at"), F("cnipa_filing_date")),
        )
        .values_list(
            "pk",
            "center_id",
            "patent_type",
            "classification",
            "examiner_id",
            "s_submitted_on",
            "s_accepted_on",
            "s_qualified_on",
            "s_left_review_on",
            "cnipa_filing_date",
            "grant_notice_date",
            "s_review",
            "s_filing",
            "benchmark_gross_days",
            "benchmark_net_days",
            "updated_at",
        )
    )


def dashboard_summary_refresh(*, full: bool = False, today: date | None = None) -> int | None:
    """Bring ``CaseFigures`` up to date; returns the number of rows written, or None when
    another refresh was running (an incremental one then skips: the running one, or the
    next, takes in the same changes; a full one waits its turn, so that a calendar
    change is never left to a refresh that started before it)."""
    from cases.calendar import get_work_calendar

    today = today or timezone.localdate()
    DashboardSummaryState.objects.get_or_create(pk=1)  # a row for the lock below
    with transaction.atomic():
        state = (
            DashboardSummaryState.objects.select_for_update(skip_locked=not full)
            .filter(pk=1)
            .first()
        )
        if state is None:
            return None
        # Read under the lock: a refresh that waited sees the calendar as it is now.
        calendar = get_work_calendar()
        fingerprint = calendar_fingerprint(calendar)
        started = timezone.now()
        full = full or state.refreshed_at is None or state.calendar != fingerprint
        changed = Case.objects.all()
        if not full:
            changed = changed.filter(updated_at__gte=state.refreshed_at - REFRESH_MARGIN)
        first = changed.aggregate(first=Min("submitted_at"))["first"]
        written = 0
        if full:
            CaseFigures.objects.all().delete()
        elif first is not None:
            CaseFigures.objects.filter(case_id__in=changed.values("pk")).delete()
        if first is not None:
            window = WorkdayWindow.build(
                timezone.localdate(first) - timedelta(days=1), today + timedelta(days=1), calendar
            )
            sql, params = _rows(changed, window).query.sql_with_params()
            table = connection.ops.quote_name(CaseFigures._meta.db_table)
            columns = ", ".join(connection.ops.quote_name(c) for c in COLUMNS)
            with connection.cursor() as cursor:
                cursor.execute(f"INSERT INTO {table} ({columns}) {sql}", params)
                written = cursor.rowcount
        state.refreshed_at = started
        state.calendar = fingerprint
        state.save(update_fields=["refreshed_at", "calendar"])
    return written
