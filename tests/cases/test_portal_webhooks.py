"""The portal's *Webhooks* pages: an agency's administrator keeps the agency's endpoints
and sees and resends their deliveries; nobody else reaches them."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from cases import services
from cases.models import CaseState, PortalAccount, WebhookDelivery, WebhookEndpoint
from cases.services import webhooks
from tests import factories

pytestmark = pytest.mark.django_db
T = WebhookEndpoint.EventType
PAGE = "/portal/webhooks/"


def client_of(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.cookies["django_language"] = "en"
    client.force_login(user)
    return client


@pytest.fixture
def agency_admin(settings):
    settings.WEBHOOK_ALLOWED_PRIVATE_HOSTS = ["127.0.0.1"]
    agency = factories.make_agency()
    user = factories.make_portal_user(agency=agency)
    return agency, user, client_of(user)


def add(client, **fields):
    data = {
        "name": "docketing",
        "url": "http://127.0.0.1:9/hook",
        "secret": "",
        "event_types": [T.CASE_TRANSITION, T.DEADLINE_OVERDUE],
        **fields,
    }
    return client.post(PAGE, data)


def test_the_administrator_adds_an_endpoint_and_its_secret_is_shown_once(agency_admin):
    agency, _user, client = agency_admin
    page = add(client).content.decode()
    endpoint = WebhookEndpoint.objects.get()
    assert (endpoint.agency_id, endpoint.center_id) == (agency.pk, None)
    assert endpoint.event_types == [T.CASE_TRANSITION, T.DEADLINE_OVERDUE]
    assert len(endpoint.secret) >= 32 and endpoint.secret in page
    assert endpoint.secret not in client.get(PAGE).content.decode()
    assert "docketing" in client.get(PAGE).content.decode()


def test_a_private_address_is_refused_at_registration(agency_admin):
    *_rest, client = agency_admin
    response = add(client, url="http://10.0.0.5/hook")
    assert "10.0.0.5" in " ".join(response.context["form"].errors["url"])
    short = add(client, secret="short")
    assert short.context["form"].errors["secret"]
    none = add(client, event_types=[])
    assert none.context["form"].errors["event_types"]
    assert not WebhookEndpoint.objects.exists()


def test_the_page_shows_deliveries_and_resends_a_failed_one(agency_admin):
    agency, _user, client = agency_admin
    entity = factories.make_entity(factories.make_center())
    factories.authorise(entity, agency)
    case = factories.make_case(CaseState.SUBMITTED, entity=entity)
    add(client, secret="a-secret-of-sixteen+")
    endpoint = WebhookEndpoint.objects.get()
    services.case_accept(case=case, actor=factories.staff_of(case))
    assert webhooks.deliver_pending() == 0  # nothing listens on port 9
    row = WebhookDelivery.objects.get(endpoint=endpoint)
    WebhookDelivery.objects.filter(pk=row.pk).update(status="failed", attempts=8)
    detail = f"{PAGE}{endpoint.pk}/"
    page = client.get(detail).content.decode()
    assert case.reference in page and row.last_error in page
    assert re.search(r">\s*8\s*<", page)  # the attempts

    client.post(detail, {"action": "resend", "delivery": row.pk})
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("pending", 0)


def test_pause_resume_and_delete(agency_admin):
    *_rest, client = agency_admin
    add(client)
    endpoint = WebhookEndpoint.objects.get()
    detail = f"{PAGE}{endpoint.pk}/"
    client.post(detail, {"action": "pause"})
    endpoint.refresh_from_db()
    assert endpoint.active is False
    client.post(detail, {"action": "resume"})
    endpoint.refresh_from_db()
    assert endpoint.active is True
    assert client.post(detail, {"action": "delete"}).status_code == 302
    assert not WebhookEndpoint.objects.exists()


def test_another_agencys_endpoint_is_404(agency_admin):
    *_rest, client = agency_admin
    add(client)
    endpoint = WebhookEndpoint.objects.get()
    detail = f"{PAGE}{endpoint.pk}/"
    other = client_of(factories.make_portal_user(agency=factories.make_agency()))
    assert other.get(detail).status_code == 404
    assert other.post(detail, {"action": "delete"}).status_code == 404
    assert other.post(detail, {"action": "pause"}).status_code == 404
    assert endpoint.url not in other.get(PAGE).content.decode()
    endpoint.refresh_from_db()
    assert endpoint.active is True


def test_members_and_entity_users_do_not_reach_the_page(agency_admin):
    agency, _user, client = agency_admin
    add(client)
    endpoint = WebhookEndpoint.objects.get()
    member = factories.make_portal_user(agency=agency)
    PortalAccount.objects.filter(user=member).update(role=PortalAccount.Role.MEMBER)
    applicant = factories.make_portal_user(entity=factories.make_entity(factories.make_center()))
    for user in (member, applicant):
        visitor = client_of(user)
        assert visitor.get(PAGE).status_code == 404
        assert visitor.get(f"{PAGE}{endpoint.pk}/").status_code == 404
        assert visitor.post(f"{PAGE}{endpoint.pk}/", {"action": "delete"}).status_code == 404
    assert WebhookEndpoint.objects.exists()


def test_the_pages_refuse_a_post_without_the_csrf_token(agency_admin):
    _agency, user, client = agency_admin
    add(client)
    endpoint = WebhookEndpoint.objects.get()
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(user)
    assert strict.post(PAGE, {"name": "x", "url": "http://127.0.0.1:9/"}).status_code == 403
    assert strict.post(f"{PAGE}{endpoint.pk}/", {"action": "delete"}).status_code == 403
    assert WebhookEndpoint.objects.count() == 1
