"""``/api/v1/`` (the API), ``/api/schema/`` (OpenAPI 3) and ``/api/docs/`` (Swagger UI)."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from cases.api import ical, views

app_name = "api"

urlpatterns = [
    path("v1/cases/", views.CaseListView.as_view(), name="case-list"),
    path("v1/cases/<str:reference>/", views.CaseDetailView.as_view(), name="case-detail"),
    path(
        "v1/cases/<str:reference>/transitions/<str:name>/",
        views.CaseTransitionView.as_view(),
        name="case-transition",
    ),
    path("v1/events/", views.EventListView.as_view(), name="event-list"),
    path("v1/documents/", views.DocumentListView.as_view(), name="document-list"),
    path(
        "v1/documents/<int:pk>/download/",
        views.DocumentDownloadView.as_view(),
        name="document-download",
    ),
    path(
        "v1/notices/<int:pk>/download/",
        views.NoticeDownloadView.as_view(),
        name="notice-download",
    ),
    path("v1/entities/", views.EntityListView.as_view(), name="entity-list"),
    path("v1/entities/<int:pk>/", views.EntityDetailView.as_view(), name="entity-detail"),
    path("v1/dashboard/", views.DashboardView.as_view(), name="dashboard"),
    path("v1/calendar-feeds/", views.CalendarFeedResetView.as_view(), name="calendar-feed-reset"),
    path("calendar/<str:token>.ics", ical.calendar_feed, name="calendar-feed"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
]
