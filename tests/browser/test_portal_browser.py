"""The applicant's whole journey in the portal, in a real browser: sign up, verify the
e-mail from the link sent, register the company (approved by staff), submit a case with
its documents, answer the correction staff ask for, and download the qualification
notice. Screenshots in Chinese and English, at desktop and phone (390 px) widths, go to
``PORTAL_SCREENSHOTS`` (default ``artifacts/screenshots/portal/``)."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pytest
from django.core import mail
from pypdf import PdfReader

from cases import services
from cases.demo.files import sample_pdf, text_pdf
from cases.models import Case, CaseEvent, CaseState, Entity, Notice, RegistrationState
from cases.validators import make_credit_code
from tests import factories
from tests.browser.conftest import SCREENSHOTS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SHOTS = Path(os.environ.get("PORTAL_SCREENSHOTS") or SCREENSHOTS / "portal")
PASSWORD = "Zhong-guo-2026-pw"


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_sign_up_register_submit_correct_and_download_the_notice(
    live_server, browser, tmp_path, settings
):
    settings.SITE_URL = live_server.url
    center = factories.make_center(
        "SH",
        name="中国（上海）知识产权保护中心",
        address="上海市浦东新区",
        phone="021-12345678",
        email="ppac@example.cn",
    )
    files = {}
    for kind in ("request", "description", "claims", "abstract", "licence", "claims-v2"):
        path = tmp_path / f"{kind}.pdf"
        path.write_bytes(
            text_pdf([f"{kind} revision 2", "1. A composite."])
            if kind == "claims-v2"
            else sample_pdf("claims" if kind == "licence" else kind, "portal")
        )
        files[kind] = str(path)

    page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    base = live_server.url

    # Sign up; the verification link comes by e-mail.
    page.goto(f"{base}/portal/accounts/signup/")
    shot(page, "signup-zh-hans")
    page.fill("#id_email", "wang@example.com")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.locator("form[action$='/signup/'] button[type=submit]").click()
    page.wait_for_load_state()
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/portal/accounts/confirm-email/\S+/", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    page.goto(link.group(0))
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()

    # Log in.
    page.goto(f"{base}/portal/accounts/login/")
    page.fill("#id_login", "wang@example.com")
    page.fill("#id_password", PASSWORD)
    page.locator("form[action$='/login/'] button[type=submit]").click()
    page.wait_for_url(f"{base}/portal/registration/")

    # Register the company online.
    page.fill("#id_name", "上海新材料科技有限公司")
    page.fill("#id_credit_code", make_credit_code("91310000MA1K00001"))
    page.fill("#id_address", "上海市浦东新区世纪大道1号")
    page.fill("#id_contact_name", "王芳")
    page.fill("#id_contact_email", "wang@example.com")
    page.set_input_files("#id_licence", files["licence"])
    page.locator("form.portal-form button[type=submit]").click()
    page.wait_for_selector("text=保护中心正在审核您的备案")
    entity = Entity.objects.get(name="上海新材料科技有限公司")
    assert entity.registration_state == RegistrationState.SUBMITTED
    services.entity_transition(entity=entity, name="approve", actor=factories.staff_of(center))

    # Submit a case with its documents.
    page.goto(f"{base}/portal/submit/")
    page.select_option("#id_patent_type", "invention")
    page.fill("#id_title", "一种石墨烯复合材料")
    page.fill("#id_classification", "C08K 3/04")
    page.check("#id_not_pct_national_phase")
    page.check("#id_not_divisional")
    for kind in ("request", "description", "claims", "abstract"):
        page.set_input_files(f"#id_file_{kind}", files[kind])
    shot(page, "submit-zh-hans")
    page.locator("button[name=submit]").click()
    page.wait_for_selector(".status-head__ref")
    case = Case.objects.get(entity=entity)
    assert case.state == CaseState.SUBMITTED
    assert case.reference in page.locator(".portal-messages").inner_text()

    # Staff accept it and ask for corrected claims.
    staff = factories.staff_of(case)
    services.case_accept(case=case, actor=staff)
    services.case_request_correction(
        case=case, actor=staff, public_note="请将权利要求连续编号。", documents=["claims"]
    )

    # The case page says what is asked, and by when; the applicant answers online.
    page.goto(f"{base}/portal/cases/{case.reference}/")
    assert "请将权利要求连续编号。" in page.inner_text("main")
    shot(page, "case-correction-zh-hans")
    page.click("text=提交补正")
    page.set_input_files("#id_file_claims", files["claims-v2"])
    page.fill("#id_note", "已重新编号。")
    page.locator("form.portal-form button[type=submit]").click()
    page.wait_for_selector(".portal-messages")
    case.refresh_from_db()
    assert case.state == CaseState.UNDER_REVIEW
    event = CaseEvent.objects.get(case=case, transition="receive_correction")
    assert event.channel == "portal"

    # Qualified by staff; the notice waits unread in the inbox and downloads.
    services.case_qualify(case=case, actor=staff)
    page.goto(f"{base}/portal/notices/")
    notice = Notice.objects.get(case=case, kind="qualification")
    row = page.locator(f"tr:has-text('{notice.number}')")
    assert "未读" in row.inner_text()
    shot(page, "notices-zh-hans")
    with page.expect_download() as download:
        row.locator("a[href*='/portal/notices/']").click()
    pdf_path = tmp_path / "notice.pdf"
    download.value.save_as(pdf_path)
    text = PdfReader(io.BytesIO(pdf_path.read_bytes())).pages[0].extract_text().replace(" ", "")
    assert "预审合格通知书" in text and "一种石墨烯复合材料" in text
    page.reload()
    assert "未读" not in page.locator(f"tr:has-text('{notice.number}')").inner_text()

    # The same pages in English on a phone (390 px): nothing wider than the screen.
    phone = browser.new_page(viewport={"width": 390, "height": 844}, locale="en-US")
    phone.context.add_cookies(page.context.cookies())
    phone.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    for name, url in (
        ("cases-en-390", "/portal/cases/"),
        ("case-en-390", f"/portal/cases/{case.reference}/"),
        ("notices-en-390", "/portal/notices/"),
        ("submit-en-390", "/portal/submit/"),
    ):
        phone.goto(base + url)
        assert "中国（上海）知识产权保护中心" in phone.inner_text("footer")
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, (url, width)
        shot(phone, name)
    phone.goto(base + "/portal/cases/")
    assert "My cases" in phone.inner_text("main")
    phone.context.add_cookies([{"name": "django_language", "value": "zh-hans", "url": base}])
    phone.goto(f"{base}/portal/cases/{case.reference}/")
    shot(phone, "case-zh-hans-390")
