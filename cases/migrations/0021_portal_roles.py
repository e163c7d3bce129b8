# The staff roles see the portal's records; intake manages agencies and accounts,
# managers and center administrators set the yearly quotas.

from django.db import migrations

from cases.permissions import role_permissions_sync


def sync_roles(apps, schema_editor):
    role_permissions_sync(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0020_portal"),
    ]

    operations = [
        migrations.RunPython(sync_roles, migrations.RunPython.noop),
    ]
