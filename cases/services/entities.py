"""Writes to registered entities: registration (备案) transitions."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import can_proceed

from cases.actors import Actor
from cases.errors import InvalidInput, TransitionNotAllowed
from cases.models import Entity
from cases.services.transitions import check_permission

# Each registration transition and the permission it needs (asked with the entity).
ENTITY_PERMISSIONS: dict[str, str] = {
    "approve": "cases.approve_entity",
    "return_for_material": "cases.return_entity",
    "resubmit": "cases.resubmit_entity",
    "reject": "cases.reject_entity",
    "suspend": "cases.suspend_entity",
    "reinstate": "cases.reinstate_entity",
}
ENTITY_TRANSITIONS = tuple(ENTITY_PERMISSIONS)
# The actions that owe the entity a reason, and the refusal when the note is blank: the
# entity is told what material is missing, or why it may not (or no longer) file, and
# the colleague who meets the registration later reads it in the registration note.
NOTE_REQUIRED: dict[str, Promise] = {
    "return_for_material": gettext_lazy("A note is required: say what material is missing."),
    "reject": gettext_lazy("A note is required: say why the registration is rejected."),
    "suspend": gettext_lazy("A note is required: say why the registration is suspended."),
}


@transaction.atomic
def entity_transition(*, entity: Entity | int, name: str, actor: Actor, note: str = "") -> Entity:
    """Move an entity's registration; the note is appended to its registration history.

    ``NOTE_REQUIRED`` actions refuse a blank note (``InvalidInput`` on ``note``).
    """
    if name not in ENTITY_TRANSITIONS:
        raise TransitionNotAllowed(_("Unknown registration action."))
    pk = entity if isinstance(entity, int) else entity.pk
    entity = Entity.objects.select_for_update().get(pk=pk)
    check_permission(
        actor,
        ENTITY_PERMISSIONS[name],
        entity,
        _("You are not allowed to change this registration."),
    )
    method = getattr(entity, name)
    if not can_proceed(method):
        raise TransitionNotAllowed(
            _("This is not possible while the registration is “%(state)s”.")
            % {"state": entity.get_registration_state_display()}
        )
    note = note.strip()
    if not note and name in NOTE_REQUIRED:
        raise InvalidInput(NOTE_REQUIRED[name], field="note")
    method()
    if note:
        entity.registration_note = (entity.registration_note + "\n" + note).strip()
    entity.save()
    return entity


@transaction.atomic
def entity_update(*, entity: Entity, actor: Actor, data: dict[str, Any]) -> Entity:
    """Change a registered entity's details (field name → value); returns the saved entity.

    Its name is on each of its cases' status pages: the entity's version moves with the
    edit, so no page kept before is served again. The registration state changes only
    through ``entity_transition``.
    """
    if "registration_state" in data:
        raise ValueError("The registration changes only through entity_transition.")
    locked = Entity.objects.select_for_update().get(pk=entity.pk)
    check_permission(
        actor, "cases.change_entity", locked, _("You are not allowed to change this entity.")
    )
    for name, value in data.items():
        setattr(locked, name, value)
    locked.status_version = F("status_version") + 1
    locked.save(update_fields=[*data, "status_version", "updated_at"])
    locked.refresh_from_db(fields=["status_version"])
    return locked
