"""The portal's *Calendar and API* page: a feed of what the user's entities owe, and
personal API tokens that act as the portal user, limited to their cases."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from icalendar import Calendar
from rest_framework.test import APIClient

from cases.models import ApiToken, CaseState, Party, Timer
from tests.factories import make_case, make_center, make_entity, make_portal_user

pytestmark = pytest.mark.django_db
S = CaseState
CONNECT = "/portal/connect/"


@pytest.fixture
def applicant():
    center = make_center()
    entity = make_entity(center)
    user = make_portal_user(entity=entity)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.cookies["django_language"] = "en"
    client.force_login(user)
    return center, entity, user, client


def test_the_calendar_feed_lists_what_the_entity_owes_and_nothing_else(applicant):
    center, entity, _user, client = applicant
    owed = make_case(S.CORRECTION_REQUESTED, entity=entity)
    make_case(S.UNDER_REVIEW, entity=entity)  # the center's clock: not the applicant's
    make_case(S.CORRECTION_REQUESTED, entity=make_entity(center))  # another entity's
    page = client.post(CONNECT, {"action": "feed"}).content.decode()
    [url] = re.findall(r"http://testserver(/api/calendar/[^<\s]+\.ics)", page)
    first = Calendar.from_ical(Client().get(url).content)
    [event] = first.walk("VEVENT")
    timer = Timer.objects.get(case=owed, party=Party.APPLICANT, stopped_at__isnull=True)
    assert event["uid"] == f"timer-{timer.pk}@testserver"
    assert owed.reference in str(event["summary"])
    assert str(event["url"]).endswith(reverse("portal:case_detail", args=[owed.reference]))
    assert first.walk("VALARM")
    # Making a new address stops the old one.
    client.post(CONNECT, {"action": "feed"})
    assert Client().get(url).status_code == 404


def test_a_token_is_shown_once_acts_as_the_user_and_sees_only_their_cases(applicant):
    center, entity, user, client = applicant
    mine = make_case(S.UNDER_REVIEW, entity=entity)
    other = make_case(S.UNDER_REVIEW, entity=make_entity(center))
    page = client.post(CONNECT, {"action": "create", "name": "docketing"}).content.decode()
    [token] = re.findall(r"pc_[0-9a-f]+_[\w-]+", page)
    assert token not in client.get(CONNECT).content.decode()  # shown once
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    listed = [row["reference"] for row in api.get("/api/v1/cases/").json()["results"]]
    assert listed == [mine.reference]
    assert api.get(f"/api/v1/cases/{other.reference}/").status_code == 404
    row = ApiToken.objects.get(user=user)
    assert row.name == "docketing" and row.last_used_at is not None
    # Revoked, it stops working.
    client.post(CONNECT, {"action": "revoke", "token": row.pk})
    assert api.get("/api/v1/cases/").status_code in (401, 403)


def test_a_token_needs_a_name_and_a_future_expiry(applicant):
    *_rest, client = applicant
    nameless = client.post(CONNECT, {"action": "create", "name": ""})
    assert nameless.context["form"].errors["name"]
    past = client.post(CONNECT, {"action": "create", "name": "x", "expires_at": "2000-01-01 10:00"})
    assert past.context["form"].errors["expires_at"]
    assert not ApiToken.objects.exists()


def test_nobody_revokes_another_users_token(applicant):
    center, _entity, _user, client = applicant
    someone = make_portal_user(entity=make_entity(center))
    other = Client()
    other.force_login(someone)
    other.post(CONNECT, {"action": "create", "name": "theirs"})
    theirs = ApiToken.objects.get(user=someone)
    client.post(CONNECT, {"action": "revoke", "token": theirs.pk})
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_the_page_refuses_a_post_without_the_csrf_token(applicant):
    *_rest, user, _client = applicant
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(user)
    assert strict.post(CONNECT, {"action": "feed"}).status_code == 403
