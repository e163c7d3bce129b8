"""Public and manager pages of the cases app (the staff UI is the admin)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from cases.views import dashboard, language, status

app_name = "cases"

urlpatterns: list[URLPattern | URLResolver] = [
    # Each page family keeps its routes next to its views; the status page, the most
    # requested, comes first.
    *status.urlpatterns,
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("dashboard/export.csv", dashboard.dashboard_export_csv, name="dashboard_export_csv"),
    path("dashboard/export.xlsx", dashboard.dashboard_export_xlsx, name="dashboard_export_xlsx"),
    *language.urlpatterns,
]
