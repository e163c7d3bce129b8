"""Who examines a case: automatic assignment on acceptance, and the examiner's e-mail.

A center that turns ``auto_assign`` on gives each case accepted without an examiner to
the examiner who:

- examines its field (``StaffProfile.ipc_prefixes`` / ``locarno_classes``, matched as
  the center's own fields are: ``C08`` covers ``C08K 3/04``, ``14`` covers ``14-02``);
- is not absent that day (``Absence``), and is active;
- has fewer open cases than their ``capacity`` (no capacity: no limit);

with the fewest open cases; ties go in turn (the one assigned a case longest ago
first). Nobody matching: the case stays unassigned and shows in the managers' watch
list. A manual assignment always wins: it is never replaced automatically.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, F, Q

from cases.choices import TERMINAL_STATES
from cases.models import Case, Notification, Party, StaffProfile, Timer
from cases.models.centers import fields_cover
from cases.services.outbox import request_delivery

User = get_user_model()


def examiner_pick(*, case: Case, on: date) -> Any | None:
    """The examiner automatic assignment gives ``case`` on day ``on``, or None."""
    candidates = (
        User.objects.filter(
            is_active=True,
            staff_profile__center_id=case.center_id,
            groups__permissions__content_type__app_label="cases",
            groups__permissions__codename="examine_case",
        )
        .exclude(absences__first_day__lte=on, absences__last_day__gte=on)
        .distinct()
        .select_related("staff_profile")
        .annotate(
            open_cases=Count(
                "assigned_cases",
                filter=~Q(assigned_cases__state__in=TERMINAL_STATES),
                distinct=True,
            )
        )
        .order_by(
            "open_cases",
            F("staff_profile__last_assigned_at").asc(nulls_first=True),
            "username",
        )
    )
    for user in candidates:
        profile = user.staff_profile
        if profile.capacity is not None and user.open_cases >= profile.capacity:
            continue
        if fields_cover(
            case.patent_type,
            case.classification,
            ipc_prefixes=profile.ipc_prefixes,
            locarno_classes=profile.locarno_classes,
        ):
            return user
    return None


def examiner_assigned(*, case: Case, examiner: Any, at: datetime, event_id: int) -> None:
    """Note the assignment (the turn for ties) and e-mail the examiner, in the caller's
    transaction."""
    StaffProfile.objects.filter(user=examiner).update(last_assigned_at=at)
    if not examiner.email:
        return
    # Read, not the user's cached profile: their language may have changed since.
    language = (
        StaffProfile.objects.filter(user=examiner).values_list("language", flat=True).first() or ""
    )
    payload: dict[str, Any] = {
        "reference": case.reference,
        "title": case.title,
        "state": case.state,
        "classification": case.classification,
        "applicant": case.entity.name,
    }
    due = (
        Timer.objects.ticking()
        .filter(case=case, party=Party.CENTER)
        .order_by("due_on")
        .values("step", "due_on")
        .first()
    )
    if due is not None:
        payload.update(step=due["step"], due_on=due["due_on"].isoformat())
    Notification.objects.bulk_create(
        [
            Notification(
                key=f"event:{event_id}:examiner",
                kind=Notification.Kind.CASE_ASSIGNED,
                case=case,
                recipient=examiner.email,
                language=language,
                payload=payload,
                created_at=at,
            )
        ],
        ignore_conflicts=True,
    )
    request_delivery()
