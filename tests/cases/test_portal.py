"""The applicants' portal: who sees and does what (isolation), CSRF on its forms, the
login limits, the quota under concurrent submissions, the correction round trip, the
reports of CNIPA steps, the online registration and submission."""

from __future__ import annotations

import re
import threading

import pytest
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from cases import services
from cases.actors import Actor
from cases.choices import Channel
from cases.demo.files import sample_pdf
from cases.errors import ConditionNotMet, PermissionDenied
from cases.models import (
    Case,
    CaseEvent,
    CaseState,
    CorrectionRequest,
    Entity,
    Notice,
    NoticeRead,
    Notification,
    RegistrationState,
    RequiredDocument,
    Role,
    SubmissionQuota,
)
from cases.selectors.portal import portal_cases_for
from cases.services import notices
from cases.services import portal as portal_services
from cases.services.outbox import render
from cases.services.portal import accounts as portal_accounts
from tests.factories import (
    authorise,
    make_agency,
    make_case,
    make_center,
    make_entity,
    make_portal_user,
    make_user,
    pdf_file,
    staff_of,
)

pytestmark = pytest.mark.django_db


def english_client(**kwargs) -> Client:
    client = Client(**kwargs)
    client.cookies["django_language"] = "en"
    return client


def upload(kind: str, name: str | None = None) -> ContentFile:
    return ContentFile(sample_pdf(kind, "test"), name=name or f"{kind}.pdf")


def case_urls(case: Case) -> list[tuple[str, str]]:
    """Every portal URL that names a case, its documents or its notices: (method, url)."""
    document = case.documents.exclude(kind="notice").first()
    notice = Notice.objects.filter(case=case).first()
    urls = [
        ("get", reverse("portal:case_detail", args=[case.reference])),
        ("get", reverse("portal:correction", args=[case.reference])),
        ("post", reverse("portal:correction", args=[case.reference])),
        ("get", reverse("portal:withdraw", args=[case.reference])),
        ("post", reverse("portal:withdraw", args=[case.reference])),
    ]
    for name in portal_services.REPORTS:
        urls.append(("get", reverse("portal:report", args=[case.reference, name])))
        urls.append(("post", reverse("portal:report", args=[case.reference, name])))
    if document is not None:
        urls.append(
            ("get", reverse("portal:document_download", args=[case.reference, document.pk]))
        )
    if notice is not None:
        urls.append(("get", reverse("portal:notice_download", args=[notice.pk])))
        urls.append(
            (
                "get",
                reverse(
                    "portal:document_download",
                    args=[case.reference, notices.notice_pdf(notice=notice).pk],
                ),
            )
        )
    return urls


@pytest.fixture
def two_entities():
    center = make_center()
    mine, theirs = make_entity(center), make_entity(center)
    return center, mine, theirs


def assert_all_404(client: Client, case: Case) -> None:
    for method, url in case_urls(case):
        response = getattr(client, method)(url, {"reason": "x", "confirm": "on"})
        assert response.status_code == 404, (method, url, response.status_code)


def test_entity_user_gets_404_for_every_other_case_document_and_notice(two_entities):
    _center, mine, theirs = two_entities
    other = make_case(CaseState.CORRECTION_REQUESTED, entity=theirs)
    own = make_case(CaseState.CORRECTION_REQUESTED, entity=mine)
    client = Client()
    client.force_login(make_portal_user(entity=mine))
    assert client.get(reverse("portal:case_detail", args=[own.reference])).status_code == 200
    assert_all_404(client, other)
    # A document of another case reached through one's own case reference: 404 too.
    foreign = other.documents.first()
    url = reverse("portal:document_download", args=[own.reference, foreign.pk])
    assert client.get(url).status_code == 404
    # Same answer as a reference that does not exist.
    missing = client.get(reverse("portal:case_detail", args=["SH-1999-000001"]))
    assert missing.status_code == 404
    list_page = client.get(reverse("portal:case_list"))
    assert own.reference in list_page.content.decode()
    assert other.reference not in list_page.content.decode()
    notices = client.get(reverse("portal:notice_list")).content.decode()
    assert Notice.objects.filter(case=other).first().number not in notices
    assert Notice.objects.filter(case=own).first().number in notices
    assert Case.objects.get(pk=other.pk).state == CaseState.CORRECTION_REQUESTED


def test_agency_sees_principals_cases_only_while_authorised(two_entities):
    _center, principal, _other = two_entities
    case = make_case(CaseState.CORRECTION_REQUESTED, entity=principal)
    agency = make_agency()
    user = make_portal_user(agency=agency)
    client = Client()
    client.force_login(user)
    # Not authorised yet: nothing.
    assert list(portal_cases_for(user)) == []
    assert_all_404(client, case)
    authorisation = authorise(principal, agency)
    assert client.get(reverse("portal:case_detail", args=[case.reference])).status_code == 200
    assert User.objects.get(pk=user.pk).has_perm("cases.receive_correction", case)
    # The entity's administrator revokes: every URL is 404 again at once.
    owner = make_portal_user(entity=principal)
    portal_services.agency_revoke(actor=Actor.portal(owner), authorisation=authorisation)
    assert not User.objects.get(pk=user.pk).has_perm("cases.receive_correction", case)
    assert_all_404(client, case)


def test_portal_rule_gives_applicant_permissions_on_own_cases_only(two_entities):
    _center, mine, theirs = two_entities
    own, other = make_case(entity=mine), make_case(entity=theirs)
    user = make_portal_user(entity=mine)
    for perm in ("withdraw_case", "receive_correction", "record_filing", "add_casedocument"):
        assert user.has_perm(f"cases.{perm}", own)
        assert not User.objects.get(pk=user.pk).has_perm(f"cases.{perm}", other)
    for perm in ("accept_case", "qualify_case", "request_correction", "approve_entity"):
        assert not user.has_perm(f"cases.{perm}", own)
    assert user.has_perm("cases.submit_case", mine)
    assert not user.is_staff


def test_staff_cannot_use_the_portal_and_portal_users_not_the_admin(two_entities):
    center, mine, _theirs = two_entities
    staff = staff_of(center).user
    client = Client()
    client.force_login(staff)
    assert client.get(reverse("portal:case_list")).status_code == 403
    # And staff cannot log in through the portal's form.
    staff.email = "clerk@example.com"
    staff.save()
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=staff, email=staff.email, verified=True, primary=True)
    anonymous = Client()
    response = anonymous.post(
        reverse("account_login"), {"login": staff.email, "password": "pw-for-tests-1"}
    )
    assert response.status_code == 200 and "_auth_user_id" not in anonymous.session
    portal = Client()
    portal.force_login(make_portal_user(entity=mine))
    admin_page = portal.get("/admin/")
    assert admin_page.status_code == 302 and "/admin/login/" in admin_page["Location"]


def test_every_portal_form_needs_its_csrf_token(two_entities):
    _center, mine, _theirs = two_entities
    case = make_case(CaseState.CORRECTION_REQUESTED, entity=mine)
    user = make_portal_user(entity=mine)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    posts = [
        reverse("portal:correction", args=[case.reference]),
        reverse("portal:withdraw", args=[case.reference]),
        reverse("portal:report", args=[case.reference, "record_filing"]),
        reverse("portal:registration"),
        reverse("portal:agencies"),
        reverse("portal:members"),
        reverse("portal:submit"),
        reverse("account_logout"),
        reverse("account_change_password"),
    ]
    for url in posts:
        assert client.post(url, {"reason": "x", "confirm": "on"}).status_code == 403, url
    anonymous = Client(enforce_csrf_checks=True)
    for url in (
        reverse("account_login"),
        reverse("account_signup"),
        reverse("account_reset_password"),
    ):
        assert anonymous.post(url, {"login": "a@example.com"}).status_code == 403, url
    # The pages carry the token in their forms.
    page = client.get(reverse("portal:withdraw", args=[case.reference])).content.decode()
    assert "csrfmiddlewaretoken" in page
    assert Case.objects.get(pk=case.pk).state == CaseState.CORRECTION_REQUESTED


def test_login_is_locked_per_account_after_failures_without_telling_accounts_apart(
    english, settings
):
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "100/10m/ip,3/15m/key"}
    make_portal_user(email="known@example.com")
    answers = {}
    for email in ("known@example.com", "unknown@example.com"):
        client = english_client()
        for _attempt in range(3):
            client.post(reverse("account_login"), {"login": email, "password": "bad"})
            assert "_auth_user_id" not in client.session
        locked = client.post(
            reverse("account_login"), {"login": email, "password": "pw-for-tests-1"}
        )
        assert "_auth_user_id" not in client.session
        answers[email] = [str(e) for e in locked.context["form"].non_field_errors()]
    assert answers["known@example.com"] == answers["unknown@example.com"]
    assert "Too many failed login attempts" in answers["known@example.com"][0]


def test_login_is_locked_per_address(english, settings):
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "3/10m/ip,100/15m/key"}
    make_portal_user(email="someone@example.com")
    client = english_client()
    for n in range(3):
        client.post(reverse("account_login"), {"login": f"x{n}@example.com", "password": "bad"})
    locked = client.post(
        reverse("account_login"), {"login": "someone@example.com", "password": "pw-for-tests-1"}
    )
    assert "_auth_user_id" not in client.session
    assert "Too many failed login attempts" in locked.content.decode()
    # Another address is not affected.
    other = english_client(REMOTE_ADDR="10.0.0.9")
    other.post(
        reverse("account_login"), {"login": "someone@example.com", "password": "pw-for-tests-1"}
    )
    assert "_auth_user_id" in other.session


def test_correction_round_trip_through_the_portal(english):
    case = make_case(CaseState.UNDER_REVIEW)
    examiner_actor = staff_of(case)
    examiner = make_user(Role.EXAMINER, case.center)
    examiner.email = "examiner@example.com"
    examiner.save()
    services.case_assign(case=case, actor=examiner_actor, examiner=examiner)
    services.case_request_correction(
        case=case,
        actor=examiner_actor,
        public_note="Number the claims consecutively.",
        documents=["claims"],
    )
    user = make_portal_user(entity=case.entity)
    client = english_client()
    client.force_login(user)
    page = client.get(reverse("portal:case_detail", args=[case.reference])).content.decode()
    assert "Number the claims consecutively." in page
    assert "Claims" in page
    url = reverse("portal:correction", args=[case.reference])
    # Without the named document: refused at its field, nothing changes.
    refused = client.post(url, {"note": "Renumbered."})
    assert refused.status_code == 200
    assert refused.context["form"].errors["file_claims"]
    assert Case.objects.get(pk=case.pk).state == CaseState.CORRECTION_REQUESTED
    done = client.post(url, {"note": "Renumbered.", "file_claims": upload("claims")})
    assert done.status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.UNDER_REVIEW
    event = CaseEvent.objects.filter(case=case, transition="receive_correction").get()
    assert event.channel == Channel.PORTAL and event.actor_id == user.pk
    request = CorrectionRequest.objects.get(case=case)
    answer = case.documents.get(kind="claims", answers=request)
    assert answer.channel == Channel.PORTAL and answer.uploaded_by_id == user.pk
    told = Notification.objects.get(case=case, kind=Notification.Kind.CORRECTION_RECEIVED)
    assert told.recipient == "examiner@example.com"
    subject, body = render(told)
    assert case.reference in subject and "Renumbered." in body


def test_filing_report_validates_at_its_fields(english):
    case = make_case(CaseState.QUALIFIED)
    user = make_portal_user(entity=case.entity)
    client = english_client()
    client.force_login(user)
    url = reverse("portal:report", args=[case.reference, "record_filing"])
    today = timezone.localdate()
    bad = client.post(url, {"application_number": "12345", "filing_date": today.isoformat()})
    assert bad.status_code == 200
    assert bad.context["form"].errors["application_number"]
    future = client.post(
        url,
        {
            "application_number": "2026 1 0987654.0",
            "filing_date": (today.replace(year=today.year + 1)).isoformat(),
        },
    )
    assert future.context["form"].errors["filing_date"]
    assert Case.objects.get(pk=case.pk).state == CaseState.QUALIFIED
    from cases.appnumbers import make_application_number

    number = make_application_number(today.year, 1, 4242)
    good = client.post(
        url,
        {
            "application_number": str(number),
            "filing_date": today.isoformat(),
            "receipt": pdf_file("receipt.pdf"),
        },
    )
    assert good.status_code == 302, good.context["form"].errors
    case.refresh_from_db()
    assert case.state == CaseState.FILED
    event = CaseEvent.objects.get(case=case, transition="record_filing")
    assert event.channel == Channel.PORTAL
    assert case.documents.filter(kind="other", channel=Channel.PORTAL).exists()


def test_withdraw_needs_confirmation_and_a_reason(english):
    case = make_case(CaseState.SUBMITTED)
    client = english_client()
    client.force_login(make_portal_user(entity=case.entity))
    url = reverse("portal:withdraw", args=[case.reference])
    refused = client.post(url, {"reason": "No longer needed."})
    assert refused.context["form"].errors["confirm"]
    assert Case.objects.get(pk=case.pk).state == CaseState.SUBMITTED
    client.post(url, {"reason": "No longer needed.", "confirm": "on"})
    assert Case.objects.get(pk=case.pk).state == CaseState.WITHDRAWN
    assert CaseEvent.objects.get(case=case, transition="withdraw").channel == Channel.PORTAL


def test_registration_online_returned_and_resubmitted(english):
    center = make_center()
    user = make_portal_user()
    client = english_client()
    client.force_login(user)
    assert client.get(reverse("portal:home"))["Location"] == reverse("portal:registration")
    from cases.validators import make_credit_code

    data = {
        "center": center.pk,
        "name": "Acme Materials Co., Ltd.",
        "credit_code": "91310000MA1K00000X",
        "address": "1 Century Ave, Shanghai",
        "contact_name": "Wang Fang",
        "contact_email": "wang@example.com",
        "contact_language": "zh-hans",
        "licence": pdf_file("licence.pdf"),
    }
    bad = client.post(reverse("portal:registration"), data)
    assert bad.context["form"].errors["credit_code"]
    data["credit_code"] = make_credit_code("91310000MA1K00000")
    data["licence"] = pdf_file("licence.pdf")
    assert client.post(reverse("portal:registration"), data).status_code == 302
    entity = Entity.objects.get(name="Acme Materials Co., Ltd.")
    assert entity.registration_state == RegistrationState.SUBMITTED
    assert entity.licences.count() == 1
    services.entity_transition(
        entity=entity,
        name="return_for_material",
        actor=staff_of(center),
        note="The licence scan is unreadable.",
    )
    page = client.get(reverse("portal:registration")).content.decode()
    assert "The licence scan is unreadable." in page
    resubmit = dict(data, name="Acme Materials Co., Ltd.", note="New scan attached.")
    resubmit["licence"] = pdf_file("licence2.pdf")
    assert client.post(reverse("portal:registration"), resubmit).status_code == 302
    entity.refresh_from_db()
    assert entity.registration_state == RegistrationState.SUBMITTED
    assert entity.licences.count() == 2
    assert "New scan attached." in entity.registration_note


def submission_data(center, **extra):
    kinds = RequiredDocument.objects.kinds_for(center_id=center.pk, patent_type="invention")
    data = {
        "patent_type": "invention",
        "title": "Graphene composite",
        "classification": "C08K 3/04",
        "not_pct_national_phase": "on",
        "not_divisional": "on",
        "submit": "1",
    }
    data.update({f"file_{kind}": upload(kind) for kind in kinds})
    data.update(extra)
    return data


def test_a_malformed_classification_is_refused_and_a_loose_one_stored_normalised(english):
    center = make_center()
    entity = make_entity(center)
    client = english_client()
    client.force_login(make_portal_user(entity=entity))
    bad = client.post(reverse("portal:submit"), submission_data(center, classification="XYZ"))
    assert bad.context["form"].errors["classification"]
    assert not Case.objects.filter(entity=entity).exists()
    loose = client.post(
        reverse("portal:submit"), submission_data(center, classification="c08k3/04")
    )
    assert loose.status_code == 302
    assert Case.objects.get(entity=entity).classification == "C08K 3/04"


def test_submit_online_with_documents_and_scope_check(english):
    center = make_center()
    entity = make_entity(center)
    user = make_portal_user(entity=entity)
    client = english_client()
    client.force_login(user)
    page = client.get(reverse("portal:submit")).content.decode()
    assert "C08, B01D, H01M" in page  # the center's fields, shown up front
    out_of_scope = client.post(
        reverse("portal:submit"), submission_data(center, classification="A61K 9/00")
    )
    assert out_of_scope.context["form"].errors["classification"]
    pct = submission_data(center)
    del pct["not_pct_national_phase"]
    assert (
        client.post(reverse("portal:submit"), pct).context["form"].errors["not_pct_national_phase"]
    )
    assert not Case.objects.filter(entity=entity).exists()
    # Saved as a draft, finished later.
    draft = client.post(
        reverse("portal:submit"),
        {"title": "Graphene composite", "save": "1", "file_request": upload("request", "req.pdf")},
    )
    assert draft.status_code == 302
    draft_url = draft["Location"]
    page = client.get(draft_url).content.decode()
    assert "Graphene composite" in page and "req.pdf" in page
    # A file that is not a PDF is refused at its field, the draft keeps the rest.
    bad = client.post(
        draft_url,
        {"title": "Graphene composite", "save": "1", "file_claims": ContentFile(b"hi", "c.pdf")},
    )
    assert "not a PDF" in bad.context["form"].errors["file_claims"][0]
    # Finished later: the request attached to the draft is the case's.
    final = submission_data(center)
    del final["file_request"]
    done = client.post(draft_url, final)
    assert done.status_code == 302
    case = Case.objects.get(entity=entity)
    assert done["Location"] == reverse("portal:case_detail", args=[case.reference])
    assert case.state == CaseState.SUBMITTED
    assert case.documents.count() == 4
    assert case.documents.get(kind="request").original_name == "req.pdf"
    assert CaseEvent.objects.get(case=case, transition="submit").channel == Channel.PORTAL
    assert case.draft.pk  # the draft names its case and leaves the list


def test_submission_refused_before_registration_is_approved(english):
    center = make_center()
    entity = make_entity(center, approved=False)
    with pytest.raises(ConditionNotMet, match="approved"):
        portal_services.portal_case_submit(
            actor=Actor.portal(make_portal_user(entity=entity)),
            entity=entity,
            patent_type="invention",
            title="X",
            classification="C08K 3/04",
            not_pct_national_phase=True,
            not_divisional=True,
            documents={},
        )


def test_quota_refuses_with_the_count_used(english):
    center = make_center()
    entity = make_entity(center)
    year = timezone.localdate().year
    SubmissionQuota.objects.create(entity=entity, patent_type="invention", year=year, limit=1)
    client = english_client()
    client.force_login(make_portal_user(entity=entity))
    assert client.post(reverse("portal:submit"), submission_data(center)).status_code == 302
    refused = client.post(reverse("portal:submit"), submission_data(center))
    assert refused.status_code == 200
    assert "1 of 1" in refused.content.decode()
    assert Case.objects.filter(entity=entity).count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_quota_holds_under_two_concurrent_submissions():
    center = make_center()
    entity = make_entity(center)
    year = timezone.localdate().year
    SubmissionQuota.objects.create(entity=entity, patent_type="invention", year=year, limit=1)
    users = [make_portal_user(entity=entity), make_portal_user(entity=entity)]
    kinds = RequiredDocument.objects.kinds_for(center_id=center.pk, patent_type="invention")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def submit(user):
        translation.activate("en")
        try:
            barrier.wait(timeout=10)
            portal_services.portal_case_submit(
                actor=Actor.portal(User.objects.get(pk=user.pk)),
                entity=entity,
                patent_type="invention",
                title="Concurrent",
                classification="C08K 3/04",
                not_pct_national_phase=True,
                not_divisional=True,
                documents={kind: upload(kind) for kind in kinds},
            )
            outcomes.append("submitted")
        except ConditionNotMet as error:
            outcomes.append(str(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes)[-1] == "submitted"
    assert outcomes.count("submitted") == 1
    refusal = next(o for o in outcomes if o != "submitted")
    assert "quota is used up: 1 of 1" in refusal
    assert Case.objects.filter(entity=entity).count() == 1


def test_notice_inbox_marks_unread_until_downloaded(english):
    case = make_case(CaseState.UNDER_REVIEW)
    user = make_portal_user(entity=case.entity)
    client = english_client()
    client.force_login(user)
    notice = Notice.objects.get(case=case)
    inbox = client.get(reverse("portal:notice_list")).content.decode()
    assert "unread" in inbox and notice.number in inbox
    response = client.get(reverse("portal:notice_download", args=[notice.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert NoticeRead.objects.filter(notice=notice, user=user).exists()
    assert "portal-row--unread" not in client.get(reverse("portal:notice_list")).content.decode()


def test_staff_see_online_actions_quota_use_and_the_licence(english):
    case = make_case(CaseState.SUBMITTED)
    user = make_portal_user(entity=case.entity)
    services.case_withdraw(case=case, actor=Actor.portal(user), note="x", public_note="x")
    year = timezone.localdate().year
    SubmissionQuota.objects.create(entity=case.entity, patent_type="invention", year=year, limit=5)
    from cases.models import RegistrationLicence

    portal_accounts._store_licence(
        entity=case.entity,
        file=pdf_file("licence.pdf"),
        actor=Actor.portal(user),
        at=timezone.now(),
    )
    licence = RegistrationLicence.objects.get(entity=case.entity)
    staff = english_client()
    staff.force_login(staff_of(case).user)
    listing = staff.get(reverse("admin:cases_case_changelist")).content.decode()
    assert "icon-yes.svg" in listing  # acted online
    page = staff.get(reverse("admin:cases_case_change", args=[case.pk])).content.decode()
    assert "online, by the applicant" in page
    quotas = staff.get(reverse("admin:cases_submissionquota_changelist")).content.decode()
    assert "1 / 5" in quotas
    entity_page = staff.get(reverse("admin:cases_entity_change", args=[case.entity_id]))
    assert "licence.pdf" in entity_page.content.decode()
    url = reverse("admin:cases_registrationlicence_download", args=[licence.pk])
    assert staff.get(url).status_code == 200
    # Staff of another center: 404.
    other = english_client()
    other.force_login(staff_of(make_center()).user)
    assert other.get(url).status_code == 404


def test_a_password_change_logs_out_every_session():
    user = make_portal_user(email="li@example.com")
    first, second = Client(), Client()
    for client in (first, second):
        client.post(
            reverse("account_login"), {"login": "li@example.com", "password": "pw-for-tests-1"}
        )
        assert "_auth_user_id" in client.session
    response = first.post(
        reverse("account_change_password"),
        {
            "oldpassword": "pw-for-tests-1",
            "password1": "Another-Long-pw-42",
            "password2": "Another-Long-pw-42",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Another-Long-pw-42")
    for client in (first, second):
        page = client.get(reverse("portal:case_list"))
        assert page.status_code == 302 and "/portal/accounts/login/" in page["Location"]


def test_the_signup_sends_a_signed_verification_link_and_login_waits_for_it(mailoutbox):
    client = Client()
    client.post(
        reverse("account_signup"),
        {
            "email": "new@example.com",
            "password1": "Long-enough-pw-7",
            "password2": "Long-enough-pw-7",
        },
    )
    user = User.objects.get(email="new@example.com")
    assert not user.is_staff and user.portal_account.entity_id is None
    # A weak password is refused by Django's validators.
    weak = Client().post(
        reverse("account_signup"),
        {"email": "weak@example.com", "password1": "12345678", "password2": "12345678"},
    )
    assert weak.status_code == 200 and not User.objects.filter(email="weak@example.com").exists()
    # Not verified yet: no session.
    login = Client()
    login.post(
        reverse("account_login"), {"login": "new@example.com", "password": "Long-enough-pw-7"}
    )
    assert "_auth_user_id" not in login.session
    (message,) = mailoutbox
    link = re.search(r"https?://\S+/portal/accounts/confirm-email/(\S+)/", message.body)
    assert link
    client.post(reverse("account_confirm_email", args=[link.group(1)]))
    login.post(
        reverse("account_login"), {"login": "new@example.com", "password": "Long-enough-pw-7"}
    )
    assert "_auth_user_id" in login.session


def test_staff_correct_the_number_the_applicant_reported(english):
    from cases.appnumbers import make_application_number

    case = make_case(CaseState.QUALIFIED)
    user = make_portal_user(entity=case.entity)
    today = timezone.localdate()
    wrong = str(make_application_number(today.year, 1, 1111))
    right = str(make_application_number(today.year, 1, 2222))
    portal_services.portal_report(
        actor=Actor.portal(user),
        case=case,
        name="record_filing",
        values={"application_number": wrong, "filing_date": today},
    )
    # The applicant cannot correct it themselves.
    with pytest.raises(PermissionDenied):
        services.case_correct_application_number(
            case=case, actor=Actor.portal(user), application_number=right, note="typo"
        )
    staff = english_client()
    staff.force_login(staff_of(case).user)
    url = reverse("admin:cases_case_application_number", args=[case.pk])
    staff.post(url, {"application_number": right, "note": ""})
    assert Case.objects.get(pk=case.pk).application_number == wrong  # a reason is required
    staff.post(url, {"application_number": right, "note": "Typo in the reported number."})
    assert Case.objects.get(pk=case.pk).application_number == right
    event = CaseEvent.objects.get(case=case, transition="correct_application_number")
    assert wrong in event.note and right in event.note and not event.public
    assert event.channel == Channel.ADMIN


def test_account_pages_are_in_the_portal_layout_with_the_center_contact(mailoutbox):
    center = make_center(name="中国（上海）知识产权保护中心", phone="021-12345678")
    make_portal_user(email="reset@example.com")
    anonymous = Client()
    for name in ("account_login", "account_signup", "account_reset_password"):
        page = anonymous.get(reverse(name)).content.decode()
        assert 'class="portal-nav"' in page and center.name in page and "021-12345678" in page
        assert "<label" in page  # fields are labelled, not placeholders only
    anonymous.post(reverse("account_reset_password"), {"email": "reset@example.com"})
    anonymous.post(reverse("account_reset_password"), {"email": "nobody@example.com"})
    # The same answer for both; the unknown address is told it has no account.
    assert [m.to for m in mailoutbox] == [["reset@example.com"], ["nobody@example.com"]]
    assert "/portal/accounts/password/reset/key/" in mailoutbox[0].body
    assert "/password/reset/key/" not in mailoutbox[1].body


def test_agency_submits_for_principals_only_and_drafts_stay_private(english, two_entities):
    center, principal, other = two_entities
    agency = make_agency()
    authorise(principal, agency)
    agent = english_client()
    agent.force_login(make_portal_user(agency=agency))
    choose = agent.get(reverse("portal:submit")).content.decode()
    assert principal.name in choose and other.name not in choose
    # Another entity, by id in the URL or the form: 404, nothing created.
    assert agent.get(reverse("portal:submit"), {"entity": other.pk}).status_code == 404
    assert (
        agent.post(reverse("portal:submit"), submission_data(center, entity=other.pk)).status_code
        == 404
    )
    done = agent.post(reverse("portal:submit"), submission_data(center, entity=principal.pk))
    assert done.status_code == 302
    case = Case.objects.get(entity=principal)
    assert CaseEvent.objects.get(case=case, transition="submit").channel == Channel.PORTAL
    assert not Case.objects.filter(entity=other).exists()
    # A draft of one entity is 404 to a user of another.
    owner = english_client()
    owner.force_login(make_portal_user(entity=other))
    saved = owner.post(reverse("portal:submit"), {"title": "Secret", "save": "1"})
    stranger = english_client()
    stranger.force_login(make_portal_user(entity=principal))
    assert stranger.get(saved["Location"]).status_code == 404
    assert stranger.post(saved["Location"], {"title": "x", "save": "1"}).status_code == 404
    assert agent.get(saved["Location"]).status_code == 404
