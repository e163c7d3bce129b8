"""The status page's version of a case: raised by every change to what the page shows.

A kept page is keyed on the versions it was rendered from (``cases.selectors.status.
kept``), so raising the case's version in the change's transaction is all it takes for
no page read before the change to be served after it.
"""

from __future__ import annotations

from django.db.models import F

from cases.models import Case


def status_pages_forget(*, case_id: int) -> None:
    """What the case's status page shows has changed in the current transaction: its
    kept pages are not served again once it commits (a new version of the case)."""
    Case.objects.filter(pk=case_id).update(status_version=F("status_version") + 1)
