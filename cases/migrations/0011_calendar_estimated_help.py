from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0010_event_occurred_on_backfill"),
    ]

    operations = [
        migrations.AlterField(
            model_name="case",
            name="calendar_estimated",
            field=models.BooleanField(
                default=False,
                help_text=(
                    "Yes when a due date falls in a year whose holiday notice is not entered "
                    "yet: that date is provisional."
                ),
                verbose_name="calendar estimated",
            ),
        ),
    ]
