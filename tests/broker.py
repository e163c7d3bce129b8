"""The real broker's default queue, read in tests (the Redis of ``CELERY_BROKER_URL``)."""

from __future__ import annotations

from typing import Any

from protection_center.celery import app


def purge_queue() -> None:
    """Drop what earlier runs left on the queue."""
    app.control.purge()


def queued_tasks() -> list[tuple[str, dict[str, Any]]]:
    """The tasks waiting on the default queue, taken off it: (task name, kwargs)."""
    found = []
    with app.connection_for_read() as conn:
        queue = conn.SimpleQueue(app.conf.task_default_queue)
        try:
            while True:
                message = queue.get_nowait()
                _args, kwargs, _embed = message.decode()
                found.append((message.headers["task"], kwargs))
                message.ack()
        except queue.Empty:
            pass
        finally:
            queue.close()
    return found
