"""Django's cache for callers that can do without it.

The cache (Redis in production) only saves work for these callers: the calendar's
version, the turnaround figures, the kept status pages. When its server is unreachable a
read is a miss and a write is skipped, with a warning in the log, so transitions and
the status page go on working, more slowly, until it is back.

With Redis, these callers also keep what they read in the process's own memory
(``near_cache``, within ``CACHE_MEMORY_MB``), dropped everywhere by ``forget``.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache

from protection_center.near_cache import NearCache, redis_client

logger = logging.getLogger(__name__)


def _failed(action: str, key: str, error: Exception) -> None:
    logger.warning("Cache %s of %s failed (%s); going on without the cache.", action, key, error)


# Backends raise their own errors (redis.ConnectionError is not an OSError): any
# exception from the cache call is treated as the cache being unavailable.


def cache_get(key: str, default: Any = None) -> Any:
    try:
        return cache.get(key, default)
    except Exception as error:
        _failed("read", key, error)
        return default


def cache_set(key: str, value: Any, *, timeout: int | None) -> None:
    try:
        cache.set(key, value, timeout=timeout)
    except Exception as error:
        _failed("write", key, error)


def cache_add(key: str, value: Any, *, timeout: int | None) -> bool:
    try:
        return cache.add(key, value, timeout=timeout)
    except Exception as error:
        _failed("write", key, error)
        return False


def cache_delete_many(keys: list[str]) -> None:
    try:
        cache.delete_many(keys)
    except Exception as error:
        _failed("delete", ", ".join(keys), error)


# The process's own copy (protection_center.near_cache): with Redis as the cache only.

_REDIS_BACKEND = "protection_center.cache.RedisCache"
_DROPPED_CHANNEL = "pc:cache:dropped"
# As long as a kept status page (STATUS_PAGE_CACHE_SECONDS): nothing is kept longer here.
_NEAR_MAX_AGE = 900
_near_caches: dict[tuple[str, int], NearCache] = {}
_near_caches_lock = threading.Lock()


def near_cache() -> NearCache | None:
    """This process's copy of cache entries, or None (not Redis, or turned off)."""
    config = settings.CACHES["default"]
    budget = int(getattr(settings, "CACHE_MEMORY_MB", 64) * 2**20)
    if config["BACKEND"] != _REDIS_BACKEND or budget <= 0:
        return None
    if not isinstance(config["LOCATION"], str) or any(s in config["LOCATION"] for s in ",;"):
        return None  # a primary with replicas: keep no copy rather than guess where to listen
    ident = (config["LOCATION"], budget)
    near = _near_caches.get(ident)
    if near is None:
        with _near_caches_lock:
            near = _near_caches.get(ident)
            if near is None:
                location = config["LOCATION"]
                near = _near_caches[ident] = NearCache(
                    client=lambda: redis_client(location),
                    channel=_DROPPED_CHANNEL,
                    max_bytes=budget,
                    max_age=_NEAR_MAX_AGE,
                )
    return near


def near_caches_close() -> None:
    """Stop every process copy's listener (tests that switch cache settings)."""
    with _near_caches_lock:
        for near in _near_caches.values():
            near.close()
        _near_caches.clear()


def near_forget(keys: list[str]) -> None:
    """Announce that ``keys`` changed in the shared cache: every process drops its copy."""
    near = near_cache()
    if near is not None:
        near.forget(keys)


def near_through(
    key: str, fetch: Callable[[], Any], *, size: int, max_age: float | None = None
) -> Any:
    """``key``'s value from the process's copy, else ``fetch()``'s (then kept there).

    ``fetch`` reads (or makes) the value in the shared cache; None is not kept.
    """
    near = near_cache()
    value = near.get(key) if near is not None else None
    if value is not None:
        return value
    ticket = near.generation() if near is not None else 0
    value = fetch()
    if near is not None and value is not None:
        near.put(key, value, size=size, generation=ticket, max_age=max_age)
    return value


def shared_version(key: str) -> str | None:
    """The version token under ``key``: the same in every process, made by the first to
    ask, kept in the process's copy; None when the cache is down (then nothing that
    depends on it should be reused)."""

    def fetch() -> str | None:
        version = cache_get(key)
        if version is None:
            cache_add(key, uuid.uuid4().hex, timeout=None)
            version = cache_get(key)  # whichever process's came first
        return version

    return near_through(key, fetch, size=32)


def shared_version_bump(key: str) -> None:
    """A new version under ``key``, for every process at once (its copy is dropped)."""
    cache_set(key, uuid.uuid4().hex, timeout=None)
    near_forget([key])
