"""The case state machine through the services: transitions, roles, centers, concurrency."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from cases import services
from cases.actors import Actor
from cases.choices import NOTICE_OF_TRANSITION
from cases.errors import ConditionNotMet, InvalidInput, PermissionDenied, TransitionNotAllowed
from cases.models import Case, CaseEvent, CaseState, Role
from tests import factories

S = CaseState

# DESIGN §2, written out: (state, transition) -> target. Every other pair is refused.
ALLOWED = {
    (S.SUBMITTED, "accept"): S.UNDER_REVIEW,
    (S.SUBMITTED, "decline"): S.NOT_ACCEPTED,
    (S.SUBMITTED, "withdraw"): S.WITHDRAWN,
    (S.UNDER_REVIEW, "request_correction"): S.CORRECTION_REQUESTED,
    (S.UNDER_REVIEW, "qualify"): S.QUALIFIED,
    (S.UNDER_REVIEW, "disqualify"): S.UNQUALIFIED,
    (S.UNDER_REVIEW, "withdraw"): S.WITHDRAWN,
    (S.CORRECTION_REQUESTED, "receive_correction"): S.UNDER_REVIEW,
    (S.CORRECTION_REQUESTED, "lapse"): S.LAPSED,
    (S.CORRECTION_REQUESTED, "withdraw"): S.WITHDRAWN,
    (S.QUALIFIED, "record_filing"): S.FILED,
    (S.QUALIFIED, "lapse"): S.LAPSED,
    (S.QUALIFIED, "withdraw"): S.WITHDRAWN,
    (S.FILED, "record_office_action"): S.OFFICE_ACTION,
    (S.FILED, "record_grant_notice"): S.GRANT_NOTIFIED,
    (S.FILED, "record_rejection"): S.REJECTED,
    (S.FILED, "record_fast_track_exit"): S.FAST_TRACK_EXITED,
    (S.OFFICE_ACTION, "record_response"): S.FILED,
    (S.OFFICE_ACTION, "record_fast_track_exit"): S.FAST_TRACK_EXITED,
    (S.GRANT_NOTIFIED, "record_registration"): S.GRANTED,
    (S.GRANT_NOTIFIED, "lapse"): S.LAPSED,
}
MATRIX = [(state, name) for state in S for name in services.SERVICES]


@pytest.mark.django_db
@pytest.mark.parametrize(("state", "name"), MATRIX, ids=[f"{s.value}-{n}" for s, n in MATRIX])
def test_transition_matrix(state, name, english):
    case = factories.make_case(state)
    events_before = CaseEvent.objects.filter(case=case).count()
    kwargs = factories.transition_kwargs(name, case, timezone.localdate())
    target = ALLOWED.get((state, name))
    if target is None:
        with pytest.raises(TransitionNotAllowed) as error:
            services.SERVICES[name](case=case, actor=factories.staff_of(case), **kwargs)
        assert case.get_state_display() in str(error.value)  # names the current state
        assert Case.objects.get(pk=case.pk).state == state
        assert CaseEvent.objects.filter(case=case).count() == events_before
    else:
        result = services.SERVICES[name](case=case, actor=factories.staff_of(case), **kwargs)
        assert result.state == target
        assert Case.objects.get(pk=case.pk).state == target
        # The transition's event, and the internal one of the notice it issued, if any.
        notices = 1 if name in NOTICE_OF_TRANSITION else 0
        assert CaseEvent.objects.filter(case=case).count() == events_before + 1 + notices
        events = (
            CaseEvent.objects.filter(case=case).exclude(transition="issue_notice").order_by("-id")
        )
        assert (events[0].transition, events[0].from_state, events[0].to_state) == (
            name,
            state,
            target,
        )


# Which roles may take which transition (DESIGN §2 leaves this to us; README documents it).
ROLE_TABLE = {
    "accept": {Role.INTAKE_CLERK, Role.MANAGER, Role.CENTER_ADMIN},
    "qualify": {Role.EXAMINER, Role.MANAGER, Role.CENTER_ADMIN},
    "request_correction": {Role.EXAMINER, Role.MANAGER, Role.CENTER_ADMIN},
    "record_filing": {Role.INTAKE_CLERK, Role.MANAGER, Role.CENTER_ADMIN},
    "lapse": {Role.MANAGER, Role.CENTER_ADMIN},
    "withdraw": {Role.INTAKE_CLERK, Role.MANAGER, Role.CENTER_ADMIN},
}
SOURCE = {
    "accept": S.SUBMITTED,
    "qualify": S.UNDER_REVIEW,
    "request_correction": S.UNDER_REVIEW,
    "record_filing": S.QUALIFIED,
    "lapse": S.QUALIFIED,
    "withdraw": S.SUBMITTED,
}
ROLE_MATRIX = [(name, role) for name in ROLE_TABLE for role in Role]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "role"), ROLE_MATRIX, ids=[f"{n}-{r.value}" for n, r in ROLE_MATRIX]
)
def test_role_matrix(name, role):
    case = factories.make_case(SOURCE[name])
    user = factories.make_user(role, case.center)
    kwargs = factories.transition_kwargs(name, case, timezone.localdate())
    if role in ROLE_TABLE[name]:
        result = services.SERVICES[name](case=case, actor=Actor.admin(user), **kwargs)
        assert result.state == ALLOWED[(SOURCE[name], name)]
        assert CaseEvent.objects.filter(case=case).latest("id").actor == user
    else:
        with pytest.raises(PermissionDenied):
            services.SERVICES[name](case=case, actor=Actor.admin(user), **kwargs)
        assert Case.objects.get(pk=case.pk).state == SOURCE[name]


@pytest.mark.django_db
def test_staff_of_another_center_cannot_move_a_case():
    case = factories.make_case(S.SUBMITTED)
    other = factories.make_user(Role.CENTER_ADMIN, factories.make_center())
    with pytest.raises(PermissionDenied):
        services.case_accept(case=case, actor=Actor.admin(other))
    assert Case.objects.get(pk=case.pk).state == S.SUBMITTED
    assert list(Case.objects.for_user(other)) == []


@pytest.mark.django_db
def test_superuser_works_on_every_center():
    case = factories.make_case(S.SUBMITTED)
    admin = factories.make_superuser()
    assert services.case_accept(case=case, actor=Actor.admin(admin)).state == S.UNDER_REVIEW
    assert case in Case.objects.for_user(admin)


@pytest.mark.django_db
def test_staff_without_center_sees_nothing():
    factories.make_case(S.SUBMITTED)
    user = factories.make_user(Role.MANAGER, None)
    assert Case.objects.for_user(user).count() == 0


@pytest.mark.django_db
def test_cannot_accept_when_registration_not_approved(english):
    center = factories.make_center()
    entity = factories.make_entity(center, approved=False)
    case = factories.make_case(S.SUBMITTED, entity=entity)
    with pytest.raises(ConditionNotMet, match="registration"):
        services.case_accept(case=case, actor=factories.staff_of(case))
    assert Case.objects.get(pk=case.pk).state == S.SUBMITTED


@pytest.mark.django_db
def test_cannot_accept_outside_center_fields(english):
    case = factories.make_case(S.SUBMITTED, classification="A61K 31/00")
    with pytest.raises(ConditionNotMet, match="technical fields"):
        services.case_accept(case=case, actor=factories.staff_of(case))


@pytest.mark.django_db
def test_design_is_matched_by_locarno_class():
    center = factories.make_center(locarno_classes="14")
    inside = factories.make_case(
        S.SUBMITTED, center=center, patent_type="design", classification="14-02"
    )
    outside = factories.make_case(
        S.SUBMITTED, center=center, patent_type="design", classification="02-01"
    )
    assert (
        services.case_accept(case=inside, actor=factories.staff_of(inside)).state == S.UNDER_REVIEW
    )
    with pytest.raises(ConditionNotMet):
        services.case_accept(case=outside, actor=factories.staff_of(outside))


@pytest.mark.django_db
def test_references_are_sequential_per_center_and_year():
    center = factories.make_center(code="SH")
    first = factories.make_case(S.SUBMITTED, center=center)
    second = factories.make_case(S.SUBMITTED, entity=first.entity)
    year = timezone.localdate(first.submitted_at).year
    assert first.reference == f"SH-{year}-000001"
    assert second.reference == f"SH-{year}-000002"


def _qualified_case():
    return factories.make_case(S.QUALIFIED)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("", "enter an application number"),
        ("2023101234", "digits"),
        ("202310123456.7", "should be 6"),  # wrong check digit
        ("202380123456.4", "PCT"),  # national phase: not eligible
        ("202320123456.1", "utility model"),  # type digit disagrees with an invention
    ],
)
def test_record_filing_refuses_bad_numbers(number, message, english):
    case = _qualified_case()
    with pytest.raises(InvalidInput) as error:
        services.case_record_filing(
            case=case,
            actor=factories.staff_of(case),
            application_number=number,
            filing_date=timezone.localdate(),
        )
    assert message.lower() in str(error.value).lower()
    assert error.value.field == "application_number"
    assert Case.objects.get(pk=case.pk).state == S.QUALIFIED
    assert not CaseEvent.objects.filter(case=case, transition="record_filing").exists()


@pytest.mark.django_db
def test_record_filing_stores_normalized_number():
    case = _qualified_case()
    today = timezone.localdate()
    from cases.appnumbers import make_application_number

    number = make_application_number(today.year, 1, 123)
    loose = "CN " + str(number).replace(".", "").replace(str(today.year), f"{today.year} ")
    case = services.case_record_filing(
        case=case, actor=factories.staff_of(case), application_number=loose, filing_date=today
    )
    assert case.application_number == str(number)
    assert case.cnipa_filing_date == today


@pytest.mark.django_db
def test_record_filing_refuses_future_and_pre_qualification_dates(english):
    case = _qualified_case()
    today = timezone.localdate()
    from cases.appnumbers import make_application_number

    number = str(make_application_number(today.year, 1, 9))
    with pytest.raises(InvalidInput, match="future"):
        services.case_record_filing(
            case=case,
            actor=factories.staff_of(case),
            application_number=number,
            filing_date=today + timedelta(days=1),
        )
    with pytest.raises(InvalidInput, match="before the case qualified"):
        services.case_record_filing(
            case=case,
            actor=factories.staff_of(case),
            application_number=number,
            filing_date=today - timedelta(days=30),
        )
    with pytest.raises(InvalidInput, match="required"):
        services.case_record_filing(
            case=case, actor=factories.staff_of(case), application_number=number, filing_date=None
        )


@pytest.mark.django_db
@pytest.mark.parametrize("message", ["", "   "])
@pytest.mark.parametrize(
    ("state", "name", "says"),
    [
        (S.UNDER_REVIEW, "request_correction", "what to correct"),
        (S.SUBMITTED, "decline", "why the case is not accepted"),
        (S.UNDER_REVIEW, "disqualify", "why the case did not qualify"),
    ],
)
def test_the_applicant_is_told_why_a_correction_or_a_refusal(english, message, state, name, says):
    case = factories.make_case(state)
    with pytest.raises(InvalidInput, match=says) as error:
        services.SERVICES[name](case=case, actor=factories.staff_of(case), public_note=message)
    assert error.value.field == "public_note"
    case.refresh_from_db()
    assert case.state == state


@pytest.mark.django_db
def test_record_response_refuses_a_date_before_the_office_action(english):
    case = factories.make_case(S.OFFICE_ACTION)
    noticed = timezone.localdate(case.events.latest("created_at").created_at)
    with pytest.raises(InvalidInput, match="before the office action's notice date") as error:
        services.case_record_response(
            case=case, actor=factories.staff_of(case), responded_on=noticed - timedelta(days=1)
        )
    assert error.value.field == "responded_on"
    case = services.case_record_response(
        case=case, actor=factories.staff_of(case), responded_on=noticed
    )
    assert case.state == S.FILED


@pytest.mark.django_db
def test_application_number_is_unique_across_cases(english):
    first = factories.make_case(S.FILED)
    second = _qualified_case()
    with pytest.raises(InvalidInput, match="already recorded"):
        services.case_record_filing(
            case=second,
            actor=factories.staff_of(second),
            application_number=first.application_number,
            filing_date=first.cnipa_filing_date,
        )


@pytest.mark.django_db
def test_events_are_append_only():
    case = factories.make_case(S.UNDER_REVIEW)
    event = CaseEvent.objects.filter(case=case).first()
    event.note = "changed"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        CaseEvent.objects.filter(case=case).update(note="x")
    with pytest.raises(TypeError):
        CaseEvent.objects.filter(case=case).delete()
    assert CaseEvent.objects.filter(case=case, note="changed").count() == 0


@pytest.mark.django_db
def test_state_cannot_be_assigned_directly():
    case = factories.make_case(S.SUBMITTED)
    with pytest.raises(AttributeError):
        case.state = S.GRANTED


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_conflicting_transitions_one_wins():
    """Two connections qualify and disqualify the same case at once: exactly one wins."""
    assert connection.vendor == "postgresql", "the concurrency test needs PostgreSQL"
    case = factories.make_case(S.UNDER_REVIEW)
    today = timezone.localdate()
    barrier = threading.Barrier(2)
    results: dict[str, object] = {}

    def attempt(name: str) -> None:
        from django.db import connections

        try:
            barrier.wait(timeout=10)
            results[name] = services.SERVICES[name](
                case=case.pk,
                actor=factories.staff_of(case.pk),
                **factories.transition_kwargs(name, case, today),
            ).state
        except Exception as error:
            results[name] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in ("qualify", "disqualify")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    winners = [n for n, r in results.items() if not isinstance(r, Exception)]
    losers = [r for r in results.values() if isinstance(r, Exception)]
    assert len(winners) == 1
    assert len(losers) == 1 and isinstance(losers[0], TransitionNotAllowed)
    final = Case.objects.get(pk=case.pk)
    assert final.state == ALLOWED[(S.UNDER_REVIEW, winners[0])]
    assert (
        CaseEvent.objects.filter(case=case, transition__in=["qualify", "disqualify"]).count() == 1
    )


@pytest.mark.django_db
def test_assign_note_names_staff_in_the_sites_language_whatever_the_actors():
    from django.utils import translation

    case = factories.make_case(S.UNDER_REVIEW)
    examiner = factories.make_user(Role.EXAMINER, case.center, username="sh_ex9")
    examiner.first_name, examiner.last_name = "立新", "陈"
    examiner.save()
    manager = factories.make_user(Role.MANAGER, case.center)

    with translation.override("en"):
        services.case_assign(case=case, actor=Actor.admin(manager), examiner=examiner)

    note = case.events.get(transition="assign").note
    assert note.endswith("陈立新") and not note.startswith("Examiner")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("patent_type", "typed", "stored"),
    [("invention", "ｈ０１ｍ10/0525", "H01M 10/0525"), ("design", "14－02", "14-02")],
)
def test_submit_stores_the_normalised_classification(patent_type, typed, stored):
    entity = factories.make_entity(factories.make_center())
    case = services.case_submit(
        actor=factories.staff_of(entity),
        entity=entity,
        patent_type=patent_type,
        title="t",
        classification=typed,
    )
    assert case.classification == stored


@pytest.mark.django_db
@pytest.mark.parametrize(("patent_type", "bad"), [("invention", "XYZ"), ("design", "C08K 3/04")])
def test_cannot_submit_a_malformed_classification(patent_type, bad):
    entity = factories.make_entity(factories.make_center())
    with pytest.raises(InvalidInput) as raised:
        services.case_submit(
            actor=factories.staff_of(entity),
            entity=entity,
            patent_type=patent_type,
            title="t",
            classification=bad,
        )
    assert raised.value.field == "classification"
    assert not Case.objects.exists()


LAPSE_MESSAGE = "The application was not filed with CNIPA in time."


@pytest.mark.django_db
def test_cannot_lapse_without_a_message_to_the_applicant(english):
    case = factories.make_case(S.QUALIFIED, start=timezone.now() - timedelta(days=30))
    with pytest.raises(InvalidInput) as raised:
        services.case_lapse(case=case, actor=factories.staff_of(case, Role.MANAGER))
    assert raised.value.field == "public_note"
    assert Case.objects.get(pk=case.pk).state == S.QUALIFIED


@pytest.mark.django_db
def test_qualified_lapses_after_the_filing_deadline_with_the_reason_public():
    case = factories.make_case(S.QUALIFIED, start=timezone.now() - timedelta(days=30))
    case = services.case_lapse(
        case=case, actor=factories.staff_of(case, Role.MANAGER), public_note=LAPSE_MESSAGE
    )
    event = case.events.get(transition="lapse")
    assert case.state == S.LAPSED
    assert (event.public, event.public_note, event.note) == (True, LAPSE_MESSAGE, "")
    notification = case.notifications.order_by("id").last()
    assert notification.payload["public_note"] == LAPSE_MESSAGE


@pytest.mark.django_db
def test_cannot_lapse_before_the_applicants_deadline_without_an_override(english):
    case = factories.make_case(S.QUALIFIED)  # qualified yesterday: 10 days to file
    due = case.timers.get(step="filing").due_on
    with pytest.raises(InvalidInput) as raised:
        services.case_lapse(
            case=case, actor=factories.staff_of(case, Role.MANAGER), public_note=LAPSE_MESSAGE
        )
    assert raised.value.field == "override_reason"
    assert f"until {due.isoformat()}" in str(raised.value)
    assert Case.objects.get(pk=case.pk).state == S.QUALIFIED
    assert not case.events.filter(transition="lapse").exists()


@pytest.mark.django_db
def test_lapsing_before_the_deadline_records_the_managers_override(english):
    case = factories.make_case(S.CORRECTION_REQUESTED)
    due = case.timers.get(step="correction").due_on
    manager = factories.staff_of(case, Role.MANAGER)
    case = services.case_lapse(
        case=case,
        actor=manager,
        public_note="No correction will be sent.",
        override_reason="The applicant withdrew their correction in writing.",
        note="phone call",
    )
    event = case.events.get(transition="lapse")
    assert case.state == S.LAPSED
    assert event.actor == manager.user
    # The system's part of the note is in the site language (Chinese).
    assert event.note.startswith(f"在申请人期限 {due.isoformat()} 届满前视为失效")
    assert "The applicant withdrew their correction in writing." in event.note
    assert event.note.endswith("phone call")
    assert event.public_note == "No correction will be sent."  # the override stays internal


@pytest.mark.django_db
def test_an_override_reason_after_the_deadline_is_not_recorded():
    case = factories.make_case(S.QUALIFIED, start=timezone.now() - timedelta(days=30))
    case = services.case_lapse(
        case=case,
        actor=factories.staff_of(case, Role.MANAGER),
        public_note=LAPSE_MESSAGE,
        override_reason="not needed",
    )
    assert case.events.get(transition="lapse").note == ""


@pytest.mark.django_db
def test_a_duplicate_application_number_names_the_other_case_of_the_center(english):
    first = factories.make_case(S.FILED)
    second = factories.make_case(S.QUALIFIED, entity=first.entity)
    with pytest.raises(InvalidInput) as raised:
        services.case_record_filing(
            case=second,
            actor=factories.staff_of(second),
            application_number=first.application_number,
            filing_date=first.cnipa_filing_date,
        )
    assert f"already recorded on case {first.reference}" in str(raised.value)
    elsewhere = factories.make_case(S.QUALIFIED)
    with pytest.raises(InvalidInput, match="a case of another center") as raised:
        services.case_record_filing(
            case=elsewhere,
            actor=factories.staff_of(elsewhere),
            application_number=first.application_number,
            filing_date=first.cnipa_filing_date,
        )
    assert first.reference not in str(raised.value)
