"""The status page lists the case's notices; their PDFs come through the signed link only."""

from __future__ import annotations

import io

import pytest
from django.core.cache import cache
from pypdf import PdfReader

from cases.models import CaseDocument, CaseState, Notice, Role
from cases.services import access, notices
from tests import factories
from tests.factories import make_case, staff_of

pytestmark = pytest.mark.django_db
S = CaseState


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def _link(case) -> str:
    case.refresh_from_db()
    return access.case_status_link(case)


def test_the_page_lists_each_notice_with_its_number_kind_and_link(client):
    case = make_case(S.CORRECTION_REQUESTED)
    body = client.get(_link(case)).content.decode()
    for notice in Notice.objects.filter(case=case):
        assert notice.number in body
        assert f'href="notices/{notice.pk}/"' in body
    assert "受理通知书" in body and "补正通知书" in body


def test_the_signed_link_downloads_the_notice_pdf(client):
    case = make_case(S.QUALIFIED)
    notice = Notice.objects.get(case=case, kind="qualification")
    response = client.get(f"{_link(case)}notices/{notice.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert notice.number in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    content = b"".join(response.streaming_content)
    text = PdfReader(io.BytesIO(content)).pages[0].extract_text()
    assert notice.number in text
    # The same stored file the e-mail attaches, made once.
    again = client.get(f"{_link(case)}notices/{notice.pk}/")
    assert b"".join(again.streaming_content) == content
    assert CaseDocument.objects.filter(notice=notice).count() == 1


def test_another_cases_notice_is_not_found_through_this_link(client):
    case = make_case(S.UNDER_REVIEW)
    other = make_case(S.UNDER_REVIEW, entity=case.entity)
    foreign = Notice.objects.get(case=other)
    response = client.get(f"{_link(case)}notices/{foreign.pk}/")
    assert response.status_code == 404
    assert not CaseDocument.objects.filter(notice=foreign).exists()


def test_a_forged_or_revoked_link_gets_no_notice(client, django_capture_on_commit_callbacks):
    case = make_case(S.UNDER_REVIEW)
    notice = Notice.objects.get(case=case)
    link = _link(case)
    assert client.get(f"/status/c/forged-token/notices/{notice.pk}/").status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        access.case_reset_access_code(case=case, actor=staff_of(case))
    assert client.get(f"{link}notices/{notice.pk}/").status_code == 404


def test_a_corrected_notice_shows_on_a_page_kept_before(client):
    case = make_case(S.NOT_ACCEPTED)
    old = Notice.objects.get(case=case)
    link = _link(case)
    assert old.number in client.get(link).content.decode()  # and the page is kept
    new = notices.notice_correct(
        notice=old, actor=staff_of(case, Role.INTAKE_CLERK), message="The main class is B01D."
    )
    body = client.get(link).content.decode()
    assert new.number in body and old.number in body


def test_a_case_without_notices_has_no_notices_section(client):
    case = make_case(S.SUBMITTED, center=factories.make_center())
    assert "notices-heading" not in client.get(_link(case)).content.decode()
