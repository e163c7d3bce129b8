"""Forgetting old ``Idempotency-Key`` answers: a retry comes within minutes, so a key
older than ``IDEMPOTENCY_KEY_DAYS`` (default 7) is deleted by a daily task."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from cases.models import IdempotentRequest


def idempotent_requests_prune(*, now: datetime | None = None, batch_size: int = 1000) -> int:
    """Delete the keys older than the setting, ``batch_size`` rows per statement (short
    locks, each batch committed on its own); returns how many were deleted."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.IDEMPOTENCY_KEY_DAYS)
    deleted = 0
    while True:
        ids = list(
            IdempotentRequest.objects.filter(created_at__lt=cutoff)
            .order_by("created_at", "id")
            .values_list("id", flat=True)[:batch_size]
        )
        if not ids:
            return deleted
        deleted += IdempotentRequest.objects.filter(id__in=ids).delete()[0]
