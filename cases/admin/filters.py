"""List filters of the case list: examiner (of the user's center), deadlines, and the
dashboard's drill-down parameters (submission period, technical field) shown as filters."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _

from cases.admin.scoping import staff_center_id
from cases.calendar import get_work_calendar
from cases.deadlines import add_workdays
from cases.forms import examiners_of
from cases.people import staff_display_name
from cases.selectors import queue

DUE_SOON_WORKDAYS = 5


class ExaminerFilter(admin.SimpleListFilter):
    title = _("examiner")
    parameter_name = "examiner"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        center_id = staff_center_id(request)
        if center_id is None and not request.user.is_superuser:
            return []
        choices: list[tuple[str, Any]] = [("none", _("Not assigned"))]
        choices += [(str(user.pk), staff_display_name(user)) for user in examiners_of(center_id)]
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
            calendar = get_work_calendar().lenient()
            return queryset.due_by(add_workdays(today, DUE_SOON_WORKDAYS, calendar)).filter(
                next_due_on__gte=today, overdue_since__isnull=True
            )
        if value == "estimated":
            return queryset.filter(calendar_estimated=True)
        return queryset


class ShownParametersFilter(admin.ListFilter):
    """Query parameters that links from elsewhere (the dashboard's drill-down) put on the
    list, shown as a filter so that what is applied is seen and can be removed.

    Only shown while one of ``parameters`` is in the query string.
    """

    parameters: tuple[str, ...] = ()

    def __init__(
        self, request: HttpRequest, params: dict[str, Any], model: Any, model_admin: Any
    ) -> None:
        super().__init__(request, params, model, model_admin)
        for name in self.parameters:
            if name in params:
                value = params.pop(name)
                self.used_parameters[name] = value[-1] if isinstance(value, list) else value

    def has_output(self) -> bool:
        return bool(self.used_parameters)

    def expected_parameters(self) -> list[str]:
        return list(self.parameters)

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        try:
            return queryset.filter(**self.used_parameters)
        except (ValidationError, ValueError) as error:
            raise IncorrectLookupParameters(error) from error

    def label(self) -> str:
        raise NotImplementedError

    def choices(self, changelist: Any) -> Iterator[dict[str, Any]]:
        yield {
            "selected": False,
            "query_string": changelist.get_query_string(remove=list(self.parameters)),
            "display": _("All"),
        }
        yield {
            "selected": True,
            "query_string": changelist.get_query_string(),
            "display": self.label(),
        }


def _local_day(value: str | None) -> date | None:
    moment = parse_datetime(value) if value else None
    if moment is None:
        return parse_date(value) if value else None
    return timezone.localdate(moment) if timezone.is_aware(moment) else moment.date()


class SubmittedRangeFilter(ShownParametersFilter):
    title = _("submitted")
    parameters = ("submitted_at__gte", "submitted_at__lt")

    def label(self) -> str:
        since = _local_day(self.used_parameters.get("submitted_at__gte"))
        before = _local_day(self.used_parameters.get("submitted_at__lt"))
        until = before - timedelta(days=1) if before else None
        if since and until:
            return _("%(since)s to %(until)s") % {"since": since, "until": until}
        if since:
            return _("From %(since)s") % {"since": since}
        return _("Until %(until)s") % {"until": until}


class FieldPrefixFilter(ShownParametersFilter):
    title = _("technical field")
    parameters = ("classification__istartswith",)

    def label(self) -> str:
        return _("Classification starting %(prefix)s") % {
            "prefix": self.used_parameters["classification__istartswith"]
        }


class QueueFilter(admin.SimpleListFilter):
    """The workbench's queues (``selectors.queue``): what waits on me; what a manager
    watches. Either sorts the nearest due date first."""

    title = _("queue")
    parameter_name = "queue"

    MINE = "mine"
    WATCH = "watch"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        if request.user.is_superuser and staff_center_id(request) is None:
            return []
        return [(self.MINE, _("Waiting on me")), (self.WATCH, _("Overdue, at risk, unassigned"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if value == self.MINE:
            return queryset.open().filter(queue.waiting_on(request.user))
        if value == self.WATCH:
            return queryset.open().filter(queue.watched())
        return queryset


# The dashboard's drill-down on the steps a case reached (and when), each shown by name.
_REACHED = {
    "accepted_at": _("accepted"),
    "qualified_at": _("qualified"),
    "cnipa_filing_date": _("filed with CNIPA"),
    "grant_notice_date": _("grant notified"),
    "closed_at": _("closed"),
}


class ReachedStepFilter(ShownParametersFilter):
    """``accepted_at__isnull=False``, ``qualified_at__gte=…`` and the like, as the
    dashboard's counts link them; ``state__in`` for "open"."""

    title = _("from the dashboard")
    parameters = (
        *(f"{name}__isnull" for name in _REACHED),
        *(f"{name}__gte" for name in _REACHED),
        *(f"{name}__lt" for name in _REACHED),
        "state__in",
    )

    def label(self) -> str:
        parts = []
        for name, label in _REACHED.items():
            isnull = self.used_parameters.get(f"{name}__isnull")
            if isnull is not None:
                reached = isnull.lower() in ("false", "0")
                parts.append(str(label) if reached else str(_("not %(step)s")) % {"step": label})
            since = _local_day(self.used_parameters.get(f"{name}__gte"))
            before = _local_day(self.used_parameters.get(f"{name}__lt"))
            if since or before:
                until = before - timedelta(days=1) if before else None
                parts.append(
                    str(_("%(step)s %(since)s to %(until)s"))
                    % {"step": label, "since": since or "…", "until": until or "…"}
                )
        if "state__in" in self.used_parameters:
            parts.append(str(_("open")))
        return ", ".join(str(part) for part in parts)

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        params = dict(self.used_parameters)
        states = params.pop("state__in", None)
        for key, value in list(params.items()):
            if key.endswith("__isnull"):
                params[key] = value.lower() not in ("false", "0")
        try:
            queryset = queryset.filter(**params)
        except (ValidationError, ValueError) as error:
            raise IncorrectLookupParameters(error) from error
        if states:
            queryset = queryset.filter(state__in=states.split(","))
        return queryset
