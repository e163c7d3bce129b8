"""The portal's *Calendar and API* page in a real browser, at phone width in Chinese and
on a desktop in English: a calendar address and a token are made and shown once."""

from __future__ import annotations

import re

import pytest

from cases.models import ApiToken, CalendarFeed, CaseState
from tests import factories
from tests.browser.test_portal_browser import shot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def log_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/portal/accounts/login/")
    page.fill("#id_login", email)
    page.fill("#id_password", "pw-for-tests-1")
    page.locator("form[action$='/login/'] button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/portal/.*"))


def test_make_a_calendar_address_and_a_token_on_a_phone_and_a_desktop(live_server, browser):
    base = live_server.url
    center = factories.make_center("SH", name="中国（上海）知识产权保护中心", phone="021-12345678")
    entity = factories.make_entity(center, name="上海新材料科技有限公司")
    factories.make_case(CaseState.CORRECTION_REQUESTED, entity=entity)
    user = factories.make_portal_user(entity=entity, email="wang@example.com")

    phone = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")
    log_in(phone, base, "wang@example.com")
    phone.goto(f"{base}/portal/connect/")
    assert "日历与 API" in phone.inner_text("h1")
    phone.get_by_role("button", name="生成日历地址").click()
    feed_url = phone.locator("code.portal-secret").inner_text()
    assert re.fullmatch(rf"{re.escape(base)}/api/calendar/[\w-]+\.ics", feed_url)
    assert CalendarFeed.objects.filter(user=user, scope=CalendarFeed.Scope.ENTITY).exists()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone, "connect-zh-hans-390")

    desktop = browser.new_page(viewport={"width": 1366, "height": 900}, locale="en-US")
    desktop.context.add_cookies(phone.context.cookies())
    desktop.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    desktop.goto(f"{base}/portal/connect/")
    desktop.fill("#id_name", "docketing system")
    desktop.get_by_role("button", name="Make the token").click()
    token = desktop.locator("code.portal-secret").inner_text()
    assert token.startswith("pc_") and ApiToken.objects.get(user=user).name == "docketing system"
    assert "docketing system" in desktop.inner_text("table")
    shot(desktop, "connect-en")
    desktop.get_by_role("button", name="Revoke").click()
    assert "revoked" in desktop.inner_text("main")
    assert ApiToken.objects.get(user=user).revoked_at is not None
