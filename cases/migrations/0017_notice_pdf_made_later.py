"""A notice's content is fixed when it is issued; its PDF is made once, when first needed.

The link between a notice and its PDF moves to the document (``CaseDocument.notice``),
so that making the PDF later is one more append-only row; existing notices keep theirs.
"""

from django.db import migrations, models
import django.db.models.deletion


def link_documents(apps, schema_editor):
    Notice = apps.get_model("cases", "Notice")
    CaseDocument = apps.get_model("cases", "CaseDocument")
    for notice_id, document_id in Notice.objects.values_list("id", "document_id").iterator():
        CaseDocument.objects.filter(pk=document_id).update(notice_id=notice_id)


def unlink_documents(apps, schema_editor):
    Notice = apps.get_model("cases", "Notice")
    CaseDocument = apps.get_model("cases", "CaseDocument")
    for document_id, notice_id in CaseDocument.objects.filter(notice__isnull=False).values_list(
        "id", "notice_id"
    ):
        Notice.objects.filter(pk=notice_id).update(document_id=document_id)


class AllowNoDocument(migrations.AlterField):
    """Makes ``Notice.document`` nullable; going back leaves the column so, because the
    notices issued since have no PDF yet (0016's code makes them on issuing)."""

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        pass


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0016_notification_notice_corrected"),
    ]

    operations = [
        migrations.AddField(
            model_name="casedocument",
            name="notice",
            field=models.OneToOneField(
                blank=True,
                help_text="The notice this PDF is (for documents of kind notice).",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="document",
                to="cases.notice",
                verbose_name="notice",
            ),
        ),
        migrations.AddField(
            model_name="notice",
            name="html",
            field=models.TextField(default="", editable=False, verbose_name="content"),
            preserve_default=False,
        ),
        AllowNoDocument(
            model_name="notice",
            name="document",
            field=models.OneToOneField(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="cases.casedocument",
            ),
        ),
        migrations.RunPython(link_documents, unlink_documents),
        migrations.RemoveField(model_name="notice", name="document"),
    ]
