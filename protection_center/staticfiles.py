"""The project's static files finder: the apps' files, without what we do not serve."""

from __future__ import annotations

from typing import Any

from django.contrib.staticfiles import finders

# The API docs are Swagger UI (drf-spectacular-sidecar); the sidecar also ships Redoc
# (4.8 MB, source map included), which we do not serve: collecting it doubled the
# production build's time (every file is compressed twice).
NOT_SERVED = ["drf_spectacular_sidecar/redoc/*"]


class AppDirectoriesFinder(finders.AppDirectoriesFinder):
    def list(self, ignore_patterns: list[str] | None) -> Any:
        return super().list([*(ignore_patterns or []), *NOT_SERVED])
