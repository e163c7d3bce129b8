"""Versions of what the status pages show: per case, center and entity, and the calendar's.

The calendar's one row is created here, after the migrations that seeded the
calendar: a process reads it before using the calendar it built, so days seeded by a
migration are never hidden behind a calendar built before them. A later data migration
that changes the calendar sets a new version (``update(version=uuid.uuid4())``).
"""

import uuid

from django.db import migrations, models


def create_calendar_version(apps, schema_editor):
    CalendarVersion = apps.get_model("cases", "CalendarVersion")
    CalendarVersion.objects.get_or_create(pk=1, defaults={"version": uuid.uuid4()})


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0013_event_channel_backfill"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="status_version",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name="center",
            name="status_version",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name="entity",
            name="status_version",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.CreateModel(
            name="CalendarVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("version", models.UUIDField(default=uuid.uuid4)),
            ],
            options={
                "verbose_name": "calendar version",
                "verbose_name_plural": "calendar versions",
            },
        ),
        migrations.RunPython(create_calendar_version, migrations.RunPython.noop),
    ]
