"""Celery tasks: thin wrappers that call the services (scheduled in protection_center/celery.py)."""

from __future__ import annotations

from dataclasses import asdict

from celery import shared_task

from cases.services import dashboard_summary, idempotency, outbox, sweep, webhooks

DELIVERY_BATCH = 200


@shared_task
def sweep_deadlines_task() -> dict[str, int]:
    """Flag clocks that became at risk or overdue; queue their events and e-mails."""
    return asdict(sweep.deadlines_sweep())


@shared_task
def deliver_notifications_task(limit: int = DELIVERY_BATCH) -> int:
    """Send due outbox rows; when a full batch went out, go on at once with the next."""
    sent = outbox.deliver_pending(limit=limit)
    if sent >= limit:
        outbox.request_delivery()
    return sent


@shared_task
def refresh_dashboard_summary_task(full: bool = False) -> int | None:
    """Refresh the dashboard's per-case figures (the page only reads them); ``full``
    rebuilds every row. None when another refresh was running and this one skipped."""
    return dashboard_summary.dashboard_summary_refresh(full=full)


@shared_task
def deliver_webhooks_task(limit: int = DELIVERY_BATCH) -> int:
    """Send due webhook deliveries; when a full batch went out, go on with the next."""
    delivered = webhooks.deliver_pending(limit=limit)
    if delivered >= limit:
        webhooks.request_delivery()
    return delivered


@shared_task
def prune_idempotent_requests_task() -> int:
    """Forget ``Idempotency-Key`` answers older than ``IDEMPOTENCY_KEY_DAYS``."""
    return idempotency.idempotent_requests_prune()
