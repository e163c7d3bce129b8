"""With the cache server down, transitions still commit and status pages are still served."""

from __future__ import annotations

import pytest

from cases import services
from cases.models import CaseState
from cases.services import access
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def cache_down(settings):
    """A Redis cache on a port nothing listens on: every cache call really fails."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
        }
    }


def test_a_transition_commits_with_the_cache_server_down(cache_down, client, caplog):
    case = factories.make_case(CaseState.UNDER_REVIEW)
    link = access.case_status_link(case)

    services.case_qualify(
        case=case, actor=factories.staff_of(case)
    )  # the cache is not needed for it at all

    case.refresh_from_db()
    assert case.state == CaseState.QUALIFIED
    assert case.next_due_on is not None  # the filing clock, on the holiday calendar
    assert "预审合格" in client.get(link).content.decode()
    assert "going on without the cache" in caplog.text  # the page's, without its cache


def test_status_pages_are_served_with_the_cache_server_down(cache_down, client, caplog):
    case = factories.make_case(CaseState.UNDER_REVIEW)
    link = access.case_status_link(case)

    for _ in range(2):
        response = client.get(link)
        assert response.status_code == 200
        assert case.reference in response.content.decode()
    assert "going on without the cache" in caplog.text


def test_a_change_made_while_the_cache_server_is_down_shows_once_it_is_back(
    cache_down, client, settings
):
    """Nothing needs dropping when the cache comes back: pages are keyed on versions."""
    case = factories.make_case(CaseState.UNDER_REVIEW)
    link = access.case_status_link(case)
    down = settings.CACHES
    redis_up = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/14",
        }
    }
    settings.CACHES = redis_up
    before = client.get(link).content.decode()  # kept in Redis
    settings.CACHES = down

    services.case_qualify(case=case, actor=factories.staff_of(case))  # the cache unreachable
    settings.CACHES = redis_up  # back, with the page kept before the change
    try:
        after = client.get(link).content.decode()
    finally:
        from django.core.cache import cache

        cache.clear()

    assert after != before and "预审合格" in after


def test_a_lookup_works_with_the_cache_server_down(cache_down, client, caplog):
    case = factories.make_case(CaseState.UNDER_REVIEW)
    code = access.case_reset_access_code(case=case, actor=factories.staff_of(case))

    response = client.post("/status/", {"reference": case.reference, "code": code})

    assert response.status_code == 303
    assert response["Location"].startswith("/status/c/")
    assert "Rate limit not counted" in caplog.text
