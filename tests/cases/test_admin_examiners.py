"""The admin's *Examiners*: a center's managers edit their examiners' fields, capacity and
absences; other centers' examiners are not found; the list is a fixed number of queries."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import Absence, CaseState, Role, StaffProfile
from tests.factories import make_case, make_center, make_entity, make_user, staff_of
from tests.pages import login, result_rows

pytestmark = pytest.mark.django_db


def changelist() -> str:
    return reverse("admin:cases_examiner_changelist")


def change_url(user: Any) -> str:
    return reverse("admin:cases_examiner_change", args=[user.staff_profile.pk])


def form_data(
    user: Any, *, ipc: str = "C08", locarno: str = "", capacity: str = "", absences=()
) -> dict[str, str]:
    """The change form's POST: the fields and the absences inline (new rows only)."""
    data = {
        "ipc_prefixes": ipc,
        "locarno_classes": locarno,
        "capacity": capacity,
        "absences-TOTAL_FORMS": str(len(absences)),
        "absences-INITIAL_FORMS": "0",
        "absences-MIN_NUM_FORMS": "0",
        "absences-MAX_NUM_FORMS": "1000",
    }
    for i, (first, last) in enumerate(absences):
        data[f"absences-{i}-first_day"] = first
        data[f"absences-{i}-last_day"] = last
        data[f"absences-{i}-note"] = ""
    return data


@pytest.mark.parametrize("role", [Role.MANAGER, Role.CENTER_ADMIN])
def test_managers_list_their_centers_examiners_with_load_and_absence(client, center, role):
    examiner = make_user(Role.EXAMINER, center, username="sh_examiner1")
    StaffProfile.objects.filter(user=examiner).update(ipc_prefixes="C08, B01D", capacity=5)
    idle = make_user(Role.EXAMINER, center, username="sh_examiner2")
    make_user(Role.INTAKE_CLERK, center, username="sh_clerk")
    make_user(Role.EXAMINER, make_center("PD"), username="pd_examiner")
    for _ in range(2):
        case = make_case(CaseState.UNDER_REVIEW, center=center)
        services.case_assign(case=case, actor=staff_of(case), examiner=examiner)
    today = timezone.localdate()
    Absence.objects.create(user=examiner, first_day=today, last_day=today + timedelta(days=2))
    Absence.objects.create(
        user=idle, first_day=today + timedelta(days=7), last_day=today + timedelta(days=9)
    )
    login(client, role, center, language="en")

    response = client.get(changelist())

    assert response.status_code == 200
    rows = result_rows(response.content.decode())
    assert "sh_examiner1" in rows and "sh_examiner2" in rows
    assert "sh_clerk" not in rows and "pd_examiner" not in rows
    first, second = rows.split("sh_examiner2")
    assert "C08, B01D" in first
    assert '<td class="field-capacity_column">5</td>' in first
    assert '<td class="field-open_cases_column">2</td>' in first
    assert f"away until {(today + timedelta(days=2)).isoformat()}" in first
    assert '<td class="field-open_cases_column">0</td>' in second
    next_absence = f"{(today + timedelta(days=7)).isoformat()} – {(today + timedelta(days=9))}"
    assert next_absence in second


def test_the_list_takes_a_fixed_number_of_queries(client, center):
    def examiners_with_cases(count: int) -> None:
        for _ in range(count):
            examiner = make_user(Role.EXAMINER, center)
            case = make_case(CaseState.UNDER_REVIEW, entity=make_entity(center))
            services.case_assign(case=case, actor=staff_of(case), examiner=examiner)
            Absence.objects.create(
                user=examiner, first_day=timezone.localdate(), last_day=timezone.localdate()
            )

    login(client, Role.MANAGER, center)
    examiners_with_cases(2)
    with CaptureQueriesContext(connection) as few:
        assert client.get(changelist()).status_code == 200
    examiners_with_cases(6)
    with CaptureQueriesContext(connection) as more:
        response = client.get(changelist())
    assert response.content.decode().count('<tr class="') >= 8
    assert len(more.captured_queries) == len(few.captured_queries)
    assert len(more.captured_queries) <= 12


def test_other_centers_examiners_are_not_found(client, center):
    other = make_user(Role.EXAMINER, make_center("PD"))
    login(client, Role.MANAGER, center)
    assert client.get(change_url(other)).status_code == 404
    assert client.post(change_url(other), form_data(other, ipc="H01")).status_code == 404
    assert StaffProfile.objects.get(user=other).ipc_prefixes == ""


@pytest.mark.parametrize("role", [Role.EXAMINER, Role.INTAKE_CLERK])
def test_examiners_and_clerks_cannot_open_the_page(client, center, role):
    examiner = make_user(Role.EXAMINER, center)
    login(client, role, center)
    assert client.get(changelist()).status_code == 403
    assert client.post(change_url(examiner), form_data(examiner)).status_code == 403
    assert StaffProfile.objects.get(user=examiner).ipc_prefixes == ""


def test_a_manager_sets_fields_capacity_and_an_absence(client, center):
    examiner = make_user(Role.EXAMINER, center)
    login(client, Role.MANAGER, center)
    other_center = make_center("PD")

    response = client.post(
        change_url(examiner),
        {
            **form_data(
                examiner,
                ipc="c08，b01d、H01M10",
                locarno="1, 14－02",
                capacity="8",
                absences=[("2026-12-10", "2026-12-12")],
            ),
            # Not fields of this page: ignored.
            "center": str(other_center.pk),
            "language": "en",
        },
    )

    assert response.status_code == 302
    profile = StaffProfile.objects.get(user=examiner)
    assert profile.ipc_prefixes == "C08, B01D, H01M 10"
    assert profile.locarno_classes == "01, 14-02"
    assert profile.capacity == 8
    assert profile.center == center
    assert profile.language == "zh-hans"
    assert [(str(a.first_day), str(a.last_day)) for a in examiner.absences.all()] == [
        ("2026-12-10", "2026-12-12")
    ]


@pytest.mark.parametrize(
    ("ipc", "locarno", "message"),
    [
        ("C08, XYZ", "", "“XYZ” is not an IPC prefix"),
        ("C08K 3/04", "", "“C08K 3/04” is not an IPC prefix"),
        ("", "12, 33", "“33” is not a Locarno class"),
        ("", "14-2", "“14-2” is not a Locarno class"),
    ],
)
def test_malformed_fields_are_refused_and_nothing_is_saved(client, center, ipc, locarno, message):
    examiner = make_user(Role.EXAMINER, center)
    login(client, Role.MANAGER, center, language="en")

    response = client.post(change_url(examiner), form_data(examiner, ipc=ipc, locarno=locarno))

    assert response.status_code == 200
    assert message in response.content.decode()
    profile = StaffProfile.objects.get(user=examiner)
    assert (profile.ipc_prefixes, profile.locarno_classes) == ("", "")


@pytest.mark.parametrize(
    ("absences", "message"),
    [
        ([("2026-12-12", "2026-12-10")], "The last day cannot be before the first day."),
        (
            [("2026-12-10", "2026-12-12"), ("2026-12-12", "2026-12-15")],
            "Absences overlap: 2026-12-10 – 2026-12-12 and 2026-12-12 – 2026-12-15.",
        ),
    ],
)
def test_bad_absences_are_refused(client, center, absences, message):
    examiner = make_user(Role.EXAMINER, center)
    login(client, Role.MANAGER, center, language="en")

    response = client.post(change_url(examiner), form_data(examiner, absences=absences))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Absence.objects.filter(user=examiner).exists()
    assert StaffProfile.objects.get(user=examiner).ipc_prefixes == ""


def test_a_new_absence_overlapping_a_saved_one_is_refused(client, center):
    examiner = make_user(Role.EXAMINER, center)
    saved = Absence.objects.create(
        user=examiner,
        first_day=timezone.localdate(),
        last_day=timezone.localdate() + timedelta(days=3),
    )
    login(client, Role.MANAGER, center, language="en")
    data = form_data(examiner, absences=[("x", "x"), (str(saved.last_day), str(saved.last_day))])
    # Row 0 is the saved absence, unchanged.
    data.update(
        {
            "absences-INITIAL_FORMS": "1",
            "absences-0-id": str(saved.pk),
            "absences-0-user": str(examiner.pk),
            "absences-0-first_day": str(saved.first_day),
            "absences-0-last_day": str(saved.last_day),
        }
    )

    response = client.post(change_url(examiner), data)

    assert response.status_code == 200
    assert "Absences overlap" in response.content.decode()
    assert Absence.objects.filter(user=examiner).count() == 1

    # Deleting the saved one in the same submission makes room for the new one.
    data["absences-0-DELETE"] = "on"
    assert client.post(change_url(examiner), data).status_code == 302
    assert [a.first_day for a in Absence.objects.filter(user=examiner)] == [saved.last_day]


def test_the_page_speaks_chinese_by_default(client, center):
    examiner = make_user(Role.EXAMINER, center)
    Absence.objects.create(
        user=examiner, first_day=timezone.localdate(), last_day=timezone.localdate()
    )
    login(client, Role.MANAGER, center)
    body = client.get(changelist()).content.decode()
    assert "未结案件" in body and "缺勤至" in body
    response = client.post(change_url(examiner), form_data(examiner, ipc="XYZ"))
    assert "“XYZ”不是 IPC 分类号前缀" in response.content.decode()
