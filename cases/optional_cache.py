"""Django's cache for callers that can do without it.

The cache (Redis in production) only saves work for these callers: the calendar's
version, the turnaround figures, the kept status pages. When its server is unreachable a
read is a miss and a write is skipped, with a warning in the log, so transitions and
the status page go on working, more slowly, until it is back.

With Redis, these callers also keep what they read in the process's own memory
(``near_cache``, within ``CACHE_MEMORY_MB``), dropped everywhere by ``drop_everywhere``.

A drop that cannot be made (the cache unreachable when a change commits) is owed: the
process retries it from a thread until it is made, for as long as what it drops could
still be served. Otherwise an entry would outlive the change it should have gone with
whenever the cache comes back with its data (Redis with persistence, or a network
failure between this process and the cache).
"""

from __future__ import annotations

import logging
import threading
import time
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


def cache_get_many(keys: list[str]) -> dict[str, Any]:
    try:
        return cache.get_many(keys)
    except Exception as error:
        _failed("read", ", ".join(keys), error)
        return {}


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


def drop_everywhere(keys: list[str]) -> None:
    """Drop ``keys`` from the shared cache and from every process's copy. What cannot be
    dropped now (the cache unreachable) is owed, and dropped as soon as it can be."""
    if not _drop(keys):
        _owed.owe(keys)


def _drop(keys: list[str]) -> bool:
    """Drop ``keys`` from the shared cache, then announce it; True when both were made."""
    try:
        cache.delete_many(keys)
    except Exception as error:
        _failed("delete", ", ".join(keys), error)
        dropped = False
    else:
        dropped = True
    near = near_cache()
    if near is not None:
        # Even when the delete failed: this process stops using its copy at once.
        dropped = near.forget(keys) and dropped
    return dropped


class _OwedDrops:
    """Drops not yet made, retried from a thread (started when one is owed) until made.

    A drop is owed for ``for_seconds``: by then what it drops has expired by itself.
    """

    def __init__(self, *, for_seconds: float, first_wait: float = 0.2, most_wait: float = 5.0):
        self.for_seconds = for_seconds
        self._first_wait = first_wait
        self._most_wait = most_wait
        self._lock = threading.Lock()
        self._since: dict[str, float] = {}
        self._thread: threading.Thread | None = None

    def keys(self) -> list[str]:
        with self._lock:
            return list(self._since)

    def clear(self) -> None:
        """Owe nothing any more (tests that change the cache between them)."""
        with self._lock:
            self._since.clear()

    def owe(self, keys: list[str]) -> None:
        now = time.monotonic()
        with self._lock:
            for key in keys:
                self._since.setdefault(key, now)
            # is_alive, not None: a forked process has its parent's Thread, not running.
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._retry, name="owed-drops", daemon=True)
                self._thread.start()

    def _retry(self) -> None:
        wait = self._first_wait
        while True:
            time.sleep(wait)
            wait = min(wait * 2, self._most_wait)
            now = time.monotonic()
            with self._lock:
                for key, since in list(self._since.items()):
                    if now - since > self.for_seconds:
                        logger.warning("Gave up dropping %s: it has expired by now.", key)
                        del self._since[key]
                keys = list(self._since)
                if not keys:
                    self._thread = None
                    return
            if _drop(keys):
                logger.info("Dropped %s, owed since the cache was unreachable.", ", ".join(keys))
                with self._lock:
                    for key in keys:
                        if self._since.get(key, now + 1) <= now:
                            del self._since[key]
                wait = self._first_wait


# Nothing is kept longer than a kept status page's time; versions (kept forever) only
# matter for what was kept under them.
_owed = _OwedDrops(for_seconds=_NEAR_MAX_AGE)


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
    """A new version under ``key``, for every process at once: the version is dropped
    everywhere, and the next to ask makes a new one."""
    drop_everywhere([key])
