"""Chinese unless English was chosen with the switch; the browser's language does not count."""

from __future__ import annotations

import pytest


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("cookie", "accept", "expected"),
    [
        (None, None, "zh-hans"),
        (None, "en-US,en;q=0.9", "zh-hans"),  # the browser's preference is not a choice
        ("en", "zh-CN", "en"),
        ("zh-hans", "en-US", "zh-hans"),
        ("fr", "en-US", "zh-hans"),  # an unsupported cookie falls back to the default
    ],
)
def test_language_follows_the_switch_only(client, cookie, accept, expected):
    if cookie:
        client.cookies["django_language"] = cookie
    headers = {"HTTP_ACCEPT_LANGUAGE": accept} if accept else {}
    response = client.get("/status/", **headers)
    assert f'lang="{expected}"' in response.content.decode()


@pytest.mark.django_db
def test_the_switch_sets_the_cookie_that_is_then_used(client):
    response = client.post(
        "/i18n/setlang/", {"language": "en", "next": "/status/"}, HTTP_ACCEPT_LANGUAGE="zh-CN"
    )
    assert response.cookies["django_language"].value == "en"
    assert 'lang="en"' in client.get("/status/").content.decode()
