"""The manager dashboard in a real browser, as a usability review walked it: from the
admin's header to the dashboard, and the benchmark chart telling 0% from no grants.

Headless Debian Chromium (``/usr/bin/chromium``) driven by Playwright's sync API; never
``playwright install``.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from cases.models import Case, CaseState, Role
from tests import factories

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "pw-for-tests-1"


def granted(entity, *, submitted, notice, gross: int) -> None:
    case = factories.make_case(CaseState.GRANTED, entity=entity)
    Case.objects.filter(pk=case.pk).update(
        updated_at=timezone.now(),
        submitted_at=submitted,
        accepted_at=submitted,
        qualified_at=submitted,
        cnipa_filing_date=timezone.localdate(submitted),
        grant_notice_date=notice,
        benchmark_gross_days=gross,
        benchmark_net_days=gross,
    )


@pytest.fixture
def username() -> str:
    """A manager whose center granted two inventions, months apart: the first over the
    29-day benchmark (0% that month), the second within it (100%)."""
    center = factories.make_center("SH", benchmark_days_invention=29)
    entity = factories.make_entity(center)
    manager = factories.make_user(Role.MANAGER, center, username="sh_manager")
    now = timezone.now()
    first = timezone.localdate(now - timedelta(days=150))
    granted(entity, submitted=now - timedelta(days=200), notice=first, gross=40)
    granted(
        entity, submitted=now - timedelta(days=190), notice=first + timedelta(days=70), gross=20
    )
    assert manager.check_password(PASSWORD)
    return manager.username


def test_manager_reaches_the_dashboard_from_the_admin_and_sees_zero_apart_from_no_grants(
    username, live_server, browser
):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/admin/")
    page.fill("#id_username", username)
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
