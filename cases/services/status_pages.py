"""Rendered status pages, kept per case and language for the day.

The public status page is read far more often than a case changes, and reading and
rendering it costs many times what serving bytes does. So the page is kept, gzip-
compressed (browsers get these bytes as they are), under
``pc:status-page:<case id>:<language>`` with:

- the local day it was rendered for (days left and days so far count from today: a page
  from yesterday is never served);
- the fingerprint of the case's access code at the time, which a link must match (a
  link revoked by a code reset never gets the page);
- the version of the details that are not the case's own (centers' contact details and
  benchmarks, applicants' names), taken before reading: an edit to any of them
  (``status_pages_details_changed``) retires every page kept before it;
- the page: the same bytes for every visitor (the page has no form, so no CSRF token;
  its language switch is a link).

Pages are kept in Django's cache (shared by every process with ``CACHE_URL``, Redis) and,
with Redis, also in each web process's memory (``CACHE_MEMORY_MB``): a page viewed
again is then served without a round trip to Redis. That copy is kept coherent by Redis
pub/sub (``cases.optional_cache.near_cache``).

Every service that changes what the page shows (each case event, a code reset, a
deadline refresh) calls ``status_pages_forget`` inside its transaction: the pages are
dropped from Redis and from every process's memory once it commits (and, if Redis cannot
be reached then, as soon as it can: ``optional_cache.drop_everywhere``). With the local
per-process cache of the embedded run, other processes may serve a page until
``STATUS_PAGE_CACHE_SECONDS`` have passed. The turnaround estimates, figures kept for
an hour, show as they are when a page is rendered. ``STATUS_PAGE_CACHE_SECONDS=0`` turns
keeping off.

The cache only saves work: when it fails (Redis down), pages are rendered as without it.
"""

from __future__ import annotations

import gzip
import hmac
from collections.abc import Callable
from datetime import date

from django.conf import settings
from django.db import transaction

from cases.optional_cache import (
    cache_get,
    cache_set,
    drop_everywhere,
    near_cache,
    shared_version,
    shared_version_bump,
)

_KEY = "pc:status-page:{case_id}:{language}"


_DETAILS_VERSION_KEY = "pc:status-pages:details-version"

# A kept page: (day, fingerprint, details version, body), the body being the HTML, UTF-8,
# gzip-compressed. A plain tuple of strings and bytes, which the garbage collector stops
# tracking: each process keeps thousands, and a full collection would walk them all.
CachedPage = tuple[str, str, str, bytes]


def compress(html: str) -> bytes:
    # Level 6 (zlib's default): a tenth of a millisecond once per kept page, a quarter of
    # the bytes for every view of it.
    return gzip.compress(html.encode(), compresslevel=6, mtime=0)


def _timeout() -> int:
    return int(getattr(settings, "STATUS_PAGE_CACHE_SECONDS", 900))


def _key(case_id: int, language: str) -> str:
    return _KEY.format(case_id=case_id, language=language)


def status_pages_details_changed() -> None:
    """A center's contact details or benchmarks, or an applicant's name, have changed:
    no page kept before is served again, in any process. Call once the edit commits."""
    shared_version_bump(_DETAILS_VERSION_KEY)


def _body_served(page: object, *, day: str, fingerprint: str, details: str) -> bytes | None:
    """The kept page's body if it is for this day, this link's code and these details."""
    if type(page) is tuple and len(page) == 4:
        kept_day, kept_fingerprint, kept_details, body = page
        if (
            kept_day == day
            and kept_details == details
            and hmac.compare_digest(kept_fingerprint, fingerprint)
        ):
            return body
    return None


def status_page_body(
    *, case_id: int, language: str, today: date, fingerprint: str, render: Callable[[], str]
) -> bytes:
    """The case's page, gzip-compressed: the kept one, or ``render()``'s, then kept.

    A page is served only for its day and to a link with its code's ``fingerprint``;
    ``render`` checks the link against the database (and raises when it does not match),
    so what it returns is kept under the link's fingerprint.
    """
    timeout = _timeout()
    if timeout <= 0:
        return compress(render())
    # Taken before the case is read: a page read while details changed is never served.
    details = shared_version(_DETAILS_VERSION_KEY)
    if details is None:  # the cache is down
        return compress(render())
    served = {"day": today.isoformat(), "fingerprint": fingerprint, "details": details}
    key = _key(case_id, language)
    near = near_cache()
    ticket = 0
    if near is not None:
        ticket = near.generation()
        body = _body_served(near.get(key), **served)
        if body is not None:
            return body
    page = cache_get(key)
    body = _body_served(page, **served)
    if body is not None:
        if near is not None:
            near.put(key, page, size=len(body), generation=ticket, max_age=timeout)
        return body
    body = compress(render())
    # A drop heard since this began may be of this very page, read before the change
    # committed: serve it this once, keep nothing.
    if near is None or near.generation() == ticket:
        page: CachedPage = (served["day"], fingerprint, details, body)
        cache_set(key, page, timeout=timeout)
        if near is not None:
            near.put(key, page, size=len(body), generation=ticket, max_age=timeout)
    return body


def status_pages_forget(*, case_id: int) -> None:
    """Drop the case's kept pages everywhere once the current transaction commits."""
    keys = [_key(case_id, language) for language, _name in settings.LANGUAGES]

    transaction.on_commit(lambda: drop_everywhere(keys))
