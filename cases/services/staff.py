"""Staff members' own settings."""

from __future__ import annotations

from django.conf import settings

from cases.models import StaffProfile


def staff_language_set(*, user_id: int, language: str) -> None:
    """Make ``language`` the staff member's profile language: their interface at each
    login and the language of their e-mails. Nothing happens for a user without a staff
    profile or for a language the app does not speak."""
    if language not in dict(settings.LANGUAGES):
        return
    StaffProfile.objects.filter(user_id=user_id).exclude(language=language).update(
        language=language
    )
