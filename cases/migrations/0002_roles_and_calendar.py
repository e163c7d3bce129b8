"""Create the staff role groups with their model permissions, and seed the calendar."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

VIEW_ALL = [
    "view_case", "view_caseevent", "view_center", "view_entity", "view_timer",
    "view_calendarday", "view_timelimitrule",
]
ROLE_PERMISSIONS = {
    "intake_clerk": VIEW_ALL + ["add_case", "change_case", "add_entity", "change_entity"],
    "examiner": VIEW_ALL + ["change_case"],
    "manager": VIEW_ALL + [
        "add_case", "change_case", "add_entity", "change_entity",
        "add_timelimitrule", "change_timelimitrule",
    ],
    "center_admin": VIEW_ALL + [
        "add_case", "change_case", "add_entity", "change_entity", "change_center",
        "add_timelimitrule", "change_timelimitrule", "delete_timelimitrule",
        "add_calendarday", "change_calendarday", "delete_calendarday",
    ],
}


def create_roles(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set(
            Permission.objects.filter(content_type__app_label="cases", codename__in=codenames)
        )


def seed_calendar(apps, schema_editor):
    import chinese_calendar
    from chinese_calendar import constants

    CalendarDay = apps.get_model("cases", "CalendarDay")
    rows = []
    for day, name in constants.holidays.items():
        rows.append(CalendarDay(date=day, is_working=False, name=str(name), source="chinesecalendar"))
    for day, name in constants.workdays.items():
        rows.append(CalendarDay(date=day, is_working=True, name=str(name), source="chinesecalendar"))
    assert chinese_calendar
    CalendarDay.objects.bulk_create(rows, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(create_roles, migrations.RunPython.noop),
        migrations.RunPython(seed_calendar, migrations.RunPython.noop),
    ]
