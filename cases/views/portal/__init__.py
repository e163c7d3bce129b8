"""The applicants' portal: views of portal users (never staff), each reading through
``cases.selectors.portal`` and writing through the services with ``Actor.portal``."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cases.actors import Actor
from cases.permissions import portal_account_of


def portal_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page for a logged-in portal user; staff are sent to the admin, others to log in."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path(), "account_login")
        if user.is_staff or user.is_superuser or portal_account_of(user) is None:
            return render(request, "cases/portal/staff.html", status=403)
        request.portal_account = portal_account_of(user)
        request.actor = Actor.portal(user)
        response = view(request, *args, **kwargs)
        response.headers.setdefault("Cache-Control", "private, no-store")
        return response

    return wrapper
