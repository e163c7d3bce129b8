"""Access codes: format, entropy, normalization, storage, reset, and the signed links."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from django.test import override_settings
from django.utils import translation

from cases.actors import SYSTEM, Actor
from cases.errors import PermissionDenied
from cases.models import Case, CaseEvent, CaseState, Role
from cases.services import access
from tests import factories

CODE_SHAPE = re.compile(r"^[23456789A-HJ-NP-Z]{4}-[23456789A-HJ-NP-Z]{4}-[23456789A-HJ-NP-Z]{2}$")


def test_code_is_grouped_from_the_unambiguous_alphabet():
    codes = [access.generate_access_code() for _ in range(2000)]
    assert all(CODE_SHAPE.match(code) for code in codes), codes[:5]
    assert not set("01IO").intersection("".join(codes))
    assert len(set(codes)) == len(codes)


def test_code_has_at_least_50_bits_and_uses_every_symbol():
    assert access.ENTROPY_BITS >= 50
    symbols = Counter(
        "".join(access.normalize_access_code(access.generate_access_code()) for _ in range(2000))
    )
    assert set(symbols) == set(access.ALPHABET)
    # 20,000 draws over 32 symbols: about 625 each; a skewed generator would show.
    assert min(symbols.values()) > 450 and max(symbols.values()) < 800


@pytest.mark.parametrize(
    "typed",
    [
        "7KQ4-MX2P-9C",
        "7kq4-mx2p-9c",
        "7KQ4MX2P9C",
        " 7KQ4 MX2P 9C ",
        "7kq4 - mx2p - 9c",
        "７ＫＱ４－ＭＸ２Ｐ－９Ｃ",  # full-width, as a Chinese input method types it
        "7KQ4–MX2P—9C",  # dashes a word processor turns hyphens into
    ],
)
def test_typed_variants_of_a_code_match(typed):
    stored = access.hash_access_code("7KQ4-MX2P-9C")
    assert access.normalize_access_code(typed) == "7KQ4MX2P9C"
    assert access.access_code_matches(stored, typed)


def test_another_code_does_not_match():
    stored = access.hash_access_code("7KQ4-MX2P-9C")
    assert not access.access_code_matches(stored, "7KQ4-MX2P-9D")
    assert not access.access_code_matches(stored, "")


def test_a_case_without_a_code_never_matches():
    assert not access.access_code_matches("", "")
    assert not access.access_code_matches("", "7KQ4-MX2P-9C")


def test_hash_is_an_hmac_keyed_from_the_secret_not_the_plaintext():
    code = "7KQ4-MX2P-9C"
    stored = access.hash_access_code(code)
    assert stored.startswith("h1$") and len(stored) == 3 + 64
    assert "7KQ4" not in stored.upper() and "MX2P" not in stored.upper()
    with override_settings(SECRET_KEY="another-secret-key-for-this-test-only-0123456789"):
        assert access.hash_access_code(code) != stored
        assert not access.access_code_matches(stored, code)


def test_codes_survive_a_secret_key_rotation_through_the_fallbacks(settings):
    old = settings.SECRET_KEY
    stored = access.hash_access_code("7KQ4-MX2P-9C")
    settings.SECRET_KEY = "the-new-secret-key-0123456789-0123456789-0123456789"
    settings.SECRET_KEY_FALLBACKS = [old]
    assert access.access_code_matches(stored, "7kq4mx2p9c")


@pytest.mark.django_db
def test_submit_issues_a_code_shown_once_and_stores_only_its_hash():
    case = factories.make_case(CaseState.SUBMITTED)
    code = case.issued_access_code
    assert CODE_SHAPE.match(code)
    stored = Case.objects.get(pk=case.pk).access_code_hash
    assert stored and code not in stored and access.normalize_access_code(code) not in stored
    assert access.access_code_matches(stored, code)
    assert not hasattr(Case.objects.get(pk=case.pk), "issued_access_code")


@pytest.mark.django_db
def test_lookup_normalizes_the_reference_and_the_code():
    case = factories.make_case(CaseState.SUBMITTED)
    code = case.issued_access_code
    found = access.case_find_by_access_code(
        reference=f"  {case.reference.lower()} ", code=code.lower().replace("-", " ")
    )
    assert found is not None and found.pk == case.pk
    assert access.case_find_by_access_code(reference=case.reference, code="2222-2222-22") is None
    assert access.case_find_by_access_code(reference="XX-2026-999999", code=code) is None


@pytest.mark.django_db
def test_reset_invalidates_the_old_code_and_old_links():
    case = factories.make_case(CaseState.SUBMITTED)
    old_code = case.issued_access_code
    old_link = access.read_status_token(access.case_status_link(case).split("/")[-2])
    assert old_link is not None and old_link.matches(case.access_code_hash)

    new_code = access.case_reset_access_code(case=case, actor=factories.staff_of(case))

    case.refresh_from_db()
    assert new_code != old_code
    assert access.case_find_by_access_code(reference=case.reference, code=old_code) is None
    assert access.case_find_by_access_code(reference=case.reference, code=new_code).pk == case.pk
    assert not old_link.matches(case.access_code_hash)
    new_link = access.read_status_token(access.case_status_link(case).split("/")[-2])
    assert new_link.matches(case.access_code_hash)


@pytest.mark.django_db
def test_reset_is_logged_as_an_internal_event():
    case = factories.make_case(CaseState.UNDER_REVIEW)
    clerk = factories.make_user(Role.INTAKE_CLERK, case.center)
    access.case_reset_access_code(case=case, actor=Actor.admin(clerk))
    event = CaseEvent.objects.filter(case=case).order_by("-id").first()
    assert event.transition == "reset_access_code"
    assert event.public is False
    assert event.actor == clerk
    assert event.from_state == event.to_state == CaseState.UNDER_REVIEW
    assert event.note


# The reset's history note


CHINESE_NOTE = "查询码已重置：旧查询码及此前发出的进度链接均已失效。"


@pytest.mark.django_db
@pytest.mark.parametrize("actor_language", ["en", "zh-hans"])
def test_reset_note_is_in_the_sites_language_whatever_the_actors(actor_language):
    case = factories.make_case(CaseState.UNDER_REVIEW)
    clerk = factories.make_user(Role.INTAKE_CLERK, case.center)

    with translation.override(actor_language):
        access.case_reset_access_code(case=case, actor=Actor.admin(clerk))

    event = CaseEvent.objects.filter(case=case, transition="reset_access_code").get()
    assert event.note == CHINESE_NOTE


@pytest.mark.django_db
def test_reset_note_matches_the_sweeps_convention(settings):
    """Like the sweep's flags, the note follows LANGUAGE_CODE, not the request."""
    settings.LANGUAGE_CODE = "en"
    case = factories.make_case(CaseState.UNDER_REVIEW)

    with translation.override("zh-hans"):
        access.case_reset_access_code(case=case, actor=SYSTEM)

    event = CaseEvent.objects.filter(case=case, transition="reset_access_code").get()
    assert event.note.startswith("Access code reset:")


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.INTAKE_CLERK, Role.MANAGER, Role.CENTER_ADMIN])
def test_intake_staff_of_the_center_may_reset(role):
    case = factories.make_case(CaseState.SUBMITTED)
    user = factories.make_user(role, case.center)
    code = access.case_reset_access_code(case=case, actor=Actor.admin(user))
    case.refresh_from_db()
    assert access.access_code_matches(case.access_code_hash, code)


@pytest.mark.django_db
def test_superuser_may_reset():
    case = factories.make_case(CaseState.SUBMITTED)
    code = access.case_reset_access_code(case=case, actor=Actor.admin(factories.make_superuser()))
    case.refresh_from_db()
    assert access.access_code_matches(case.access_code_hash, code)


@pytest.mark.django_db
def test_examiner_may_not_reset():
    case = factories.make_case(CaseState.SUBMITTED)
    before = case.access_code_hash
    with pytest.raises(PermissionDenied):
        access.case_reset_access_code(
            case=case, actor=Actor.admin(factories.make_user(Role.EXAMINER, case.center))
        )
    assert Case.objects.get(pk=case.pk).access_code_hash == before
    assert not CaseEvent.objects.filter(case=case, transition="reset_access_code").exists()


@pytest.mark.django_db
def test_clerk_of_another_center_may_not_reset():
    case = factories.make_case(CaseState.SUBMITTED)
    other = factories.make_user(Role.INTAKE_CLERK, factories.make_center())
    with pytest.raises(PermissionDenied):
        access.case_reset_access_code(case=case, actor=Actor.admin(other))


@pytest.mark.django_db
def test_a_tampered_or_expired_token_is_refused(settings):
    case = factories.make_case(CaseState.SUBMITTED)
    token = access.status_token(case_id=case.pk, access_code_hash=case.access_code_hash)
    assert access.read_status_token(token).case_id == case.pk
    value, _sep, signature = token.rpartition(":")
    forged = access.status_token(case_id=case.pk + 1, access_code_hash="").rpartition(":")[0]
    assert access.read_status_token(f"{forged}:{signature}") is None
    flipped = signature[:-1] + ("A" if signature[-1] != "A" else "B")
    assert access.read_status_token(f"{value}:{flipped}") is None
    assert access.read_status_token("not-a-token") is None
    settings.STATUS_LINK_MAX_AGE_DAYS = 0
    assert access.read_status_token(token) is None


@pytest.mark.django_db
def test_a_link_read_before_a_key_rotation_follows_the_keys_in_force(settings):
    case = factories.make_case(CaseState.SUBMITTED)
    old_key = settings.SECRET_KEY
    token = access.status_token(case_id=case.pk, access_code_hash=case.access_code_hash)
    assert access.read_status_token(token).case_id == case.pk  # remembered as verified

    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "a-new-key" * 6, [old_key]
    assert access.read_status_token(token).case_id == case.pk  # the old key still signs

    settings.SECRET_KEY_FALLBACKS = []
    assert access.read_status_token(token) is None  # retired: its links stop working


# Rate limits, with the time given: fixed windows of 10 minutes

WINDOW_START = 3_000_000 * 600.0  # 2027-01-15 08:00 UTC, when a 600 s window begins


@pytest.fixture
def ten_minute_windows(settings):
    settings.STATUS_RATE_LIMIT_WINDOW = 600
    settings.STATUS_RATE_LIMIT_FAILED_PER_ADDRESS = 10


def test_lookups_over_the_address_limit_wait_until_the_window_ends(settings, ten_minute_windows):
    settings.STATUS_RATE_LIMIT_PER_ADDRESS = 3
    settings.STATUS_RATE_LIMIT_PER_REFERENCE = 100

    def retry_after(address: str, seconds: float) -> int | None:
        return access.lookup_retry_after(
            address=address, reference="SH-2026-000001", now=WINDOW_START + seconds
        )

    assert [retry_after("10.0.0.1", n) for n in range(3)] == [None, None, None]
    assert retry_after("10.0.0.1", 10) == 590  # the fourth: until the window ends
    assert retry_after("10.0.0.2", 10) is None  # another address is not limited
    assert retry_after("10.0.0.1", 599.5) == 1  # never 0 while limited
    assert retry_after("10.0.0.1", 600) is None  # the next window


def test_failed_lookups_of_a_reference_wait_until_the_window_ends(settings, ten_minute_windows):
    settings.STATUS_RATE_LIMIT_PER_ADDRESS = 100
    settings.STATUS_RATE_LIMIT_PER_REFERENCE = 2
    for n, typed in enumerate(["SH-2026-000001", " sh-2026-000001 "]):
        access.lookup_failed(address=f"10.0.0.{n}", reference=typed, now=WINDOW_START + n)

    def retry_after(reference: str, seconds: float) -> int | None:
        return access.lookup_retry_after(
            address="10.0.0.99", reference=reference, now=WINDOW_START + seconds
        )

    assert retry_after("SH-2026-000001", 5) == 595  # from any address
    assert retry_after("SH-2026-000002", 5) is None  # another reference is not limited
    assert retry_after("SH-2026-000001", 600) is None  # the next window
