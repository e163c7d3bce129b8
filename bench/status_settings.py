"""Settings for ``bench/status.py``: production settings plus a framework-floor view.

Everything else comes from the environment exactly as in production (DJANGO_ENV,
DJANGO_SECRET_KEY, DATABASE_URL, CACHE_URL).
"""

import os

from protection_center.settings import *  # noqa: F403

ROOT_URLCONF = "bench.status_urls"
# collectstatic writes here before the run (the production manifest storage needs it).
STATIC_ROOT = os.environ.get("BENCH_STATIC_ROOT", "/tmp/bench-status-static")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
