"""Case documents, correction requests naming documents, numbered notices, consistency
checks; each existing center gets the default set of required documents; the roles get
the permissions to attach documents, check consistency and correct notices."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from cases.choices import DEFAULT_REQUIRED_DOCUMENTS
from cases.permissions import role_permissions_sync


def sync_roles(apps, schema_editor):
    role_permissions_sync(apps)


def required_documents_defaults(apps, schema_editor):
    center_model = apps.get_model("cases", "Center")
    required_model = apps.get_model("cases", "RequiredDocument")
    required_model.objects.bulk_create(
        [
            required_model(center_id=center_id, patent_type=str(patent_type), kind=str(kind))
            for center_id in center_model.objects.values_list("id", flat=True)
            for patent_type, kinds in DEFAULT_REQUIRED_DOCUMENTS.items()
            for kind in kinds
        ],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):

    dependencies = [
        ('cases', "0014_status_versions"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='case',
            options={'ordering': ['-submitted_at'], 'permissions': [('submit_case', 'Can register a case'), ('accept_case', 'Can accept a case'), ('decline_case', 'Can decline a case'), ('request_correction', 'Can request a correction'), ('receive_correction', 'Can record a correction received'), ('qualify_case', 'Can qualify a case'), ('disqualify_case', 'Can mark a case unqualified'), ('record_filing', 'Can record the CNIPA filing'), ('record_office_action', 'Can record an office action'), ('record_response', 'Can record an office-action response'), ('record_grant_notice', 'Can record a grant notice'), ('record_rejection', 'Can record a rejection'), ('record_fast_track_exit', 'Can record an exit from the fast track'), ('record_registration', 'Can record the registration'), ('lapse_case', 'Can lapse a case'), ('withdraw_case', 'Can withdraw a case'), ('assign_case', 'Can assign the examiner of a case'), ('examine_case', 'Can be assigned cases to examine'), ('reset_access_code', "Can reset a case's access code"), ('view_dashboard', 'Can view the turnaround dashboard'), ('check_consistency', "Can check the filed documents' consistency"), ('correct_notice', 'Can issue a corrected notice')], 'verbose_name': 'case', 'verbose_name_plural': 'cases'},
        ),
        migrations.AddField(
            model_name='case',
            name='inconsistent_since',
            field=models.DateTimeField(blank=True, null=True, verbose_name='filed documents differ since'),
        ),
        migrations.CreateModel(
            name='ConsistencyCheck',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('consistent', models.BooleanField(verbose_name='consistent')),
                ('results', models.JSONField(default=list, verbose_name='results')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='time')),
                ('case', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='consistency_checks', to='cases.case', verbose_name='case')),
                ('event', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='cases.caseevent', verbose_name='event')),
            ],
            options={
                'verbose_name': 'consistency check',
                'verbose_name_plural': 'consistency checks',
                'ordering': ['created_at', 'id'],
            },
        ),
        migrations.CreateModel(
            name='CorrectionRequest',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kinds', models.JSONField(blank=True, default=list, verbose_name='documents to replace')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='time')),
                ('case', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='correction_requests', to='cases.case', verbose_name='case')),
                ('event', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='cases.caseevent', verbose_name='event')),
            ],
            options={
                'verbose_name': 'correction request',
                'verbose_name_plural': 'correction requests',
                'ordering': ['created_at', 'id'],
            },
        ),
        migrations.CreateModel(
            name='CaseDocument',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('request', 'Request'), ('description', 'Description'), ('claims', 'Claims'), ('abstract', 'Abstract'), ('drawings', 'Drawings'), ('abstract_drawing', 'Abstract drawing'), ('design_views', 'Design views'), ('brief_explanation', 'Brief explanation'), ('business_licence', 'Business licence'), ('power_of_attorney', 'Power of attorney'), ('other', 'Other supporting document'), ('notice', 'Center notice')], max_length=30, verbose_name='kind')),
                ('version', models.PositiveIntegerField(verbose_name='version')),
                ('file', models.FileField(max_length=200, upload_to='', verbose_name='file')),
                ('original_name', models.CharField(max_length=200, verbose_name='file name')),
                ('content_type', models.CharField(max_length=50, verbose_name='content type')),
                ('size', models.PositiveBigIntegerField(verbose_name='size (bytes)')),
                ('sha256', models.CharField(max_length=64, verbose_name='SHA-256')),
                ('pages', models.PositiveIntegerField(blank=True, null=True, verbose_name='pages')),
                ('channel', models.CharField(choices=[('admin', 'Admin'), ('portal', 'Portal'), ('api', 'API'), ('system', 'System')], max_length=10, verbose_name='channel')),
                ('uploaded_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='uploaded at')),
                ('as_filed', models.BooleanField(default=False, help_text='Uploaded at the consistency check as the document filed with CNIPA.', verbose_name='as filed with CNIPA')),
                ('case', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='documents', to='cases.case', verbose_name='case')),
                ('uploaded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='uploaded by')),
                ('answers', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='documents', to='cases.correctionrequest', verbose_name='answers the correction request')),
            ],
            options={
                'verbose_name': 'case document',
                'verbose_name_plural': 'case documents',
                'ordering': ['case', 'kind', 'version'],
            },
        ),
        migrations.CreateModel(
            name='Notice',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('acceptance', 'Acceptance notice'), ('non_acceptance', 'Non-acceptance notice'), ('correction', 'Correction notice'), ('qualification', 'Pre-examination qualification notice'), ('disqualification', 'Pre-examination non-qualification notice')], max_length=30, verbose_name='kind')),
                ('number', models.CharField(max_length=40, unique=True, verbose_name='number')),
                ('language', models.CharField(choices=[('zh-hans', 'Simplified Chinese'), ('en', 'English')], max_length=10, verbose_name='language')),
                ('issued_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='issued at')),
                ('case', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='notices', to='cases.case', verbose_name='case')),
                ('document', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='notice', to='cases.casedocument', verbose_name='PDF')),
                ('event', models.ForeignKey(help_text='The transition the notice announces.', on_delete=django.db.models.deletion.PROTECT, related_name='notices', to='cases.caseevent', verbose_name='decision')),
                ('replaces', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='replaced_by', to='cases.notice', verbose_name='replaces')),
            ],
            options={
                'verbose_name': 'notice',
                'verbose_name_plural': 'notices',
                'ordering': ['issued_at', 'id'],
            },
        ),
        migrations.CreateModel(
            name='NoticeCounter',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('year', models.PositiveSmallIntegerField()),
                ('last', models.PositiveIntegerField(default=0)),
                ('center', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='cases.center')),
            ],
        ),
        migrations.CreateModel(
            name='RequiredDocument',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('patent_type', models.CharField(choices=[('invention', 'Invention'), ('utility_model', 'Utility model'), ('design', 'Design')], max_length=20, verbose_name='patent type')),
                ('kind', models.CharField(choices=[('request', 'Request'), ('description', 'Description'), ('claims', 'Claims'), ('abstract', 'Abstract'), ('drawings', 'Drawings'), ('abstract_drawing', 'Abstract drawing'), ('design_views', 'Design views'), ('brief_explanation', 'Brief explanation'), ('business_licence', 'Business licence'), ('power_of_attorney', 'Power of attorney'), ('other', 'Other supporting document'), ('notice', 'Center notice')], max_length=30, verbose_name='document')),
                ('center', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='required_documents', to='cases.center', verbose_name='center')),
            ],
            options={
                'verbose_name': 'required document',
                'verbose_name_plural': 'required documents',
                'ordering': ['center', 'patent_type', 'kind'],
            },
        ),
        migrations.AddConstraint(
            model_name='casedocument',
            constraint=models.UniqueConstraint(fields=('case', 'kind', 'version'), name='case_document_version'),
        ),
        migrations.AddConstraint(
            model_name='noticecounter',
            constraint=models.UniqueConstraint(fields=('center', 'year'), name='notice_counter_unique'),
        ),
        migrations.AddConstraint(
            model_name='requireddocument',
            constraint=models.UniqueConstraint(fields=('center', 'patent_type', 'kind'), name='required_document_unique'),
        ),
        migrations.RunPython(sync_roles, migrations.RunPython.noop),
        migrations.RunPython(required_documents_defaults, migrations.RunPython.noop),
    ]
