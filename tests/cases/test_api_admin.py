"""Personal API tokens in the admin: made and shown once, own tokens only, revoked."""

from __future__ import annotations

import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from rest_framework.test import APIClient

from cases.models import ApiToken, Role
from tests import factories

pytestmark = pytest.mark.django_db


def api_get(token: str) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client.get(reverse("api:case-list")).status_code


def test_staff_make_a_token_in_the_admin_and_revoke_it(client, center):
    user = factories.center_staff(center, Role.EXAMINER)
    client.force_login(user)
    response = client.post(
        reverse("admin:cases_apitoken_add"), {"name": "docketing", "expires_at": ""}, follow=True
    )
    assert response.status_code == 200
    shown = " ".join(str(m) for m in get_messages(response.wsgi_request))
    token = re.search(r"pc_\w+_[\w-]+", shown).group(0)
    row = ApiToken.objects.get(user=user)
    assert token not in row.secret_hash
    assert api_get(token) == 200
    # Shown once: the token's own page does not carry it.
    page = client.get(reverse("admin:cases_apitoken_change", args=[row.pk])).content.decode()
    assert token not in page

    client.post(
        reverse("admin:cases_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [row.pk]},
    )
    assert api_get(token) == 401


def test_staff_see_only_their_own_tokens(client, center):
    mine = factories.center_staff(center, Role.EXAMINER)
    other = factories.center_staff(center, Role.MANAGER)
    ApiToken.objects.create(user=other, name="theirs", prefix="abcd1234", secret_hash="x" * 64)
    client.force_login(mine)
    listing = client.get(reverse("admin:cases_apitoken_changelist")).content.decode()
    assert "theirs" not in listing
    theirs = ApiToken.objects.get(user=other)
    assert client.get(reverse("admin:cases_apitoken_change", args=[theirs.pk])).status_code in {
        302,
        403,
        404,
    }
