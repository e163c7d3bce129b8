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
    body = client_of_a_manager.get(reverse("admin:index")).content.decode()

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
