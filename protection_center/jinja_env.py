"""The Jinja2 environment of the applicant's public pages (``templates/jinja2/``).

The status page is the hottest page of the site and is rendered afresh for each case's
first view of the day; Jinja2 compiles a template to Python once, where Django's engine
walks its nodes on every render (about a millisecond for this page). The admin, the
dashboard and the e-mails stay on Django templates.

What the templates get besides their context (Django's Jinja2 backend adds ``request``,
``csrf_input`` and ``csrf_token``):

- ``_``/``gettext``/``ngettext``: Django's translations (``makemessages`` finds
  ``{{ _("…") }}``; sentences with values in them are made in Python). Rendered with a
  request, ``_`` and ``gettext`` are the active language's catalog itself
  (``translations``, a context processor): a page has dozens of them, and Django's
  ``gettext`` looks the active language up again on each call;
- ``url(name, *args)``, ``static(path)``, ``get_language()``, ``languages``;
- filters ``date`` (the active language's ``DATE_FORMAT``), ``linebreaksbr``,
  ``urlencode`` and ``cut``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.template.defaultfilters import cut, linebreaksbr, urlencode
from django.templatetags.static import static
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import trans_real
from jinja2 import Environment


@lru_cache(maxsize=8192)
def _date_in(value: date, language: str) -> str:
    with translation.override(language):
        return formats.date_format(value, "DATE_FORMAT")


def date_format(value: date | None) -> str:
    """The day as the active language writes it (``DATE_FORMAT``), remembered per day.

    A time is shown as its local day, as Django's ``date`` filter does.
    """
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return _date_in(value, translation.get_language())


def url(name: str, *args: Any, **kwargs: Any) -> str:
    return reverse(name, args=args or None, kwargs=kwargs or None)


def translations(request: HttpRequest) -> dict[str, Callable[[str], str]]:
    """``_`` and ``gettext`` bound to the catalog of the language active for this page."""
    if not settings.USE_I18N:
        return {}
    gettext = trans_real.catalog().gettext
    return {"_": gettext, "gettext": gettext}


def environment(**options: Any) -> Environment:
    env = Environment(**options)
    env.globals.update(
        _=translation.gettext,
        gettext=translation.gettext,
        ngettext=translation.ngettext,
        url=url,
        static=static,
        get_language=translation.get_language,
        languages=settings.LANGUAGES,
    )
    env.filters.update(
        date=date_format,
        linebreaksbr=linebreaksbr,
        urlencode=urlencode,
        cut=cut,
    )
    return env
