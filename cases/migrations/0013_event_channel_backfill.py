"""Events written without a user were the system's (the sweep's flags, commands).

Apart from 0012: on millions of events this UPDATE holds row locks only, not the
table lock of 0012's schema change.
"""

from django.db import migrations


def backfill(apps, schema_editor):
    CaseEvent = apps.get_model("cases", "CaseEvent")
    CaseEvent._base_manager.filter(actor__isnull=True).update(channel="system")


class Migration(migrations.Migration):
    dependencies = [("cases", "0012_permissions_and_channel")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
