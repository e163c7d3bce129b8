"""The notification outbox: e-mails written in the same transaction as their cause.

A row is the promise to send one e-mail. Its ``key`` is unique, so writing the same
notification twice (a re-run sweep, two sweeps at once, a retried transition) is a
silent no-op; delivery (``cases.services.outbox``) sends each row at most once.

A row is about one case, or (the managers' digest of newly overdue steps) about a
center's cases: then ``case`` is empty and ``center`` says which center.
"""

from __future__ import annotations

from datetime import datetime

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cases.choices import Language
from cases.models.cases import Case
from cases.models.centers import Center
from cases.models.clocks import Timer


class NotificationQuerySet(models.QuerySet["Notification"]):
    def pending(self) -> NotificationQuerySet:
        return self.filter(status=Notification.Status.PENDING)

    def due(self, *, at: datetime) -> NotificationQuerySet:
        """Pending rows whose next attempt is not in the future."""
        return self.pending().filter(next_attempt_at__lte=at)


class Notification(models.Model):
    class Kind(models.TextChoices):
        STEP_AT_RISK = "step_at_risk", _("Step at risk")
        STEP_OVERDUE = "step_overdue", _("Step overdue")
        APPLICANT_REMINDER = "applicant_reminder", _("Reminder of an applicant deadline")
        APPLICANT_DUE_TODAY = "applicant_due_today", _("Applicant deadline due today")
        CASE_TRANSITION = "case_transition", _("Case status change")
        OVERDUE_DIGEST = "overdue_digest", _("Overdue steps in the center (digest)")
        NOTICE_CORRECTED = "notice_corrected", _("Corrected notice")
        CORRECTION_RECEIVED = "correction_received", _("Correction received online")
        CASE_ASSIGNED = "case_assigned", _("Case assigned to an examiner")
        PORTAL_INVITATION = "portal_invitation", _("Invitation to the portal")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    key = models.CharField(
        _("key"),
        max_length=100,
        unique=True,
        help_text=_("Identifies the notification, so that it is written and sent only once."),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    # Both foreign keys are indexed by the composite indexes in Meta, not on their own.
    case = models.ForeignKey(
        Case,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        db_index=False,
        related_name="notifications",
        verbose_name=_("case"),
    )
    center = models.ForeignKey(
        Center,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("center"),
        help_text=_("Set for a notice about several of the center's cases instead of one."),
    )
    timer = models.ForeignKey(
        Timer,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        db_index=False,
        related_name="notifications",
        verbose_name=_("clock"),
    )
    recipient = models.EmailField(_("recipient"))
    language = models.CharField(_("language"), max_length=10, choices=Language.choices)
    # What the templates need, as plain JSON values; labels are translated when sending.
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The delivery queue: only pending rows, in the order delivery takes them.
            models.Index(
                fields=["next_attempt_at", "id"],
                name="notification_pending",
                condition=Q(status="pending"),
            ),
            models.Index(fields=["case", "created_at"], name="notification_case_time"),
            # "Has this clock had this notice yet?" (the sweep's reminders).
            models.Index(fields=["timer", "kind"], name="notification_timer_kind"),
        ]
        constraints = [
            # About a case, or a center's cases; a portal invitation is about neither
            # when an agency (which serves every center) sends it.
            models.CheckConstraint(
                condition=Q(case__isnull=False)
                | Q(center__isnull=False)
                | Q(kind="portal_invitation"),
                name="notification_case_or_center",
            ),
        ]

    def __str__(self) -> str:
        # The admin's page title and breadcrumbs: labels in the reader's language.
        return gettext("%(kind)s to %(recipient)s (%(status)s)") % {
            "kind": self.get_kind_display(),
            "recipient": self.recipient,
            "status": self.get_status_display(),
        }
