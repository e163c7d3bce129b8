"""What a portal user may read: one scope, ``portal_cases_for``, under every page.

A portal user sees their entity's cases, or, for an agency's user, the cases of the
entities that authorised the agency and have not revoked it. Every portal page reads
its case, documents and notices through these, so a case outside the scope is exactly
as absent as one that does not exist (the views answer 404 for both).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet

from cases.choices import TERMINAL_STATES, CaseState, DocumentKind
from cases.models import (
    AgencyAuthorisation,
    Case,
    CaseDocument,
    CaseDraft,
    CorrectionRequest,
    Entity,
    Notice,
    NoticeRead,
    Party,
    PortalAccount,
    Timer,
    WebhookDelivery,
    WebhookEndpoint,
)
from cases.permissions import portal_account_of


def portal_entities_for(user: Any) -> QuerySet[Entity]:
    """The entities a portal user acts for (none for staff and anonymous users)."""
    if not getattr(user, "is_authenticated", False):
        return Entity.objects.none()
    account = portal_account_of(user)
    if account is None:
        return Entity.objects.none()
    if account.entity_id is not None:
        return Entity.objects.filter(pk=account.entity_id)
    if account.agency_id is not None:
        authorised = AgencyAuthorisation.objects.active().filter(
            entity=OuterRef("pk"), agency_id=account.agency_id
        )
        return Entity.objects.filter(Exists(authorised))
    return Entity.objects.none()


def portal_cases_for(user: Any) -> QuerySet[Case]:
    """The cases a portal user may see (their entity's, or their agency's principals')."""
    return Case.objects.filter(entity__in=portal_entities_for(user).values("pk"))


def portal_case(user: Any, reference: str) -> Case:
    """The case of that reference within the user's scope; ``Case.DoesNotExist`` otherwise."""
    return portal_cases_for(user).select_related("center", "entity").get(reference=reference)


def portal_document(user: Any, reference: str, document_id: int) -> CaseDocument:
    """One document of a case in scope (notices included); ``DoesNotExist`` otherwise."""
    return CaseDocument.objects.select_related("case").get(
        pk=document_id, case__in=portal_cases_for(user), case__reference=reference
    )


def portal_notices_for(user: Any) -> QuerySet[Notice]:
    """Every notice of the user's cases, newest first, each marked ``unread``."""
    read = NoticeRead.objects.filter(notice=OuterRef("pk"), user_id=user.pk)
    return (
        Notice.objects.filter(case__in=portal_cases_for(user))
        .select_related("case", "document")
        .annotate(is_read=Exists(read))
        .order_by("-issued_at", "-id")
    )


def portal_notice(user: Any, notice_id: int) -> Notice:
    return portal_notices_for(user).get(pk=notice_id)


def portal_unread_count(user: Any) -> int:
    return portal_notices_for(user).filter(is_read=False).count()


# The states in which the applicant owes the center or CNIPA something.
APPLICANT_STATES = frozenset(
    {
        CaseState.CORRECTION_REQUESTED,
        CaseState.QUALIFIED,
        CaseState.OFFICE_ACTION,
        CaseState.GRANT_NOTIFIED,
    }
)


@dataclass(frozen=True)
class CaseListFilters:
    state: str = ""
    owed: bool = False
    open_only: bool = False
    query: str = ""


def portal_case_list(user: Any, filters: CaseListFilters) -> QuerySet[Case]:
    """The user's cases, nearest deadline first (cases without one last), with what the
    applicant owes (``owed_step``, ``owed_due_on``) read from their running clock."""
    owed = Timer.objects.ticking().filter(case=OuterRef("pk"), party=Party.APPLICANT)
    cases = portal_cases_for(user).select_related("center", "entity").annotate(owes=Exists(owed))
    if filters.state:
        cases = cases.filter(state=filters.state)
    if filters.owed:
        cases = cases.filter(owes=True)
    if filters.open_only:
        cases = cases.exclude(state__in=TERMINAL_STATES)
    if filters.query:
        q = filters.query.strip()
        cases = cases.filter(
            Q(reference__icontains=q) | Q(title__icontains=q) | Q(application_number__icontains=q)
        )
    return cases.order_by(F("next_due_on").asc(nulls_last=True), "-submitted_at")


def owed_deadlines(case_ids: list[int]) -> dict[int, Timer]:
    """The nearest running applicant clock of each case."""
    result: dict[int, Timer] = {}
    for timer in (
        Timer.objects.ticking()
        .filter(case_id__in=case_ids, party=Party.APPLICANT)
        .order_by("case_id", "due_on")
    ):
        result.setdefault(timer.case_id, timer)
    return result


def portal_correction_request(case: Case) -> CorrectionRequest | None:
    """The correction request a case waits for, if it does."""
    if case.state != CaseState.CORRECTION_REQUESTED:
        return None
    return (
        CorrectionRequest.objects.filter(case=case)
        .select_related("event")
        .order_by("-created_at", "-id")
        .first()
    )


def portal_case_documents(case: Case) -> list[CaseDocument]:
    """The case's uploaded documents (all versions, newest last) and its notices."""
    return list(
        CaseDocument.objects.filter(case=case)
        .exclude(kind=DocumentKind.NOTICE)
        .order_by("kind", "version")
    )


def portal_drafts_for(user: Any) -> QuerySet[CaseDraft]:
    return CaseDraft.objects.filter(
        entity__in=portal_entities_for(user).values("pk"), case__isnull=True
    ).select_related("entity")


def agency_webhook_endpoints(user: Any) -> QuerySet[WebhookEndpoint]:
    """The webhook endpoints of the user's agency, if they are its administrator (nobody
    else's: another agency's endpoint is absent)."""
    account = portal_account_of(user) if getattr(user, "is_authenticated", False) else None
    if (
        account is None
        or account.agency_id is None
        or account.role != PortalAccount.Role.ADMINISTRATOR
    ):
        return WebhookEndpoint.objects.none()
    return WebhookEndpoint.objects.filter(agency_id=account.agency_id).order_by("name", "id")


def webhook_deliveries_recent(endpoint: WebhookEndpoint, limit: int = 50) -> list[WebhookDelivery]:
    """An endpoint's latest deliveries, newest first, with their cases' references."""
    return list(
        WebhookDelivery.objects.filter(endpoint=endpoint)
        .select_related("case")
        .order_by("-created_at", "-id")[:limit]
    )
