"""The Redis cache backend of production (CACHE_URL), on the real Redis."""

from __future__ import annotations

from django.core.cache import caches
from django.test import override_settings

from protection_center.cache import RedisCache

REDIS = {
    "default": {
        "BACKEND": "protection_center.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/14",
    }
}


@override_settings(CACHES=REDIS)
def test_it_stores_reads_and_drops_values_with_one_client():
    cache = caches["default"]
    assert isinstance(cache, RedisCache)
    cache.clear()
    cache.set("pc:test:a", {"x": 1}, timeout=30)
    cache.set_many({"pc:test:b": 2, "pc:test:c": 3}, timeout=30)

    assert cache.get("pc:test:a") == {"x": 1}
    assert cache.get_many(["pc:test:b", "pc:test:c"]) == {"pc:test:b": 2, "pc:test:c": 3}
    assert cache.incr("pc:test:b") == 3
    cache.delete_many(["pc:test:a", "pc:test:b"])
    assert cache.get("pc:test:a") is None and cache.get("pc:test:c") == 3
    client = cache._cache.get_client()
    assert cache._cache.get_client(write=True) is client  # one server: one shared client
    cache.clear()
