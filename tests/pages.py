"""Reading staff pages in tests: logging in, the admin's messages and result list, the
manager dashboard."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from cases.models import Center, Role
from tests.factories import make_user

MARCH = {"start": "2025-03-01", "end": "2025-03-31"}


def login(
    client: Client, role: Role | None, center: Center | None, *, language: str | None = None
) -> User:
    """Log ``client`` in as a new user of ``role`` at ``center``; the page language is the
    default (Chinese) unless ``language`` sets the language cookie."""
    user = make_user(role, center)
    client.force_login(user)
    if language:
        client.cookies["django_language"] = language
    return user


def as_manager(client: Client, center: Center, *, language: str | None = None) -> Client:
    login(client, Role.MANAGER, center, language=language)
    return client


def message_texts(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def result_rows(body: str) -> str:
    """The rows of an admin change list's result table."""
    return body.split('id="result_list"')[1].split("</table>")[0]


def dashboard_page(client: Client, params: dict[str, Any] = MARCH) -> Any:
    response = client.get(reverse("cases:dashboard"), params)
    assert response.status_code == 200
    return response
