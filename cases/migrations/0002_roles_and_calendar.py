"""Create the staff role groups, and seed the calendar."""

from django.db import migrations

ROLES = ["intake_clerk", "examiner", "manager", "center_admin"]


def create_roles(apps, schema_editor):
    # What each role may do is cases.permissions.ROLE_PERMISSIONS, given to the groups
    # by 0012 (role_permissions_sync): written once, not copied into each migration.
    Group = apps.get_model("auth", "Group")
    for role in ROLES:
        Group.objects.get_or_create(name=role)


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
