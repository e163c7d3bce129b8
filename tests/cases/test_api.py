"""The REST API: tokens, scope by center, filters, cursor pages, writes and refusals."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from cases import services
from cases.choices import Channel
from cases.models import ApiToken, CaseEvent, CaseState, Role
from cases.services.api_tokens import api_token_create, api_token_revoke
from tests import factories

pytestmark = pytest.mark.django_db
S = CaseState


def client_for(user, **token_fields) -> APIClient:
    _row, token = api_token_create(user=user, name="docketing", **token_fields)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


@pytest.fixture
def admin_of(center):
    return factories.center_staff(center, Role.CENTER_ADMIN)


def cases_url(**params) -> str:
    from urllib.parse import urlencode

    return reverse("api:case-list") + (f"?{urlencode(params, doseq=True)}" if params else "")


def transition_url(case, name: str) -> str:
    return reverse("api:case-transition", args=[case.reference, name])


# Tokens


def test_a_token_is_stored_hashed_and_shown_once(center, admin_of):
    row, token = api_token_create(user=admin_of, name="docketing")
    assert token.startswith(f"pc_{row.prefix}_")
    assert token not in row.secret_hash and len(row.secret_hash) == 64
    response = client_for(admin_of).get(cases_url())
    assert response.status_code == 200


@pytest.mark.parametrize("state", ["revoked", "expired", "garbage"])
def test_a_revoked_expired_or_unknown_token_is_refused(center, admin_of, state):
    row, token = api_token_create(user=admin_of, name="x")
    if state == "revoked":
        api_token_revoke(ids=[row.pk])
    elif state == "expired":
        ApiToken.objects.filter(pk=row.pk).update(expires_at=timezone.now() - timedelta(1))
    else:
        token = token[:-2] + "xx"
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    response = client.get(cases_url())
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_token_records_when_it_was_last_used(center, admin_of):
    client = client_for(admin_of)
    client.get(cases_url())
    assert ApiToken.objects.get(user=admin_of).last_used_at is not None


def test_without_credentials_nothing_is_shown():
    assert APIClient().get(cases_url()).status_code == 401


def test_requests_are_throttled_per_token(center, admin_of):
    from rest_framework.throttling import SimpleRateThrottle

    rates = {"token": "3/min"}
    previous = SimpleRateThrottle.THROTTLE_RATES
    SimpleRateThrottle.THROTTLE_RATES = rates
    try:
        first, second = client_for(admin_of), client_for(admin_of)
        codes = [first.get(cases_url()).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        assert second.get(cases_url()).status_code == 200  # its own budget
    finally:
        SimpleRateThrottle.THROTTLE_RATES = previous


# Scope


def test_staff_see_only_their_centers_cases_everywhere(center, admin_of):
    mine = factories.make_case(S.UNDER_REVIEW, center=center)
    other = factories.make_case(S.UNDER_REVIEW)
    client = client_for(admin_of)

    listed = [row["reference"] for row in client.get(cases_url()).json()["results"]]
    assert listed == [mine.reference]
    assert client.get(reverse("api:case-detail", args=[other.reference])).status_code == 404
    assert client.post(transition_url(other, "qualify"), {}).status_code == 404
    events = client.get(reverse("api:event-list")).json()["results"]
    assert {e["case"] for e in events} == {mine.reference}
    documents = client.get(reverse("api:document-list")).json()["results"]
    assert documents and {d["case"] for d in documents} == {mine.reference}
    other_doc = other.documents.first()
    assert client.get(reverse("api:document-download", args=[other_doc.pk])).status_code == 404
    entities = client.get(reverse("api:entity-list")).json()["results"]
    assert [e["id"] for e in entities] == [mine.entity_id]
    assert client.get(reverse("api:entity-detail", args=[other.entity_id])).status_code == 404


def test_superusers_see_every_center(center):
    factories.make_case(center=center)
    factories.make_case()
    rows = client_for(factories.make_superuser()).get(cases_url()).json()["results"]
    assert len(rows) == 2


def test_a_user_without_a_center_sees_nothing(center):
    factories.make_case(center=center)
    nobody = factories.make_user(Role.CENTER_ADMIN, None)
    assert client_for(nobody).get(cases_url()).json()["results"] == []


def test_the_document_download_is_the_stored_file(center, admin_of):
    case = factories.make_case(center=center)
    document = case.documents.first()
    response = client_for(admin_of).get(reverse("api:document-download", args=[document.pk]))
    assert response.status_code == 200
    with document.file.open("rb") as stored:
        assert b"".join(response.streaming_content) == stored.read()


def test_a_notice_downloads_as_the_pdf_the_applicant_was_sent(center, admin_of):
    from cases.services.notices import notice_pdf

    case = factories.make_case(S.UNDER_REVIEW, center=center)
    other = factories.make_case(S.UNDER_REVIEW)
    notice, foreign = case.notices.get(), other.notices.get()
    client = client_for(admin_of)
    response = client.get(reverse("api:notice-download", args=[notice.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    with notice_pdf(notice=notice).file.open("rb") as stored:
        assert b"".join(response.streaming_content) == stored.read()
    assert client.get(reverse("api:notice-download", args=[foreign.pk])).status_code == 404
    assert not foreign.__class__.objects.get(pk=foreign.pk).pdf


# Filters and pages


def test_the_list_filters(center, admin_of):
    submitted = factories.make_case(S.SUBMITTED, center=center)
    review = factories.make_case(S.UNDER_REVIEW, center=center, patent_type="design")
    client = client_for(admin_of)

    def refs(**params):
        return {row["reference"] for row in client.get(cases_url(**params)).json()["results"]}

    assert refs(state="under_review") == {review.reference}
    assert refs(state=["submitted", "under_review"]) == {submitted.reference, review.reference}
    assert refs(patent_type="design") == {review.reference}
    assert refs(entity=submitted.entity_id) == {submitted.reference}
    assert refs(center=center.code) == {submitted.reference, review.reference}
    assert refs(center="XX") == set()
    assert refs(overdue="true") == set()
    assert refs(at_risk="false") == {submitted.reference, review.reference}
    assert refs(due_before="2000-01-01") == set()
    bad = client.get(cases_url(state="nonsense"))
    assert bad.status_code == 400 and "state" in bad.json()


def test_updated_since_pages_through_changes_in_order(center, admin_of):
    cases = [factories.make_case(center=center) for _ in range(5)]
    client = client_for(admin_of)
    since = (min(c.updated_at for c in cases) - timedelta(seconds=1)).isoformat()
    seen, url = [], cases_url(updated_since=since, page_size=2)
    while url:
        page = client.get(url).json()
        seen += [row["reference"] for row in page["results"]]
        url = page["next"]
    assert seen == [c.reference for c in sorted(cases, key=lambda c: (c.updated_at, c.pk))]


def test_pages_do_not_repeat_or_skip_when_a_case_is_added(center, admin_of):
    for _ in range(3):
        factories.make_case(center=center)
    client = client_for(admin_of)
    first = client.get(cases_url(page_size=2)).json()
    factories.make_case(center=center)  # newest: before the cursor, not on the next page
    second = client.get(first["next"]).json()
    refs = [r["reference"] for r in first["results"] + second["results"]]
    assert len(refs) == len(set(refs)) == 3


def test_list_and_detail_take_a_constant_number_of_queries(center, admin_of):
    client = client_for(admin_of)
    factories.make_case(S.UNDER_REVIEW, center=center)
    client.get(cases_url())
    with CaptureQueriesContext(connection) as one:
        client.get(cases_url())
    for _ in range(4):
        factories.make_case(S.QUALIFIED, center=center)
    with CaptureQueriesContext(connection) as five:
        assert len(client.get(cases_url()).json()["results"]) == 5
    assert len(five) == len(one)

    small = factories.make_case(S.SUBMITTED, center=center)
    big = factories.make_case(S.FILED, center=center)
    counts = []
    for case in (small, big):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("api:case-detail", args=[case.reference])).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_detail_has_clocks_and_internal_events_for_staff(center, admin_of):
    case = factories.make_case(S.UNDER_REVIEW, center=center)
    body = client_for(admin_of).get(reverse("api:case-detail", args=[case.reference])).json()
    assert body["state"] == "under_review"
    assert {c["step"] for c in body["clocks"] if c["running"]} == {"review"}
    assert {e["transition"] for e in body["events"]} >= {"submit", "accept", "add_document"}
    assert any(not e["public"] for e in body["events"])


# Writes


def test_submit_registers_a_case_through_the_api(center, admin_of):
    entity = factories.make_entity(center)
    response = client_for(admin_of).post(
        cases_url(),
        {
            "entity": entity.pk,
            "patent_type": "invention",
            "title": "A battery separator",
            "classification": "h01m 50/40",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["state"] == "submitted" and body["classification"] == "H01M 50/40"
    assert len(body["access_code"]) >= 6
    event = CaseEvent.objects.get(case__reference=body["reference"], transition="submit")
    assert (event.actor, event.channel) == (admin_of, Channel.API)


def test_submit_for_another_centers_entity_is_bad_input(center, admin_of):
    other = factories.make_entity(factories.make_center())
    response = client_for(admin_of).post(
        cases_url(),
        {"entity": other.pk, "patent_type": "invention", "title": "t", "classification": "C08"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["field"] == "entity"


def test_a_transition_through_the_api_is_an_api_event_of_the_tokens_user(center, admin_of):
    case = factories.make_case(S.SUBMITTED, center=center)
    response = client_for(admin_of).post(transition_url(case, "accept"), {}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == "under_review"
    event = CaseEvent.objects.get(case=case, transition="accept")
    assert (event.actor, event.channel) == (admin_of, Channel.API)


def test_record_filing_takes_the_admin_forms_inputs(center, admin_of):
    case = factories.make_case(S.QUALIFIED, center=center)
    kwargs = factories.transition_kwargs("record_filing", case, timezone.localdate())
    response = client_for(admin_of).post(
        transition_url(case, "record_filing"),
        {
            "application_number": kwargs["application_number"],
            "filing_date": str(kwargs["filing_date"]),
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["application_number"]


def test_wrong_state_is_409_with_the_services_message(center, admin_of):
    case = factories.make_case(S.SUBMITTED, center=center)
    response = client_for(admin_of).post(
        transition_url(case, "qualify"), {}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 409
    assert response.json()["detail"] == "“Qualify” is not possible while the case is “Submitted”."


def test_missing_permission_is_403(center):
    case = factories.make_case(S.SUBMITTED, center=center)
    examiner = factories.center_staff(center, Role.EXAMINER)
    response = client_for(examiner).post(
        transition_url(case, "accept"), {}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 403
    assert response.json()["detail"] == "You are not allowed to “Accept” on this case."


def test_messages_are_in_chinese_unless_the_client_asks(center, admin_of):
    case = factories.make_case(S.SUBMITTED, center=center)
    response = client_for(admin_of).post(transition_url(case, "qualify"), {}, format="json")
    assert response.json()["detail"] == "案件处于“已提交”状态，无法执行“判定预审合格”。"


def test_missing_message_is_400_at_its_field(center, admin_of):
    case = factories.make_case(S.SUBMITTED, center=center)
    response = client_for(admin_of).post(transition_url(case, "decline"), {}, format="json")
    assert response.status_code == 400
    assert response.json()["field"] == "public_note"


def test_bad_input_is_400_with_the_field_and_message(center, admin_of):
    case = factories.make_case(S.QUALIFIED, center=center)
    response = client_for(admin_of).post(
        transition_url(case, "record_filing"),
        {"application_number": "12345", "filing_date": str(timezone.localdate())},
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["field"] == "application_number" and body["detail"]


def test_a_failed_condition_is_400(center, admin_of):
    case = factories.make_case(S.SUBMITTED, center=center, documents=False)
    response = client_for(admin_of).post(transition_url(case, "accept"), {}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "condition_not_met"


def test_an_unknown_transition_is_404(center, admin_of):
    case = factories.make_case(S.SUBMITTED, center=center)
    assert client_for(admin_of).post(transition_url(case, "fly"), {}).status_code == 404


def test_a_retry_with_the_same_idempotency_key_returns_the_first_answer(center, admin_of):
    case = factories.make_case(S.SUBMITTED, center=center)
    client = client_for(admin_of)
    first = client.post(
        transition_url(case, "accept"), {}, format="json", HTTP_IDEMPOTENCY_KEY="k1"
    )
    again = client.post(
        transition_url(case, "accept"), {}, format="json", HTTP_IDEMPOTENCY_KEY="k1"
    )
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert CaseEvent.objects.filter(case=case, transition="accept").count() == 1
    other = client.post(
        transition_url(case, "accept"), {"note": "x"}, format="json", HTTP_IDEMPOTENCY_KEY="k1"
    )
    assert other.status_code == 422


def test_the_dashboard_figures_are_the_managers_centers(center):
    factories.make_case(S.UNDER_REVIEW, center=center)
    factories.make_case(S.UNDER_REVIEW)  # another center's
    services.dashboard_summary_refresh(full=True)  # the task's work: the page only reads
    manager = factories.center_staff(center, Role.MANAGER)
    body = client_for(manager).get(reverse("api:dashboard")).json()
    assert body["center_code"] == center.code
    assert body["total"]["received"] == 1
    examiner = factories.center_staff(center, Role.EXAMINER)
    assert client_for(examiner).get(reverse("api:dashboard")).status_code == 403


# Files through the API: the correction answered as multipart


def correction_asked(center, kinds=("claims",)):
    case = factories.make_case(S.UNDER_REVIEW, center=center)
    services.case_request_correction(
        case=case,
        actor=factories.staff_of(case),
        public_note="Number the claims consecutively.",
        documents=list(kinds),
    )
    return case


def claims_pdf(name="claims-v2.pdf"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cases.demo.files import text_pdf

    content = text_pdf(["1. A composite material, comprising graphene.", "2. ..."])
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.mark.parametrize("who", ["staff", "portal user"])
def test_receive_correction_takes_the_files_as_multipart(center, admin_of, who):
    from cases.models import CaseDocument, CorrectionRequest

    case = correction_asked(center)
    user = admin_of if who == "staff" else factories.make_portal_user(entity=case.entity)
    before = CaseDocument.objects.filter(case=case, kind="claims").count()
    response = client_for(user).post(
        transition_url(case, "receive_correction"),
        {"note": "Renumbered.", "file_claims": claims_pdf()},
        format="multipart",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == "under_review"
    answer = CaseDocument.objects.get(
        case=case, kind="claims", answers=CorrectionRequest.objects.get(case=case)
    )
    assert answer.version == before + 1
    assert (answer.channel, answer.uploaded_by_id, answer.pages) == (Channel.API, user.pk, 1)
    assert answer.original_name.endswith(".pdf")
    event = CaseEvent.objects.get(case=case, transition="receive_correction")
    assert (event.channel, event.actor_id) == (Channel.API, user.pk)


@pytest.mark.parametrize("who", ["staff", "portal user"])
def test_a_refused_file_is_400_at_its_field_and_stores_nothing(center, admin_of, who):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cases.models import CaseDocument

    case = correction_asked(center)
    user = admin_of if who == "staff" else factories.make_portal_user(entity=case.entity)
    documents = CaseDocument.objects.filter(case=case).count()
    renamed = SimpleUploadedFile(
        "claims.pdf", b"Just text, renamed to .pdf", content_type="application/pdf"
    )
    response = client_for(user).post(
        transition_url(case, "receive_correction"),
        {"file_claims": renamed},
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    body = response.json()
    assert (body["code"], body["field"]) == ("invalid", "file_claims")
    assert "not a PDF" in body["detail"]
    assert body["errors"] == {"file_claims": [body["detail"]]}
    case.refresh_from_db()
    assert case.state == S.CORRECTION_REQUESTED
    assert CaseDocument.objects.filter(case=case).count() == documents
    assert not CaseEvent.objects.filter(case=case, transition="receive_correction").exists()


def test_a_portal_token_cannot_answer_another_entitys_correction(center):
    case = correction_asked(center)
    stranger = factories.make_portal_user(entity=factories.make_entity(center))
    response = client_for(stranger).post(
        transition_url(case, "receive_correction"),
        {"file_claims": claims_pdf()},
        format="multipart",
    )
    assert response.status_code == 404
    case.refresh_from_db()
    assert case.state == S.CORRECTION_REQUESTED
