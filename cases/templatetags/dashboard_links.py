"""The admin header's link to the manager dashboard, for the users the dashboard admits."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from cases.views.dashboard import may_view_dashboard

register = template.Library()


@register.simple_tag(takes_context=True)
def dashboard_url(context: template.Context) -> str:
    """The dashboard's URL if the request's user may open it, else ""."""
    request: Any = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not may_view_dashboard(user):
        return ""
    return reverse("cases:dashboard")
