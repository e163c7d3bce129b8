"""One permission per transition and action, given to the role groups; events say
through which channel they came (existing ones: the admin, or the system's without a
user, set in 0013)."""

from django.db import migrations, models

from cases.permissions import role_permissions_sync


def sync_roles(apps, schema_editor):
    role_permissions_sync(apps)


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0011_calendar_estimated_help'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='case',
            options={'ordering': ['-submitted_at'], 'permissions': [('submit_case', 'Can register a case'), ('accept_case', 'Can accept a case'), ('decline_case', 'Can decline a case'), ('request_correction', 'Can request a correction'), ('receive_correction', 'Can record a correction received'), ('qualify_case', 'Can qualify a case'), ('disqualify_case', 'Can mark a case unqualified'), ('record_filing', 'Can record the CNIPA filing'), ('record_office_action', 'Can record an office action'), ('record_response', 'Can record an office-action response'), ('record_grant_notice', 'Can record a grant notice'), ('record_rejection', 'Can record a rejection'), ('record_fast_track_exit', 'Can record an exit from the fast track'), ('record_registration', 'Can record the registration'), ('lapse_case', 'Can lapse a case'), ('withdraw_case', 'Can withdraw a case'), ('assign_case', 'Can assign the examiner of a case'), ('examine_case', 'Can be assigned cases to examine'), ('reset_access_code', "Can reset a case's access code"), ('view_dashboard', 'Can view the turnaround dashboard')], 'verbose_name': 'case', 'verbose_name_plural': 'cases'},
        ),
        migrations.AlterModelOptions(
            name='entity',
            options={'ordering': ['name'], 'permissions': [('approve_entity', 'Can approve a registration'), ('return_entity', 'Can return a registration for more material'), ('resubmit_entity', 'Can resubmit a registration'), ('reject_entity', 'Can reject a registration'), ('suspend_entity', 'Can suspend a registration'), ('reinstate_entity', 'Can reinstate a registration')], 'verbose_name': 'registered entity', 'verbose_name_plural': 'registered entities'},
        ),
        migrations.AddField(
            model_name='caseevent',
            name='channel',
            field=models.CharField(choices=[('admin', 'Admin'), ('portal', 'Portal'), ('api', 'API'), ('system', 'System')], default='admin', max_length=10, verbose_name='channel'),
            preserve_default=False,
        ),
        migrations.RunPython(sync_roles, migrations.RunPython.noop),
    ]
