"""The WSGI application (``gunicorn protection_center.wsgi:application``).

Each web process loads what its requests need (the URLs, both languages' translations,
the public templates) before the first one, then moves everything loaded so far out of
the garbage collector's sight (``gc.freeze``): these objects live as long as the process,
and a full collection walking them all took tens of milliseconds, landing on whichever
request triggered it.
"""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "protection_center.settings")
application = get_wsgi_application()


def _load_what_requests_need() -> None:
    from django.conf import settings
    from django.template import engines
    from django.urls import reverse
    from django.utils import translation

    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            reverse("cases:status_lookup")
    for name in ("page", "lookup", "not_found", "rate_limited"):
        engines["jinja2"].get_template(f"cases/status/{name}.html")


_load_what_requests_need()
gc.freeze()
