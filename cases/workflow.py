"""Who may take each case transition, and the named conditions transitions check.

Conditions are side-effect-free predicates on a case, each carrying the message staff see
when it fails. Permissions combine a role (a Group named by ``Role``) with the center
boundary: staff work only on their own center's cases; superusers work on all.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cases.choices import RegistrationState, Role

if TYPE_CHECKING:
    from cases.models import Case

ALL_ROLES = frozenset(Role)
_INTAKE = frozenset({Role.INTAKE_CLERK, Role.MANAGER, Role.CENTER_ADMIN})
_REVIEW = frozenset({Role.EXAMINER, Role.MANAGER, Role.CENTER_ADMIN})
_SUPERVISE = frozenset({Role.MANAGER, Role.CENTER_ADMIN})

TRANSITION_ROLES: dict[str, frozenset[Role]] = {
    "accept": _INTAKE,
    "decline": _INTAKE,
    "request_correction": _REVIEW,
    "receive_correction": _REVIEW | {Role.INTAKE_CLERK},
    "qualify": _REVIEW,
    "disqualify": _REVIEW,
    "record_filing": _INTAKE,
    "record_office_action": _INTAKE,
    "record_response": _INTAKE,
    "record_grant_notice": _INTAKE,
    "record_rejection": _INTAKE,
    "record_fast_track_exit": _INTAKE,
    "record_registration": _INTAKE,
    "lapse": _SUPERVISE,
    "withdraw": _INTAKE,
}


def user_roles(user: Any) -> frozenset[Role]:
    """The roles of a user, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    if user.is_superuser:
        return ALL_ROLES
    cached = getattr(user, "_pc_roles", None)
    if cached is None:
        names = set(user.groups.values_list("name", flat=True))
        cached = frozenset(role for role in Role if role.value in names)
        user._pc_roles = cached
    return cached


def user_center_id(user: Any) -> int | None:
    """The center a staff member works for (None for superusers and users without one)."""
    cached = getattr(user, "_pc_center_id", False)
    if cached is False:
        from cases.models import StaffProfile

        cached = (
            StaffProfile.objects.filter(user_id=user.pk).values_list("center_id", flat=True).first()
        )
        user._pc_center_id = cached
    return cached


def works_on_center(user: Any, center_id: int) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(user.is_superuser or user_center_id(user) == center_id)


def may_transition(user: Any, case: Case, name: str) -> bool:
    """Whether ``user`` holds a role allowed to take ``name`` on this case's center."""
    allowed = TRANSITION_ROLES[name]
    return works_on_center(user, case.center_id) and bool(user_roles(user) & allowed)


def permission_for(name: str) -> Callable[[Case, Any], bool]:
    def check(case: Case, user: Any) -> bool:
        return may_transition(user, case, name)

    check.__name__ = f"may_{name}"
    return check


def condition(message: str | Promise) -> Callable[[Callable[[Case], bool]], Callable[[Case], bool]]:
    """Mark a predicate as a transition condition, with the message shown when it fails."""

    def decorate(func: Callable[[Case], bool]) -> Callable[[Case], bool]:
        func.message = message  # type: ignore[attr-defined]
        return func

    return decorate


@condition(_("The applicant's registration with the center is not approved."))
def entity_registration_approved(case: Case) -> bool:
    """Only entities whose registration (备案) is approved may have cases accepted."""
    return case.entity.registration_state == RegistrationState.APPROVED


@condition(_("The main classification is outside the center's technical fields."))
def classification_in_center_fields(case: Case) -> bool:
    """The main classification must fall in the center's IPC prefixes or Locarno classes."""
    return case.center.covers_classification(case.patent_type, case.classification)


@condition(_("The applicant belongs to another center."))
def entity_of_case_center(case: Case) -> bool:
    """A case is worked by the center where its applicant is registered."""
    return case.entity.center_id == case.center_id


# Human names of the transitions (and of the other logged actions), for buttons and events.
TRANSITION_LABELS = {
    "submit": _("Register the case"),
    "assign": _("Assign examiner"),
    "accept": _("Accept"),
    "decline": _("Do not accept"),
    "request_correction": _("Request correction"),
    "receive_correction": _("Correction received"),
    "qualify": _("Qualify"),
    "disqualify": _("Mark unqualified"),
    "record_filing": _("Record CNIPA filing"),
    "record_office_action": _("Record office action"),
    "record_response": _("Record response"),
    "record_grant_notice": _("Record grant notice"),
    "record_rejection": _("Record rejection"),
    "record_fast_track_exit": _("Record exit from fast track"),
    "record_registration": _("Record registration"),
    "lapse": _("Lapse"),
    "withdraw": _("Withdraw"),
    "reset_access_code": _("Access code reset"),
    "flag_at_risk": _("Deadline at risk"),
    "flag_overdue": _("Deadline overdue"),
}

# Who may assign (or reassign) the examiner of a case.
ASSIGNING_ROLES = frozenset({Role.INTAKE_CLERK, Role.MANAGER, Role.CENTER_ADMIN})


def may_assign(user: Any, case: Case) -> bool:
    return works_on_center(user, case.center_id) and bool(user_roles(user) & ASSIGNING_ROLES)


def failed_conditions(case: Case, name: str) -> list[str]:
    """Messages of the conditions of transition ``name`` that fail from the current state."""
    method = getattr(case, name)
    transition = method._django_fsm.get_transition(case.state)
    if transition is None:
        return []
    return [str(check.message) for check in transition.conditions if not check(case)]


def transition_target(case: Case, name: str) -> str | None:
    """The state transition ``name`` leads to from the case's current state, if any."""
    transition = getattr(case, name)._django_fsm.get_transition(case.state)
    return None if transition is None else transition.target
