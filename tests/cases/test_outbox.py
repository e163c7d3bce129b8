"""The outbox: rows written with the transition, delivered once, retried with backoff."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import connection, transaction
from django.utils import timezone

from cases import services
from cases.models import CaseEvent, CaseState, Notification, Step
from cases.services import outbox
from protection_center.celery import DELIVERY_TASK
from tests import factories
from tests.broker import purge_queue, queued_tasks

S = CaseState
Kind = Notification.Kind


class FailingBackend(LocmemBackend):
    """An SMTP server that refuses everything."""

    def send_messages(self, messages):
        raise ConnectionRefusedError("SMTP server unreachable")


class RendezvousBackend(LocmemBackend):
    """Each deliverer's first send waits until the other one is sending too, so that both
    hold a claimed row at the same moment, as two workers would (no sleeping)."""

    meeting = threading.Barrier(2)

    def send_messages(self, messages):
        if not getattr(self, "met", False):
            self.met = True
            RendezvousBackend.meeting.wait(timeout=10)
        return super().send_messages(messages)


def notice_of(case, transition: str) -> Notification:
    event = CaseEvent.objects.get(case=case, transition=transition)
    return Notification.objects.get(key=f"event:{event.pk}:applicant")


def pending_notices(n: int) -> list[Notification]:
    case = factories.make_case(S.SUBMITTED)
    return [
        Notification.objects.create(
            key=f"test:{case.pk}:{i}",
            kind=Kind.CASE_TRANSITION,
            case=case,
            recipient=f"r{i}@example.com",
            language="en",
            payload={"reference": case.reference, "title": case.title, "state": case.state},
        )
        for i in range(n)
    ]


@pytest.mark.django_db
def test_public_transition_queues_a_notice_to_the_applicant():
    entity = factories.make_entity(
        factories.make_center(), contact_email="ip@example.com", contact_language="en"
    )
    case = factories.make_case(S.UNDER_REVIEW, entity=entity)

    case = services.case_qualify(
        case=case, actor=factories.staff_of(case), public_note="Well drafted."
    )

    notice = notice_of(case, "qualify")
    assert (notice.kind, notice.recipient, notice.language) == (
        Kind.CASE_TRANSITION,
        "ip@example.com",
        "en",
    )
    assert notice.status == Notification.Status.PENDING
    filing = case.timers.get(step=Step.FILING)
    assert notice.payload["step"] == Step.FILING
    assert notice.payload["due_on"] == filing.due_on.isoformat()
    assert notice.payload["public_note"] == "Well drafted."
    assert notice.payload["state"] == S.QUALIFIED


@pytest.mark.django_db
def test_internal_events_and_the_applicants_own_steps_queue_nothing():
    center = factories.make_center()
    examiner = factories.make_user("examiner", center)
    case = factories.make_case(S.SUBMITTED, center=center)

    services.case_assign(case=case, actor=factories.staff_of(case), examiner=examiner)

    assert Notification.objects.filter(case=case).count() == 0  # neither submit nor assign


@pytest.mark.django_db
def test_the_notice_rolls_back_with_its_transition():
    case = factories.make_case(S.UNDER_REVIEW)
    before = Notification.objects.count()

    with pytest.raises(RuntimeError), transaction.atomic():
        services.case_qualify(case=case, actor=factories.staff_of(case))
        assert Notification.objects.count() == before + 1
        raise RuntimeError("the caller's transaction fails later")

    assert Notification.objects.count() == before


@pytest.mark.django_db
def test_delivery_is_requested_only_after_commit(django_capture_on_commit_callbacks):
    case = factories.make_case(S.UNDER_REVIEW)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.case_qualify(case=case, actor=factories.staff_of(case))

    # One wake-up for the delivery (the other callback drops the case's status pages).
    assert callbacks.count(outbox._send_delivery_task) == 1


@pytest.mark.django_db
def test_deliver_pending_sends_each_row_once_and_marks_it_sent():
    rows = pending_notices(3)

    assert outbox.deliver_pending() == 3
    assert outbox.deliver_pending() == 0

    assert sorted(m.to[0] for m in mail.outbox) == sorted(r.recipient for r in rows)
    assert not Notification.objects.filter(pk__in=[r.pk for r in rows]).exclude(
        status=Notification.Status.SENT, attempts=1, sent_at__isnull=False
    )


@pytest.mark.django_db
def test_deliver_pending_stops_at_its_limit():
    pending_notices(5)

    assert outbox.deliver_pending(limit=2) == 2
    assert Notification.objects.pending().count() == 3


@pytest.mark.django_db
def test_notices_are_written_in_the_recipients_language():
    center = factories.make_center()
    chinese = factories.make_entity(center, contact_language="zh-hans")
    english = factories.make_entity(center, contact_language="en")
    zh_case = services.case_qualify(
        case=factories.make_case(S.UNDER_REVIEW, entity=chinese), actor=factories.staff_of(chinese)
    )
    en_case = services.case_qualify(
        case=factories.make_case(S.UNDER_REVIEW, entity=english), actor=factories.staff_of(english)
    )
    zh_notice = notice_of(zh_case, "qualify")
    en_notice = notice_of(en_case, "qualify")

    zh_subject, zh_body = outbox.render(zh_notice)
    en_subject, en_body = outbox.render(en_notice)

    assert zh_subject == f"[{zh_case.reference}] 案件状态：预审合格"
    assert en_subject == f"[{en_case.reference}] Case status: Pre-examination qualified"
    assert "向国家知识产权局提交申请" in zh_body  # the filing step, in Chinese
    assert "Filing with CNIPA" in en_body
    assert "年" in zh_body  # the due date in the Chinese date format


@pytest.mark.django_db
# (The portal invitation is about no case: tests/cases/test_portal_invitations.py.)
@pytest.mark.parametrize(
    "kind", [k for k in Kind if k not in (Kind.CASE_TRANSITION, Kind.PORTAL_INVITATION)]
)
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_kind_renders(kind, language):
    case = factories.make_case(S.QUALIFIED)
    about_case = {
        "reference": case.reference,
        "title": case.title,
        "state": case.state,
        "step": Step.FILING,
        "due_on": "2025-02-10",
        "role": "manager",
        "name": "Li Lei",
    }
    row = Notification(
        key="x",
        kind=kind,
        case=case,
        recipient="someone@example.com",
        language=language,
        payload=about_case,
    )
    if kind == Kind.OVERDUE_DIGEST:
        digest = {"center": case.center.code, "count": 1, "steps": [about_case]}
        row.case, row.center, row.payload = None, case.center, {**digest, "role": "manager"}

    subject, body = outbox.render(row)

    assert "\n" not in subject
    assert (case.center.code if kind == Kind.OVERDUE_DIGEST else case.reference) in subject
    assert case.reference in body or kind != Kind.OVERDUE_DIGEST
    assert case.title in body
    # The corrected notice carries the dates; the examiner's correction e-mail has none.
    if kind not in (Kind.NOTICE_CORRECTED, Kind.CORRECTION_RECEIVED):
        assert ("2025年2月10日" if language == "zh-hans" else "Feb. 10, 2025") in body


@pytest.mark.django_db
def test_failed_sends_back_off_then_give_up(settings):
    settings.EMAIL_BACKEND = "tests.cases.test_outbox.FailingBackend"
    (row,) = pending_notices(1)
    now = timezone.now()
    waits = []

    for attempt in range(1, outbox.MAX_ATTEMPTS + 1):
        assert outbox.deliver_pending(now=now) == 0
        row.refresh_from_db()
        assert row.attempts == attempt
        assert "ConnectionRefusedError" in row.last_error
        if row.status == Notification.Status.PENDING:
            waits.append(round((row.next_attempt_at - timezone.now()).total_seconds() / 60))
            assert outbox.deliver_pending(now=now) == 0  # not due yet: untouched
            assert Notification.objects.get(pk=row.pk).attempts == attempt
            now = row.next_attempt_at

    assert row.status == Notification.Status.FAILED
    assert waits == [1, 2, 4, 8, 16, 32, 64]
    assert outbox.deliver_pending(now=now + timedelta(days=1)) == 0
    assert Notification.objects.get(pk=row.pk).attempts == outbox.MAX_ATTEMPTS


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_deliverers_at_once_send_each_row_once(settings):
    assert connection.vendor == "postgresql", "the concurrency test needs PostgreSQL"
    settings.EMAIL_BACKEND = "tests.cases.test_outbox.RendezvousBackend"
    RendezvousBackend.meeting.reset()
    rows = pending_notices(12)
    barrier = threading.Barrier(2)
    sent: list[object] = []

    def deliver() -> None:
        from django.db import connections

        try:
            barrier.wait(timeout=10)
            sent.append(outbox.deliver_pending())
        except Exception as error:
            sent.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert all(isinstance(n, int) for n in sent) and sum(sent) == 12, sent
    assert all(n > 0 for n in sent), "both deliverers should have taken rows"
    assert sorted(m.to[0] for m in mail.outbox) == sorted(r.recipient for r in rows)


@pytest.mark.django_db
def test_applicant_mail_links_to_a_working_status_page(client, settings):
    settings.SITE_URL = "https://cases.example.org"
    entity = factories.make_entity(factories.make_center(), contact_email="ip@example.com")
    case = services.case_qualify(
        case=factories.make_case(S.UNDER_REVIEW, entity=entity), actor=factories.staff_of(entity)
    )
    mail.outbox.clear()
    outbox.deliver_pending()
    body = next(m.body for m in mail.outbox if m.to == ["ip@example.com"])
    path = re.search(r"https://cases\.example\.org(/\S+)", body).group(1)
    response = client.get(path, follow=True)
    assert response.status_code == 200
    assert case.reference in response.content.decode()
    assert response.redirect_chain[-1][0].startswith("/status/c/")


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "page_language"), [("en", "en"), ("zh-hans", "zh-hans")])
def test_the_status_page_opens_in_the_language_of_the_mail(
    client, settings, language, page_language
):
    settings.SITE_URL = "https://cases.example.org"
    entity = factories.make_entity(
        factories.make_center(), contact_email="ip@example.com", contact_language=language
    )
    services.case_qualify(
        case=factories.make_case(S.UNDER_REVIEW, entity=entity), actor=factories.staff_of(entity)
    )
    mail.outbox.clear()
    outbox.deliver_pending()
    body = next(m.body for m in mail.outbox if m.to == ["ip@example.com"])
    path = re.search(r"https://cases\.example\.org(/\S+)", body).group(1)
    client.cookies["django_language"] = "zh-hans" if language == "en" else "en"  # before

    response = client.get(path, follow=True)

    assert f'<html lang="{page_language}"' in response.content.decode()


@pytest.mark.django_db
def test_staff_mail_links_to_the_case_in_the_admin(settings):
    settings.SITE_URL = "https://cases.example.org"
    case = factories.make_case(S.UNDER_REVIEW)
    notification = Notification.objects.create(
        key=f"t:{case.pk}",
        kind=Kind.STEP_OVERDUE,
        case=case,
        recipient="m@example.com",
        language="en",
        payload={"reference": case.reference, "title": case.title, "state": case.state},
    )
    _subject, body = outbox.render(notification)
    assert f"https://cases.example.org/admin/cases/case/{case.pk}/change/" in body


@pytest.mark.django_db
def test_a_burst_of_transitions_asks_for_one_delivery(django_capture_on_commit_callbacks):
    cases = [factories.make_case(S.UNDER_REVIEW) for _ in range(3)]
    purge_queue()
    with django_capture_on_commit_callbacks(execute=True):
        for case in cases:
            services.case_qualify(case=case, actor=factories.staff_of(case))
    delivery = [name for name, _kwargs in queued_tasks() if name == DELIVERY_TASK]
    assert delivery == [DELIVERY_TASK]  # one task on the real broker, not three
    assert Notification.objects.filter(payload__state=S.QUALIFIED).count() == 3


@pytest.mark.django_db
@pytest.mark.parametrize("estimated", [True, False])
def test_a_due_date_in_a_year_without_its_holiday_notice_is_called_provisional(estimated):
    entity = factories.make_entity(factories.make_center(), contact_language="en")
    case = services.case_qualify(
        case=factories.make_case(S.UNDER_REVIEW, entity=entity), actor=factories.staff_of(entity)
    )
    notice = notice_of(case, "qualify")
    notice.payload["due_estimated"] = estimated  # as if it ran into such a year

    _subject, body = outbox.render(notice)

    assert ("This date is provisional" in body) is estimated


@pytest.mark.django_db
def test_the_transition_notice_records_whether_the_due_date_is_provisional():
    from cases.models import Step, Timer

    entity = factories.make_entity(factories.make_center(), contact_language="en")
    case = factories.make_case(S.UNDER_REVIEW, entity=entity)
    case = services.case_qualify(case=case, actor=factories.staff_of(case))
    filing = Timer.objects.get(case=case, step=Step.FILING)
    assert notice_of(case, "qualify").payload["due_estimated"] is filing.estimated


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("state", "transition"),
    [
        (S.CORRECTION_REQUESTED, "receive_correction"),
        (S.QUALIFIED, "record_filing"),
        (S.OFFICE_ACTION, "record_response"),
    ],
)
def test_the_applicant_is_told_their_own_step_was_recorded(state, transition):
    case = factories.make_case(state)
    kwargs = factories.transition_kwargs(transition, case, timezone.localdate())
    services.SERVICES[transition](case=case, actor=factories.staff_of(case), **kwargs)
    notified = Notification.objects.filter(case=case, kind=Kind.CASE_TRANSITION)
    assert transition in {row.payload["transition"] for row in notified}


@pytest.mark.django_db
def test_every_email_names_the_center_and_its_contact():
    case = factories.make_case(S.QUALIFIED)
    case.center.phone, case.center.email = "021-5555 0000", "help@center.example"
    case.center.save(update_fields=["phone", "email"])
    row = Notification.objects.filter(case=case).latest("id")
    _subject, body = outbox.render(row)
    assert case.center.name in body
    assert "021-5555 0000" in body and "help@center.example" in body


def test_the_console_backend_logs_a_readable_subject(caplog):
    from django.core.mail import EmailMessage

    from cases.mail import ReadableConsoleBackend

    with caplog.at_level("INFO", logger="cases.mail"):
        sent = ReadableConsoleBackend().send_messages(
            [EmailMessage("[SH-2026-000001] 案件状态：预审合格", "正文", None, ["a@example.com"])]
        )
    assert sent == 1
    assert "E-mail to a@example.com: [SH-2026-000001] 案件状态：预审合格" in caplog.text
    assert "=?utf-8?" not in caplog.text
