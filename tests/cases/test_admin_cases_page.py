"""The case list and the case page: search, elapsed days, names, clocks, the access code."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases import calendar, services
from cases.actors import Actor
from cases.appnumbers import make_application_number, parse_application_number
from cases.deadlines import add_workdays, shift_due
from cases.models import Case, CaseState, Role, Step
from tests.factories import make_case, make_center, make_entity, make_user, staff_of

pytestmark = pytest.mark.django_db


def change_url(case: Case) -> str:
    return reverse("admin:cases_case_change", args=[case.pk])


def access_code_url(case: Case) -> str:
    return reverse("admin:cases_case_access_code", args=[case.pk])


def login(client: Client, role: Role, center, *, language: str | None = "en", **names: str):
    """Log in as a new user; the pages in English unless ``language`` says otherwise
    (``None``: the default, Chinese)."""
    user = make_user(role, center, username=names.pop("username", None))
    if names:
        for field, value in names.items():
            setattr(user, field, value)
        user.save()
    client.force_login(user)
    if language:
        client.cookies["django_language"] = language
    return user


def listed(client: Client, **params: str) -> list[Case]:
    response = client.get(reverse("admin:cases_case_changelist"), params)
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def days_column(client: Client, **params: str) -> list[int]:
    """The "days since submission" cells of the list, top to bottom."""
    body = client.get(reverse("admin:cases_case_changelist"), params).content.decode()
    return [int(n) for n in re.findall(r'<td class="field-days_since_submission">(\d+)</td>', body)]


def clock_row(body: str, step_label: str) -> str:
    """The clocks table's row of one step."""
    clocks = body[body.index('id="pc-clocks-title"') : body.index('id="pc-history-title"')]
    rows = [row for row in re.findall(r"<tr.*?</tr>", clocks, re.S) if step_label in row]
    assert len(rows) == 1, rows
    return rows[0]


# Search: application numbers as people paste them ---------------------------------------------


def _full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in text)


@pytest.mark.parametrize(
    "pasted",
    [
        lambda n: f"CN {n.formatted()}",  # CN 2026 1 0000123.4, as on a certificate
        lambda n: f"ZL{n}",
        lambda n: f"{n.digits}{n.check}",  # no dot
        lambda n: f"cn:{n}".lower(),
        lambda n: _full_width(str(n)),
        lambda n: str(n),  # the stored form
    ],
    ids=["cn-spaced", "zl", "no-dot", "lower-case-cn-colon", "full-width", "stored"],
)
def test_search_finds_an_application_number_in_any_form_the_filing_form_accepts(
    client, center, pasted
):
    filed = make_case(CaseState.FILED, center=center)
    make_case(CaseState.FILED, center=center)
    make_case(CaseState.SUBMITTED, center=center)
    login(client, Role.MANAGER, center)
    number = parse_application_number(filed.application_number)

    assert [case.pk for case in listed(client, q=pasted(number))] == [filed.pk]


def test_search_by_reference_title_and_applicant_still_works(client, center):
    entity = make_entity(center, name="上海正衡高分子材料股份有限公司")
    case = make_case(CaseState.SUBMITTED, entity=entity)
    other = make_case(CaseState.FILED, center=center)
    login(client, Role.MANAGER, center)

    assert [c.pk for c in listed(client, q=case.reference)] == [case.pk]
    assert [c.pk for c in listed(client, q=case.title)] == [case.pk]
    assert [c.pk for c in listed(client, q="正衡高分子")] == [case.pk]
    # Part of a number is no application number: an ordinary substring search.
    assert [c.pk for c in listed(client, q=other.application_number[:9])] == [other.pk]


def test_search_for_an_application_number_stays_within_the_users_center(client, center):
    theirs = make_case(CaseState.FILED, center=make_center("PD"))
    login(client, Role.MANAGER, center)

    assert listed(client, q=f"ZL{theirs.application_number}") == []


# Days since submission --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "state", [CaseState.GRANTED, CaseState.WITHDRAWN, CaseState.REJECTED, CaseState.NOT_ACCEPTED]
)
def test_days_since_submission_of_a_closed_case_stop_on_the_day_it_closed(client, center, state):
    start = timezone.now() - timedelta(days=100)
    case = make_case(state, center=center, start=start, step_days=3)
    login(client, Role.MANAGER, center)
    expected = (timezone.localdate(case.closed_at) - timezone.localdate(start)).days
    assert expected < 100

    assert days_column(client) == [expected]


def test_days_since_submission_of_an_open_case_run_to_today(client, center):
    start = timezone.now() - timedelta(days=40)
    make_case(CaseState.FILED, center=center, start=start)
    login(client, Role.MANAGER, center)

    assert days_column(client) == [(timezone.localdate() - timezone.localdate(start)).days]


def test_days_since_submission_sort_by_the_days_shown_in_the_direction_shown(client, center):
    now = timezone.now()
    # Submitted long ago but closed after a few days: first by submission date, not by days.
    make_case(CaseState.WITHDRAWN, center=center, start=now - timedelta(days=90), step_days=4)
    make_case(CaseState.SUBMITTED, center=center, start=now - timedelta(days=30))
    make_case(CaseState.SUBMITTED, center=center, start=now - timedelta(days=10))
    login(client, Role.MANAGER, center)
    cl = client.get(reverse("admin:cases_case_changelist")).context["cl"]
    column = list(cl.list_display).index("days_since_submission")

    ascending = days_column(client, o=str(column))
    descending = days_column(client, o=f"-{column}")

    assert ascending == sorted(ascending) and len(set(ascending)) == 3
    assert descending == sorted(ascending, reverse=True)
    cl = client.get(reverse("admin:cases_case_changelist"), {"o": str(column)}).context["cl"]
    assert cl.get_ordering_field_columns() == {column: "asc"}


# Issuing a new access code asks first -----------------------------------------------------------


def test_issue_access_code_button_opens_a_confirmation_and_changes_nothing(client, center):
    case = make_case(CaseState.UNDER_REVIEW, center=center)
    old_hash = case.access_code_hash
    login(client, Role.MANAGER, center)

    page = client.get(change_url(case)).content.decode()
    button_form = re.search(
        r'<form[^>]*action="' + re.escape(access_code_url(case)) + r'"[^>]*>', page
    ).group(0)
    confirmation = client.get(access_code_url(case))

    assert 'method="get"' in button_form
    assert confirmation.status_code == 200
    body = confirmation.content.decode()
    assert "stops working" in body
    assert re.search(
        r'<form method="post"[^>]*>\s*<input type="hidden" name="csrfmiddlewaretoken"', body
    )
    assert change_url(case) in body  # the way back
    case.refresh_from_db()
    assert case.access_code_hash == old_hash
    assert not case.events.filter(transition="reset_access_code").exists()


def test_issue_access_code_confirmation_posts_with_csrf_and_issues_the_code(center):
    case = make_case(CaseState.UNDER_REVIEW, center=center)
    old_hash = case.access_code_hash
    client = Client(enforce_csrf_checks=True)
    login(client, Role.MANAGER, center)

    forged = client.post(access_code_url(case))
    case.refresh_from_db()
    assert forged.status_code == 403
    assert case.access_code_hash == old_hash

    body = client.get(access_code_url(case)).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
    response = client.post(access_code_url(case), {"csrfmiddlewaretoken": token})
    case.refresh_from_db()
    assert response.status_code == 302
    assert case.access_code_hash != old_hash


def test_examiner_may_not_open_the_access_code_confirmation(client, center):
    case = make_case(CaseState.UNDER_REVIEW, center=center)
    login(client, Role.EXAMINER, center)

    assert client.get(access_code_url(case)).status_code == 403
    assert access_code_url(case) not in client.get(change_url(case)).content.decode()


def test_access_code_confirmation_of_another_centers_case_is_404(client, center):
    theirs = make_case(CaseState.UNDER_REVIEW, center=make_center("PD"))
    login(client, Role.MANAGER, center)

    assert client.get(access_code_url(theirs)).status_code == 404


# Staff names on the case page -------------------------------------------------------------------


def test_case_history_writes_staff_names_family_name_first(client, center):
    case = make_case(CaseState.SUBMITTED, center=center)
    clerk = make_user(Role.INTAKE_CLERK, center, username="sh_clerk")
    clerk.first_name, clerk.last_name = "海燕", "周"
    clerk.save()
    services.SERVICES["accept"](case=case, actor=Actor.admin(clerk))
    login(client, Role.MANAGER, center)

    body = client.get(change_url(case)).content.decode()
    history = body[body.index('id="pc-history-title"') :]

    assert "周海燕" in history
    assert "海燕 周" not in body


def test_case_page_shows_the_examiner_by_name_and_username(client, center):
    examiner = make_user(Role.EXAMINER, center, username="sh_examiner1")
    examiner.first_name, examiner.last_name = "立新", "陈"
    examiner.save()
    case = make_case(CaseState.UNDER_REVIEW, center=center)
    services.case_assign(case=case, actor=staff_of(case), examiner=examiner)
    login(client, Role.MANAGER, center)

    body = client.get(change_url(case)).content.decode()
    fields = body[: body.index('id="pc-clocks-title"')]

    assert '<div class="readonly">陈立新 (sh_examiner1)</div>' in fields


def test_add_case_form_offers_examiners_by_name_and_username(client, center):
    examiner = make_user(Role.EXAMINER, center, username="sh_examiner1")
    examiner.first_name, examiner.last_name = "立新", "陈"
    examiner.save()
    login(client, Role.INTAKE_CLERK, center)

    body = client.get(reverse("admin:cases_case_add")).content.decode()

    assert re.search(rf'<option value="{examiner.pk}"[^>]*>陈立新 \(sh_examiner1\)</option>', body)


def test_assign_and_accept_forms_offer_examiners_by_name_and_username(client, center):
    examiner = make_user(Role.EXAMINER, center, username="sh_examiner1")
    examiner.first_name, examiner.last_name = "立新", "陈"
    examiner.save()
    option = rf'<option value="{examiner.pk}"[^>]*>陈立新 \(sh_examiner1\)</option>'
    login(client, Role.MANAGER, center)

    submitted = client.get(change_url(make_case(CaseState.SUBMITTED, center=center)))
    under_review = client.get(change_url(make_case(CaseState.UNDER_REVIEW, center=center)))

    assert re.search(option, submitted.content.decode())  # the accept form's picker
    assert re.search(option, under_review.content.decode())  # the assign form


# Clocks: a paused clock reads as paused ---------------------------------------------------------


def test_paused_clock_reads_as_paused_and_says_its_due_date_moves_on_resume(client, center):
    case = make_case(CaseState.CORRECTION_REQUESTED, center=center)
    review = case.timers.get(step=Step.REVIEW)
    assert review.paused_since is not None and review.stopped_at is None
    login(client, Role.MANAGER, center)
    today = timezone.localdate()
    work_calendar = calendar.get_work_calendar()
    moved = shift_due(
        review.due_on,
        paused_from=review.paused_since,
        resumed_on=today,
        calendar=work_calendar,
        working=True,
    ).due

    row = clock_row(client.get(change_url(case)).content.decode(), "Pre-examination review")

    assert "running" not in row
    assert re.search(r"<td>\s*paused\b", row)
    assert f"paused since {review.paused_since:%Y-%m-%d}" in row
    assert f"moves on when the clock resumes: to {moved:%Y-%m-%d} if it resumes today" in row
    assert "working days left once resumed" in row or "working day left once resumed" in row


def test_paused_clock_reads_as_paused_in_chinese_by_default(client, center):
    case = make_case(CaseState.CORRECTION_REQUESTED, center=center)
    client.force_login(make_user(Role.MANAGER, center))

    row = clock_row(client.get(change_url(case)).content.decode(), "预审审查")

    assert "已暂停" in row
    assert "计时中" not in row
    assert "恢复计时后顺延" in row


def test_running_clock_still_reads_as_running(client, center):
    case = make_case(CaseState.CORRECTION_REQUESTED, center=center)
    login(client, Role.MANAGER, center)

    row = clock_row(client.get(change_url(case)).content.decode(), "Correction by the applicant")

    assert "running" in row
    assert "paused" not in row


# The "due in the next 5 working days" filter ----------------------------------------------------


def test_due_soon_filter_leaves_out_overdue_cases(client, center):
    now = timezone.now()
    today = timezone.localdate()
    in_five = add_workdays(today, 5, calendar.get_work_calendar())
    soon, today_due, flagged, unswept = (
        make_case(CaseState.UNDER_REVIEW, center=center) for _ in range(4)
    )
    Case.objects.filter(pk=soon.pk).update(next_due_on=in_five, overdue_since=None)
    Case.objects.filter(pk=today_due.pk).update(next_due_on=today, overdue_since=None)
    # Overdue and flagged by the sweep; overdue and not swept yet.
    Case.objects.filter(pk=flagged.pk).update(
        next_due_on=today - timedelta(days=3), overdue_since=now
    )
    Case.objects.filter(pk=unswept.pk).update(
        next_due_on=today - timedelta(days=1), overdue_since=None
    )
    login(client, Role.MANAGER, center)

    assert {c.pk for c in listed(client, deadline="due_soon")} == {soon.pk, today_due.pk}
    assert flagged.pk in {c.pk for c in listed(client, deadline="overdue")}


def test_case_history_gives_the_date_cnipas_events_are_dated(client, center):
    case = make_case(CaseState.QUALIFIED, center=center)
    filed = timezone.localdate(case.qualified_at)
    services.case_record_filing(
        case=case,
        actor=staff_of(case),
        application_number=str(make_application_number(filed.year, 1, case.pk)),
        filing_date=filed,
        at=timezone.now(),
    )
    login(client, Role.INTAKE_CLERK, center)
    client.cookies["django_language"] = "en"

    body = client.get(reverse("admin:cases_case_change", args=[case.pk])).content.decode()

    assert f"dated {filed.isoformat()}" in body


# A refused transition: its form reopens with the errors at their fields ----------------


def _transition_form_html(body: str, name: str) -> str:
    start = body.index(f"/transition/{name}/")
    return body[start : body.index("</form>", start)]


def test_a_refused_transition_shows_the_services_error_at_its_field(client, center):
    case = make_case(CaseState.QUALIFIED, center=center)
    login(client, Role.INTAKE_CLERK, center)
    client.cookies["django_language"] = "en"
    tomorrow = timezone.localdate() + timedelta(days=1)
    number = str(make_application_number(tomorrow.year, 1, case.pk))

    response = client.post(
        reverse("admin:cases_case_transition", args=[case.pk, "record_filing"]),
        {"application_number": number, "filing_date": tomorrow.isoformat()},
        follow=True,
    )

    form = _transition_form_html(response.content.decode(), "record_filing")
    assert re.search(
        r'name="filing_date"[^>]*>\s*<ul class="errorlist"[^>]*>\s*<li>'
        r"The filing date cannot be in the future.</li>",
        form,
    )
    assert f'value="{number}"' in form  # what was typed is kept


def test_a_transition_form_error_shows_at_its_field(client, center):
    case = make_case(CaseState.QUALIFIED, center=center)
    login(client, Role.INTAKE_CLERK, center)
    client.cookies["django_language"] = "en"

    response = client.post(
        reverse("admin:cases_case_transition", args=[case.pk, "record_filing"]),
        {"application_number": "", "filing_date": ""},
        follow=True,
    )

    form = _transition_form_html(response.content.decode(), "record_filing")
    assert form.count("This field is required.") == 2


def test_the_admin_header_welcomes_staff_by_their_whole_name(client, center):
    login(client, Role.INTAKE_CLERK, center, first_name="海燕", last_name="周")

    body = client.get(reverse("admin:index"), {"apps": "1"}).content.decode()

    assert "<strong>周海燕</strong>" in body


# The case's History button -----------------------------------------------------------


def test_case_history_url_leads_to_the_history_section_of_the_case_page(client, center):
    case = make_case(CaseState.QUALIFIED, center=center)
    login(client, Role.MANAGER, center, language=None)
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
    login(client, Role.MANAGER, center, language=None)

    response = client.get(reverse("admin:cases_case_history", args=[case.pk]))

    assert response.status_code == 404


# The transition forms' accessibility ------------------------------------------------


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
    login(client, role, center, language=None)

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
    login(client, Role.INTAKE_CLERK, center, language=None)

    _body, panel = actions_panel(client, case)

    assert 'aria-describedby="id_receive_correction_note_helptext"' in panel
    assert re.search(r'<div class="help" id="id_receive_correction_note_helptext">', panel)


def test_radio_group_is_a_fieldset_named_by_its_legend(client, center):
    case = make_case(CaseState.FILED, center=center)
    login(client, Role.INTAKE_CLERK, center, language=None)

    _body, panel = actions_panel(client, case)

    groups = re.findall(r"<fieldset[^>]*>(.*?)</fieldset>", panel, flags=re.S)
    delivery = [group for group in groups if 'type="radio"' in group]
    assert len(delivery) == 1
    assert re.match(r'\s*<legend class="pc-label">送达方式</legend>', delivery[0])
    assert delivery[0].count('type="radio"') == 2
    # A label of its own would name no control: the legend names the group.
    assert '<span class="pc-label">' not in panel


# The dashboard's drill-down parameters are shown as filters --------------------------


def test_a_dashboard_link_shows_the_period_and_field_it_applies(client):
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
    center = make_center("SH")
    client.force_login(make_user(Role.MANAGER, center))
    client.cookies["django_language"] = "en"
    body = client.get(reverse("admin:cases_case_changelist")).content.decode()
    assert "Classification starting" not in body and " to 20" not in body


# The case page's fields ---------------------------------------------------------------


def test_the_calendar_estimated_flag_says_what_yes_means(client):
    center = make_center("SH")
    case = make_case(CaseState.UNDER_REVIEW, center=center)
    client.force_login(make_user(Role.MANAGER, center))

    body = client.get(reverse("admin:cases_case_change", args=[case.pk])).content.decode()

    assert "有期限落在尚未录入放假安排的年份时为“是”：该日期为暂定。" in body
