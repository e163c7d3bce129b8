"""The admin's *Examiners* (a proxy of StaffProfile): managers and center administrators
edit their center's examiners' fields, capacity and absences."""

from django.db import migrations

from cases.permissions import role_permissions_sync


def sync_roles(apps, schema_editor):
    role_permissions_sync(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0030_correct_cnipa_record_permission"),
    ]

    operations = [
        migrations.CreateModel(
            name="Examiner",
            fields=[],
            options={
                "verbose_name": "examiner",
                "verbose_name_plural": "examiners",
                "proxy": True,
                "indexes": [],
                "constraints": [],
            },
            bases=("cases.staffprofile",),
        ),
        migrations.RunPython(sync_roles, migrations.RunPython.noop),
    ]
