"""Kept status pages: served without the database, dropped by every change, never stale."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases import services
from cases.models import CaseState
from cases.services import access, status_pages
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def _get(client: Client, url: str) -> tuple[int, str, int]:
    """Status, body and the number of queries of one request."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response.status_code, response.content.decode(), len(queries)


def test_a_second_view_is_served_without_the_database(client):
    case = factories.make_case(CaseState.UNDER_REVIEW)
    link = access.case_status_link(case)

    first = _get(client, link)
    second = _get(client, link)

    assert first[0] == second[0] == 200
    assert first[2] >= 1 and second[2] == 0
    assert case.reference in second[1]
    assert first[1] == second[1]


def test_a_kept_page_is_the_same_for_everyone_and_sets_no_cookie():
    case = factories.make_case(CaseState.UNDER_REVIEW)
    link = access.case_status_link(case)
    pages = []
    for _ in range(2):
        response = Client(enforce_csrf_checks=True).get(link)
        assert not response.cookies  # no CSRF cookie: the page has no form
        pages.append(response.content)
    assert pages[0] == pages[1] and b"csrfmiddlewaretoken" not in pages[0]


def test_the_language_link_switches_and_comes_back_to_the_page(client):
    case = factories.make_case(CaseState.UNDER_REVIEW)
    link = access.case_status_link(case)
    body = client.get(link).content.decode()
    (switch,) = re.findall(r'href="(/language/en/\?next=[^"]+)"', body)

    response = client.get(switch.replace("&amp;", "&"))

    assert response.status_code == 302 and response["Location"] == link
    english = client.get(link).content.decode()
    assert 'lang="en"' in english and case.reference in english
    assert 'href="/language/zh-hans/?next=' in english


@pytest.mark.parametrize(
    "target", ["https://elsewhere.example/", "//elsewhere.example/x", "javascript:alert(1)"]
)
def test_the_language_link_goes_back_to_this_site_only(client, target):
    response = client.get("/language/en/", {"next": target})
    assert response.status_code == 302 and response["Location"] == "/"
    assert response.cookies["django_language"].value == "en"


def test_an_unknown_language_is_not_found(client):
    response = client.get("/language/xx/", {"next": "/status/"})
    assert response.status_code == 404 and "django_language" not in response.cookies


def test_languages_are_kept_apart(client):
    case = factories.make_case(CaseState.UNDER_REVIEW)
    link = access.case_status_link(case)
    chinese = client.get(link).content.decode()
    client.cookies["django_language"] = "en"
    english = client.get(link).content.decode()

    assert 'lang="zh-hans"' in chinese and 'lang="en"' in english
    client.cookies["django_language"] = "zh-hans"
    assert 'lang="zh-hans"' in client.get(link).content.decode()


def test_a_transition_drops_the_page(client, settings, django_capture_on_commit_callbacks):
    case = factories.make_case(CaseState.UNDER_REVIEW)
    link = access.case_status_link(case)
    before = client.get(link).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        services.case_qualify(case=case, actor=None)

    status, after, queries = _get(client, link)
    assert status == 200 and queries >= 1  # read afresh
    settings.STATUS_PAGE_CACHE_SECONDS = 0
    fresh = client.get(link).content.decode()
    assert after == fresh != before


def test_nothing_is_dropped_before_the_change_commits(client, django_capture_on_commit_callbacks):
    case = factories.make_case(CaseState.UNDER_REVIEW)
    link = access.case_status_link(case)
    client.get(link)

    with django_capture_on_commit_callbacks(execute=False):
        services.case_qualify(case=case, actor=None)

    # The change has not committed (its callbacks did not run): the kept page stands.
    assert _get(client, link)[2] == 0


def test_a_kept_page_is_only_for_its_day_and_its_code():
    today = timezone.localdate()
    page = {"case_id": 7, "language": "en", "fingerprint": "abc"}
    status_pages.status_page_store(**page, today=today, html="<p>kept</p>")

    assert status_pages.status_page_cached(**page, today=today) == "<p>kept</p>"
    tomorrow = today + timedelta(days=1)
    assert status_pages.status_page_cached(**page, today=tomorrow) is None
    assert status_pages.status_page_cached(**{**page, "fingerprint": "abd"}, today=today) is None
    assert status_pages.status_page_cached(**{**page, "language": "zh-hans"}, today=today) is None


def test_a_query_string_is_rendered_but_never_kept(client):
    case = factories.make_case(CaseState.UNDER_REVIEW)
    link = access.case_status_link(case)

    body = client.get(link + "?x=%22%3E%3Cb%3Eodd").content.decode()

    assert "odd" in body  # in the language link's "next"
    _status, plain, queries = _get(client, link)
    assert queries >= 1 and "odd" not in plain


def test_the_cache_can_be_turned_off(client, settings):
    settings.STATUS_PAGE_CACHE_SECONDS = 0
    case = factories.make_case(CaseState.UNDER_REVIEW)
    link = access.case_status_link(case)
    client.get(link)

    assert _get(client, link)[2] >= 1
