"""case_add_document: versions, and every refusal with a real file made in the test;
the required set per patent type as the acceptance condition."""

from __future__ import annotations

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image
from pypdf import PdfWriter

from cases import services
from cases.actors import SYSTEM
from cases.demo.files import text_pdf
from cases.errors import ConditionNotMet, InvalidInput, PermissionDenied, TransitionNotAllowed
from cases.models import (
    CaseDocument,
    CaseEvent,
    CaseState,
    CorrectionRequest,
    RequiredDocument,
    Role,
)
from cases.services.documents import case_add_document
from tests import factories
from tests.factories import make_case, pdf_file, staff_of

pytestmark = pytest.mark.django_db


def pdf_bytes(pages: int = 1) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def encrypted_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.encrypt(user_password="", owner_password="owner")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def png_bytes(size: tuple[int, int] = (320, 240), mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, "white" if mode == "RGB" else 0).save(out, "PNG")
    return out.getvalue()


def jpeg_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (200, 100), "navy").save(out, "JPEG")
    return out.getvalue()


def stored_names() -> set[str]:
    try:
        directories, _files = default_storage.listdir("cases")
    except FileNotFoundError:
        return set()
    names = set()
    for directory in directories:
        names |= {
            f"cases/{directory}/{name}" for name in default_storage.listdir(f"cases/{directory}")[1]
        }
    return names


@pytest.fixture
def case():
    return make_case(CaseState.UNDER_REVIEW)


def add(case, content: bytes, *, kind: str = "claims", name: str = "claims.pdf"):
    return case_add_document(
        case=case, kind=kind, file=ContentFile(content, name=name), actor=staff_of(case)
    )


def test_a_pdf_is_stored_as_the_next_version_with_hash_and_pages(case):
    first = CaseDocument.objects.get(case=case, kind="claims")
    document = add(case, pdf_bytes(pages=3), name="权利要求书.pdf")
    assert (document.version, first.version) == (2, 1)
    assert document.pages == 3
    assert document.size == len(pdf_bytes(pages=3))
    import hashlib

    assert document.sha256 == hashlib.sha256(pdf_bytes(pages=3)).hexdigest()
    assert document.original_name == "权利要求书.pdf"
    assert document.uploaded_by.username.startswith("center_admin-of-center")
    with document.file.open("rb") as stored:
        assert stored.read() == pdf_bytes(pages=3)
    # Stored under a generated name, not the uploaded one.
    assert document.file.name.startswith(f"cases/{case.pk}/claims-v2-")
    assert "权利要求书" not in document.file.name
    event = CaseEvent.objects.filter(case=case, transition="add_document").last()
    assert not event.public and document.sha256[:12] in event.note


REFUSALS = [
    ("empty", b"", "claims", "The file is empty."),
    ("renamed text", b"These are my claims.\n" * 20, "claims", "The file is not a PDF"),
    ("truncated", text_pdf(["claim 1"] * 200)[:1500], "claims", "The PDF is incomplete"),
    ("encrypted", encrypted_pdf(), "claims", "The PDF is encrypted"),
    ("no pages", pdf_bytes(pages=0), "claims", "The PDF has no pages."),
    ("broken PDF", b"%PDF-1.7\n" + b"\x00garbage" * 50 + b"\n%%EOF\n", "claims", "not a readable"),
    ("image for claims", png_bytes(), "claims", "The file is not a PDF"),
    ("text as design view", b"not an image", "design_views", "neither a PDF nor"),
    ("truncated PNG", png_bytes()[:300], "design_views", "The image cannot be read."),
    ("bomb PNG", png_bytes((20000, 20000), mode="1"), "design_views", "pixels"),
]


@pytest.mark.parametrize(
    ("label", "content", "kind", "message"), REFUSALS, ids=[r[0] for r in REFUSALS]
)
def test_refused_uploads_store_nothing(case, english, label, content, kind, message):
    before = (CaseDocument.objects.count(), CaseEvent.objects.count(), stored_names())
    with pytest.raises(InvalidInput, match=message) as refused:
        add(case, content, kind=kind, name="upload.pdf")
    assert refused.value.field == "file"
    assert (CaseDocument.objects.count(), CaseEvent.objects.count(), stored_names()) == before


def test_a_file_over_the_size_limit_is_refused_while_streaming(case, english, settings):
    settings.DOCUMENT_MAX_BYTES = 10_000
    content = text_pdf(["A long claim that goes on."] * 2000)
    assert len(content) > 10_000

    class Undeclared(ContentFile):
        """An upload whose size is only known by reading it."""

        size = None

    before = CaseDocument.objects.count(), stored_names()
    for upload in (ContentFile(content, name="big.pdf"), Undeclared(content, name="big.pdf")):
        with pytest.raises(InvalidInput, match="larger than"):
            case_add_document(case=case, kind="claims", file=upload, actor=staff_of(case))
    assert (CaseDocument.objects.count(), stored_names()) == before


def test_images_are_accepted_for_design_views(english):
    case = make_case(CaseState.UNDER_REVIEW, patent_type="design")
    png = add(case, png_bytes(), kind="design_views", name="front.png")
    jpeg = add(case, jpeg_bytes(), kind="design_views", name="back.jpg")
    assert (png.content_type, jpeg.content_type) == ("image/png", "image/jpeg")
    assert png.pages is None and png.file.name.endswith(".png")
    assert [d.version for d in (png, jpeg)] == [2, 3]


def test_a_pixel_limit_below_pillows_own_is_applied(case, english, settings):
    settings.DOCUMENT_MAX_PIXELS = 100 * 100
    with pytest.raises(InvalidInput, match="more than 10,000 pixels"):
        add(case, png_bytes((101, 100)), kind="design_views", name="view.png")


@pytest.mark.parametrize(
    ("uploaded", "shown"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\li\\claims.pdf", "claims.pdf"),
        ("claims\x00\x1b[31m.pdf", "claims[31m.pdf"),
        ("\u202eFDP.exe", "FDP.exe"),
        ("..", "claims.pdf"),
        ("", "claims.pdf"),
    ],
)
def test_file_names_lose_path_parts_and_control_characters(case, uploaded, shown):
    document = add(case, pdf_bytes(), name=uploaded)
    assert document.original_name == shown
    assert document.file.name.startswith(f"cases/{case.pk}/claims-v")
    assert ".." not in document.file.name


def test_documents_are_append_only(case):
    document = CaseDocument.objects.filter(case=case).first()
    document.original_name = "changed.pdf"
    with pytest.raises(TypeError):
        document.save()
    with pytest.raises(TypeError):
        document.delete()
    with pytest.raises(TypeError):
        CaseDocument.objects.filter(case=case).update(original_name="x")
    with pytest.raises(TypeError):
        CaseDocument.objects.filter(case=case).delete()


def test_staff_of_another_center_cannot_add_documents(case):
    other = factories.make_center()
    with pytest.raises(PermissionDenied):
        case_add_document(case=case, kind="claims", file=pdf_file(), actor=staff_of(other))


def test_every_role_may_attach_documents(case):
    for role in Role:
        document = case_add_document(
            case=case, kind="other", file=pdf_file(), actor=staff_of(case, role)
        )
        assert document.uploaded_by.groups.filter(name=role).exists()


def test_notices_and_unknown_kinds_cannot_be_uploaded(case):
    for kind in ("notice", "poem"):
        with pytest.raises(InvalidInput):
            case_add_document(case=case, kind=kind, file=pdf_file(), actor=staff_of(case))


def test_a_closed_case_takes_no_documents():
    case = make_case(CaseState.NOT_ACCEPTED)
    with pytest.raises(TransitionNotAllowed):
        case_add_document(case=case, kind="claims", file=pdf_file(), actor=staff_of(case))


def test_a_service_needs_an_actor(case):
    with pytest.raises(TypeError):
        case_add_document(case=case, kind="claims", file=pdf_file(), actor=None)


# The complete set as the condition of acceptance


def test_accepting_an_incomplete_case_says_what_is_missing(english):
    case = make_case(CaseState.SUBMITTED, documents=False)
    factories.add_documents(case, ["request", "description"])
    with pytest.raises(ConditionNotMet, match="incomplete: Claims, Abstract missing"):
        services.case_accept(case=case, actor=staff_of(case))
    factories.add_documents(case, ["claims", "abstract"])
    assert services.case_accept(case=case, actor=staff_of(case)).state == CaseState.UNDER_REVIEW


def test_the_required_set_depends_on_the_patent_type(english):
    case = make_case(CaseState.SUBMITTED, patent_type="design", documents=False)
    with pytest.raises(ConditionNotMet, match="Request, Design views, Brief explanation missing"):
        services.case_accept(case=case, actor=SYSTEM)


def test_the_required_set_is_the_centers_data(english):
    case = make_case(CaseState.SUBMITTED, documents=False)
    factories.add_documents(case, ["request", "description", "claims", "abstract"])
    RequiredDocument.objects.create(center=case.center, patent_type="invention", kind="drawings")
    RequiredDocument.objects.create(
        center=case.center, patent_type="invention", kind="power_of_attorney"
    )
    # The center's rows replace the defaults for that type.
    with pytest.raises(ConditionNotMet, match="incomplete: Drawings, Power of attorney missing"):
        services.case_accept(case=case, actor=staff_of(case))


# Correction requests name the documents to replace; receiving records new versions


def test_a_correction_names_documents_and_receiving_records_their_new_versions(english):
    case = make_case(CaseState.UNDER_REVIEW)
    examiner = staff_of(case, Role.EXAMINER)
    case = services.case_request_correction(
        case=case,
        actor=examiner,
        public_note="Number the claims consecutively; shorten the abstract.",
        documents=["abstract", "claims"],
    )
    request = CorrectionRequest.objects.get(case=case)
    assert request.kinds == ["claims", "abstract"]  # in the order of the kinds
    assert request.event.public_note.startswith("Number the claims")

    # Claims arrive first, uploaded against the request; the abstract with the transition.
    claims = case_add_document(
        case=case, kind="claims", file=pdf_file("claims-v2.pdf"), actor=examiner, answers=request
    )
    with pytest.raises(InvalidInput, match="new versions of: Abstract"):
        services.case_receive_correction(case=case, actor=examiner)
    case = services.case_receive_correction(
        case=case, actor=examiner, documents={"abstract": pdf_file("abstract-v2.pdf")}
    )
    assert case.state == CaseState.UNDER_REVIEW
    answered = CaseDocument.objects.filter(answers=request).order_by("kind")
    assert [(d.kind, d.version) for d in answered] == [("abstract", 2), ("claims", 2)]
    assert claims in answered


def test_a_refused_correction_document_refuses_the_whole_receipt(english):
    case = make_case(CaseState.CORRECTION_REQUESTED)
    with pytest.raises(InvalidInput, match="not a PDF"):
        services.case_receive_correction(
            case=case,
            actor=staff_of(case),
            documents={"claims": ContentFile(b"plain text", name="claims.pdf")},
        )
    case.refresh_from_db()
    assert case.state == CaseState.CORRECTION_REQUESTED
    assert not CaseDocument.objects.filter(case=case, kind="claims", version=2).exists()


def test_only_the_open_correction_request_can_be_answered(english):
    case = make_case(CaseState.CORRECTION_REQUESTED)
    request = CorrectionRequest.objects.get(case=case)
    services.case_receive_correction(case=case, actor=staff_of(case))
    with pytest.raises(InvalidInput, match="waiting for"):
        case_add_document(
            case=case, kind="claims", file=pdf_file(), actor=staff_of(case), answers=request
        )


def test_a_correction_cannot_name_unknown_documents(english):
    case = make_case(CaseState.UNDER_REVIEW)
    with pytest.raises(InvalidInput, match="Unknown kind"):
        services.case_request_correction(
            case=case, actor=staff_of(case), public_note="Fix it.", documents=["poem"]
        )
    assert not CorrectionRequest.objects.filter(case=case).exists()
