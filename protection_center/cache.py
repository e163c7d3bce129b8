"""Django's Redis cache, with one Redis client per connection pool instead of per call.

Django's client builds a new ``redis.Redis`` object (and its table of response
callbacks) for every cache call: a read then takes about 240 µs instead of 70 µs, on a
status page viewed again about a tenth of its time. A ``redis.Redis`` object is safe to share
between threads: it takes a connection from its pool for each command.
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends import redis as django_redis


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server: Any, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient
