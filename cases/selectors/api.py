"""What an API caller may read: one scope per audience, and the API's case queries.

Every API read starts from ``api_cases`` / ``api_entities`` / ``api_events`` /
``api_documents``: a case outside the scope does not exist for the caller (404). The
rule per audience:

- superusers: every center;
- staff: their own center's (the same rule as ``CenterBackend`` and the admin);
- portal users (entity and agency accounts): nothing yet. The portal issue adds their
  rule here, in ``_portal_cases`` and ``_portal_entities`` (their entity's cases, or
  those of entities that authorised their agency), and nowhere else: the views, the
  webhooks' case body and the iCal feeds all read through these functions.

Staff see internal events; everybody else only public ones (``sees_internal``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db.models import Prefetch, QuerySet

from cases.models import ApiToken, CalendarFeed, Case, CaseDocument, CaseEvent, Entity, Timer
from cases.permissions import user_center_id
from cases.selectors.portal import portal_cases_for, portal_entities_for


def is_center_staff(user: Any) -> bool:
    """A staff member working for a center (the admin's audience)."""
    return bool(user.is_active and user.is_staff and user_center_id(user) is not None)


def sees_internal(user: Any) -> bool:
    """Internal events and notes are for the center's staff only."""
    return bool(user.is_active and (user.is_superuser or is_center_staff(user)))


def _portal_cases(user: Any) -> QuerySet[Case]:
    """Portal users' cases: their entity's, or those of the entities that authorised
    their agency (the portal's own scope)."""
    return portal_cases_for(user)


def _portal_entities(user: Any) -> QuerySet[Entity]:
    return portal_entities_for(user)


def api_cases(user: Any) -> QuerySet[Case]:
    """Every case ``user`` may read through the API."""
    if not user.is_active:
        return Case.objects.none()
    if user.is_superuser:
        return Case.objects.all()
    if is_center_staff(user):
        return Case.objects.filter(center_id=user_center_id(user))
    return _portal_cases(user)


def api_entities(user: Any) -> QuerySet[Entity]:
    if not user.is_active:
        return Entity.objects.none()
    if user.is_superuser:
        return Entity.objects.all()
    if is_center_staff(user):
        return Entity.objects.filter(center_id=user_center_id(user))
    return _portal_entities(user)


def api_events(user: Any) -> QuerySet[CaseEvent]:
    events = CaseEvent.objects.filter(case__in=api_cases(user))
    return events if sees_internal(user) else events.filter(public=True)


def api_documents(user: Any) -> QuerySet[CaseDocument]:
    return CaseDocument.objects.filter(case__in=api_cases(user))


def case_list_api(
    user: Any,
    *,
    state: list[str] | None = None,
    patent_type: str = "",
    center: str = "",
    entity_id: int | None = None,
    examiner_id: int | None = None,
    due_before: date | None = None,
    at_risk: bool | None = None,
    overdue: bool | None = None,
    updated_since: datetime | None = None,
) -> QuerySet[Case]:
    """The caller's cases with the list's filters, with what a list row shows."""
    cases = api_cases(user).select_related("center", "entity", "examiner")
    if state:
        cases = cases.filter(state__in=state)
    if patent_type:
        cases = cases.filter(patent_type=patent_type)
    if center:
        cases = cases.filter(center__code=center)
    if entity_id is not None:
        cases = cases.filter(entity_id=entity_id)
    if examiner_id is not None:
        cases = cases.filter(examiner_id=examiner_id)
    if due_before is not None:
        cases = cases.filter(next_due_on__lt=due_before)
    if at_risk is not None:
        cases = cases.filter(at_risk_since__isnull=not at_risk)
    if overdue is not None:
        cases = cases.filter(overdue_since__isnull=not overdue)
    if updated_since is not None:
        cases = cases.filter(updated_at__gte=updated_since)
    return cases


def case_detail_api(user: Any, *, reference: str) -> Case | None:
    """One case with its clocks and the events the caller may see; None if invisible."""
    events = CaseEvent.objects.select_related("actor").order_by("created_at", "id")
    if not sees_internal(user):
        events = events.filter(public=True)
    return (
        api_cases(user)
        .select_related("center", "entity", "examiner")
        .prefetch_related(
            Prefetch("timers", queryset=Timer.objects.order_by("started_on", "id")),
            Prefetch("events", queryset=events, to_attr="visible_events"),
        )
        .filter(reference=reference)
        .first()
    )


def case_for_write_api(user: Any, *, reference: str) -> Case | None:
    """The case a write names, if the caller may see it (else the API answers 404)."""
    return api_cases(user).filter(reference=reference).select_related("center", "entity").first()


def timers_running(cases: QuerySet[Case]) -> QuerySet[Timer]:
    """The running clocks of ``cases`` (the iCal feeds)."""
    return (
        Timer.objects.running()
        .filter(case__in=cases)
        .select_related("case", "case__center")
        .order_by("due_on", "id")
    )


def api_tokens_of(user: Any) -> QuerySet[ApiToken]:
    """A person's own API tokens, newest first (the portal's *Calendar and API* page)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")


def calendar_feed_of(user: Any, feed_scope: str) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user, scope=feed_scope).first()
