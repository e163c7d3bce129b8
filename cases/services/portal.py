"""Writes of the applicants' portal that are not a case transition: the online
registration (备案), the case drafts, the quota-checked submission, agency
authorisations and read notices.

Case transitions from the portal (answering a correction, reporting the CNIPA steps,
withdrawing) call the same services as the admin with ``Actor.portal(user)``; the
permission rule for portal users is ``cases.permissions.PortalBackend``.
"""

from __future__ import annotations

import secrets
import tempfile
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from cases.actors import Actor, require_actor
from cases.choices import (
    UPLOADED_KINDS,
    DocumentKind,
    PatentType,
    RegistrationState,
    kind_labels,
)
from cases.errors import ConditionNotMet, InvalidInput, PermissionDenied
from cases.models import (
    Agency,
    AgencyAuthorisation,
    Case,
    CaseDraft,
    Center,
    DraftDocument,
    Entity,
    Notice,
    NoticeRead,
    PortalAccount,
    RegistrationLicence,
    RequiredDocument,
    SubmissionQuota,
)
from cases.permissions import portal_account_of
from cases.services.cases import case_submit
from cases.services.cnipa import (
    case_record_filing,
    case_record_grant_notice,
    case_record_office_action,
    case_record_response,
)
from cases.services.documents import EXTENSIONS, case_add_document, check_upload, display_name
from cases.services.entities import entity_transition
from cases.services.transitions import local_day, now_or
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
def draft_save(
    *,
    actor: Actor,
    entity: Entity,
    data: Mapping[str, Any],
    documents: Mapping[str, File] | None = None,
    draft: CaseDraft | None = None,
    at: datetime | None = None,
) -> CaseDraft:
    """Keep what the user has filled in so far, and the files attached (each checked as
    a case document would be; attaching a kind again replaces its file)."""
    at = now_or(at)
    require_actor(actor)
    if not actor.has_perm("cases.submit_case", entity):
        raise PermissionDenied(_("You are not allowed to submit cases for this entity."))
    if draft is None:
        draft = CaseDraft(entity=entity, created_by=actor.user)
    else:
        draft = CaseDraft.objects.select_for_update().get(pk=draft.pk)
        if draft.case_id is not None:
            raise ConditionNotMet(_("This draft was already submitted."))
    draft.patent_type = str(data.get("patent_type") or "")
    draft.title = str(data.get("title") or "").strip()
    draft.classification = str(data.get("classification") or "").strip().upper()
    draft.not_pct_national_phase = bool(data.get("not_pct_national_phase"))
    draft.not_divisional = bool(data.get("not_divisional"))
    draft.save()
    for kind, file in (documents or {}).items():
        if not file:
            continue
        if kind not in UPLOADED_KINDS:
            raise InvalidInput(_("Choose what kind of document this is."), field="documents")
        with tempfile.TemporaryFile() as spool:
            try:
                checked = check_upload(file, kind=kind, spool=spool)
            except InvalidInput as error:
                raise InvalidInput(error.message, field=f"file_{kind}") from error
            name = f"drafts/{draft.pk}/{kind}-{secrets.token_hex(8)}.{EXTENSIONS[checked.content_type]}"
            checked.file.seek(0)
            stored = default_storage.save(name, File(checked.file, name=name))
        DraftDocument.objects.filter(draft=draft, kind=kind).delete()
        DraftDocument.objects.create(
            draft=draft,
            kind=kind,
            file=stored,
            original_name=display_name(getattr(file, "name", ""), kind, checked),
            size=checked.size,
            uploaded_at=at,
        )
    return draft


def required_kinds(*, center_id: int, patent_type: str) -> list[str]:
    return RequiredDocument.objects.kinds_for(center_id=center_id, patent_type=patent_type)


@transaction.atomic
def portal_case_submit(
    *,
    actor: Actor,
    entity: Entity,
    patent_type: str,
    title: str,
    classification: str,
    not_pct_national_phase: bool,
    not_divisional: bool,
    documents: Mapping[str, File],
    draft: CaseDraft | None = None,
    at: datetime | None = None,
) -> Case:
    """Submit a case online: the checks the center would make at intake that the
    applicant can answer now, the yearly quota (under the entity's row lock, so two
    submissions at the limit cannot both pass), then ``case_submit`` and the documents."""
    at = now_or(at)
    require_actor(actor)
    entity = Entity.objects.select_for_update().select_related("center").get(pk=entity.pk)
    if not actor.has_perm("cases.submit_case", entity):
        raise PermissionDenied(_("You are not allowed to submit cases for this entity."))
    if entity.registration_state != RegistrationState.APPROVED:
        raise ConditionNotMet(
            _(
                "The registration (备案) is “%(state)s”: cases can be submitted once the center "
                "has approved it."
            )
            % {"state": entity.get_registration_state_display()}
        )
    if patent_type not in PatentType.values:
        raise InvalidInput(_("Choose the patent type."), field="patent_type")
    if not title.strip():
        raise InvalidInput(_("A title is required."), field="title")
    classification = classification.strip().upper()
    problem = classification_problem(patent_type, classification)
    if problem:
        raise InvalidInput(problem, field="classification")
    if not entity.center.covers_classification(patent_type, classification):
        raise InvalidInput(
            _("%(code)s is outside the technical fields of %(center)s: it cannot take this case.")
            % {"code": classification, "center": entity.center.name},
            field="classification",
        )
    if not not_pct_national_phase:
        raise InvalidInput(
            _("PCT national-phase applications are not eligible for pre-examination."),
            field="not_pct_national_phase",
        )
    if not not_divisional:
        raise InvalidInput(
            _("Divisional applications are not eligible for pre-examination."),
            field="not_divisional",
        )
    documents = {kind: file for kind, file in documents.items() if file}
    if draft is not None:
        for kept in DraftDocument.objects.filter(draft=draft):
            if kept.kind not in documents:
                documents[kept.kind] = File(kept.file.open("rb"), name=kept.original_name)
    missing = [
        kind
        for kind in required_kinds(center_id=entity.center_id, patent_type=patent_type)
        if kind not in documents
    ]
    if missing:
        raise InvalidInput(
            _("Attach every required document: %(kinds)s missing.")
            % {"kinds": kind_labels(missing)},
            field="documents",
        )
    year = local_day(at).year
    used, limit = SubmissionQuota.objects.use(
        entity_id=entity.pk, patent_type=patent_type, year=year
    )
    if limit is not None and used >= limit:
        raise ConditionNotMet(
            _(
                "The yearly quota is used up: %(used)d of %(limit)d %(type)s cases in %(year)d. "
                "Contact the center."
            )
            % {
                "used": used,
                "limit": limit,
                "type": PatentType(patent_type).label,
                "year": year,
            }
        )
    case = case_submit(
        actor=actor,
        entity=entity,
        patent_type=patent_type,
        title=title,
        classification=classification,
        note=_("Submitted online."),
        at=at,
    )
    for kind, file in documents.items():
        try:
            case_add_document(case=case, kind=kind, file=file, actor=actor, at=at)
        except InvalidInput as error:
            # At the upload it is about (the whole submission is refused).
            raise InvalidInput(error.message, field=f"file_{kind}") from error
    if draft is not None:
        CaseDraft.objects.filter(pk=draft.pk, case__isnull=True).update(case=case)
    return case


def classification_problem(patent_type: str, value: str) -> str:
    """A short check of the main classification's form (the workbench's validator will
    replace it): an IPC symbol such as C08K 3/04 or a subclass such as C08K; a Locarno
    class such as 14-02 for designs. Empty when it looks right."""
    import re

    if not value:
        return _("A main classification is required.")
    compact = value.replace(" ", "")
    if patent_type == PatentType.DESIGN:
        if not re.fullmatch(r"\d{1,2}(-\d{1,2})?", compact):
            return _("A design's classification is a Locarno class, e.g. 14-02.")
        return ""
    if not re.fullmatch(r"[A-H]\d{2}[A-Z](\d{1,4}/\d{1,6})?", compact):
        return _("An IPC classification looks like C08K 3/04 (or the subclass C08K).")
    return ""


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


# The CNIPA steps an applicant reports online, each through the staff's own service.
REPORTS = {
    "record_filing": case_record_filing,
    "record_office_action": case_record_office_action,
    "record_response": case_record_response,
    "record_grant_notice": case_record_grant_notice,
}


@transaction.atomic
def portal_report(
    *,
    actor: Actor,
    case: Case,
    name: str,
    values: Mapping[str, Any],
    attachment: File | None = None,
    at: datetime | None = None,
) -> Case:
    """Report a CNIPA step (``REPORTS``) with the same service and checks staff use; the
    paper it comes with (the receipt, the notice) is kept as a supporting document."""
    at = now_or(at)
    case = REPORTS[name](case=case, actor=actor, at=at, note=_("Reported online."), **values)
    if attachment is not None:
        case_add_document(case=case, kind=DocumentKind.OTHER, file=attachment, actor=actor, at=at)
    return case
