"""Correcting a case's details: title, main classification, patent type, applicant.

Intake staff correct what was registered wrong while the case is ``submitted`` (before
the scope check relies on it). Once accepted, the details are what the center reviewed
and the notices name, so only a center administrator may correct them, with a reason.
Each change is one event listing every field as old → new.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from cases import events
from cases.actors import Actor
from cases.errors import InvalidInput, TransitionNotAllowed
from cases.models import Case, CaseState, Entity, PatentType, RegistrationState
from cases.services.status_pages import status_pages_forget
from cases.services.transitions import case_locked, check_permission, now_or
from cases.validators import normalize_classification

# The fields that may be corrected, in the order the event lists them.
DETAIL_FIELDS = ("title", "classification", "patent_type", "entity")


def may_edit_details(user: object, case: Case) -> bool:
    """Whether ``user`` may correct the case's details now (the page offers the form)."""
    if case.is_terminal:
        return False
    if case.state == CaseState.SUBMITTED:
        return user.has_perm("cases.edit_case_details", case)  # type: ignore[attr-defined]
    return user.has_perm("cases.correct_accepted_details", case)  # type: ignore[attr-defined]


def case_edit_details(
    *,
    case: Case | int,
    actor: Actor,
    title: str,
    classification: str,
    patent_type: str,
    entity: Entity,
    reason: str = "",
    at: datetime | None = None,
) -> Case:
    """Correct the details; ``reason`` is required once the case has been accepted."""
    at = now_or(at)
    with case_locked(case) as case:
        if case.is_terminal:
            raise TransitionNotAllowed(
                _("The case is “%(state)s”: its details can no longer be changed.")
                % {"state": case.get_state_display()}
            )
        if case.state == CaseState.SUBMITTED:
            check_permission(
                actor,
                "cases.edit_case_details",
                case,
                _("You are not allowed to correct the details of this case."),
            )
        else:
            check_permission(
                actor,
                "cases.correct_accepted_details",
                case,
                _(
                    "The case has been accepted: only a center administrator may correct its "
                    "details."
                ),
            )
            if not reason.strip():
                raise InvalidInput(
                    _("Say why the details of an accepted case are corrected."), field="reason"
                )
        if patent_type not in PatentType.values:
            raise InvalidInput(
                _("Unknown patent type “%(value)s”.") % {"value": patent_type},
                field="patent_type",
            )
        if not title.strip():
            raise InvalidInput(_("A title is required."), field="title")
        try:
            classification = normalize_classification(patent_type, classification)
        except ValidationError as error:
            raise InvalidInput(error.messages[0], field="classification") from error
        if entity.center_id != case.center_id:
            raise InvalidInput(_("The applicant belongs to another center."), field="entity")
        if entity.pk != case.entity_id and entity.registration_state != RegistrationState.APPROVED:
            raise InvalidInput(
                _("The applicant's registration with the center is not approved."), field="entity"
            )
        new = {
            "title": title.strip(),
            "classification": classification,
            "patent_type": patent_type,
            "entity": entity,
        }
        changes = {
            name: (getattr(case, name), value)
            for name, value in new.items()
            if getattr(case, name) != value
        }
        if not changes:
            raise InvalidInput(_("Nothing was changed."))
        for name, (_old, value) in changes.items():
            setattr(case, name, value)
        case.save(update_fields=[*changes, "updated_at"])
        status_pages_forget(case_id=case.pk)
        events.case_details_changed_event(
            case=case, actor=actor, at=at, changes=changes, reason=reason.strip()
        )
    return case
