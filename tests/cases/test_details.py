"""Correcting a case's details (``services.case_edit_details``) and its admin form."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from cases import services
from cases.errors import InvalidInput, PermissionDenied, TransitionNotAllowed
from cases.models import Case, CaseState, Role
from tests import factories
from tests.pages import login, message_texts

S = CaseState
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def details(case: Case, **changes: object) -> dict[str, object]:
    values = {
        "title": case.title,
        "classification": case.classification,
        "patent_type": case.patent_type,
        "entity": case.entity,
    }
    return {**values, **changes}


def test_intake_corrects_a_submitted_case_and_each_change_is_logged_old_to_new():
    case = factories.make_case(S.SUBMITTED)
    clerk = factories.staff_of(case, Role.INTAKE_CLERK)
    other = factories.make_entity(case.center)
    old_title, old_entity = case.title, case.entity
    case = services.case_edit_details(
        case=case,
        actor=clerk,
        **details(case, title="Graphene film", classification="ｃ08ｋ3/06", entity=other),
    )
    assert (case.title, case.classification, case.entity) == ("Graphene film", "C08K 3/06", other)
    event = case.events.get(transition="edit_details")
    assert (event.public, event.actor, event.from_state) == (False, clerk.user, S.SUBMITTED)
    assert f"{old_title} → Graphene film" in event.note
    assert "C08K 3/04 → C08K 3/06" in event.note
    assert f"{old_entity.name} → {other.name}" in event.note
    assert "patent type" not in event.note  # unchanged fields are not listed


def test_patent_type_and_classification_change_together():
    case = factories.make_case(S.SUBMITTED)
    case = services.case_edit_details(
        case=case,
        actor=factories.staff_of(case, Role.INTAKE_CLERK),
        **details(case, patent_type="design", classification="14-02"),
    )
    assert (case.patent_type, case.classification) == ("design", "14-02")


def test_a_classification_must_fit_the_new_patent_type():
    case = factories.make_case(S.SUBMITTED)
    with pytest.raises(InvalidInput) as raised:
        services.case_edit_details(
            case=case,
            actor=factories.staff_of(case, Role.INTAKE_CLERK),
            **details(case, patent_type="design"),
        )
    assert raised.value.field == "classification"
    assert Case.objects.get(pk=case.pk).patent_type == "invention"


def test_nothing_changed_is_refused_and_writes_no_event():
    case = factories.make_case(S.SUBMITTED)
    with pytest.raises(InvalidInput, match="Nothing was changed"):
        services.case_edit_details(
            case=case, actor=factories.staff_of(case, Role.INTAKE_CLERK), **details(case)
        )
    assert not case.events.filter(transition="edit_details").exists()


def test_cannot_move_a_case_to_another_centers_applicant():
    case = factories.make_case(S.SUBMITTED)
    elsewhere = factories.make_entity(factories.make_center())
    with pytest.raises(InvalidInput) as raised:
        services.case_edit_details(
            case=case,
            actor=factories.staff_of(case, Role.INTAKE_CLERK),
            **details(case, entity=elsewhere),
        )
    assert raised.value.field == "entity"


@pytest.mark.parametrize("role", [Role.INTAKE_CLERK, Role.MANAGER, Role.EXAMINER])
def test_details_are_read_only_after_acceptance_except_for_the_center_admin(role):
    case = factories.make_case(S.UNDER_REVIEW)
    with pytest.raises(PermissionDenied, match="only a center administrator"):
        services.case_edit_details(
            case=case,
            actor=factories.staff_of(case, role),
            reason="typo",
            **details(case, title="New"),
        )
    assert Case.objects.get(pk=case.pk).title == case.title


def test_examiners_cannot_correct_a_submitted_case():
    case = factories.make_case(S.SUBMITTED)
    with pytest.raises(PermissionDenied):
        services.case_edit_details(
            case=case, actor=factories.staff_of(case, Role.EXAMINER), **details(case, title="New")
        )


def test_the_center_admin_corrects_an_accepted_case_with_a_reason():
    case = factories.make_case(S.UNDER_REVIEW)
    admin = factories.staff_of(case, Role.CENTER_ADMIN)
    with pytest.raises(InvalidInput) as raised:
        services.case_edit_details(case=case, actor=admin, **details(case, title="New"))
    assert raised.value.field == "reason"
    case = services.case_edit_details(
        case=case, actor=admin, reason="Title as in the claims", **details(case, title="New")
    )
    event = case.events.get(transition="edit_details")
    assert event.note.endswith("原因：Title as in the claims")  # in the site language


def test_a_closed_case_cannot_be_corrected():
    case = factories.make_case(S.WITHDRAWN)
    with pytest.raises(TransitionNotAllowed):
        services.case_edit_details(
            case=case,
            actor=factories.staff_of(case, Role.CENTER_ADMIN),
            reason="x",
            **details(case, title="New"),
        )


def test_the_case_page_offers_the_form_and_saves_through_the_service(client):
    case = factories.make_case(S.SUBMITTED)
    login(client, Role.INTAKE_CLERK, case.center, language="en")
    page = client.get(reverse("admin:cases_case_change", args=[case.pk]))
    form = page.context["details_form"]
    assert "reason" not in form.fields
    response = client.post(
        reverse("admin:cases_case_details", args=[case.pk]),
        {
            "title": "Corrected",
            "patent_type": "invention",
            "classification": "b25j 11/00",
            "entity": case.entity_id,
        },
    )
    assert response.status_code == 302
    assert message_texts(response) == ["Case details corrected."]
    case.refresh_from_db()
    assert (case.title, case.classification) == ("Corrected", "B25J 11/00")


def test_a_refused_correction_reopens_the_form_with_what_was_typed(client):
    case = factories.make_case(S.SUBMITTED)
    login(client, Role.INTAKE_CLERK, case.center, language="en")
    client.post(
        reverse("admin:cases_case_details", args=[case.pk]),
        {
            "title": "Corrected",
            "patent_type": "invention",
            "classification": "XYZ",
            "entity": case.entity_id,
        },
    )
    form = client.get(reverse("admin:cases_case_change", args=[case.pk])).context["details_form"]
    assert form["title"].value() == "Corrected"
    assert "not an IPC symbol" in form.errors["classification"][0]


def test_the_page_offers_no_form_after_acceptance_to_intake(client):
    case = factories.make_case(S.UNDER_REVIEW)
    login(client, Role.INTAKE_CLERK, case.center, language="en")
    page = client.get(reverse("admin:cases_case_change", args=[case.pk]))
    assert page.context["details_form"] is None
    response = client.post(reverse("admin:cases_case_details", args=[case.pk]), {})
    assert response.status_code == 403
