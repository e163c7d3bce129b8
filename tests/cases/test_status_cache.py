"""Kept status pages: served without the database, dropped by every change, never stale."""

from __future__ import annotations

import gzip
import re
import time
from datetime import timedelta

import pytest
import redis
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases import optional_cache, services
from cases.models import CaseState
from cases.services import access, status_pages
from protection_center.near_cache import NearCache
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
        services.case_qualify(case=case, actor=factories.staff_of(case))

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
        services.case_qualify(case=case, actor=factories.staff_of(case))

    # The change has not committed (its callbacks did not run): the kept page stands.
    assert _get(client, link)[2] == 0


def _body(today, renders: list[str], **page) -> str:
    """The kept page's HTML through ``status_page_body``, recording each render."""

    def render() -> str:
        renders.append(page["fingerprint"])
        return f"<p>{page['fingerprint']} {today}</p>"

    page = {"case_id": 7, "language": "en", **page}
    return gzip.decompress(
        status_pages.status_page_body(**page, today=today, render=render)
    ).decode()


def test_a_kept_page_is_only_for_its_day_and_its_code():
    today, renders = timezone.localdate(), []
    assert _body(today, renders, fingerprint="abc") == f"<p>abc {today}</p>"
    assert _body(today, renders, fingerprint="abc") == f"<p>abc {today}</p>"
    assert renders == ["abc"]  # kept

    tomorrow = today + timedelta(days=1)
    assert _body(tomorrow, renders, fingerprint="abc") == f"<p>abc {tomorrow}</p>"
    _body(tomorrow, renders, fingerprint="abd")  # another code: rendered (and checked)
    _body(tomorrow, renders, fingerprint="abc", language="zh-hans")
    assert renders == ["abc", "abc", "abd", "abc"]


def test_browsers_get_the_kept_bytes_compressed(client):
    case = factories.make_case(CaseState.UNDER_REVIEW)
    link = access.case_status_link(case)
    plain = client.get(link)

    packed = client.get(link, headers={"accept-encoding": "gzip, deflate, br"})

    assert packed["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed["Vary"]
    assert gzip.decompress(packed.content) == plain.content
    assert len(packed.content) < len(plain.content) / 2
    assert "Content-Encoding" not in plain and "Accept-Encoding" in plain["Vary"]
    assert "no-store" in packed["Cache-Control"] and "private" in packed["Cache-Control"]


@pytest.mark.parametrize("header", ["", "identity", "br", "gzip;q=0", "deflate, gzip; q=0.0"])
def test_clients_that_refuse_gzip_get_plain_html(client, header):
    case = factories.make_case(CaseState.UNDER_REVIEW)
    response = client.get(access.case_status_link(case), headers={"accept-encoding": header})

    assert "Content-Encoding" not in response
    assert case.reference in response.content.decode()


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


# With Redis as the cache (production): pages also kept in each process's memory.

REDIS_URL = "redis://127.0.0.1:6379/14"  # as the redis_cache fixture (conftest)


def test_with_redis_a_page_viewed_again_is_served_from_memory(client, redis_cache):
    case = factories.make_case(CaseState.UNDER_REVIEW)
    link = access.case_status_link(case)
    first = _get(client, link)
    raw = redis.Redis.from_url(REDIS_URL)
    assert len(raw.keys("*pc:status-page:*")) == 1  # kept in Redis too

    raw.flushdb()  # behind the process's back: only its own copy is left
    second = _get(client, link)

    assert first[2] >= 1 and second[2] == 0 and second[1] == first[1]
    raw.close()


def test_with_redis_a_code_reset_revokes_the_link_at_once(
    client, redis_cache, django_capture_on_commit_callbacks
):
    case = factories.make_case(CaseState.UNDER_REVIEW)
    link = access.case_status_link(case)
    client.get(link)
    assert _get(client, link)[2] == 0

    with django_capture_on_commit_callbacks(execute=True):
        access.case_reset_access_code(case=case, actor=factories.staff_of(case))

    assert client.get(link).status_code == 404
    case.refresh_from_db()
    assert client.get(access.case_status_link(case)).status_code == 200


def test_with_redis_a_change_made_by_another_process_drops_the_page_here(
    client, redis_cache, django_capture_on_commit_callbacks
):
    case = factories.make_case(CaseState.UNDER_REVIEW)
    link = access.case_status_link(case)
    client.get(link)
    # Another process's copy, on the same channel, is the one that hears of the change.
    elsewhere = NearCache(
        client=lambda: redis.Redis.from_url(REDIS_URL),
        channel=optional_cache._DROPPED_CHANNEL,
        max_bytes=1_000_000,
        max_age=60,
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.case_qualify(case=case, actor=factories.staff_of(case))
    keys = [f"pc:status-page:{case.pk}:{language}" for language in ("zh-hans", "en")]
    cache.delete_many(keys)  # what the other process's commit does...
    elsewhere.forget(keys)  # ...and announces
    assert len(callbacks) >= 1

    deadline = time.monotonic() + 5
    while _get(client, link)[2] == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    status, body, queries = _get(client, link)
    assert status == 200 and queries == 0  # rendered afresh once, then kept again
    assert "qualified" in body.lower() or "合格" in body
    elsewhere.close()


def test_with_redis_a_page_read_while_it_changes_is_not_kept(redis_cache):
    today, renders = timezone.localdate(), []

    def render() -> str:
        renders.append(1)
        if len(renders) == 1:  # the case changes while its page is being rendered
            redis_cache.forget(["pc:status-page:7:en"])
        return "<p>page</p>"

    for _ in range(3):
        status_pages.status_page_body(
            case_id=7, language="en", today=today, fingerprint="abc", render=render
        )

    assert len(renders) == 2  # the first render was served, not kept


# Details that are not the case's own: centers' contact details, applicants' names.


def _change_form_data(client: Client, url: str, **changes: str) -> dict[str, str]:
    """The admin change form's current values, with ``changes``."""
    form = client.get(url).context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        if field.disabled:
            continue
        value = form[name].value()
        data[name] = "" if value is None else str(value)
    return {**data, **changes}


def test_a_center_edit_in_the_admin_retires_every_kept_page(
    client, django_capture_on_commit_callbacks
):
    case = factories.make_case(CaseState.UNDER_REVIEW)
    link = access.case_status_link(case)
    assert _get(client, link)[2] >= 1 and _get(client, link)[2] == 0  # kept

    staff = Client()
    staff.force_login(factories.make_superuser())
    url = reverse("admin:cases_center_change", args=[case.center_id])
    data = _change_form_data(staff, url, phone="021-8888 6666")
    with django_capture_on_commit_callbacks(execute=True):
        assert staff.post(url, data).status_code == 302

    status, body, queries = _get(client, link)
    assert status == 200 and queries >= 1  # read and rendered again
    assert "021-8888 6666" in body
    assert _get(client, link)[2] == 0  # and kept again


def test_an_applicant_renamed_in_the_admin_shows_at_once(
    client, django_capture_on_commit_callbacks
):
    case = factories.make_case(CaseState.UNDER_REVIEW)
    link = access.case_status_link(case)
    client.get(link)

    staff = Client()
    staff.force_login(factories.make_superuser())
    url = reverse("admin:cases_entity_change", args=[case.entity_id])
    data = _change_form_data(staff, url, name="Renamed Materials Co., Ltd.")
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors

    assert "Renamed Materials Co., Ltd." in _get(client, link)[1]


def test_a_page_read_while_details_change_is_not_served_after(redis_cache):
    today, renders = timezone.localdate(), []

    def render() -> str:
        renders.append(1)
        if len(renders) == 1:  # a center's details change while the page is read
            status_pages.status_pages_details_changed()
        return "<p>page</p>"

    for _ in range(3):
        status_pages.status_page_body(
            case_id=7, language="en", today=today, fingerprint="abc", render=render
        )

    assert len(renders) == 2  # the first page was kept under the old details: not served


def test_with_redis_details_changed_elsewhere_retire_the_pages_here(client, redis_cache):
    case = factories.make_case(CaseState.UNDER_REVIEW)
    link = access.case_status_link(case)
    client.get(link)
    assert _get(client, link)[2] == 0
    elsewhere = NearCache(
        client=lambda: redis.Redis.from_url(REDIS_URL),
        channel=optional_cache._DROPPED_CHANNEL,
        max_bytes=1_000_000,
        max_age=60,
    )
    key = status_pages._DETAILS_VERSION_KEY
    cache.delete(key)  # what status_pages_details_changed does in the other process...
    elsewhere.forget([key])  # ...and announces

    deadline = time.monotonic() + 5
    while _get(client, link)[2] == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert time.monotonic() < deadline, "the kept page was still served"
    assert _get(client, link)[2] == 0  # kept again under the new version
    elsewhere.close()
