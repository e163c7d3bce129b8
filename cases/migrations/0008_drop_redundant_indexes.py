"""Drop two indexes that other indexes make redundant.

- ``caseevent_case_time`` (case, created_at): events are read per case only, through the
  foreign key's own index, which the planner always chose over it;
- the index of ``Case.center``: every index on cases leads with the center.

The foreign key's index is dropped by name rather than by AlterField, which would drop
and re-add the constraint, checking every case again under a lock.
"""

import django.db.models.deletion
from django.db import migrations, models

# Django's name for the index of cases_case.center_id, on PostgreSQL and SQLite alike.
CENTER_INDEX = "cases_case_center_id_de7b7087"


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0007_notification_digest"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="caseevent",
            name="caseevent_case_time",
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="case",
                    name="center",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="cases",
                        to="cases.center",
                        verbose_name="center",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{CENTER_INDEX}"',
                    reverse_sql=f'CREATE INDEX "{CENTER_INDEX}" ON "cases_case" ("center_id")',
                ),
            ],
        ),
    ]
