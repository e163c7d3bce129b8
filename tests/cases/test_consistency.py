"""The consistency check at the CNIPA filing: same, same text, different, missing; and
the command that verifies every stored document against its hash."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command

from cases.demo.files import sample_pdf, text_pdf
from cases.errors import InvalidInput, PermissionDenied, TransitionNotAllowed
from cases.models import CaseDocument, CaseEvent, CaseState, ConsistencyCheck, Role
from cases.services.consistency import case_check_consistency
from tests import factories
from tests.factories import make_case, staff_of

pytestmark = pytest.mark.django_db
Outcome = ConsistencyCheck.Outcome


@pytest.fixture
def case():
    return make_case(CaseState.FILED)


def qualified(case) -> dict[str, CaseDocument]:
    return {d.kind: d for d in CaseDocument.objects.filter(case=case, version=1).uploaded()}


def check(case, **filed):
    versions = qualified(case)
    given = {kind: versions[kind] for kind in versions}
    given.update(filed)
    return case_check_consistency(case=case, actor=staff_of(case, Role.INTAKE_CLERK), filed=given)


def test_confirmed_qualified_versions_are_consistent(case, english):
    result = check(case)
    assert result.consistent
    assert {row["outcome"] for row in result.results} == {Outcome.SAME}
    case.refresh_from_db()
    assert case.inconsistent_since is None
    event = CaseEvent.objects.get(case=case, transition="check_consistency")
    # Internal, in the site's language like every note the system writes.
    assert not event.public and event.note == "向国家知识产权局提交的文件与预审合格的文件一致。"


def test_an_upload_with_the_same_bytes_is_the_same_file(case):
    same = ContentFile(sample_pdf("claims", case.reference), name="claims.pdf")
    result = check(case, claims=same)
    row = next(r for r in result.results if r["kind"] == "claims")
    assert row["outcome"] == Outcome.SAME
    filed = CaseDocument.objects.get(pk=row["filed"]["id"])
    assert filed.as_filed and filed.version == 2


def test_the_same_text_in_another_file_is_consistent(case):
    lines = [
        f"{case.reference}: claims",
        "Revision 1.",
        "1. A composite material comprising a polymer matrix and graphene.",
    ]
    other_bytes = ContentFile(text_pdf(lines, producer="CPC client 2.1"), name="claims.pdf")
    result = check(case, claims=other_bytes)
    row = next(r for r in result.results if r["kind"] == "claims")
    assert row["outcome"] == Outcome.SAME_TEXT
    assert row["filed"]["sha256"] != row["qualified"]["sha256"]
    assert result.consistent


def test_a_different_text_differs_with_a_short_diff_and_flags_the_case(case, english):
    changed = ContentFile(
        text_pdf(
            [f"{case.reference}: claims", "Revision 1.", "1. A composite material of carbon fibre."]
        ),
        name="claims.pdf",
    )
    result = check(case, claims=changed)
    row = next(r for r in result.results if r["kind"] == "claims")
    assert row["outcome"] == Outcome.DIFFERS
    assert "-1. A composite material comprising a polymer matrix and graphene." in row["diff"]
    assert "+1. A composite material of carbon fibre." in row["diff"]
    assert not result.consistent and result.differing_kinds == ["claims"]
    case.refresh_from_db()
    assert case.inconsistent_since is not None
    event = CaseEvent.objects.get(case=case, transition="check_consistency")
    assert event.note.endswith("不一致：权利要求书。")
    # A later check that finds them consistent clears the flag.
    assert check(case).consistent
    case.refresh_from_db()
    assert case.inconsistent_since is None


def test_a_missing_document_never_passes(case):
    versions = qualified(case)
    given = {kind: doc for kind, doc in versions.items() if kind != "abstract"}
    result = case_check_consistency(case=case, actor=staff_of(case), filed=given)
    assert not result.consistent
    row = next(r for r in result.results if r["kind"] == "abstract")
    assert row["outcome"] == Outcome.MISSING and row["filed"] is None
    # Said explicitly ("not filed"), the same.
    assert not check(case, description=None).consistent


def test_a_later_version_confirmed_as_filed_is_compared_with_the_qualified_one():
    case = make_case(CaseState.QUALIFIED)
    # Uploaded after qualification: not the qualified version.
    later = factories.add_documents(case, ["claims"])[0]
    from cases import services

    services.case_record_filing(
        case=case,
        actor=staff_of(case),
        application_number=factories.transition_kwargs(
            "record_filing", case, case.qualified_at.date()
        )["application_number"],
        filing_date=case.qualified_at.date(),
    )
    result = check(case, claims=later)
    row = next(r for r in result.results if r["kind"] == "claims")
    assert (row["qualified"]["version"], row["filed"]["version"]) == (1, 2)


def test_only_staff_allowed_and_only_once_filed(case):
    with pytest.raises(PermissionDenied):
        case_check_consistency(case=case, actor=staff_of(case, Role.EXAMINER), filed={})
    with pytest.raises(PermissionDenied):
        case_check_consistency(case=case, actor=staff_of(factories.make_center()), filed={})
    qualified_case = make_case(CaseState.QUALIFIED)
    with pytest.raises(TransitionNotAllowed):
        case_check_consistency(case=qualified_case, actor=staff_of(qualified_case), filed={})
    with pytest.raises(InvalidInput):
        case_check_consistency(case=case, actor=staff_of(case), filed={"poem": None})


# Backups: every document's file is there with its hash


def test_verify_documents_reports_intact_missing_and_changed_files(case):
    out, err = StringIO(), StringIO()
    call_command("verify_documents", stdout=out, stderr=err)
    count = CaseDocument.objects.count()
    assert (
        f"{count} documents checked: {count} intact, 0 missing, 0 with a different hash."
        in out.getvalue()
    )

    claims, abstract = (CaseDocument.objects.get(case=case, kind=k) for k in ("claims", "abstract"))
    default_storage.delete(claims.file.name)
    with default_storage.open(abstract.file.name, "wb") as stored:
        stored.write(b"%PDF-1.7 tampered")
    orphan = default_storage.save(f"cases/{case.pk}/orphan.pdf", ContentFile(b"x"))
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError):
        call_command("verify_documents", "--orphans", stdout=out, stderr=err)
    assert f"missing: document {claims.pk}" in err.getvalue()
    assert f"differs: document {abstract.pk}" in err.getvalue()
    assert "1 missing, 1 with a different hash" in out.getvalue()
    assert f"orphan: {orphan}" in out.getvalue()
