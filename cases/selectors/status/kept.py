"""Rendered status pages, kept in Django's cache under the versions of what they show.

A page shows a case, its center (name, contact details, benchmarks), its applicant's
name and the holiday calendar (days left, rules). Each has a version in the database:
``Case.status_version``, raised by ``services.status_pages.status_pages_forget`` in the
transaction of every change the services make to what the page shows (each case event,
a code reset, a deadline refresh); ``Center.status_version`` and ``Entity.status_version``, raised by
their edits (``services.center_update``, ``services.entity_update``); and the calendar's
(``cases.calendar``). The page's first query reads all four with the case
(``cases.selectors.status.status_case``), and a page is kept under a key made of them,
the language and the day (days left count from today).

So a kept page is found only by a view that read the same versions, and a page rendered
from data read before a change lands under the old versions' key, which nobody reads
once the change has committed: nothing is ever dropped, and a page is never stale, in
any process, whatever the cache (Redis shared by all processes, or each process's own
memory). A page read again costs that one query and one cache read.

The turnaround estimates, figures kept for an hour, show as they were when a page was
rendered. ``STATUS_PAGE_CACHE_SECONDS`` (default 900) is how long a page is kept; 0
turns keeping off. When the cache fails (Redis down) pages are rendered each time, with
a warning in the log (``cases.optional_cache``).
"""

from __future__ import annotations

from datetime import date

from django.conf import settings

from cases.optional_cache import cache_get, cache_set
from cases.selectors.status.reading import CaseRow


def status_page_key(*, case: CaseRow, language: str, today: date) -> str:
    versions = f"{case.status_version}.{case.center_version}.{case.entity_version}"
    return f"pc:status-page:{case.id}:{versions}.{case.calendar_version}:{language}:{today}"


def _timeout() -> int:
    return int(getattr(settings, "STATUS_PAGE_CACHE_SECONDS", 900))


def status_page_kept(key: str) -> str | None:
    """The page kept under ``key``, if any."""
    if _timeout() <= 0:
        return None
    return cache_get(key)


def status_page_keep(key: str, html: str) -> None:
    timeout = _timeout()
    if timeout > 0:
        cache_set(key, html, timeout=timeout)
