"""The admin after the second usability review: the case's history button, the calendar's
date search, the greeting, the transition forms' accessibility, reasons owed for
registration actions, the entity list's width and the outbox's rows."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.db.models import Q
from django.test import Client
from django.urls import reverse
from django.utils import translation

from cases import services, workflow
from cases.admin.clocks import dates_searched
from cases.errors import InvalidInput
from cases.models import (
    CalendarDay,
    Case,
    CaseState,
    Entity,
    Notification,
    RegistrationState,
    Role,
    Step,
)
from cases.services.entities import NOTE_REQUIRED
from tests.factories import make_case, make_center, make_entity, make_user, staff_of

pytestmark = pytest.mark.django_db

R = RegistrationState


@pytest.fixture
def center():
    return make_center("SH")


def login(client: Client, role: Role, center) -> object:
    user = make_user(role, center)
    client.force_login(user)
    return user


def message_texts(response: object) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def result_rows(body: str) -> str:
    return body.split('id="result_list"')[1].split("</table>")[0]


# 1. The case's History button ------------------------------------------------------------


def test_case_history_url_leads_to_the_history_section_of_the_case_page(client, center):
    case = make_case(CaseState.QUALIFIED, center=center)
    login(client, Role.MANAGER, center)
    change = reverse("admin:cases_case_change", args=[case.pk])

    response = client.get(reverse("admin:cases_case_history", args=[case.pk]))
    page = client.get(change).content.decode()

    assert response.status_code == 302
    assert response.url == f"{change}#case-history"
    assert re.search(r'<section class="pc-panel" id="case-history"', page)
    assert '<a href="#case-history" class="historylink">办理记录</a>' in page
    assert reverse("admin:cases_case_history", args=[case.pk]) not in page


def test_case_history_url_of_another_centers_case_is_not_found(client, center):
    case = make_case(CaseState.SUBMITTED, center=make_center())
    login(client, Role.MANAGER, center)

    response = client.get(reverse("admin:cases_case_history", args=[case.pk]))

    assert response.status_code == 404


# 2. The calendar's date search -----------------------------------------------------------


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("2026-10-01", Q(date=date(2026, 10, 1))),  # Thu, National Day
        (" 2026-10-1 ", Q(date=date(2026, 10, 1))),
        ("2026/10/01", Q(date=date(2026, 10, 1))),
        ("2026.10.01", Q(date=date(2026, 10, 1))),
        ("２０２６－１０－０１", Q(date=date(2026, 10, 1))),  # full-width
        ("2026年10月1日", Q(date=date(2026, 10, 1))),
        ("2026-10", Q(date__year=2026, date__month=10)),
        ("2026年10月", Q(date__year=2026, date__month=10)),
        ("2026", Q(date__year=2026)),
        ("2026年", Q(date__year=2026)),
        ("2026-13", None),  # no such month
        ("2026-02-30", None),  # no such day
        ("202", None),
        ("20261001", None),
        ("国庆节", None),
        ("", None),
    ],
)
def test_dates_searched(term, expected):
    assert dates_searched(term) == expected


def test_calendar_search_finds_a_date(client, center):
    login(client, Role.CENTER_ADMIN, center)

    response = client.get(reverse("admin:cases_calendarday_changelist"), {"q": "2025-10-01"})

    assert [day.date for day in response.context["cl"].result_list] == [date(2025, 10, 1)]


def test_calendar_search_finds_a_month(client, center):
    october = set(
        CalendarDay.objects.filter(date__year=2025, date__month=10).values_list("date", flat=True)
    )
    login(client, Role.CENTER_ADMIN, center)

    response = client.get(reverse("admin:cases_calendarday_changelist"), {"q": "2025-10"})

    assert {date(2025, 10, 1), date(2025, 10, 8)} <= october
    assert {day.date for day in response.context["cl"].result_list} == october


def test_calendar_search_finds_a_year(client, center):
    login(client, Role.CENTER_ADMIN, center)

    response = client.get(reverse("admin:cases_calendarday_changelist"), {"q": "2025"})

    found = {day.date for day in response.context["cl"].queryset}
    assert found == set(CalendarDay.objects.filter(date__year=2025).values_list("date", flat=True))
    assert date(2025, 10, 1) in found and date(2026, 1, 1) not in found


def test_calendar_search_help_text_gives_the_date_forms(client, center):
    login(client, Role.CENTER_ADMIN, center)

    body = client.get(reverse("admin:cases_calendarday_changelist")).content.decode()

    assert re.search(
        r'id="searchbar_helptext">名称，或日期：2026-10-01；月份：2026-10；年份：2026。<', body
    )


# 3. The greeting -------------------------------------------------------------------------


def test_greeting_is_one_chinese_sentence(client, center):
    user = make_user(Role.MANAGER, center)
    user.first_name, user.last_name = "志强", "郑"
    user.save()
    client.force_login(user)

    body = client.get(reverse("admin:index")).content.decode()

    assert "欢迎，<strong>郑志强</strong>" in body
    assert "<strong>郑志强</strong>." not in body
    assert "欢迎， " not in body


def test_greeting_in_english_ends_with_a_full_stop(client, center):
    user = make_user(Role.MANAGER, center)
    user.first_name, user.last_name = "Zhiqiang", "Zheng"
    user.save()
    client.force_login(user)
    client.cookies["django_language"] = "en"

    body = client.get(reverse("admin:index")).content.decode()

    assert re.search(r"Welcome, <strong>[^<]*Zhiqiang[^<]*</strong>\.", body)


def test_greeting_escapes_the_name(client, center):
    user = make_user(Role.MANAGER, center)
    user.first_name = "<i>x</i>"
    user.save()
    client.force_login(user)

    body = client.get(reverse("admin:index")).content.decode()

    assert "<i>x</i>" not in body
    assert "&lt;i&gt;x&lt;/i&gt;" in body


# 4. The transition forms' accessibility -----------------------------------------------------


def actions_panel(client: Client, case: Case) -> tuple[str, str]:
    """The case page, and its "Next steps" panel with the transition forms."""
    body = client.get(reverse("admin:cases_case_change", args=[case.pk])).content.decode()
    panel = body.split('aria-labelledby="pc-actions-title"')[1].split("</section>")[0]
    return body, panel


@pytest.mark.parametrize(
    ("state", "role"),
    [
        (CaseState.CORRECTION_REQUESTED, Role.INTAKE_CLERK),
        (CaseState.UNDER_REVIEW, Role.EXAMINER),
        (CaseState.FILED, Role.INTAKE_CLERK),
        (CaseState.SUBMITTED, Role.INTAKE_CLERK),
    ],
)
def test_every_id_a_transition_field_is_described_by_exists(client, center, state, role):
    case = make_case(state, center=center)
    login(client, role, center)

    body, panel = actions_panel(client, case)

    described = {
        name for value in re.findall(r'aria-describedby="([^"]+)"', panel) for name in value.split()
    }
    assert described
    assert {name for name in described if name.endswith("_helptext")}
    for name in described:
        assert f'id="{name}"' in body, name


def test_receive_correction_note_is_described_by_its_help_text(client, center):
    case = make_case(CaseState.CORRECTION_REQUESTED, center=center)
    login(client, Role.INTAKE_CLERK, center)

    _body, panel = actions_panel(client, case)

    assert 'aria-describedby="id_receive_correction_note_helptext"' in panel
    assert re.search(r'<div class="help" id="id_receive_correction_note_helptext">', panel)


def test_radio_group_is_a_fieldset_named_by_its_legend(client, center):
    case = make_case(CaseState.FILED, center=center)
    login(client, Role.INTAKE_CLERK, center)

    _body, panel = actions_panel(client, case)

    groups = re.findall(r"<fieldset[^>]*>(.*?)</fieldset>", panel, flags=re.S)
    delivery = [group for group in groups if 'type="radio"' in group]
    assert len(delivery) == 1
    assert re.match(r'\s*<legend class="pc-label">送达方式</legend>', delivery[0])
    assert delivery[0].count('type="radio"') == 2
    # A label of its own would name no control: the legend names the group.
    assert '<span class="pc-label">' not in panel


# 5. Reasons owed for registration actions ---------------------------------------------------


def entity_in(state: str, center) -> Entity:
    entity = make_entity(center, approved=state != R.SUBMITTED)
    if state == R.SUSPENDED:
        entity = services.entity_transition(
            entity=entity, name="suspend", actor=staff_of(entity), note="Licence revoked."
        )
    assert entity.registration_state == state
    return entity


NOTE_OWED = [
    (R.SUBMITTED, "return_for_material"),
    (R.SUBMITTED, "reject"),
    (R.APPROVED, "suspend"),
]


@pytest.mark.parametrize(("state", "name"), NOTE_OWED)
@pytest.mark.parametrize("note", ["", "  \n "])
def test_registration_action_owing_a_reason_refuses_a_blank_note(center, state, name, note):
    entity = entity_in(state, center)

    with pytest.raises(InvalidInput) as refused:
        services.entity_transition(entity=entity, name=name, actor=staff_of(entity), note=note)

    assert refused.value.field == "note"
    stored = Entity.objects.get(pk=entity.pk)
    assert stored.registration_state == state
    assert stored.registration_note == ""


def test_every_action_owing_a_reason_is_tested():
    assert {name for _state, name in NOTE_OWED} == set(NOTE_REQUIRED)


@pytest.mark.parametrize(
    ("state", "name", "target"),
    [(R.SUBMITTED, "approve", R.APPROVED), (R.SUSPENDED, "reinstate", R.APPROVED)],
)
def test_approving_and_reinstating_need_no_note(center, state, name, target):
    entity = entity_in(state, center)

    entity = services.entity_transition(entity=entity, name=name, actor=staff_of(entity))

    assert entity.registration_state == target


def test_returning_without_a_note_is_refused_on_the_entity_page(client, center):
    entity = make_entity(center, approved=False)
    login(client, Role.INTAKE_CLERK, center)
    url = reverse("admin:cases_entity_transition", args=[entity.pk, "return_for_material"])

    response = client.post(url, {"note": ""})
    page = client.get(reverse("admin:cases_entity_change", args=[entity.pk])).content.decode()

    assert response.status_code == 302
    assert message_texts(response) == ["请填写备注：说明缺少哪些材料。"]
    entity.refresh_from_db()
    assert entity.registration_state == R.SUBMITTED
    # The form is open again, the refusal at its note, which it describes.
    assert re.search(
        r'<details class="pc-transition" open>\s*<summary>退回补充材料</summary>', page
    )
    assert len(re.findall(r"<details[^>]* open>", page)) == 1
    after = page.split(f'action="{url}"')[1].split("</form>")[0]
    assert 'aria-invalid="true"' in after
    assert "请填写备注：说明缺少哪些材料。" in after
    assert 'aria-describedby="id_return_for_material_note_error' in after


def test_entity_page_says_which_notes_are_required(client, center):
    entity = make_entity(center, approved=False)
    login(client, Role.INTAKE_CLERK, center)

    page = client.get(reverse("admin:cases_entity_change", args=[entity.pk])).content.decode()

    assert '<label for="id_reject_note" class="required">' in page
    assert '<label for="id_approve_note">' in page
    assert "必填：缺少哪些材料。" in page
    assert '<div class="help" id="id_approve_note_helptext">' in page


def test_entity_list_offers_no_bulk_action_that_owes_a_reason(client, center):
    entity = make_entity(center, approved=False)
    login(client, Role.INTAKE_CLERK, center)

    body = client.get(reverse("admin:cases_entity_changelist")).content.decode()
    client.post(
        reverse("admin:cases_entity_changelist"),
        {"action": "registration_reject", "_selected_action": [entity.pk]},
    )

    assert 'value="registration_approve"' in body
    for name in NOTE_REQUIRED:
        assert f'value="registration_{name}"' not in body
    entity.refresh_from_db()
    assert entity.registration_state == R.SUBMITTED


# 6. The entity list at 1366 px --------------------------------------------------------------


def test_entity_list_has_short_headers_and_cuts_long_names(client, center):
    entity = make_entity(center, name="上海某某新材料科技股份有限公司第一分公司")
    login(client, Role.MANAGER, center)

    response = client.get(reverse("admin:cases_entity_changelist"))

    headers = [str(header["text"]) for header in response.context["result_headers"]]
    assert headers[1:] == ["名称", "信用代码", "备案状态", "联系人", "电子邮箱", "登记日期"]
    rows = result_rows(response.content.decode())
    assert f'<span class="pc-truncate" title="{entity.name}">{entity.name}</span>' in rows
    assert reverse("admin:cases_entity_change", args=[entity.pk]) in rows


def test_stylesheet_lets_the_entity_lists_headers_and_states_wrap():
    css = re.sub(
        r"/\*.*?\*/",
        "",
        (Path(settings.BASE_DIR) / "static/cases/admin.css").read_text(),
        flags=re.S,
    )

    assert ".model-entity #changelist table thead th { white-space: normal;" in css
    assert ".model-entity #result_list .pc-badge { white-space: normal; }" in css
    assert ".model-entity #result_list .pc-truncate { max-width: 11em; }" in css


# 7. The outbox ---------------------------------------------------------------------------


def make_notification(case: Case, transition: str = "accept", **fields) -> Notification:
    defaults = {
        "key": f"test:{case.pk}:{Notification.objects.count()}",
        "kind": Notification.Kind.CASE_TRANSITION,
        "case": case,
        "recipient": "applicant@example.com",
        "language": "zh-hans",
        "payload": {
            "reference": case.reference,
            "title": case.title,
            "name": "Li Lei",
            "transition": transition,
            "state": CaseState.UNDER_REVIEW,
            "public_note": "",
        },
    }
    defaults.update(fields)
    return Notification.objects.create(**defaults)


def test_notification_list_names_the_transition_of_each_status_change(client, center):
    case = make_case(CaseState.SUBMITTED, center=center)
    make_notification(case, "accept")
    make_notification(case, "request_correction")
    login(client, Role.MANAGER, center)

    rows = result_rows(client.get(reverse("admin:cases_notification_changelist")).content.decode())

    with translation.override("zh-hans"):
        accept = str(workflow.TRANSITION_LABELS["accept"])
        correction = str(workflow.TRANSITION_LABELS["request_correction"])
    assert f'案件状态变更<br><span class="pc-muted">{accept}</span>' in rows
    assert f'案件状态变更<br><span class="pc-muted">{correction}</span>' in rows


def test_notification_written_by_a_transition_is_listed_with_it(client, center):
    case = make_case(CaseState.CORRECTION_REQUESTED, center=center)
    login(client, Role.MANAGER, center)

    rows = result_rows(client.get(reverse("admin:cases_notification_changelist")).content.decode())

    with translation.override("zh-hans"):
        labels = [str(workflow.TRANSITION_LABELS[n]) for n in ("accept", "request_correction")]
    assert case.reference in rows
    assert all(f'<span class="pc-muted">{label}</span>' in rows for label in labels)


def test_clock_notice_is_listed_with_its_step(client, center):
    case = make_case(CaseState.SUBMITTED, center=center)
    make_notification(
        case,
        kind=Notification.Kind.STEP_OVERDUE,
        payload={"reference": case.reference, "step": Step.ACCEPTANCE, "due_on": "2026-11-02"},
    )
    login(client, Role.MANAGER, center)

    rows = result_rows(client.get(reverse("admin:cases_notification_changelist")).content.decode())

    with translation.override("zh-hans"):
        step = str(Step.ACCEPTANCE.label)
        kind = str(Notification.Kind.STEP_OVERDUE.label)
    assert f'{kind}<br><span class="pc-muted">{step}</span>' in rows


@pytest.mark.parametrize(
    ("status", "shown"),
    [
        (Notification.Status.PENDING, True),
        (Notification.Status.SENT, False),
        (Notification.Status.FAILED, False),
    ],
)
def test_notification_page_shows_the_next_attempt_only_while_pending(client, center, status, shown):
    notification = make_notification(make_case(CaseState.SUBMITTED, center=center), status=status)
    login(client, Role.MANAGER, center)

    body = client.get(
        reverse("admin:cases_notification_change", args=[notification.pk])
    ).content.decode()

    assert ("field-next_attempt_at" in body) is shown
    assert "field-attempts" in body
    with translation.override("zh-hans"):
        transition = str(workflow.TRANSITION_LABELS["accept"])
    assert transition in body.split('class="form-row')[1]


# The dashboard's drill-down parameters are shown as filters --------------------------


def test_a_dashboard_link_shows_the_period_and_field_it_applies(client):
    from datetime import datetime, time

    from django.utils import timezone

    from cases.models import CaseState, Role
    from tests.factories import make_case, make_center, make_user

    center = make_center("SH")
    inside = make_case(CaseState.UNDER_REVIEW, center=center)
    client.force_login(make_user(Role.MANAGER, center))
    client.cookies["django_language"] = "en"
    since, until = date(2020, 1, 1), timezone.localdate()
    params = {
        "submitted_at__gte": timezone.make_aware(datetime.combine(since, time.min)).isoformat(),
        "submitted_at__lt": timezone.make_aware(
            datetime.combine(until.replace(year=until.year + 1), time.min)
        ).isoformat(),
        "classification__istartswith": inside.classification[:3],
    }

    response = client.get(reverse("admin:cases_case_changelist"), params)

    body = response.content.decode()
    assert response.status_code == 200 and inside.reference in body
    ends = until.replace(year=until.year + 1) - timedelta(days=1)
    assert f"{since} to {ends}" in body
    assert f"Classification starting {inside.classification[:3]}" in body


def test_without_dashboard_parameters_no_such_filter_is_shown(client):
    from cases.models import Role
    from tests.factories import make_center, make_user

    center = make_center("SH")
    client.force_login(make_user(Role.MANAGER, center))
    client.cookies["django_language"] = "en"
    body = client.get(reverse("admin:cases_case_changelist")).content.decode()
    assert "Classification starting" not in body and " to 20" not in body


def test_the_calendar_estimated_flag_says_what_yes_means(client):
    from cases.models import CaseState, Role
    from tests.factories import make_case, make_center, make_user

    center = make_center("SH")
    case = make_case(CaseState.UNDER_REVIEW, center=center)
    client.force_login(make_user(Role.MANAGER, center))

    body = client.get(reverse("admin:cases_case_change", args=[case.pk])).content.decode()

    assert "有期限落在尚未录入放假安排的年份时为“是”：该日期为暂定。" in body
