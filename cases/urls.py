"""Public and manager pages of the cases app (the staff UI is the admin)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from cases.views import dashboard, language, status

app_name = "cases"

urlpatterns: list[URLPattern | URLResolver] = [
    # The status page first: the most requested, and each pattern tried before it costs
    # every one of its requests.
    path("status/", status.status_lookup, name="status_lookup"),
    path("status/c/<str:token>/", status.status_page, name="status_page"),
    path(
        "status/c/<str:token>/notices/<int:notice_id>/",
        status.status_notice,
        name="status_notice",
    ),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("dashboard/export.csv", dashboard.dashboard_export_csv, name="dashboard_export_csv"),
    path("dashboard/export.xlsx", dashboard.dashboard_export_xlsx, name="dashboard_export_xlsx"),
    path("language/<str:code>/", language.language_switch, name="language_switch"),
]
