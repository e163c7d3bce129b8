"""The admin's landing page is the user's queue: examiners and intake clerks land on
what waits on them, managers on their center's overdue and at-risk cases. ``?apps=1``
(linked from the queue) opens Django's own index of everything the user may see."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from cases.admin.filters import QueueFilter
from cases.permissions import user_center_id
from cases.selectors.queue import is_manager


def queue_url(user: Any) -> str | None:
    """Where ``user`` lands: their queue, or None (no center: a superuser's index)."""
    if user_center_id(user) is None:
        return None
    which = QueueFilter.WATCH if is_manager(user) else QueueFilter.MINE
    return f"{reverse('admin:cases_case_changelist')}?{QueueFilter.parameter_name}={which}"


def landing(index: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wrap the admin site's index view: redirect to the queue unless ``?apps``."""

    @wraps(index)
    def view(request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        if request.method == "GET" and "apps" not in request.GET:
            url = queue_url(request.user)
            if url is not None:
                return HttpResponseRedirect(url)
        return index(request, extra_context)

    return view
