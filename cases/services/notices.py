"""The center's notices (通知书): numbered, fixed, made into a PDF once, sent.

Five transitions produce one (``NOTICE_OF_TRANSITION``): accept 受理通知书, decline
不予受理通知书, request_correction 补正通知书, qualify 预审合格通知书, disqualify 预审不合格通知书.
The service of the transition calls ``notice_issue`` right after writing its event, in
its transaction: the number is taken from a counter row locked per center and year (so
two notices at once get consecutive numbers, and a transition that rolls back gives its
number back), and the template ``cases/notices/<kind>.html`` is rendered in the
applicant's language and stored with the notice. A decision therefore never exists
without its notice, and its content can never change afterwards.

Turning that content into a PDF (WeasyPrint, about 0.1 s, more for a process's first)
is left out of the transition: ``notice_pdf`` does it once, the first time the PDF is
needed (the e-mail that attaches it, a download), under the case lock, and stores it as
a ``CaseDocument`` of kind ``notice`` linked to the notice; every later read gets that
same file. So what is stored is what is sent, and no retry can make a second one.
``notice_correct`` issues a new notice, with a new number, naming the one it replaces.
"""

from __future__ import annotations

import hashlib
import io
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from cases import events
from cases.actors import SYSTEM, Actor
from cases.choices import NOTICE_OF_TRANSITION, DocumentKind, NoticeKind, kind_labels
from cases.errors import InvalidInput
from cases.models import (
    Case,
    CaseDocument,
    CaseEvent,
    CorrectionRequest,
    Notice,
    NoticeCounter,
    Step,
    Timer,
    Unit,
)
from cases.models import Counting as C
from cases.services import clocks, outbox, webhooks
from cases.services.documents import PDF, Checked, document_store
from cases.services.status_pages import status_pages_forget
from cases.services.transitions import case_locked, check_permission, local_day, now_or

# The applicant's clock each notice announces, if any.
NOTICE_STEP: dict[str, str] = {
    NoticeKind.ACCEPTANCE: Step.REVIEW,
    NoticeKind.CORRECTION: Step.CORRECTION,
    NoticeKind.QUALIFICATION: Step.FILING,
}


def notice_number(center_code: str, year: int, serial: int) -> str:
    """``SH-TZ-2026-000123``: center, 通知 (notice), year, serial within the year."""
    return f"{center_code}-TZ-{year}-{serial:06d}"


def _next_number(case: Case, year: int) -> str:
    # Creating the row cannot race: a second INSERT waits for the first and then does
    # nothing; the row lock then serialises the increments.
    NoticeCounter.objects.bulk_create(
        [NoticeCounter(center_id=case.center_id, year=year)], ignore_conflicts=True
    )
    counter = NoticeCounter.objects.select_for_update().get(center_id=case.center_id, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return notice_number(case.center.code, year, counter.last)


def notice_issue(
    *,
    case: Case,
    event: CaseEvent,
    actor: Actor,
    at: datetime,
    replaces: Notice | None = None,
    message: str | None = None,
) -> Notice:
    """The notice of ``event``'s decision, numbered and its content fixed (the caller
    holds the case lock); the PDF is made later by ``notice_pdf``. ``message`` replaces
    the event's message in a corrected notice."""
    kind = NOTICE_OF_TRANSITION[event.transition]
    number = _next_number(case, local_day(at).year)
    language = case.entity.contact_language or settings.LANGUAGE_CODE
    with translation.override(language):
        html = render_to_string(
            f"cases/notices/{kind}.html",
            notice_context(
                case=case,
                event=event,
                kind=kind,
                number=number,
                day=local_day(at),
                replaces=replaces,
                message=event.public_note if message is None else message,
            ),
        )
    notice = Notice.objects.create(
        case=case,
        kind=kind,
        number=number,
        event=event,
        html=html,
        replaces=replaces,
        language=language,
        issued_at=at,
    )
    events.notice_issued_event(case=case, actor=actor, at=at, notice=notice)
    webhooks.notice_issued(notice=notice)
    return notice


def notice_correct(
    *, notice: Notice | int, actor: Actor, message: str, at: datetime | None = None
) -> Notice:
    """Issue a corrected notice: a new number, the corrected message, and a line naming
    the notice it replaces; the applicant gets it by e-mail. The old one stays as sent."""
    at = now_or(at)
    pk = notice if isinstance(notice, int) else notice.pk
    case_id = Notice.objects.values_list("case_id", flat=True).get(pk=pk)
    with case_locked(case_id) as case:
        check_permission(
            actor,
            "cases.correct_notice",
            case,
            _("You are not allowed to correct this case's notices."),
        )
        old = Notice.objects.select_related("event").get(pk=pk)
        if Notice.objects.filter(replaces=old).exists():
            raise InvalidInput(
                _("Notice %(number)s has already been replaced: correct the newest one.")
                % {"number": old.number},
                field="notice",
            )
        if not message.strip():
            raise InvalidInput(_("Say what the corrected notice says."), field="message")
        notice = notice_issue(
            case=case, event=old.event, actor=actor, at=at, replaces=old, message=message.strip()
        )
        outbox.notice_corrected(notice=notice)
        # The status page lists the notices.
        status_pages_forget(case_id=case.pk)
    return notice


def notice_pdf(*, notice: Notice | int) -> CaseDocument:
    """The notice's PDF: made from its fixed content the first time it is asked for, under
    the case lock (so two readers at once make one), and stored; the same file ever after."""
    pk = notice if isinstance(notice, int) else notice.pk
    existing = CaseDocument.objects.filter(notice_id=pk).first()
    if existing is not None:
        return existing
    case_id = Notice.objects.values_list("case_id", flat=True).get(pk=pk)
    with case_locked(case_id) as case:
        existing = CaseDocument.objects.filter(notice_id=pk).first()
        if existing is not None:
            return existing
        notice = Notice.objects.select_related("event__actor").get(pk=pk)
        content = render_pdf(notice.html)
        issuer = notice.event.actor
        return document_store(
            case=case,
            kind=DocumentKind.NOTICE,
            checked=Checked(
                file=io.BytesIO(content),
                size=len(content),
                sha256=hashlib.sha256(content).hexdigest(),
                content_type=PDF,
                pages=_page_count(content),
            ),
            original_name=f"{notice.number}.pdf",
            actor=SYSTEM if issuer is None else Actor(user=issuer, channel=notice.event.channel),
            at=notice.issued_at,
            notice=notice,
        )


_font_config: list[Any] = []


def render_pdf(html: str) -> bytes:
    """The notice's PDF. The fonts are looked up once per process (a tenth of the time)."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    if not _font_config:
        _font_config.append(FontConfiguration())
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(font_config=_font_config[0])


def _page_count(content: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(content)).pages)


def notice_context(
    *,
    case: Case,
    event: CaseEvent,
    kind: str,
    number: str,
    day: date,
    replaces: Notice | None,
    message: str,
) -> dict[str, Any]:
    """What every notice template shows, in the active language."""
    step = NOTICE_STEP.get(kind)
    timer = (
        Timer.objects.filter(case=case, step=step, stopped_at__isnull=True).order_by("-id").first()
        if step
        else None
    )
    return {
        "number": number,
        "kind": kind,
        "title": NoticeKind(kind).label,
        "center": case.center,
        "case": case,
        "entity": case.entity,
        "patent_type": case.get_patent_type_display(),
        "message": message,
        "day": day,
        "replaces": replaces,
        "deadline": timer.due_on if timer else None,
        "deadline_estimated": bool(timer and timer.estimated),
        "deadline_rule": deadline_rule(timer) if timer else "",
        "status_url": settings.SITE_URL.rstrip("/") + reverse("cases:status_lookup"),
        "documents": _documents_to_replace(event),
    }


def _documents_to_replace(event: CaseEvent) -> str:
    request = CorrectionRequest.objects.filter(event=event).first()
    return kind_labels(request.kinds) if request and request.kinds else ""


def deadline_rule(timer: Timer) -> str:
    """The rule a notice's deadline follows, as the applicant reads it."""
    start = timer.started_on.isoformat()
    computed = clocks.rule_due(timer)
    if computed != timer.due_on:
        return _("the date set in this notice")
    if timer.unit == Unit.WORKDAYS:
        return _("%(amount)s working days from %(start)s (State Council holiday calendar)") % {
            "amount": timer.amount,
            "start": start,
        }
    unit = _("months") if timer.unit == Unit.MONTHS else _("days")
    if timer.counting == C.CNIPA:
        return _(
            "%(amount)s %(unit)s from %(start)s, counted as CNIPA counts periods: the first "
            "day is not counted, and a period ending on a rest day ends on the next working day"
        ) % {"amount": timer.amount, "unit": unit, "start": start}
    return _("%(amount)s %(unit)s from %(start)s") % {
        "amount": timer.amount,
        "unit": unit,
        "start": start,
    }
