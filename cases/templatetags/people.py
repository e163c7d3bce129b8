"""Names of people in templates, written as everywhere else (``cases.people``)."""

from __future__ import annotations

from typing import Any

from django import template

from cases.people import staff_display_name

register = template.Library()


@register.filter
def person(user: Any) -> str:
    """``周海燕``: family name first, no space, for Chinese names; the username without one."""
    return staff_display_name(user)
