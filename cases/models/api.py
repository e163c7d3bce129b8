"""What the API, its webhooks and the iCal feeds keep: tokens, idempotent requests,
webhook endpoints and their deliveries, calendar feeds.

Secrets a client holds (API tokens, feed URLs) are stored as SHA-256 hashes only: the
token is shown once when it is made. A token's first characters (its ``prefix``) are
stored in clear, so that a lookup finds one row by index and staff can tell tokens
apart in the admin.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models.cases import Case, CaseEvent
from cases.models.centers import Center
from cases.models.portal import Agency


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def usable(self, *, at: datetime) -> ApiTokenQuerySet:
        """Neither revoked nor expired at ``at``."""
        return self.filter(revoked_at__isnull=True).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=at)
        )


class ApiToken(models.Model):
    """A personal API token: it acts as its user, through the API channel."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("user"),
    )
    name = models.CharField(
        _("name"), max_length=100, help_text=_("What the token is for, e.g. “docketing system”.")
    )
    prefix = models.CharField(_("prefix"), max_length=12, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    expires_at = models.DateTimeField(
        _("expires at"), null=True, blank=True, help_text=_("Empty: never.")
    )
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class IdempotentRequest(models.Model):
    """The first answer to a POST sent with an ``Idempotency-Key``: a retry gets it again.

    The row is written (and locked) before the request runs, in the request's own
    transaction: a concurrent retry with the same key waits on the unique key, then
    reads the stored answer. ``fingerprint`` (method, path, body) tells a retry from a
    different request that reuses a key.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    key = models.CharField(max_length=200)
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    body = models.JSONField(null=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotent_request_key"),
        ]

    def __str__(self) -> str:
        return self.key


class WebhookEndpoint(models.Model):
    """A URL of another system that is told about cases: a center's (all its cases, set
    up in the admin), or a patent agency's (the cases of the entities that authorise it
    at the time, public events only; set up by its administrator in the portal)."""

    class EventType(models.TextChoices):
        CASE_TRANSITION = "case.transition", _("Case transitions")
        DEADLINE_AT_RISK = "deadline.at_risk", _("Deadline at risk")
        DEADLINE_OVERDUE = "deadline.overdue", _("Deadline overdue")
        NOTICE_ISSUED = "notice.issued", _("Notice issued")

    center = models.ForeignKey(
        Center,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="webhook_endpoints",
        verbose_name=_("center"),
    )
    agency = models.ForeignKey(
        Agency,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="webhook_endpoints",
        verbose_name=_("agency"),
    )
    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(
        _("URL"), max_length=500, help_text=_("HTTPS recommended; private addresses are refused.")
    )
    secret = models.CharField(
        _("secret"),
        max_length=100,
        help_text=_("Shared with the receiver, which checks each request's signature with it."),
    )
    event_types = models.JSONField(_("event types"), default=list)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["center", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(center__isnull=False, agency__isnull=True)
                | Q(center__isnull=True, agency__isnull=False),
                name="webhook_endpoint_center_or_agency",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.url})"


class WebhookDeliveryQuerySet(models.QuerySet["WebhookDelivery"]):
    def due(self, *, at: datetime) -> WebhookDeliveryQuerySet:
        return self.filter(status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=at)


class WebhookDelivery(models.Model):
    """One event for one endpoint: written with its cause, sent by the worker."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    endpoint = models.ForeignKey(
        WebhookEndpoint,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("endpoint"),
    )
    key = models.CharField(_("key"), max_length=100, unique=True)
    event_id = models.UUIDField(_("event id"), unique=True)
    event_type = models.CharField(
        _("event type"), max_length=30, choices=WebhookEndpoint.EventType.choices
    )
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="+", db_index=False, verbose_name=_("case")
    )
    case_event = models.ForeignKey(
        CaseEvent, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    data = models.JSONField(_("data"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    response_code = models.PositiveSmallIntegerField(_("response code"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    objects = WebhookDeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at", "id"],
                name="webhook_delivery_pending",
                condition=Q(status="pending"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_event_type_display()} → {self.endpoint.name}"


class CalendarFeed(models.Model):
    """A secret iCal URL: one staff member's cases, a whole center's (managers), or what
    a portal user's entities owe (their own, or their agency's principals').

    Only the token's hash is kept; resetting the feed makes a new token, and the old URL
    stops working.
    """

    class Scope(models.TextChoices):
        MINE = "mine", _("My cases")
        CENTER = "center", _("The center's cases")
        ENTITY = "entity", _("What we owe the center")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="calendar_feeds",
        verbose_name=_("user"),
    )
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        constraints = [
            models.UniqueConstraint(fields=["user", "scope"], name="calendar_feed_per_scope"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_scope_display()}"
