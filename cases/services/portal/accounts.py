"""The portal's accounts side: the online registration (备案) with its licence, the
agencies an entity authorises, colleagues, read notices."""

from __future__ import annotations

import secrets
import tempfile
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from cases.actors import Actor, require_actor
from cases.choices import (
    DocumentKind,
    RegistrationState,
)
from cases.errors import ConditionNotMet, InvalidInput, PermissionDenied
from cases.models import (
    Agency,
    AgencyAuthorisation,
    Center,
    Entity,
    Notice,
    NoticeRead,
    PortalAccount,
    PortalInvitation,
    RegistrationLicence,
)
from cases.permissions import portal_account_of
from cases.services import outbox
from cases.services.documents import EXTENSIONS, check_upload, display_name
from cases.services.entities import entity_transition
from cases.services.transitions import now_or
from cases.validators import normalize_credit_code, validate_credit_code

REGISTRATION_FIELDS = (
    "name",
    "credit_code",
    "address",
    "contact_name",
    "contact_email",
    "contact_phone",
    "contact_language",
)


def _portal_account(actor: Actor) -> PortalAccount:
    require_actor(actor)
    account = portal_account_of(actor.user)
    if account is None:
        raise PermissionDenied(_("Only portal accounts can do this."))
    return account


def _clean_registration(data: Mapping[str, Any], *, entity: Entity | None) -> dict[str, Any]:
    cleaned = {name: str(data.get(name) or "").strip() for name in REGISTRATION_FIELDS}
    cleaned["credit_code"] = normalize_credit_code(cleaned["credit_code"])
    try:
        validate_credit_code(cleaned["credit_code"])
    except ValidationError as error:
        raise InvalidInput(" ".join(error.messages), field="credit_code") from error
    for name, message in (
        ("name", _("The entity's name is required.")),
        ("address", _("The address is required.")),
        ("contact_name", _("A contact person is required.")),
        ("contact_email", _("A contact e-mail is required.")),
    ):
        if not cleaned[name]:
            raise InvalidInput(message, field=name)
    taken = Entity.objects.filter(credit_code=cleaned["credit_code"])
    if entity is not None:
        taken = taken.exclude(pk=entity.pk)
    if taken.exists():
        raise InvalidInput(
            _(
                "An entity with this credit code is already registered: ask its administrator "
                "to add you, or contact the center."
            ),
            field="credit_code",
        )
    return cleaned


def _store_licence(*, entity: Entity, file: File, actor: Actor, at: datetime) -> None:
    with tempfile.TemporaryFile() as spool:
        checked = check_upload(file, kind=DocumentKind.BUSINESS_LICENCE, spool=spool)
        name = (
            f"entities/{entity.pk}/licence-{secrets.token_hex(8)}."
            f"{EXTENSIONS[checked.content_type]}"
        )
        checked.file.seek(0)
        stored = default_storage.save(name, File(checked.file, name=name))
    RegistrationLicence.objects.create(
        entity=entity,
        file=stored,
        original_name=display_name(
            getattr(file, "name", ""), DocumentKind.BUSINESS_LICENCE, checked
        ),
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=actor.user,
        channel=actor.channel,
        uploaded_at=at,
    )


@transaction.atomic
def registration_submit(
    *,
    actor: Actor,
    center: Center,
    data: Mapping[str, Any],
    licence: File | None,
    at: datetime | None = None,
) -> Entity:
    """Register (备案) the user's entity online: it waits for the center's review."""
    at = now_or(at)
    account = PortalAccount.objects.select_for_update().get(pk=_portal_account(actor).pk)
    if account.entity_id is not None or account.agency_id is not None:
        raise PermissionDenied(_("This account already belongs to an entity or an agency."))
    cleaned = _clean_registration(data, entity=None)
    if licence is None:
        raise InvalidInput(_("Upload the business licence."), field="licence")
    try:
        with transaction.atomic():
            entity = Entity.objects.create(center=center, **cleaned)
    except IntegrityError as error:
        raise InvalidInput(
            _("An entity with this credit code is already registered."), field="credit_code"
        ) from error
    _store_licence(entity=entity, file=licence, actor=actor, at=at)
    account.entity = entity
    account.role = PortalAccount.Role.ADMINISTRATOR
    account.save(update_fields=["entity", "role"])
    actor.user._pc_portal_account = account
    return entity


@transaction.atomic
def registration_resubmit(
    *,
    actor: Actor,
    entity: Entity,
    data: Mapping[str, Any],
    licence: File | None,
    note: str = "",
    at: datetime | None = None,
) -> Entity:
    """Amend a registration the center returned, and send it back for review."""
    at = now_or(at)
    locked = Entity.objects.select_for_update().get(pk=entity.pk)
    if not actor.has_perm("cases.resubmit_entity", locked):
        raise PermissionDenied(_("You are not allowed to change this registration."))
    if locked.registration_state != RegistrationState.RETURNED:
        raise ConditionNotMet(_("Only a registration returned for more material can be amended."))
    cleaned = _clean_registration(data, entity=locked)
    for name, value in cleaned.items():
        setattr(locked, name, value)
    locked.status_version = F("status_version") + 1
    locked.save(update_fields=[*cleaned, "status_version", "updated_at"])
    if licence is not None:
        _store_licence(entity=locked, file=licence, actor=actor, at=at)
    return entity_transition(
        entity=locked,
        name="resubmit",
        actor=actor,
        note=note.strip() or _("Amended and resubmitted online."),
    )


@transaction.atomic
def agency_authorise(
    *,
    actor: Actor,
    entity: Entity,
    agency_code: str,
    power_of_attorney: File | None = None,
    at: datetime | None = None,
) -> AgencyAuthorisation:
    """The entity lets an agency act for it on its cases."""
    at = now_or(at)
    account = _portal_account(actor)
    if account.entity_id != entity.pk or account.role != PortalAccount.Role.ADMINISTRATOR:
        raise PermissionDenied(_("Only the entity's administrator can authorise an agency."))
    agency = Agency.objects.filter(code=agency_code.strip()).first()
    if agency is None:
        raise InvalidInput(_("No agency with this code uses the portal."), field="agency_code")
    if AgencyAuthorisation.objects.active().filter(entity=entity, agency=agency).exists():
        raise InvalidInput(_("This agency is already authorised."), field="agency_code")
    authorisation = AgencyAuthorisation(
        entity=entity, agency=agency, granted_by=actor.user, granted_at=at
    )
    if power_of_attorney is not None:
        with tempfile.TemporaryFile() as spool:
            checked = check_upload(
                power_of_attorney, kind=DocumentKind.POWER_OF_ATTORNEY, spool=spool
            )
            name = (
                f"entities/{entity.pk}/power-of-attorney-{secrets.token_hex(8)}."
                f"{EXTENSIONS[checked.content_type]}"
            )
            checked.file.seek(0)
            authorisation.power_of_attorney = default_storage.save(
                name, File(checked.file, name=name)
            )
            authorisation.power_of_attorney_name = display_name(
                getattr(power_of_attorney, "name", ""), DocumentKind.POWER_OF_ATTORNEY, checked
            )
    authorisation.save()
    return authorisation


@transaction.atomic
def agency_revoke(
    *, actor: Actor, authorisation: AgencyAuthorisation, at: datetime | None = None
) -> AgencyAuthorisation:
    """The entity withdraws an agency's authorisation; it counts from the next request."""
    at = now_or(at)
    account = _portal_account(actor)
    locked = AgencyAuthorisation.objects.select_for_update().get(pk=authorisation.pk)
    if account.entity_id != locked.entity_id or account.role != PortalAccount.Role.ADMINISTRATOR:
        raise PermissionDenied(_("Only the entity's administrator can revoke an authorisation."))
    if locked.revoked_at is None:
        locked.revoked_at = at
        locked.revoked_by = actor.user
        locked.save(update_fields=["revoked_at", "revoked_by"])
    return locked


def member_add(*, actor: Actor, user: Any) -> PortalAccount:
    """The entity's (or agency's) administrator adds a colleague who has signed up."""
    account = _portal_account(actor)
    if account.role != PortalAccount.Role.ADMINISTRATOR or (
        account.entity_id is None and account.agency_id is None
    ):
        raise PermissionDenied(_("Only an administrator can add colleagues."))
    other = portal_account_of(user)
    if other is None or other.entity_id is not None or other.agency_id is not None:
        raise InvalidInput(
            _("That person must sign up first, and not belong to another entity or agency."),
            field="email",
        )
    other.entity_id = account.entity_id
    other.agency_id = account.agency_id
    other.role = PortalAccount.Role.MEMBER
    other.save(update_fields=["entity", "agency", "role"])
    return other


@transaction.atomic
def member_invite(*, actor: Actor, email: str, at: datetime | None = None) -> str:
    """The administrator invites a colleague by e-mail: one who has signed up (and
    belongs nowhere yet) is added now (``"added"``); anyone else is sent the sign-up link
    and joins as a member once they verify that address (``"invited"``)."""
    at = now_or(at)
    account = _portal_account(actor)
    if account.role != PortalAccount.Role.ADMINISTRATOR or (
        account.entity_id is None and account.agency_id is None
    ):
        raise PermissionDenied(_("Only an administrator can add colleagues."))
    email = email.strip()
    user = get_user_model().objects.filter(email__iexact=email).first()
    if user is not None:
        if user.is_staff or user.is_superuser:
            raise InvalidInput(_("This address cannot be invited to the portal."), field="email")
        member_add(actor=actor, user=user)
        return "added"
    pending = PortalInvitation.objects.pending().filter(
        email__iexact=email, entity_id=account.entity_id, agency_id=account.agency_id
    )
    if pending.exists():
        raise InvalidInput(_("This colleague has already been invited."), field="email")
    invitation = PortalInvitation.objects.create(
        entity_id=account.entity_id,
        agency_id=account.agency_id,
        email=email,
        invited_by=actor.user,
        created_at=at,
    )
    outbox.portal_invitation(invitation=invitation)
    return "invited"


def member_invitation_cancel(*, actor: Actor, invitation: PortalInvitation) -> None:
    account = _portal_account(actor)
    if account.role != PortalAccount.Role.ADMINISTRATOR or (
        invitation.entity_id,
        invitation.agency_id,
    ) != (account.entity_id, account.agency_id):
        raise PermissionDenied(_("Only an administrator can cancel invitations."))
    PortalInvitation.objects.filter(pk=invitation.pk).pending().update(cancelled_at=now_or(None))


@transaction.atomic
def invitations_accept(*, user: Any, email: str, at: datetime | None = None) -> bool:
    """A portal user verified ``email``: if they belong nowhere yet and an invitation to
    that address is pending, they join its entity or agency as a member (the oldest
    invitation wins; the others are closed). Returns whether they joined."""
    at = now_or(at)
    account = PortalAccount.objects.select_for_update().filter(user=user).first()
    if account is None or account.entity_id is not None or account.agency_id is not None:
        return False
    invitations = PortalInvitation.objects.pending().filter(email__iexact=email)
    first = invitations.order_by("created_at", "id").first()
    if first is None:
        return False
    account.entity_id = first.entity_id
    account.agency_id = first.agency_id
    account.role = PortalAccount.Role.MEMBER
    account.save(update_fields=["entity", "agency", "role"])
    invitations.filter(pk=first.pk).update(accepted_at=at)
    invitations.exclude(pk=first.pk).update(cancelled_at=at)
    return True


def member_remove(*, actor: Actor, member: PortalAccount) -> None:
    account = _portal_account(actor)
    if (
        account.role != PortalAccount.Role.ADMINISTRATOR
        or member.pk == account.pk
        or (member.entity_id, member.agency_id) != (account.entity_id, account.agency_id)
    ):
        raise PermissionDenied(_("Only an administrator can remove colleagues."))
    member.entity = None
    member.agency = None
    member.role = PortalAccount.Role.ADMINISTRATOR
    member.save(update_fields=["entity", "agency", "role"])


def notice_mark_read(*, user: Any, notice: Notice) -> None:
    NoticeRead.objects.get_or_create(notice=notice, user=user)
