"""Writes to the holiday calendar: staff edits in the admin, and ``sync_calendar``.

Each one ends with ``calendar_changed()`` in its transaction, so that every process
builds the calendar again (and every status page counting working days is rendered
again) once the edit commits.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from cases import deadlines
from cases.actors import Actor
from cases.calendar import calendar_changed
from cases.models import CalendarDay, CalendarYear
from cases.services.transitions import check_permission


def _check(actor: Actor, codename: str) -> None:
    # One calendar for every center: a model permission, asked without an object.
    check_permission(
        actor, f"cases.{codename}", None, _("You are not allowed to change the holiday calendar.")
    )


@transaction.atomic
def calendar_day_save(*, day: CalendarDay, actor: Actor) -> CalendarDay:
    """Save a holiday or adjusted working day entered (or corrected) by staff."""
    _check(actor, "change_calendarday" if day.pk else "add_calendarday")
    day.source = CalendarDay.Source.STAFF
    day.save()
    calendar_changed()
    return day


@transaction.atomic
def calendar_year_save(*, year: CalendarYear, actor: Actor) -> CalendarYear:
    """Save a year, ticked once its holiday notice is entered (or unticked)."""
    _check(actor, "change_calendaryear" if year.pk else "add_calendaryear")
    year.save()
    calendar_changed()
    return year


@transaction.atomic
def calendar_delete(*, rows: QuerySet[CalendarDay] | QuerySet[CalendarYear], actor: Actor) -> int:
    """Delete days or years (one, or the admin's selection); returns how many.

    A year deleted is no longer known: its dates become estimates.
    """
    _check(actor, f"delete_{rows.model._meta.model_name}")
    deleted, _by_model = rows.delete()
    calendar_changed()
    return deleted


@transaction.atomic
def calendar_sync_from_package(*, actor: Actor) -> tuple[int, int]:
    """Add the ``chinesecalendar`` package's days and years; staff-entered rows win.

    Returns (days added, years marked complete).
    """
    _check(actor, "add_calendarday")
    package_days = deadlines.chinesecalendar_days()
    staff_dates = set(
        CalendarDay.objects.filter(source=CalendarDay.Source.STAFF).values_list("date", flat=True)
    )
    existing = set(CalendarDay.objects.values_list("date", flat=True))
    new = [
        CalendarDay(
            date=d.date, is_working=d.is_working, name=d.name, source=CalendarDay.Source.PACKAGE
        )
        for d in package_days
        if d.date not in existing and d.date not in staff_dates
    ]
    CalendarDay.objects.bulk_create(new, ignore_conflicts=True)
    years = sorted(deadlines.WorkCalendar.from_chinesecalendar().known_years)
    marked = 0
    for year in years:
        _obj, created = CalendarYear.objects.get_or_create(
            year=year, defaults={"complete": True, "source": "chinesecalendar"}
        )
        marked += int(created)
    calendar_changed()
    return len(new), marked
