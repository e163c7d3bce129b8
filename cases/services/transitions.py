"""What every case service shares: the case lock, the checks, the refusals.

A service reads top to bottom::

    with case_locked(case) as case:            # atomic + SELECT … FOR UPDATE
        check_transition(case, "accept", actor)  # state, permission, conditions
        ...validate the input (InvalidInput)...
        case.accept(at=at)                      # the transition sets fields only
        case.save(update_fields=[...])
        ...clocks...
        event = events.case_accepted_event(...)
        outbox.case_event_recorded(event=event)

Callers get a ``DomainError`` with a message they can show, never a library exception.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import can_proceed

from cases import workflow
from cases.actors import Actor, require_actor
from cases.errors import ConditionNotMet, InvalidInput, PermissionDenied, TransitionNotAllowed
from cases.models import Case


def _label(name: str) -> str:
    return str(workflow.TRANSITION_LABELS.get(name, name))


def now_or(at: datetime | None) -> datetime:
    return at or timezone.now()


def local_day(at: datetime) -> date:
    return timezone.localdate(at)


@contextmanager
def case_locked(case: Case | int) -> Iterator[Case]:
    """The case, locked for the rest of a transaction that this opens (or joins).

    Every write to a case holds this lock: two services on one case run one after the
    other, and the sweep skips a case that is locked. Its center and entity come along.
    """
    pk = case if isinstance(case, int) else case.pk
    with transaction.atomic():
        yield (
            Case.objects.select_for_update(of=("self",))
            .select_related("center", "entity")
            .get(pk=pk)
        )


def check_transition(case: Case, name: str, actor: Actor) -> None:
    """Refuse transition ``name`` unless it exists from the case's state, ``actor`` may
    take it on this case, and its conditions hold; in that order, each with its message."""
    require_actor(actor)
    if not can_proceed(getattr(case, name), check_conditions=False):
        raise TransitionNotAllowed(
            _("“%(action)s” is not possible while the case is “%(state)s”.")
            % {"action": _label(name), "state": case.get_state_display()}
        )
    if not actor.has_perm(workflow.TRANSITION_PERMISSIONS[name], case):
        raise PermissionDenied(
            _("You are not allowed to “%(action)s” on this case.") % {"action": _label(name)}
        )
    failed = workflow.failed_conditions(case, name)
    if failed:
        raise ConditionNotMet(" ".join(failed))


def check_permission(actor: Actor, perm: str, obj: Any, message: str) -> None:
    """Refuse an action that is not a transition (assigning, resetting a code, …)."""
    require_actor(actor)
    if not actor.has_perm(perm, obj):
        raise PermissionDenied(message)


def check_examiner(examiner: Any, obj: Any) -> None:
    """The examiner given for a case (or for a case of this entity) must be one of its
    center's examiners."""
    if not examiner.has_perm("cases.examine_case", obj):
        raise InvalidInput(_("Assign an examiner of this center."), field="examiner")


def require_public_note(name: str, public_note: str) -> None:
    """Refuse transition ``name`` without the message the applicant must read with it."""
    message = MESSAGE_REQUIRED.get(name)
    if message is not None and not public_note.strip():
        raise InvalidInput(str(message), field="public_note")


# Transitions the applicant must be told the reason of (on the status page, in the
# e-mail): the message to the applicant is required, and says this when missing.
MESSAGE_REQUIRED: dict[str, Any] = {
    "request_correction": gettext_lazy(
        "Tell the applicant what to correct: the message is required."
    ),
    "decline": gettext_lazy(
        "Tell the applicant why the case is not accepted: the message is required."
    ),
    "disqualify": gettext_lazy(
        "Tell the applicant why the case did not qualify: the message is required."
    ),
    "lapse": gettext_lazy("Tell the applicant why the case lapses: the message is required."),
}
