"""Reading the holiday calendar: the working-day calendar, its version, its per-process memo.

The calendar (``CalendarDay``, ``CalendarYear``) is read often (every clock, every status
page with a working-day clock) and edited a few times a year, so each process keeps the
``WorkCalendar`` it built together with the version it read just before building it.
The version is a row in the database (``CalendarVersion``), set anew by
``calendar_changed()`` in the transaction of every edit: a process that reads the
version sees the edit too, whichever process made it, and the memo is rebuilt. A
version read before the calendar's rows can only be older than what was built from
them, never newer, so a memo is never served for a version it does not show.

Every path that writes the calendar calls ``calendar_changed()`` in its transaction,
after the edit and before anything reads the calendar again: the admin and
``sync_calendar`` through ``cases.services.calendar``; migrations that seed days set a
new version themselves (``0012_status_versions``).
"""

from __future__ import annotations

import uuid

from django.db import transaction

from cases import deadlines
from cases.enqueue import REFRESH_DASHBOARD_SUMMARY, enqueue
from cases.models import CalendarDay, CalendarVersion, CalendarYear
from protection_center.celery import SUMMARY_EXPIRES

# (version, calendar): replaced whole, so that threads never see half of one.
_memo: tuple[str, deadlines.WorkCalendar] | None = None


def calendar_version() -> str:
    """The calendar's current version (one query)."""
    version = CalendarVersion.objects.filter(pk=1).values_list("version", flat=True).first()
    return version.hex if version is not None else ""


def get_work_calendar(*, version: str | None = None) -> deadlines.WorkCalendar:
    """The working-day calendar, built once per process and version.

    ``version`` is the calendar's version when the caller has read it already (the status
    page reads it with the case); otherwise it is read here.
    """
    global _memo
    if version is None:
        version = calendar_version()
    memo = _memo
    if memo is not None and memo[0] == version:
        return memo[1]
    rows = CalendarDay.objects.values_list("date", "is_working")
    years = CalendarYear.objects.filter(complete=True).values_list("year", flat=True)
    calendar = deadlines.WorkCalendar.from_days(list(rows), known_years=list(years))
    _memo = (version, calendar)
    return calendar


def calendar_changed() -> None:
    """The calendar was edited in the current transaction: give it a new version.

    Every process, this one included, builds the calendar again on its next use once the
    edit commits; if it rolls back, the new version goes with it. The dashboard's
    figures count working days, so a full rebuild of its summary is asked for once the
    edit commits (best-effort: with the broker down the next scheduled refresh rebuilds,
    since the calendar's fingerprint changed).
    """
    CalendarVersion.objects.update_or_create(pk=1, defaults={"version": uuid.uuid4()})
    transaction.on_commit(_rebuild_dashboard_summary, robust=True)


def _rebuild_dashboard_summary() -> None:
    enqueue(REFRESH_DASHBOARD_SUMMARY, expires=SUMMARY_EXPIRES, full=True)
