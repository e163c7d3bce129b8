"""CNIPA application numbers: parse, validate, format.

Format (CNIPA standard ZC 0006-2003, used for applications filed since 1 October 2003)::

    YYYY T NNNNNNN . C        e.g. 202310123456.6

- ``YYYY``: the year the application was filed (or entered the national phase).
- ``T``: the type of application: 1 invention, 2 utility model, 3 design,
  8 PCT invention entering the Chinese national phase,
  9 PCT utility model entering the Chinese national phase.
- ``NNNNNNN``: a 7-digit serial number within the year and type.
- ``C``: a check digit over the 12 digits before the dot: each digit is multiplied
  by the weights 2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5, the products are summed and
  the sum is taken mod 11; a result of 10 is written ``X``.

The older format (before 2003: 2-digit year, 1 type digit, 5-digit serial, dot,
check digit, e.g. ``98123456.X``) is recognised only to say that it is not supported.

``parse_application_number`` accepts what people paste: a ``CN`` or ``ZL`` prefix
(any case, optionally followed by a colon), spaces anywhere, full-width characters
(normalised with NFKC), ``。`` for the dot, a lowercase ``x`` and a missing dot (then
the last of the 13 characters is the check digit). It returns an
``ApplicationNumber`` whose ``str()`` is the normalised form that a Case stores.
Anything else raises ``ApplicationNumberError`` (a ``ValueError``) whose message is
translated and written for the clerk who typed the number.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext as _

WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)
FIRST_YEAR = 2003


class PatentKind(StrEnum):
    """The kind of patent; the values are what ``Case.patent_type`` stores."""

    INVENTION = "invention"
    UTILITY_MODEL = "utility_model"
    DESIGN = "design"


TYPE_DIGITS: dict[int, PatentKind] = {
    1: PatentKind.INVENTION,
    2: PatentKind.UTILITY_MODEL,
    3: PatentKind.DESIGN,
    8: PatentKind.INVENTION,
    9: PatentKind.UTILITY_MODEL,
}
PCT_NATIONAL_PHASE_TYPE_DIGITS = frozenset({8, 9})

_PREFIX = re.compile(r"^(?:CN|ZL):?")
_SPACE = re.compile(r"\s+")


class ApplicationNumberError(ValueError):
    """An application number that cannot be parsed; ``code`` names the reason.

    Codes: ``empty``, ``characters``, ``dot``, ``length``, ``old_format``, ``year``,
    ``type``, ``check``. The message (``str(error)``) is translated and user-facing.
    """

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class ApplicationNumber:
    """A CNIPA application number; build it with ``parse_application_number``."""

    year: int
    type_digit: int
    serial: str
    check: str

    @property
    def digits(self) -> str:
        """The 12 digits before the dot."""
        return f"{self.year:04d}{self.type_digit}{self.serial}"

    @property
    def patent_kind(self) -> PatentKind:
        return TYPE_DIGITS[self.type_digit]

    @property
    def is_pct_national_phase(self) -> bool:
        return self.type_digit in PCT_NATIONAL_PHASE_TYPE_DIGITS

    def __str__(self) -> str:
        return f"{self.digits}.{self.check}"

    def formatted(self) -> str:
        """Display form with year, type and serial apart: ``2023 1 0123456.6``.

        It is how CNIPA prints numbers on certificates (after ``ZL``), and it parses
        back to the same number.
        """
        return f"{self.year:04d} {self.type_digit} {self.serial}.{self.check}"


def check_digit(twelve_digits: str) -> str:
    """The check digit (``0``-``9`` or ``X``) for the 12 digits before the dot."""
    if len(twelve_digits) != 12 or not twelve_digits.isascii() or not twelve_digits.isdigit():
        raise ValueError(f"expected 12 digits, got {twelve_digits!r}")
    remainder = (
        sum(int(digit) * weight for digit, weight in zip(twelve_digits, WEIGHTS, strict=True)) % 11
    )
    return "X" if remainder == 10 else str(remainder)


def make_application_number(year: int, type_digit: int, serial: int) -> ApplicationNumber:
    """Build a valid number, computing its check digit (for demo data and factories)."""
    if not FIRST_YEAR <= year <= 9999:
        raise ValueError(f"year must be between {FIRST_YEAR} and 9999, got {year}")
    if type_digit not in TYPE_DIGITS:
        raise ValueError(f"type digit must be one of {sorted(TYPE_DIGITS)}, got {type_digit}")
    if not 0 <= serial <= 9_999_999:
        raise ValueError(f"serial must be between 0 and 9999999, got {serial}")
    digits = f"{year:04d}{type_digit}{serial:07d}"
    return ApplicationNumber(year, type_digit, f"{serial:07d}", check_digit(digits))


def parse_application_number(text: str, *, today: datetime.date | None = None) -> ApplicationNumber:
    """Parse a pasted application number; raise ``ApplicationNumberError`` if invalid.

    ``today`` (default: the current date) bounds the year: numbers from after next
    year are refused as implausible.
    """
    cleaned = _clean(text)
    if not cleaned:
        raise ApplicationNumberError(_("Enter an application number."), "empty")

    _check_characters(cleaned)
    body, check = _split(cleaned)

    year = int(body[:4])
    max_year = (today or datetime.date.today()).year + 1
    if not FIRST_YEAR <= year <= max_year:
        raise ApplicationNumberError(
            _(
                "The application number starts with the year %(year)d, which is not "
                "plausible: the year must be between %(first)d and %(last)d."
            )
            % {"year": year, "first": FIRST_YEAR, "last": max_year},
            "year",
        )

    type_digit = int(body[4])
    if type_digit not in TYPE_DIGITS:
        raise ApplicationNumberError(
            _(
                "The fifth digit, %(digit)d, is not a known application type. It must be "
                "1 (invention), 2 (utility model), 3 (design), 8 (PCT invention entering "
                "the national phase) or 9 (PCT utility model entering the national phase)."
            )
            % {"digit": type_digit},
            "type",
        )

    expected = check_digit(body)
    if check != expected:
        raise ApplicationNumberError(
            _(
                "The check digit after the dot is %(given)s, but for %(digits)s it should "
                "be %(expected)s. Please check the number for a typing mistake."
            )
            % {"given": check, "digits": body, "expected": expected},
            "check",
        )

    return ApplicationNumber(year, type_digit, body[5:], check)


def _clean(text: str) -> str:
    """NFKC, no whitespace, upper case, no ``CN``/``ZL`` prefix."""
    cleaned = unicodedata.normalize("NFKC", text).replace("。", ".")
    cleaned = _SPACE.sub("", cleaned).upper()
    return _PREFIX.sub("", cleaned)


def _check_characters(cleaned: str) -> None:
    """Only digits, at most one dot, and an ``X`` only as the last character."""
    bad = [
        char
        for position, char in enumerate(cleaned)
        if not (char.isascii() and char.isdigit())
        and char != "."
        and not (char == "X" and position == len(cleaned) - 1)
    ]
    if bad:
        shown = " ".join(f"“{char}”" for char in dict.fromkeys(bad))
        raise ApplicationNumberError(
            _(
                "The application number may contain only digits, a dot and a check digit "
                "(0-9 or X); these characters are not allowed: %(characters)s."
            )
            % {"characters": shown},
            "characters",
        )


def _split(cleaned: str) -> tuple[str, str]:
    """Split into the 12 digits and the check digit, or explain what is wrong."""
    found = len(cleaned.replace(".", ""))
    if found == 13:
        body, dot, check = cleaned[:12], cleaned[12:-1], cleaned[-1]
        if dot in ("", ".") and cleaned.count(".") == len(dot):
            return body, check
        raise ApplicationNumberError(
            _(
                "The dot is in the wrong place: it goes between the 12 digits and the "
                "check digit, e.g. 202310123456.6."
            ),
            "dot",
        )
    if found == 12 and (cleaned.endswith(".") or ("." not in cleaned and cleaned[-1] != "X")):
        raise ApplicationNumberError(
            _(
                "The check digit is missing: the 12 digits are followed by a dot and a "
                "check digit, e.g. 202310123456.6."
            ),
            "length",
        )
    if found == 9:
        raise ApplicationNumberError(
            _(
                "This looks like an application number in the format used before 2003 "
                "(8 digits and a check digit), which is not supported. Numbers since 2003 "
                "have 12 digits and a check digit, e.g. 202310123456.6."
            ),
            "old_format",
        )
    raise ApplicationNumberError(
        _(
            "The application number has the wrong length: %(count)d digits found (counting "
            "the check digit), but it must have 13: 12 digits, then a dot and the check digit, "
            "e.g. 202310123456.6."
        )
        % {"count": found},
        "length",
    )
