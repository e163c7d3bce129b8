"""The dashboard's filter form: the examiner choices, the period's default dates."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from cases.models import Role
from tests.factories import make_center, make_superuser, make_user
from tests.pages import MARCH, as_manager, dashboard_page

pytestmark = pytest.mark.django_db


# The examiner filter


def test_examiner_filter_lists_only_the_centers_examiners(client, center):
    examiner = make_user(Role.EXAMINER, center, username="sh_examiner")
    for role in (Role.INTAKE_CLERK, Role.MANAGER, Role.CENTER_ADMIN, None):
        make_user(role, center)
    make_user(Role.EXAMINER, make_center("PD"), username="pd_examiner")
    retired = make_user(Role.EXAMINER, center, username="sh_retired")
    retired.is_active = False
    retired.save()
    form = dashboard_page(as_manager(client, center, language="en")).context["form"]
    assert list(form.fields["examiner"].queryset) == [examiner]


def test_examiner_filter_refuses_a_non_examiner(client, center):
    clerk = make_user(Role.INTAKE_CLERK, center)
    response = dashboard_page(
        as_manager(client, center, language="en"), {**MARCH, "examiner": clerk.pk}
    )
    assert response.context["figures"] is None
    assert "examiner" in response.context["form"].errors


def test_superuser_examiner_filter_follows_the_chosen_center(client, center):
    here = make_user(Role.EXAMINER, center, username="a_examiner")
    there = make_user(Role.EXAMINER, make_center("PD"), username="b_examiner")
    make_user(Role.MANAGER, center)
    client.force_login(make_superuser())
    everywhere = dashboard_page(client).context["form"].fields["examiner"].queryset
    assert list(everywhere) == [here, there]
    chosen = dashboard_page(client, {**MARCH, "center": center.pk}).context["form"]
    assert list(chosen.fields["examiner"].queryset) == [here]


# The period


def test_date_inputs_show_the_default_period(client, center):
    response = dashboard_page(as_manager(client, center, language="en"), {})
    today = timezone.localdate()
    start = today.replace(year=today.year - 1) + timedelta(days=1)
    content = response.content.decode()
    assert f'name="start" value="{start.isoformat()}"' in content
    assert f'name="end" value="{today.isoformat()}"' in content


def test_date_inputs_show_the_default_for_the_date_left_empty(client, center):
    response = dashboard_page(
        as_manager(client, center, language="en"), {"start": "2025-03-01", "end": ""}
    )
    figures = response.context["figures"]
    assert figures.filters.end == timezone.localdate()
    content = response.content.decode()
    assert 'name="start" value="2025-03-01"' in content
    assert f'name="end" value="{timezone.localdate().isoformat()}"' in content
