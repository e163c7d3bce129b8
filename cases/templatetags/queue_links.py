"""The admin header's queue links with their counts (one query per page)."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from cases.permissions import user_center_id
from cases.selectors.queue import is_manager, queue_counts

register = template.Library()


@register.inclusion_tag("admin/cases/_queue_links.html", takes_context=True)
def queue_links(context: template.Context) -> dict[str, Any]:
    request: Any = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user_center_id(user) is None:
        return {"counts": None}
    changelist = reverse("admin:cases_case_changelist")
    return {
        "counts": queue_counts(user),
        "manager": is_manager(user),
        "mine_url": f"{changelist}?queue=mine",
        "watch_url": f"{changelist}?queue=watch",
        "overdue_url": f"{changelist}?queue=watch&deadline=overdue",
        "at_risk_url": f"{changelist}?queue=watch&deadline=at_risk",
    }
