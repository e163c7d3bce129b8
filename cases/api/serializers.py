"""How the API shows cases, clocks, events, documents and entities, and what writes take.

Values are the stored ones (``state: "under_review"``); labels come along in the
request's language (``Accept-Language``) for display. Internal notes are shown to the
center's staff only (``internal`` in the serializer context).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cases.models import Case, CaseDocument, CaseEvent, Entity, Timer
from cases.people import staff_display_name


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.SerializerMethodField()

    def get_name(self, user: Any) -> str:
        return staff_display_name(user)


class EntityRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Entity
        fields = ["id", "name", "credit_code"]


class EntitySerializer(serializers.ModelSerializer):
    center = serializers.CharField(source="center.code")
    registration_state_label = serializers.CharField(source="get_registration_state_display")

    class Meta:
        model = Entity
        fields = [
            "id",
            "center",
            "name",
            "credit_code",
            "registration_state",
            "registration_state_label",
            "contact_name",
            "contact_email",
            "contact_phone",
            "contact_language",
            "updated_at",
        ]


class TimerSerializer(serializers.ModelSerializer):
    step_label = serializers.CharField(source="get_step_display")
    running = serializers.BooleanField(source="is_running")

    class Meta:
        model = Timer
        fields = [
            "id",
            "step",
            "step_label",
            "party",
            "started_on",
            "due_on",
            "warn_on",
            "estimated",
            "running",
            "paused_since",
            "paused_days",
            "stopped_on",
            "outcome",
            "at_risk_since",
            "overdue_since",
        ]


class CaseEventSerializer(serializers.ModelSerializer):
    case = serializers.CharField(source="case.reference")
    actor = serializers.SerializerMethodField()
    note = serializers.SerializerMethodField()

    class Meta:
        model = CaseEvent
        fields = [
            "id",
            "case",
            "transition",
            "from_state",
            "to_state",
            "created_at",
            "occurred_on",
            "channel",
            "public",
            "public_note",
            "note",
            "actor",
        ]

    @extend_schema_field({"type": "string", "nullable": True})
    def get_actor(self, event: CaseEvent) -> str | None:
        if not self.context.get("internal") or event.actor_id is None:
            return None
        return staff_display_name(event.actor)

    @extend_schema_field({"type": "string"})
    def get_note(self, event: CaseEvent) -> str:
        return event.note if self.context.get("internal") else ""


class CaseSerializer(serializers.ModelSerializer):
    """A case as lists, webhooks and the detail's head show it."""

    center = serializers.CharField(source="center.code")
    entity = EntityRefSerializer()
    examiner = PersonSerializer(allow_null=True)
    state_label = serializers.CharField(source="get_state_display")
    at_risk = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "reference",
            "center",
            "entity",
            "patent_type",
            "title",
            "classification",
            "state",
            "state_label",
            "examiner",
            "application_number",
            "cnipa_filing_date",
            "grant_notice_date",
            "submitted_at",
            "accepted_at",
            "qualified_at",
            "closed_at",
            "next_due_on",
            "calendar_estimated",
            "at_risk",
            "at_risk_since",
            "overdue",
            "overdue_since",
            "benchmark_gross_days",
            "benchmark_net_days",
            "updated_at",
        ]

    def get_at_risk(self, case: Case) -> bool:
        return case.at_risk_since is not None

    def get_overdue(self, case: Case) -> bool:
        return case.overdue_since is not None


class CaseDetailSerializer(CaseSerializer):
    clocks = TimerSerializer(many=True, source="timers")
    events = CaseEventSerializer(many=True, source="visible_events")

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "clocks", "events"]


class DocumentSerializer(serializers.ModelSerializer):
    case = serializers.CharField(source="case.reference")
    download = serializers.SerializerMethodField()

    class Meta:
        model = CaseDocument
        fields = [
            "id",
            "case",
            "kind",
            "version",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "pages",
            "channel",
            "uploaded_at",
            "as_filed",
            "download",
        ]

    @extend_schema_field({"type": "string", "format": "uri"})
    def get_download(self, document: CaseDocument) -> str:
        from django.urls import reverse

        url = reverse("api:document-download", args=[document.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


# Writes: what the admin's forms take (cases.forms), described for the schema.


class CaseSubmitSerializer(serializers.Serializer):
    entity = serializers.IntegerField(help_text="The id of an approved entity of your center.")
    patent_type = serializers.ChoiceField(choices=["invention", "utility_model", "design"])
    title = serializers.CharField()
    classification = serializers.CharField(help_text="Main IPC class, or Locarno for designs.")
    examiner = serializers.IntegerField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True)


class TransitionSerializer(serializers.Serializer):
    """Every transition's inputs; each takes the ones its admin form has."""

    note = serializers.CharField(required=False, allow_blank=True, help_text="Internal.")
    public_note = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="The message to the applicant (required to decline, disqualify or "
        "request a correction).",
    )
    examiner = serializers.IntegerField(required=False, allow_null=True, help_text="accept")
    due = serializers.DateField(
        required=False, help_text="request_correction, record_office_action"
    )
    documents = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="request_correction: the kinds of document to replace.",
    )
    application_number = serializers.CharField(required=False, help_text="record_filing")
    filing_date = serializers.DateField(required=False, help_text="record_filing")
    notice_date = serializers.DateField(
        required=False, help_text="record_office_action, record_grant_notice"
    )
    period_days = serializers.IntegerField(required=False, help_text="record_office_action")
    delivery = serializers.ChoiceField(
        choices=["electronic", "mail"], required=False, help_text="record_office_action"
    )
    responded_on = serializers.DateField(required=False, help_text="record_response")
    received_on = serializers.DateField(required=False, help_text="record_grant_notice")


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()
    field = serializers.CharField(required=False)
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


def case_body(case: Case) -> dict[str, Any]:
    """The case as the API shows it (the webhooks' ``case``), as plain JSON values."""
    import json

    from rest_framework.utils.encoders import JSONEncoder

    return json.loads(json.dumps(CaseSerializer(case).data, cls=JSONEncoder))
