"""The center's notices: one per decision the applicant must be told of, numbered per
center and year (also under concurrency), rendered to PDF in the applicant's language,
stored as a document, attached to the e-mail; a correction is a new notice."""

from __future__ import annotations

import io
import threading

import pytest
from django.core import mail
from django.db import connection, connections
from pypdf import PdfReader

from cases import services
from cases.actors import SYSTEM
from cases.errors import InvalidInput, PermissionDenied
from cases.models import (
    Case,
    CaseDocument,
    CaseEvent,
    CaseState,
    Notice,
    NoticeCounter,
    Notification,
    Role,
)
from cases.services import notices, outbox
from tests import factories
from tests.factories import make_case, staff_of

S = CaseState


def notice_text(notice: Notice) -> str:
    with notices.notice_pdf(notice=notice).file.open("rb") as stored:
        reader = PdfReader(io.BytesIO(stored.read()))
    return "\n".join(page.extract_text() for page in reader.pages)


def shanghai(**fields):
    return factories.make_center(
        "SH",
        name="中国（上海）知识产权保护中心",
        address="上海市浦东新区 1 号",
        phone="021-12345678",
        email="ppac@example.cn",
        **fields,
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("state", "kinds"),
    [
        (S.UNDER_REVIEW, ["acceptance"]),
        (S.NOT_ACCEPTED, ["non_acceptance"]),
        (S.CORRECTION_REQUESTED, ["acceptance", "correction"]),
        (S.QUALIFIED, ["acceptance", "qualification"]),
        (S.UNQUALIFIED, ["acceptance", "disqualification"]),
        (S.FILED, ["acceptance", "qualification"]),
        (S.WITHDRAWN, []),
    ],
)
def test_each_decision_the_applicant_is_told_of_has_a_notice(state, kinds):
    case = make_case(state)
    issued = list(Notice.objects.filter(case=case).order_by("id"))
    assert [n.kind for n in issued] == kinds
    for notice in issued:
        assert (
            notices.notice_pdf(notice=notice).kind == "notice"
            and notices.notice_pdf(notice=notice).pages >= 1
        )
        assert notices.notice_pdf(notice=notice).content_type == "application/pdf"
        assert notice.event.case_id == case.pk
        assert notice.event.transition in {
            "accept",
            "decline",
            "request_correction",
            "qualify",
            "disqualify",
        }


@pytest.mark.django_db
def test_numbers_run_per_center_and_year():
    center = shanghai()
    first = make_case(S.QUALIFIED, center=center)
    second = make_case(S.UNDER_REVIEW, entity=first.entity)
    other = make_case(S.UNDER_REVIEW)
    year = first.submitted_at.year
    numbers = list(
        Notice.objects.filter(case__center=center).order_by("id").values_list("number", flat=True)
    )
    assert numbers == [f"SH-TZ-{year}-{n:06d}" for n in (1, 2, 3)]
    assert Notice.objects.get(case=other).number.endswith("-000001")
    assert notices.notice_number("SH", 2026, 123) == "SH-TZ-2026-000123"
    assert second.notices.get().number == f"SH-TZ-{year}-000003"


@pytest.mark.django_db
def test_the_notice_carries_center_case_decision_deadline_and_rule_in_chinese():
    center = shanghai()
    entity = factories.make_entity(center, name="上海新材料科技有限公司")
    case = make_case(S.UNDER_REVIEW, entity=entity)
    case = services.case_request_correction(
        case=case,
        actor=staff_of(case, Role.EXAMINER),
        public_note="请将权利要求连续编号。",
        documents=["claims"],
    )
    notice = Notice.objects.get(case=case, kind="correction")
    text = notice_text(notice)
    for expected in [
        "中国（上海）知识产权保护中心",
        "补正通知书",
        notice.number,
        case.reference,
        case.title,
        "上海新材料科技有限公司",
        "请将权利要求连续编号。",
        "上海市浦东新区",
        "021-12345678",
        "ppac@example.cn",
        "权利要求书",  # the document to replace
    ]:
        # Extracted text breaks lines, and the spaced-out title reads with spaces.
        assert expected.replace(" ", "") in text.replace("\n", "").replace(" ", ""), expected
    due = case.timers.get(step="correction").due_on
    assert f"{due.year}年{due.month}月{due.day}日" in text
    assert "工作日" in text  # the rule: working days


@pytest.mark.django_db
def test_the_notice_is_in_the_applicants_language():
    entity = factories.make_entity(shanghai(), contact_language="en")
    case = make_case(S.QUALIFIED, entity=entity)
    notice = Notice.objects.get(case=case, kind="qualification")
    text = notice_text(notice).replace("\n", " ")
    assert notice.language == "en"
    assert "Pre-examination qualification notice" in text
    assert "File the application with CNIPA by" in text
    assert "counted as CNIPA counts periods" in text


@pytest.mark.django_db
def test_the_email_attaches_the_stored_notice_unchanged():
    case = make_case(S.UNDER_REVIEW)
    services.case_qualify(case=case, actor=staff_of(case, Role.EXAMINER))
    notice = Notice.objects.get(case=case, kind="qualification")
    row = Notification.objects.get(key=f"event:{notice.event_id}:applicant")
    assert row.payload["notice_number"] == notice.number
    mail.outbox.clear()
    outbox.deliver_pending()
    sent = next(m for m in mail.outbox if notice.number in m.body)
    [(_name, content, content_type)] = [
        a for a in sent.attachments if a[0] == f"{notice.number}.pdf"
    ]
    with notices.notice_pdf(notice=notice).file.open("rb") as stored:
        assert content == stored.read()
    assert content_type == "application/pdf"


@pytest.mark.django_db
def test_a_corrected_notice_is_a_new_one_naming_the_old(english):
    case = make_case(S.NOT_ACCEPTED)
    old = Notice.objects.get(case=case)
    with notices.notice_pdf(notice=old).file.open("rb") as stored:
        old_bytes = stored.read()
    new = notices.notice_correct(
        notice=old, actor=staff_of(case), message="The main class is B01D, not C08K."
    )
    assert new.number != old.number and new.replaces == old and new.kind == old.kind
    text = notice_text(new).replace("\n", " ")
    assert old.number in text and "The main class is B01D" in text
    # What was sent before stays as it was.
    with notices.notice_pdf(notice=old.pk).file.open("rb") as stored:
        assert stored.read() == old_bytes
    row = Notification.objects.get(key=f"notice:{new.pk}:applicant")
    assert row.payload["replaces_number"] == old.number
    subject, body = outbox.render(row)
    assert new.number in subject and old.number in body
    assert CaseEvent.objects.filter(case=case, transition="issue_notice").count() == 2
    with pytest.raises(InvalidInput):
        notices.notice_correct(notice=old, actor=staff_of(case), message="again")
    with pytest.raises(PermissionDenied):
        notices.notice_correct(
            notice=new, actor=staff_of(factories.make_center()), message="not mine"
        )


@pytest.mark.django_db
def test_notices_are_append_only():
    notice = make_case(S.UNDER_REVIEW).notices.get()
    with pytest.raises(TypeError):
        notice.save()
    with pytest.raises(TypeError):
        Notice.objects.all().delete()


@pytest.mark.django_db
def test_a_refused_transition_issues_no_notice_and_uses_no_number():
    case = make_case(S.SUBMITTED)
    services.case_decline(case=case, actor=SYSTEM, public_note="Out of scope.")
    counter = NoticeCounter.objects.get(center=case.center)
    other = make_case(S.SUBMITTED, entity=case.entity)
    with pytest.raises(InvalidInput):
        services.case_decline(case=other, actor=SYSTEM, public_note="")
    assert NoticeCounter.objects.get(pk=counter.pk).last == counter.last
    assert not other.notices.exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_notices_at_once_get_consecutive_numbers():
    """Two transactions issue a notice of the same center at once: the second waits for
    the counter row the first holds, then takes the next number; none is skipped."""
    center = shanghai()
    first = make_case(S.SUBMITTED, center=center)
    second = make_case(S.SUBMITTED, entity=first.entity)
    taken = threading.Event()
    may_commit = threading.Event()
    results: dict[str, object] = {}

    def accept(case, name, hold: bool):
        try:
            from django.db import transaction

            with transaction.atomic():
                services.case_accept(case=case.pk, actor=SYSTEM)
                if hold:
                    taken.set()
                    assert may_commit.wait(30)
            results[name] = Notice.objects.get(case=case).number
        except Exception as error:  # reported by the main thread
            results[name] = error
        finally:
            connections.close_all()

    a = threading.Thread(target=accept, args=(first, "a", True))
    a.start()
    assert taken.wait(30)
    b = threading.Thread(target=accept, args=(second, "b", False))
    b.start()
    # b is now blocked on the counter row that a holds (PostgreSQL says so).
    with connection.cursor() as cursor:
        for _ in range(3000):
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND datname = current_database()"
            )
            if cursor.fetchone()[0]:
                break
            threading.Event().wait(0.01)
        else:
            pytest.fail("the second transaction never waited for the counter")
    may_commit.set()
    a.join(30)
    b.join(30)
    year = first.submitted_at.year
    assert results == {"a": f"SH-TZ-{year}-000001", "b": f"SH-TZ-{year}-000002"}
    assert NoticeCounter.objects.get(center=center, year=year).last == 2
    assert Notice.objects.filter(case__center=center).count() == 2
    # Their PDFs are made when first needed, not in the decision's transaction.
    assert not CaseDocument.objects.filter(case__center=center, kind="notice").exists()


@pytest.mark.django_db
def test_the_decision_fixes_the_content_and_the_pdf_is_made_once_when_first_needed():
    case = make_case(S.SUBMITTED, center=shanghai())
    services.case_accept(case=case, actor=staff_of(case, Role.INTAKE_CLERK))
    notice = Notice.objects.get(case=case)
    assert notice.number in notice.html and "受理通知书" in notice.html
    assert notice.pdf is None
    first = notices.notice_pdf(notice=notice)
    again = notices.notice_pdf(notice=notice.pk)
    assert again.pk == first.pk and first.notice_id == notice.pk
    assert (
        first.kind == "notice"
        and first.pages >= 1
        and first.original_name == f"{notice.number}.pdf"
    )
    assert first.uploaded_by == notice.event.actor and first.uploaded_at == notice.issued_at
    assert CaseDocument.objects.filter(case=case, kind="notice").count() == 1
    assert notice.number in notice_text(notice)


@pytest.mark.django_db
def test_the_pdf_shows_what_was_fixed_at_the_decision_even_if_the_case_changed_since():
    case = make_case(S.SUBMITTED, center=shanghai())
    services.case_accept(case=case, actor=SYSTEM)
    notice = Notice.objects.get(case=case)
    Case.objects.filter(pk=case.pk).update(title="另一个标题")
    text = notice_text(notice)
    assert case.title in text and "另一个标题" not in text


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_readers_at_once_make_one_pdf():
    case = make_case(S.UNDER_REVIEW, center=shanghai())
    notice = Notice.objects.get(case=case)
    start = threading.Barrier(2)
    made: list[object] = []

    def read():
        try:
            start.wait(30)
            made.append(notices.notice_pdf(notice=notice.pk).pk)
        except Exception as error:  # reported by the main thread
            made.append(error)
        finally:
            connections.close_all()

    readers = [threading.Thread(target=read) for _ in range(2)]
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join(60)
    assert len(made) == 2 and made[0] == made[1] and isinstance(made[0], int)
    assert CaseDocument.objects.filter(case=case, kind="notice").count() == 1
