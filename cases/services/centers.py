"""Writes to centers: their details as staff edit them."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F

from cases.models import Center


@transaction.atomic
def center_update(*, center: Center, data: dict[str, Any]) -> Center:
    """Change a center's details (field name → value); returns the saved center.

    Its name, contact details and benchmarks are on every one of its cases' status
    pages: the center's version moves with the edit, so no page kept before is served
    again.
    """
    locked = Center.objects.select_for_update().get(pk=center.pk)
    for name, value in data.items():
        setattr(locked, name, value)
    locked.status_version = F("status_version") + 1
    locked.save(update_fields=[*data, "status_version"])
    locked.refresh_from_db(fields=["status_version"])
    return locked
