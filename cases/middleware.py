"""The interface language: Simplified Chinese unless the user chose English.

Django's LocaleMiddleware would follow the browser's Accept-Language header, so a staff
member whose browser happens to be set to English would get English without asking.
Here only an explicit choice counts: the language cookie set by the switch in the
header (Django's ``set_language`` view); otherwise ``LANGUAGE_CODE``. A staff member's
profile language is such a choice: it becomes the cookie when they log in
(``remember_staff_language``), and a logged-in staff member's switch also changes their
profile (``keep_staff_choice``), so the next login and their e-mails follow it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

from cases.models import StaffProfile
from cases.services.staff import staff_language_set
from cases.views.language import remember_language


class ChosenLanguageMiddleware(LocaleMiddleware):
    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        try:
            language = translation.get_supported_language_variant(chosen) if chosen else None
        except LookupError:
            language = None
        translation.activate(language or settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        response = super().process_response(request, response)
        language = getattr(request, "language_at_login", None)
        if language:
            remember_language(response, language)
        else:
            keep_staff_choice(request, response)
        return response


def keep_staff_choice(request: HttpRequest, response: HttpResponse) -> None:
    """A response that sets the language cookie is a switch (Django's ``set_language``
    form in the admin, the header link elsewhere): for a logged-in staff member it also
    becomes their profile language."""
    chosen = response.cookies.get(settings.LANGUAGE_COOKIE_NAME)
    if chosen is None or not chosen.value:
        return
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        staff_language_set(user_id=user.pk, language=chosen.value)


def remember_staff_language(
    sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any
) -> None:
    """On login (``user_logged_in``), take the language of the staff member's profile."""
    if request is None:
        return
    language = (
        StaffProfile.objects.filter(user_id=user.pk).values_list("language", flat=True).first()
    )
    if language:
        translation.activate(language)
        request.language_at_login = language
