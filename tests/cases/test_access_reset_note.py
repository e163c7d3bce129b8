"""The history note written when staff issue a new access code."""

from __future__ import annotations

import pytest
from django.utils import translation

from cases.actors import SYSTEM, Actor
from cases.models import CaseEvent, CaseState, Role
from cases.services import access
from tests import factories

pytestmark = pytest.mark.django_db

CHINESE_NOTE = "查询码已重置：旧查询码及此前发出的进度链接均已失效。"


@pytest.mark.parametrize("actor_language", ["en", "zh-hans"])
def test_reset_note_is_in_the_sites_language_whatever_the_actors(actor_language):
    case = factories.make_case(CaseState.UNDER_REVIEW)
    clerk = factories.make_user(Role.INTAKE_CLERK, case.center)

    with translation.override(actor_language):
        access.case_reset_access_code(case=case, actor=Actor.admin(clerk))

    event = CaseEvent.objects.filter(case=case, transition="reset_access_code").get()
    assert event.note == CHINESE_NOTE


def test_reset_note_matches_the_sweeps_convention(settings):
    """Like the sweep's flags, the note follows LANGUAGE_CODE, not the request."""
    settings.LANGUAGE_CODE = "en"
    case = factories.make_case(CaseState.UNDER_REVIEW)

    with translation.override("zh-hans"):
        access.case_reset_access_code(case=case, actor=SYSTEM)

    event = CaseEvent.objects.filter(case=case, transition="reset_access_code").get()
    assert event.note.startswith("Access code reset:")
