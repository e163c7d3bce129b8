"""The interface language: Simplified Chinese unless the user chose English.

Django's LocaleMiddleware would follow the browser's Accept-Language header, so a staff
member whose browser happens to be set to English would get English without asking.
Here only an explicit choice counts: the language cookie set by the switch in the
header (Django's ``set_language`` view); otherwise ``LANGUAGE_CODE``.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ChosenLanguageMiddleware(LocaleMiddleware):
    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        try:
            language = translation.get_supported_language_variant(chosen) if chosen else None
        except LookupError:
            language = None
        translation.activate(language or settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()
