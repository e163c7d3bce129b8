"""The demo centers, their staff and their registered entities.

Entity registrations go through ``services.entity_transition``, as a clerk would do them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User

from cases import services
from cases.actors import Actor
from cases.demo import data
from cases.demo.data import CenterData
from cases.models import Center, Entity, Language, RegistrationState, Role, StaffProfile
from cases.validators import CREDIT_CODE_ALPHABET, make_credit_code

DIGITS = "0123456789"


@dataclass(frozen=True)
class Login:
    username: str
    role: str
    center: str
    password: str


def demo_exists() -> bool:
    return Center.objects.filter(code__in=[c.code for c in data.CENTERS]).exists()


def demo_centers() -> list[Center]:
    return list(Center.objects.filter(code__in=[c.code for c in data.CENTERS]).order_by("code"))


def create_centers() -> list[Center]:
    """The demo centers, with their time-limit rules written out so staff can edit them."""
    centers = []
    for center_data in data.CENTERS:
        center = Center.objects.create(code=center_data.code, **center_data.center_fields())
        services.rules_ensure_defaults(center_id=center.pk)
        services.required_documents_ensure_defaults(center_id=center.pk)
        centers.append(center)
    return centers


def username(center_code: str, suffix: str) -> str:
    return f"{center_code.lower()}_{suffix}"


def create_staff(centers: list[Center], *, password: str) -> list[Login]:
    """One user per role and center (two examiners), plus the superuser ``admin``.

    Existing users are kept as they are, password included.
    """
    password_hash = make_password(password)  # hashed once: the demo users share it
    groups = {group.name: group for group in Group.objects.filter(name__in=Role.values)}
    logins = []
    for center in centers:
        center_data = data.CENTERS_BY_CODE[center.code]
        for member in center_data.staff:
            name = username(center.code, member.suffix)
            user, created = User.objects.get_or_create(
                username=name,
                defaults={
                    "password": password_hash,
                    "is_staff": True,
                    "last_name": member.last_name,
                    "first_name": member.first_name,
                    "email": f"{name}@example.com",
                },
            )
            user.groups.add(groups[member.role])
            StaffProfile.objects.get_or_create(user=user, defaults={"center": center})
            shown = password if created else "(existing, unchanged)"
            logins.append(Login(name, str(member.role.label), center.code, shown))
    admin, created = User.objects.get_or_create(
        username=data.SUPERUSER,
        defaults={
            "password": password_hash,
            "is_staff": True,
            "is_superuser": True,
            "email": "admin@example.com",
        },
    )
    shown = password if created else "(existing, unchanged)"
    logins.append(Login(admin.username, "superuser", "all", shown))
    return logins


def staff_of(center: Center) -> dict[str, User]:
    """The demo users of a center by plan role key: clerk, examiner1, examiner2, manager."""
    center_data = data.CENTERS_BY_CODE[center.code]
    names = {username(center.code, m.suffix): m.suffix for m in center_data.staff}
    users = {names[u.username]: u for u in User.objects.filter(username__in=names)}
    missing = {"clerk", "examiner1", "examiner2", "manager"} - set(users)
    if missing:
        raise LookupError(
            f"Demo users missing for {center.code}: "
            + ", ".join(username(center.code, m) for m in sorted(missing))
        )
    return users


class CreditCodes:
    """New valid, unique unified social credit codes of Shanghai enterprises."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.taken = set(Entity.objects.values_list("credit_code", flat=True))

    def new(self, district: str) -> str:
        rng = self.rng
        while True:
            if rng.random() < 0.6:  # registered since 2015: organisation code "MA1…"
                org = "MA1" + "".join(rng.choices(CREDIT_CODE_ALPHABET, k=6))
            else:
                org = "".join(rng.choices(DIGITS, k=8)) + rng.choice(DIGITS + "X")
            code = make_credit_code("91" + district + org)
            if code not in self.taken:
                self.taken.add(code)
                return code


def entity_fields(
    rng: random.Random, center_data: CenterData, codes: CreditCodes
) -> dict[str, object]:
    trade, trade_pinyin = rng.choice(data.TRADE_NAMES)
    english = rng.random() < 0.15
    contact, contact_pinyin = rng.choice(data.CONTACTS_EN if english else data.CONTACTS_ZH)
    if rng.random() < 0.5:
        phone = "021-" + rng.choice("56") + "".join(rng.choices(DIGITS, k=7))
    else:
        phone = "1" + rng.choice("3589") + "".join(rng.choices(DIGITS, k=9))
    return {
        "name": f"上海{trade}{rng.choice(center_data.trades)}",
        "credit_code": codes.new(rng.choice(center_data.district_codes)),
        "contact_name": contact,
        "contact_email": f"{contact_pinyin}.{trade_pinyin}@example.com",
        "contact_phone": phone,
        "contact_language": Language.EN if english else Language.ZH_HANS,
    }


def create_entities(
    rng: random.Random,
    center: Center,
    clerk: User,
    *,
    approved: int = 15,
    submitted: int = 2,
    returned: int = 2,
) -> tuple[list[int], list[int]]:
    """Registered entities of a center; returns (approved ids, pending ids)."""
    center_data = data.CENTERS_BY_CODE[center.code]
    codes = CreditCodes(rng)
    approved_ids, pending_ids = [], []
    for n in range(approved + submitted + returned):
        fields = entity_fields(rng, center_data, codes)
        if n == 0:  # at least one applicant who reads English
            fields["contact_name"], pinyin = data.CONTACTS_EN[0]
            fields["contact_email"] = f"{pinyin}@example.com"
            fields["contact_language"] = Language.EN
        entity = Entity.objects.create(center=center, **fields)
        if n < approved:
            services.entity_transition(entity=entity, name="approve", actor=Actor.admin(clerk))
            approved_ids.append(entity.pk)
        elif n < approved + returned:
            services.entity_transition(
                entity=entity,
                name="return_for_material",
                actor=Actor.admin(clerk),
                note=rng.choice(data.RETURN_NOTES),
            )
            pending_ids.append(entity.pk)
        else:
            pending_ids.append(entity.pk)
    return approved_ids, pending_ids


def entity_ids(center: Center) -> tuple[list[int], list[int]]:
    """(approved ids, pending ids) of a center's registered entities."""
    rows = Entity.objects.filter(center=center).values_list("pk", "registration_state")
    approved = [pk for pk, state in rows if state == RegistrationState.APPROVED]
    pending = [
        pk
        for pk, state in rows
        if state in (RegistrationState.SUBMITTED, RegistrationState.RETURNED)
    ]
    return sorted(approved), sorted(pending)


def bulk_create_entities(
    rng: random.Random, center: Center, count: int, *, batch_size: int
) -> list[int]:
    """More approved entities for benchmark volumes (a center has thousands)."""
    center_data = data.CENTERS_BY_CODE[center.code]
    codes = CreditCodes(rng)
    entities = [
        Entity(
            center=center,
            registration_state=RegistrationState.APPROVED,
            **entity_fields(rng, center_data, codes),
        )
        for _ in range(count)
    ]
    Entity.objects.bulk_create(entities, batch_size=batch_size)
    if any(e.pk is None for e in entities):  # a backend that does not return ids
        by_code = dict(
            Entity.objects.filter(credit_code__in=[e.credit_code for e in entities]).values_list(
                "credit_code", "pk"
            )
        )
        return [by_code[e.credit_code] for e in entities]
    return [e.pk for e in entities]
