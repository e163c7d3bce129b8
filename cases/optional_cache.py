"""Django's cache for callers that can do without it.

The cache (Redis in production) only saves work for these callers: the kept status
pages, the turnaround figures, the lookups' rate limits. When its server is unreachable
a read is a miss and a write is skipped, with a warning in the log, so transitions and
the status page go on working, more slowly, until it is back. Nothing is ever dropped
from it: what is kept is keyed on the versions it was made from.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.cache import cache

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
