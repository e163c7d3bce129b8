"""The Jinja2 environment of the public pages (``templates/jinja2/``): the applicant's status pages.

The status page is the hottest page of the site and is rendered afresh for each case's
first view of the day; Jinja2 compiles a template to Python once, where Django's engine
walks its nodes on every render (about a millisecond for this page). The admin, the
dashboard and the e-mails stay on Django templates.

What the templates get besides their context (Django's Jinja2 backend adds ``request``,
``csrf_input`` and ``csrf_token``):

- ``_``/``gettext``/``ngettext``: Django's translations, new style (escaped, and
  ``%(name)s`` filled from keyword arguments); ``makemessages`` finds ``{{ _("…") }}``;
- ``url(name, *args)``, ``static(path)``, ``get_language()``, ``languages``;
- filters ``date`` (the active language's ``DATE_FORMAT``), ``linebreaksbr``,
  ``urlencode`` and ``cut``.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.template.defaultfilters import linebreaksbr, urlencode
from django.templatetags.static import static
from django.urls import reverse
from django.utils import formats, timezone, translation
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


def cut(value: Any, characters: str) -> str:
    return str(value).replace(characters, "")


def environment(**options: Any) -> Environment:
    env = Environment(extensions=["jinja2.ext.i18n"], **options)
    env.install_gettext_callables(  # type: ignore[attr-defined]
        translation.gettext, translation.ngettext, newstyle=True
    )
    env.globals.update(
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
