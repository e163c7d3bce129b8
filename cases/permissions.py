"""What each staff role may do, and the boundaries Django's auth adds to it.

``user.has_perm("cases.accept_case", case)`` is the whole question. Two parts answer it:

- **The role's permissions.** Each role (``Role``, a Group of the same name) holds model
  permissions: the admin's view/add/change ones and one per transition and action
  (``Case.Meta.permissions``, ``Entity.Meta.permissions``). ``ROLE_PERMISSIONS`` below
  is the one place they are written; migrations attach them to the groups with
  ``role_permissions_sync``. Changing a role means changing this table and adding a
  migration that calls ``role_permissions_sync`` again.
- **The center boundary** (``CenterBackend``): asked about an object, a staff member has
  their role's permission only on their own center's objects. Superusers have every
  permission on every object (Django's ``User.has_perm``).

A new kind of actor (portal users acting for their entity, API tokens) is one more
backend rule here, never a branch in the services.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import BaseBackend

from cases.choices import Role

VIEW = frozenset(
    {
        "view_case",
        "view_caseevent",
        "view_center",
        "view_entity",
        "view_timer",
        "view_calendarday",
        "view_calendaryear",
        "view_timelimitrule",
        "view_casedocument",
        "view_notice",
        "view_requireddocument",
        # The portal's side (cases/models/portal.py).
        "view_agency",
        "view_agencyauthorisation",
        "view_portalaccount",
        "view_registrationlicence",
        "view_submissionquota",
    }
)
# The front desk: registrations, intake and the CNIPA steps the applicant reports.
INTAKE = frozenset(
    {
        "add_case",
        "change_case",
        "add_entity",
        "change_entity",
        "view_notification",
        "submit_case",
        "accept_case",
        "decline_case",
        "receive_correction",
        "record_filing",
        "record_office_action",
        "record_response",
        "record_grant_notice",
        "record_rejection",
        "record_fast_track_exit",
        "record_registration",
        "withdraw_case",
        "assign_case",
        "reset_access_code",
        "approve_entity",
        "return_entity",
        "resubmit_entity",
        "reject_entity",
        "suspend_entity",
        "reinstate_entity",
        "add_casedocument",
        "check_consistency",
        "correct_notice",
        "add_agency",
        "change_agency",
        "change_portalaccount",
        "edit_case_details",
        # A CNIPA number or date reported wrongly (cases.services.cnipa.case_correct_*).
        "correct_cnipa_record",
    }
)
# The pre-examination itself.
REVIEW = frozenset(
    {
        "change_case",
        "request_correction",
        "receive_correction",
        "qualify_case",
        "disqualify_case",
        "add_casedocument",
        "correct_notice",
    }
)
# Running the center: lapsing cases, the time limits, the dashboard, failed e-mails.
SUPERVISE = frozenset(
    {
        "lapse_case",
        "view_dashboard",
        "add_timelimitrule",
        "change_timelimitrule",
        "change_notification",
        # Each entity's yearly quota (名额).
        "add_submissionquota",
        "change_submissionquota",
        "delete_submissionquota",
        # The center's examiners (admin "Examiners", a proxy of StaffProfile): their
        # technical fields and capacity, and their absences.
        "view_examiner",
        "change_examiner",
        "view_absence",
        "add_absence",
        "change_absence",
        "delete_absence",
    }
)
ADMINISTER = frozenset(
    {
        "change_center",
        "correct_accepted_details",
        "delete_timelimitrule",
        "add_calendarday",
        "change_calendarday",
        "delete_calendarday",
        "add_calendaryear",
        "change_calendaryear",
        "add_requireddocument",
        "change_requireddocument",
        "delete_requireddocument",
        # Webhooks to other systems (cases.services.webhooks): endpoints, and resending.
        "view_webhookendpoint",
        "add_webhookendpoint",
        "change_webhookendpoint",
        "delete_webhookendpoint",
        "view_webhookdelivery",
        "change_webhookdelivery",
    }
)

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.INTAKE_CLERK: VIEW | INTAKE,
    # Only examiners are assigned cases to examine.
    Role.EXAMINER: VIEW | REVIEW | {"examine_case"},
    Role.MANAGER: VIEW | INTAKE | REVIEW | SUPERVISE,
    Role.CENTER_ADMIN: VIEW | INTAKE | REVIEW | SUPERVISE | ADMINISTER,
}


def role_permissions_sync(apps: Any) -> None:
    """Give each role group exactly its ``ROLE_PERMISSIONS`` of this app (migrations)."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _created = group_model.objects.get_or_create(name=str(role))
        others = group.permissions.exclude(content_type__app_label="cases")
        group.permissions.set(
            [
                *others,
                *permission_model.objects.filter(
                    content_type__app_label="cases", codename__in=codenames
                ),
            ]
        )


def user_center_id(user: Any) -> int | None:
    """The center a staff member works for (None for users without one), kept on the
    user object for the request."""
    cached = getattr(user, "_pc_center_id", False)
    if cached is False:
        from cases.models import StaffProfile

        cached = (
            StaffProfile.objects.filter(user_id=user.pk).values_list("center_id", flat=True).first()
            if user.pk is not None
            else None
        )
        user._pc_center_id = cached
    return cached


def center_of(obj: Any) -> int | None:
    """The center an object belongs to: a center itself, or what has a ``center_id``."""
    from cases.models import Center

    if isinstance(obj, Center):
        return obj.pk
    return getattr(obj, "center_id", None)


class CenterBackend(BaseBackend):
    """Staff have their role's permissions on their own center's objects only.

    Only answers questions about an object; Django's ``ModelBackend`` answers the
    model-level ones (what the admin asks to show a list or a menu entry), and this
    backend takes the role's permissions from there.
    """

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        if obj is None or not user_obj.is_active or user_obj.is_anonymous:
            return False
        center_id = center_of(obj)
        if center_id is None or user_center_id(user_obj) != center_id:
            return False
        return perm in user_obj.get_all_permissions()


# What a portal user may do, on their own entity's objects (or, for an agency, on those
# of the entities that authorised it): the applicant's side of the case.
PORTAL_PERMISSIONS = frozenset(
    {
        "view_case",
        "view_casedocument",
        "view_notice",
        "submit_case",
        "add_casedocument",
        "receive_correction",
        "record_filing",
        "record_office_action",
        "record_response",
        "record_grant_notice",
        "withdraw_case",
    }
)
# Only the entity's own accounts, never an agency acting for it: its registration.
ENTITY_OWN_PERMISSIONS = frozenset({"resubmit_entity"})


def portal_entity_of(obj: Any) -> int | None:
    """The entity an object of a case belongs to: an entity, a case, or what has one."""
    from cases.models import Entity

    if isinstance(obj, Entity):
        return obj.pk
    if hasattr(obj, "entity_id"):
        return obj.entity_id
    case = getattr(obj, "case", None)
    return getattr(case, "entity_id", None)


def portal_account_of(user: Any) -> Any:
    """The user's portal account (None for staff and users without one), kept on the
    user object for the request."""
    cached = getattr(user, "_pc_portal_account", False)
    if cached is False:
        from cases.models import PortalAccount

        cached = (
            None
            if user.pk is None or user.is_staff or user.is_superuser
            else PortalAccount.objects.filter(user_id=user.pk).first()
        )
        user._pc_portal_account = cached
    return cached


def portal_may_act_for(user: Any, entity_id: int) -> bool:
    """Whether a portal user acts for this entity: theirs, or it authorised their agency
    and has not revoked that. Asked again on each question (a revocation counts at once)."""
    account = portal_account_of(user)
    if account is None:
        return False
    if account.entity_id is not None:
        return account.entity_id == entity_id
    if account.agency_id is None:
        return False
    from cases.models import AgencyAuthorisation

    return (
        AgencyAuthorisation.objects.active()
        .filter(entity_id=entity_id, agency_id=account.agency_id)
        .exists()
    )


class PortalBackend(BaseBackend):
    """Portal users have ``PORTAL_PERMISSIONS`` on the objects of the entities they act
    for, and nothing else; staff never get anything from here."""

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        if obj is None or not user_obj.is_active or user_obj.is_anonymous:
            return False
        app_label, _dot, codename = perm.partition(".")
        if app_label != "cases":
            return False
        account = portal_account_of(user_obj)
        if account is None:
            return False
        entity_id = portal_entity_of(obj)
        if entity_id is None:
            return False
        if codename in ENTITY_OWN_PERMISSIONS:
            return account.entity_id == entity_id
        if codename not in PORTAL_PERMISSIONS:
            return False
        return portal_may_act_for(user_obj, entity_id)
