"""Time limits per center and the working-day calendar, both edited by staff."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import formats
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from cases import services
from cases.actors import Actor
from cases.admin.scoping import CenterScopedAdmin
from cases.models import CalendarDay, CalendarYear, Counting, TimeLimitRule
from cases.models.clocks import PACKAGE_HOLIDAY_NAMES


class RuleListForm(forms.ModelForm):
    """A row of the rules list: the counting's short label, so that its menu fits."""

    SHORT_COUNTING_LABELS = {Counting.CNIPA: _("CNIPA period")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "counting" in self.fields:
            field = self.fields["counting"]
            field.choices = [
                (value, self.SHORT_COUNTING_LABELS.get(value, label))
                for value, label in field.choices
            ]


@admin.register(TimeLimitRule)
class TimeLimitRuleAdmin(CenterScopedAdmin):
    """The model form runs ``full_clean`` (with ``TimeLimitRule.clean``), in the list too."""

    # Fits 1366 px beside the navigation and the filters: the center by its code (staff
    # see only their own, so no column at all), the edit widgets narrowed in admin.css.
    list_display = (
        "step",
        "patent_type_column",
        "center_column",
        "amount",
        "unit",
        "counting",
        "warning_share",
    )
    list_display_links = ("step",)
    list_editable = ("amount", "unit", "counting", "warning_share")
    list_filter = ("step", "patent_type")
    list_select_related = ("center",)
    fields = ("center", "step", "patent_type", ("amount", "unit"), "counting", "warning_share")

    def get_changelist_form(self, request: HttpRequest, **kwargs: Any) -> Any:
        kwargs.setdefault("form", RuleListForm)
        return super().get_changelist_form(request, **kwargs)

    def get_list_display(self, request: HttpRequest) -> list[str]:
        columns = list(super().get_list_display(request))
        if not request.user.is_superuser:
            columns.remove("center_column")
        return columns

    @admin.display(description=_("patent type"), ordering="patent_type")
    def patent_type_column(self, rule: TimeLimitRule) -> str:
        return rule.get_patent_type_display() or _("every type")

    @admin.display(description=_("center"), ordering="center__code")
    def center_column(self, rule: TimeLimitRule) -> str:
        return format_html('<span title="{}">{}</span>', rule.center.name, rule.center.code)


_DATE_SEARCHED = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")


def dates_searched(term: str) -> Q | None:
    """The days a date typed into the search box means, if it is one.

    ``2026-10-01`` is that day, ``2026-10`` the month, ``2026`` the year. Full-width
    digits, ``/`` or ``.`` between the parts and ``2026年10月1日`` are read the same way.
    None for anything else, including a month or day that does not exist.
    """
    text = unicodedata.normalize("NFKC", term).strip()
    text = re.sub(r"[/.年月]", "-", text).removesuffix("日").removesuffix("-")
    match = _DATE_SEARCHED.fullmatch(text)
    if match is None:
        return None
    year, month, day = (int(part) if part else None for part in match.groups())
    try:
        if day is not None:
            return Q(date=date(year, month, day))
        if month is not None:
            date(year, month, 1)
            return Q(date__year=year, date__month=month)
        return Q(date__year=year)
    except ValueError:
        return None


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    """Holidays and adjusted working days; every edit gives the calendar a new version.

    The calendar is national (the State Council's notice), so it is not center-scoped;
    the role permissions let center administrators edit it.
    """

    list_display = ("date", "weekday", "is_working", "name_column", "source")
    list_filter = ("is_working", "source")
    search_fields = ("name",)
    search_help_text = _("Name, or a date: 2026-10-01, a month: 2026-10, or a year: 2026.")
    date_hierarchy = "date"
    ordering = ("-date",)
    fields = ("date", "is_working", "name", "source")
    readonly_fields = ("source",)

    @admin.display(description=_("weekday"))
    def weekday(self, day: CalendarDay) -> str:
        return formats.date_format(day.date, "l")

    @admin.display(description=_("name"), ordering="name")
    def name_column(self, day: CalendarDay) -> str:
        return day.display_name

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "name":
            kwargs["help_text"] = _(
                "The holiday's name. The English names the chinesecalendar package gives "
                "(such as “National Day”) are shown in each reader's language; other names "
                "are shown as typed."
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[CalendarDay], search_term: str
    ) -> tuple[QuerySet[CalendarDay], bool]:
        """Also find the package's days by their name as shown (国庆节 finds National Day),
        and the days of a date, month or year (``dates_searched``)."""
        found, duplicates = super().get_search_results(request, queryset, search_term)
        dates = dates_searched(search_term)
        if dates is not None:
            found = found | queryset.filter(dates)
        term = search_term.strip().casefold()
        keys = [
            key
            for key, label in PACKAGE_HOLIDAY_NAMES.items()
            if term and term in str(label).casefold()
        ]
        if keys:
            found = found | queryset.filter(name__in=keys)
        return found, duplicates

    # Every write goes through the calendar services, which give the calendar a new version.

    def save_model(self, request: HttpRequest, obj: CalendarDay, form: Any, change: bool) -> None:
        services.calendar_day_save(day=obj, actor=Actor.admin(request.user))

    def delete_model(self, request: HttpRequest, obj: CalendarDay) -> None:
        services.calendar_delete(
            rows=CalendarDay.objects.filter(pk=obj.pk), actor=Actor.admin(request.user)
        )

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[CalendarDay]) -> None:
        services.calendar_delete(rows=queryset, actor=Actor.admin(request.user))


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    """Which years' holiday notices are entered; deadlines in other years are estimated."""

    list_display = ("year", "complete", "source")
    list_editable = ("complete",)
    ordering = ("-year",)
    fields = ("year", "complete", "source")

    # Every write (the list's ticks too) goes through the calendar services.

    def save_model(self, request: HttpRequest, obj: CalendarYear, form: Any, change: bool) -> None:
        services.calendar_year_save(year=obj, actor=Actor.admin(request.user))

    def delete_model(self, request: HttpRequest, obj: CalendarYear) -> None:
        services.calendar_delete(
            rows=CalendarYear.objects.filter(pk=obj.pk), actor=Actor.admin(request.user)
        )

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[CalendarYear]) -> None:
        services.calendar_delete(rows=queryset, actor=Actor.admin(request.user))
