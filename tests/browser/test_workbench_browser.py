"""The staff workbench in a real browser: an examiner's queue, and an intake clerk's bulk
acceptance of 20 cases of which 3 are refused (their documents incomplete).

Screenshots go to ``artifacts/screenshots/`` and, when ``PC_SHOTS_DIR`` is set, there too.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from cases import services
from cases.models import Case, CaseState, Role
from tests import factories
from tests.browser.conftest import SCREENSHOTS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "pw-for-tests-1"


def shot(page, name: str) -> None:
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    extra = os.environ.get("PC_SHOTS_DIR")
    if extra:
        Path(extra).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(extra) / path.name)


def log_in(page, url: str, username: str) -> None:
    page.goto(url)
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")


@pytest.fixture
def center():
    return factories.make_center("SH", name="中国（上海）知识产权保护中心")


def test_an_examiner_lands_on_their_queue(center, live_server, browser):
    examiner = factories.make_user(Role.EXAMINER, center, username="sh_examiner1")
    entity = factories.make_entity(center, name="上海新材料科技有限公司")
    mine = [factories.make_case(CaseState.UNDER_REVIEW, entity=entity) for _ in range(3)]
    for case in mine:
        services.case_assign(case=case, actor=factories.staff_of(case), examiner=examiner)
    unassigned = factories.make_case(CaseState.UNDER_REVIEW, entity=entity)
    factories.make_case(CaseState.SUBMITTED, entity=entity)  # intake's, not in the queue

    page = browser.new_page(locale="zh-CN")
    log_in(page, f"{live_server.url}/admin/", examiner.username)
    page.wait_for_url("**/admin/cases/case/?queue=mine")
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 4
    text = page.locator("#result_list").inner_text()
    assert all(case.reference in text for case in [*mine, unassigned])
    assert "个工作日" in text  # the unit of the days left
    header = page.locator("#user-tools").inner_text()
    assert "4" in header
    shot(page, "workbench-examiner-queue")


def test_bulk_accept_of_20_cases_with_3_refusals(center, live_server, browser):
    clerk = factories.make_user(Role.INTAKE_CLERK, center, username="sh_intake1")
    entity = factories.make_entity(center, name="上海新材料科技有限公司")
    ready = [factories.make_case(CaseState.SUBMITTED, entity=entity) for _ in range(17)]
    incomplete = [
        factories.make_case(CaseState.SUBMITTED, entity=entity, documents=False) for _ in range(3)
    ]

    page = browser.new_page(locale="zh-CN")
    log_in(page, f"{live_server.url}/admin/cases/case/?queue=mine", clerk.username)
    page.wait_for_selector("#result_list")
    page.check("#action-toggle")
    page.select_option("select[name=action]", "bulk_accept")
    page.click("button[name=index]")
    page.wait_for_selector(".pc-bulk-cases")
    assert page.locator(".pc-bulk-refused").count() == 3
    assert page.locator(".pc-bulk-ok").count() == 17
    shot(page, "workbench-bulk-confirm")
    form = page.locator("form:has(input[name=token])")
    fields = {
        name: form.locator(f"input[name={name}]").get_attribute("value")
        for name in ("csrfmiddlewaretoken", "ids", "token")
    }
    action = form.get_attribute("action")
    form.locator("input[type=submit]").click()
    page.wait_for_selector(".pc-bulk-summary")
    summary = page.locator(".pc-bulk-summary").inner_text()
    assert "17" in summary and "3" in summary
    refusals = page.locator(".pc-bulk-refusals").inner_text()
    assert all(case.reference in refusals for case in incomplete)
    shot(page, "workbench-bulk-result")

    # The same confirmation submitted a second time (a double click, a resent form).
    again = page.request.post(
        f"{live_server.url}{action}",
        form=fields,
        headers={"Referer": page.url},
        max_redirects=0,
    )
    assert again.status == 302
    assert again.headers["location"] in page.url
    assert {Case.objects.get(pk=c.pk).state for c in ready} == {CaseState.UNDER_REVIEW}
    assert {Case.objects.get(pk=c.pk).state for c in incomplete} == {CaseState.SUBMITTED}
    assert all(c.events.filter(transition="accept").count() == 1 for c in ready)
