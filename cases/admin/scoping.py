"""The center boundary in the admin: staff see and pick only their own center's rows."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from cases.models import Center
from cases.permissions import user_center_id


def staff_center_id(request: HttpRequest) -> int | None:
    """The requesting staff member's center (None for superusers and users without one)."""
    if request.user.is_superuser:
        return None
    return user_center_id(request.user)


class CenterScopedAdmin(admin.ModelAdmin):
    """Rows of other centers are invisible (so their pages are 404); superusers see all.

    ``center_lookup`` is the path from the model to its center's id.
    """

    center_lookup = "center_id"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        center_id = user_center_id(request.user)
        if center_id is None:
            return queryset.none()
        return queryset.filter(self.center_filter(center_id))

    def center_filter(self, center_id: int) -> Q:
        """The rows of one center."""
        return Q(**{self.center_lookup: center_id})

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.related_model is Center and not request.user.is_superuser:
            center_id = user_center_id(request.user)
            kwargs["queryset"] = Center.objects.filter(pk=center_id)
            kwargs["initial"] = center_id
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_list_filter(self, request: HttpRequest) -> list[Any]:
        """Superusers also filter by center; staff only ever see one."""
        filters = list(super().get_list_filter(request))
        if request.user.is_superuser and self.center_lookup == "center_id":
            filters.append("center")
        return filters
