"""An entity's (or agency's) portal administrator invites colleagues by e-mail: one who
has signed up joins now; anyone else is e-mailed the sign-up link and joins once they
verify that address."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from cases.models import Notification, PortalAccount, PortalInvitation
from cases.services import outbox
from tests.factories import make_agency, make_center, make_entity, make_portal_user, make_user

pytestmark = pytest.mark.django_db
MEMBERS = "/portal/members/"


def admin_client(**account):
    user = make_portal_user(**account)
    client = Client()
    client.cookies["django_language"] = "en"
    client.force_login(user)
    return user, client


def sign_up_and_verify(email: str, mailoutbox) -> User:
    Client().post(
        reverse("account_signup"),
        {"email": email, "password1": "Long-enough-pw-7", "password2": "Long-enough-pw-7"},
    )
    message = next(m for m in reversed(mailoutbox) if "confirm-email" in m.body)
    key = re.search(r"/portal/accounts/confirm-email/(\S+)/", message.body).group(1)
    Client().post(reverse("account_confirm_email", args=[key]))
    return User.objects.get(email=email)


def test_an_invited_colleague_joins_the_entity_once_they_verify_the_address(mailoutbox):
    entity = make_entity(make_center())
    _admin, client = admin_client(entity=entity)
    response = client.post(MEMBERS, {"email": "li@example.com"}, follow=True)
    assert "An invitation was sent to li@example.com" in response.content.decode()
    invitation = PortalInvitation.objects.get(email="li@example.com")
    assert invitation.entity == entity and invitation.accepted_at is None
    # The invitation e-mail, through the outbox, carries the sign-up link.
    row = Notification.objects.get(key=f"invitation:{invitation.pk}")
    subject, body = outbox.render(row)
    assert str(entity) in subject and "/portal/accounts/signup/" in body
    assert "li@example.com" in body and entity.center.name in body  # the center's footer
    row.language = "en"
    assert "invites you" in outbox.render(row)[0]
    user = sign_up_and_verify("li@example.com", mailoutbox)
    account = PortalAccount.objects.get(user=user)
    assert account.entity == entity and account.role == PortalAccount.Role.MEMBER
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None


def test_signing_up_without_verifying_joins_nothing(mailoutbox):
    entity = make_entity(make_center())
    _admin, client = admin_client(entity=entity)
    client.post(MEMBERS, {"email": "li@example.com"})
    Client().post(
        reverse("account_signup"),
        {
            "email": "li@example.com",
            "password1": "Long-enough-pw-7",
            "password2": "Long-enough-pw-7",
        },
    )
    assert PortalAccount.objects.get(user__email="li@example.com").entity_id is None


def test_a_colleague_who_has_signed_up_is_added_at_once():
    entity = make_entity(make_center())
    _admin, client = admin_client(entity=entity)
    colleague = make_portal_user(email="wang@example.com")
    response = client.post(MEMBERS, {"email": "wang@example.com"}, follow=True)
    assert "Your colleague was added." in response.content.decode()
    assert PortalAccount.objects.get(user=colleague).entity == entity
    assert not PortalInvitation.objects.exists()


def test_staff_addresses_and_repeated_invitations_are_refused():
    center = make_center()
    _admin, client = admin_client(entity=make_entity(center))
    staff = make_user("examiner", center)
    User.objects.filter(pk=staff.pk).update(email="staff@example.com")
    refused = client.post(MEMBERS, {"email": "staff@example.com"})
    assert refused.context["form"].errors["email"]
    client.post(MEMBERS, {"email": "li@example.com"})
    again = client.post(MEMBERS, {"email": "LI@example.com"})
    assert "already been invited" in again.context["form"].errors["email"][0]
    assert PortalInvitation.objects.count() == 1


def test_an_agency_invites_and_cancels_and_a_cancelled_invitation_joins_nothing(mailoutbox):
    agency = make_agency()
    _admin, client = admin_client(agency=agency)
    client.post(MEMBERS, {"email": "zhao@example.com"})
    invitation = PortalInvitation.objects.get()
    assert invitation.agency == agency
    assert "zhao@example.com" in client.get(MEMBERS).content.decode()
    client.post(MEMBERS, {"cancel": invitation.pk})
    invitation.refresh_from_db()
    assert invitation.cancelled_at is not None
    user = sign_up_and_verify("zhao@example.com", mailoutbox)
    assert PortalAccount.objects.get(user=user).agency_id is None


def test_members_and_other_entities_cannot_invite_or_cancel():
    center = make_center()
    entity, other = make_entity(center), make_entity(center)
    _admin, admin = admin_client(entity=entity)
    admin.post(MEMBERS, {"email": "li@example.com"})
    invitation = PortalInvitation.objects.get()
    member = make_portal_user(entity=entity)
    PortalAccount.objects.filter(user=member).update(role=PortalAccount.Role.MEMBER)
    member_client = Client()
    member_client.force_login(member)
    assert member_client.post(MEMBERS, {"email": "x@example.com"}).status_code == 404
    _stranger, stranger = admin_client(entity=other)
    assert stranger.post(MEMBERS, {"cancel": invitation.pk}).status_code == 404
    invitation.refresh_from_db()
    assert invitation.cancelled_at is None
