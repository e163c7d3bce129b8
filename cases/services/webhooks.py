"""Webhooks: other systems told about cases, through an outbox.

An endpoint belongs to a center (every event of its cases) or to a patent agency: the
cases of the entities that authorise the agency when the event happens, and only what
the agency's users may see in the portal (public transitions, notices, and the
applicant's clocks at risk or overdue). A delivery still pending when the entity
revokes the authorisation is not sent (it fails at once).

Writers add ``WebhookDelivery`` rows in the transaction of the change, one per endpoint
and event under a unique key (so a re-run sweep or a retried write adds nothing):

- ``case_event_recorded``: a case transition (called with the e-mail outbox's own hook,
  ``outbox.case_event_recorded``);
- ``notice_issued``: a notice was issued (where its event is written);
- ``deadlines_flagged``: the sweep flagged clocks at risk or overdue (per batch, a
  constant number of queries).

``deliver_pending`` (the worker's ``deliver_webhooks_task``, on demand and every minute)
claims one due row at a time (``FOR UPDATE SKIP LOCKED``), POSTs it and records the
outcome in the same small transaction; a failure is retried with exponential backoff
and marked failed after ``MAX_ATTEMPTS``. Delivery is at least once: a worker killed
after the receiver answered but before the commit sends that row again, with the same
event id (``X-PC-Event-Id``), which receivers use to drop repeats.

The body is JSON: ``id`` (the event id), ``type``, ``created_at``, ``data`` (what
happened, as it was written) and ``case`` (the case as the API shows it, when sent).
``X-PC-Signature: sha256=<hex>`` is the HMAC-SHA256, keyed with the endpoint's secret,
of ``<X-PC-Timestamp>.<body>``: receivers check it and reject old timestamps (replays).

No request goes to a loopback, link-local, private or otherwise reserved address unless
the host is in ``WEBHOOK_ALLOWED_PRIVATE_HOSTS``: the address checked is the one
connected to (no second lookup to rebind), and redirects are not followed. Timeouts are
``WEBHOOK_TIMEOUT_SECONDS``; within a run, an endpoint that timed out is not tried
again, so one slow receiver does not hold up the others.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import ipaddress
import json
import logging
import socket
import ssl
import time
import uuid
from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import workflow
from cases.enqueue import DELIVER_WEBHOOKS, enqueue
from cases.errors import InvalidInput
from cases.models import (
    AgencyAuthorisation,
    Case,
    CaseEvent,
    Notice,
    Party,
    Timer,
    WebhookDelivery,
    WebhookEndpoint,
)

logger = logging.getLogger(__name__)

EventType = WebhookEndpoint.EventType
MAX_ATTEMPTS = 8
FIRST_RETRY_AFTER = timedelta(minutes=1)
LONGEST_RETRY_AFTER = timedelta(hours=6)
USER_AGENT = "ProtectionCenter-Webhooks/1"
# The transitions a "case.transition" webhook reports: every state change, and intake.
TRANSITIONS = frozenset(workflow.TRANSITION_PERMISSIONS) | {"submit"}


class UnsafeDestination(InvalidInput):
    """A webhook URL that must not be called (scheme, or a private address)."""


# Writing ----------------------------------------------------------------------------


def _endpoints(case: Case, event_type: str, *, public: bool) -> list[WebhookEndpoint]:
    """Active endpoints that asked for ``event_type``: the case's center's and, for what
    the applicant may see (``public``), those of the agencies its entity authorises now."""
    audience = Q(center_id=case.center_id)
    if public:
        audience |= Q(
            agency_id__in=AgencyAuthorisation.objects.active()
            .filter(entity_id=case.entity_id)
            .values("agency_id")
        )
    return [
        endpoint
        for endpoint in WebhookEndpoint.objects.filter(audience, active=True)
        if event_type in endpoint.event_types
    ]


def _write(rows: list[WebhookDelivery]) -> None:
    if rows:
        WebhookDelivery.objects.bulk_create(rows, ignore_conflicts=True)
        request_delivery()


def case_event_recorded(*, event: CaseEvent) -> None:
    """A delivery per subscribed endpoint for a case transition (in the caller's transaction)."""
    if event.transition not in TRANSITIONS:
        return
    case = event.case
    _write(
        [
            WebhookDelivery(
                endpoint=endpoint,
                key=f"event:{event.pk}:{endpoint.pk}",
                event_id=uuid.uuid4(),
                event_type=EventType.CASE_TRANSITION,
                case=case,
                case_event=event,
                created_at=event.created_at,
                data={
                    "transition": event.transition,
                    "from_state": event.from_state,
                    "to_state": event.to_state,
                    "channel": event.channel,
                    "public_note": event.public_note,
                    "occurred_on": event.occurred_on.isoformat() if event.occurred_on else None,
                },
            )
            for endpoint in _endpoints(case, EventType.CASE_TRANSITION, public=event.public)
        ]
    )


def notice_issued(*, notice: Notice) -> None:
    """A delivery per subscribed endpoint for an issued notice."""
    case = notice.case
    _write(
        [
            WebhookDelivery(
                endpoint=endpoint,
                key=f"notice:{notice.pk}:{endpoint.pk}",
                event_id=uuid.uuid4(),
                event_type=EventType.NOTICE_ISSUED,
                case=case,
                created_at=notice.issued_at,
                data={
                    "notice_id": notice.pk,
                    "kind": notice.kind,
                    "number": notice.number,
                    "replaces": notice.replaces.number if notice.replaces_id else None,
                    # The PDF is made when first fetched: GET /api/v1/notices/<id>/download/.
                },
            )
            for endpoint in _endpoints(case, EventType.NOTICE_ISSUED, public=True)
        ]
    )


def deadlines_flagged(
    *, at_risk_ids: Collection[int], overdue_ids: Collection[int], now: datetime
) -> int:
    """Deliveries for clocks the sweep just flagged: to the case's center's endpoints, and
    for the applicant's clocks to those of the agencies its entity authorises. A constant
    number of queries per batch; one when nobody listens."""
    timer_ids = set(at_risk_ids) | set(overdue_ids)
    if not timer_ids:
        return 0
    flagged = Timer.objects.filter(id__in=timer_ids)
    applicant_entities = flagged.filter(party=Party.APPLICANT).values("case__entity_id")
    endpoints = list(
        WebhookEndpoint.objects.filter(active=True).filter(
            Q(center_id__in=flagged.values("case__center_id"))
            | Q(
                agency_id__in=AgencyAuthorisation.objects.active()
                .filter(entity_id__in=applicant_entities)
                .values("agency_id")
            )
        )
    )
    if not endpoints:
        return 0
    timers = flagged.values(
        "id",
        "case_id",
        "case__center_id",
        "case__entity_id",
        "step",
        "party",
        "due_on",
        "estimated",
    )
    authorised: set[tuple[int, int]] = set()
    agency_ids = {endpoint.agency_id for endpoint in endpoints if endpoint.agency_id}
    if agency_ids:
        authorised = set(
            AgencyAuthorisation.objects.active()
            .filter(agency_id__in=agency_ids, entity_id__in=applicant_entities)
            .values_list("agency_id", "entity_id")
        )

    def listens(endpoint: WebhookEndpoint, timer: dict[str, Any]) -> bool:
        if endpoint.center_id is not None:
            return endpoint.center_id == timer["case__center_id"]
        return (
            timer["party"] == Party.APPLICANT
            and (endpoint.agency_id, timer["case__entity_id"]) in authorised
        )

    rows = []
    for timer in timers:
        for flag, ids, event_type in (
            ("at_risk", at_risk_ids, EventType.DEADLINE_AT_RISK),
            ("overdue", overdue_ids, EventType.DEADLINE_OVERDUE),
        ):
            if timer["id"] not in ids:
                continue
            for endpoint in endpoints:
                if event_type not in endpoint.event_types or not listens(endpoint, timer):
                    continue
                rows.append(
                    WebhookDelivery(
                        endpoint=endpoint,
                        key=f"{flag}:{timer['id']}:{endpoint.pk}",
                        event_id=uuid.uuid4(),
                        event_type=event_type,
                        case_id=timer["case_id"],
                        created_at=now,
                        data={
                            "clock_id": timer["id"],
                            "step": timer["step"],
                            "party": timer["party"],
                            "due_on": timer["due_on"].isoformat(),
                            "estimated": timer["estimated"],
                        },
                    )
                )
    _write(rows)
    return len(rows)


@transaction.atomic
def deliveries_resend(*, ids: list[int]) -> int:
    """Queue deliveries again (any status) with fresh attempts; returns how many."""
    count = WebhookDelivery.objects.filter(id__in=ids).update(
        status=WebhookDelivery.Status.PENDING, attempts=0, next_attempt_at=timezone.now()
    )
    if count:
        request_delivery()
    return count


def request_delivery() -> None:
    """Wake the delivery task once the current transaction commits (best-effort)."""
    transaction.on_commit(_send_delivery_task, robust=True)


_WAKE_UP_KEY = "pc:webhooks-requested"
_WAKE_UP_SECONDS = 5


def _send_delivery_task() -> None:
    if not cache.add(_WAKE_UP_KEY, True, timeout=_WAKE_UP_SECONDS):
        return
    if not enqueue(DELIVER_WEBHOOKS):
        cache.delete(_WAKE_UP_KEY)


# Where a request may go -------------------------------------------------------------


def check_destination(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, address to connect to) of a URL that may be called.

    Raises ``UnsafeDestination`` for another scheme, a name that does not resolve, or an
    address that is loopback, link-local, private, multicast or reserved (unless the
    host is in ``WEBHOOK_ALLOWED_PRIVATE_HOSTS``).
    """
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise UnsafeDestination(_("A webhook URL starts with https:// or http://."), field="url")
    host = parts.hostname
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, ValueError) as error:
        raise UnsafeDestination(
            _("The webhook host %(host)s cannot be found.") % {"host": host}, field="url"
        ) from error
    allowed = set(settings.WEBHOOK_ALLOWED_PRIVATE_HOSTS)
    addresses = [info[4][0] for info in infos]
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
            ip = ip.ipv4_mapped
        if not ip.is_global and host not in allowed and str(ip) not in allowed:
            raise UnsafeDestination(
                _(
                    "The webhook host %(host)s is a private, loopback or link-local "
                    "address (%(address)s): webhooks go to public addresses only."
                )
                % {"host": host, "address": ip},
                field="url",
            )
    return parts.scheme, host, port, addresses[0]


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to the address checked, with the certificate checked for the host name."""

    def __init__(self, host: str, address: str, port: int, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, address: str, port: int, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


# Sending ----------------------------------------------------------------------------


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex>``: HMAC-SHA256 of ``<timestamp>.<body>`` with the endpoint's secret."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"sha256={digest.hexdigest()}"


def _case_for(endpoint: WebhookEndpoint, case_id: int) -> Case:
    """The case as its endpoint may read it: a center's any of its cases; an agency's
    only while the case's entity authorises it (else a final ``DeliveryFailed``)."""
    cases = Case.objects.select_related("center", "entity", "examiner")
    if endpoint.agency_id is not None:
        cases = cases.filter(
            entity__in=AgencyAuthorisation.objects.active()
            .filter(agency_id=endpoint.agency_id)
            .values("entity_id")
        )
    case = cases.filter(pk=case_id).first()
    if case is None:
        raise DeliveryFailed("the case's entity no longer authorises the agency", final=True)
    return case


def body_of(delivery: WebhookDelivery) -> bytes:
    """The JSON sent: the event, what happened, and the case as the API shows it (to the
    endpoint's center, or to its agency's users: the same fields, never internal notes)."""
    from cases.api.serializers import case_body

    case = _case_for(delivery.endpoint, delivery.case_id)
    document = {
        "id": str(delivery.event_id),
        "type": delivery.event_type,
        "created_at": delivery.created_at.isoformat(),
        "data": delivery.data,
        "case": case_body(case),
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


class DeliveryFailed(Exception):
    """Not delivered: retried later, unless ``final`` (then failed at once)."""

    def __init__(
        self, message: str, *, status: int | None = None, slow: bool = False, final: bool = False
    ) -> None:
        super().__init__(message)
        self.status = status
        self.slow = slow
        self.final = final


def post(delivery: WebhookDelivery, body: bytes, *, now: float | None = None) -> int:
    """POST the body, signed; the response's status if 2xx, else ``DeliveryFailed``."""
    endpoint = delivery.endpoint
    scheme, host, port, address = check_destination(endpoint.url)
    parts = urlsplit(endpoint.url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    timestamp = str(int(now if now is not None else time.time()))
    connection_class = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(host, address, port, settings.WEBHOOK_TIMEOUT_SECONDS)
    try:
        connection.request(
            "POST",
            path,
            body=body,
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "User-Agent": USER_AGENT,
                "X-PC-Event-Id": str(delivery.event_id),
                "X-PC-Event-Type": delivery.event_type,
                "X-PC-Timestamp": timestamp,
                "X-PC-Signature": signature(endpoint.secret, timestamp, body),
            },
        )
        response = connection.getresponse()
        response.read(64 * 1024)
    except TimeoutError as error:
        raise DeliveryFailed(f"timed out: {error}", slow=True) from error
    except (OSError, http.client.HTTPException) as error:
        raise DeliveryFailed(f"{type(error).__name__}: {error}") from error
    finally:
        connection.close()
    if not 200 <= response.status < 300:
        raise DeliveryFailed(f"HTTP {response.status} {response.reason}", status=response.status)
    return response.status


def retry_delay(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failure: 1, 2, 4, … minutes, at most 6 hours."""
    return min(FIRST_RETRY_AFTER * 2 ** max(attempts - 1, 0), LONGEST_RETRY_AFTER)


def deliver_pending(*, limit: int = 100, now: datetime | None = None) -> int:
    """Send up to ``limit`` due deliveries, each in its own transaction; how many arrived."""
    now = now or timezone.now()
    delivered = 0
    slow: set[int] = set()
    for _attempt in range(limit):
        outcome = _deliver_next(now=now, skip_endpoints=slow)
        if outcome is None:
            break
        delivered += outcome
    return delivered


def _deliver_next(*, now: datetime, skip_endpoints: set[int]) -> int | None:
    """Claim, send and mark one due row: 1 if delivered, 0 if not, None if none is due."""
    with transaction.atomic():
        row = (
            WebhookDelivery.objects.due(at=now)
            .exclude(endpoint_id__in=skip_endpoints)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("endpoint")
            .order_by("next_attempt_at", "id")
            .first()
        )
        if row is None:
            return None
        row.attempts += 1
        try:
            if not row.endpoint.active:
                raise DeliveryFailed("the endpoint is inactive")
            row.response_code = post(row, body_of(row))
        except (DeliveryFailed, InvalidInput) as error:
            if getattr(error, "slow", False):
                skip_endpoints.add(row.endpoint_id)
            row.response_code = getattr(error, "status", None)
            row.last_error = str(error)[:2000]
            if row.attempts >= MAX_ATTEMPTS or getattr(error, "final", False):
                row.status = WebhookDelivery.Status.FAILED
                logger.error("Webhook %s failed for good: %s", row.key, row.last_error)
            else:
                row.next_attempt_at = max(now, timezone.now()) + retry_delay(row.attempts)
                logger.warning("Webhook %s not delivered: %s", row.key, row.last_error)
            row.save(
                update_fields=[
                    "attempts",
                    "response_code",
                    "last_error",
                    "status",
                    "next_attempt_at",
                ]
            )
            return 0
        row.status = WebhookDelivery.Status.DELIVERED
        row.delivered_at = timezone.now()
        row.last_error = ""
        row.save(
            update_fields=["attempts", "response_code", "last_error", "status", "delivered_at"]
        )
        return 1
