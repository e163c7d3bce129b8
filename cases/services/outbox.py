"""Notifications written to the outbox in the same transaction as the change causing them."""

from __future__ import annotations

from cases.models import CaseEvent


def case_event_recorded(*, event: CaseEvent) -> None:
    """Queue the notifications a new case event causes (none yet)."""
