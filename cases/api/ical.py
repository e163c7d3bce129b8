"""iCal deadline feeds: a secret URL per staff member (their cases' center-side
deadlines) and per center (managers: every running clock), read by calendar apps.

One all-day event per running clock, on its due date: the step, the case's reference
and title. Its UID is the clock's (``timer-<id>@<host>``), so a moved due date updates
the event instead of adding one; a stopped clock leaves the feed. Each event carries a
reminder (VALARM) on the day the e-mail reminders go out: ``REMINDER_WORKDAYS`` working
days before. A due date computed without the year's holiday notice says it is
estimated.

Portal users have a third feed (``CalendarFeed.Scope.ENTITY``, made on the portal's
*Calendar and API* page): the applicant's own clocks (correction, filing with CNIPA,
office-action response, registration) of the cases they may see, linked to the portal.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Alarm, Calendar, Event

from cases import deadlines
from cases.calendar import get_work_calendar
from cases.models import CalendarFeed, Party, Timer
from cases.permissions import user_center_id
from cases.selectors import api as scope
from cases.services.api_tokens import calendar_feed_find
from cases.services.sweep import REMINDER_WORKDAYS

REMINDER_HOUR = 9


def feed_timers(feed: CalendarFeed) -> QuerySet[Timer]:
    """The running clocks a feed shows: the center-side ones of the staff member's
    cases (assigned to them), every clock of the center's cases (managers), or what a
    portal user's entities owe."""
    user = feed.user
    cases = scope.api_cases(user).open()
    if feed.scope == CalendarFeed.Scope.ENTITY:
        if scope.is_center_staff(user):
            cases = cases.none()
        return scope.timers_running(cases).filter(party=Party.APPLICANT)
    if feed.scope == CalendarFeed.Scope.CENTER:
        if not user.has_perm("cases.view_dashboard"):
            cases = cases.none()
        return scope.timers_running(cases.filter(center_id=user_center_id(user)))
    return scope.timers_running(cases.filter(examiner=user)).filter(party=Party.CENTER)


def reminder_day(due: date, calendar: deadlines.WorkCalendar) -> date:
    """The first day on which the due date is within ``REMINDER_WORKDAYS`` working days
    (the day the sweep sends its reminder)."""
    day = due
    while deadlines.add_workdays(day - timedelta(days=1), REMINDER_WORKDAYS, calendar) >= due:
        day -= timedelta(days=1)
    return day


def feed_calendar(feed: CalendarFeed, *, host: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Protection Center//deadlines//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", str(feed.get_scope_display()))
    work = get_work_calendar().lenient()
    stamp = timezone.now()
    applicant = feed.scope == CalendarFeed.Scope.ENTITY
    site = settings.SITE_URL.rstrip("/")
    for timer in feed_timers(feed):
        case = timer.case
        summary = f"{case.reference} · {timer.get_step_display()}"
        if timer.estimated:
            summary += " " + _("(estimated)")
        lines = [case.title, _("Due on %(day)s.") % {"day": timer.due_on.isoformat()}]
        if timer.estimated:
            lines.append(
                _(
                    "Estimated: the holiday calendar of that year is not entered yet, "
                    "so the due date counts weekdays only."
                )
            )
        if timer.paused_since is not None:
            lines.append(_("Paused since %(day)s.") % {"day": timer.paused_since.isoformat()})
        event = Event()
        event.add("uid", f"timer-{timer.pk}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", timer.due_on)
        event.add("dtend", timer.due_on + timedelta(days=1))
        event.add("summary", summary)
        event.add("description", "\n".join(lines))
        path = (
            reverse("portal:case_detail", args=[case.reference])
            if applicant
            else case.get_absolute_url()
        )
        event.add("url", f"{site}{path}")
        event.add("categories", [str(timer.get_step_display())])
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", summary)
        remind_at = timezone.make_aware(
            datetime.combine(reminder_day(timer.due_on, work), time(REMINDER_HOUR))
        )
        alarm.add("trigger", remind_at.astimezone(UTC))
        event.add_component(alarm)
        calendar.add_component(event)
    return calendar.to_ical()


def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The feed behind a secret URL; 404 for an unknown (or reset) one."""
    feed = calendar_feed_find(token)
    if feed is None:
        raise Http404(_("No such calendar."))
    profile = getattr(feed.user, "staff_profile", None)
    language = getattr(profile, "language", "") or settings.LANGUAGE_CODE
    with translation.override(language):
        body = feed_calendar(feed, host=request.get_host().split(":")[0])
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    return response
