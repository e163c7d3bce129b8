"""The registration (备案) machine of applicant entities."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from cases import services
from cases.actors import Actor
from cases.errors import InvalidInput, PermissionDenied, TransitionNotAllowed
from cases.models import Entity, RegistrationState, Role
from cases.services.entities import NOTE_REQUIRED
from tests import factories

R = RegistrationState

# (from, action) -> to; every other pair is refused.
ALLOWED = {
    (R.SUBMITTED, "approve"): R.APPROVED,
    (R.SUBMITTED, "return_for_material"): R.RETURNED,
    (R.SUBMITTED, "reject"): R.REJECTED,
    (R.RETURNED, "resubmit"): R.SUBMITTED,
    (R.APPROVED, "suspend"): R.SUSPENDED,
    (R.SUSPENDED, "reinstate"): R.APPROVED,
}
PATHS = {
    R.SUBMITTED: [],
    R.APPROVED: ["approve"],
    R.RETURNED: ["return_for_material"],
    R.REJECTED: ["reject"],
    R.SUSPENDED: ["approve", "suspend"],
}
MATRIX = [(state, action) for state in R for action in services.ENTITY_TRANSITIONS]


def entity_in(state: str) -> Entity:
    entity = factories.make_entity(factories.make_center(), approved=False)
    for action in PATHS[state]:
        entity = services.entity_transition(
            entity=entity, name=action, actor=factories.staff_of(entity), note=f"{action}: reason"
        )
    assert entity.registration_state == state
    return entity


@pytest.mark.django_db
@pytest.mark.parametrize(("state", "action"), MATRIX, ids=[f"{s.value}-{a}" for s, a in MATRIX])
def test_registration_matrix(state, action):
    entity = entity_in(state)
    target = ALLOWED.get((state, action))
    if target is None:
        with pytest.raises(TransitionNotAllowed):
            services.entity_transition(entity=entity, name=action, actor=factories.staff_of(entity))
        assert Entity.objects.get(pk=entity.pk).registration_state == state
    else:
        services.entity_transition(
            entity=entity, name=action, actor=factories.staff_of(entity), note="checked"
        )
        stored = Entity.objects.get(pk=entity.pk)
        assert stored.registration_state == target
        assert "checked" in stored.registration_note


@pytest.mark.django_db
def test_examiner_cannot_approve_a_registration():
    entity = entity_in(R.SUBMITTED)
    examiner = factories.make_user(Role.EXAMINER, entity.center)
    with pytest.raises(PermissionDenied):
        services.entity_transition(entity=entity, name="approve", actor=Actor.admin(examiner))


@pytest.mark.django_db
def test_clerk_of_another_center_cannot_approve():
    entity = entity_in(R.SUBMITTED)
    clerk = factories.make_user(Role.INTAKE_CLERK, factories.make_center())
    with pytest.raises(PermissionDenied):
        services.entity_transition(entity=entity, name="approve", actor=Actor.admin(clerk))
    own = factories.make_user(Role.INTAKE_CLERK, entity.center)
    assert (
        services.entity_transition(
            entity=entity, name="approve", actor=Actor.admin(own)
        ).registration_state
        == R.APPROVED
    )


@pytest.mark.django_db
def test_suspended_entity_cannot_have_cases_accepted():
    entity = entity_in(R.APPROVED)
    case = factories.make_case("submitted", entity=entity)
    services.entity_transition(
        entity=entity, name="suspend", actor=factories.staff_of(entity), note="Licence revoked."
    )
    from cases.errors import ConditionNotMet

    with pytest.raises(ConditionNotMet):
        services.case_accept(case=case, actor=factories.staff_of(case))


@pytest.mark.django_db
def test_entity_credit_code_is_validated_on_full_clean():
    center = factories.make_center()
    entity = Entity(
        center=center,
        name="X",
        credit_code="91350100M000100Y44",
        contact_name="a",
        contact_email="a@example.com",
    )
    with pytest.raises(ValidationError) as error:
        entity.full_clean()
    assert "credit_code" in error.value.message_dict
    entity.credit_code = "91350100m000100y43"
    entity.full_clean()
    assert entity.credit_code == "91350100M000100Y43"


# Reasons owed ---------------------------------------------------------------------------


NOTE_OWED = [
    (R.SUBMITTED, "return_for_material"),
    (R.SUBMITTED, "reject"),
    (R.APPROVED, "suspend"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("state", "name"), NOTE_OWED)
@pytest.mark.parametrize("note", ["", "  \n "])
def test_registration_action_owing_a_reason_refuses_a_blank_note(state, name, note):
    entity = entity_in(state)

    with pytest.raises(InvalidInput) as refused:
        services.entity_transition(
            entity=entity, name=name, actor=factories.staff_of(entity), note=note
        )

    assert refused.value.field == "note"
    stored = Entity.objects.get(pk=entity.pk)
    assert stored.registration_state == state
    assert stored.registration_note == entity.registration_note  # no note recorded


def test_every_action_owing_a_reason_is_tested():
    assert {name for _state, name in NOTE_OWED} == set(NOTE_REQUIRED)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("state", "name", "target"),
    [(R.SUBMITTED, "approve", R.APPROVED), (R.SUSPENDED, "reinstate", R.APPROVED)],
)
def test_approving_and_reinstating_need_no_note(state, name, target):
    entity = entity_in(state)

    entity = services.entity_transition(entity=entity, name=name, actor=factories.staff_of(entity))

    assert entity.registration_state == target


@pytest.mark.django_db
def test_an_edit_of_an_entitys_details_is_saved_and_retires_its_status_pages():
    entity = factories.make_entity(factories.make_center())
    version = entity.status_version

    saved = services.entity_update(
        entity=entity, actor=factories.staff_of(entity), data={"name": "Renamed Co., Ltd."}
    )

    entity.refresh_from_db()
    assert entity.name == "Renamed Co., Ltd." and saved.status_version == version + 1
    assert entity.status_version == version + 1


@pytest.mark.django_db
def test_an_edit_never_moves_the_registration():
    entity = factories.make_entity(factories.make_center(), approved=False)
    with pytest.raises(ValueError):
        services.entity_update(
            entity=entity, actor=factories.staff_of(entity), data={"registration_state": "approved"}
        )
