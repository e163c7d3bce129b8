"""List filters of the case list: examiner (of the user's center) and deadlines."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import services
from cases.admin.scoping import staff_center_id, staff_name
from cases.deadlines import add_workdays
from cases.forms import examiners_of

DUE_SOON_WORKDAYS = 5


class ExaminerFilter(admin.SimpleListFilter):
    title = _("examiner")
    parameter_name = "examiner"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        center_id = staff_center_id(request)
        if center_id is None and not request.user.is_superuser:
            return []
        choices: list[tuple[str, Any]] = [("none", _("Not assigned"))]
        choices += [(str(user.pk), staff_name(user)) for user in examiners_of(center_id)]
        return choices

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if value == "none":
            return queryset.filter(examiner__isnull=True)
        if value and value.isdigit():
            return queryset.filter(examiner_id=int(value))
        return queryset


class DeadlineFilter(admin.SimpleListFilter):
    """On the case's deadline summary, which the services and the sweep keep indexed."""

    title = _("deadline")
    parameter_name = "deadline"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [
            ("at_risk", _("At risk")),
            ("overdue", _("Overdue")),
            ("due_soon", _("Due in the next 5 working days")),
            ("estimated", _("Calendar estimated")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if value == "at_risk":
            return queryset.at_risk()
        if value == "overdue":
            return queryset.overdue()
        if value == "due_soon":
            # Not yet overdue: those have a filter of their own, and a list of what is
            # coming up should not bury it under what is already late.
            today = timezone.localdate()
            # Lenient: five working days may reach into a year whose notice is not
            # entered yet; a list filter may count weekdays there rather than fail.
            calendar = services.get_work_calendar().lenient()
            return queryset.due_by(add_workdays(today, DUE_SOON_WORKDAYS, calendar)).filter(
                next_due_on__gte=today, overdue_since__isnull=True
            )
        if value == "estimated":
            return queryset.filter(calendar_estimated=True)
        return queryset
