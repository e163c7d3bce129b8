"""Applicant access to the public status page: access codes, signed links, rate limits.

- **Access code.** Issued at intake: 10 characters from a 32-symbol alphabet without
  look-alikes (no 0/O, 1/I), 50 bits of entropy, shown once to staff as ``7KQ4-MX2P-9C``.
  Stored as HMAC-SHA256 keyed from ``SECRET_KEY`` (``salted_hmac``), not with a slow
  password hasher: a random 50-bit code needs no key stretching, and the lookup must stay
  cheap. Online guessing is what rate limiting is for. Rotating ``SECRET_KEY`` keeps codes
  working as long as the old key is in ``SECRET_KEY_FALLBACKS``.
- **Signed link.** ``/status/c/<token>/``: the case id and a fingerprint of the current
  code hash, signed with a timestamp. Resetting the code changes the fingerprint, so
  every link given out before stops working; links also expire after
  ``STATUS_LINK_MAX_AGE_DAYS``.
- **Rate limits.** Lookups (POSTs of the form) are counted per client address (every
  lookup, and failed ones under a tighter limit) and per reference (failed lookups) in
  fixed windows of
  ``STATUS_RATE_LIMIT_WINDOW`` seconds, in the shared cache (``CACHE_URL``: Redis in
  production, so every web process shares the counters). The client address is
  ``REMOTE_ADDR``, which a client cannot forge. ``X-Forwarded-For`` is not read: its
  first hop is whatever the client sent. Behind a reverse proxy every client shares the
  proxy's address, so the per-address limit becomes one limit for everyone; limit per
  client at the proxy then, or add a setting that names the trusted proxy hop.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import logging
import math
import secrets
import time
import unicodedata
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from cases import events
from cases.actors import Actor
from cases.models import Case
from cases.optional_cache import cache_get_many
from cases.services.status_pages import status_pages_forget
from cases.services.transitions import case_locked, check_permission

logger = logging.getLogger(__name__)

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 10
CODE_GROUPS = (4, 4, 2)
ENTROPY_BITS = CODE_LENGTH * math.log2(len(ALPHABET))

_HASH_SALT = "cases.access.code"
_HASH_PREFIX = "h1$"  # the scheme, so that a later one can be told apart
_LINK_SALT = "cases.access.status-link"
_FINGERPRINT_SALT = "cases.access.link-fingerprint"
# Compared against when the reference matches no case, so that a miss costs the same work.
_DUMMY_HASH = _HASH_PREFIX + "0" * 64


# Codes


def generate_access_code() -> str:
    """A new random code, grouped for reading (``7KQ4-MX2P-9C``)."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return format_access_code(raw)


def format_access_code(code: str) -> str:
    raw = normalize_access_code(code)
    parts, start = [], 0
    for size in CODE_GROUPS:
        parts.append(raw[start : start + size])
        start += size
    return "-".join(part for part in parts if part)


def normalize_access_code(text: str) -> str:
    """Upper case without spaces or hyphens; full-width input (IME) counts as ASCII."""
    text = unicodedata.normalize("NFKC", text or "").upper()
    return "".join(ch for ch in text if not ch.isspace() and ch not in "-‐‑‒–—―")


def normalize_reference(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text or "").upper().split())


def _digest(code: str, secret: str | bytes) -> str:
    value = normalize_access_code(code)
    return salted_hmac(_HASH_SALT, value, secret=secret, algorithm="sha256").hexdigest()


def hash_access_code(code: str) -> str:
    """The stored form of a code: HMAC-SHA256 keyed from ``SECRET_KEY``."""
    return _HASH_PREFIX + _digest(code, settings.SECRET_KEY)


def access_code_matches(stored_hash: str, code: str) -> bool:
    """Whether ``code`` is the one ``stored_hash`` was made from (constant time).

    Keys in ``SECRET_KEY_FALLBACKS`` are tried too, always all of them, so the time does
    not depend on which key (if any) matched. A blank hash (no code issued) never matches.
    """
    expected = stored_hash if stored_hash.startswith(_HASH_PREFIX) else _DUMMY_HASH
    matched = False
    for secret in [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]:
        candidate = _HASH_PREFIX + _digest(code, secret)
        matched |= hmac.compare_digest(candidate, expected)
    return matched and bool(stored_hash)


@transaction.atomic
def case_issue_access_code(*, case: Case) -> str:
    """Give a new case its access code; returns the plaintext, which is never stored."""
    code = generate_access_code()
    case.access_code_hash = hash_access_code(code)
    case.save(update_fields=["access_code_hash"])
    return code


def case_reset_access_code(*, case: Case | int, actor: Actor) -> str:
    """Replace a case's access code.

    The old code and every status link given out before stop working. Returns the new
    plaintext, to be shown once. Logged as an internal event (never on the public page).
    """
    with case_locked(case) as locked:
        check_permission(
            actor,
            "cases.reset_access_code",
            locked,
            _("You are not allowed to reset the access code of this case."),
        )
        code = generate_access_code()
        locked.access_code_hash = hash_access_code(code)
        locked.save(update_fields=["access_code_hash", "updated_at"])
        events.access_code_reset_event(case=locked, actor=actor, at=timezone.now())
        status_pages_forget(case_id=locked.pk)
    if not isinstance(case, int):
        case.access_code_hash = locked.access_code_hash
    return code


def case_find_by_access_code(*, reference: str, code: str) -> Case | None:
    """The case with this reference and access code (only its id and hash), else None.

    A reference that matches no case costs the same HMAC work as a wrong code, so the
    answer time does not tell whether the reference exists.
    """
    # A reference is unique per center and carries the center's code, so at most one
    # case matches; two are read only to stay correct if that ever changes.
    cases = list(
        Case.objects.filter(reference=normalize_reference(reference)).only(
            "pk", "access_code_hash"
        )[:2]
    )
    if not cases:
        access_code_matches(_DUMMY_HASH, code)
        return None
    found = None
    for case in cases:
        if access_code_matches(case.access_code_hash, code):
            found = case
    return found


# Signed links


def link_fingerprint(access_code_hash: str) -> str:
    """Short, non-reversible tag of the current code hash, carried in status links."""
    return salted_hmac(_FINGERPRINT_SALT, access_code_hash, algorithm="sha256").hexdigest()[:16]


def link_max_age() -> timedelta:
    return timedelta(days=getattr(settings, "STATUS_LINK_MAX_AGE_DAYS", 90))


def status_token(*, case_id: int, access_code_hash: str) -> str:
    return signing.TimestampSigner(salt=_LINK_SALT).sign(
        f"{case_id}.{link_fingerprint(access_code_hash)}"
    )


def case_status_link(case: Case) -> str:
    """The path of the case's status page, valid until the code is reset or it expires."""
    token = status_token(case_id=case.pk, access_code_hash=case.access_code_hash)
    return reverse("cases:status_page", kwargs={"token": token})


@dataclass(frozen=True)
class StatusLink:
    case_id: int
    fingerprint: str

    def matches(self, access_code_hash: str) -> bool:
        return hmac.compare_digest(self.fingerprint, link_fingerprint(access_code_hash))


@functools.lru_cache(maxsize=4096)
def _verified(token: str, secret: str, fallbacks: tuple[str, ...]) -> str | None:
    """``value:timestamp`` of a token signed with one of these keys, else None.

    Remembered per process: checking the signature is the costliest step of serving a
    kept status page, and a link is typically opened again and again. The keys are part
    of the memo's key, so a key rotation is never answered from it; the age is checked
    by the caller on each use.
    """
    try:
        return signing.Signer(key=secret, fallback_keys=list(fallbacks), salt=_LINK_SALT).unsign(
            token
        )
    except signing.BadSignature:
        return None


def read_status_token(token: str) -> StatusLink | None:
    """The case a link is for, or None if it is forged, malformed or expired.

    Whether it was revoked (code reset since) is checked against the case row:
    ``StatusLink.matches(case.access_code_hash)``.
    """
    signed = _verified(token, settings.SECRET_KEY, tuple(settings.SECRET_KEY_FALLBACKS))
    if signed is None:
        return None
    value, _sep, timestamp = signed.rpartition(":")
    try:
        age = time.time() - signing.b62_decode(timestamp)
    except ValueError:
        return None
    if age > link_max_age().total_seconds():
        return None
    case_id, _sep, fingerprint = value.partition(".")
    if not case_id.isdigit() or not fingerprint:
        return None
    return StatusLink(case_id=int(case_id), fingerprint=fingerprint)


# Rate limits


@dataclass(frozen=True)
class RateLimits:
    per_address: int  # every lookup
    failed_per_address: int
    per_reference: int  # failed lookups
    window: int  # seconds

    @classmethod
    def from_settings(cls) -> RateLimits:
        return cls(
            per_address=getattr(settings, "STATUS_RATE_LIMIT_PER_ADDRESS", 60),
            failed_per_address=getattr(settings, "STATUS_RATE_LIMIT_FAILED_PER_ADDRESS", 10),
            per_reference=getattr(settings, "STATUS_RATE_LIMIT_PER_REFERENCE", 5),
            window=max(1, getattr(settings, "STATUS_RATE_LIMIT_WINDOW", 600)),
        )


def _window(limits: RateLimits, now: float) -> tuple[int, int]:
    """(window number, seconds until it ends, at least 1) of a fixed window."""
    index = int(now // limits.window)
    return index, max(1, math.ceil((index + 1) * limits.window - now))


def _key(kind: str, value: str, index: int) -> str:
    tag = hashlib.sha256(value.encode()).hexdigest()[:32]
    return f"pc:status-rl:{kind}:{tag}:{index}"


def _increment(key: str, timeout: int) -> int:
    """Count one more in ``key``; 0 if the cache is unavailable.

    Without the cache (its server down) lookups are not limited rather than refused: a
    code has about 50 bits, far beyond guessing at the rate a server answers, and the
    applicants keep their page through the outage.
    """
    try:
        cache.add(key, 0, timeout=timeout)
        try:
            return cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=timeout)
            return 1
    except Exception as error:  # any backend failure (redis.ConnectionError is no OSError)
        logger.warning("Rate limit not counted, the cache is unavailable (%s).", error)
        return 0


def lookup_retry_after(*, address: str, reference: str, now: float | None = None) -> int | None:
    """Count a lookup from ``address``; seconds to wait if it is over a limit, else None.

    Every lookup counts against the address (a generous limit: an agent may check many
    cases from one office); failed ones, counted by ``lookup_failed``, count against the
    address and the reference under tighter limits, and are only read here.
    """
    limits = RateLimits.from_settings()
    index, retry_after = _window(limits, time.time() if now is None else now)
    timeout = limits.window + 1
    if _increment(_key("addr", address, index), timeout) > limits.per_address:
        return retry_after
    address_key = _key("addr-failed", address, index)
    reference_key = _key("ref", normalize_reference(reference), index)
    failed = cache_get_many([address_key, reference_key])
    if (failed.get(address_key) or 0) >= limits.failed_per_address or (
        failed.get(reference_key) or 0
    ) >= limits.per_reference:
        return retry_after
    return None


def lookup_failed(*, address: str, reference: str, now: float | None = None) -> None:
    """Count a failed lookup against the address and the reference typed (whether or not
    it exists)."""
    limits = RateLimits.from_settings()
    index, _retry = _window(limits, time.time() if now is None else now)
    timeout = limits.window + 1
    _increment(_key("addr-failed", address, index), timeout)
    _increment(_key("ref", normalize_reference(reference), index), timeout)
