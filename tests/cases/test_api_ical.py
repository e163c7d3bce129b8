"""iCal deadline feeds: secret URLs, one all-day event per running clock, stable UIDs,
reminders on the reminder day, estimated dates said so, reset URLs stop working."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar
from rest_framework.test import APIClient

from cases import calendar, deadlines
from cases.api.ical import reminder_day
from cases.models import CalendarFeed, CaseState, Role, Timer
from cases.services import api_tokens
from tests import factories
from tests.cases.test_sweep import assigned_case

pytestmark = pytest.mark.django_db
S = CaseState


def feed_url(user, scope=CalendarFeed.Scope.MINE) -> str:
    return reverse(
        "api:calendar-feed", args=[api_tokens.calendar_feed_reset(user=user, scope=scope)]
    )


def read(client, url) -> Calendar:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(response.content)


def events(cal: Calendar) -> list:
    return list(cal.walk("VEVENT"))


def test_my_feed_has_one_all_day_event_per_running_clock_of_my_cases(client, center):
    examiner = factories.make_user(Role.EXAMINER, center)
    mine = assigned_case(center=center, examiner=examiner)
    assigned_case(center=center)  # not mine
    url = feed_url(examiner)

    [event] = events(read(client, url))
    timer = Timer.objects.get(case=mine, stopped_at__isnull=True)
    assert event["uid"] == f"timer-{timer.pk}@testserver"
    assert event.decoded("dtstart") == timer.due_on  # a date: all day
    assert mine.reference in str(event["summary"])
    assert mine.title in str(event["description"])
    [alarm] = event.walk("VALARM")
    day = timezone.localtime(alarm.decoded("trigger")).date()
    work = calendar.get_work_calendar().lenient()
    # The sweep's reminder day: the first on which the due date is 3 working days away.
    assert deadlines.add_workdays(day, 3, work) >= timer.due_on
    assert deadlines.add_workdays(day - timedelta(days=1), 3, work) < timer.due_on


def test_a_moved_due_date_updates_the_same_event(client, center):
    examiner = factories.make_user(Role.EXAMINER, center)
    case = assigned_case(center=center, examiner=examiner)
    url = feed_url(examiner)
    before = events(read(client, url))
    timer = Timer.objects.get(case=case, stopped_at__isnull=True)
    Timer.objects.filter(pk=timer.pk).update(due_on=timer.due_on + timedelta(days=3))
    after = events(read(client, url))
    assert [e["uid"] for e in before] == [e["uid"] for e in after]
    assert after[0].decoded("dtstart") == timer.due_on + timedelta(days=3)


def test_an_estimated_date_says_so(client, center, english):
    examiner = factories.make_user(Role.EXAMINER, center)
    case = assigned_case(center=center, examiner=examiner)
    Timer.objects.filter(case=case, stopped_at__isnull=True).update(estimated=True)
    profile = examiner.staff_profile
    profile.language = "en"
    profile.save()
    [event] = events(read(client, feed_url(examiner)))
    assert "(estimated)" in str(event["summary"])
    assert "Estimated" in str(event["description"])


def test_the_center_feed_is_for_managers(client, center):
    manager = factories.make_user(Role.MANAGER, center)
    examiner = factories.make_user(Role.EXAMINER, center)
    assigned_case(center=center, examiner=examiner)
    assigned_case(center=center)
    factories.make_case(S.UNDER_REVIEW)  # another center's
    assert len(events(read(client, feed_url(manager, CalendarFeed.Scope.CENTER)))) == 2
    assert events(read(client, feed_url(examiner, CalendarFeed.Scope.CENTER))) == []


def test_a_reset_url_stops_working(client, center):
    examiner = factories.make_user(Role.EXAMINER, center)
    old = feed_url(examiner)
    new = feed_url(examiner)
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200


def test_the_api_gives_a_feed_url_once(center):
    examiner = factories.make_user(Role.EXAMINER, center)
    client = APIClient()
    client.force_authenticate(examiner)
    response = client.post(reverse("api:calendar-feed-reset"), {"scope": "mine"}, format="json")
    assert response.status_code == 201
    assert APIClient().get(response.json()["url"]).status_code == 200
    refused = client.post(reverse("api:calendar-feed-reset"), {"scope": "center"}, format="json")
    assert refused.status_code == 403


@pytest.mark.parametrize(
    ("due", "remind"),
    [
        (date(2025, 1, 24), date(2025, 1, 21)),  # Fri -> Tue: 3 working days before
        (date(2025, 2, 10), date(2025, 2, 6)),  # Mon -> Thu (Sat 02-08 is a working day)
    ],
)
def test_the_reminder_day_is_three_working_days_before(due, remind):
    work = calendar.get_work_calendar().lenient()
    assert reminder_day(due, work) == remind


def test_my_feed_shows_center_side_clocks_the_center_feed_every_clock(client, center):
    examiner = factories.make_user(Role.EXAMINER, center)
    manager = factories.make_user(Role.MANAGER, center)
    filing = assigned_case(S.QUALIFIED, center=center, examiner=examiner)  # the applicant's
    assert events(read(client, feed_url(examiner))) == []
    [event] = events(read(client, feed_url(manager, CalendarFeed.Scope.CENTER)))
    assert filing.reference in str(event["summary"])
