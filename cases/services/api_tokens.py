"""Personal API tokens and calendar feed URLs: made, shown once, stored hashed, revoked.

A token reads ``pc_<prefix>_<secret>``: the prefix finds the row (unique, indexed), the
SHA-256 of the whole token must match the stored hash (compared in constant time).
Random tokens of 256 bits need no slow hash: guessing is hopeless either way.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.errors import InvalidInput
from cases.models import ApiToken, CalendarFeed

TOKEN_PREFIX = "pc"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def api_token_create(
    *, user: Any, name: str, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns the row and the token, which is never kept."""
    if not name.strip():
        raise InvalidInput(_("Give the token a name."), field="name")
    if expires_at is not None and expires_at <= timezone.now():
        raise InvalidInput(_("The expiry must be in the future."), field="expires_at")
    prefix = secrets.token_hex(4)
    token = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    row = ApiToken.objects.create(
        user=user,
        name=name.strip(),
        prefix=prefix,
        secret_hash=token_hash(token),
        expires_at=expires_at,
    )
    return row, token


def api_token_revoke(*, ids: list[int], at: datetime | None = None) -> int:
    """Revoke tokens (at once, for good); returns how many were still active."""
    return ApiToken.objects.filter(id__in=ids, revoked_at__isnull=True).update(
        revoked_at=at or timezone.now()
    )


def api_token_authenticate(token: str, *, at: datetime | None = None) -> ApiToken | None:
    """The usable token row that ``token`` is, or None; records its use."""
    at = at or timezone.now()
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        return None
    row = ApiToken.objects.usable(at=at).select_related("user").filter(prefix=parts[1]).first()
    if row is None or not hmac.compare_digest(row.secret_hash, token_hash(token)):
        return None
    # At most once a minute: a busy client must not write on every request.
    if row.last_used_at is None or (at - row.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=at)
        row.last_used_at = at
    return row


@transaction.atomic
def calendar_feed_reset(*, user: Any, scope: str) -> str:
    """A new secret feed token for ``user``'s ``scope``; the old URL stops working."""
    if scope not in CalendarFeed.Scope.values:
        raise InvalidInput(_("Unknown calendar feed."), field="scope")
    token = secrets.token_urlsafe(32)
    CalendarFeed.objects.update_or_create(
        user=user, scope=scope, defaults={"token_hash": token_hash(token)}
    )
    return token


def calendar_feed_find(token: str) -> CalendarFeed | None:
    return (
        CalendarFeed.objects.select_related("user")
        .filter(token_hash=token_hash(token), user__is_active=True)
        .first()
    )
