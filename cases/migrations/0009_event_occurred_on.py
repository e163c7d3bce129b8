from django.db import migrations, models

# Events recorded before this field: the filing and the grant notice take the dates
# recorded on their case (one of each per case). Office actions and responses keep the
# day they were recorded: their dates were not kept apart.
BACKFILL = """
UPDATE cases_caseevent SET occurred_on = (
    SELECT c.{column} FROM cases_case c WHERE c.id = cases_caseevent.case_id
) WHERE transition = '{transition}' AND occurred_on IS NULL
"""


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
        migrations.RunSQL(
            BACKFILL.format(column="cnipa_filing_date", transition="record_filing"),
            migrations.RunSQL.noop,
        ),
        migrations.RunSQL(
            BACKFILL.format(column="grant_notice_date", transition="record_grant_notice"),
            migrations.RunSQL.noop,
        ),
    ]
