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


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "heading"), [("en", "Site administration"), ("zh-hans", "站点管理")]
)
def test_staff_get_their_profile_language_when_they_log_in(client, language, heading):
    from cases.models import StaffProfile
    from tests.factories import make_center, make_user

    user = make_user("intake_clerk", make_center())
    StaffProfile.objects.filter(user=user).update(language=language)
    other = "zh-hans" if language == "en" else "en"
    client.cookies["django_language"] = other  # chosen on this browser before

    response = client.post(
        "/admin/login/?next=/admin/", {"username": user.username, "password": "pw-for-tests-1"}
    )

    assert response.status_code == 302
    assert response.cookies["django_language"].value == language
    page = client.get("/admin/", {"apps": "1"}).content.decode()
    assert f'lang="{language}"' in page and heading in page


@pytest.mark.django_db
def test_a_failed_login_leaves_the_language_alone(client):
    response = client.post("/admin/login/", {"username": "nobody", "password": "wrong"})
    assert response.status_code == 200
    assert "django_language" not in response.cookies


@pytest.mark.django_db
@pytest.mark.parametrize("switch", ["admin_form", "header_link"])
def test_a_staff_members_switch_is_kept_in_their_profile(client, switch):
    from cases.models import StaffProfile
    from tests.factories import make_center, make_user

    user = make_user("intake_clerk", make_center())
    client.force_login(user)
    if switch == "admin_form":
        response = client.post("/i18n/setlang/", {"language": "en", "next": "/admin/"})
    else:
        response = client.get("/language/en/?next=/dashboard/")
    assert response.cookies["django_language"].value == "en"
    assert StaffProfile.objects.get(user=user).language == "en"

    client.logout()
    client.cookies["django_language"] = "zh-hans"  # another browser, say
    response = client.post(
        "/admin/login/?next=/admin/", {"username": user.username, "password": "pw-for-tests-1"}
    )
    assert response.cookies["django_language"].value == "en"


@pytest.mark.django_db
def test_an_applicants_switch_touches_no_profile(client):
    from cases.models import StaffProfile
    from tests.factories import make_center, make_user

    user = make_user("intake_clerk", make_center())
    response = client.get("/language/en/?next=/status/")
    assert response.cookies["django_language"].value == "en"
    assert StaffProfile.objects.get(user=user).language == "zh-hans"
