"""The manager dashboard as its users meet it: the way in from the admin, the examiner
filter, and the page's wording and layout (what a usability review found)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, CaseState, Role
from tests.factories import make_case, make_center, make_entity, make_superuser, make_user

pytestmark = pytest.mark.django_db

MARCH = {"start": "2025-03-01", "end": "2025-03-31"}


def at(day: str, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.fromisoformat(f"{day}T{hour:02d}:00"))


def granted(center, patent_type: str, *, submitted: str, notice: str, gross: int) -> Case:
    """A granted case with its submission, grant notice and benchmark days set by hand."""
    case = make_case(CaseState.GRANTED, entity=make_entity(center), patent_type=patent_type)
    Case.objects.filter(pk=case.pk).update(
        updated_at=timezone.now(),
        submitted_at=at(submitted),
        accepted_at=at(submitted),
        qualified_at=at(submitted),
        cnipa_filing_date=date.fromisoformat(submitted),
        grant_notice_date=date.fromisoformat(notice),
        benchmark_gross_days=gross,
        benchmark_net_days=gross,
    )
    return case


@pytest.fixture
def center():
    return make_center(
        "SH",
        benchmark_days_invention=29,
        benchmark_days_utility_model=20,
        benchmark_days_design=10,
    )


def manager(client, center, *, language: str = "en"):
    client.force_login(make_user(Role.MANAGER, center))
    client.cookies["django_language"] = language
    return client


def page(client, params=MARCH):
    response = client.get(reverse("cases:dashboard"), params)
    assert response.status_code == 200
    return response


# 1. The way in from the admin


@pytest.mark.parametrize("role", [Role.MANAGER, Role.CENTER_ADMIN, "superuser"])
def test_admin_header_links_to_the_dashboard_for_those_it_admits(client, center, role):
    user = make_superuser() if role == "superuser" else make_user(role, center)
    client.force_login(user)
    content = client.get(reverse("admin:index")).content.decode()
    assert f'href="{reverse("cases:dashboard")}"' in content


@pytest.mark.parametrize("role", [Role.INTAKE_CLERK, Role.EXAMINER])
def test_admin_header_has_no_dashboard_link_for_staff_it_refuses(client, center, role):
    client.force_login(make_user(role, center))
    content = client.get(reverse("admin:index")).content.decode()
    assert f'href="{reverse("cases:dashboard")}"' not in content
    assert client.get(reverse("cases:dashboard")).status_code == 403


def test_manager_without_a_center_gets_no_dashboard_link(client):
    client.force_login(make_user(Role.MANAGER, None))
    content = client.get(reverse("admin:index")).content.decode()
    assert f'href="{reverse("cases:dashboard")}"' not in content


@pytest.mark.parametrize("role", [Role.INTAKE_CLERK, Role.MANAGER])
def test_admin_header_links_to_the_status_page_not_back_to_the_admin(client, center, role):
    client.force_login(make_user(role, center))
    client.cookies["django_language"] = "en"
    content = client.get(reverse("admin:index")).content.decode()
    assert "View site" not in content
    assert 'href="/"' not in content
    assert f'href="{reverse("cases:status_lookup")}">Applicant status page</a>' in content


def test_admin_header_dashboard_link_is_in_chinese_by_default(client, center):
    client.force_login(make_user(Role.MANAGER, center))
    content = client.get(reverse("admin:index")).content.decode()
    assert "管理看板" in content and "申请人进度查询页" in content


# 2. The examiner filter


def test_examiner_filter_lists_only_the_centers_examiners(client, center):
    examiner = make_user(Role.EXAMINER, center, username="sh_examiner")
    for role in (Role.INTAKE_CLERK, Role.MANAGER, Role.CENTER_ADMIN, None):
        make_user(role, center)
    make_user(Role.EXAMINER, make_center("PD"), username="pd_examiner")
    retired = make_user(Role.EXAMINER, center, username="sh_retired")
    retired.is_active = False
    retired.save()
    form = page(manager(client, center)).context["form"]
    assert list(form.fields["examiner"].queryset) == [examiner]


def test_examiner_filter_refuses_a_non_examiner(client, center):
    clerk = make_user(Role.INTAKE_CLERK, center)
    response = page(manager(client, center), {**MARCH, "examiner": clerk.pk})
    assert response.context["figures"] is None
    assert "examiner" in response.context["form"].errors


def test_superuser_examiner_filter_follows_the_chosen_center(client, center):
    here = make_user(Role.EXAMINER, center, username="a_examiner")
    there = make_user(Role.EXAMINER, make_center("PD"), username="b_examiner")
    make_user(Role.MANAGER, center)
    client.force_login(make_superuser())
    everywhere = page(client).context["form"].fields["examiner"].queryset
    assert list(everywhere) == [here, there]
    chosen = page(client, {**MARCH, "center": center.pk}).context["form"]
    assert list(chosen.fields["examiner"].queryset) == [here]


# 3. Layout and wording


def test_oldest_open_dates_stay_on_one_line(client, center):
    case = make_case(CaseState.UNDER_REVIEW, entity=make_entity(center))
    submitted = timezone.localdate(case.submitted_at).isoformat()
    response = page(manager(client, center), {})
    table = response.context["table_map"]["oldest_open"]
    cell = table.rows[0][3]
    assert (cell.text, cell.nowrap) == (submitted, True)
    assert f'<td class="nowrap">{submitted}</td>' in response.content.decode()


def test_headers_align_like_their_columns(client, center):
    make_case(CaseState.UNDER_REVIEW, entity=make_entity(center))
    response = page(manager(client, center), {})
    headers = dict(response.context["table_map"]["oldest_open"].page_header_cells)
    assert headers == {
        "Reference": False,
        "State": False,
        "Patent type": False,
        "Submitted": False,
        "Days open": True,
        "Examiner": False,
    }
    content = response.content.decode()
    assert '<th scope="col">State</th>' in content
    assert '<th scope="col" class="num">Days open</th>' in content


def test_benchmark_column_is_numeric_across_centers(client, center):
    granted(center, "invention", submitted="2025-03-03", notice="2025-03-20", gross=17)
    client.force_login(make_superuser())
    table = page(client).context["table_map"]["benchmark"]
    assert [row[1].text for row in table.rows] == ["–"] * 4
    assert all(numeric for _, numeric in table.page_header_cells[1:])


def test_benchmark_chart_keeps_months_without_grants_apart_from_zero(client, center):
    # January: one invention granted, over its 29 days (0%); February: no grant at all;
    # March: one within (100%).
    granted(center, "invention", submitted="2025-01-02", notice="2025-01-30", gross=40)
    granted(center, "invention", submitted="2025-01-03", notice="2025-03-10", gross=20)
    response = page(manager(client, center), {"start": "2025-01-01", "end": "2025-03-31"})
    chart = response.context["charts"]["benchmark"]
    assert chart["labels"] == ["2025-01", "2025-02", "2025-03"]
    assert chart["series"][0]["data"] == [0.0, None, 100.0]
    assert "a thin bar marked 0%: grants, none within the benchmark" in (response.content.decode())


def test_benchmark_chart_caption_is_translated(client, center):
    granted(center, "invention", submitted="2025-03-03", notice="2025-03-20", gross=17)
    content = page(manager(client, center, language="zh-hans")).content.decode()
    assert "标注 0% 的细柱" in content


def test_all_types_within_benchmark_says_why_it_has_no_link(client, center):
    # Different benchmarks per type (29, 20, 10 days): no one case-list filter fits.
    granted(center, "invention", submitted="2025-03-03", notice="2025-03-20", gross=17)
    granted(center, "utility_model", submitted="2025-03-04", notice="2025-03-20", gross=16)
    response = page(manager(client, center))
    rows = response.context["table_map"]["benchmark"].rows
    assert [row[0].text for row in rows] == ["Invention", "Utility model", "Design", "All types"]
    assert rows[0][3].url and not rows[0][3].note
    total_gross, total_net = rows[-1][3], rows[-1][5]
    assert (total_gross.value, total_net.value) == (2, 2)
    assert not total_gross.url and not total_net.url
    assert "different benchmarks" in total_gross.note
    content = response.content.decode()
    assert '<sup class="dash-mark"' in content
    assert "open each type&#x27;s count." in content


def test_all_types_within_benchmark_links_when_one_limit_applies(client):
    center = make_center(
        "SH", benchmark_days_invention=29, benchmark_days_utility_model=29, benchmark_days_design=29
    )
    granted(center, "invention", submitted="2025-03-03", notice="2025-03-20", gross=17)
    granted(center, "utility_model", submitted="2025-03-04", notice="2025-04-30", gross=57)
    response = page(manager(client, center))
    total = response.context["table_map"]["benchmark"].rows[-1]
    assert (total[3].value, total[3].note) == (1, "")
    assert client.get(total[3].url).context["cl"].result_count == 1


def test_at_risk_counts_say_they_include_the_overdue(client, center):
    examiner = make_user(Role.EXAMINER, center)
    case = make_case(CaseState.UNDER_REVIEW, entity=make_entity(center))
    Case.objects.filter(pk=case.pk).update(
        examiner=examiner, at_risk_since=timezone.now(), overdue_since=timezone.now()
    )
    response = page(manager(client, center), {})
    tables = response.context["table_map"]
    assert tables["now_steps"].columns[1:] == ["At risk (incl. overdue)", "Overdue"]
    assert tables["workload"].columns[2] == "At risk (incl. overdue)"
    series = [s["label"] for s in response.context["charts"]["workload"]["series"]]
    assert series == ["Open cases", "At risk (incl. overdue)", "Overdue"]
    # The same count as the case list's "At risk" filter, where the link goes.
    cell = tables["now_steps"].rows[0][1]
    assert cell.value == 1 and "deadline=at_risk" in cell.url
    assert client.get(cell.url).context["cl"].result_count == 1


def test_at_risk_heading_in_chinese_says_overdue_is_included(client, center):
    content = page(manager(client, center, language="zh-hans"), {}).content.decode()
    assert "临近期限（含已超期）" in content


def test_date_inputs_show_the_default_period(client, center):
    response = page(manager(client, center), {})
    today = timezone.localdate()
    start = today.replace(year=today.year - 1) + timedelta(days=1)
    content = response.content.decode()
    assert f'name="start" value="{start.isoformat()}"' in content
    assert f'name="end" value="{today.isoformat()}"' in content


def test_date_inputs_show_the_default_for_the_date_left_empty(client, center):
    response = page(manager(client, center), {"start": "2025-03-01", "end": ""})
    figures = response.context["figures"]
    assert figures.filters.end == timezone.localdate()
    content = response.content.decode()
    assert 'name="start" value="2025-03-01"' in content
    assert f'name="end" value="{timezone.localdate().isoformat()}"' in content
