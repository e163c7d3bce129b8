"""Validators for identifiers that staff type in.

Unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters from
``0123456789ABCDEFGHJKLMNPQRTUWXY`` (the letters I, O, Z, S and V are never used).
The 18th is a check character: the values of the first 17 (their index in that set)
are multiplied by the weights 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10,
30, 28 and summed; the check value is 31 - (sum mod 31), with 31 written as 0, and the
check character is the character at that index.

Only the character set, the length and the check character are validated; the
registration authority, entity type and region parts are not.

Callers normalise first (``normalize_credit_code``) and store the normalised form;
``validate_credit_code`` accepts loose input too, by validating its normalised form.
"""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cases.choices import PatentType

CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
CREDIT_CODE_LENGTH = 18

# Whitespace and the hyphens and dashes people type between groups of characters.
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―−]+")


def normalize_credit_code(value: str) -> str:
    """NFKC (full-width to ASCII), without spaces or hyphens, in upper case."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", value)).upper()


def credit_code_check_char(first17: str) -> str:
    """The check character for the first 17 characters of a (normalised) code."""
    if len(first17) != CREDIT_CODE_LENGTH - 1 or any(
        char not in CREDIT_CODE_ALPHABET for char in first17
    ):
        raise ValueError(f"expected 17 characters from {CREDIT_CODE_ALPHABET}, got {first17!r}")
    total = sum(
        CREDIT_CODE_ALPHABET.index(char) * weight
        for char, weight in zip(first17, CREDIT_CODE_WEIGHTS, strict=True)
    )
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def make_credit_code(first17: str) -> str:
    """A valid code: ``first17`` and its check character (for demo data and factories)."""
    return first17 + credit_code_check_char(first17)


def validate_credit_code(value: str) -> None:
    """Raise ``ValidationError`` (code ``length``, ``characters`` or ``check``)."""
    code = normalize_credit_code(value)
    if len(code) != CREDIT_CODE_LENGTH:
        raise ValidationError(
            _(
                "A unified social credit code has 18 characters, not %(count)s (spaces and "
                "hyphens are not counted)."
            ),
            code="length",
            params={"count": len(code)},
        )

    bad = [char for char in dict.fromkeys(code) if char not in CREDIT_CODE_ALPHABET]
    if bad:
        raise ValidationError(
            _(
                "A unified social credit code contains only digits and capital letters other "
                "than I, O, S, V and Z; these characters are not allowed: %(characters)s."
            ),
            code="characters",
            params={"characters": " ".join(f"“{char}”" for char in bad)},
        )

    expected = credit_code_check_char(code[:17])
    if code[17] != expected:
        raise ValidationError(
            _(
                "The last character of the unified social credit code is %(given)s, but for "
                "%(first17)s it should be %(expected)s. Please check the code for a typing "
                "mistake."
            ),
            code="check",
            params={"given": code[17], "first17": code[:17], "expected": expected},
        )


# Classification symbols ----------------------------------------------------------------
#
# IPC, to the group level (WIPO, Guide to the IPC): section A–H, a two-digit class, a
# subclass letter, a main group of one to four digits, "/", a subgroup of at least two
# digits: ``B25J 11/00``, ``H01M 10/0525``. Stored as printed, one space after the
# subclass. Locarno (designs): class 01–32, "-", a two-digit subclass: ``14-02``.
# Input is normalised first: NFKC (full-width to ASCII), upper case, spaces removed,
# dashes of any kind read as "-".

_IPC = re.compile(r"(?P<subclass>[A-H]\d{2}[A-Z])(?P<group>\d{1,4})/(?P<subgroup>\d{2,6})")
_LOCARNO = re.compile(r"(?P<class>\d{2})-(?P<subclass>\d{2})")
_DASHES = re.compile(r"[‐‑‒–—―−~～]")
LOCARNO_CLASSES = range(1, 33)


def _compact(value: str) -> str:
    text = unicodedata.normalize("NFKC", value or "")
    return _DASHES.sub("-", re.sub(r"\s+", "", text)).upper()


def normalize_classification(patent_type: str, value: str) -> str:
    """The stored form of a main classification (``b25j11/00`` → ``B25J 11/00``;
    ``１４－０２`` → ``14-02``), or ``ValidationError`` (code ``required``, ``ipc`` or
    ``locarno``) for a malformed one. Designs take Locarno, the other types IPC."""
    code = _compact(value)
    if not code:
        raise ValidationError(_("A main classification is required."), code="required")
    if patent_type == PatentType.DESIGN:
        match = _LOCARNO.fullmatch(code)
        if match is None or int(match["class"]) not in LOCARNO_CLASSES:
            raise ValidationError(
                _(
                    "“%(value)s” is not a Locarno class: a design takes class 01 to 32 and a "
                    "two-digit subclass, e.g. 14-02."
                ),
                code="locarno",
                params={"value": value.strip()},
            )
        return f"{match['class']}-{match['subclass']}"
    match = _IPC.fullmatch(code)
    if match is None:
        raise ValidationError(
            _(
                "“%(value)s” is not an IPC symbol to the group level: section A–H, two-digit "
                "class, subclass letter, main group, “/” and a subgroup of at least two "
                "digits, e.g. B25J 11/00 or H01M 10/0525."
            ),
            code="ipc",
            params={"value": value.strip()},
        )
    return f"{match['subclass']} {match['group']}/{match['subgroup']}"


def validate_classification(patent_type: str, value: str) -> None:
    """Raise ``ValidationError`` unless ``value`` is a well-formed main classification for
    ``patent_type`` (loose input accepted: it is validated in its normalised form)."""
    normalize_classification(patent_type, value)


# Technical fields: lists of classification prefixes ------------------------------------
#
# What an examiner (or a center) examines: comma-separated IPC prefixes, from a section
# down to a main group (``C``, ``C08``, ``B01D``, ``H01M 10``), and Locarno classes,
# optionally with a subclass (``12``, ``14-02``). Separators may be full-width or
# Chinese (``，``、``；``); each item is normalised like a classification.

_FIELD_SEPARATORS = re.compile(r"[,;，、；\n]+")
_IPC_PREFIX = re.compile(r"(?P<head>[A-H](?:\d{2}(?:[A-Z])?)?)(?P<group>\d{1,4})?")
_LOCARNO_PREFIX = re.compile(r"(?P<class>\d{1,2})(?:-(?P<subclass>\d{2}))?")


def _field_items(value: str) -> list[str]:
    text = unicodedata.normalize("NFKC", value or "")
    return [item.strip() for item in _FIELD_SEPARATORS.split(text) if item.strip()]


def normalize_ipc_prefixes(value: str) -> str:
    """The stored form of a list of IPC prefixes (``c08，b01d、h01m10`` →
    ``C08, B01D, H01M 10``), or ``ValidationError`` naming the first malformed item."""
    prefixes: list[str] = []
    for item in _field_items(value):
        code = _compact(item)
        match = _IPC_PREFIX.fullmatch(code)
        # A main group only follows a whole subclass (``H01M 10``, not ``H01 10``).
        if match is None or (match["group"] and len(match["head"]) != 4):
            raise ValidationError(
                _(
                    "“%(value)s” is not an IPC prefix: a section A–H, then optionally a "
                    "two-digit class, a subclass letter and a main group, e.g. C08, B01D "
                    "or H01M 10."
                ),
                code="ipc_prefix",
                params={"value": item},
            )
        prefix = match["head"] + (f" {match['group']}" if match["group"] else "")
        if prefix not in prefixes:
            prefixes.append(prefix)
    return ", ".join(prefixes)


def normalize_locarno_classes(value: str) -> str:
    """The stored form of a list of Locarno classes (``1, 14－02`` → ``01, 14-02``), or
    ``ValidationError`` naming the first item that is not class 01–32 (or a subclass)."""
    classes: list[str] = []
    for item in _field_items(value):
        match = _LOCARNO_PREFIX.fullmatch(_compact(item))
        if match is None or int(match["class"]) not in LOCARNO_CLASSES:
            raise ValidationError(
                _(
                    "“%(value)s” is not a Locarno class: 01 to 32, optionally with a "
                    "two-digit subclass, e.g. 12 or 14-02."
                ),
                code="locarno_class",
                params={"value": item},
            )
        code = f"{int(match['class']):02d}" + (f"-{match['subclass']}" if match["subclass"] else "")
        if code not in classes:
            classes.append(code)
    return ", ".join(classes)
