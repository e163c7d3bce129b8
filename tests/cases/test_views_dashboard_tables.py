"""The dashboard's tables and charts as a usability review read them: dates on one line,
headers aligned like their columns, the benchmark's 0% apart from no grants, at-risk
counts that say they include the overdue."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from cases.models import Case, CaseState, Role
from cases.services import dashboard_summary_refresh
from tests.factories import (
    at,
    make_case,
    make_center,
    make_entity,
    make_granted,
    make_superuser,
    make_user,
)
from tests.pages import as_manager, dashboard_page

pytestmark = pytest.mark.django_db


def granted(center, patent_type: str, *, submitted: str, notice: str, gross: int) -> Case:
    """A granted case of a new entity of ``center``, submitted and filed on ``submitted``."""
    return make_granted(
        make_entity(center),
        patent_type=patent_type,
        submitted=at(submitted),
        notice=date.fromisoformat(notice),
        gross=gross,
    )


def test_oldest_open_dates_stay_on_one_line(client, center):
    case = make_case(CaseState.UNDER_REVIEW, entity=make_entity(center))
    submitted = timezone.localdate(case.submitted_at).isoformat()
    response = dashboard_page(as_manager(client, center, language="en"), {})
    table = response.context["table_map"]["oldest_open"]
    cell = table.rows[0][3]
    assert (cell.text, cell.nowrap) == (submitted, True)
    assert f'<td class="nowrap">{submitted}</td>' in response.content.decode()


def test_headers_align_like_their_columns(client, center):
    make_case(CaseState.UNDER_REVIEW, entity=make_entity(center))
    response = dashboard_page(as_manager(client, center, language="en"), {})
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
    dashboard_summary_refresh()  # as the task does
    client.force_login(make_superuser())
    table = dashboard_page(client).context["table_map"]["benchmark"]
    assert [row[1].text for row in table.rows] == ["–"] * 4
    assert all(numeric for _, numeric in table.page_header_cells[1:])


def test_benchmark_chart_keeps_months_without_grants_apart_from_zero(client, center):
    # January: one invention granted, over its 29 days (0%); February: no grant at all;
    # March: one within (100%).
    granted(center, "invention", submitted="2025-01-02", notice="2025-01-30", gross=40)
    granted(center, "invention", submitted="2025-01-03", notice="2025-03-10", gross=20)
    dashboard_summary_refresh()  # as the task does
    response = dashboard_page(
        as_manager(client, center, language="en"), {"start": "2025-01-01", "end": "2025-03-31"}
    )
    chart = response.context["charts"]["benchmark"]
    assert chart["labels"] == ["2025-01", "2025-02", "2025-03"]
    assert chart["series"][0]["data"] == [0.0, None, 100.0]
    assert "a thin bar marked 0%: grants, none within the benchmark" in (response.content.decode())


def test_benchmark_chart_caption_is_translated(client, center):
    granted(center, "invention", submitted="2025-03-03", notice="2025-03-20", gross=17)
    dashboard_summary_refresh()  # as the task does
    content = dashboard_page(as_manager(client, center, language="zh-hans")).content.decode()
    assert "标注 0% 的细柱" in content


def test_all_types_within_benchmark_says_why_it_has_no_link(client, center):
    # Different benchmarks per type (29, 20, 10 days): no one case-list filter fits.
    granted(center, "invention", submitted="2025-03-03", notice="2025-03-20", gross=17)
    granted(center, "utility_model", submitted="2025-03-04", notice="2025-03-20", gross=16)
    dashboard_summary_refresh()  # as the task does
    response = dashboard_page(as_manager(client, center, language="en"))
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
    dashboard_summary_refresh()  # as the task does
    response = dashboard_page(as_manager(client, center, language="en"))
    total = response.context["table_map"]["benchmark"].rows[-1]
    assert (total[3].value, total[3].note) == (1, "")
    assert client.get(total[3].url).context["cl"].result_count == 1


def test_at_risk_counts_say_they_include_the_overdue(client, center):
    examiner = make_user(Role.EXAMINER, center)
    case = make_case(CaseState.UNDER_REVIEW, entity=make_entity(center))
    Case.objects.filter(pk=case.pk).update(
        examiner=examiner, at_risk_since=timezone.now(), overdue_since=timezone.now()
    )
    response = dashboard_page(as_manager(client, center, language="en"), {})
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
    content = dashboard_page(as_manager(client, center, language="zh-hans"), {}).content.decode()
    assert "临近期限（含已超期）" in content
