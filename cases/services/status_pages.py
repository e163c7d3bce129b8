"""Rendered status pages, kept in Django's cache per case and language for the day.

The public status page is read far more often than a case changes, and reading and
rendering it costs many times what serving bytes does. So the view keeps the rendered
page under ``pc:status-page:<case id>:<language>`` with:

- the local day it was rendered for (days left and days so far count from today: a page
  from yesterday is never served);
- the fingerprint of the case's access code at the time, which a link must match (a
  link revoked by a code reset never gets the page);
- the HTML: the same bytes for every visitor (the page has no form, so no CSRF token;
  its language switch is a link).

Every service that changes what the page shows (each case event, a code reset, a
deadline refresh) calls ``status_pages_forget`` inside its transaction: the pages are
dropped once it commits. With a shared cache (``CACHE_URL``, Redis) every web process
sees that at once; with the local per-process cache of the embedded run, other processes
may serve a page until ``STATUS_PAGE_CACHE_SECONDS`` have passed. Things that do not
belong to one case (the center's contact details, the turnaround estimates) show within
that time too. ``STATUS_PAGE_CACHE_SECONDS=0`` turns the cache off.

The cache only saves work: when it fails (Redis down), pages are rendered as without it.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import transaction

from cases.optional_cache import cache_delete_many, cache_get, cache_set

_KEY = "pc:status-page:{case_id}:{language}"


@dataclass(frozen=True, slots=True)
class CachedPage:
    day: str
    fingerprint: str
    html: str


def _timeout() -> int:
    return int(getattr(settings, "STATUS_PAGE_CACHE_SECONDS", 900))


def _key(case_id: int, language: str) -> str:
    return _KEY.format(case_id=case_id, language=language)


def status_page_cached(*, case_id: int, language: str, today: date, fingerprint: str) -> str | None:
    """The stored page if it is today's and the link's fingerprint matches, else None."""
    if _timeout() <= 0:
        return None
    page = cache_get(_key(case_id, language))
    if not isinstance(page, CachedPage) or page.day != today.isoformat():
        return None
    if not hmac.compare_digest(page.fingerprint, fingerprint):
        return None
    return page.html


def status_page_store(
    *, case_id: int, language: str, today: date, fingerprint: str, html: str
) -> None:
    """Keep a page rendered for a valid link of the case (its current fingerprint)."""
    timeout = _timeout()
    if timeout <= 0:
        return
    page = CachedPage(day=today.isoformat(), fingerprint=fingerprint, html=html)
    cache_set(_key(case_id, language), page, timeout=timeout)


def status_pages_forget(*, case_id: int) -> None:
    """Drop the case's stored pages once the current transaction commits."""
    keys = [_key(case_id, language) for language, _name in settings.LANGUAGES]
    transaction.on_commit(lambda: cache_delete_many(keys))
