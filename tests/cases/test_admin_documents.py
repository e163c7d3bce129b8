"""The case page's documents and notices in the admin: attach, versions side by side,
downloads only through the permission-checking view, correction requests naming
documents, corrected notices, the consistency check."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases.demo.files import sample_pdf, text_pdf
from cases.models import CaseDocument, CaseState, CorrectionRequest, Notice, Role
from tests.factories import make_case, make_center
from tests.pages import login, message_texts

pytestmark = pytest.mark.django_db


def page(case):
    return reverse("admin:cases_case_change", args=[case.pk])


def upload(name="claims.pdf", content=None):
    return SimpleUploadedFile(name, content or sample_pdf("claims", name), "application/pdf")


def test_staff_attach_a_document_and_see_versions_side_by_side(client, center):
    case = make_case(CaseState.UNDER_REVIEW, center=center)
    login(client, Role.EXAMINER, center, language="en")
    response = client.post(
        reverse("admin:cases_case_add_document", args=[case.pk]),
        {"kind": "claims", "file": upload("claims v2.pdf")},
    )
    assert response.status_code == 302 and response["Location"].endswith("#case-documents")
    assert "Claims version 2 added." in message_texts(client.get(page(case)))
    document = CaseDocument.objects.get(case=case, kind="claims", version=2)
    body = client.get(page(case)).content.decode()
    download = reverse("admin:cases_case_document", args=[case.pk, document.pk])
    assert download in body
    assert "v1 · claims.pdf" in body and "v2 · claims v2.pdf" in body
    assert document.hash_prefix in body
    # The storage's own name is never on the page.
    assert document.file.name not in body
    assert "/media/" not in body


def test_a_refused_upload_says_why_and_stores_nothing(client, center):
    case = make_case(CaseState.UNDER_REVIEW, center=center)
    login(client, Role.EXAMINER, center, language="en")
    before = CaseDocument.objects.count()
    response = client.post(
        reverse("admin:cases_case_add_document", args=[case.pk]),
        {
            "kind": "claims",
            "file": SimpleUploadedFile("claims.pdf", b"plain text", "application/pdf"),
        },
        follow=True,
    )
    assert any("not a PDF" in m for m in message_texts(response))
    assert CaseDocument.objects.count() == before


def test_downloads_are_attachments_never_sniffed(client, center):
    case = make_case(CaseState.UNDER_REVIEW, center=center)
    document = CaseDocument.objects.get(case=case, kind="claims")
    login(client, Role.INTAKE_CLERK, center)
    response = client.get(reverse("admin:cases_case_document", args=[case.pk, document.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="claims.pdf"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    with document.file.open("rb") as stored:
        assert b"".join(response.streaming_content) == stored.read()


def test_staff_of_another_center_get_404_for_documents(client, center):
    case = make_case(CaseState.UNDER_REVIEW, center=center)
    document = CaseDocument.objects.filter(case=case).first()
    notice = Notice.objects.get(case=case)
    login(client, Role.CENTER_ADMIN, make_center())
    for url in (
        reverse("admin:cases_case_document", args=[case.pk, document.pk]),
        reverse("admin:cases_case_notice", args=[case.pk, notice.pk]),
    ):
        assert client.get(url).status_code == 404
    response = client.post(
        reverse("admin:cases_case_add_document", args=[case.pk]),
        {"kind": "claims", "file": upload()},
    )
    assert response.status_code == 404
    # A document id of another case through this case's URL is not found either.
    other = make_case(CaseState.UNDER_REVIEW)
    login(client, Role.CENTER_ADMIN, center)
    stranger = CaseDocument.objects.filter(case=other).first()
    assert (
        client.get(reverse("admin:cases_case_document", args=[case.pk, stranger.pk])).status_code
        == 404
    )
    client.logout()
    response = client.get(reverse("admin:cases_case_document", args=[case.pk, document.pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_correction_request_names_documents_and_receipt_takes_their_uploads(client, center):
    case = make_case(CaseState.UNDER_REVIEW, center=center)
    login(client, Role.EXAMINER, center, language="en")
    client.post(
        reverse("admin:cases_case_transition", args=[case.pk, "request_correction"]),
        {"public_note": "Renumber the claims.", "documents": ["claims", "abstract"]},
    )
    request = CorrectionRequest.objects.get(case=case)
    assert request.kinds == ["claims", "abstract"]
    body = client.get(page(case)).content.decode()
    assert 'name="file_claims"' in body and 'name="file_abstract"' in body
    assert 'enctype="multipart/form-data"' in body
    response = client.post(
        reverse("admin:cases_case_transition", args=[case.pk, "receive_correction"]),
        {"file_claims": upload("claims-2.pdf"), "file_abstract": upload("abstract-2.pdf")},
        follow=True,
    )
    case.refresh_from_db()
    assert case.state == CaseState.UNDER_REVIEW, message_texts(response)
    assert sorted(CaseDocument.objects.filter(answers=request).values_list("kind", "version")) == [
        ("abstract", 2),
        ("claims", 2),
    ]
    assert "answers the correction request of" in response.content.decode()


def test_notices_are_listed_and_a_corrected_one_replaces_the_newest(client, center):
    case = make_case(CaseState.NOT_ACCEPTED, center=center)
    notice = Notice.objects.get(case=case)
    login(client, Role.INTAKE_CLERK, center, language="en")
    body = client.get(page(case)).content.decode()
    assert notice.number in body and "Non-acceptance notice" in body
    assert reverse("admin:cases_case_notice", args=[case.pk, notice.pk]) in body
    response = client.post(
        reverse("admin:cases_case_notice_correct", args=[case.pk, notice.pk]),
        {"message": "Outside the center's fields: B01D is not covered."},
        follow=True,
    )
    new = Notice.objects.get(replaces=notice)
    assert f"Notice {new.number} issued; it replaces {notice.number}." in message_texts(response)
    assert f"replaces {notice.number}" in response.content.decode()


def test_the_required_set_is_listed_for_the_centers_staff(client, center):
    from cases import services

    services.required_documents_ensure_defaults(center_id=center.pk)
    login(client, Role.CENTER_ADMIN, center, language="en")
    response = client.get(reverse("admin:cases_requireddocument_changelist"))
    assert response.status_code == 200
    assert "Brief explanation" in response.content.decode()


def test_a_difference_flags_the_case_and_fills_in_the_fast_track_exit(client, center):
    case = make_case(CaseState.FILED, center=center)
    login(client, Role.MANAGER, center, language="en")
    form = client.get(page(case)).content.decode()
    assert 'name="version_claims"' in form and "(qualified)" in form
    qualified = {d.kind: d for d in CaseDocument.objects.filter(case=case)}
    data = {f"version_{kind}": str(d.pk) for kind, d in qualified.items()}
    data["version_claims"] = ""
    data["file_claims"] = upload(
        "claims-filed.pdf",
        text_pdf([f"{case.reference}: claims", "Revision 1.", "1. A different claim."]),
    )
    response = client.post(
        reverse("admin:cases_case_consistency", args=[case.pk]), data, follow=True
    )
    assert any("differ from the qualified ones: Claims" in m for m in message_texts(response))
    body = response.content.decode()
    assert "1. A different claim." in body  # the diff, for staff
    case.refresh_from_db()
    assert case.inconsistent_since is not None
    assert "The documents filed with CNIPA (Claims) differ" in body  # the exit's reason
    listed = client.get(reverse("admin:cases_case_changelist") + "?filed_documents=differ")
    assert case.reference in listed.content.decode()


def test_the_consistency_form_assumes_nothing(client, center):
    case = make_case(CaseState.FILED, center=center)
    login(client, Role.MANAGER, center, language="en")
    response = client.post(reverse("admin:cases_case_consistency", args=[case.pk]), {}, follow=True)
    assert any("Say which version was filed" in m for m in message_texts(response))
    assert not case.consistency_checks.exists()
