"""Who may take each case transition, and the named conditions transitions check.

Conditions are side-effect-free predicates on a case, each carrying the message staff see
when it fails. Permissions are Django's (``cases.permissions``): each transition needs one
model permission, asked with the case so that the center boundary applies.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cases.choices import RegistrationState, kind_labels

if TYPE_CHECKING:
    from cases.models import Case

# The permission each transition needs (``permissions.ROLE_PERMISSIONS`` gives them to
# the roles), asked with the case: ``user.has_perm(TRANSITION_PERMISSIONS[name], case)``.
TRANSITION_PERMISSIONS: dict[str, str] = {
    "accept": "cases.accept_case",
    "decline": "cases.decline_case",
    "request_correction": "cases.request_correction",
    "receive_correction": "cases.receive_correction",
    "qualify": "cases.qualify_case",
    "disqualify": "cases.disqualify_case",
    "record_filing": "cases.record_filing",
    "record_office_action": "cases.record_office_action",
    "record_response": "cases.record_response",
    "record_grant_notice": "cases.record_grant_notice",
    "record_rejection": "cases.record_rejection",
    "record_fast_track_exit": "cases.record_fast_track_exit",
    "record_registration": "cases.record_registration",
    "lapse": "cases.lapse_case",
    "withdraw": "cases.withdraw_case",
}


def permission(name: str) -> Callable[[Case, Any], bool]:
    """django-fsm's ``permission=`` of transition ``name``: ``user.has_perm`` on the case."""
    perm = TRANSITION_PERMISSIONS[name]

    def check(case: Case, user: Any) -> bool:
        return bool(user.has_perm(perm, case))

    check.__name__ = f"may_{name}"
    return check


def condition(
    message: str | Promise | Callable[[Case], str],
) -> Callable[[Callable[[Case], bool]], Callable[[Case], bool]]:
    """Mark a predicate as a transition condition, with the message shown when it fails
    (or a function of the case giving it, when the message names what is wrong)."""

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


def _missing_documents_message(case: Case) -> str:
    from cases.models import CaseDocument

    return _("The submission is incomplete: %(kinds)s missing.") % {
        "kinds": kind_labels(CaseDocument.objects.missing_kinds(case))
    }


@condition(_missing_documents_message)
def documents_complete(case: Case) -> bool:
    """Every document the center requires for the patent type has a version (the set is
    data: ``RequiredDocument`` per center, with defaults)."""
    from cases.models import CaseDocument

    return not CaseDocument.objects.missing_kinds(case)


# Human names of the transitions (and of the other logged actions), for buttons and events.
TRANSITION_LABELS = {
    "submit": _("Register the case"),
    "assign": _("Assign examiner"),
    "edit_details": _("Case details corrected"),
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
    "add_document": _("Document added"),
    "issue_notice": _("Notice issued"),
    "check_consistency": _("Consistency check"),
    "correct_application_number": _("Application number corrected"),
    "correct_filing_date": _("Filing date corrected"),
    "correct_office_action": _("Office action corrected"),
    "correct_grant_notice": _("Grant notice corrected"),
}


def failed_conditions(case: Case, name: str) -> list[str]:
    """Messages of the conditions of transition ``name`` that fail from the current state."""
    method = getattr(case, name)
    transition = method._django_fsm.get_transition(case.state)
    if transition is None:
        return []
    return [message_of(check, case) for check in transition.conditions if not check(case)]


def message_of(check: Callable[[Case], bool], case: Case) -> str:
    message = check.message  # type: ignore[attr-defined]
    if isinstance(message, str | Promise):
        return str(message)
    return str(message(case))


def transition_target(case: Case, name: str) -> str | None:
    """The state transition ``name`` leads to from the case's current state, if any."""
    transition = getattr(case, name)._django_fsm.get_transition(case.state)
    return None if transition is None else transition.target
