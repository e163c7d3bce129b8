"""The manager dashboard: every figure against a hand-computed fixture, access, exports.

The fixture's dates are set precisely with ``update()`` (date and summary columns only,
never the state). March 2025 has no holidays; Qingming (Fri 2025-04-04) is one, which the
design case's review crosses.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time, timedelta

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases import calendar, services
from cases.models import (
    CalendarDay,
    Case,
    CaseFigures,
    CaseState,
    DashboardSummaryState,
    Entity,
    Role,
    Step,
    Timer,
)
from cases.selectors.dashboard import (
    DashboardFilters,
    dashboard_figures,
)
from cases.services import dashboard_summary_refresh
from tests.factories import (
    at,
    make_case,
    make_center,
    make_entity,
    make_superuser,
    make_user,
    staff_of,
)
from tests.pages import MARCH, as_manager


def fresh_figures(filters, **kwargs):
    """The figures as the page reads them after the summary task has run."""
    dashboard_summary_refresh()
    return dashboard_figures(filters, **kwargs)


pytestmark = pytest.mark.django_db


def d(day: str) -> date:
    return date.fromisoformat(day)


def set_dates(case: Case, *, review_paused: int = 0, **fields: object) -> Case:
    """Set a case's dates (and its review clock's paused working days) precisely.

    ``updated_at`` moves as a service's save would move it: the summary refresh sees it.
    """
    Case.objects.filter(pk=case.pk).update(updated_at=timezone.now(), **fields)
    Timer.objects.filter(case=case, step=Step.REVIEW).update(paused_days=review_paused)
    return Case.objects.get(pk=case.pk)


@pytest.fixture
def examiner(center):
    return make_user(Role.EXAMINER, center, username="examiner-wang")


@pytest.fixture
def cases(center, examiner):
    """Eight cases submitted in March 2025 at one center, with their dates by hand.

    review (working days) = working days in (submitted, qualified] - paused
    filing (days) = CNIPA filing date - qualification date
    """
    entity = make_entity(center)
    c = {}
    # A, invention, granted: review Mon 03-03 -> Mon 03-10 = 5; filing 4; gross = net = 25.
    c["A"] = set_dates(
        make_case(CaseState.GRANTED, entity=entity),
        submitted_at=at("2025-03-03"),
        accepted_at=at("2025-03-04"),
        qualified_at=at("2025-03-10"),
        cnipa_filing_date=d("2025-03-14"),
        grant_notice_date=d("2025-04-08"),
        benchmark_gross_days=25,
        benchmark_net_days=25,
        closed_at=at("2025-04-20"),
    )
    # B, invention, granted: Tue 03-04 -> Fri 03-14 = 8, less 2 paused = 6; filing 6;
    # gross 40 (over 29), net 28 (within).
    c["B"] = set_dates(
        make_case(CaseState.GRANTED, entity=entity),
        review_paused=2,
        submitted_at=at("2025-03-04"),
        accepted_at=at("2025-03-05"),
        qualified_at=at("2025-03-14"),
        cnipa_filing_date=d("2025-03-20"),
        grant_notice_date=d("2025-04-29"),
        benchmark_gross_days=40,
        benchmark_net_days=28,
        closed_at=at("2025-05-10"),
    )
    # C, invention, filed: Wed 03-05 -> Mon 03-17 = 8; filing 10.
    c["C"] = set_dates(
        make_case(CaseState.FILED, entity=entity),
        submitted_at=at("2025-03-05"),
        accepted_at=at("2025-03-05", 15),
        qualified_at=at("2025-03-17"),
        cnipa_filing_date=d("2025-03-27"),
    )
    # D, invention, under review (accepted, not qualified).
    c["D"] = set_dates(
        make_case(CaseState.UNDER_REVIEW, entity=entity),
        submitted_at=at("2025-03-06"),
        accepted_at=at("2025-03-07"),
    )
    # E, invention, not accepted: closed during review on Fri 03-07.
    c["E"] = set_dates(
        make_case(CaseState.NOT_ACCEPTED, entity=entity),
        submitted_at=at("2025-03-07"),
        closed_at=at("2025-03-07", 16),
    )
    # F, utility model, granted: Mon 03-10 -> Wed 03-12 = 2; filing 1; gross = net = 15.
    c["F"] = set_dates(
        make_case(CaseState.GRANTED, entity=entity, patent_type="utility_model"),
        submitted_at=at("2025-03-10"),
        accepted_at=at("2025-03-10", 14),
        qualified_at=at("2025-03-12"),
        cnipa_filing_date=d("2025-03-13"),
        grant_notice_date=d("2025-03-28"),
        benchmark_gross_days=15,
        benchmark_net_days=15,
        closed_at=at("2025-04-02"),
    )
    # G, utility model, qualified: Tue 03-11 -> Tue 03-18 = 5; another field (H01M).
    c["G"] = set_dates(
        make_case(CaseState.QUALIFIED, entity=entity, patent_type="utility_model"),
        submitted_at=at("2025-03-11"),
        accepted_at=at("2025-03-11", 15),
        qualified_at=at("2025-03-18"),
        classification="H01M 10/05",
    )
    # H, design, qualified across Qingming: Thu 03-27 -> Tue 04-08 = 7 working days
    # (Fri 04-04 is a holiday; counting weekdays would give 8).
    c["H"] = set_dates(
        make_case(CaseState.QUALIFIED, entity=entity, patent_type="design"),
        submitted_at=at("2025-03-27"),
        accepted_at=at("2025-03-28"),
        qualified_at=at("2025-04-08"),
    )
    services.case_assign(case=c["C"], actor=staff_of(c["C"]), examiner=examiner)
    services.case_assign(case=c["D"], actor=staff_of(c["D"]), examiner=examiner)
    # Now: D's review clock is at risk; C's benchmark clock is at risk and overdue.
    Case.objects.filter(pk=c["D"].pk).update(at_risk_since=at("2025-03-10"))
    Case.objects.filter(pk=c["C"].pk).update(
        at_risk_since=at("2025-04-20"), overdue_since=at("2025-04-26")
    )
    return c


@pytest.fixture
def noise(center):
    """Cases that must not count: submitted before March, and at another center."""
    early = make_case(CaseState.GRANTED, entity=make_entity(center))
    set_dates(
        early,
        submitted_at=at("2025-02-20"),
        qualified_at=at("2025-02-25"),
        cnipa_filing_date=d("2025-02-26"),
        grant_notice_date=d("2025-03-20"),
        benchmark_gross_days=22,
        benchmark_net_days=22,
    )
    other = make_center("PD")
    elsewhere = make_case(CaseState.FILED, entity=make_entity(other))
    set_dates(
        elsewhere,
        submitted_at=at("2025-03-12"),
        qualified_at=at("2025-03-13"),
        cnipa_filing_date=d("2025-03-14"),
        at_risk_since=at("2025-03-20"),
    )
    return early, elsewhere


def march(center, **extra) -> DashboardFilters:
    return DashboardFilters(
        start=d("2025-03-01"), end=d("2025-03-31"), center_id=center.pk, **extra
    )


def by_type(figures):
    return {f.patent_type: f for f in figures.by_type}


# Figures


def test_volume_funnel_and_rates(center, cases, noise):
    figures = fresh_figures(march(center))
    invention = by_type(figures)["invention"]
    assert (
        invention.received,
        invention.accepted,
        invention.qualified,
        invention.filed,
        invention.granted,
    ) == (5, 4, 3, 3, 2)
    utility = by_type(figures)["utility_model"]
    assert (utility.received, utility.accepted, utility.qualified, utility.filed) == (2, 2, 2, 1)
    design = by_type(figures)["design"]
    assert (design.received, design.accepted, design.qualified, design.filed) == (1, 1, 1, 0)
    total = figures.total
    assert (total.received, total.accepted, total.qualified, total.filed, total.granted) == (
        8,
        7,
        6,
        4,
        3,
    )
    assert total.acceptance_rate == pytest.approx(7 / 8)
    assert total.qualified_rate == pytest.approx(6 / 7)
    assert total.filing_rate == pytest.approx(4 / 6)
    assert total.grant_rate == pytest.approx(3 / 4)
    assert design.grant_rate is None  # nothing filed: no rate, not zero


def test_center_review_in_working_days_net_of_corrections(center, cases, noise):
    figures = fresh_figures(march(center))
    # Invention: A 5, B 8 - 2 = 6, C 8 -> median 6; p90 at 0.9 * 2 = 1.8 -> 6 + 0.8 * 2.
    assert by_type(figures)["invention"].review.p50 == pytest.approx(6)
    assert by_type(figures)["invention"].review.p90 == pytest.approx(7.6)
    # Utility model: F 2, G 5 -> median 3.5; p90 = 2 + 0.9 * 3.
    assert by_type(figures)["utility_model"].review.p50 == pytest.approx(3.5)
    assert by_type(figures)["utility_model"].review.p90 == pytest.approx(4.7)
    # Design: H crosses Qingming: 7 working days, not 8 weekdays.
    assert by_type(figures)["design"].review.p50 == pytest.approx(7)
    # All: 2, 5, 5, 6, 7, 8 -> median 5.5; p90 at 4.5 -> 7 + 0.5 * 1.
    assert figures.total.review.p50 == pytest.approx(5.5)
    assert figures.total.review.p90 == pytest.approx(7.5)


def test_filing_and_cnipa_turnaround_gross_and_net(center, cases, noise):
    figures = fresh_figures(march(center))
    invention = by_type(figures)["invention"]
    # Filing days: A 4, B 6, C 10 -> median 6; p90 = 6 + 0.8 * 4.
    assert (invention.filing.p50, invention.filing.p90) == (
        pytest.approx(6),
        pytest.approx(9.2),
    )
    # Gross 25, 40 -> 32.5 and 25 + 0.9 * 15; net 25, 28 -> 26.5 and 25 + 0.9 * 3.
    assert (invention.gross.p50, invention.gross.p90) == (
        pytest.approx(32.5),
        pytest.approx(38.5),
    )
    assert (invention.net.p50, invention.net.p90) == (pytest.approx(26.5), pytest.approx(27.7))
    total = figures.total
    # All filing: 1, 4, 6, 10 -> 5; p90 at 2.7 -> 6 + 0.7 * 4.
    assert (total.filing.p50, total.filing.p90) == (pytest.approx(5), pytest.approx(8.8))
    # All gross: 15, 25, 40 -> 25; 25 + 0.8 * 15. Net: 15, 25, 28 -> 25; 25 + 0.8 * 3.
    assert (total.gross.p50, total.gross.p90) == (pytest.approx(25), pytest.approx(37))
    assert (total.net.p50, total.net.p90) == (pytest.approx(25), pytest.approx(27.4))


def test_benchmark_share_per_type_and_month(center, cases, noise):
    figures = fresh_figures(march(center))
    invention = by_type(figures)["invention"]
    # Benchmark 29 days: A (25) within gross and net; B (40 gross, 28 net) within net only.
    assert (invention.granted, invention.within_gross, invention.within_net) == (2, 1, 2)
    assert invention.within_gross_share == pytest.approx(0.5)
    assert invention.within_net_share == pytest.approx(1.0)
    utility = by_type(figures)["utility_model"]
    assert (utility.granted, utility.within_gross, utility.within_net) == (1, 1, 1)
    assert figures.total.within_gross_share == pytest.approx(2 / 3)
    months = [
        (m.month, m.patent_type, m.granted, m.within_gross, m.within_net)
        for m in figures.benchmark_months
    ]
    assert months == [
        (d("2025-03-01"), "utility_model", 1, 1, 1),
        (d("2025-04-01"), "invention", 2, 1, 2),
    ]
    assert figures.benchmark_days == {"invention": 29, "utility_model": 20, "design": 10}


def test_weekly_trend_and_throughput(center, cases, noise):
    figures = fresh_figures(march(center))
    weeks = {w.week: w for w in figures.weeks}
    assert figures.weeks[0].week == d("2025-02-24")  # the Monday of the week of March 1st
    assert [weeks[d(day)].received for day in ("2025-03-03", "2025-03-10", "2025-03-24")] == [
        5,
        2,
        1,
    ]
    # Left review in the week of 03-03: E closed; of 03-10: A, B, F qualified (5, 6, 2).
    assert (weeks[d("2025-03-03")].closed_in_review, weeks[d("2025-03-03")].left_review) == (1, 1)
    week = weeks[d("2025-03-10")]
    assert (week.qualified, week.left_review, week.review_median) == (3, 3, pytest.approx(5))
    # Week of 03-17: C (8) and G (5) -> median 6.5; week of 04-07: H (7).
    assert weeks[d("2025-03-17")].review_median == pytest.approx(6.5)
    assert weeks[d("2025-04-07")].qualified == 1
    # Grants by the week of the notice: F 03-28, A 04-08, B 04-29 (gross 40).
    assert weeks[d("2025-03-24")].granted == 1
    assert weeks[d("2025-04-07")].granted == 1
    assert (weeks[d("2025-04-28")].granted, weeks[d("2025-04-28")].gross_median) == (1, 40)
    assert sum(w.received for w in figures.weeks) == 8


def test_now_at_risk_overdue_workload_and_oldest(center, cases, noise, examiner):
    figures = fresh_figures(march(center))
    steps = {s.step: (s.at_risk, s.overdue) for s in figures.steps}
    assert steps == {Step.REVIEW: (1, 0), Step.BENCHMARK: (1, 1)}
    load = {e.name: (e.open, e.at_risk, e.overdue) for e in figures.examiners}
    assert load == {"examiner-wang": (2, 2, 1), "": (2, 0, 0)}  # G and H are not assigned
    assert [c.reference for c in figures.oldest_open] == [
        cases["C"].reference,
        cases["D"].reference,
        cases["G"].reference,
        cases["H"].reference,
    ]


def test_filters_narrow_every_figure(center, cases, noise, examiner):
    by_field = fresh_figures(march(center, field="H01M"))
    assert (by_field.total.received, by_field.total.review.p50) == (1, 5)
    by_examiner = fresh_figures(march(center, examiner_id=examiner.pk))
    assert by_examiner.total.received == 2  # C and D
    assert [e.open for e in by_examiner.examiners] == [2]
    invention = fresh_figures(march(center, patent_type="invention"))
    assert [f.patent_type for f in invention.by_type] == ["invention"]
    assert invention.total.received == 5


def test_summary_follows_the_services_without_a_manual_refresh(center, cases):
    before = fresh_figures(march(center)).total
    services.case_qualify(case=cases["D"], actor=staff_of(cases["D"]), at=at("2025-03-12"))
    after = fresh_figures(march(center)).total
    assert after.qualified == before.qualified + 1
    assert Case.objects.get(pk=cases["D"].pk).state == CaseState.QUALIFIED
    # D: Thu 03-06 -> Wed 03-12 = 4 working days joins the review figures.
    assert after.review.p50 == pytest.approx(5)  # 2, 4, 5, 5, 6, 7, 8


def test_summary_is_rebuilt_when_the_calendar_changes(center, cases):
    assert by_type(fresh_figures(march(center)))["invention"].review.p50 == 6
    # A holiday on Wed 03-05 shortens A (5 -> 4), B (6 -> 5) and C (8 -> 7).
    CalendarDay.objects.create(date=d("2025-03-05"), is_working=False, name="test holiday")
    calendar.calendar_changed()
    assert by_type(fresh_figures(march(center)))["invention"].review.p50 == 5


# The page


def test_page_shows_the_figures_with_drill_down_links(client, center, cases, noise):
    dashboard_summary_refresh()  # as the task does
    response = as_manager(client, center).get(reverse("cases:dashboard"), MARCH)
    assert response.status_code == 200
    tables = response.context["table_map"]
    total_row = tables["volume"].rows[-1]
    assert [cell.value for cell in total_row[1:6]] == [8, 7, 6, 4, 3]
    assert total_row[6].value == 87.5
    content = response.content.decode()
    assert 'id="chart-funnel"' in content and "chart.umd.min.js" in content
    assert '<th scope="col"' in content and "<caption>" in content
    # The received count opens the admin list of the same cases.
    url = total_row[1].url
    assert url.startswith(reverse("admin:cases_case_changelist"))
    listing = client.get(url)
    assert listing.status_code == 200
    assert listing.context["cl"].result_count == 8
    accepted = client.get(total_row[2].url)
    assert accepted.context["cl"].result_count == 7


@pytest.mark.parametrize(
    ("table", "row", "column", "expected"),
    [
        ("volume", 0, 4, 3),  # invention filed
        ("benchmark", 0, 3, 1),  # invention within the benchmark, gross
        ("benchmark", 0, 5, 2),  # invention within the benchmark, net
        ("now_steps", 0, 1, 1),  # review at risk
        ("workload", 0, 1, 2),  # open cases of the examiner
        ("workload", 0, 3, 1),  # overdue cases of the examiner
    ],
)
def test_drill_down_counts_match_the_case_list(
    client, center, cases, noise, table, row, column, expected
):
    dashboard_summary_refresh()  # as the task does
    response = as_manager(client, center).get(reverse("cases:dashboard"), MARCH)
    cell = response.context["table_map"][table].rows[row][column]
    assert cell.value == expected
    listing = client.get(cell.url)
    assert listing.status_code == 200, cell.url
    assert listing.context["cl"].result_count == expected, cell.url


def test_weekly_drill_down_matches_the_case_list(client, center, cases, noise):
    dashboard_summary_refresh()  # as the task does
    response = as_manager(client, center).get(reverse("cases:dashboard"), MARCH)
    rows = {row[0].text: row for row in response.context["table_map"]["weekly"].rows}
    for week, column, expected in [
        ("2025-03-03", 1, 5),
        ("2025-03-10", 3, 3),
        ("2025-03-03", 4, 1),
    ]:
        cell = rows[week][column]
        assert cell.value == expected
        assert client.get(cell.url).context["cl"].result_count == expected


def test_default_period_is_the_last_twelve_months(client, center):
    response = as_manager(client, center).get(reverse("cases:dashboard"))
    filters = response.context["figures"].filters
    today = timezone.localdate()
    assert filters.end == today
    assert filters.start == today.replace(year=today.year - 1) + timedelta(days=1)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"start": "2025-13-01"}, "Enter a valid date."),
        ({"start": "2025-03-10", "end": "2025-03-01"}, "must not be before its start"),
        ({"start": "2005-01-01", "end": "2025-03-01"}, "at most ten years"),
    ],
)
def test_bad_dates_give_a_form_error(client, center, params, message):
    as_manager(client, center).cookies["django_language"] = "en"
    response = client.get(reverse("cases:dashboard"), params)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert response.context["figures"] is None
    export = client.get(reverse("cases:dashboard_export_csv"), params)
    assert export.status_code == 400


# Where the figures come from: the summary as the task left it


def refreshed_at(moment: datetime) -> None:
    """The summary as a task that ran at ``moment`` left it."""
    dashboard_summary_refresh()
    DashboardSummaryState.objects.filter(pk=1).update(refreshed_at=moment)


def test_page_says_when_the_figures_were_refreshed_in_local_time(client, center, cases):
    today = timezone.localdate()
    refreshed_at(timezone.make_aware(datetime.combine(today, time(9, 5))))

    english = as_manager(client, center, language="en").get(reverse("cases:dashboard"), MARCH)
    client.cookies["django_language"] = "zh-hans"
    chinese = client.get(reverse("cases:dashboard"), MARCH)

    assert english.context["figures"].total.received == 8
    assert "Figures for the cases submitted in the period as of 09:05" in (english.content.decode())
    assert "本期提交案件的统计数据截至09:05（每五分钟更新）" in chinese.content.decode()


def test_figures_refreshed_on_another_day_give_the_date(client, center, cases):
    refreshed_at(at("2025-04-01", 23) + timedelta(minutes=59))

    response = as_manager(client, center, language="en").get(reverse("cases:dashboard"), MARCH)

    assert "as of 2025-04-01 23:59 (refreshed" in response.content.decode()


def test_page_says_plainly_when_the_summary_was_never_built(client, center, cases):
    DashboardSummaryState.objects.all().delete()
    CaseFigures.objects.all().delete()

    response = as_manager(client, center, language="en").get(reverse("cases:dashboard"), MARCH)

    assert response.status_code == 200
    content = response.content.decode()
    assert "have not been computed yet: a background task computes them" in content
    figures = response.context["figures"]
    assert figures.summary_as_of is None and figures.total.received == 0
    # The open cases are read live.
    assert {s.step: s.at_risk for s in figures.steps}[Step.REVIEW] == 1


def test_page_reads_the_summary_and_never_refreshes_it(client, center, cases):
    dashboard_summary_refresh()
    state = DashboardSummaryState.objects.get()
    as_manager(client, center)
    services.case_qualify(case=cases["D"], actor=staff_of(cases["D"]), at=at("2025-03-12"))

    before = client.get(reverse("cases:dashboard"), MARCH).context["figures"].total
    assert DashboardSummaryState.objects.get().refreshed_at == state.refreshed_at
    dashboard_summary_refresh()  # the task's next run
    after = client.get(reverse("cases:dashboard"), MARCH).context["figures"].total

    assert after.qualified == before.qualified + 1


# Access


@pytest.mark.parametrize("role", [Role.INTAKE_CLERK, Role.EXAMINER, None])
def test_other_staff_are_forbidden(client, center, role):
    client.force_login(make_user(role, center))
    for name in ("cases:dashboard", "cases:dashboard_export_csv", "cases:dashboard_export_xlsx"):
        assert client.get(reverse(name)).status_code == 403


def test_anonymous_users_go_to_the_login_page(client):
    response = client.get(reverse("cases:dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/?next=/dashboard/")


def test_center_administrator_may_view(client, center):
    client.force_login(make_user(Role.CENTER_ADMIN, center))
    assert client.get(reverse("cases:dashboard")).status_code == 200


@pytest.mark.parametrize("role", [Role.MANAGER, Role.CENTER_ADMIN, "superuser"])
def test_admin_header_links_to_the_dashboard_for_those_it_admits(client, center, role):
    user = make_superuser() if role == "superuser" else make_user(role, center)
    client.force_login(user)
    content = client.get(reverse("admin:index"), {"apps": "1"}).content.decode()
    assert f'href="{reverse("cases:dashboard")}"' in content


@pytest.mark.parametrize("role", [Role.INTAKE_CLERK, Role.EXAMINER])
def test_admin_header_has_no_dashboard_link_for_staff_it_refuses(client, center, role):
    client.force_login(make_user(role, center))
    content = client.get(reverse("admin:index"), {"apps": "1"}).content.decode()
    assert f'href="{reverse("cases:dashboard")}"' not in content
    assert client.get(reverse("cases:dashboard")).status_code == 403


def test_manager_without_a_center_gets_no_dashboard_link(client):
    client.force_login(make_user(Role.MANAGER, None))
    content = client.get(reverse("admin:index"), {"apps": "1"}).content.decode()
    assert f'href="{reverse("cases:dashboard")}"' not in content


def test_manager_sees_only_their_center(client, center, cases, noise):
    dashboard_summary_refresh()  # as the task does
    other = Case.objects.exclude(center=center).get()
    response = as_manager(client, center).get(
        reverse("cases:dashboard"), {**MARCH, "center": other.center_id}
    )
    figures = response.context["figures"]
    assert figures.filters.center_id == center.pk  # the center parameter is ignored
    assert figures.total.received == 8
    assert "center" not in response.context["form"].fields


def test_superuser_chooses_a_center_or_all(client, center, cases, noise):
    dashboard_summary_refresh()  # as the task does
    client.force_login(make_superuser())
    everything = client.get(reverse("cases:dashboard"), MARCH).context["figures"]
    assert everything.filters.center_id is None
    assert everything.total.received == 9  # the other center's case too
    assert everything.benchmark_days is None
    one = client.get(reverse("cases:dashboard"), {**MARCH, "center": center.pk})
    assert one.context["figures"].total.received == 8
    other = Case.objects.exclude(center=center).get()
    elsewhere = client.get(reverse("cases:dashboard"), {**MARCH, "center": other.center_id})
    assert elsewhere.context["figures"].total.received == 1
    # The drill-down keeps the chosen center.
    url = one.context["table_map"]["volume"].rows[-1][1].url
    assert f"center__id__exact={center.pk}" in url
    assert client.get(url).context["cl"].result_count == 8


# Bounded queries


def bulk_cases(center, entity, count: int, start: str = "2025-03-03") -> None:
    states = [CaseState.SUBMITTED, CaseState.UNDER_REVIEW, CaseState.FILED, CaseState.GRANTED]
    first = at(start)
    Case.objects.bulk_create(
        Case(
            center=center,
            entity=entity,
            reference=f"BULK-{i:05d}",
            patent_type=["invention", "utility_model", "design"][i % 3],
            title="Bulk case",
            classification="C08K 3/04",
            state=states[i % 4],
            submitted_at=first + timedelta(hours=i % 600),
            accepted_at=first + timedelta(days=1) if i % 4 else None,
            qualified_at=first + timedelta(days=8) if i % 4 >= 2 else None,
            cnipa_filing_date=d("2025-03-20") if i % 4 >= 2 else None,
            grant_notice_date=d("2025-04-15") if i % 4 == 3 else None,
            benchmark_gross_days=26 if i % 4 == 3 else None,
            benchmark_net_days=20 if i % 4 == 3 else None,
            at_risk_since=first if i % 7 == 0 and i % 4 < 3 else None,
        )
        for i in range(count)
    )


LAST: list[dict[str, str]] = []


def page_queries(client, center) -> int:
    calendar.get_work_calendar()  # the calendar is memoized per process: build it outside the count
    dashboard_summary_refresh()  # the first refresh creates its state row
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("cases:dashboard"), MARCH)
    assert response.status_code == 200
    LAST[:] = queries.captured_queries
    return len(queries)


def test_query_count_does_not_grow_with_the_cases(client, center):
    as_manager(client, center)
    entity = make_entity(center)
    other = make_center("XX")
    bulk_cases(other, make_entity(other), 10)
    small = page_queries(client, center)
    bulk_cases(center, entity, 10)
    ten = page_queries(client, center)
    Case.objects.filter(reference__startswith="BULK-", center=center).delete()
    bulk_cases(center, entity, 1000)
    thousand = page_queries(client, center)
    assert Entity.objects.filter(center=center).exists()
    assert ten == thousand
    assert small == ten
    # On PostgreSQL; elsewhere each percentile takes one more query (still a constant).
    # Two of them read the manager's permissions (their own, their roles'), two the
    # calendar's version (each use of the calendar checks it).
    if connection.vendor == "postgresql":
        assert thousand <= 29, "\n".join(q["sql"][:90] for q in LAST)


# Exports


def test_csv_export_holds_the_page_tables(client, center, cases, noise):
    dashboard_summary_refresh()  # as the task does
    as_manager(client, center)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("cases:dashboard"), MARCH).context["tables"]
    response = client.get(reverse("cases:dashboard_export_csv"), MARCH)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="dashboard-SH-' in response["Content-Disposition"]  # the center's code
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    # Every filter named first: the period, type, field, examiner and center.
    assert rows[0] == ["Filters"]
    assert rows[1:6] == [
        ["center", "SH"],
        ["period", "2025-03-01 – 2025-03-31"],
        ["patent type", "all"],
        ["technical field", "all"],
        ["examiner", "all"],
    ]
    rows = rows[rows.index([]) + 1 :]
    expected: list[list[str]] = []
    for index, table in enumerate(page):
        if index:
            expected.append([])
        expected.append([table.title])
        expected.append(table.columns)
        expected += [["" if c.value is None else str(c.value) for c in row] for row in table.rows]
    assert rows == expected
    assert ["8", "7", "6", "4", "3", "87.5"] == rows[5][
        1:7
    ]  # the volume table: title, header, 3 types, total


def test_csv_export_in_chinese_keeps_the_characters(client, center, cases):
    dashboard_summary_refresh()  # as the task does
    as_manager(client, center)
    client.cookies["django_language"] = "zh-hans"
    response = client.get(reverse("cases:dashboard_export_csv"), MARCH)
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0] == ["筛选"]
    rows = rows[rows.index([]) + 1 :]
    assert rows[2][0] and rows[2][1] == "5"  # invention row: its label, then 5 received


def test_xlsx_export_holds_the_page_tables(client, center, cases, noise):
    dashboard_summary_refresh()  # as the task does
    as_manager(client, center)
    page = client.get(reverse("cases:dashboard"), MARCH).context["tables"]
    response = client.get(reverse("cases:dashboard_export_xlsx"), MARCH)
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert len(workbook.worksheets) == len(page) + 1  # the filters first
    assert workbook.worksheets[0]["A1"].value == "筛选"
    assert workbook.worksheets[0]["A3"].value == "期间"
    for sheet, table in zip(workbook.worksheets[1:], page, strict=True):
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
        assert rows[0] == table.columns
        # Dates are spreadsheet dates (read back as datetimes at midnight).
        read = [[v.date() if isinstance(v, datetime) else v for v in row] for row in rows[1:]]
        assert read == [[c.value for c in row] for row in table.rows]
    volume = workbook.worksheets[1]
    assert [c.value for c in volume[5]][1:6] == [8, 7, 6, 4, 3]


def test_exports_do_not_hand_spreadsheets_a_formula(client, center, cases, examiner):
    examiner.first_name = "=HYPERLINK(1)"
    examiner.save()
    as_manager(client, center)
    text = client.get(reverse("cases:dashboard_export_csv"), MARCH).content.decode("utf-8")
    assert "'=HYPERLINK(1)" in text
    response = client.get(reverse("cases:dashboard_export_xlsx"), MARCH)
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    names = [row[0].value for row in workbook.worksheets[7].iter_rows(min_row=2)]
    assert "'=HYPERLINK(1)" in names
