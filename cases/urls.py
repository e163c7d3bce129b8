"""Public and manager pages of the cases app (the staff UI is the admin)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

app_name = "cases"

urlpatterns: list[URLPattern | URLResolver] = [
    # Each page family keeps its routes next to its views.
]
