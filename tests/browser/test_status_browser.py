"""The status page in a real browser: look a case up, read it in Chinese, switch to English.

Headless Debian Chromium (``/usr/bin/chromium``) driven by Playwright's sync API; never
``playwright install``. Screenshots of the desktop and phone layouts are saved under
``artifacts/screenshots/`` for a person to look at.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.utils import timezone

from cases.models import Case, CaseEvent, CaseState
from cases.services import access
from tests import factories
from tests.browser.conftest import SCREENSHOTS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def case_and_code() -> tuple[Case, str]:
    """A case awaiting its CNIPA filing, with a public message, at a center with 20
    finished cases (so that expected dates show), and its access code.

    Made before the browser starts: ORM calls inside Playwright's event-loop context use
    a connection of their own that the test database teardown does not close.
    """
    cache.clear()
    center = factories.make_center(
        "SH",
        name="中国（上海）知识产权保护中心",
        address="上海市徐汇区漕溪北路 000 号",
        phone="021-0000 0000",
        email="yushen@example.cn",
        website="https://www.example.cn/",
    )
    entity = factories.make_entity(center, name="上海新材料科技有限公司")
    base = date(2026, 3, 2)
    for i in range(20):
        done = factories.make_case(CaseState.GRANT_NOTIFIED, entity=entity)
        Case.objects.filter(pk=done.pk).update(
            submitted_at=datetime(2026, 3, 2, 12, tzinfo=ZoneInfo("Asia/Shanghai")),
            cnipa_filing_date=base + timedelta(days=12),
            grant_notice_date=base + timedelta(days=30 + i),
        )
    case = factories.make_case(
        CaseState.QUALIFIED, entity=entity, start=timezone.now() - timedelta(days=6), step_days=2
    )
    CaseEvent.objects.create(
        case=case,
        transition="qualify",
        from_state=CaseState.QUALIFIED,
        to_state=CaseState.QUALIFIED,
        public_note="预审合格。请在期限内向国家知识产权局提交申请，并将申请号告知保护中心。",
        note="internal: fast reviewer",
    )
    return case, access.case_reset_access_code(case=case, actor=factories.staff_of(case))


@pytest.fixture
def more_links() -> dict[str, str]:
    """Status links of cases in other situations, for the screenshots."""
    start = timezone.now() - timedelta(days=30)
    return {
        name: access.case_status_link(factories.make_case(state, start=start, step_days=5))
        for name, state in [
            ("office-action", CaseState.OFFICE_ACTION),
            ("correction", CaseState.CORRECTION_REQUESTED),
            ("lapsed", CaseState.LAPSED),
        ]
    }


def test_look_up_a_case_read_it_in_chinese_then_in_english(
    live_server, case_and_code, more_links, browser
):
    case, code = case_and_code
    context = browser.new_context(locale="zh-CN", viewport=DESKTOP)
    page = context.new_page()

    page.goto(f"{live_server.url}/status/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    page.screenshot(path=SCREENSHOTS / "status-lookup-desktop-zh.png", full_page=True)
    page.get_by_label("案件编号").fill(case.reference.lower())
    page.get_by_label("查询码").fill(code.replace("-", " ").lower())
    page.get_by_role("button", name="查询", exact=True).click()
    page.wait_for_url("**/status/c/**")

    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.locator("h1").count() == 1
    assert case.reference in page.locator("h1").inner_text()
    assert "预审合格" in page.locator("h1").inner_text()
    assert page.get_by_role("heading", name="进度").is_visible()
    assert page.locator('[aria-current="step"]').inner_text().startswith("预审合格")
    assert "请在期限内向国家知识产权局提交申请" in page.content()
    assert "internal: fast reviewer" not in page.content()
    page.screenshot(path=SCREENSHOTS / "status-page-desktop-zh.png", full_page=True)
    link = page.url

    page.get_by_role("navigation", name="语言").get_by_role("link", name="English").click()
    page.wait_for_selector("html[lang=en]")
    assert page.url == link
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="Progress").is_visible()
    assert "You need to act:" in page.content()
    assert "进度" not in page.locator("main").inner_text()
    page.screenshot(path=SCREENSHOTS / "status-page-desktop-en.png", full_page=True)
    page.reload()
    assert page.locator("html").get_attribute("lang") == "en"  # the choice is remembered
    for name, path in more_links.items():
        page.goto(f"{live_server.url}{path}")
        assert page.locator("h1").count() == 1
        page.screenshot(path=SCREENSHOTS / f"status-{name}-desktop-en.png", full_page=True)
    context.close()

    phone = browser.new_context(
        locale="zh-CN", viewport=PHONE, device_scale_factor=2, is_mobile=True
    )
    page = phone.new_page()
    page.goto(link)
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways on a phone ({width}px)"
    page.screenshot(path=SCREENSHOTS / "status-page-phone-zh.png", full_page=True)
    page.goto(f"{live_server.url}/status/")
    page.screenshot(path=SCREENSHOTS / "status-lookup-phone-zh.png", full_page=True)
    phone.close()
