"""Webhooks: outbox rows written with the change, signed deliveries, retries, SSRF."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import CaseState, Role, WebhookDelivery, WebhookEndpoint
from cases.services import sweep, webhooks
from tests import factories
from tests.cases.test_sweep import make_overdue
from tests.webhook_receiver import Receiver

pytestmark = pytest.mark.django_db
S = CaseState
T = WebhookEndpoint.EventType
SECRET = "whsec-test-0123456789"


def endpoint(center, url="https://hooks.example.com/pc", types=None, **fields):
    return WebhookEndpoint.objects.create(
        center=center,
        name="docketing",
        url=url,
        secret=SECRET,
        event_types=list(types if types is not None else T.values),
        **fields,
    )


@pytest.fixture
def local_receiver(settings):
    settings.WEBHOOK_ALLOWED_PRIVATE_HOSTS = ["127.0.0.1"]
    with Receiver(SECRET) as receiver:
        yield receiver


# Writing


def test_a_transition_writes_one_delivery_per_subscribed_endpoint(center):
    case = factories.make_case(S.SUBMITTED, center=center)
    mine = endpoint(center)
    endpoint(center, types=[T.DEADLINE_OVERDUE])  # not subscribed to transitions
    endpoint(factories.make_center())  # another center's
    WebhookDelivery.objects.all().delete()

    services.case_accept(case=case, actor=factories.staff_of(case))

    rows = WebhookDelivery.objects.filter(event_type=T.CASE_TRANSITION)
    assert [(r.endpoint_id, r.data["transition"], r.data["to_state"]) for r in rows] == [
        (mine.pk, "accept", "under_review")
    ]
    notices = WebhookDelivery.objects.filter(event_type=T.NOTICE_ISSUED)
    assert [(n.endpoint_id, n.data["kind"]) for n in notices] == [(mine.pk, "acceptance")]


def test_the_same_event_is_written_once(center):
    case = factories.make_case(S.SUBMITTED, center=center)
    endpoint(center)
    event = case.events.get(transition="submit")
    webhooks.case_event_recorded(event=event)
    webhooks.case_event_recorded(event=event)
    assert WebhookDelivery.objects.filter(case_event=event).count() == 1


def test_the_sweep_writes_deadline_deliveries_once(center):
    case = factories.make_case(S.UNDER_REVIEW, center=center)
    endpoint(center, types=[T.DEADLINE_AT_RISK, T.DEADLINE_OVERDUE])
    today = timezone.localdate()
    make_overdue(case, today)
    sweep.deadlines_sweep()
    sweep.deadlines_sweep()
    rows = WebhookDelivery.objects.filter(case=case).order_by("event_type")
    assert [(r.event_type, r.data["step"]) for r in rows] == [
        (T.DEADLINE_AT_RISK, "review"),
        (T.DEADLINE_OVERDUE, "review"),
    ]


def test_without_endpoints_nothing_is_written(center):
    factories.make_case(S.QUALIFIED, center=center)
    assert not WebhookDelivery.objects.exists()


# Where requests may go


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/x",
        "http://localhost/x",
        "http://10.1.2.3/x",
        "http://192.168.0.10/x",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/x",
        "http://[::ffff:127.0.0.1]/x",
        "http://0.0.0.0/x",
        "ftp://example.com/x",
    ],
)
def test_private_and_odd_destinations_are_refused(url):
    with pytest.raises(webhooks.UnsafeDestination):
        webhooks.check_destination(url)


def test_an_allowed_host_may_be_private(settings):
    settings.WEBHOOK_ALLOWED_PRIVATE_HOSTS = ["127.0.0.1"]
    assert webhooks.check_destination("http://127.0.0.1:9/x")[3] == "127.0.0.1"


def test_a_stored_private_url_is_refused_at_delivery(center):
    case = factories.make_case(center=center)
    hook = endpoint(center, url="http://127.0.0.1:9/x")
    webhooks.case_event_recorded(event=case.events.get(transition="submit"))
    assert webhooks.deliver_pending() == 0
    row = WebhookDelivery.objects.get(endpoint=hook)
    assert row.status == WebhookDelivery.Status.PENDING and "127.0.0.1" in row.last_error
    assert row.response_code is None


def test_the_admin_refuses_a_private_url(client, center):
    client.force_login(factories.center_staff(center, Role.CENTER_ADMIN))
    response = client.post(
        reverse("admin:cases_webhookendpoint_add"),
        {
            "center": center.pk,
            "name": "x",
            "url": "http://10.0.0.5/hook",
            "secret": "s",
            "event_types": [T.CASE_TRANSITION],
            "active": "on",
        },
    )
    assert response.status_code == 200
    assert not WebhookEndpoint.objects.exists()
    assert "10.0.0.5" in response.content.decode()


# Delivering


def test_a_delivery_arrives_signed_with_the_case_as_the_api_shows_it(center, local_receiver):
    case = factories.make_case(S.SUBMITTED, center=center)
    endpoint(center, url=local_receiver.url, types=[T.CASE_TRANSITION])
    services.case_accept(case=case, actor=factories.staff_of(case))

    assert webhooks.deliver_pending() == 1
    assert webhooks.deliver_pending() == 0
    [got] = local_receiver.accepted
    row = WebhookDelivery.objects.get()
    assert got["id"] == str(row.event_id) == got["body"]["id"]
    assert got["body"]["type"] == "case.transition"
    assert got["body"]["data"]["transition"] == "accept"
    assert got["body"]["case"]["reference"] == case.reference
    assert got["body"]["case"]["state"] == "under_review"
    assert (row.status, row.response_code, row.attempts) == ("delivered", 200, 1)
    assert local_receiver.bad_signatures == 0


def test_a_refused_delivery_is_retried_with_backoff_then_failed(center, local_receiver):
    case = factories.make_case(center=center)
    endpoint(center, url=local_receiver.url)
    webhooks.case_event_recorded(event=case.events.get(transition="submit"))
    local_receiver.answer = 503
    now = timezone.now()
    for attempt in range(1, webhooks.MAX_ATTEMPTS + 1):
        assert webhooks.deliver_pending(now=now + timedelta(days=attempt)) == 0
        row = WebhookDelivery.objects.get()
        assert (row.attempts, row.response_code) == (attempt, 503)
        assert "503" in row.last_error
    assert row.status == WebhookDelivery.Status.FAILED
    assert webhooks.retry_delay(1) == timedelta(minutes=1)
    assert webhooks.retry_delay(3) == timedelta(minutes=4)

    local_receiver.answer = 200
    assert webhooks.deliveries_resend(ids=[row.pk]) == 1
    assert webhooks.deliver_pending() == 1
    assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.DELIVERED


def test_the_admin_resends_a_failed_delivery(client, center, local_receiver):
    case = factories.make_case(center=center)
    endpoint(center, url=local_receiver.url)
    webhooks.case_event_recorded(event=case.events.get(transition="submit"))
    row = WebhookDelivery.objects.get()
    WebhookDelivery.objects.filter(pk=row.pk).update(status="failed", attempts=8)
    client.force_login(factories.center_staff(center, Role.CENTER_ADMIN))
    listing = client.get(reverse("admin:cases_webhookdelivery_changelist"))
    assert listing.status_code == 200 and case.reference in listing.content.decode()
    client.post(
        reverse("admin:cases_webhookdelivery_changelist"),
        {"action": "resend", "_selected_action": [row.pk]},
    )
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("pending", 0)


def test_another_centers_admin_does_not_see_the_deliveries(client, center):
    case = factories.make_case(center=center)
    endpoint(center)
    webhooks.case_event_recorded(event=case.events.get(transition="submit"))
    other = factories.make_center()
    client.force_login(factories.center_staff(other, Role.CENTER_ADMIN))
    listing = client.get(reverse("admin:cases_webhookdelivery_changelist"))
    assert case.reference not in listing.content.decode()


# An agency's endpoints: its principals' cases only, what its users may see


@pytest.fixture
def agency_setup(center):
    """An agency authorised by ``principal`` (whose administrator is ``principal_user``),
    and ``stranger``, an entity of the same center that did not authorise it."""
    agency = factories.make_agency()
    principal = factories.make_entity(center)
    authorisation = factories.authorise(principal, agency)
    principal_user = factories.make_portal_user(entity=principal)
    stranger = factories.make_entity(center)
    return agency, principal, authorisation, principal_user, stranger


def agency_endpoint(agency, url, types=None):
    return WebhookEndpoint.objects.create(
        agency=agency,
        name="docketing",
        url=url,
        secret=SECRET,
        event_types=list(types if types is not None else T.values),
    )


def test_an_endpoint_belongs_to_a_center_or_an_agency_never_both(center):
    from django.db import IntegrityError, transaction

    agency = factories.make_agency()
    for owners in ({}, {"center": center, "agency": agency}):
        with pytest.raises(IntegrityError), transaction.atomic():
            WebhookEndpoint.objects.create(name="x", url="https://e.com/", secret="s", **owners)


def test_an_agency_endpoint_gets_its_principals_events_once_signed(
    center, agency_setup, local_receiver
):
    agency, principal, _auth, _user, stranger = agency_setup
    theirs = factories.make_case(S.SUBMITTED, entity=principal)
    other = factories.make_case(S.SUBMITTED, entity=stranger)
    hook = agency_endpoint(agency, local_receiver.url)

    services.case_accept(case=theirs, actor=factories.staff_of(theirs), note="Internal: XYZZY")
    services.case_accept(case=other, actor=factories.staff_of(other))

    assert webhooks.deliver_pending() == 2
    assert webhooks.deliver_pending() == 0
    assert local_receiver.bad_signatures == 0
    got = sorted((a["type"], a["body"]["case"]["reference"]) for a in local_receiver.accepted)
    assert got == [("case.transition", theirs.reference), ("notice.issued", theirs.reference)]
    transition = next(a for a in local_receiver.accepted if a["type"] == "case.transition")
    assert transition["body"]["case"]["state"] == "under_review"
    assert transition["body"]["data"]["transition"] == "accept"
    assert "XYZZY" not in json.dumps(transition["body"])  # internal notes never
    assert "events" not in transition["body"]["case"]
    assert {r.case_id for r in WebhookDelivery.objects.filter(endpoint=hook)} == {theirs.pk}


def test_after_revocation_an_agency_endpoint_gets_nothing(center, agency_setup, local_receiver):
    from cases.actors import Actor
    from cases.services.portal import agency_revoke

    agency, principal, authorisation, principal_user, _stranger = agency_setup
    case = factories.make_case(S.SUBMITTED, entity=principal)
    queued = factories.make_case(S.SUBMITTED, entity=principal)
    hook = agency_endpoint(agency, local_receiver.url, types=[T.CASE_TRANSITION])
    services.case_accept(case=queued, actor=factories.staff_of(queued))  # queued, not sent
    agency_revoke(actor=Actor.portal(principal_user), authorisation=authorisation)

    services.case_accept(case=case, actor=factories.staff_of(case))
    assert list(
        WebhookDelivery.objects.filter(endpoint=hook).values_list("case_id", flat=True)
    ) == [queued.pk]
    # What was queued before the revocation is not sent after it.
    assert webhooks.deliver_pending() == 0
    assert local_receiver.requests == 0
    row = WebhookDelivery.objects.get(endpoint=hook)
    assert row.status == WebhookDelivery.Status.FAILED
    assert "no longer authorises" in row.last_error


def test_an_agency_endpoint_hears_of_the_applicants_deadlines_only(center, agency_setup):
    agency, principal, _auth, _user, stranger = agency_setup
    owed = factories.make_case(S.CORRECTION_REQUESTED, entity=principal)
    centers_clock = factories.make_case(S.UNDER_REVIEW, entity=principal)
    not_ours = factories.make_case(S.CORRECTION_REQUESTED, entity=stranger)
    hook = agency_endpoint(agency, "https://hooks.example.com/pc", types=[T.DEADLINE_OVERDUE])
    today = timezone.localdate()
    make_overdue(owed, today, step="correction")
    make_overdue(centers_clock, today)
    make_overdue(not_ours, today, step="correction")

    sweep.deadlines_sweep()
    sweep.deadlines_sweep()

    rows = WebhookDelivery.objects.filter(endpoint=hook)
    assert [(r.case_id, r.event_type, r.data["party"]) for r in rows] == [
        (owed.pk, T.DEADLINE_OVERDUE, "applicant")
    ]
