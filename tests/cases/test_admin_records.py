"""The record admins: the notification outbox, the case events and the clocks."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from cases import workflow
from cases.models import Case, CaseEvent, CaseState, Notification, Role, Step, Timer
from cases.services import outbox
from tests.factories import make_case
from tests.pages import login, result_rows

pytestmark = pytest.mark.django_db


def make_notification(case: Case, transition: str = "accept", **fields) -> Notification:
    defaults = {
        "key": f"test:{case.pk}:{Notification.objects.count()}",
        "kind": Notification.Kind.CASE_TRANSITION,
        "case": case,
        "recipient": "applicant@example.com",
        "language": "en",
        "payload": {
            "reference": case.reference,
            "title": case.title,
            "name": "Li Lei",
            "transition": transition,
            "state": CaseState.UNDER_REVIEW,
            "public_note": "",
        },
    }
    defaults.update(fields)
    return Notification.objects.create(**defaults)


def change_url(notification: Notification) -> str:
    return reverse("admin:cases_notification_change", args=[notification.pk])


# The notification's title -------------------------------------------------------------


def test_notification_title_names_kind_recipient_and_status_in_the_readers_language(center):
    notification = make_notification(
        make_case(CaseState.SUBMITTED, center=center), status=Notification.Status.FAILED
    )

    with translation.override("zh-hans"):
        chinese = str(notification)
    with translation.override("en"):
        english = str(notification)

    assert chinese == "案件状态变更 → applicant@example.com（发送失败）"
    assert english == "Case status change to applicant@example.com (Failed)"


def test_notification_page_title_is_not_the_raw_kind(client, center):
    notification = make_notification(make_case(CaseState.SUBMITTED, center=center))
    login(client, Role.MANAGER, center)

    body = client.get(change_url(notification)).content.decode()

    assert "案件状态变更 → applicant@example.com（待发送）" in body
    assert "case_transition" not in body.split("<title>")[1].split("</title>")[0]


# The e-mail on the notification's page --------------------------------------------------


def test_notification_page_shows_the_email_rendered_in_the_recipients_language(client, center):
    case = make_case(CaseState.UNDER_REVIEW, center=center)
    notification = make_notification(case, language="en")
    with translation.override("en"):
        subject, body = outbox.render(notification)
    login(client, Role.MANAGER, center)  # reads the admin in Chinese

    page = client.get(change_url(notification)).content.decode()

    assert subject.startswith(f"[{case.reference}]")
    assert escape(subject) in page
    # The body's first lines as sent (the status link in it is signed anew on each view).
    first_lines = body.split("\n", 3)[:3]
    for line in first_lines:
        assert escape(line) in page
    assert "Under pre-examination" in page  # the state label in the recipient's English
    assert "收件人收到的邮件" in page  # the section heading in the reader's Chinese


def test_notification_page_escapes_the_email(client, center):
    case = make_case(CaseState.UNDER_REVIEW, center=center)
    notification = make_notification(
        case,
        payload={
            "reference": case.reference,
            "title": case.title,
            "name": "<script>alert(1)</script>",
            "transition": "accept",
            "state": CaseState.UNDER_REVIEW,
            "public_note": "",
        },
    )
    login(client, Role.MANAGER, center)

    page = client.get(change_url(notification)).content.decode()

    email = page.split('class="pc-email-body"')[1].split("</div>")[0]
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in email


def test_notification_page_survives_an_email_that_cannot_be_rendered(client, center):
    notification = make_notification(make_case(CaseState.SUBMITTED, center=center))
    Notification.objects.filter(pk=notification.pk).update(kind="no_such_kind")
    login(client, Role.MANAGER, center)

    response = client.get(change_url(notification))

    assert response.status_code == 200
    assert "无法生成邮件内容" in response.content.decode()


# Read-only page, the list's action --------------------------------------------------------


def test_notification_page_offers_no_save_buttons(client, center):
    notification = make_notification(make_case(CaseState.SUBMITTED, center=center))
    login(client, Role.MANAGER, center)

    body = client.get(change_url(notification)).content.decode()

    assert 'name="_save"' not in body
    assert 'name="_continue"' not in body
    assert "查看 通知" in body  # Django's title for a page one may only view


def test_notification_page_cannot_be_posted_to(client, center):
    notification = make_notification(make_case(CaseState.SUBMITTED, center=center))
    login(client, Role.MANAGER, center)

    response = client.post(change_url(notification), {"recipient": "other@example.com"})

    notification.refresh_from_db()
    assert response.status_code == 403
    assert notification.recipient == "applicant@example.com"


def test_intake_clerk_sees_the_outbox_but_cannot_send_again(client, center):
    notification = make_notification(
        make_case(CaseState.SUBMITTED, center=center),
        status=Notification.Status.FAILED,
        attempts=8,
    )
    login(client, Role.INTAKE_CLERK, center)
    url = reverse("admin:cases_notification_changelist")

    listed = client.get(url)
    client.post(url, {"action": "send_again", "_selected_action": [notification.pk]})

    notification.refresh_from_db()
    assert listed.status_code == 200
    assert "send_again" not in listed.content.decode()
    assert notification.status == Notification.Status.FAILED


# The list at 1366 px -----------------------------------------------------------------


def test_notification_list_shows_compact_columns(client, center):
    case = make_case(CaseState.SUBMITTED, center=center)
    make_notification(
        case,
        recipient="a.rather.long.mailbox.name@subsidiary.example.com",
        status=Notification.Status.FAILED,
        attempts=3,
    )
    login(client, Role.MANAGER, center)

    response = client.get(reverse("admin:cases_notification_changelist"))
    body = response.content.decode()

    headers = [str(header["text"]) for header in response.context["result_headers"]]
    assert headers[1:] == ["创建时间", "案件或保护中心", "类型", "收件人", "状态", "发送时间"]
    assert 'class="pc-truncate" title="a.rather.long.mailbox.name@subsidiary.example.com"' in body
    assert case.title not in body.split('id="result_list"')[1].replace(f'title="{case.title}"', "")
    assert "已尝试 3 次" in body


def test_digest_is_listed_by_its_center_code(client, center):
    Notification.objects.create(
        key="digest:test",
        kind=Notification.Kind.OVERDUE_DIGEST,
        center=center,
        recipient="manager@example.com",
        language="zh-hans",
        payload={"steps": [], "count": 0},
    )
    login(client, Role.MANAGER, center)

    response = client.get(reverse("admin:cases_notification_changelist"))

    row = response.content.decode().split('id="result_list"')[1]
    assert '<td class="field-case_or_center_column">SH</td>' in row


# Case events and clocks -------------------------------------------------------------


def test_case_event_list_shows_the_reference_not_the_title(client, center):
    case = make_case(CaseState.UNDER_REVIEW, center=center)
    login(client, Role.MANAGER, center)

    body = client.get(reverse("admin:cases_caseevent_changelist")).content.decode()

    rows = body.split('id="result_list"')[1]
    assert f'<span title="{case.title}">{case.reference}</span>' in rows
    assert f">{case.title}<" not in rows and f"{case.reference} {case.title}" not in rows
    assert CaseEvent.objects.filter(case=case).exists()


def test_clock_title_is_the_step_label(center):
    case = make_case(CaseState.UNDER_REVIEW, center=center)
    timer = Timer.objects.filter(case=case, step="review").get()

    with translation.override("zh-hans"):
        title = str(timer)

    assert title == f"预审审查，截止于 {timer.due_on.isoformat()}"


def test_case_event_title_names_the_case_and_the_action_in_the_readers_language():
    from django.utils import translation

    from cases.models import CaseEvent, CaseState
    from tests import factories

    case = factories.make_case(CaseState.UNDER_REVIEW)
    event = CaseEvent.objects.get(case=case, transition="accept")
    with translation.override("zh-hans"):
        assert str(event) == f"{case.reference} · 受理"
    with translation.override("en"):
        assert str(event) == f"{case.reference} · Accept"


def test_notification_page_makes_the_emails_link_clickable(client, center, settings):
    settings.SITE_URL = "https://cases.example.org"
    case = make_case(CaseState.UNDER_REVIEW, center=center)
    notification = make_notification(case, language="en")
    login(client, Role.MANAGER, center)

    page = client.get(change_url(notification)).content.decode()

    email = page.split('class="pc-email-body"')[1].split("</div>")[0]
    assert re.search(r'<a href="https://cases\.example\.org/[^"]+"', email)


# The outbox's rows name what they are about ---------------------------------------------


def test_notification_list_names_the_transition_of_each_status_change(client, center):
    case = make_case(CaseState.SUBMITTED, center=center)
    make_notification(case, "accept")
    make_notification(case, "request_correction")
    login(client, Role.MANAGER, center)

    rows = result_rows(client.get(reverse("admin:cases_notification_changelist")).content.decode())

    with translation.override("zh-hans"):
        accept = str(workflow.TRANSITION_LABELS["accept"])
        correction = str(workflow.TRANSITION_LABELS["request_correction"])
    assert f'案件状态变更<br><span class="pc-muted">{accept}</span>' in rows
    assert f'案件状态变更<br><span class="pc-muted">{correction}</span>' in rows


def test_notification_written_by_a_transition_is_listed_with_it(client, center):
    case = make_case(CaseState.CORRECTION_REQUESTED, center=center)
    login(client, Role.MANAGER, center)

    rows = result_rows(client.get(reverse("admin:cases_notification_changelist")).content.decode())

    with translation.override("zh-hans"):
        labels = [str(workflow.TRANSITION_LABELS[n]) for n in ("accept", "request_correction")]
    assert case.reference in rows
    assert all(f'<span class="pc-muted">{label}</span>' in rows for label in labels)


def test_clock_notice_is_listed_with_its_step(client, center):
    case = make_case(CaseState.SUBMITTED, center=center)
    make_notification(
        case,
        kind=Notification.Kind.STEP_OVERDUE,
        payload={"reference": case.reference, "step": Step.ACCEPTANCE, "due_on": "2026-11-02"},
    )
    login(client, Role.MANAGER, center)

    rows = result_rows(client.get(reverse("admin:cases_notification_changelist")).content.decode())

    with translation.override("zh-hans"):
        step = str(Step.ACCEPTANCE.label)
        kind = str(Notification.Kind.STEP_OVERDUE.label)
    assert f'{kind}<br><span class="pc-muted">{step}</span>' in rows


@pytest.mark.parametrize(
    ("status", "shown"),
    [
        (Notification.Status.PENDING, True),
        (Notification.Status.SENT, False),
        (Notification.Status.FAILED, False),
    ],
)
def test_notification_page_shows_the_next_attempt_only_while_pending(client, center, status, shown):
    notification = make_notification(make_case(CaseState.SUBMITTED, center=center), status=status)
    login(client, Role.MANAGER, center)

    body = client.get(
        reverse("admin:cases_notification_change", args=[notification.pk])
    ).content.decode()

    assert ("field-next_attempt_at" in body) is shown
    assert "field-attempts" in body
    with translation.override("zh-hans"):
        transition = str(workflow.TRANSITION_LABELS["accept"])
    assert transition in body.split('class="form-row')[1]
