"""A web process's own copy of entries of the shared cache, kept coherent by Redis pub/sub.

Reading an entry from Redis costs a round trip and the client's Python work: for a
status page served from the cache, about as much as the rest of the request. So a
process can keep the entries it served last in its own memory, within a byte budget,
and serve them from there, as long as it hears every drop of an entry:

- a writer drops an entry with ``forget``: from its own copy at once, then it announces
  the keys on a Redis channel (after the shared cache has deleted them);
- each process holds a subscription to that channel in a listener thread and drops the
  announced keys from its copy;
- the copy is used only while the subscription is live. When the connection breaks, or
  the server stops answering the listener's pings, the copy is emptied and left unused
  until the listener has subscribed again, so announcements missed in between leave
  nothing stale behind;
- a read from the shared cache that began before an announcement was heard is not kept
  (a generation counter), so an entry read just before its drop does not outlive it.

What remains is the time an announcement takes to reach the other processes (well under
a millisecond on one host). Entries also expire after ``max_age`` seconds, as they do in
the shared cache.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

logger = logging.getLogger(__name__)

# Per-entry bookkeeping beyond the caller's own size figure (key, tuple, dict slot).
_ENTRY_OVERHEAD = 200


# An entry: (value, size, expires_at). A plain tuple, so that one holding only strings,
# bytes and numbers (or plain tuples of them, as a kept status page) is untracked by the
# garbage collector after its first pass: a full copy costs collections nothing.
_Entry = tuple[Any, int, float]
_VALUE, _SIZE, _EXPIRES_AT = range(3)


class NearCache:
    """Entries of the shared cache kept in this process while it hears every drop.

    ``client`` returns the ``redis.Redis`` client to subscribe and publish with. Every
    method is safe to call from several threads; a forked process starts with an empty
    copy and its own listener.
    """

    def __init__(
        self,
        *,
        client: Callable[[], Any],
        channel: str,
        max_bytes: int,
        max_age: float,
        ping_seconds: float = 5.0,
    ) -> None:
        self._client = client
        self._channel = channel
        self._max_bytes = max_bytes
        self._max_age = max_age
        self._ping_seconds = ping_seconds
        self._closed = threading.Event()
        self._reset()
        # A forked child (a web server's worker) starts with nothing and its own listener.
        os.register_at_fork(after_in_child=self._reset)

    def _reset(self) -> None:
        # Announcements carry their sender: a process has applied its own already.
        self._origin = uuid.uuid4().hex
        self._lock = threading.Lock()
        self._start_lock = threading.Lock()
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._bytes = 0
        self._generation = 0
        self._live = False
        self._listener: threading.Thread | None = None

    def _ensure_listener(self) -> None:
        if self._listener is not None:
            return
        with self._start_lock:
            if self._listener is None:
                listener = threading.Thread(target=self._listen, name="near-cache", daemon=True)
                listener.start()
                self._listener = listener

    # Reading and keeping

    @property
    def live(self) -> bool:
        self._ensure_listener()
        return self._live

    def generation(self) -> int:
        """A ticket to pass to ``put`` for a value about to be read from the shared cache."""
        self._ensure_listener()
        return self._generation

    def get(self, key: str) -> Any:
        """The kept value, or None (nothing kept, expired, or not listening)."""
        self._ensure_listener()
        if not self._live:
            return None
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry[_EXPIRES_AT] <= time.monotonic():
                self._drop(key)
                return None
            self._entries.move_to_end(key)
            return entry[_VALUE]

    def put(
        self, key: str, value: Any, *, size: int, generation: int, max_age: float | None = None
    ) -> bool:
        """Keep ``value`` unless a drop was heard since ``generation`` was taken.

        ``size`` is the value's size in bytes, as near as the caller knows; ``max_age``
        (at most the cache's own) is how long it may be served, as in the shared cache.
        """
        self._ensure_listener()
        size += _ENTRY_OVERHEAD
        age = self._max_age if max_age is None else min(max_age, self._max_age)
        with self._lock:
            if not self._live or generation != self._generation or size > self._max_bytes:
                return False
            self._drop(key)
            self._entries[key] = (value, size, time.monotonic() + age)
            self._bytes += size
            while self._bytes > self._max_bytes:
                self._drop(next(iter(self._entries)))
            return True

    def forget(self, keys: list[str]) -> bool:
        """Drop ``keys`` here and announce it to every process (after the shared delete).

        A failed announcement is logged and answered False, not raised: the caller's
        change is committed.
        """
        self._heard(keys)
        try:
            self._client().publish(self._channel, "\n".join([self._origin, *keys]))
        except Exception as error:
            logger.warning("Could not announce the drop of %s (%s).", ", ".join(keys), error)
            return False
        return True

    def _drop(self, key: str) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            self._bytes -= entry[_SIZE]

    def _heard(self, keys: list[str]) -> None:
        with self._lock:
            self._generation += 1
            for key in keys:
                self._drop(key)

    def _stop_using(self) -> None:
        with self._lock:
            self._live = False
            self._generation += 1
            self._entries.clear()
            self._bytes = 0

    # Listening

    def close(self) -> None:
        """Stop the listener (tests); the copy is no longer used."""
        self._closed.set()
        self._stop_using()

    def _listen(self) -> None:
        retry = 0.1
        while not self._closed.is_set():
            pubsub = None
            try:
                pubsub = self._client().pubsub()
                pubsub.subscribe(self._channel)
                self._serve(pubsub)
            except Exception as error:
                if self._live or retry == 0.1:
                    logger.warning(
                        "Near cache: lost the subscription to %s (%s); not using it.",
                        self._channel,
                        error,
                    )
                self._stop_using()
                self._closed.wait(retry)
                retry = min(retry * 2, 5.0)
            else:
                retry = 0.1
            finally:
                self._stop_using()
                if pubsub is not None:
                    try:
                        pubsub.close()
                    except Exception:
                        pass

    def _serve(self, pubsub: Any) -> None:
        heard_at = pinged_at = time.monotonic()
        while not self._closed.is_set():
            message = pubsub.get_message(timeout=min(1.0, self._ping_seconds))
            now = time.monotonic()
            if message is not None:
                heard_at = now
                kind = message["type"]
                if kind == "subscribe":
                    # Nothing kept from before can be trusted: start empty, then use.
                    with self._lock:
                        self._entries.clear()
                        self._bytes = 0
                        self._generation += 1
                        self._live = True
                elif kind == "message":
                    data = message["data"]
                    origin, *keys = (data.decode() if isinstance(data, bytes) else data).split("\n")
                    if origin != self._origin:
                        self._heard(keys)
            if now - pinged_at >= self._ping_seconds:
                pubsub.ping()
                pinged_at = now
            if now - heard_at > 3 * self._ping_seconds:
                raise ConnectionError(f"no answer to pings for {now - heard_at:.0f} s")


_clients: dict[str, Any] = {}
_clients_lock = threading.Lock()


def redis_client(url: str) -> Any:
    """One ``redis.Redis`` per URL and process, for announcing and listening."""
    client = _clients.get(url)
    if client is None:
        import redis

        with _clients_lock:
            client = _clients.setdefault(url, redis.Redis.from_url(url))
    return client
