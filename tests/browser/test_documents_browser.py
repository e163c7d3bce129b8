"""The staff journey of a case's documents in a real browser: attach a new version,
request a correction naming it, receive the corrected version, qualify, and open the
qualification notice (the PDF turned into PNG with pdftoppm, to look at: Chinese text
must show, not boxes).

Headless Debian Chromium driven by Playwright's sync API; screenshots and the notice's
PNG go to ``artifacts/screenshots/``.
"""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from pypdf import PdfReader

from cases.demo.files import text_pdf
from cases.models import Case, CaseDocument, CaseState, Notice, Role
from cases.services import notices
from tests import factories
from tests.browser.conftest import SCREENSHOTS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "pw-for-tests-1"


@pytest.fixture
def journey(tmp_path):
    """An examiner of the Shanghai center and a case under review; files to upload."""
    center = factories.make_center(
        "SH",
        name="中国（上海）知识产权保护中心",
        address="上海市浦东新区",
        phone="021-12345678",
        email="ppac@example.cn",
    )
    entity = factories.make_entity(center, name="上海新材料科技有限公司")
    examiner = factories.make_user(Role.EXAMINER, center, username="sh_examiner1")
    case = factories.make_case(CaseState.UNDER_REVIEW, entity=entity)
    Case.objects.filter(pk=case.pk).update(title="一种石墨烯复合材料")
    files = {}
    for version in (2, 3):
        path = tmp_path / f"claims-v{version}.pdf"
        path.write_bytes(
            text_pdf([f"{case.reference} claims, revision {version}", "1. A composite."])
        )
        files[version] = path
    assert examiner.check_password(PASSWORD)
    return case, examiner.username, files


def open_transition(page, name: str):
    page.locator(f"details:has(form[action$='/transition/{name}/']) > summary").click()
    return page.locator(f"form[action$='/transition/{name}/']")


def test_attach_correct_qualify_and_read_the_notice(journey, live_server, browser, tmp_path):
    case, username, files = journey
    page = browser.new_page(
        viewport={"width": 1366, "height": 900}, locale="zh-CN", accept_downloads=True
    )
    page.goto(f"{live_server.url}/admin/cases/case/{case.pk}/change/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#case-documents")

    # Attach a new version of the claims.
    page.select_option("#id_document_kind", "claims")
    page.set_input_files("#id_document_file", str(files[2]))
    page.click("form.pc-attach button[type=submit]")
    page.wait_for_selector("#case-documents .pc-version:has-text('v2 · claims-v2.pdf')")

    # Ask for a correction naming the claims.
    form = open_transition(page, "request_correction")
    form.locator("textarea[name=public_note]").fill("请将权利要求连续编号。")
    form.locator("input[name=documents][value=claims]").check()
    form.locator("button[type=submit]").click()
    page.wait_for_selector("details:has(form[action$='/transition/receive_correction/'])")

    # Receive the corrected claims with the transition.
    form = open_transition(page, "receive_correction")
    form.locator("input[name=file_claims]").set_input_files(str(files[3]))
    form.locator("button[type=submit]").click()
    page.wait_for_selector("#case-documents .pc-version--latest:has-text('v3 · claims-v3.pdf')")
    latest = CaseDocument.objects.get(case=case, kind="claims", version=3)
    assert latest.answers is not None and latest.answers.kinds == ["claims"]
    versions = page.locator("#case-documents tr:has(th:has-text('权利要求书')) .pc-version")
    assert versions.count() == 3  # side by side, oldest first

    # Qualify; the qualification notice is listed.
    form = open_transition(page, "qualify")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("#case-notices td:has-text('预审合格通知书')")
    assert Case.objects.get(pk=case.pk).state == CaseState.QUALIFIED
    page.locator("#case-documents").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "case-documents-zh-hans.png"), full_page=True)

    notice = Notice.objects.get(case=case, kind="qualification")
    row = page.locator(f"#case-notices tr:has-text('{notice.number}')")
    with page.expect_download() as download:
        row.locator("a[download]").click()
    pdf_path = tmp_path / f"{notice.number}.pdf"
    download.value.save_as(pdf_path)
    assert download.value.suggested_filename == f"{notice.number}.pdf"
    content = pdf_path.read_bytes()
    with notices.notice_pdf(notice=notice).file.open("rb") as stored:
        assert content == stored.read()
    text = PdfReader(io.BytesIO(content)).pages[0].extract_text().replace(" ", "")
    for expected in (
        "预审合格通知书",
        "中国（上海）知识产权保护中心",
        "上海新材料科技有限公司",
        "一种石墨烯复合材料",
    ):
        assert expected in text, expected

    assert shutil.which("pdftoppm"), "pdftoppm is missing: bin/system-packages --test"
    out = SCREENSHOTS / "notice-qualification"
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", "-singlefile", str(pdf_path), str(out)], check=True
    )
    assert (SCREENSHOTS / "notice-qualification.png").stat().st_size > 10_000
