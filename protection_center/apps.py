"""The project's own configuration of Django's static files app."""

from __future__ import annotations

from django.contrib.staticfiles.apps import StaticFilesConfig


class ProjectStaticFilesConfig(StaticFilesConfig):
    # The API docs are Swagger UI (drf-spectacular-sidecar); the sidecar also ships
    # Redoc (4.8 MB, source map included), which we do not serve: collecting it
    # doubled the production build's time (every file is compressed twice).
    ignore_patterns = [*StaticFilesConfig.ignore_patterns, "drf_spectacular_sidecar/redoc/*"]
