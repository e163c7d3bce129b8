"""Bulk actions of the case list: confirmation, one service call per case, the result."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from cases.models import Case, CaseDocument, CaseState, Role
from tests.factories import make_case, make_user
from tests.pages import login

S = CaseState
pytestmark = pytest.mark.django_db


def select(client, action: str, cases: list[Case]):
    return client.post(
        reverse("admin:cases_case_changelist"),
        {"action": action, "_selected_action": [c.pk for c in cases]},
    )


def token_of(body: str) -> str:
    return re.search(r'name="token" value="([0-9a-f]+)"', body).group(1)


def test_bulk_accept_confirms_then_accepts_each_and_explains_refusals(client, center):
    login(client, Role.INTAKE_CLERK, center, language="en")
    ready = [make_case(S.SUBMITTED, center=center) for _ in range(3)]
    incomplete = make_case(S.SUBMITTED, center=center, documents=False)
    already = make_case(S.UNDER_REVIEW, center=center)
    chosen = [*ready, incomplete, already]

    redirect = select(client, "bulk_accept", chosen)
    assert redirect.status_code == 302
    page = client.get(redirect["Location"])
    body = page.content.decode()
    assert page.status_code == 200
    assert "3 can be done now" in body
    assert "The submission is incomplete" in body
    assert "is not possible while the case is “Under review”" in body or "not possible" in body
    assert all(Case.objects.get(pk=c.pk).state == S.SUBMITTED for c in ready)  # nothing yet

    data = {"ids": ",".join(str(c.pk) for c in chosen), "token": token_of(body), "note": "batch"}
    done = client.post(reverse("admin:cases_case_bulk", args=["accept"]), data)
    assert done.status_code == 302
    result = client.get(done["Location"])
    text = result.content.decode()
    assert "Done on 3 cases; refused on 2." in text
    assert incomplete.reference in text and already.reference in text
    assert {Case.objects.get(pk=c.pk).state for c in ready} == {S.UNDER_REVIEW}
    assert Case.objects.get(pk=incomplete.pk).state == S.SUBMITTED
    assert [e.note for e in ready[0].events.filter(transition="accept")] == ["batch"]

    again = client.post(reverse("admin:cases_case_bulk", args=["accept"]), data)
    assert again["Location"] == done["Location"]  # the first run's result
    assert ready[0].events.filter(transition="accept").count() == 1


def test_bulk_request_correction_sends_one_message_to_all(client, center):
    login(client, Role.EXAMINER, center, language="en")
    cases = [make_case(S.UNDER_REVIEW, center=center) for _ in range(2)]
    body = client.get(select(client, "bulk_request_correction", cases)["Location"]).content
    token = token_of(body.decode())
    url = reverse("admin:cases_case_bulk", args=["request_correction"])
    ids = ",".join(str(c.pk) for c in cases)

    missing = client.post(url, {"ids": ids, "token": token})
    assert missing.status_code == 200  # the page again, the message required
    assert "This field is required" in missing.content.decode()
    assert {Case.objects.get(pk=c.pk).state for c in cases} == {S.UNDER_REVIEW}

    client.post(url, {"ids": ids, "token": token, "public_note": "Renumber the claims."})
    for case in cases:
        event = case.events.get(transition="request_correction")
        assert event.public_note == "Renumber the claims."


def test_bulk_assign_skips_cases_already_assigned_to_that_examiner(client, center):
    login(client, Role.MANAGER, center, language="en")
    examiner = make_user(Role.EXAMINER, center)
    cases = [make_case(S.UNDER_REVIEW, center=center) for _ in range(2)]
    body = client.get(select(client, "bulk_assign", cases)["Location"]).content.decode()
    url = reverse("admin:cases_case_bulk", args=["assign"])
    data = {"ids": ",".join(str(c.pk) for c in cases), "examiner": examiner.pk}
    client.post(url, {**data, "token": token_of(body)})
    assert {Case.objects.get(pk=c.pk).examiner for c in cases} == {examiner}
    result = client.get(client.post(url, {**data, "token": "other"})["Location"])
    assert "Done on 0 cases; refused on 2." in result.content.decode()
    assert cases[0].events.filter(transition="assign").count() == 1


def test_bulk_actions_offered_follow_the_users_permissions(client, center):
    make_case(S.SUBMITTED, center=center)
    login(client, Role.EXAMINER, center, language="en")
    page = client.get(reverse("admin:cases_case_changelist"))
    labels = dict(page.context["action_form"].fields["action"].choices)
    assert str(labels["bulk_qualify"]) == "Qualify…"  # in the reader's language
    choices = list(labels)
    assert "bulk_qualify" in choices
    assert "bulk_accept" not in choices
    assert "bulk_lapse" not in choices
    forbidden = client.get(reverse("admin:cases_case_bulk", args=["accept"]), {"ids": "1"})
    assert forbidden.status_code == 403


def test_other_centers_cases_are_not_touched(client, center):
    login(client, Role.INTAKE_CLERK, center, language="en")
    elsewhere = make_case(S.SUBMITTED)
    page = client.get(reverse("admin:cases_case_bulk", args=["accept"]), {"ids": str(elsewhere.pk)})
    assert page.status_code == 302  # none the user may see
    assert Case.objects.get(pk=elsewhere.pk).state == S.SUBMITTED
    assert CaseDocument.objects.filter(case=elsewhere).exists()
