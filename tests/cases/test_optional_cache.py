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


def test_a_transition_commits_with_the_cache_server_down(cache_down, caplog):
    case = factories.make_case(CaseState.UNDER_REVIEW)

    services.case_qualify(case=case, actor=None)

    case.refresh_from_db()
    assert case.state == CaseState.QUALIFIED
    assert case.next_due_on is not None  # the filing clock, on the holiday calendar
    assert "going on without the cache" in caplog.text


def test_status_pages_are_served_with_the_cache_server_down(cache_down, client):
    case = factories.make_case(CaseState.UNDER_REVIEW)
    link = access.case_status_link(case)

    for _ in range(2):
        response = client.get(link)
        assert response.status_code == 200
        assert case.reference in response.content.decode()


def test_a_lookup_works_with_the_cache_server_down(cache_down, client, caplog):
    case = factories.make_case(CaseState.UNDER_REVIEW)
    code = access.case_reset_access_code(case=case, actor=None)

    response = client.post("/status/", {"reference": case.reference, "code": code})

    assert response.status_code == 303
    assert response["Location"].startswith("/status/c/")
    assert "Rate limit not counted" in caplog.text


@pytest.mark.parametrize(
    ("backend", "location", "memory", "kept"),
    [
        ("protection_center.cache.RedisCache", "redis://127.0.0.1:6379/14", 64, True),
        ("protection_center.cache.RedisCache", "redis://127.0.0.1:6379/14", 0, False),
        ("protection_center.cache.RedisCache", "redis://a:6379/1;redis://b:6379/1", 64, False),
        ("protection_center.cache.RedisCache", ["redis://a:6379/1", "redis://b:6379/1"], 64, False),
        ("django.core.cache.backends.locmem.LocMemCache", "", 64, False),
    ],
)
def test_a_process_copy_only_in_front_of_one_redis_server(
    settings, backend, location, memory, kept
):
    from cases.optional_cache import near_cache, near_caches_close

    settings.CACHES = {"default": {"BACKEND": backend, "LOCATION": location}}
    settings.CACHE_MEMORY_MB = memory
    try:
        assert (near_cache() is not None) is kept
    finally:
        near_caches_close()
