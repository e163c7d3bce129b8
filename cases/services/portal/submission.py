"""Submitting online: drafts with their documents, the quota-checked submission, and
the CNIPA steps the applicant reports through the staff's own services."""

from __future__ import annotations

import secrets
import tempfile
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
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
    Case,
    CaseDraft,
    DraftDocument,
    Entity,
    RequiredDocument,
    SubmissionQuota,
)
from cases.services.cases import case_submit
from cases.services.cnipa import (
    case_record_filing,
    case_record_grant_notice,
    case_record_office_action,
    case_record_response,
)
from cases.services.documents import EXTENSIONS, case_add_document, check_upload, display_name
from cases.services.transitions import local_day, now_or
from cases.validators import normalize_classification


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
    try:
        classification = normalize_classification(patent_type, classification)
    except ValidationError as error:
        raise InvalidInput(error.messages[0], field="classification") from None
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
