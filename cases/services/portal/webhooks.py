"""An agency's webhook endpoints, kept by its portal administrator: register (with the
same check of the destination as the admin's), pause or resume, delete, resend a
delivery. What the endpoints are sent is ``cases.services.webhooks``."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils.translation import gettext as _

from cases.actors import Actor
from cases.errors import InvalidInput, PermissionDenied
from cases.models import PortalAccount, WebhookDelivery, WebhookEndpoint
from cases.services import webhooks
from cases.services.portal.accounts import _portal_account

MIN_SECRET_LENGTH = 16


def _agency_administrator(actor: Actor, endpoint: WebhookEndpoint | None = None) -> int:
    """The actor's agency id, if they are its administrator (and ``endpoint`` is its)."""
    account = _portal_account(actor)
    if account.agency_id is None or account.role != PortalAccount.Role.ADMINISTRATOR:
        raise PermissionDenied(_("Only an agency's administrator manages its webhooks."))
    if endpoint is not None and endpoint.agency_id != account.agency_id:
        raise PermissionDenied(_("Only an agency's administrator manages its webhooks."))
    return account.agency_id


@transaction.atomic
def agency_endpoint_add(
    *, actor: Actor, name: str, url: str, secret: str, event_types: list[str]
) -> tuple[WebhookEndpoint, str]:
    """A new endpoint of the actor's agency; returns it and its secret (made when
    ``secret`` is empty, and then shown once)."""
    agency_id = _agency_administrator(actor)
    name = name.strip()
    if not name:
        raise InvalidInput(_("Give the endpoint a name."), field="name")
    unknown = set(event_types) - set(WebhookEndpoint.EventType.values)
    if not event_types or unknown:
        raise InvalidInput(_("Choose at least one event type."), field="event_types")
    secret = secret.strip() or secrets.token_urlsafe(32)
    if len(secret) < MIN_SECRET_LENGTH:
        raise InvalidInput(
            _("The secret must be at least %(count)d characters long.")
            % {"count": MIN_SECRET_LENGTH},
            field="secret",
        )
    webhooks.check_destination(url)
    endpoint = WebhookEndpoint.objects.create(
        agency_id=agency_id,
        name=name,
        url=url,
        secret=secret,
        event_types=[value for value in WebhookEndpoint.EventType.values if value in event_types],
    )
    return endpoint, secret


@transaction.atomic
def agency_endpoint_set_active(
    *, actor: Actor, endpoint: WebhookEndpoint, active: bool
) -> WebhookEndpoint:
    """Pause (nothing new is written for it; what was queued is retried, and fails if
    the endpoint stays paused) or resume."""
    _agency_administrator(actor, endpoint)
    endpoint.active = active
    endpoint.save(update_fields=["active"])
    return endpoint


@transaction.atomic
def agency_endpoint_delete(*, actor: Actor, endpoint: WebhookEndpoint) -> None:
    """Delete the endpoint and its deliveries."""
    _agency_administrator(actor, endpoint)
    endpoint.delete()


def agency_delivery_resend(*, actor: Actor, delivery: WebhookDelivery) -> None:
    """Queue a failed delivery again, with fresh attempts."""
    _agency_administrator(actor, delivery.endpoint)
    if delivery.status != WebhookDelivery.Status.FAILED:
        raise InvalidInput(_("Only a failed delivery can be sent again."))
    webhooks.deliveries_resend(ids=[delivery.pk])
