from __future__ import annotations

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from cases.views.health import healthz

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("", include("cases.urls")),
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
]
