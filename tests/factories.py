"""Build centers, entities, staff and cases in any state, through the services."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.auth.models import Group, User
from django.core.files.base import ContentFile
from django.utils import timezone

from cases import services
from cases.actors import Actor
from cases.appnumbers import make_application_number
from cases.demo.files import sample_pdf
from cases.models import (
    Case,
    CaseDocument,
    CaseState,
    Center,
    Entity,
    RegistrationState,
    RequiredDocument,
    Role,
    StaffProfile,
)
from cases.services.documents import case_add_document
from cases.validators import make_credit_code

_seq = itertools.count(1)
TYPE_DIGIT = {"invention": 1, "utility_model": 2, "design": 3}


def at(day: str, hour: int = 10) -> datetime:
    """``day`` (ISO) at ``hour`` o'clock, local time."""
    return timezone.make_aware(datetime.fromisoformat(f"{day}T{hour:02d}:00"))


def make_center(code: str | None = None, **fields: Any) -> Center:
    n = next(_seq)
    defaults = {
        "name": f"Center {n}",
        "region": "Shanghai",
        "ipc_prefixes": "C08, B01D, H01M",
        "locarno_classes": "12, 14",
        "phone": "021-0000000",
        "email": "center@example.com",
    }
    defaults.update(fields)
    return Center.objects.create(code=code or f"C{n}", **defaults)


def make_entity(center: Center, *, approved: bool = True, **fields: Any) -> Entity:
    n = next(_seq)
    defaults = {
        "name": f"Entity {n} Co., Ltd.",
        "credit_code": make_credit_code(f"913100{n:011d}"),
        "contact_name": "Li Lei",
        "contact_email": f"contact{n}@example.com",
    }
    defaults.update(fields)
    entity = Entity.objects.create(center=center, **defaults)
    if approved:
        entity = services.entity_transition(entity=entity, name="approve", actor=staff_of(center))
        assert entity.registration_state == RegistrationState.APPROVED
    return entity


def make_user(
    role: Role | str | None, center: Center | None, *, username: str | None = None
) -> User:
    n = next(_seq)
    user = User.objects.create_user(
        username=username or f"user{n}", password="pw-for-tests-1", is_staff=True
    )
    if role:
        user.groups.add(Group.objects.get(name=str(role)))
    if center is not None:
        StaffProfile.objects.create(user=user, center=center)
    return user


def center_staff(center: Center | int, role: Role | str = Role.CENTER_ADMIN) -> User:
    """The center's staff member of ``role``, made on first use and the same afterwards."""
    center_id = center if isinstance(center, int) else center.pk
    username = f"{role}-of-center-{center_id}"
    user = User.objects.filter(username=username).first()
    if user is None:
        user = make_user(role, Center.objects.get(pk=center_id), username=username)
    return user


def staff_of(obj: Any, role: Role | str = Role.CENTER_ADMIN) -> Actor:
    """A staff member of the center of ``obj`` (a case or its id, an entity, a center),
    acting in the admin: by default its center administrator, who may do everything."""
    if isinstance(obj, int):
        obj = Case.objects.get(pk=obj)
    center = obj if isinstance(obj, Center) else obj.center_id
    return Actor.admin(center_staff(center, role))


def make_superuser() -> User:
    n = next(_seq)
    return User.objects.create_superuser(username=f"admin{n}", password="pw-for-tests-1")


# The shortest path from submission to each state, as (service name, extra kwargs).
PATHS: dict[str, list[str]] = {
    CaseState.SUBMITTED: [],
    CaseState.UNDER_REVIEW: ["accept"],
    CaseState.CORRECTION_REQUESTED: ["accept", "request_correction"],
    CaseState.QUALIFIED: ["accept", "qualify"],
    CaseState.FILED: ["accept", "qualify", "record_filing"],
    CaseState.OFFICE_ACTION: ["accept", "qualify", "record_filing", "record_office_action"],
    CaseState.GRANT_NOTIFIED: ["accept", "qualify", "record_filing", "record_grant_notice"],
    CaseState.GRANTED: [
        "accept",
        "qualify",
        "record_filing",
        "record_grant_notice",
        "record_registration",
    ],
    CaseState.NOT_ACCEPTED: ["decline"],
    CaseState.UNQUALIFIED: ["accept", "disqualify"],
    CaseState.WITHDRAWN: ["withdraw"],
    CaseState.LAPSED: ["accept", "qualify", "lapse"],
    CaseState.REJECTED: ["accept", "qualify", "record_filing", "record_rejection"],
    CaseState.FAST_TRACK_EXITED: ["accept", "qualify", "record_filing", "record_fast_track_exit"],
}


def transition_kwargs(name: str, case: Case, on: date) -> dict[str, Any]:
    """Valid input for a transition of ``case`` taken on day ``on``."""
    if name == "record_filing":
        number = make_application_number(on.year, TYPE_DIGIT[case.patent_type], case.pk)
        return {"application_number": str(number), "filing_date": on}
    if name == "record_office_action":
        return {"notice_date": on}
    if name == "record_grant_notice":
        return {"notice_date": on, "received_on": on}
    if name == "request_correction":
        return {"public_note": "Please number the claims consecutively."}
    if name == "decline":
        return {"public_note": "The main classification is outside the center's fields."}
    if name == "disqualify":
        return {"public_note": "Claim 1 lacks novelty over the cited document."}
    if name == "lapse":
        return {
            "public_note": "The application was not filed with CNIPA in time.",
            "override_reason": "The applicant wrote that they will not file.",
        }
    return {}


def pdf_file(name: str = "document.pdf", content: bytes | None = None) -> ContentFile:
    """An upload: a real one-page PDF (or ``content``) named ``name``."""
    return ContentFile(content if content is not None else sample_pdf("claims", name), name=name)


def add_documents(
    case: Case,
    kinds: list[str] | None = None,
    *,
    actor: Actor | None = None,
    at: datetime | None = None,
) -> list[CaseDocument]:
    """One real PDF for each of ``kinds`` (default: the set the case's center requires)."""
    if kinds is None:
        kinds = RequiredDocument.objects.kinds_for(
            center_id=case.center_id, patent_type=case.patent_type
        )
    return [
        case_add_document(
            case=case,
            kind=kind,
            file=ContentFile(sample_pdf(kind, case.reference), name=f"{kind}.pdf"),
            actor=actor or staff_of(case),
            at=at,
        )
        for kind in kinds
    ]


def make_case(
    state: str = CaseState.SUBMITTED,
    *,
    center: Center | None = None,
    entity: Entity | None = None,
    patent_type: str = "invention",
    classification: str | None = None,
    start: datetime | None = None,
    step_days: int = 1,
    documents: bool = True,
) -> Case:
    """A case driven through the services to ``state``; events and clocks are real.

    Each step happens ``step_days`` after the previous one, starting at ``start``
    (default: long enough ago that the last step is not in the future). With
    ``documents`` (the default) it has the complete set of documents from submission,
    as accepting needs.
    """
    if entity is None:
        entity = make_entity(center or make_center())
    path = PATHS[state]
    if start is None:
        start = timezone.now() - timedelta(days=step_days * len(path) + 1)
    if classification is None:
        classification = "14-02" if patent_type == "design" else "C08K 3/04"
    actor = staff_of(entity)
    case = services.case_submit(
        actor=actor,
        entity=entity,
        patent_type=patent_type,
        title=f"Composite material {next(_seq)}",
        classification=classification,
        at=start,
    )
    if documents:
        add_documents(case, actor=actor, at=start)
    at = start
    for name in path:
        at = at + timedelta(days=step_days)
        kwargs = transition_kwargs(name, case, timezone.localdate(at))
        case = services.SERVICES[name](case=case, actor=actor, at=at, **kwargs)
    assert case.state == state
    return case


def make_granted(
    entity: Entity,
    *,
    submitted: datetime,
    notice: date,
    gross: int,
    patent_type: str = "invention",
) -> Case:
    """A granted case with its submission, CNIPA filing (the day it was submitted), grant
    notice and benchmark days (net = gross) set by hand."""
    case = make_case(CaseState.GRANTED, entity=entity, patent_type=patent_type)
    Case.objects.filter(pk=case.pk).update(
        updated_at=timezone.now(),
        submitted_at=submitted,
        accepted_at=submitted,
        qualified_at=submitted,
        cnipa_filing_date=timezone.localdate(submitted),
        grant_notice_date=notice,
        benchmark_gross_days=gross,
        benchmark_net_days=gross,
    )
    return case


def make_portal_user(
    *, entity: Entity | None = None, agency: Any = None, email: str | None = None
) -> User:
    """A portal user (never staff) with a verified e-mail, of ``entity`` or ``agency``,
    administrator of it; password ``pw-for-tests-1``."""
    from allauth.account.models import EmailAddress

    from cases.models import PortalAccount

    n = next(_seq)
    email = email or f"portal{n}@example.com"
    user = User.objects.create_user(username=f"portal{n}", email=email, password="pw-for-tests-1")
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    PortalAccount.objects.create(user=user, entity=entity, agency=agency)
    return user


def make_agency(code: str | None = None) -> Any:
    from cases.models import Agency

    n = next(_seq)
    return Agency.objects.create(code=code or f"{31000 + n}", name=f"Agency {n}")


def authorise(entity: Entity, agency: Any) -> Any:
    from cases.models import AgencyAuthorisation

    return AgencyAuthorisation.objects.create(entity=entity, agency=agency)
