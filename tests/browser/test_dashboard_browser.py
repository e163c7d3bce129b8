"""The manager dashboard in a real browser: log in, read it in Chinese and in English;
reach it from the admin's header, and tell the benchmark chart's 0% from no grants.

Headless Debian Chromium (``/usr/bin/chromium``) driven by Playwright's sync API; never
``playwright install``. Full-page screenshots are saved under ``artifacts/screenshots/``
for a person to look at.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from cases import services
from cases.models import Case, CaseState, Role
from tests import factories
from tests.browser.conftest import SCREENSHOTS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "pw-for-tests-1"


def demo_center() -> str:
    """A center with a manager and cases in every stage over the last months."""
    center = factories.make_center("SH", name="中国（上海）知识产权保护中心")
    entity = factories.make_entity(center, name="上海新材料科技有限公司")
    manager = factories.make_user(Role.MANAGER, center, username="sh_manager")
    examiner = factories.make_user(Role.EXAMINER, center, username="sh_examiner1")
    examiner.first_name, examiner.last_name = "伟", "王"
    examiner.save()
    now = timezone.now()
    plan = [
        (CaseState.GRANTED, "invention", 90, 8),
        (CaseState.GRANTED, "utility_model", 80, 6),
        (CaseState.GRANT_NOTIFIED, "invention", 70, 7),
        (CaseState.FILED, "invention", 40, 5),
        (CaseState.FILED, "design", 30, 4),
        (CaseState.QUALIFIED, "utility_model", 20, 3),
        (CaseState.UNDER_REVIEW, "invention", 10, 2),
        (CaseState.UNDER_REVIEW, "invention", 6, 2),
        (CaseState.SUBMITTED, "design", 2, 1),
        (CaseState.NOT_ACCEPTED, "invention", 50, 2),
    ]
    for repeat in range(3):
        for state, patent_type, days_ago, step in plan:
            case = factories.make_case(
                state,
                entity=entity,
                patent_type=patent_type,
                start=now - timedelta(days=days_ago + 7 * repeat),
                step_days=step,
            )
            if state in (CaseState.UNDER_REVIEW, CaseState.FILED):
                services.case_assign(case=case, actor=factories.staff_of(case), examiner=examiner)
                Case.objects.filter(pk=case.pk).update(at_risk_since=now - timedelta(days=1))
            if state == CaseState.FILED and repeat == 0:
                Case.objects.filter(pk=case.pk).update(overdue_since=now)
    assert manager.check_password(PASSWORD)
    services.dashboard_summary_refresh()  # as the task does
    return manager.username


@pytest.fixture
def username() -> str:
    # Made before the browser starts, so no database work happens on Playwright's thread.
    return demo_center()


def test_dashboard_in_chinese_and_english(username, live_server, browser):
    page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    page.context.add_cookies(
        [{"name": "django_language", "value": "zh-hans", "url": live_server.url}]
    )
    page.goto(f"{live_server.url}/dashboard/")
    # Anonymous: the admin login, which comes back to the dashboard.
    assert "/admin/login/" in page.url
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/dashboard/")

    page.wait_for_selector("#chart-funnel")
    assert page.evaluate("typeof Chart") == "function"
    page.wait_for_function("Chart.getChart(document.getElementById('chart-weekly')) !== undefined")
    for canvas in ("chart-funnel", "chart-weekly", "chart-benchmark", "chart-workload"):
        assert page.evaluate(f"Chart.getChart(document.getElementById('{canvas}')) !== undefined")
        box = page.locator(f"#{canvas}").bounding_box()
        assert box and box["width"] > 200 and box["height"] > 100
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    page.screenshot(path=str(SCREENSHOTS / "dashboard-zh-hans.png"), full_page=True)

    # Switch with the page's own language link.
    page.click(".language-switch a[hreflang=en]")
    page.wait_for_selector("html[lang=en]")
    page.wait_for_function("Chart.getChart(document.getElementById('chart-weekly')) !== undefined")
    assert "Manager dashboard" in page.inner_text("h1")
    assert page.locator("#table-volume caption").inner_text().startswith("Volume")
    page.screenshot(path=str(SCREENSHOTS / "dashboard-en.png"), full_page=True)

    # A count opens the admin's case list, filtered the same way.
    received = page.locator("#table-volume tbody tr").last.locator("td a").first
    expected = received.inner_text()
    received.click()
    page.wait_for_url("**/admin/cases/case/**")
    assert expected in page.inner_text(".paginator")


@pytest.fixture
def manager_of_two_grants() -> str:
    """A manager whose center granted two inventions, months apart: the first over the
    29-day benchmark (0% that month), the second within it (100%)."""
    center = factories.make_center("SH", benchmark_days_invention=29)
    entity = factories.make_entity(center)
    manager = factories.make_user(Role.MANAGER, center, username="sh_manager")
    now = timezone.now()
    first = timezone.localdate(now - timedelta(days=150))
    factories.make_granted(entity, submitted=now - timedelta(days=200), notice=first, gross=40)
    factories.make_granted(
        entity, submitted=now - timedelta(days=190), notice=first + timedelta(days=70), gross=20
    )
    assert manager.check_password(PASSWORD)
    services.dashboard_summary_refresh()  # as the task does
    return manager.username


def test_manager_reaches_the_dashboard_from_the_admin_and_sees_zero_apart_from_no_grants(
    manager_of_two_grants, live_server, browser
):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/admin/")
    page.fill("#id_username", manager_of_two_grants)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    link = page.locator("#user-tools a[href='/dashboard/']")
    assert link.inner_text() == "管理看板"
    link.click()
    page.wait_for_url(f"{live_server.url}/dashboard/")

    today = timezone.localdate()
    assert page.input_value("#id_end") == today.isoformat()
    assert page.input_value("#id_start") != ""

    page.wait_for_function(
        "Chart.getChart(document.getElementById('chart-benchmark')) !== undefined"
    )
    bars = page.evaluate(
        """() => {
          const chart = Chart.getChart(document.getElementById('chart-benchmark'));
          return chart.getDatasetMeta(0).data.map((bar, i) => ({
            value: chart.data.datasets[0].data[i], height: Math.abs(bar.base - bar.y) }));
        }"""
    )
    # First month 0%, then at least one month without grants, then 100%.
    assert len(bars) >= 3
    assert bars[0]["value"] == 0
    assert bars[0]["height"] >= 2, "a 0% month draws a visible bar"
    assert all(b["value"] is None and b["height"] == 0 for b in bars[1:-1])
    assert bars[-1]["value"] == 100
