"""A process's own copy of shared-cache entries, kept coherent over the real Redis pub/sub."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest
import redis

from protection_center.near_cache import NearCache

URL = "redis://127.0.0.1:6379/14"
CHANNEL = "pc:test:near-cache"


def _eventually(condition: Callable[[], bool], seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return condition()


@pytest.fixture
def make_near() -> Iterator[Callable[..., NearCache]]:
    made: list[NearCache] = []
    client = redis.Redis.from_url(URL)

    def make(**options: object) -> NearCache:
        near = NearCache(
            client=lambda: client,
            channel=CHANNEL,
            **{"max_bytes": 1_000_000, "max_age": 60.0, "ping_seconds": 0.5, **options},
        )
        made.append(near)
        near.get("warm-up")  # starts the listener
        assert _eventually(lambda: near.live), "the listener did not subscribe"
        return near

    yield make
    for near in made:
        near.close()
    client.close()


def test_nothing_is_kept_before_the_subscription_is_live():
    client = redis.Redis.from_url("redis://127.0.0.1:1/0")  # nothing listens there
    near = NearCache(client=lambda: client, channel=CHANNEL, max_bytes=10_000, max_age=60)
    try:
        ticket = near.generation()
        assert near.put("k", "v", size=1, generation=ticket) is False
        assert near.get("k") is None and not near.live
    finally:
        near.close()


def test_a_kept_entry_is_served_until_another_process_drops_it(make_near):
    here, elsewhere = make_near(), make_near()
    assert here.put("page:1", "one", size=3, generation=here.generation())
    assert here.put("page:2", "two", size=3, generation=here.generation())
    assert here.get("page:1") == "one"

    elsewhere.forget(["page:1"])

    assert _eventually(lambda: here.get("page:1") is None)
    assert here.get("page:2") == "two"


def test_the_process_that_drops_forgets_at_once(make_near):
    near = make_near()
    near.put("page:1", "one", size=3, generation=near.generation())

    near.forget(["page:1"])

    assert near.get("page:1") is None  # not waiting for its own announcement


def test_a_read_begun_before_a_drop_is_not_kept(make_near):
    here, elsewhere = make_near(), make_near()
    ticket = here.generation()  # a request starts reading page:1 from Redis...
    elsewhere.forget(["page:1"])  # ...the page changes meanwhile...
    assert _eventually(lambda: here.generation() != ticket)

    assert here.put("page:1", "old", size=3, generation=ticket) is False  # ...old copy dropped
    assert here.get("page:1") is None


def test_a_lost_subscription_empties_the_copy_until_it_is_back(make_near):
    near = make_near()
    near.put("page:1", "one", size=3, generation=near.generation())
    admin = redis.Redis.from_url(URL)

    admin.client_kill_filter(_type="pubsub")  # the connection breaks: drops may be missed

    assert _eventually(lambda: not near.live or near.get("page:1") is None)
    assert near.get("page:1") is None
    assert _eventually(lambda: near.live)  # subscribed again, starting empty
    assert near.put("page:1", "new", size=3, generation=near.generation())
    assert near.get("page:1") == "new"
    admin.close()


def test_the_oldest_entries_go_beyond_the_byte_budget(make_near):
    near = make_near(max_bytes=3 * 1_200)  # three entries of 1,000 bytes and overhead
    for name in ("a", "b", "c"):
        near.put(name, name, size=1_000, generation=near.generation())
    near.get("a")  # a is used again: b is now the oldest

    near.put("d", "d", size=1_000, generation=near.generation())

    assert [near.get(name) for name in "abcd"] == ["a", None, "c", "d"]
    assert near.put("huge", "x", size=10_000, generation=near.generation()) is False


def test_entries_expire_as_in_the_shared_cache(make_near):
    near = make_near(max_age=0.2)
    near.put("page:1", "one", size=3, generation=near.generation())
    assert near.get("page:1") == "one"

    time.sleep(0.25)

    assert near.get("page:1") is None


def test_kept_pages_cost_the_garbage_collector_nothing(make_near):
    import gc

    near = make_near()
    page = ("2026-11-27", "fingerprint", b"\x1f\x8b page")  # as status pages are kept
    assert near.put("page", page, size=len(page[2]), generation=near.generation())
    gc.collect()
    # Neither the entry nor the page is walked by later collections.
    assert not gc.is_tracked(near._entries["page"])
    assert not gc.is_tracked(near.get("page"))
