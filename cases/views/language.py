"""The public pages' language switch: a link that sets the language cookie.

A plain GET link rather than Django's ``set_language`` form, so that public pages carry
no CSRF token and a kept status page is the same bytes for everyone. Choosing a language
is harmless to do on someone's behalf; the staff admin keeps Django's form.
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


@never_cache
@require_safe
def language_switch(request: HttpRequest, code: str) -> HttpResponse:
    """Remember ``code`` in the language cookie and go back to ``next`` (this site only)."""
    if code not in dict(settings.LANGUAGES):
        raise Http404
    target = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    remember_language(response, code)
    return response


def remember_language(response: HttpResponse, code: str) -> None:
    """Set the language cookie, as Django's ``set_language`` does."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
