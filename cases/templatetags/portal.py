"""Template helpers of the portal pages: the center to show in the footer."""

from __future__ import annotations

from typing import Any

from django import template

from cases.models import Center
from cases.permissions import portal_account_of

register = template.Library()


@register.simple_tag(takes_context=True)
def portal_centers(context: Any) -> list[Center]:
    """The centers whose name and contact the page shows: the user's entity's center,
    or, for agencies and visitors, every center of the deployment (usually one)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        account = portal_account_of(user)
        if account is not None and account.entity_id is not None:
            return [account.entity.center]
    return list(Center.objects.all()[:5])
