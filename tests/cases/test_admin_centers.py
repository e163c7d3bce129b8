"""The entity admin: registration actions that owe a reason, the list at 1366 px."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from cases.models import RegistrationState, Role
from cases.services.entities import NOTE_REQUIRED
from tests.factories import make_entity
from tests.pages import login, message_texts, result_rows

pytestmark = pytest.mark.django_db

R = RegistrationState


# Reasons owed for registration actions ------------------------------------------------


def test_returning_without_a_note_is_refused_on_the_entity_page(client, center):
    entity = make_entity(center, approved=False)
    login(client, Role.INTAKE_CLERK, center)
    url = reverse("admin:cases_entity_transition", args=[entity.pk, "return_for_material"])

    response = client.post(url, {"note": ""})
    page = client.get(reverse("admin:cases_entity_change", args=[entity.pk])).content.decode()

    assert response.status_code == 302
    assert message_texts(response) == ["请填写备注：说明缺少哪些材料。"]
    entity.refresh_from_db()
    assert entity.registration_state == R.SUBMITTED
    # The form is open again, the refusal at its note, which it describes.
    assert re.search(
        r'<details class="pc-transition" open>\s*<summary>退回补充材料</summary>', page
    )
    assert len(re.findall(r"<details[^>]* open>", page)) == 1
    after = page.split(f'action="{url}"')[1].split("</form>")[0]
    assert 'aria-invalid="true"' in after
    assert "请填写备注：说明缺少哪些材料。" in after
    assert 'aria-describedby="id_return_for_material_note_error' in after


def test_entity_page_says_which_notes_are_required(client, center):
    entity = make_entity(center, approved=False)
    login(client, Role.INTAKE_CLERK, center)

    page = client.get(reverse("admin:cases_entity_change", args=[entity.pk])).content.decode()

    assert '<label for="id_reject_note" class="required">' in page
    assert '<label for="id_approve_note">' in page
    assert "必填：缺少哪些材料。" in page
    assert '<div class="help" id="id_approve_note_helptext">' in page


def test_entity_list_offers_no_bulk_action_that_owes_a_reason(client, center):
    entity = make_entity(center, approved=False)
    login(client, Role.INTAKE_CLERK, center)

    body = client.get(reverse("admin:cases_entity_changelist")).content.decode()
    client.post(
        reverse("admin:cases_entity_changelist"),
        {"action": "registration_reject", "_selected_action": [entity.pk]},
    )

    assert 'value="registration_approve"' in body
    for name in NOTE_REQUIRED:
        assert f'value="registration_{name}"' not in body
    entity.refresh_from_db()
    assert entity.registration_state == R.SUBMITTED


# The entity list at 1366 px -----------------------------------------------------------


def test_entity_list_has_short_headers_and_cuts_long_names(client, center):
    entity = make_entity(center, name="上海某某新材料科技股份有限公司第一分公司")
    login(client, Role.MANAGER, center)

    response = client.get(reverse("admin:cases_entity_changelist"))

    headers = [str(header["text"]) for header in response.context["result_headers"]]
    assert headers[1:] == ["名称", "信用代码", "备案状态", "联系人", "电子邮箱", "登记日期"]
    rows = result_rows(response.content.decode())
    assert f'<span class="pc-truncate" title="{entity.name}">{entity.name}</span>' in rows
    assert reverse("admin:cases_entity_change", args=[entity.pk]) in rows
