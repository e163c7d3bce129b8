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


def staff_label(user: Any) -> str:
    """``陈立新 (sh_examiner1)``: the name, and the username that tells two 陈立新 apart.

    Just the username for a staff member without a name.
    """
    if user is None:
        return ""
    name, username = staff_display_name(user), user.get_username()
    return name if name == username else f"{name} ({username})"
