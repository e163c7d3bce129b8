"""The Celery app, configured from Django settings (``CELERY_*``), and its static schedule.

Worker and scheduler in one process (the embedded run, or a small deployment)::

    celery -A protection_center worker --beat --loglevel INFO --concurrency 1

Larger deployments run any number of ``celery -A protection_center worker`` and exactly
one ``celery -A protection_center beat``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from celery import Celery, signals
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "protection_center.settings")

SWEEP_TASK = "cases.tasks.sweep_deadlines_task"
DELIVERY_TASK = "cases.tasks.deliver_notifications_task"
SUMMARY_TASK = "cases.tasks.refresh_dashboard_summary_task"
SUMMARY_EXPIRES = 240  # seconds: the next scheduled refresh is due by then anyway

app = Celery("protection_center")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# ``expires``: a run the workers could not start in time is dropped, not queued up behind
# the next one (both tasks catch up with everything on their next run anyway).
app.conf.beat_schedule = {
    "sweep-deadlines": {
        "task": SWEEP_TASK,
        "schedule": crontab(minute="*/5"),
        "options": {"expires": 240},
    },
    "deliver-notifications": {
        "task": DELIVERY_TASK,
        "schedule": crontab(),
        "options": {"expires": 50},
    },
    "deliver-webhooks": {
        "task": "cases.tasks.deliver_webhooks_task",
        "schedule": crontab(),
        "options": {"expires": 50},
    },
    "prune-idempotent-requests": {
        "task": "cases.tasks.prune_idempotent_requests_task",
        "schedule": crontab(hour=3, minute=17),
        "options": {"expires": 3600},
    },
    "refresh-dashboard-summary": {
        "task": SUMMARY_TASK,
        "schedule": crontab(minute="2-59/5"),
        "options": {"expires": SUMMARY_EXPIRES},
    },
}


@app.on_after_configure.connect
def _broker_defaults(sender: Celery, **kwargs: Any) -> None:
    """Settings that follow from the broker in use; explicit transport options win."""
    from django.conf import settings

    conf = sender.conf
    options = dict(conf.broker_transport_options or {})
    if str(conf.broker_url).startswith("filesystem"):
        # The embedded queue: every folder under var/, created before first use.
        queue = Path(options.get("data_folder_in") or Path(settings.VAR_DIR) / "celery-queue")
        options.setdefault("data_folder_in", str(queue))
        options.setdefault("data_folder_out", str(queue))
        options.setdefault("control_folder", str(queue / "control"))
        for key in ("data_folder_in", "data_folder_out", "control_folder"):
            Path(options[key]).mkdir(parents=True, exist_ok=True)
        if conf.beat_schedule_filename == "celerybeat-schedule":
            conf.beat_schedule_filename = str(Path(settings.VAR_DIR) / "celerybeat-schedule")
    elif str(conf.broker_url).startswith(("redis", "rediss")):
        # Without these a publish to an unreachable Redis can wait for minutes (a dropped
        # SYN, a half-open socket); with them it fails fast and the caller carries on.
        options.setdefault("socket_connect_timeout", conf.broker_connection_timeout)
        options.setdefault("socket_timeout", max(10.0, conf.broker_connection_timeout))
    conf.broker_transport_options = options


@signals.beat_init.connect
def _catch_up_on_start(sender: Any, **kwargs: Any) -> None:
    """When the scheduler starts, sweep, deliver and refresh the dashboard's figures at
    once instead of at the next tick."""
    sender.app.send_task(SWEEP_TASK, expires=240, ignore_result=True, retry=False)
    sender.app.send_task(DELIVERY_TASK, expires=50, ignore_result=True, retry=False)
    sender.app.send_task(SUMMARY_TASK, expires=SUMMARY_EXPIRES, ignore_result=True, retry=False)
