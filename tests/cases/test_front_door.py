"""The front door: "/", the staff login page and the favicon."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_home_links_to_the_status_page_and_the_staff_login(client):
    body = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'href="{reverse("cases:status_lookup")}"' in body
    assert f'href="{reverse("admin:index")}"' in body
    assert f'href="{reverse("portal:home")}"' in body
    assert "favicon.svg" in body


def test_login_page_has_the_language_switch_and_the_status_link(client):
    body = client.get(reverse("admin:login")).content.decode()
    assert 'class="pc-language"' in body
    assert 'value="en"' in body and 'value="zh-hans"' in body
    assert f'href="{reverse("cases:status_lookup")}"' in body
    assert f'href="{reverse("portal:home")}"' in body


def test_favicon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("cases/favicon.svg")
