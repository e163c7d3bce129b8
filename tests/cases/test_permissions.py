"""Who may do what: the roles' permissions, the center boundary, and the actors."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.utils import timezone
from django_fsm import has_transition_perm

from cases import services, workflow
from cases.actors import SYSTEM, Actor, require_actor
from cases.errors import InvalidInput, PermissionDenied
from cases.models import Case, CaseEvent, CaseState, Entity, Role
from cases.permissions import ROLE_PERMISSIONS
from cases.services.entities import ENTITY_PERMISSIONS
from tests import factories

S = CaseState


def codenames(model) -> set[str]:
    return {codename for codename, _name in model._meta.permissions}


def test_every_transition_and_action_has_a_permission_of_its_own():
    transition_perms = set(workflow.TRANSITION_PERMISSIONS.values())
    assert set(workflow.TRANSITION_PERMISSIONS) == set(services.SERVICES)
    assert len(transition_perms) == len(services.SERVICES)
    assert {p.removeprefix("cases.") for p in transition_perms} <= codenames(Case)
    assert {p.removeprefix("cases.") for p in ENTITY_PERMISSIONS.values()} == codenames(Entity)
    assert {"submit_case", "assign_case", "reset_access_code", "examine_case"} <= codenames(Case)


@pytest.mark.django_db
def test_the_migrations_give_each_role_exactly_its_permissions():
    for role, expected in ROLE_PERMISSIONS.items():
        held = set(
            Group.objects.get(name=role)
            .permissions.filter(content_type__app_label="cases")
            .values_list("codename", flat=True)
        )
        assert held == expected, role


@pytest.mark.django_db
def test_every_permission_the_roles_name_exists():
    named = set().union(*ROLE_PERMISSIONS.values())
    existing = set(
        Permission.objects.filter(content_type__app_label="cases").values_list(
            "codename", flat=True
        )
    )
    assert named <= existing, named - existing


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "perm", "allowed"),
    [
        (Role.INTAKE_CLERK, "cases.accept_case", True),
        (Role.INTAKE_CLERK, "cases.qualify_case", False),
        (Role.INTAKE_CLERK, "cases.lapse_case", False),
        (Role.EXAMINER, "cases.qualify_case", True),
        (Role.EXAMINER, "cases.accept_case", False),
        (Role.EXAMINER, "cases.examine_case", True),
        (Role.EXAMINER, "cases.reset_access_code", False),
        (Role.MANAGER, "cases.lapse_case", True),
        (Role.MANAGER, "cases.examine_case", False),
        (Role.MANAGER, "cases.view_dashboard", True),
        (Role.CENTER_ADMIN, "cases.lapse_case", True),
        (Role.CENTER_ADMIN, "cases.reset_access_code", True),
    ],
)
def test_a_role_has_its_permissions_on_its_own_centers_cases_only(role, perm, allowed):
    case = factories.make_case(S.SUBMITTED)
    own = factories.make_user(role, case.center)
    other = factories.make_user(role, factories.make_center())
    assert own.has_perm(perm, case) is allowed
    assert other.has_perm(perm, case) is False
    assert other.has_perm(perm) is allowed  # model-level: what the admin's menus ask


@pytest.mark.django_db
def test_boundary_holds_for_entities_and_centers_too():
    case = factories.make_case(S.SUBMITTED)
    clerk = factories.make_user(Role.INTAKE_CLERK, case.center)
    assert clerk.has_perm("cases.approve_entity", case.entity)
    assert clerk.has_perm("cases.submit_case", case.center)
    elsewhere = factories.make_entity(factories.make_center())
    assert not clerk.has_perm("cases.approve_entity", elsewhere)


@pytest.mark.django_db
def test_superusers_may_everything_inactive_staff_nothing():
    case = factories.make_case(S.SUBMITTED)
    assert factories.make_superuser().has_perm("cases.lapse_case", case)
    clerk = factories.make_user(Role.INTAKE_CLERK, case.center)
    clerk.is_active = False
    clerk.save()
    assert not clerk.has_perm("cases.accept_case", case)


@pytest.mark.django_db
def test_staff_without_a_center_may_act_on_no_case():
    case = factories.make_case(S.SUBMITTED)
    nowhere = factories.make_user(Role.CENTER_ADMIN, None)
    assert not nowhere.has_perm("cases.accept_case", case)


@pytest.mark.django_db
def test_django_fsm_asks_the_same_question():
    case = factories.make_case(S.SUBMITTED)
    clerk = factories.make_user(Role.INTAKE_CLERK, case.center)
    examiner = factories.make_user(Role.EXAMINER, case.center)
    assert has_transition_perm(case.accept, clerk)
    assert not has_transition_perm(case.accept, examiner)
    stranger = factories.make_user(Role.INTAKE_CLERK, factories.make_center())
    assert not has_transition_perm(case.accept, stranger)


@pytest.mark.django_db
def test_a_service_refuses_a_role_without_the_permission_and_changes_nothing(english):
    case = factories.make_case(S.SUBMITTED)
    examiner = factories.make_user(Role.EXAMINER, case.center)
    with pytest.raises(PermissionDenied, match="not allowed"):
        services.case_accept(case=case, actor=Actor.admin(examiner))
    assert Case.objects.get(pk=case.pk).state == S.SUBMITTED
    assert not CaseEvent.objects.filter(case=case, transition="accept").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(services.SERVICES))
def test_a_service_without_an_actor_raises(name):
    case = factories.make_case(S.SUBMITTED)
    kwargs = factories.transition_kwargs(name, case, timezone.localdate())
    with pytest.raises(TypeError, match="needs an actor"):
        services.SERVICES[name](case=case, actor=None, **kwargs)


@pytest.mark.django_db
def test_actions_without_an_actor_raise():
    case = factories.make_case(S.SUBMITTED)
    with pytest.raises(TypeError, match="needs an actor"):
        services.case_assign(case=case, actor=None, examiner=None)
    with pytest.raises(TypeError, match="needs an actor"):
        services.case_reset_access_code(case=case, actor=None)
    with pytest.raises(TypeError, match="needs an actor"):
        services.entity_transition(entity=case.entity, name="suspend", actor=None, note="x")
    with pytest.raises(TypeError, match="needs an actor"):
        services.case_submit(
            actor=None, entity=case.entity, patent_type="invention", title="t", classification="C08"
        )


def test_a_user_is_not_an_actor_and_only_the_system_acts_without_a_user():
    with pytest.raises(TypeError, match="needs an actor"):
        require_actor(object())
    with pytest.raises(TypeError, match="Only the system"):
        require_actor(Actor(user=None, channel="admin"))
    assert require_actor(SYSTEM) is SYSTEM


@pytest.mark.django_db
def test_the_system_actor_may_act_and_is_recorded_as_the_system():
    case = factories.make_case(S.SUBMITTED)
    services.case_accept(case=case, actor=SYSTEM)
    event = CaseEvent.objects.get(case=case, transition="accept")
    assert (event.actor, event.channel) == (None, "system")


@pytest.mark.django_db
def test_an_event_records_the_staff_member_and_the_admin_channel():
    case = factories.make_case(S.SUBMITTED)
    clerk = factories.make_user(Role.INTAKE_CLERK, case.center)
    services.case_accept(case=case, actor=Actor.admin(clerk))
    event = CaseEvent.objects.get(case=case, transition="accept")
    assert (event.actor, event.channel) == (clerk, "admin")


@pytest.mark.django_db
def test_only_an_examiner_of_the_cases_center_can_be_assigned(english):
    case = factories.make_case(S.SUBMITTED)
    desk = factories.staff_of(case)
    manager = factories.make_user(Role.MANAGER, case.center)
    foreign = factories.make_user(Role.EXAMINER, factories.make_center())
    for wrong in (manager, foreign):
        with pytest.raises(InvalidInput, match="examiner"):
            services.case_assign(case=case, actor=desk, examiner=wrong)
    examiner = factories.make_user(Role.EXAMINER, case.center)
    assert services.case_assign(case=case, actor=desk, examiner=examiner).examiner == examiner


@pytest.mark.django_db
def test_detail_and_calendar_edits_need_their_permissions(english):
    from cases.models import CalendarDay

    case = factories.make_case(S.SUBMITTED)
    examiner = Actor.admin(factories.make_user(Role.EXAMINER, case.center))
    with pytest.raises(PermissionDenied, match="change this center"):
        services.center_update(center=case.center, actor=examiner, data={"phone": "1"})
    with pytest.raises(PermissionDenied, match="change this entity"):
        services.entity_update(entity=case.entity, actor=examiner, data={"name": "X"})
    with pytest.raises(PermissionDenied, match="holiday calendar"):
        services.calendar_delete(rows=CalendarDay.objects.all()[:0], actor=examiner)
    foreign_admin = factories.staff_of(factories.make_center())
    with pytest.raises(PermissionDenied):
        services.center_update(center=case.center, actor=foreign_admin, data={"phone": "1"})
    own_admin = factories.staff_of(case)
    assert services.center_update(center=case.center, actor=own_admin, data={"phone": "2"}).phone
