"""The error pages people meet: in their language, with a way on."""

from __future__ import annotations

import pytest

from cases.models import Role
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "heading"), [("zh-hans", "您无权打开此页面"), ("en", "You may not open this page")]
)
def test_staff_refused_the_dashboard_get_a_page_in_their_language(client, language, heading):
    client.force_login(factories.make_user(Role.INTAKE_CLERK, factories.make_center()))
    client.cookies["django_language"] = language

    response = client.get("/dashboard/")

    assert response.status_code == 403
    body = response.content.decode()
    assert heading in body and f'lang="{language}"' in body
    assert 'href="/admin/"' in body


def test_an_unknown_address_gets_a_page_with_ways_on(client, settings):
    settings.DEBUG = False
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "页面不存在" in body and 'href="/status/"' in body


def test_a_server_error_gets_a_page_in_the_users_language(settings):
    settings.DEBUG = False
    from django.test import RequestFactory
    from django.utils import translation
    from django.views.defaults import server_error

    with translation.override("zh-hans"):
        response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "服务暂时出错" in response.content.decode()
