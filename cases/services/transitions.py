"""The one path every case transition takes: lock, check, transition, save, clocks, event.

Each service locks the case row, checks the transition exists from the current state,
the actor's role and center, and the transition's conditions; then runs the transition,
saves, moves the clocks and writes the ``CaseEvent``, all in one transaction. Callers get
a ``DomainError`` with a message they can show, never a library exception.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import can_proceed, has_transition_perm

from cases import workflow
from cases.errors import ConditionNotMet, InvalidInput, PermissionDenied, TransitionNotAllowed
from cases.models import (
    Case,
    CaseEvent,
)
from cases.services import clocks, outbox, status_pages


def _label(name: str) -> str:
    return str(workflow.TRANSITION_LABELS.get(name, name))


def now_or(at: datetime | None) -> datetime:
    return at or timezone.now()


def local_day(at: datetime) -> date:
    return timezone.localdate(at)


def lock_case(case: Case | int) -> Case:
    pk = case if isinstance(case, int) else case.pk
    return (
        Case.objects.select_for_update(of=("self",)).select_related("center", "entity").get(pk=pk)
    )


def ensure_allowed(case: Case, name: str, actor: Any) -> Callable[..., Any]:
    """Return the bound transition after checking state, permission and conditions."""
    method = getattr(case, name)
    if not can_proceed(method, check_conditions=False):
        raise TransitionNotAllowed(
            _("“%(action)s” is not possible while the case is “%(state)s”.")
            % {"action": _label(name), "state": case.get_state_display()}
        )
    if actor is not None and not has_transition_perm(method, actor):
        # has_transition_perm also checks conditions; tell permission from condition apart.
        if not workflow.may_transition(actor, case, name):
            raise PermissionDenied(
                _("You are not allowed to “%(action)s” on this case.") % {"action": _label(name)}
            )
    failed = workflow.failed_conditions(case, name)
    if failed:
        raise ConditionNotMet(" ".join(failed))
    return method


def log_event(
    case: Case,
    *,
    name: str,
    from_state: str,
    actor: Any,
    at: datetime,
    note: str = "",
    public_note: str = "",
    public: bool = True,
    occurred_on: date | None = None,
) -> CaseEvent:
    event = CaseEvent.objects.create(
        case=case,
        transition=name,
        from_state=from_state,
        to_state=case.state,
        actor=actor,
        created_at=at,
        occurred_on=occurred_on,
        note=note,
        public_note=public_note,
        public=public,
    )
    outbox.case_event_recorded(event=event)
    status_pages.status_pages_forget(case_id=case.pk)
    return event


def run_transition(
    case: Case | int,
    name: str,
    *,
    actor: Any,
    at: datetime | None,
    note: str,
    public_note: str = "",
    args: dict[str, Any] | None = None,
    prepare: Callable[[Case], None] | None = None,
    clocks_then: Callable[[Case, date, datetime], None] | None = None,
    occurred_on: date | None = None,
) -> Case:
    """The common path: lock, check, transition, save, clocks, event.

    ``prepare`` validates input against the locked case (raising ``InvalidInput``) and
    sets fields the transition does not own, such as the assigned examiner.
    ``occurred_on`` is the day the event happened when it is not the day it is recorded
    (CNIPA's dates), shown on the status page's timeline.
    """
    at = now_or(at)
    case = lock_case(case)
    method = ensure_allowed(case, name, actor)
    if prepare is not None:
        prepare(case)
    from_state = case.state
    method(**(args or {}))
    case.save()
    if clocks_then is not None:
        clocks_then(case, local_day(at), at)
    clocks.case_refresh_deadlines(case=case)
    log_event(
        case,
        name=name,
        from_state=from_state,
        actor=actor,
        at=at,
        note=note,
        public_note=public_note,
        occurred_on=occurred_on,
    )
    return case


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
}


def closing_service(name: str, *, breached_party: str | None = None) -> Callable[..., Case]:
    def service(
        *,
        case: Case | int,
        actor: Any,
        note: str = "",
        public_note: str = "",
        at: datetime | None = None,
    ) -> Case:
        at = now_or(at)

        def prepare(c: Case) -> None:
            require_public_note(name, public_note)

        def then(c: Case, on: date, at_: datetime) -> None:
            clocks.timers_stop_all(case=c, on=on, at=at_, breached_party=breached_party)

        return run_transition(
            case,
            name,
            actor=actor,
            at=at,
            note=note,
            public_note=public_note,
            args={"at": at},
            prepare=prepare,
            clocks_then=then,
        )

    service.__name__ = service.__qualname__ = f"case_{name}"
    return transaction.atomic(service)
