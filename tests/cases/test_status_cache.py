"""Kept status pages: keyed on the versions of what they show, so never stale after a change."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.signals import template_rendered
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import CalendarDay, CaseState, Step
from cases.selectors.status import kept, status_case
from cases.services import access
from tests import factories

pytestmark = pytest.mark.django_db


def _get(client: Client, url: str) -> tuple[int, str, int]:
    """Status, body and the number of queries of one request."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response.status_code, response.content.decode(), len(queries)


def _fresh(client: Client, url: str, settings) -> str:
    """The page rendered afresh, as nothing had been kept."""
    kept = settings.STATUS_PAGE_CACHE_SECONDS
    settings.STATUS_PAGE_CACHE_SECONDS = 0
    try:
        return client.get(url).content.decode()
    finally:
        settings.STATUS_PAGE_CACHE_SECONDS = kept


def test_a_second_view_is_served_from_the_kept_page_after_one_query(client):
    case = factories.make_case(CaseState.UNDER_REVIEW)
    link = access.case_status_link(case)

    first = _get(client, link)
    second = _get(client, link)

    assert first[0] == second[0] == 200
    assert first[2] >= 3 and second[2] == 1  # the case and its versions
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


def test_a_transition_shows_at_once(client, settings):
    case = factories.make_case(CaseState.UNDER_REVIEW)
    link = access.case_status_link(case)
    before = client.get(link).content.decode()

    services.case_qualify(case=case, actor=factories.staff_of(case))

    status, after, queries = _get(client, link)
    assert status == 200 and queries >= 3  # read afresh
    assert after == _fresh(client, link, settings) != before
    assert _get(client, link)[2] == 1  # and kept again


def test_a_page_is_kept_for_its_day_and_language_only():
    case = factories.make_case(CaseState.UNDER_REVIEW)
    row = status_case(case.pk)
    today = timezone.localdate()

    keys = {
        kept.status_page_key(case=row, language=language, today=day)
        for language in ("zh-hans", "en")
        for day in (today, today + timedelta(days=1))
    }

    assert len(keys) == 4


def test_a_query_string_is_rendered_but_never_kept(client):
    case = factories.make_case(CaseState.UNDER_REVIEW)
    link = access.case_status_link(case)

    body = client.get(link + "?x=%22%3E%3Cb%3Eodd").content.decode()

    assert "odd" in body  # in the language link's "next"
    _status, plain, queries = _get(client, link)
    assert queries >= 3 and "odd" not in plain


def test_the_cache_can_be_turned_off(client, settings):
    settings.STATUS_PAGE_CACHE_SECONDS = 0
    case = factories.make_case(CaseState.UNDER_REVIEW)
    link = access.case_status_link(case)
    client.get(link)

    assert _get(client, link)[2] >= 3


# With Redis as the cache, as in production, shared by every process.


def test_with_redis_a_code_reset_revokes_the_link_at_once(client, redis_cache):
    case = factories.make_case(CaseState.UNDER_REVIEW)
    link = access.case_status_link(case)
    client.get(link)
    assert _get(client, link)[2] == 1

    access.case_reset_access_code(case=case, actor=factories.staff_of(case))

    assert client.get(link).status_code == 404
    case.refresh_from_db()
    assert client.get(access.case_status_link(case)).status_code == 200


def test_with_redis_a_page_read_before_a_change_is_never_served_after_it(
    client, redis_cache, settings, django_capture_on_commit_callbacks
):
    """Another process reads the case, the change commits, then that process keeps the
    page it rendered: the next view must show the change (it used to serve the old page
    until it expired, with Redis and no process copy)."""
    settings.CACHE_MEMORY_MB = 0  # what this was about before: no process copy at all
    case = factories.make_case(CaseState.UNDER_REVIEW)
    link = access.case_status_link(case)
    changed = []

    def change_while_rendering(sender, template, context, **kwargs):
        if template.origin.template_name == "cases/status/page.html" and not changed:
            changed.append(1)
            with django_capture_on_commit_callbacks(execute=True):
                services.case_qualify(case=case, actor=factories.staff_of(case))

    template_rendered.connect(change_while_rendering)
    try:
        read_before = client.get(link).content.decode()  # rendered from the old data
    finally:
        template_rendered.disconnect(change_while_rendering)
    assert changed and "预审合格" not in read_before.split("<h1>")[1].split("</h1>")[0]

    after = client.get(link).content.decode()

    assert after != read_before
    assert after == _fresh(client, link, settings)
    assert "预审合格" in after.split("<h1>")[1].split("</h1>")[0]


# Details that are not the case's own: centers' contact details, applicants' names, the
# holiday calendar.


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


def test_a_center_edit_in_the_admin_shows_on_its_kept_pages_at_once(client):
    case = factories.make_case(CaseState.UNDER_REVIEW)
    link = access.case_status_link(case)
    assert _get(client, link)[2] >= 3 and _get(client, link)[2] == 1  # kept

    staff = Client()
    staff.force_login(factories.make_superuser())
    url = reverse("admin:cases_center_change", args=[case.center_id])
    data = _change_form_data(staff, url, phone="021-8888 6666")
    assert staff.post(url, data).status_code == 302

    status, body, queries = _get(client, link)
    assert status == 200 and queries >= 3  # read and rendered again
    assert "021-8888 6666" in body
    assert _get(client, link)[2] == 1  # and kept again


def test_an_applicant_renamed_in_the_admin_shows_at_once(client):
    case = factories.make_case(CaseState.UNDER_REVIEW)
    link = access.case_status_link(case)
    client.get(link)

    staff = Client()
    staff.force_login(factories.make_superuser())
    url = reverse("admin:cases_entity_change", args=[case.entity_id])
    data = _change_form_data(staff, url, name="Renamed Materials Co., Ltd.")
    response = staff.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors

    assert "Renamed Materials Co., Ltd." in _get(client, link)[1]


def test_a_holiday_entered_in_the_admin_shows_in_the_days_left_at_once(client, settings):
    case = factories.make_case(CaseState.CORRECTION_REQUESTED)
    link = access.case_status_link(case)
    client.cookies["django_language"] = "en"
    before = client.get(link).content.decode()
    correction = case.timers.get(step=Step.CORRECTION, stopped_at__isnull=True)
    today = timezone.localdate()
    left = int(re.search(r"(\d+) working days? left", before).group(1))
    assert left >= 1
    # A working day between today and the due date becomes a holiday.
    day = next(
        today + timedelta(days=n)
        for n in range(1, 30)
        if today + timedelta(days=n) <= correction.due_on
        and not CalendarDay.objects.filter(date=today + timedelta(days=n)).exists()
        and (today + timedelta(days=n)).weekday() < 5
    )
    staff = Client()
    staff.force_login(factories.make_superuser())
    response = staff.post(
        reverse("admin:cases_calendarday_add"),
        {"date": day.isoformat(), "is_working": "", "name": "Local holiday"},
    )
    assert response.status_code == 302

    after = client.get(link).content.decode()

    assert after == _fresh(client, link, settings)
    assert f"{left - 1} working day" in after
