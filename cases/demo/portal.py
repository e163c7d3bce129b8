"""Demo portal accounts: an entity's user and an agency's user, on cases in several
states (one waiting for a correction)."""

from __future__ import annotations

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.db.models import Count, Q

from cases.models import (
    Agency,
    AgencyAuthorisation,
    CaseState,
    Center,
    Entity,
    PortalAccount,
)

ENTITY_EMAIL = "applicant@example.com"
AGENCY_EMAIL = "agent@example.com"
AGENCY_CODE = "31200"


@dataclass(frozen=True)
class PortalLogin:
    email: str
    acts_for: str
    password: str


def _user(email: str, password: str) -> User:
    user = User.objects.filter(username=email).first()
    if user is None:
        user = User.objects.create(
            username=email, email=email, password=make_password(password), is_staff=False
        )
    EmailAddress.objects.get_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


def _entities_with_cases(center: Center) -> list[Entity]:
    """The center's approved entities, those with a case waiting for correction first,
    then by how many states their cases are in."""
    return list(
        Entity.objects.approved()
        .filter(center=center)
        .annotate(
            waiting=Count("cases", filter=Q(cases__state=CaseState.CORRECTION_REQUESTED)),
            states=Count("cases__state", distinct=True),
        )
        .filter(states__gt=0)
        .order_by("-waiting", "-states", "pk")[:2]
    )


def create_portal_logins(centers: list[Center], *, password: str) -> list[PortalLogin]:
    """The two demo portal users (kept as they are when they exist)."""
    if not centers:
        return []
    entities = _entities_with_cases(centers[0])
    if not entities:
        return []
    own, principal = entities[0], entities[-1]
    entity_user = _user(ENTITY_EMAIL, password)
    PortalAccount.objects.get_or_create(
        user=entity_user, defaults={"entity": own, "role": PortalAccount.Role.ADMINISTRATOR}
    )
    agency, _created = Agency.objects.get_or_create(
        code=AGENCY_CODE, defaults={"name": "上海浦东专利代理事务所"}
    )
    agency_user = _user(AGENCY_EMAIL, password)
    PortalAccount.objects.get_or_create(
        user=agency_user, defaults={"agency": agency, "role": PortalAccount.Role.ADMINISTRATOR}
    )
    if not AgencyAuthorisation.objects.active().filter(entity=principal, agency=agency).exists():
        AgencyAuthorisation.objects.create(entity=principal, agency=agency)
    entity_account = PortalAccount.objects.select_related("entity").get(user=entity_user)
    agency_account = PortalAccount.objects.select_related("agency").get(user=agency_user)
    names = ", ".join(
        a.entity.name
        for a in AgencyAuthorisation.objects.active()
        .filter(agency=agency_account.agency)
        .select_related("entity")
    )
    return [
        PortalLogin(ENTITY_EMAIL, str(entity_account.entity), password),
        PortalLogin(AGENCY_EMAIL, f"{agency_account.agency} → {names}", password),
    ]
