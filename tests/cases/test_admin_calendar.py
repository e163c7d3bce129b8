"""The calendar and time-limit rule admins: holiday names in the reader's language, the
rules list's columns."""

from __future__ import annotations

import re
from datetime import date

import pytest
from chinese_calendar import constants
from django.db.models import Q
from django.test import Client
from django.urls import reverse
from django.utils import translation

from cases import calendar, services
from cases.admin.clocks import dates_searched
from cases.deadlines import compute_due
from cases.models import CalendarDay, CalendarYear, Counting, Role, Unit
from cases.models.clocks import PACKAGE_HOLIDAY_NAMES
from tests.factories import make_superuser
from tests.pages import login, result_rows

pytestmark = pytest.mark.django_db

CALENDAR = "admin:cases_calendarday_changelist"


# Holiday names ------------------------------------------------------------------------


def test_every_name_the_package_gives_has_a_chinese_label():
    names = set(constants.holidays.values()) | set(constants.workdays.values())

    with translation.override("zh-hans"):
        labels = {name: str(PACKAGE_HOLIDAY_NAMES.get(name, name)) for name in names}

    untranslated = sorted(name for name, label in labels.items() if label == name)
    assert not untranslated


@pytest.mark.parametrize(
    ("name", "chinese"),
    [
        ("National Day", "国庆节"),
        ("Mid-autumn Festival", "中秋节"),
        ("Spring Festival", "春节"),
        ("Tomb-sweeping Day", "清明节"),
        ("元旦调休", "元旦调休"),  # typed by staff: shown as typed
    ],
)
def test_calendar_day_shows_its_name_in_the_readers_language(name, chinese):
    day = CalendarDay(date=date(2031, 1, 1), is_working=False, name=name)

    with translation.override("zh-hans"):
        shown = (day.display_name, str(day))
    with translation.override("en"):
        english = day.display_name

    assert shown == (chinese, f"2031-01-01 {chinese}")
    assert english == name


def test_calendar_list_shows_the_seeded_holidays_in_chinese(client, center):
    assert CalendarDay.objects.get(date=date(2025, 10, 1)).name == "National Day"
    login(client, Role.CENTER_ADMIN, center)

    rows = result_rows(client.get(reverse(CALENDAR), {"date__year": "2025"}).content.decode())

    assert "国庆节" in rows and "中秋节" in rows
    assert "National Day" not in rows and "Mid-autumn Festival" not in rows


def test_calendar_list_shows_the_holidays_in_english_with_the_english_switch(client, center):
    login(client, Role.CENTER_ADMIN, center)
    client.cookies["django_language"] = "en"

    rows = result_rows(client.get(reverse(CALENDAR), {"date__year": "2025"}).content.decode())

    assert "National Day" in rows and "国庆节" not in rows


def test_calendar_search_finds_package_days_by_their_chinese_name(client, center):
    login(client, Role.CENTER_ADMIN, center)

    response = client.get(reverse(CALENDAR), {"q": "国庆"})

    dates = {day.date for day in response.context["cl"].result_list}
    assert date(2025, 10, 1) in dates
    assert all(CalendarDay.objects.get(date=d).name in ("National Day", "国庆节") for d in dates)


def test_calendar_search_by_typed_name_still_works(client, center):
    CalendarDay.objects.create(date=date(2031, 1, 1), is_working=False, name="元旦（试行）")
    login(client, Role.CENTER_ADMIN, center)

    response = client.get(reverse(CALENDAR), {"q": "试行"})

    assert [day.date for day in response.context["cl"].result_list] == [date(2031, 1, 1)]


# Time-limit rules list ------------------------------------------------------------------


def test_rules_list_shows_no_center_column_to_staff_of_one_center(client, center):
    services.rules_ensure_defaults(center_id=center.pk)
    login(client, Role.CENTER_ADMIN, center)

    response = client.get(reverse("admin:cases_timelimitrule_changelist"))

    assert "center_column" not in response.context["cl"].list_display
    assert "updated_at" not in response.context["cl"].list_display


def test_rules_list_shows_superusers_the_center_code(client, center):
    services.rules_ensure_defaults(center_id=center.pk)
    client.force_login(make_superuser())

    response = client.get(reverse("admin:cases_timelimitrule_changelist"))

    assert f'<span title="{center.name}">SH</span>' in result_rows(response.content.decode())


def test_rules_list_counting_menu_uses_the_short_label(client, center):
    services.rules_ensure_defaults(center_id=center.pk)
    login(client, Role.CENTER_ADMIN, center)

    rows = result_rows(client.get(reverse("admin:cases_timelimitrule_changelist")).content.decode())
    rule = center.time_limit_rules.filter(counting="cnipa").first()
    page = client.get(reverse("admin:cases_timelimitrule_change", args=[rule.pk]))

    assert '<option value="cnipa" selected>按国知局期限规则</option>' in rows
    assert "期满日为休息日的顺延" not in rows
    assert "期满日为休息日的顺延" in page.content.decode()  # the rule's page explains it


# The calendar's date search -----------------------------------------------------------


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("2026-10-01", Q(date=date(2026, 10, 1))),  # Thu, National Day
        (" 2026-10-1 ", Q(date=date(2026, 10, 1))),
        ("2026/10/01", Q(date=date(2026, 10, 1))),
        ("2026.10.01", Q(date=date(2026, 10, 1))),
        ("２０２６－１０－０１", Q(date=date(2026, 10, 1))),  # full-width
        ("2026年10月1日", Q(date=date(2026, 10, 1))),
        ("2026-10", Q(date__year=2026, date__month=10)),
        ("2026年10月", Q(date__year=2026, date__month=10)),
        ("2026", Q(date__year=2026)),
        ("2026年", Q(date__year=2026)),
        ("2026-13", None),  # no such month
        ("2026-02-30", None),  # no such day
        ("202", None),
        ("20261001", None),
        ("国庆节", None),
        ("", None),
    ],
)
def test_dates_searched(term, expected):
    assert dates_searched(term) == expected


def test_calendar_search_finds_a_date(client, center):
    login(client, Role.CENTER_ADMIN, center)

    response = client.get(reverse("admin:cases_calendarday_changelist"), {"q": "2025-10-01"})

    assert [day.date for day in response.context["cl"].result_list] == [date(2025, 10, 1)]


def test_calendar_search_finds_a_month(client, center):
    october = set(
        CalendarDay.objects.filter(date__year=2025, date__month=10).values_list("date", flat=True)
    )
    login(client, Role.CENTER_ADMIN, center)

    response = client.get(reverse("admin:cases_calendarday_changelist"), {"q": "2025-10"})

    assert {date(2025, 10, 1), date(2025, 10, 8)} <= october
    assert {day.date for day in response.context["cl"].result_list} == october


def test_calendar_search_finds_a_year(client, center):
    login(client, Role.CENTER_ADMIN, center)

    response = client.get(reverse("admin:cases_calendarday_changelist"), {"q": "2025"})

    found = {day.date for day in response.context["cl"].queryset}
    assert found == set(CalendarDay.objects.filter(date__year=2025).values_list("date", flat=True))
    assert date(2025, 10, 1) in found and date(2026, 1, 1) not in found


def test_calendar_search_help_text_gives_the_date_forms(client, center):
    login(client, Role.CENTER_ADMIN, center)

    body = client.get(reverse("admin:cases_calendarday_changelist")).content.decode()

    assert re.search(
        r'id="searchbar_helptext">名称，或日期：2026-10-01；月份：2026-10；年份：2026。<', body
    )


# Every edit reaches every process ---------------------------------------------------
#
# Each process keeps the calendar it built (``cases.calendar``); an edit made in the
# admin must reach a process that built it before, whichever process made the edit.

WEDNESDAY = date(2025, 3, 5)  # an ordinary working day
CHANGELIST = {
    CalendarDay: "admin:cases_calendarday_changelist",
    CalendarYear: "admin:cases_calendaryear_changelist",
}


def wednesday_is_off() -> bool:
    return not calendar.get_work_calendar().is_workday(WEDNESDAY)


def year_2025_is_estimated() -> bool:
    due = compute_due(
        date(2025, 1, 24),  # Fri; + 1 working day: the adjusted Sun 01-26, if the year is known
        calendar.get_work_calendar(),
        amount=1,
        unit=Unit.WORKDAYS,
        counting=Counting.WORKDAY,
    )
    return due.estimated


def a_holiday_on_wednesday() -> None:
    CalendarDay.objects.create(date=WEDNESDAY, is_working=False, name="Local holiday")
    calendar.calendar_changed()


def no_year_2025() -> None:
    CalendarYear.objects.filter(year=2025).delete()
    calendar.calendar_changed()


def add_day(client: Client) -> None:
    url = reverse("admin:cases_calendarday_add")
    data = {"date": WEDNESDAY.isoformat(), "is_working": "", "name": "Local holiday"}
    assert client.post(url, data).status_code == 302


def change_day(client: Client) -> None:
    day = CalendarDay.objects.get(date=WEDNESDAY)
    url = reverse("admin:cases_calendarday_change", args=[day.pk])
    data = {"date": WEDNESDAY.isoformat(), "is_working": "on", "name": "Adjusted after all"}
    assert client.post(url, data).status_code == 302


def delete_day(client: Client) -> None:
    day = CalendarDay.objects.get(date=WEDNESDAY)
    url = reverse("admin:cases_calendarday_delete", args=[day.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302


def delete_selected_days(client: Client) -> None:
    day = CalendarDay.objects.get(date=WEDNESDAY)
    data = {"action": "delete_selected", "_selected_action": [day.pk], "post": "yes"}
    assert client.post(reverse(CHANGELIST[CalendarDay]), data).status_code == 302


def untick_year(client: Client) -> None:
    year = CalendarYear.objects.get(year=2025)
    url = reverse("admin:cases_calendaryear_change", args=[year.pk])
    data = {"year": "2025", "complete": "", "source": year.source}
    assert client.post(url, data).status_code == 302


def delete_year(client: Client) -> None:
    year = CalendarYear.objects.get(year=2025)
    url = reverse("admin:cases_calendaryear_delete", args=[year.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302


def delete_selected_years(client: Client) -> None:
    year = CalendarYear.objects.get(year=2025)
    data = {"action": "delete_selected", "_selected_action": [year.pk], "post": "yes"}
    assert client.post(reverse(CHANGELIST[CalendarYear]), data).status_code == 302


def add_year(client: Client) -> None:
    data = {"year": "2025", "complete": "on", "source": "State Council notice"}
    assert client.post(reverse("admin:cases_calendaryear_add"), data).status_code == 302


@pytest.mark.parametrize(
    ("before", "edit", "outcome", "after"),
    [
        (None, add_day, wednesday_is_off, True),
        (a_holiday_on_wednesday, change_day, wednesday_is_off, False),
        (a_holiday_on_wednesday, delete_day, wednesday_is_off, False),
        (a_holiday_on_wednesday, delete_selected_days, wednesday_is_off, False),
        (None, untick_year, year_2025_is_estimated, True),
        (None, delete_year, year_2025_is_estimated, True),
        # The bulk deletion of years never used to reach other processes.
        (None, delete_selected_years, year_2025_is_estimated, True),
        (no_year_2025, add_year, year_2025_is_estimated, False),
    ],
)
def test_every_calendar_edit_in_the_admin_reaches_a_process_that_built_it_before(
    client, before, edit, outcome, after
):
    if before is not None:
        before()
    calendar.get_work_calendar()
    elsewhere = calendar._memo  # another process's calendar, built before the edit
    assert outcome() is not after
    client.force_login(make_superuser())

    edit(client)

    calendar._memo = elsewhere
    assert outcome() is after
