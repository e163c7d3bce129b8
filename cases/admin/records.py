"""The audit log and the clocks: read-only lists, scoped to the user's center."""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html, urlize
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from cases import services, workflow
from cases.admin.scoping import CenterScopedAdmin
from cases.models import CaseEvent, Notification, Step, Timer
from cases.people import staff_display_name
from cases.services import outbox
from cases.templatetags.case_badges import deadline_flags, state_label, truncated

logger = logging.getLogger(__name__)


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
        "created_column",
        "case_column",
        "transition_column",
        "from_column",
        "to_column",
        "actor_column",
        "channel",
        "public",
    )
    list_select_related = ("case", "actor")
    list_filter = (TransitionFilter, "channel", "public")
    search_fields = ("case__reference",)
    search_help_text = _("Case reference.")
    show_full_result_count = False
    ordering = ("-created_at", "-id")
    fields = (
        "case",
        "created_at",
        "transition_column",
        ("from_column", "to_column"),
        ("actor", "channel"),
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
        "channel",
        "note",
        "public_note",
        "public",
    )

    @admin.display(description=_("created at"), ordering="created_at")
    def created_column(self, event: CaseEvent) -> str:
        return _short_time(event.created_at)

    @admin.display(description=_("case"), ordering="case__reference")
    def case_column(self, event: CaseEvent) -> str:
        return _case_reference(event.case)

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
        return staff_display_name(event.actor) or _("system")


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
        "case_column",
        "step",
        "party",
        "started_column",
        "due_column",
        "paused_column",
        "stopped_column",
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

    @admin.display(description=_("case"), ordering="case__reference")
    def case_column(self, timer: Timer) -> str:
        return _case_reference(timer.case)

    @admin.display(description=_("started on"), ordering="started_on")
    def started_column(self, timer: Timer) -> str:
        return _short_date(timer.started_on)

    @admin.display(description=_("due on"), ordering="due_on")
    def due_column(self, timer: Timer) -> str:
        return _short_date(timer.due_on)

    @admin.display(description=_("paused since"), ordering="paused_since")
    def paused_column(self, timer: Timer) -> str:
        return _short_date(timer.paused_since)

    @admin.display(description=_("stopped on"), ordering="stopped_on")
    def stopped_column(self, timer: Timer) -> str:
        return _short_date(timer.stopped_on)

    @admin.display(description=_("flags"))
    def flags_column(self, timer: Timer) -> str:
        return deadline_flags(
            at_risk=timer.at_risk_since, overdue=timer.overdue_since, estimated=timer.estimated
        )


STATUS_TONES = {
    Notification.Status.PENDING: "applicant",
    Notification.Status.SENT: "granted",
    Notification.Status.FAILED: "overdue",
}


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    """The outbox: what was sent, what waits and why a delivery failed.

    "Send again" puts failed rows back in the queue; the next delivery run sends them.
    A row's page shows the e-mail as the recipient reads it, rendered in their language.
    """

    center_lookup = "case__center_id"
    # Narrow enough for 1366 px beside the navigation and the filters: the language and
    # the attempts are on the row's page, and in the filters.
    list_display = (
        "created_column",
        "case_or_center_column",
        "kind_column",
        "recipient_column",
        "status_column",
        "sent_column",
    )
    list_select_related = ("case", "center")
    list_filter = ("status", "kind", "language")
    search_fields = ("case__reference", "recipient")
    search_help_text = _("Case reference or recipient's e-mail address.")
    date_hierarchy = "created_at"
    readonly_fields = (
        "kind_column",
        "case",
        "center",
        "recipient",
        "language",
        "status",
        "created_at",
        "sent_at",
        "email_subject",
        "email_body",
        "attempts",
        "next_attempt_at",
        "last_error",
        "key",
        "clock_column",
        "payload",
    )
    actions = ["send_again"]

    def center_filter(self, center_id: int) -> Q:
        # A digest is about the center rather than one case.
        return Q(case__center_id=center_id) | Q(case__isnull=True, center_id=center_id)

    def get_fieldsets(self, request: HttpRequest, obj: Notification | None = None) -> Any:
        about = "case" if obj is None or obj.case_id else "center"
        # Only a pending row is attempted again; a sent or failed one has no next attempt.
        pending = obj is None or obj.status == Notification.Status.PENDING
        attempts = ("attempts", "next_attempt_at") if pending else "attempts"
        return (
            (
                None,
                {
                    "fields": (
                        "kind_column",
                        about,
                        ("recipient", "language"),
                        "status",
                        ("created_at", "sent_at"),
                    )
                },
            ),
            (
                _("The e-mail as the recipient reads it"),
                {"fields": ("email_subject", "email_body")},
            ),
            (_("Delivery"), {"fields": (attempts, "last_error")}),
            (
                _("Technical details"),
                {"classes": ("collapse",), "fields": ("key", "clock_column", "payload")},
            ),
        )

    @admin.action(
        description=_("Send the selected failed notifications again"), permissions=["change"]
    )
    def send_again(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        count = services.notifications_requeue(ids=list(queryset.values_list("id", flat=True)))
        self.message_user(request, _("%(count)d notifications queued again.") % {"count": count})

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A row's page is read-only (no Save buttons): only the list's action changes rows,
        # and it needs the change permission on the model, asked without a row.
        if obj is not None:
            return False
        return request.user.has_perm("cases.change_notification")

    @admin.display(description=_("created at"), ordering="created_at")
    def created_column(self, notification: Notification) -> str:
        return _short_time(notification.created_at)

    @admin.display(description=_("sent at"), ordering="sent_at")
    def sent_column(self, notification: Notification) -> str:
        return _short_time(notification.sent_at)

    @admin.display(description=_("kind"), ordering="kind")
    def kind_column(self, notification: Notification) -> str:
        """The kind, and under it what it was about: the transition of a status-change
        e-mail (a case has several), the step of a clock's notice."""
        about = notification_subject(notification)
        if not about:
            return notification.get_kind_display()
        return format_html(
            '{}<br><span class="pc-muted">{}</span>', notification.get_kind_display(), about
        )

    @admin.display(description=_("case or center"))
    def case_or_center_column(self, notification: Notification) -> str:
        """The case's reference, or the center's code for a digest (titles are long)."""
        if notification.case_id:
            return _case_reference(notification.case)
        return notification.center.code if notification.center_id else "—"

    @admin.display(description=_("recipient"), ordering="recipient")
    def recipient_column(self, notification: Notification) -> str:
        return truncated(notification.recipient)

    @admin.display(description=_("status"), ordering="status")
    def status_column(self, notification: Notification) -> str:
        tone = STATUS_TONES.get(notification.status, "closed")
        badge = format_html(
            '<span class="pc-badge pc-badge--{}">{}</span>', tone, notification.get_status_display()
        )
        if notification.status == Notification.Status.SENT or not notification.attempts:
            return badge
        attempts = ngettext("%(count)d attempt", "%(count)d attempts", notification.attempts) % {
            "count": notification.attempts
        }
        return format_html('{}<br><span class="pc-muted">{}</span>', badge, attempts)

    @admin.display(description=_("subject"))
    def email_subject(self, notification: Notification) -> str:
        subject, _body = self._rendered(notification)
        return subject

    @admin.display(description=_("message"))
    def email_body(self, notification: Notification) -> str:
        _subject, body = self._rendered(notification)
        # Escaped, its links made clickable, as a mail program shows them.
        return format_html(
            '<div class="pc-email-body">{}</div>', mark_safe(urlize(body, autoescape=True))
        )

    @admin.display(description=_("clock"))
    def clock_column(self, notification: Notification) -> str:
        return str(notification.timer) if notification.timer_id else "—"

    def _rendered(self, notification: Notification) -> tuple[str, str]:
        """The e-mail as delivery renders it, in the recipient's language (kept per row).

        The links in it are made now: a status link is signed afresh, like the one sent.
        """
        if not hasattr(notification, "_rendered_email"):
            try:
                notification._rendered_email = outbox.render(notification)
            except Exception as error:  # a broken template must not hide the row
                logger.warning("Notification %s not rendered: %s", notification.pk, error)
                message = gettext("The e-mail could not be rendered: %(error)s") % {
                    "error": f"{type(error).__name__}: {error}"
                }
                notification._rendered_email = (message, message)
        return notification._rendered_email


def notification_subject(notification: Notification) -> str:
    """What a notification was about, from its payload (``outbox``, ``sweep``): the
    transition's label for a status change, the step's for a clock's notice; else blank."""
    payload = notification.payload or {}
    if notification.kind == Notification.Kind.CASE_TRANSITION:
        name = payload.get("transition")
        return str(workflow.TRANSITION_LABELS.get(name, name)) if name else ""
    if notification.kind != Notification.Kind.OVERDUE_DIGEST and payload.get("step"):
        try:
            return str(Step(payload["step"]).label)
        except ValueError:
            return str(payload["step"])
    return ""


def _case_reference(case: Any) -> str:
    """The reference alone, its title on hover: titles would take half the list's width."""
    return format_html('<span title="{}">{}</span>', case.title, case.reference)


def _short_date(value: date | None) -> str:
    return value.isoformat() if value else "—"


def _short_time(value: datetime | None) -> str:
    """``2026-11-28 14:05`` in the site's time zone: the list's narrow time columns."""
    if value is None:
        return "—"
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
