"""Writes to centers: their details as staff edit them."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from cases.actors import Actor
from cases.models import Center
from cases.services.transitions import check_permission


@transaction.atomic
def center_update(*, center: Center, actor: Actor, data: dict[str, Any]) -> Center:
    """Change a center's details (field name → value); returns the saved center.

    Its name, contact details and benchmarks are on every one of its cases' status
    pages: the center's version moves with the edit, so no page kept before is served
    again.
    """
    locked = Center.objects.select_for_update().get(pk=center.pk)
    check_permission(
        actor, "cases.change_center", locked, _("You are not allowed to change this center.")
    )
    for name, value in data.items():
        setattr(locked, name, value)
    locked.status_version = F("status_version") + 1
    locked.save(update_fields=[*data, "status_version"])
    locked.refresh_from_db(fields=["status_version"])
    return locked
