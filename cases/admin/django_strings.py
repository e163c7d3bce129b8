"""Django admin text that Django's own Simplified Chinese catalog leaves in English.

The project's catalog translates them (it takes precedence over Django's). They are
listed here so that ``makemessages`` finds them in the project's sources and keeps
their translations instead of marking them obsolete.
"""

from __future__ import annotations

from django.utils.translation import gettext_noop

# admin/app_list.html: the index's table headers, read out by screen readers.
APP_LIST_HEADERS = (
    gettext_noop("Model name"),
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
)
