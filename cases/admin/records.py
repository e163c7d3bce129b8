"""The audit log and the clocks: read-only lists, scoped to the user's center."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from cases import services, workflow
from cases.admin.scoping import CenterScopedAdmin, staff_name
from cases.models import CaseEvent, Notification, Role, Timer
from cases.templatetags.case_badges import deadline_flags, state_label


class ReadOnlyAdmin(CenterScopedAdmin):
    """Written by the services only: no add, change or delete for anyone."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class TransitionFilter(admin.SimpleListFilter):
    """The known transitions, without a DISTINCT over millions of events."""

    title = _("transition")
    parameter_name = "transition"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return list(workflow.TRANSITION_LABELS.items())

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value():
            return queryset.filter(transition=self.value())
        return queryset


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnlyAdmin):
    center_lookup = "case__center_id"
    list_display = (
        "created_at",
        "case",
        "transition_column",
        "from_column",
        "to_column",
        "actor_column",
        "public",
    )
    list_select_related = ("case", "actor")
    list_filter = (TransitionFilter, "public")
    search_fields = ("case__reference",)
    search_help_text = _("Case reference.")
    show_full_result_count = False
    ordering = ("-created_at", "-id")
    fields = (
        "case",
        "created_at",
        "transition_column",
        ("from_column", "to_column"),
        "actor",
        "note",
        "public_note",
        "public",
    )
    readonly_fields = (
        "case",
        "created_at",
        "transition_column",
        "from_column",
        "to_column",
        "actor",
        "note",
        "public_note",
        "public",
    )

    @admin.display(description=_("transition"), ordering="transition")
    def transition_column(self, event: CaseEvent) -> str:
        return str(workflow.TRANSITION_LABELS.get(event.transition, event.transition))

    @admin.display(description=_("from"))
    def from_column(self, event: CaseEvent) -> str:
        return state_label(event.from_state) or "—"

    @admin.display(description=_("to"))
    def to_column(self, event: CaseEvent) -> str:
        return state_label(event.to_state) or "—"

    @admin.display(description=_("actor"))
    def actor_column(self, event: CaseEvent) -> str:
        return staff_name(event.actor) or _("system")


class RunningFilter(admin.SimpleListFilter):
    title = _("running")
    parameter_name = "running"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("Running")), ("paused", _("Paused")), ("no", _("Stopped"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if value == "yes":
            return queryset.running()
        if value == "paused":
            return queryset.running().filter(paused_since__isnull=False)
        if value == "no":
            return queryset.filter(stopped_at__isnull=False)
        return queryset


@admin.register(Timer)
class TimerAdmin(ReadOnlyAdmin):
    center_lookup = "case__center_id"
    list_display = (
        "case",
        "step",
        "party",
        "started_on",
        "due_on",
        "paused_since",
        "stopped_on",
        "outcome",
        "flags_column",
    )
    list_select_related = ("case",)
    ordering = ("-started_on", "-id")
    list_filter = (RunningFilter, "step", "party", "outcome")
    search_fields = ("case__reference",)
    search_help_text = _("Case reference.")
    show_full_result_count = False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [field.name for field in Timer._meta.fields] + ["flags_column"]

    @admin.display(description=_("flags"))
    def flags_column(self, timer: Timer) -> str:
        return deadline_flags(
            at_risk=timer.at_risk_since, overdue=timer.overdue_since, estimated=timer.estimated
        )


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    """The outbox: what was sent, what waits and why a delivery failed.

    "Send again" puts failed rows back in the queue; the next delivery run sends them.
    """

    center_lookup = "case__center_id"
    list_display = (
        "created_at",
        "case",
        "center",
        "kind",
        "recipient",
        "language",
        "status",
        "attempts",
        "sent_at",
    )
    list_select_related = ("case", "center")
    list_filter = ("status", "kind", "language")
    search_fields = ("case__reference", "recipient")
    date_hierarchy = "created_at"
    readonly_fields = (
        "key",
        "kind",
        "case",
        "center",
        "timer",
        "recipient",
        "language",
        "payload",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "next_attempt_at",
        "sent_at",
    )
    actions = ["send_again"]

    def center_filter(self, center_id: int) -> Q:
        # A digest is about the center rather than one case.
        return Q(case__center_id=center_id) | Q(case__isnull=True, center_id=center_id)

    @admin.action(description=_("Send the selected failed notifications again"))
    def send_again(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        count = services.notifications_requeue(ids=list(queryset.values_list("id", flat=True)))
        self.message_user(request, _("%(count)d notifications queued again.") % {"count": count})

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # The action needs change permission; the form itself stays read-only.
        return bool(workflow.user_roles(request.user) & {Role.MANAGER, Role.CENTER_ADMIN})
