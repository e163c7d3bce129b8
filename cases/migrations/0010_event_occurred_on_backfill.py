from django.db import migrations

# Events recorded before 0009: the filing and the grant notice take the dates recorded on
# their case (one of each per case). Office actions and responses keep the day they were
# recorded: their dates were not kept apart.
#
# A migration of its own: 0009's ALTER TABLE holds an exclusive lock on the events until
# its transaction ends, and with millions of events this UPDATE takes a while. Here it
# takes row locks only, so status pages and transitions go on meanwhile.
BACKFILL = """
UPDATE cases_caseevent SET occurred_on = (
    SELECT c.{column} FROM cases_case c WHERE c.id = cases_caseevent.case_id
) WHERE transition = '{transition}' AND occurred_on IS NULL
"""


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0009_event_occurred_on"),
    ]

    operations = [
        migrations.RunSQL(
            BACKFILL.format(column="cnipa_filing_date", transition="record_filing"),
            migrations.RunSQL.noop,
        ),
        migrations.RunSQL(
            BACKFILL.format(column="grant_notice_date", transition="record_grant_notice"),
            migrations.RunSQL.noop,
        ),
    ]
