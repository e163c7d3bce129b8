"""Portal accounts through django-allauth: the rules this project adds to it.

allauth gives sign-up by e-mail and password (Django's password validators), the signed
e-mail verification link, password reset, the failed-login limits per address and per
e-mail entered (``ACCOUNT_RATE_LIMITS["login_failed"]``: the same limit and the same
message whether or not the e-mail has an account, and its backend hashes a password for
an unknown e-mail too, so neither words nor timing tell), and log-out of every other
session after a password change. This adapter adds:

- staff never log in here (their password is refused like a wrong one, so the form does
  not tell a staff address from any other); they use the admin, which portal users
  cannot enter (they are never ``is_staff``);
- each new user gets a ``PortalAccount`` (an entity or agency is set when they register
  one, or when an administrator adds them);
- verifying an address to which a colleague's invitation is pending joins the entity or
  agency that invited it (``services.portal.invitations_accept``);
- a portal page's links and redirects stay under ``/portal/``.
"""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest

from cases.models import PortalAccount


class PortalAccountAdapter(DefaultAccountAdapter):
    def authenticate(self, request: HttpRequest, **credentials: Any) -> Any:
        user = super().authenticate(request, **credentials)
        if user is not None and (user.is_staff or user.is_superuser):
            # Counted as a failed attempt and answered as one.
            self.authentication_failed(request, **credentials)
            return None
        return user

    def save_user(self, request: HttpRequest, user: Any, form: Any, commit: bool = True) -> Any:
        user = super().save_user(request, user, form, commit=commit)
        user.is_staff = False
        user.is_superuser = False
        if commit:
            user.save(update_fields=["is_staff", "is_superuser"])
            PortalAccount.objects.get_or_create(user=user)
        return user

    def confirm_email(self, request: HttpRequest, email_address: Any) -> Any:
        confirmed = super().confirm_email(request, email_address)
        from cases.services.portal import invitations_accept

        invitations_accept(user=email_address.user, email=email_address.email)
        return confirmed

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        return "/portal/"
