"""Old ``Idempotency-Key`` answers are deleted by the daily task, in batches."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from cases.models import IdempotentRequest, Role
from cases.services.idempotency import idempotent_requests_prune
from tests import factories

pytestmark = pytest.mark.django_db


def key(user, name, at):
    return IdempotentRequest.objects.create(
        user=user, key=name, fingerprint="f", status_code=200, body={}, created_at=at
    )


def test_keys_older_than_the_setting_are_deleted_in_batches(settings, center):
    settings.IDEMPOTENCY_KEY_DAYS = 7
    user = factories.center_staff(center, Role.CENTER_ADMIN)
    now = timezone.now() + timedelta(days=30)  # an injected time, not the clock
    old = [key(user, f"old-{i}", now - timedelta(days=8, minutes=i)) for i in range(5)]
    kept = [
        key(user, "six-days", now - timedelta(days=6)),
        key(user, "just-inside", now - timedelta(days=7) + timedelta(seconds=1)),
    ]

    assert idempotent_requests_prune(now=now, batch_size=2) == len(old)

    assert set(IdempotentRequest.objects.values_list("key", flat=True)) == {k.key for k in kept}
    assert idempotent_requests_prune(now=now, batch_size=2) == 0  # safe to run twice


def test_the_setting_decides_how_long_keys_are_kept(settings, center):
    user = factories.center_staff(center, Role.CENTER_ADMIN)
    now = timezone.now()
    key(user, "two-days", now - timedelta(days=2))
    settings.IDEMPOTENCY_KEY_DAYS = 3
    assert idempotent_requests_prune(now=now) == 0
    settings.IDEMPOTENCY_KEY_DAYS = 1
    assert idempotent_requests_prune(now=now) == 1
    assert not IdempotentRequest.objects.exists()


def test_the_task_prunes(settings, center):
    from cases.tasks import prune_idempotent_requests_task

    user = factories.center_staff(center, Role.CENTER_ADMIN)
    key(user, "ancient", timezone.now() - timedelta(days=settings.IDEMPOTENCY_KEY_DAYS + 1))
    key(user, "fresh", timezone.now())
    assert prune_idempotent_requests_task() == 1
    assert list(IdempotentRequest.objects.values_list("key", flat=True)) == ["fresh"]
