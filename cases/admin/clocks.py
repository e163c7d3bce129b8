"""Time limits per center and the working-day calendar, both edited by staff."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from cases import services
from cases.admin.scoping import CenterScopedAdmin
from cases.models import CalendarDay, CalendarYear, TimeLimitRule


@admin.register(TimeLimitRule)
class TimeLimitRuleAdmin(CenterScopedAdmin):
    """The model form runs ``full_clean`` (with ``TimeLimitRule.clean``), in the list too."""

    list_display = (
        "step",
        "patent_type_column",
        "center",
        "amount",
        "unit",
        "counting",
        "warning_share",
        "updated_at",
    )
    list_display_links = ("step",)
    list_editable = ("amount", "unit", "counting", "warning_share")
    list_filter = ("step", "patent_type")
    list_select_related = ("center",)
    fields = ("center", "step", "patent_type", ("amount", "unit"), "counting", "warning_share")

    @admin.display(description=_("patent type"), ordering="patent_type")
    def patent_type_column(self, rule: TimeLimitRule) -> str:
        return rule.get_patent_type_display() or _("every type")


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    """Holidays and adjusted working days; every edit invalidates the cached calendar.

    The calendar is national (the State Council's notice), so it is not center-scoped;
    the role permissions let center administrators edit it.
    """

    list_display = ("date", "weekday", "is_working", "name", "source")
    list_filter = ("is_working", "source")
    search_fields = ("name",)
    date_hierarchy = "date"
    ordering = ("-date",)
    fields = ("date", "is_working", "name", "source")
    readonly_fields = ("source",)

    @admin.display(description=_("weekday"))
    def weekday(self, day: CalendarDay) -> str:
        return formats.date_format(day.date, "l")

    def save_model(self, request: HttpRequest, obj: CalendarDay, form: Any, change: bool) -> None:
        obj.source = CalendarDay.Source.STAFF
        super().save_model(request, obj, form, change)
        # After commit: a process rebuilding the calendar earlier would cache old rows.
        transaction.on_commit(services.calendar_changed)

    def delete_model(self, request: HttpRequest, obj: CalendarDay) -> None:
        super().delete_model(request, obj)
        transaction.on_commit(services.calendar_changed)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[CalendarDay]) -> None:
        super().delete_queryset(request, queryset)
        transaction.on_commit(services.calendar_changed)


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    """Which years' holiday notices are entered; deadlines in other years are estimated."""

    list_display = ("year", "complete", "source")
    list_editable = ("complete",)
    ordering = ("-year",)
    fields = ("year", "complete", "source")

    def save_model(self, request: HttpRequest, obj: CalendarYear, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        transaction.on_commit(services.calendar_changed)

    def delete_model(self, request: HttpRequest, obj: CalendarYear) -> None:
        super().delete_model(request, obj)
        transaction.on_commit(services.calendar_changed)
