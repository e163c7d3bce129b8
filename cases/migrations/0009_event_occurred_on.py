from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0008_drop_redundant_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="caseevent",
            name="occurred_on",
            field=models.DateField(
                blank=True,
                help_text=(
                    "The day it happened, when that is not the day it was recorded: CNIPA's dates."
                ),
                null=True,
                verbose_name="date",
            ),
        ),
    ]
