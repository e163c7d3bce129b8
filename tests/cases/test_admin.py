"""The staff admin: transitions through the services, the center boundary, the lists."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases import calendar, services
from cases.appnumbers import make_application_number
from cases.deadlines import add_workdays
from cases.models import (
    CalendarDay,
    Case,
    CaseEvent,
    CaseState,
    Entity,
    RegistrationState,
    RequiredDocument,
    Role,
    TimeLimitRule,
)
from cases.validators import make_credit_code
from tests.factories import make_case, make_center, make_entity, make_superuser, make_user, staff_of
from tests.pages import login, message_texts

pytestmark = pytest.mark.django_db


def change_url(case: Case) -> str:
    return reverse("admin:cases_case_change", args=[case.pk])


def transition_url(case: Case, name: str) -> str:
    return reverse("admin:cases_case_transition", args=[case.pk, name])


def button_names(client: Client, case: Case) -> set[str]:
    """The transitions offered on the case page (each a form posting to its URL)."""
    response = client.get(change_url(case))
    assert response.status_code == 200
    pattern = re.escape(f"/admin/cases/case/{case.pk}/transition/") + r"(\w+)/"
    return set(re.findall(pattern, response.content.decode()))


# Buttons -------------------------------------------------------------------------------


def test_intake_clerk_sees_accept_but_not_qualify_on_a_submitted_case(client, center):
    case = make_case(CaseState.SUBMITTED, center=center)
    login(client, Role.INTAKE_CLERK, center)

    names = button_names(client, case)

    assert {"accept", "decline", "withdraw"} <= names
    assert "qualify" not in names


def test_examiner_sees_qualify_and_request_correction_but_not_accept_on_under_review(
    client, center
):
    case = make_case(CaseState.UNDER_REVIEW, center=center)
    login(client, Role.EXAMINER, center)

    names = button_names(client, case)

    assert names == {"request_correction", "qualify", "disqualify"}


def test_examiner_sees_no_transition_on_a_submitted_case(client, center):
    case = make_case(CaseState.SUBMITTED, center=center)
    login(client, Role.EXAMINER, center)

    assert button_names(client, case) == set()


def test_only_transitions_that_exist_from_the_state_are_offered(client, center):
    filed = make_case(CaseState.FILED, center=center)
    granted = make_case(CaseState.GRANTED, center=center)
    client.force_login(make_superuser())

    assert button_names(client, filed) == {
        "record_office_action",
        "record_grant_notice",
        "record_rejection",
        "record_fast_track_exit",
    }
    assert button_names(client, granted) == set()


def test_case_page_fields_are_all_read_only(client, center):
    case = make_case(CaseState.SUBMITTED, center=center)
    client.force_login(make_superuser())

    response = client.get(change_url(case))

    body = response.content.decode()
    assert 'name="state"' not in body
    # The admin's own form has no inputs; only the details form (its own URL) has a title.
    assert 'id="id_title"' not in body
    assert 'id="id_details_title"' in body
    assert 'name="_save"' not in body


# Transitions through the services --------------------------------------------------------


def test_post_accept_runs_the_service_and_logs_one_event(client, center):
    case = make_case(CaseState.SUBMITTED, center=center)
    examiner = make_user(Role.EXAMINER, center)
    clerk = login(client, Role.INTAKE_CLERK, center)

    response = client.post(
        transition_url(case, "accept"), {"note": "in scope", "examiner": examiner.pk}
    )

    assert response.status_code == 302
    assert response["Location"] == change_url(case)
    case.refresh_from_db()
    assert case.state == CaseState.UNDER_REVIEW
    assert case.examiner == examiner
    event = CaseEvent.objects.get(case=case, transition="accept")
    assert event.actor == clerk
    assert event.note == "in scope"
    assert event.to_state == CaseState.UNDER_REVIEW


def test_post_request_correction_passes_the_due_date_and_public_note(client, center):
    case = make_case(CaseState.UNDER_REVIEW, center=center)
    login(client, Role.EXAMINER, center)
    due = timezone.localdate() + timedelta(days=20)

    client.post(
        transition_url(case, "request_correction"),
        {"due": due.isoformat(), "public_note": "Please fix claim 3."},
    )

    case.refresh_from_db()
    assert case.state == CaseState.CORRECTION_REQUESTED
    assert case.timers.get(step="correction").due_on == due
    assert CaseEvent.objects.get(case=case, transition="request_correction").public_note == (
        "Please fix claim 3."
    )


def test_request_correction_without_a_message_is_refused(client, center):
    case = make_case(CaseState.UNDER_REVIEW, center=center)
    login(client, Role.EXAMINER, center)
    client.cookies["django_language"] = "en"

    response = client.post(
        transition_url(case, "request_correction"), {"public_note": "  "}, follow=True
    )

    case.refresh_from_db()
    assert case.state == CaseState.UNDER_REVIEW
    assert not CaseEvent.objects.filter(case=case, transition="request_correction").exists()
    assert "This field is required." in response.content.decode()


def test_record_filing_with_a_loose_application_number(client, center):
    case = make_case(CaseState.QUALIFIED, center=center)
    login(client, Role.INTAKE_CLERK, center)
    today = timezone.localdate()
    number = make_application_number(today.year, 1, 4242)

    client.post(
        transition_url(case, "record_filing"),
        {"application_number": f"CN {number.formatted()}", "filing_date": today.isoformat()},
    )

    case.refresh_from_db()
    assert case.state == CaseState.FILED
    assert case.application_number == str(number)
    assert case.cnipa_filing_date == today


def test_wrong_check_digit_shows_the_error_and_saves_nothing(client, center):
    case = make_case(CaseState.QUALIFIED, center=center)
    login(client, Role.INTAKE_CLERK, center)
    client.cookies["django_language"] = "en"
    today = timezone.localdate()
    number = make_application_number(today.year, 1, 4242)
    wrong = "0" if number.check != "0" else "1"
    events_before = case.events.count()

    response = client.post(
        transition_url(case, "record_filing"),
        {"application_number": f"{number.digits}.{wrong}", "filing_date": today.isoformat()},
    )

    case.refresh_from_db()
    assert case.state == CaseState.QUALIFIED
    assert case.application_number is None
    assert case.cnipa_filing_date is None
    assert case.events.count() == events_before
    assert not case.timers.filter(step="benchmark").exists()
    assert response.status_code == 302
    assert response["Location"] == change_url(case)
    [text] = message_texts(response)
    assert text.startswith("CNIPA application number: ")
    assert "check digit" in text
    # The message is shown on the case page it redirects to, with the form open and
    # filled in with what was typed, so the clerk corrects one digit.
    page = client.get(response["Location"]).content.decode()
    assert text in page
    assert f'value="{number.digits}.{wrong}"' in page
    # Once only.
    assert f'value="{number.digits}.{wrong}"' not in client.get(change_url(case)).content.decode()


def test_missing_required_input_is_a_form_error_naming_the_field(client, center):
    case = make_case(CaseState.QUALIFIED, center=center)
    login(client, Role.INTAKE_CLERK, center)
    client.cookies["django_language"] = "en"

    response = client.post(transition_url(case, "record_filing"), {"application_number": ""})

    texts = message_texts(response)
    assert any(text.startswith("CNIPA application number:") for text in texts)
    assert any(text.startswith("CNIPA filing date:") for text in texts)
    case.refresh_from_db()
    assert case.state == CaseState.QUALIFIED


def test_office_action_takes_a_period_or_a_due_date_not_both(client, center):
    case = make_case(CaseState.FILED, center=center)
    login(client, Role.INTAKE_CLERK, center)
    today = timezone.localdate()

    client.post(
        transition_url(case, "record_office_action"),
        {
            "notice_date": today.isoformat(),
            "period_days": "10",
            "due": (today + timedelta(days=10)).isoformat(),
            "delivery": "electronic",
        },
    )
    case.refresh_from_db()
    assert case.state == CaseState.FILED

    client.post(
        transition_url(case, "record_office_action"),
        {"notice_date": today.isoformat(), "period_days": "10", "delivery": "mail"},
    )
    case.refresh_from_db()
    assert case.state == CaseState.OFFICE_ACTION
    timer = case.timers.get(step="office_action")
    assert timer.started_on == today + timedelta(days=15)  # deemed delivered by mail


def test_condition_not_met_returns_its_message(client, center):
    entity = make_entity(center, approved=False)
    case = make_case(CaseState.SUBMITTED, entity=entity)
    login(client, Role.INTAKE_CLERK, center)
    client.cookies["django_language"] = "en"

    page = client.get(change_url(case)).content.decode()
    response = client.post(transition_url(case, "accept"))

    assert "registration with the center is not approved" in page
    assert any("registration with the center is not approved" in t for t in message_texts(response))
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED


def test_role_without_permission_gets_the_permission_message(client, center):
    case = make_case(CaseState.SUBMITTED, center=center)
    login(client, Role.EXAMINER, center)
    client.cookies["django_language"] = "en"

    response = client.post(transition_url(case, "accept"))

    assert any("not allowed" in t for t in message_texts(response))
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED


def test_get_on_the_transition_url_is_405(client, center):
    case = make_case(CaseState.SUBMITTED, center=center)
    login(client, Role.INTAKE_CLERK, center)

    assert client.get(transition_url(case, "accept")).status_code == 405
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED


def test_unknown_transition_is_404(client, center):
    case = make_case(CaseState.SUBMITTED, center=center)
    login(client, Role.INTAKE_CLERK, center)

    assert client.post(transition_url(case, "teleport")).status_code == 404
    assert client.post(transition_url(case, "submit")).status_code == 404


def test_transition_post_needs_the_csrf_token(center):
    case = make_case(CaseState.SUBMITTED, center=center)
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user(Role.INTAKE_CLERK, center))

    response = client.post(transition_url(case, "accept"))

    assert response.status_code == 403
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED


def test_assign_examiner_through_case_assign(client, center):
    case = make_case(CaseState.UNDER_REVIEW, center=center)
    examiner = make_user(Role.EXAMINER, center)
    manager = login(client, Role.MANAGER, center)

    response = client.post(
        reverse("admin:cases_case_assign", args=[case.pk]), {"examiner": examiner.pk}
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.examiner == examiner
    event = case.events.get(transition="assign")
    assert event.actor == manager
    assert event.public is False


def test_examiner_of_another_center_cannot_be_assigned(client, center):
    case = make_case(CaseState.UNDER_REVIEW, center=center)
    stranger = make_user(Role.EXAMINER, make_center())
    login(client, Role.MANAGER, center)

    client.post(reverse("admin:cases_case_assign", args=[case.pk]), {"examiner": stranger.pk})

    case.refresh_from_db()
    assert case.examiner is None
    assert not case.events.filter(transition="assign").exists()


# The case page's read-only panels ------------------------------------------------------------


def test_case_page_shows_history_newest_first_and_the_clocks(client, center):
    case = make_case(CaseState.QUALIFIED, center=center)
    login(client, Role.MANAGER, center)
    client.cookies["django_language"] = "en"

    body = client.get(change_url(case)).content.decode()

    history = body[body.index('id="pc-history-title"') :]
    assert history.index("Qualify") < history.index("Accept") < history.index("Register the case")
    assert "Filing with CNIPA" in body  # the running clock
    assert "days left" in body or "days overdue" in body


def test_case_page_shows_the_benchmark_of_a_filed_case(client, center):
    case = make_case(CaseState.FILED, center=center)
    login(client, Role.MANAGER, center)
    client.cookies["django_language"] = "en"

    body = client.get(change_url(case)).content.decode()

    assert "since filing on" in body
    assert "benchmark 29 days" in body


# The center boundary ------------------------------------------------------------------------


def test_staff_of_another_center_get_404_and_do_not_see_the_case(client, center):
    case = make_case(CaseState.SUBMITTED, center=center)
    mine = make_case(CaseState.SUBMITTED, center=make_center("PD"))
    login(client, Role.CENTER_ADMIN, mine.center)

    assert client.get(change_url(case)).status_code == 404
    assert client.post(transition_url(case, "accept")).status_code == 404
    assert client.get(transition_url(case, "accept")).status_code == 404
    assert client.post(reverse("admin:cases_case_assign", args=[case.pk])).status_code == 404
    assert client.get(reverse("admin:cases_case_history", args=[case.pk])).status_code == 404
    listing = client.get(reverse("admin:cases_case_changelist")).content.decode()
    assert case.reference not in listing or case.reference == mine.reference
    assert change_url(case) not in listing
    assert change_url(mine) in listing
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED


def test_staff_without_a_center_see_no_cases(client, center):
    make_case(CaseState.SUBMITTED, center=center)
    login(client, Role.MANAGER, None)

    response = client.get(reverse("admin:cases_case_changelist"))

    assert response.context["cl"].result_count == 0


def test_superuser_sees_every_center(client, center):
    one = make_case(CaseState.SUBMITTED, center=center)
    other = make_case(CaseState.SUBMITTED, center=make_center())
    client.force_login(make_superuser())

    listing = client.get(reverse("admin:cases_case_changelist")).content.decode()

    assert change_url(one) in listing and change_url(other) in listing


# The list -------------------------------------------------------------------------------------


def changelist_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("admin:cases_case_changelist"))
    assert response.status_code == 200
    return len(queries)


def test_case_list_query_count_does_not_grow_with_cases(client, center):
    examiner = make_user(Role.EXAMINER, center)
    entity = make_entity(center)
    login(client, Role.MANAGER, center)
    cases = [make_case(CaseState.UNDER_REVIEW, entity=entity) for _ in range(3)]
    for case in cases:
        services.case_assign(case=case, actor=staff_of(case), examiner=examiner)
    few = changelist_queries(client)

    more = [make_case(CaseState.UNDER_REVIEW, entity=make_entity(center)) for _ in range(27)]
    for case in more:
        services.case_assign(case=case, actor=staff_of(case), examiner=examiner)
    many = changelist_queries(client)

    assert many == few


def listed(client: Client, **params: str) -> set[int]:
    response = client.get(reverse("admin:cases_case_changelist"), params)
    assert response.status_code == 200
    return {case.pk for case in response.context["cl"].result_list}


def test_deadline_filters(client, center):
    now = timezone.now()
    today = timezone.localdate()
    calm, risky, late, soon, far, estimated = (
        make_case(CaseState.UNDER_REVIEW, center=center) for _ in range(6)
    )
    in_five = add_workdays(today, 5, calendar.get_work_calendar())
    Case.objects.filter(pk__in=[c.pk for c in (calm, risky, late, estimated)]).update(
        next_due_on=in_five + timedelta(days=30)
    )
    Case.objects.filter(pk=risky.pk).update(at_risk_since=now)
    Case.objects.filter(pk=late.pk).update(overdue_since=now)
    Case.objects.filter(pk=soon.pk).update(next_due_on=in_five)
    Case.objects.filter(pk=far.pk).update(next_due_on=in_five + timedelta(days=1))
    Case.objects.filter(pk=estimated.pk).update(calendar_estimated=True)
    login(client, Role.MANAGER, center)

    assert listed(client, deadline="at_risk") == {risky.pk}
    assert listed(client, deadline="overdue") == {late.pk}
    assert listed(client, deadline="due_soon") == {soon.pk}
    assert estimated.pk in listed(client, deadline="estimated")
    assert calm.pk not in listed(client, deadline="estimated")


def test_examiner_filter_offers_only_examiners_of_the_users_center(client, center):
    mine = make_user(Role.EXAMINER, center, username="mine-examiner")
    make_user(Role.EXAMINER, make_center(), username="their-examiner")
    assigned = make_case(CaseState.UNDER_REVIEW, center=center)
    services.case_assign(case=assigned, actor=staff_of(assigned), examiner=mine)
    unassigned = make_case(CaseState.UNDER_REVIEW, center=center)
    login(client, Role.MANAGER, center)

    body = client.get(reverse("admin:cases_case_changelist")).content.decode()

    assert "mine-examiner" in body
    assert "their-examiner" not in body
    assert listed(client, examiner=str(mine.pk)) == {assigned.pk}
    assert listed(client, examiner="none") == {unassigned.pk}


def test_center_filter_is_for_superusers_only(client, center):
    make_case(CaseState.SUBMITTED, center=center)
    make_case(CaseState.SUBMITTED, center=make_center())
    login(client, Role.MANAGER, center)
    staff_filters = client.get(reverse("admin:cases_case_changelist")).context["cl"].filter_specs
    client.force_login(make_superuser())
    super_filters = client.get(reverse("admin:cases_case_changelist")).context["cl"].filter_specs

    assert "center" not in {getattr(spec, "field_path", None) for spec in staff_filters}
    assert "center" in {getattr(spec, "field_path", None) for spec in super_filters}


def test_search_by_entity_credit_code_and_application_number(client, center):
    code = make_credit_code("91310000MA1K00001")
    entity = make_entity(center, credit_code=code)
    found = make_case(CaseState.SUBMITTED, entity=entity)
    filed = make_case(CaseState.FILED, center=center)
    make_case(CaseState.SUBMITTED, center=center)
    login(client, Role.MANAGER, center)

    assert listed(client, q=code) == {found.pk}
    assert listed(client, q=filed.application_number) == {filed.pk}


def test_list_shows_state_and_deadline_badges(client, center):
    case = make_case(CaseState.UNDER_REVIEW, center=center)
    Case.objects.filter(pk=case.pk).update(overdue_since=timezone.now(), calendar_estimated=True)
    login(client, Role.MANAGER, center)

    body = client.get(reverse("admin:cases_case_changelist")).content.decode()

    assert "pc-badge--center" in body  # under review: the center's move
    assert "pc-badge--overdue" in body
    assert "pc-badge--estimated" in body


def test_nobody_may_delete_cases_or_events(client, center):
    case = make_case(CaseState.SUBMITTED, center=center)
    event = case.events.get(transition="submit")
    client.force_login(make_superuser())

    assert client.get(reverse("admin:cases_case_delete", args=[case.pk])).status_code == 403
    assert client.get(reverse("admin:cases_caseevent_delete", args=[event.pk])).status_code == 403
    assert Case.objects.filter(pk=case.pk).exists()


# Registering a case ---------------------------------------------------------------------


def test_add_case_goes_through_case_submit(client, center):
    entity = make_entity(center)
    examiner = make_user(Role.EXAMINER, center)
    clerk = login(client, Role.INTAKE_CLERK, center)

    response = client.post(
        reverse("admin:cases_case_add"),
        {
            "entity": entity.pk,
            "patent_type": "invention",
            "title": "Graphene composite",
            "classification": "c08k 3/04",
            "examiner": examiner.pk,
            "note": "by post",
        },
    )

    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == change_url(case)
    assert re.fullmatch(r"SH-\d{4}-000001", case.reference)
    assert case.reference == f"SH-{timezone.localdate().year}-000001"
    assert case.state == CaseState.SUBMITTED
    assert case.classification == "C08K 3/04"
    assert case.examiner == examiner
    event = case.events.get()
    assert (event.transition, event.actor, event.note) == ("submit", clerk, "by post")
    assert case.timers.filter(step="acceptance").exists()


def test_add_case_shows_a_domain_error_from_case_submit(client, center):
    """A staff member given the admin's add permission by hand, without an intake role:
    the admin shows the form, and case_submit refuses."""
    entity = make_entity(center)
    user = login(client, None, center, language="en")
    user.user_permissions.add(Permission.objects.get(codename="add_case"))
    response = client.post(
        reverse("admin:cases_case_add"),
        {
            "entity": entity.pk,
            "patent_type": "invention",
            "title": "X",
            "classification": "C08K 3/04",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:cases_case_add")
    assert message_texts(response) == ["You are not allowed to register cases for this center."]
    assert not Case.objects.exists()


def test_add_case_offers_only_approved_entities_of_the_users_center(client, center):
    approved = make_entity(center)
    pending = make_entity(center, approved=False)
    elsewhere = make_entity(make_center())
    login(client, Role.INTAKE_CLERK, center)

    entities = (
        client.get(reverse("admin:cases_case_add"))
        .context["adminform"]
        .form.fields["entity"]
        .queryset
    )
    response = client.post(
        reverse("admin:cases_case_add"),
        {
            "entity": elsewhere.pk,
            "patent_type": "invention",
            "title": "X",
            "classification": "C08K 3/04",
        },
    )

    assert set(entities) == {approved}
    assert pending not in entities
    assert response.status_code == 200  # the form again, with the error
    assert not Case.objects.exists()


def test_applicant_picker_searches_approved_entities_of_the_users_center(client, center):
    approved = make_entity(center, name="Acme Approved")
    make_entity(center, name="Acme Pending", approved=False)
    make_entity(make_center(), name="Acme Elsewhere")
    login(client, Role.INTAKE_CLERK, center)

    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "cases", "model_name": "case", "field_name": "entity", "term": "Acme"},
    )

    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [str(approved.pk)]


def test_examiner_cannot_add_cases(client, center):
    login(client, Role.EXAMINER, center)

    assert client.get(reverse("admin:cases_case_add")).status_code == 403


# Other admins -------------------------------------------------------------------------------


def test_case_event_admin_allows_no_add_change_or_delete(client, center):
    case = make_case(CaseState.UNDER_REVIEW, center=center)
    event = case.events.first()
    client.force_login(make_superuser())

    assert client.get(reverse("admin:cases_caseevent_add")).status_code == 403
    response = client.get(reverse("admin:cases_caseevent_change", args=[event.pk]))
    assert response.status_code == 200
    assert 'name="note"' not in response.content.decode()
    assert (
        client.post(
            reverse("admin:cases_caseevent_change", args=[event.pk]), {"note": "edited"}
        ).status_code
        == 403
    )
    assert client.get(reverse("admin:cases_caseevent_delete", args=[event.pk])).status_code == 403
    event.refresh_from_db()
    assert event.note == ""


def test_case_events_and_clocks_are_scoped_to_the_users_center(client, center):
    mine = make_case(CaseState.SUBMITTED, center=center)
    theirs = make_case(CaseState.SUBMITTED, center=make_center())
    login(client, Role.MANAGER, center)

    events = client.get(reverse("admin:cases_caseevent_changelist")).context["cl"].result_list
    timers = client.get(reverse("admin:cases_timer_changelist")).context["cl"].result_list

    assert {event.case_id for event in events} == {mine.pk}
    assert {timer.case_id for timer in timers} == {mine.pk}
    assert theirs.pk not in {event.case_id for event in events}


def test_center_admin_sees_and_edits_only_their_center(client, center):
    other = make_center()
    login(client, Role.CENTER_ADMIN, center)

    listed_centers = client.get(reverse("admin:cases_center_changelist")).context["cl"].result_list

    assert list(listed_centers) == [center]
    # Another center's page does not render (the admin redirects: "does not exist").
    assert client.get(reverse("admin:cases_center_change", args=[other.pk])).status_code in (
        302,
        404,
    )
    assert client.get(reverse("admin:cases_center_change", args=[center.pk])).status_code == 200


def test_new_center_gets_its_default_time_limit_rules(client):
    client.force_login(make_superuser())

    response = client.post(
        reverse("admin:cases_center_add"),
        {
            "code": "NJ",
            "name": "Nanjing",
            "region": "Jiangsu",
            "ipc_prefixes": "C08",
            "locarno_classes": "",
            "benchmark_days_invention": "29",
            "benchmark_days_utility_model": "29",
            "benchmark_days_design": "29",
        },
    )

    assert response.status_code == 302
    assert TimeLimitRule.objects.filter(center__code="NJ").count() == 6
    # And its required documents, the defaults per patent type, for staff to edit.
    required = RequiredDocument.objects.filter(center__code="NJ")
    assert set(required.filter(patent_type="design").values_list("kind", flat=True)) == {
        "request",
        "design_views",
        "brief_explanation",
    }
    assert required.filter(patent_type="utility_model", kind="drawings").exists()


def test_entity_credit_code_is_normalised_before_validation(client, center):
    code = make_credit_code("91310000MA1K00002")
    loose = f"{code[:6]} {code[6:12]}-{code[12:]}".lower()
    login(client, Role.INTAKE_CLERK, center)

    response = client.post(
        reverse("admin:cases_entity_add"),
        {
            "center": center.pk,
            "name": "Acme",
            "credit_code": loose,
            "contact_name": "Li",
            "contact_email": "li@example.com",
            "contact_language": "zh-hans",
        },
    )

    assert response.status_code == 302
    entity = Entity.objects.get(name="Acme")
    assert entity.credit_code == code
    assert entity.registration_state == RegistrationState.SUBMITTED


def test_entity_with_a_wrong_check_character_is_refused(client, center):
    code = make_credit_code("91310000MA1K00003")
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    login(client, Role.INTAKE_CLERK, center)

    response = client.post(
        reverse("admin:cases_entity_add"),
        {
            "center": center.pk,
            "name": "Acme",
            "credit_code": wrong,
            "contact_name": "Li",
            "contact_email": "li@example.com",
            "contact_language": "zh-hans",
        },
    )

    assert response.status_code == 200
    assert "credit_code" in response.context["adminform"].form.errors
    assert not Entity.objects.filter(name="Acme").exists()


def test_entity_registration_button_calls_the_service(client, center):
    entity = make_entity(center, approved=False)
    login(client, Role.INTAKE_CLERK, center)

    page = client.get(reverse("admin:cases_entity_change", args=[entity.pk])).content.decode()
    response = client.post(
        reverse("admin:cases_entity_transition", args=[entity.pk, "return_for_material"]),
        {"note": "Business licence missing."},
    )

    assert reverse("admin:cases_entity_transition", args=[entity.pk, "approve"]) in page
    assert response.status_code == 302
    entity.refresh_from_db()
    assert entity.registration_state == RegistrationState.RETURNED
    assert "Business licence missing." in entity.registration_note


def test_entity_registration_action_approves_selected(client, center):
    pending = make_entity(center, approved=False)
    login(client, Role.INTAKE_CLERK, center)

    client.post(
        reverse("admin:cases_entity_changelist"),
        {"action": "registration_approve", "_selected_action": [pending.pk]},
    )

    pending.refresh_from_db()
    assert pending.registration_state == RegistrationState.APPROVED


def test_time_limit_rules_are_scoped_and_validated_in_the_list(client, center):
    other = make_center()
    services.rules_ensure_defaults(center_id=center.pk)
    services.rules_ensure_defaults(center_id=other.pk)
    login(client, Role.MANAGER, center)
    url = reverse("admin:cases_timelimitrule_changelist")

    rules = list(client.get(url).context["cl"].result_list)
    review = next(rule for rule in rules if rule.step == "review")
    form = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-0-id": str(review.pk),
        "form-0-amount": "7",
        "form-0-unit": "workdays",
        "form-0-counting": "cnipa",  # inconsistent with working days: TimeLimitRule.clean
        "form-0-warning_share": "0.8",
        "_save": "Save",
    }
    refused = client.post(url, form)
    form["form-0-counting"] = "workday"
    accepted = client.post(url, form)

    assert {rule.center_id for rule in rules} == {center.pk}
    assert refused.status_code == 200
    assert accepted.status_code == 302
    review.refresh_from_db()
    assert review.amount == 7


def test_a_calendar_day_entered_in_the_admin_is_a_staff_day_every_process_sees(client, center):
    calendar.get_work_calendar()
    elsewhere = calendar._memo  # another process's calendar, built before the edit
    login(client, Role.CENTER_ADMIN, center)

    response = client.post(
        reverse("admin:cases_calendarday_add"),
        {"date": "2026-03-04", "is_working": "", "name": "Local holiday"},
    )

    assert response.status_code == 302
    day = CalendarDay.objects.get(date="2026-03-04")
    assert day.source == CalendarDay.Source.STAFF
    calendar._memo = elsewhere
    # Tue 2026-03-03 + 1 working day: the Wednesday is now off.
    assert add_workdays(date(2026, 3, 3), 1, calendar.get_work_calendar()) == date(2026, 3, 5)


def test_user_admin_edits_the_staff_profile_inline(client, center):
    client.force_login(make_superuser())
    user = make_user(Role.EXAMINER, center)

    body = client.get(reverse("admin:auth_user_change", args=[user.pk])).content.decode()

    assert "staff_profile-0-center" in body


# Languages ----------------------------------------------------------------------------------


def test_admin_renders_in_chinese_by_default(client, center):
    login(client, Role.MANAGER, center)

    body = client.get(reverse("admin:index"), {"apps": "1"}).content.decode()

    assert 'lang="zh-hans"' in body
    assert "站点管理" in body  # Django's own catalogue: "Site administration"


def test_admin_renders_in_english_with_the_language_cookie(client, center):
    login(client, Role.MANAGER, center)
    client.cookies["django_language"] = "en"

    body = client.get(reverse("admin:index"), {"apps": "1"}).content.decode()

    assert 'lang="en"' in body
    assert "Site administration" in body


def test_language_switch_posts_to_set_language(client, center):
    login(client, Role.MANAGER, center)

    body = client.get(reverse("admin:index"), {"apps": "1"}).content.decode()
    response = client.post(
        reverse("set_language"), {"language": "en", "next": reverse("admin:index")}
    )

    assert f'action="{reverse("set_language")}"' in body
    assert 'value="en"' in body and 'value="zh-hans"' in body
    assert response.cookies["django_language"].value == "en"
    assert 'lang="en"' in client.get(reverse("admin:index"), {"apps": "1"}).content.decode()


def _failed_notification(case: Case):
    from cases.models import Notification

    return Notification.objects.create(
        key=f"test:{case.pk}",
        kind=Notification.Kind.CASE_TRANSITION,
        case=case,
        recipient="applicant@example.com",
        language="en",
        status=Notification.Status.FAILED,
        attempts=8,
        last_error="SMTP refused",
    )


@pytest.mark.django_db
def test_manager_sends_failed_notifications_again(client, center):
    from cases.models import Notification

    notification = _failed_notification(make_case(CaseState.SUBMITTED, center=center))
    login(client, Role.MANAGER, center)
    response = client.post(
        reverse("admin:cases_notification_changelist"),
        {"action": "send_again", "_selected_action": [notification.pk]},
    )
    assert response.status_code == 302
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == (Notification.Status.PENDING, 0)


@pytest.mark.django_db
def test_examiner_cannot_requeue_and_other_centers_do_not_see_the_outbox(client, center):
    from cases.models import Notification

    notification = _failed_notification(make_case(CaseState.SUBMITTED, center=center))
    login(client, Role.EXAMINER, center)
    client.post(
        reverse("admin:cases_notification_changelist"),
        {"action": "send_again", "_selected_action": [notification.pk]},
    )
    notification.refresh_from_db()
    assert notification.status == Notification.Status.FAILED
    other = Client()
    login(other, Role.MANAGER, make_center())
    response = other.get(reverse("admin:cases_notification_change", args=[notification.pk]))
    assert response.status_code in (302, 404)
    assert (
        notification.recipient
        not in other.get(reverse("admin:cases_notification_changelist")).content.decode()
    )


@pytest.mark.django_db
def test_adding_a_case_shows_its_access_code_once(client, center):
    from cases.services import access

    entity = make_entity(center)
    login(client, Role.INTAKE_CLERK, center)
    response = client.post(
        reverse("admin:cases_case_add"),
        {
            "entity": entity.pk,
            "patent_type": "invention",
            "title": "Coating",
            "classification": "C08K 3/04",
        },
        follow=True,
    )
    case = Case.objects.get(title="Coating")
    codes = [m for m in message_texts(response) if case.reference in m and "/status/" in m]
    assert len(codes) == 1
    code = re.search(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{2}", codes[0]).group(0)
    assert access.case_find_by_access_code(reference=case.reference, code=code) == case
    again = client.get(change_url(case))
    assert code not in again.content.decode()


@pytest.mark.django_db
def test_reset_access_code_from_the_case_page(client, center):
    from cases.services import access

    case = make_case(CaseState.UNDER_REVIEW, center=center)
    old_hash = case.access_code_hash
    login(client, Role.MANAGER, center)
    assert (
        reverse("admin:cases_case_access_code", args=[case.pk])
        in client.get(change_url(case)).content.decode()
    )
    response = client.post(reverse("admin:cases_case_access_code", args=[case.pk]), follow=True)
    case.refresh_from_db()
    assert case.access_code_hash != old_hash
    code = re.search(
        r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{2}", " ".join(message_texts(response))
    ).group(0)
    assert access.case_find_by_access_code(reference=case.reference, code=code) == case
    assert (
        CaseEvent.objects.filter(case=case, transition="reset_access_code", public=False).count()
        == 1
    )


@pytest.mark.django_db
def test_examiner_cannot_reset_access_code(client, center):
    case = make_case(CaseState.UNDER_REVIEW, center=center)
    old_hash = case.access_code_hash
    login(client, Role.EXAMINER, center)
    client.post(reverse("admin:cases_case_access_code", args=[case.pk]))
    case.refresh_from_db()
    assert case.access_code_hash == old_hash


def test_add_case_refuses_a_malformed_classification_at_its_field(client, center):
    entity = make_entity(center)
    login(client, Role.INTAKE_CLERK, center, language="en")
    response = client.post(
        reverse("admin:cases_case_add"),
        {"entity": entity.pk, "patent_type": "design", "title": "Chair", "classification": "XYZ"},
    )

    assert response.status_code == 200  # the form again, nothing lost
    errors = response.context["adminform"].form.errors
    assert "“XYZ” is not a Locarno class" in errors["classification"][0]
    assert response.context["adminform"].form["title"].value() == "Chair"
    assert not Case.objects.exists()


def test_lapse_asks_for_confirmation_before_anything_is_written(client, center):
    case = make_case(CaseState.CORRECTION_REQUESTED, center=center)
    login(client, Role.MANAGER, center, language="en")
    data = {
        "public_note": "No correction was received.",
        "override_reason": "The applicant gave up in writing.",
    }
    page = client.post(transition_url(case, "lapse"), data)

    assert page.status_code == 200
    assert page.templates[0].name == "admin/cases/case/transition_confirmation.html"
    body = page.content.decode()
    assert "That deadline has not passed yet" in body
    assert "The applicant gave up in writing." in body
    assert 'name="_confirmed"' in body
    assert Case.objects.get(pk=case.pk).state == CaseState.CORRECTION_REQUESTED

    done = client.post(transition_url(case, "lapse"), {**data, "_confirmed": "1"})
    assert done.status_code == 302
    assert Case.objects.get(pk=case.pk).state == CaseState.LAPSED


def test_lapse_before_the_deadline_without_a_reason_is_refused_at_its_field(client, center):
    case = make_case(CaseState.CORRECTION_REQUESTED, center=center)
    login(client, Role.MANAGER, center, language="en")
    response = client.post(
        transition_url(case, "lapse"),
        {"public_note": "No correction was received.", "_confirmed": "1"},
    )
    assert response.status_code == 302
    assert "lapses only after that" in message_texts(response)[0]
    assert Case.objects.get(pk=case.pk).state == CaseState.CORRECTION_REQUESTED
    page = client.get(change_url(case))
    assert page.context["case_transitions"][-1].retry or any(
        b.retry for b in page.context["case_transitions"]
    )


def test_a_dashboard_drill_down_shows_its_filter_in_the_sidebar(client, center):
    accepted = make_case(CaseState.UNDER_REVIEW, center=center)
    submitted = make_case(CaseState.SUBMITTED, center=center)
    login(client, Role.MANAGER, center, language="en")
    response = client.get(reverse("admin:cases_case_changelist"), {"accepted_at__isnull": "False"})
    body = response.content.decode()
    assert set(response.context["cl"].result_list) == {accepted}
    assert submitted not in response.context["cl"].result_list
    assert "from the dashboard" in body
    spec = next(f for f in response.context["cl"].filter_specs if f.title == "from the dashboard")
    choices = list(spec.choices(response.context["cl"]))
    assert choices[1]["display"] == "accepted"
    assert "accepted_at__isnull" not in choices[0]["query_string"]  # removable


def test_the_case_list_counts_at_most_its_cap(client, center, monkeypatch):
    from cases.admin.paginator import CappedCountPaginator

    monkeypatch.setattr(CappedCountPaginator, "CAP", 2)
    for _ in range(4):
        make_case(CaseState.SUBMITTED, center=center)
    login(client, Role.MANAGER, center, language="en")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("admin:cases_case_changelist"), {"state__exact": "submitted"})
    cl = response.context["cl"]
    assert cl.result_count == 2
    assert cl.paginator.capped is True
    counts = [
        q["sql"] for q in queries if "COUNT(" in q["sql"].upper() and "cases_case" in q["sql"]
    ]
    assert any("LIMIT 3" in sql for sql in counts)
    # No uncapped count of the list (the header's queue figures are one FILTERed aggregate).
    assert not [sql for sql in counts if "LIMIT" not in sql and "FILTER" not in sql.upper()]
