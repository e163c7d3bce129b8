"""Asking the workers to run a task, by name: what services use to enqueue.

The tasks module imports the services (tasks are thin wrappers around them), so the
services never import it back; they name the task instead. Call ``enqueue`` from
``transaction.on_commit``: a worker must find what the transaction wrote.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import current_app
from kombu.exceptions import OperationalError as BrokerError

logger = logging.getLogger(__name__)

DELIVER_NOTIFICATIONS = "cases.tasks.deliver_notifications_task"
REFRESH_DASHBOARD_SUMMARY = "cases.tasks.refresh_dashboard_summary_task"
DELIVER_WEBHOOKS = "cases.tasks.deliver_webhooks_task"


def enqueue(task: str, *, expires: float | None = None, **kwargs: Any) -> bool:
    """Send ``task`` to the broker; False (and a warning) if the broker is unreachable.

    No publish retries: with the broker down this fails within the connection timeout
    instead of holding the request. Every task enqueued here is also run by beat, which
    catches up with whatever a lost request would have done.
    """
    try:
        current_app.send_task(task, kwargs=kwargs, expires=expires, retry=False, ignore_result=True)
    except (BrokerError, OSError) as error:
        logger.warning("Could not enqueue %s (%s); its periodic run will catch up.", task, error)
        return False
    return True
