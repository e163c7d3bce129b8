"""Center administrators manage their center's webhook endpoints and resend deliveries."""

from django.db import migrations

from cases.permissions import role_permissions_sync


def sync_roles(apps, schema_editor):
    role_permissions_sync(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0018_api_tokens_webhooks_feeds"),
    ]

    operations = [
        migrations.RunPython(sync_roles, migrations.RunPython.noop),
    ]
