"""Reading the holiday calendar: built once per process and version, rebuilt after an edit
made by any process (``cases.calendar``)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.management import call_command
from django.db import transaction

from cases import calendar
from cases.deadlines import add_workdays, compute_due
from cases.models import CalendarDay, CalendarVersion, CalendarYear, Counting, Unit

pytestmark = pytest.mark.django_db

WEDNESDAY = date(2025, 3, 5)  # an ordinary working day


def built_elsewhere():
    """The calendar as another process built it before an edit: its memo."""
    calendar.get_work_calendar()
    return calendar._memo


def test_the_calendar_is_built_once_per_version(django_assert_num_queries):
    first = calendar.get_work_calendar()

    with django_assert_num_queries(1):  # the version only
        assert calendar.get_work_calendar() is first
    version = calendar.calendar_version()  # as the status page reads it, with its case
    with django_assert_num_queries(0):
        assert calendar.get_work_calendar(version=version) is first


def test_an_edit_made_by_another_process_is_seen_here():
    elsewhere = built_elsewhere()
    assert calendar.get_work_calendar().is_workday(WEDNESDAY)

    CalendarDay.objects.create(date=WEDNESDAY, is_working=False, name="Local holiday")
    calendar.calendar_changed()  # in that edit's transaction, in whichever process

    calendar._memo = elsewhere
    assert not calendar.get_work_calendar().is_workday(WEDNESDAY)
    # Tue 2025-03-04 + 1 working day: Thursday, the Wednesday being off.
    assert add_workdays(date(2025, 3, 4), 1, calendar.get_work_calendar()) == date(2025, 3, 6)


def test_a_calendar_built_in_an_edit_that_rolled_back_is_never_used():
    before = calendar.calendar_version()
    with pytest.raises(RuntimeError), transaction.atomic():
        CalendarDay.objects.create(date=WEDNESDAY, is_working=False, name="Undone")
        calendar.calendar_changed()
        assert not calendar.get_work_calendar().is_workday(WEDNESDAY)  # built in the edit
        raise RuntimeError
    assert calendar.calendar_version() == before

    calendar.calendar_changed()  # the next edit's version is not the one rolled back

    assert calendar.get_work_calendar().is_workday(WEDNESDAY)


def test_the_migrations_leave_a_version_and_one_is_made_if_it_went_missing():
    assert calendar.calendar_version()
    CalendarVersion.objects.all().delete()
    assert calendar.calendar_version() == ""

    calendar.calendar_changed()

    assert calendar.calendar_version() and CalendarVersion.objects.count() == 1


def _due_after_friday() -> tuple[date, bool]:
    # Fri 2025-01-24 + 1 working day -> Sun 01-26, an adjusted working day; on weekdays
    # only (the year unknown), Mon 01-27 and estimated.
    due = compute_due(
        date(2025, 1, 24),
        calendar.get_work_calendar(),
        amount=1,
        unit=Unit.WORKDAYS,
        counting=Counting.WORKDAY,
    )
    return due.due, due.estimated


def test_sync_calendar_is_seen_by_every_process():
    CalendarYear.objects.filter(year=2025).delete()
    calendar.calendar_changed()
    elsewhere = built_elsewhere()
    assert _due_after_friday() == (date(2025, 1, 27), True)

    call_command("sync_calendar", verbosity=0)

    calendar._memo = elsewhere
    assert _due_after_friday() == (date(2025, 1, 26), False)
