"""The admin's layout aids: the stylesheet on every page, the index's hidden headers.

What the stylesheet does to the pages at 1366 x 768 and 390 x 844 was checked in a
browser (screenshots); here only that its rules are there and the pages load it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from cases.models import Role
from tests.factories import make_center, make_user

pytestmark = pytest.mark.django_db

STYLESHEET = Path(settings.BASE_DIR) / "static" / "cases" / "admin.css"


@pytest.fixture
def client_of_a_manager(client: Client) -> Client:
    client.force_login(make_user(Role.MANAGER, make_center("SH")))
    return client


def css_blocks() -> str:
    """The stylesheet without comments, so that a rule named only in a comment fails."""
    return re.sub(r"/\*.*?\*/", "", STYLESHEET.read_text(), flags=re.S)


@pytest.mark.parametrize(
    "url",
    [
        "admin:cases_case_changelist",
        "admin:cases_notification_changelist",
        "admin:cases_timelimitrule_changelist",
        "admin:cases_calendarday_changelist",
    ],
)
def test_admin_lists_load_the_project_stylesheet(client_of_a_manager, url):
    body = client_of_a_manager.get(reverse(url)).content.decode()

    assert 'href="/static/cases/admin.css"' in body


def test_stylesheet_gives_case_titles_and_applicants_a_minimum_width():
    css = css_blocks()

    assert re.search(r"\.model-case #result_list td\.field-title \{ min-width: \d", css)
    assert re.search(r"\.model-case #result_list td\.field-entity \{ min-width: \d", css)


def test_stylesheet_puts_the_filters_first_on_phones_and_lets_case_tables_scroll():
    css = css_blocks()
    phone = css.split("@media (max-width: 767px)")[1]

    assert re.search(r"#changelist #changelist-filter \{\s*order: -1;", phone)
    assert ".pc-panel { overflow-x: auto; }" in css


def test_stylesheet_narrows_the_sidebars_at_1366_px():
    css = css_blocks()
    laptop = css.split("@media (min-width: 768px) and (max-width: 1440px)")[1]

    assert "#changelist #changelist-filter" in laptop
    assert re.search(r"#nav-sidebar \{\s*flex-basis: 230px;", laptop)
    assert "calc(100% - 254px)" in laptop  # 230 px + its border + the 23 px toggle


def test_index_table_headers_for_screen_readers_are_in_chinese(client_of_a_manager):
    body = client_of_a_manager.get(reverse("admin:index"), {"apps": "1"}).content.decode()

    headers = re.findall(r'<th scope="col">([^<]*)</th>', body)
    assert {"模型名称", "增加链接", "修改或查看列表链接"} <= set(headers)
    assert "Model name" not in body


def test_entity_list_shows_short_dates_and_cuts_long_addresses(client):
    from django.utils import timezone

    from tests.factories import make_entity

    center = make_center("SH")
    entity = make_entity(center)
    client.force_login(make_user(Role.MANAGER, center))

    body = client.get(reverse("admin:cases_entity_changelist")).content.decode()

    day = timezone.localdate(entity.created_at).isoformat()
    assert re.search(rf'<td class="field-registered_on_column">{day}</td>', body)
    assert f'<span class="pc-truncate" title="{entity.contact_email}">' in body


# The header: the greeting and the way out of the admin ---------------------------------


def test_greeting_is_one_chinese_sentence(client, center):
    user = make_user(Role.MANAGER, center)
    user.first_name, user.last_name = "志强", "郑"
    user.save()
    client.force_login(user)

    body = client.get(reverse("admin:index"), {"apps": "1"}).content.decode()

    assert "欢迎，<strong>郑志强</strong>" in body
    assert "<strong>郑志强</strong>." not in body
    assert "欢迎， " not in body


def test_greeting_in_english_ends_with_a_full_stop(client, center):
    user = make_user(Role.MANAGER, center)
    user.first_name, user.last_name = "Zhiqiang", "Zheng"
    user.save()
    client.force_login(user)
    client.cookies["django_language"] = "en"

    body = client.get(reverse("admin:index"), {"apps": "1"}).content.decode()

    assert re.search(r"Welcome, <strong>[^<]*Zhiqiang[^<]*</strong>\.", body)


def test_greeting_escapes_the_name(client, center):
    user = make_user(Role.MANAGER, center)
    user.first_name = "<i>x</i>"
    user.save()
    client.force_login(user)

    body = client.get(reverse("admin:index"), {"apps": "1"}).content.decode()

    assert "<i>x</i>" not in body
    assert "&lt;i&gt;x&lt;/i&gt;" in body


@pytest.mark.parametrize("role", [Role.INTAKE_CLERK, Role.MANAGER])
def test_admin_header_links_to_the_status_page_not_back_to_the_admin(client, center, role):
    client.force_login(make_user(role, center))
    client.cookies["django_language"] = "en"
    content = client.get(reverse("admin:index"), {"apps": "1"}).content.decode()
    assert "View site" not in content
    assert 'href="/"' not in content
    assert f'href="{reverse("cases:status_lookup")}">Applicant status page</a>' in content


def test_admin_header_dashboard_link_is_in_chinese_by_default(client, center):
    client.force_login(make_user(Role.MANAGER, center))
    content = client.get(reverse("admin:index"), {"apps": "1"}).content.decode()
    assert "管理看板" in content and "申请人进度查询页" in content


# The entity list at 1366 px ------------------------------------------------------------


def test_stylesheet_lets_the_entity_lists_headers_and_states_wrap():
    css = re.sub(
        r"/\*.*?\*/",
        "",
        (Path(settings.BASE_DIR) / "static/cases/admin.css").read_text(),
        flags=re.S,
    )

    assert ".model-entity #changelist table thead th { white-space: normal;" in css
    assert ".model-entity #result_list .pc-badge { white-space: normal; }" in css
    assert ".model-entity #result_list .pc-truncate { max-width: 11em; }" in css
