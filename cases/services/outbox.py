"""The notification outbox: rows written with their cause, delivered by e-mail afterwards.

Writers (the case services through ``case_event_recorded``, and the deadline sweep) add
``Notification`` rows inside their own transaction and ask for delivery once it commits.
Delivery is ``deliver_pending``, run by ``deliver_notifications_task`` on demand and every
minute: it claims one row at a time (``SELECT … FOR UPDATE SKIP LOCKED``), sends it and
marks it sent in the same small transaction, so two workers never send the same row and
a worker that dies mid-batch leaves only unsent rows pending. A failed send is retried
with exponential backoff and given up after ``MAX_ATTEMPTS``.

The broker being down never blocks or loses anything: the row is already committed, the
wake-up call is best-effort, and the periodic delivery finds the row a minute later.
"""

from __future__ import annotations

import contextlib
import logging
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from cases.choices import Channel
from cases.enqueue import DELIVER_NOTIFICATIONS, enqueue
from cases.models import CaseEvent, CaseState, Notice, Notification, Party, Step, Timer
from cases.services import webhooks

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
FIRST_RETRY_AFTER = timedelta(minutes=1)
LONGEST_RETRY_AFTER = timedelta(hours=6)

# Public transitions the applicant is told about by e-mail: a decision, something they
# must now do, or the center's record of their own step (the correction received, the
# CNIPA filing and the office-action response recorded: the confirmation, and the next
# due date). Not the submission: staff hand over the access code with it.
APPLICANT_NOTICES = frozenset(
    {
        "receive_correction",
        "record_filing",
        "record_response",
        "accept",
        "decline",
        "request_correction",
        "qualify",
        "disqualify",
        "record_office_action",
        "record_grant_notice",
        "record_rejection",
        "record_fast_track_exit",
        "record_registration",
        "lapse",
        "withdraw",
    }
)


def case_event_recorded(*, event: CaseEvent, notice: Notice | None = None) -> None:
    """Queue the e-mail a new case event causes, in the caller's transaction.

    Only public events of ``APPLICANT_NOTICES`` notify anyone: the applicant's contact,
    in their language, with the event's ``notice`` (PDF) attached. Delivery is requested
    once the transaction commits. Webhooks of the case's center are written here too.
    """
    webhooks.case_event_recorded(event=event)
    if event.transition == "receive_correction" and event.channel == Channel.PORTAL:
        _tell_examiner(event)
    if not event.public or event.transition not in APPLICANT_NOTICES:
        return
    case = event.case
    entity = case.entity
    if not entity.contact_email:
        return
    owed = (
        Timer.objects.ticking()
        .filter(case=case, party=Party.APPLICANT)
        .order_by("due_on")
        .values("step", "due_on", "estimated")
        .first()
    )
    payload: dict[str, Any] = {
        "reference": case.reference,
        "title": case.title,
        "name": entity.contact_name,
        "transition": event.transition,
        "state": event.to_state,
        "public_note": event.public_note,
    }
    if owed is not None:
        payload.update(
            step=owed["step"], due_on=owed["due_on"].isoformat(), due_estimated=owed["estimated"]
        )
    if notice is not None:
        payload.update(notice_id=notice.pk, notice_number=notice.number)
    Notification.objects.bulk_create(
        [
            Notification(
                key=f"event:{event.pk}:applicant",
                kind=Notification.Kind.CASE_TRANSITION,
                case=case,
                recipient=entity.contact_email,
                language=entity.contact_language,
                payload=payload,
                created_at=event.created_at,
            )
        ],
        ignore_conflicts=True,
    )
    request_delivery()


def _tell_examiner(event: CaseEvent) -> None:
    """The assigned examiner learns that the applicant sent the correction online."""
    case = event.case
    examiner = case.examiner
    if examiner is None or not examiner.email:
        return
    profile = getattr(examiner, "staff_profile", None)
    Notification.objects.bulk_create(
        [
            Notification(
                key=f"event:{event.pk}:examiner",
                kind=Notification.Kind.CORRECTION_RECEIVED,
                case=case,
                recipient=examiner.email,
                language=profile.language if profile is not None else settings.LANGUAGE_CODE,
                payload={
                    "reference": case.reference,
                    "title": case.title,
                    "state": case.state,
                    "note": event.note,
                },
                created_at=event.created_at,
            )
        ],
        ignore_conflicts=True,
    )
    request_delivery()


def portal_invitation(*, invitation: Any) -> None:
    """The invited colleague gets the sign-up link; verifying the address joins them."""
    inviter = invitation.entity or invitation.agency
    Notification.objects.bulk_create(
        [
            Notification(
                key=f"invitation:{invitation.pk}",
                kind=Notification.Kind.PORTAL_INVITATION,
                center_id=invitation.entity.center_id if invitation.entity_id else None,
                recipient=invitation.email,
                language=settings.LANGUAGE_CODE,
                payload={"inviter": str(inviter), "email": invitation.email},
                created_at=invitation.created_at,
            )
        ],
        ignore_conflicts=True,
    )
    request_delivery()


def notice_corrected(*, notice: Notice) -> None:
    """Send the applicant a corrected notice (attached), saying which one it replaces."""
    case = notice.case
    entity = case.entity
    if not entity.contact_email:
        return
    Notification.objects.bulk_create(
        [
            Notification(
                key=f"notice:{notice.pk}:applicant",
                kind=Notification.Kind.NOTICE_CORRECTED,
                case=case,
                recipient=entity.contact_email,
                language=entity.contact_language,
                payload={
                    "reference": case.reference,
                    "title": case.title,
                    "name": entity.contact_name,
                    "state": case.state,
                    "notice_id": notice.pk,
                    "notice_number": notice.number,
                    "replaces_number": notice.replaces.number if notice.replaces else "",
                },
                created_at=notice.issued_at,
            )
        ],
        ignore_conflicts=True,
    )
    request_delivery()


def attachments(notification: Notification) -> list[tuple[str, bytes, str]]:
    """The notice PDF a notification carries (made now if it is the first time it is
    needed; the same stored file on every retry): (name, bytes, type)."""
    # notices writes this module's rows, so it is imported when a notice is attached.
    from cases.services.notices import notice_pdf

    notice_id = notification.payload.get("notice_id")
    if not notice_id:
        return []
    document = notice_pdf(notice=notice_id)
    with document.file.open("rb") as stored:
        return [(document.original_name, stored.read(), document.content_type)]


def request_delivery() -> None:
    """Wake the delivery task once the current transaction commits (best-effort)."""
    transaction.on_commit(_send_delivery_task, robust=True)


# One wake-up is enough for every row committed before the task runs: a burst of
# transitions (an import, the demo data) must not queue one task each.
_WAKE_UP_KEY = "pc:delivery-requested"
_WAKE_UP_SECONDS = 5


def _send_delivery_task() -> None:
    if not cache.add(_WAKE_UP_KEY, True, timeout=_WAKE_UP_SECONDS):
        return
    if not enqueue(DELIVER_NOTIFICATIONS):
        cache.delete(_WAKE_UP_KEY)


@transaction.atomic
def notifications_requeue(*, ids: list[int]) -> int:
    """Put failed notifications back in the queue with fresh attempts; returns how many."""
    count = Notification.objects.filter(id__in=ids, status=Notification.Status.FAILED).update(
        status=Notification.Status.PENDING, attempts=0, next_attempt_at=timezone.now()
    )
    if count:
        request_delivery()
    return count


def retry_delay(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed send: 1, 2, 4, … minutes, at most 6 hours."""
    return min(FIRST_RETRY_AFTER * 2 ** max(attempts - 1, 0), LONGEST_RETRY_AFTER)


def deliver_pending(*, limit: int = 200, now: datetime | None = None) -> int:
    """Send up to ``limit`` due notifications, each in its own transaction; return how many sent."""
    now = now or timezone.now()
    connection = mail.get_connection()
    sent = 0
    try:
        for _ in range(limit):
            outcome = _deliver_next(now=now, connection=connection)
            if outcome is None:
                break
            sent += outcome
    finally:
        connection.close()
    return sent


def _deliver_next(*, now: datetime, connection: Any) -> int | None:
    """Claim, send and mark one due row: 1 if sent, 0 if it failed, None if none is due."""
    with transaction.atomic():
        row = (
            Notification.objects.due(at=now)
            .select_for_update(skip_locked=True)
            .order_by("next_attempt_at", "id")
            .first()
        )
        if row is None:
            return None
        row.attempts += 1
        try:
            subject, body = render(row)
            message = mail.EmailMessage(subject, body, None, [row.recipient], connection=connection)
            for name, content, content_type in attachments(row):
                message.attach(name, content, content_type)
            connection.open()  # the first row opens it; the others reuse it
            message.send(fail_silently=False)
        except Exception as error:
            with contextlib.suppress(Exception):
                connection.close()  # reopened for the next row, should it have broken
            row.last_error = f"{type(error).__name__}: {error}"[:2000]
            if row.attempts >= MAX_ATTEMPTS:
                row.status = Notification.Status.FAILED
                logger.error("Notification %s failed for good: %s", row.key, row.last_error)
            else:
                row.next_attempt_at = timezone.now() + retry_delay(row.attempts)
                logger.warning("Notification %s not sent: %s", row.key, row.last_error)
            row.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
            return 0
        row.status = Notification.Status.SENT
        row.sent_at = timezone.now()
        row.save(update_fields=["attempts", "status", "sent_at"])
        return 1


def render(notification: Notification) -> tuple[str, str]:
    """Subject and body in the recipient's language, from ``cases/email/<kind>_*.txt``."""
    language = notification.language or settings.LANGUAGE_CODE
    with translation.override(language):
        context = _context(notification.payload)
        context["link"] = _link(notification)
        if notification.kind in APPLICANT_KINDS:
            from django.urls import reverse

            context["portal_link"] = settings.SITE_URL.rstrip("/") + reverse("portal:notice_list")
        context["from_center"] = _center_of(notification)
        template = f"cases/email/{notification.kind}"
        subject = render_to_string(f"{template}_subject.txt", context)
        body = render_to_string(f"{template}_body.txt", context)
    return " ".join(subject.split()), body.strip() + "\n"


def _center_of(notification: Notification) -> Any:
    """The center the e-mail is from: every e-mail names it and how to reach it."""
    if notification.center_id is not None:
        return notification.center
    if notification.case_id is not None:
        return notification.case.center
    return None


APPLICANT_KINDS = frozenset(
    {
        Notification.Kind.CASE_TRANSITION,
        Notification.Kind.NOTICE_CORRECTED,
        Notification.Kind.APPLICANT_REMINDER,
        Notification.Kind.APPLICANT_DUE_TODAY,
    }
)


def _link(notification: Notification) -> str:
    """Where the recipient reads more: the signed status page, or the staff case page.

    Signed when sent, so a link is valid for STATUS_LINK_MAX_AGE_DAYS from delivery. The
    status page opens in the e-mail's language: the link passes through the language
    switch, which remembers it and goes on to the page (staff get their profile's
    language when they log in).
    """
    from urllib.parse import quote

    from django.urls import reverse

    from cases.services.access import case_status_link

    base = settings.SITE_URL.rstrip("/")
    if notification.kind == Notification.Kind.PORTAL_INVITATION:
        return base + reverse("account_signup")
    if notification.kind in APPLICANT_KINDS:
        language = notification.language or settings.LANGUAGE_CODE
        switch = reverse("cases:language_switch", args=[language])
        return f"{base}{switch}?next={quote(case_status_link(notification.case), safe='/')}"
    if notification.case_id is None:
        # A digest: the center's overdue cases (the admin shows staff their own center's).
        return base + reverse("admin:cases_case_changelist") + "?deadline=overdue"
    return base + reverse("admin:cases_case_change", args=[notification.case_id])


def _context(payload: dict[str, Any]) -> dict[str, Any]:
    """The payload plus labels, translated in the active language."""
    context = dict(payload)
    if payload.get("due_on"):
        context["due_on"] = date.fromisoformat(payload["due_on"])
    if payload.get("step"):
        context["step_label"] = Step(payload["step"]).label
    if payload.get("state"):
        context["state_label"] = CaseState(payload["state"]).label
    if "steps" in payload:  # a digest: each listed step like a single one
        context["steps"] = [_context(item) for item in payload["steps"]]
        context["more"] = payload.get("count", 0) - len(payload["steps"])
    return context
