from __future__ import annotations

from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView, TemplateView

from cases.views.health import healthz

urlpatterns = [
    # The public pages first: the status page is the most requested, and each pattern
    # tried before it costs every one of its requests.
    path("", include("cases.urls")),
    path("healthz", healthz, name="healthz"),
    # The applicants' portal and its accounts (allauth); staff keep the admin.
    path("portal/accounts/", include("allauth.urls")),
    path("portal/", include("cases.views.portal.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", include("cases.api.urls")),
    # The front door: applicants to their status page, staff to the admin.
    path("", TemplateView.as_view(template_name="cases/home.html"), name="home"),
    path("favicon.ico", RedirectView.as_view(url=static("cases/favicon.svg"), permanent=True)),
]
