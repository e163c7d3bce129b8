"""Bring the holiday calendar up to date with the installed chinesecalendar package."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from cases.actors import SYSTEM
from cases.models import CalendarYear
from cases.services.calendar import calendar_sync_from_package


class Command(BaseCommand):
    help = (
        "Add holidays and adjusted working days known to the chinesecalendar package "
        "(days entered by staff are kept), and mark those years as known."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        added, years = calendar_sync_from_package(actor=SYSTEM)
        known = list(CalendarYear.objects.filter(complete=True).values_list("year", flat=True))
        self.stdout.write(
            self.style.SUCCESS(
                f"Calendar synced: {added} days added, {years} years newly known; "
                f"known years {min(known, default='-')}–{max(known, default='-')}."
            )
        )
        self.stdout.write(
            "Years after the last known one are computed on weekdays and flagged as estimated "
            "until their State Council notice is entered in the admin (Calendar days, then "
            "tick the year in Calendar years)."
        )
