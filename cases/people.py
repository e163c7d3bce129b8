"""How staff names are written: Chinese names family name first, without a space."""

from __future__ import annotations

import unicodedata
from typing import Any


def _is_cjk(text: str) -> bool:
    return any(unicodedata.name(ch, "").startswith("CJK UNIFIED IDEOGRAPH") for ch in text)


def person_name(first: str | None, last: str | None, username: str | None = "") -> str:
    """``陈立新`` for first "立新" and last "陈"; ``Ann Lee`` for Latin names; else the username."""
    first, last = (first or "").strip(), (last or "").strip()
    if _is_cjk(first + last):
        return f"{last}{first}"
    return f"{first} {last}".strip() or (username or "")


def staff_display_name(user: Any) -> str:
    if user is None:
        return ""
    return person_name(user.first_name, user.last_name, user.get_username())
