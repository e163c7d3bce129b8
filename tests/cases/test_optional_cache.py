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

    services.case_qualify(case=case, actor=factories.staff_of(case))

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
    code = access.case_reset_access_code(case=case, actor=factories.staff_of(case))

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


# Drops owed while the cache server was unreachable


class _RestartableRedis:
    """A Redis server of the test's own that keeps its data on disk across a restart, as
    production's does: ``stop()`` saves then shuts it down, ``start()`` brings it back
    with what it had."""

    def __init__(self, directory: str) -> None:
        import socket

        import redis

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.directory = directory
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.raw = redis.Redis.from_url(self.url)

    def start(self) -> None:
        import subprocess
        import time

        import redis

        subprocess.run(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--daemonize",
             "yes", "--dir", self.directory, "--save", "", "--appendonly", "no"],
            check=True, capture_output=True,
        )  # fmt: skip
        deadline = time.monotonic() + 5
        while True:
            try:
                self.raw.ping()
                return
            except redis.ConnectionError:
                assert time.monotonic() < deadline, "the test's Redis did not start"
                time.sleep(0.02)

    def stop(self, *, save: bool = True) -> None:
        import redis

        try:
            if save:
                self.raw.save()
            self.raw.shutdown(nosave=True)
        except redis.ConnectionError:
            pass  # stopped already, or it closed the connection as it went


@pytest.fixture
def restartable_redis(tmp_path, settings):
    """The cache is a Redis server that the test can stop and start again."""
    from cases.optional_cache import _owed, near_caches_close

    server = _RestartableRedis(str(tmp_path))
    server.start()
    settings.CACHES = {
        "default": {"BACKEND": "protection_center.cache.RedisCache", "LOCATION": server.url}
    }
    try:
        yield server
    finally:
        near_caches_close()
        _owed.clear()
        server.stop(save=False)


def _eventually(condition, seconds: float = 15.0) -> bool:
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def test_a_page_drop_missed_while_redis_was_down_is_made_when_it_is_back(
    restartable_redis, client, settings, django_capture_on_commit_callbacks, caplog
):
    from cases.optional_cache import _owed

    case = factories.make_case(CaseState.UNDER_REVIEW)
    link = access.case_status_link(case)
    before = client.get(link).content.decode()
    assert restartable_redis.raw.keys("*pc:status-page:*")  # kept in Redis

    restartable_redis.stop()
    with django_capture_on_commit_callbacks(execute=True):
        services.case_qualify(case=case, actor=factories.staff_of(case))
    assert any("pc:status-page:" in key for key in _owed.keys())
    restartable_redis.start()  # back with the page kept before the change

    assert _eventually(lambda: not restartable_redis.raw.keys("*pc:status-page:*"))
    assert _owed.keys() == []
    after = client.get(link).content.decode()
    settings.STATUS_PAGE_CACHE_SECONDS = 0
    assert after == client.get(link).content.decode() != before
    assert "owed since the cache was unreachable" in caplog.text


def test_a_version_bump_missed_while_redis_was_down_is_made_when_it_is_back(restartable_redis):
    from cases.optional_cache import shared_version, shared_version_bump

    before = shared_version("pc:test-version")
    restartable_redis.stop()
    shared_version_bump("pc:test-version")
    restartable_redis.start()

    assert _eventually(lambda: shared_version("pc:test-version") not in (None, before))


def test_an_owed_drop_is_given_up_once_what_it_drops_has_expired(cache_down, caplog):
    from cases.optional_cache import _OwedDrops

    owed = _OwedDrops(for_seconds=0.5, first_wait=0.05, most_wait=0.1)
    owed.owe(["pc:test-key"])
    import time

    time.sleep(0.3)
    assert owed.keys() == ["pc:test-key"]  # still owed, still failing
    assert _eventually(lambda: owed.keys() == [], seconds=3)
    assert "Gave up dropping pc:test-key" in caplog.text
