"""Staff forms: registering a case, one small form per transition, assigning an examiner.

Forms only parse input. The transition forms' ``cleaned_data`` are exactly the keyword
arguments of the matching service in ``cases.services.SERVICES`` (plus ``case`` and
``actor``, which the view adds), so the service stays the one place that decides.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from cases import services
from cases.choices import UPLOADED_KINDS, CaseState, DocumentKind, PatentType, RegistrationState
from cases.models import Case, Entity, Step
from cases.people import staff_label
from cases.selectors.documents import document_rows
from cases.services.clocks import running_timer
from cases.services.transitions import MESSAGE_REQUIRED
from cases.validators import normalize_classification, normalize_credit_code

User = get_user_model()
UPLOADED_CHOICES = [(kind.value, kind.label) for kind in UPLOADED_KINDS]


def examiners_of(center_id: int | None) -> QuerySet[Any]:
    """Active examiners of a center (every center's when ``center_id`` is None)."""
    # Those who hold the examiner's permission (``cases.examine_case``) through a role.
    users = User.objects.filter(
        is_active=True,
        groups__permissions__content_type__app_label="cases",
        groups__permissions__codename="examine_case",
    )
    if center_id is not None:
        users = users.filter(staff_profile__center_id=center_id)
    return users.order_by("username").distinct()


class StaffChoiceField(forms.ModelChoiceField):
    """Staff by name and username (``陈立新 (sh_examiner1)``): two may share a name."""

    def label_from_instance(self, obj: Any) -> str:
        return staff_label(obj)


class DateInput(forms.DateInput):
    """The browser's date picker, in ISO format (what ``<input type="date">`` expects);
    every date field of the staff forms and the dashboard uses it."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _date(label: str | Any, *, required: bool = True, help_text: str | Any = "") -> forms.DateField:
    return forms.DateField(
        label=capfirst(label), required=required, widget=DateInput(), help_text=help_text
    )


# Registering a case ------------------------------------------------------------------


class CaseAddForm(forms.ModelForm):
    """Intake: the fields ``services.case_submit`` takes; the admin calls the service."""

    note = forms.CharField(
        label=capfirst(_("internal note")),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    class Meta:
        model = Case
        fields = ["entity", "patent_type", "title", "classification", "examiner"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        patent_type = cleaned.get("patent_type")
        if patent_type and cleaned.get("classification"):
            try:
                cleaned["classification"] = normalize_classification(
                    patent_type, cleaned["classification"]
                )
            except ValidationError as error:
                self.add_error("classification", error)
        entity: Entity | None = cleaned.get("entity")
        examiner = cleaned.get("examiner")
        if entity is not None and examiner is not None:
            if not examiner.has_perm("cases.examine_case", entity):
                self.add_error("examiner", _("Assign an examiner of the applicant's center."))
        return cleaned


class CaseDetailsForm(forms.Form):
    """Correcting the details (``services.case_edit_details``): ``cleaned_data`` are its
    arguments. The reason is asked for once the case has been accepted."""

    title = forms.CharField(label=capfirst(_("title")), max_length=300)
    patent_type = forms.ChoiceField(label=capfirst(_("patent type")), choices=PatentType.choices)
    classification = forms.CharField(
        label=capfirst(_("main classification")),
        max_length=40,
        help_text=_("IPC to the group level (e.g. C08K 3/04), or Locarno for designs (14-02)."),
    )
    entity = forms.ModelChoiceField(label=capfirst(_("applicant")), queryset=Entity.objects.none())
    reason = forms.CharField(
        label=capfirst(_("reason for the correction")),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required once the case has been accepted. Recorded in the history."),
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_details_%s")
        kwargs.setdefault(
            "initial",
            {
                "title": case.title,
                "patent_type": case.patent_type,
                "classification": case.classification,
                "entity": case.entity_id,
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["entity"].queryset = Entity.objects.filter(center_id=case.center_id).filter(
            Q(registration_state=RegistrationState.APPROVED) | Q(pk=case.entity_id)
        )
        if case.state == CaseState.SUBMITTED:
            del self.fields["reason"]
        else:
            self.fields["reason"].required = True


# Transitions ------------------------------------------------------------------------


class TransitionForm(forms.Form):
    """What every transition asks: an internal note, and a message to the applicant
    where the service sends one (it is shown on the public status page)."""

    note = forms.CharField(
        label=capfirst(_("internal note")),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Seen by staff only."),
    )
    public_note = forms.CharField(
        label=capfirst(_("message to the applicant")),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Shown on the public status page."),
    )

    def __init__(self, *args: Any, case: Case, name: str, **kwargs: Any) -> None:
        # One form per transition on the same page: ids must not clash, names may.
        kwargs.setdefault("auto_id", f"id_{name}_%s")
        super().__init__(*args, **kwargs)
        self.case = case
        self.name = name
        if not accepts(services.SERVICES[name], "public_note"):
            del self.fields["public_note"]
        elif name in MESSAGE_REQUIRED:
            message = self.fields["public_note"]
            message.required = True
            message.help_text = MESSAGE_HELP.get(name, message.help_text)


class AcceptForm(TransitionForm):
    examiner = StaffChoiceField(
        label=capfirst(_("examiner")),
        queryset=User.objects.none(),
        required=False,
        help_text=_("Optional: assign the case now."),
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, case=case, **kwargs)
        self.fields["examiner"].queryset = examiners_of(case.center_id)
        if case.examiner_id:
            self.fields["examiner"].initial = case.examiner_id


# What the required message to the applicant says (services.transitions.MESSAGE_REQUIRED).
MESSAGE_HELP = {
    "request_correction": _(
        "What to correct. Shown on the public status page and sent in the e-mail."
    ),
    "decline": _(
        "Why the case is not accepted. Shown on the public status page and sent in the e-mail."
    ),
    "disqualify": _(
        "Why the case did not qualify. Shown on the public status page and sent in the e-mail."
    ),
    "lapse": _(
        "Why the case lapses (e.g. not filed with CNIPA in time). Shown on the public status "
        "page and sent in the e-mail."
    ),
}


class LapseForm(TransitionForm):
    override_reason = forms.CharField(
        label=capfirst(_("reason to lapse before the deadline")),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Only while the applicant's period is still running: why the case lapses "
            "before its deadline. Recorded in the history."
        ),
    )


class RequestCorrectionForm(TransitionForm):
    due = _date(
        _("corrections due"),
        required=False,
        help_text=_("The date given in the request; empty: the center's correction rule."),
    )
    documents = forms.MultipleChoiceField(
        label=capfirst(_("documents to replace")),
        choices=UPLOADED_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Receiving the correction will need a new version of each."),
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, case=case, **kwargs)
        # The case's own documents first: those are the ones usually replaced.
        present = {row.kind for row in document_rows(case) if row.versions}
        self.fields["documents"].choices = [
            (kind.value, kind.label) for kind in UPLOADED_KINDS if kind.value in present
        ] + [(kind.value, kind.label) for kind in UPLOADED_KINDS if kind.value not in present]


class ReceiveCorrectionForm(TransitionForm):
    """One upload per document the open correction request names; ``cleaned_data``
    gives the service its ``documents`` (``{kind: file}``)."""

    received_on = _date(
        _("received on"),
        required=False,
        help_text=_("The day the correction arrived; empty: today."),
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, case=case, **kwargs)
        request = case.correction_requests.order_by("-created_at", "-id").first()
        self.requested = request.missing_kinds() if request is not None else []
        for kind in self.requested:
            self.fields[f"file_{kind}"] = forms.FileField(
                label=DocumentKind(kind).label,
                required=False,
                help_text=_("The new version answering the correction request."),
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        documents = {}
        for kind in self.requested:
            upload = cleaned.pop(f"file_{kind}", None)
            if upload:
                documents[kind] = upload
        cleaned["documents"] = documents
        return cleaned


class RecordFilingForm(TransitionForm):
    application_number = forms.CharField(
        label=capfirst(_("CNIPA application number")),
        max_length=40,
        help_text=_("As printed or pasted, e.g. 202310123456.6 or CN 2023 1 0123456.6."),
    )
    filing_date = _date(_("CNIPA filing date"))


class RecordOfficeActionForm(TransitionForm):
    class Delivery:
        ELECTRONIC = "electronic"
        MAIL = "mail"

    notice_date = _date(_("notice date"), help_text=_("The dispatch date printed on the notice."))
    period_days = forms.IntegerField(
        label=capfirst(_("response period (days)")),
        required=False,
        min_value=1,
        help_text=_("As printed on the notice; empty: the center's office-action rule."),
    )
    due = _date(
        _("response due date"),
        required=False,
        help_text=_("Instead of a period: the due date, if the notice gives one."),
    )
    delivery = forms.ChoiceField(
        label=capfirst(_("delivery")),
        choices=[
            (Delivery.ELECTRONIC, _("Electronic (delivered the same day)")),
            (Delivery.MAIL, _("By mail (deemed delivered 15 days after dispatch)")),
        ],
        initial=Delivery.ELECTRONIC,
        widget=forms.RadioSelect,
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("period_days") is not None and cleaned.get("due") is not None:
            self.add_error("due", _("Give either a response period or a due date, not both."))
        delivery = cleaned.pop("delivery", self.Delivery.ELECTRONIC)
        cleaned["electronic"] = delivery != self.Delivery.MAIL
        return cleaned


class RecordResponseForm(TransitionForm):
    responded_on = _date(_("response date"), required=False, help_text=_("Empty: today."))


class RecordGrantNoticeForm(TransitionForm):
    notice_date = _date(_("notice date"), help_text=_("The date of the grant notice."))
    received_on = _date(
        _("received on"),
        required=False,
        help_text=_("When the applicant received it; empty: the notice date."),
    )


class RecordRegistrationForm(TransitionForm):
    registered_on = _date(
        _("registration date"),
        required=False,
        help_text=_("The day the registration was completed; empty: today."),
    )


# Correcting a CNIPA date reported wrongly (services.case_correct_*) ------------------


class CnipaCorrectionForm(forms.Form):
    """What every correction asks besides its dates: why (recorded in the history)."""

    note = forms.CharField(
        label=capfirst(_("reason for the correction")),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required. Recorded in the history, with the old and the new dates."),
    )

    def __init__(self, *args: Any, case: Case, name: str, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"id_correct_{name}_%s")
        super().__init__(*args, **kwargs)
        self.case = case


class CorrectFilingDateForm(CnipaCorrectionForm):
    filing_date = _date(
        _("CNIPA filing date"),
        help_text=_("The benchmark counts from it again; office-action time stays paused."),
    )
    field_order = ["filing_date", "note"]

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"filing_date": case.cnipa_filing_date})
        super().__init__(*args, case=case, **kwargs)


class CorrectOfficeActionForm(CnipaCorrectionForm):
    notice_date = RecordOfficeActionForm.base_fields["notice_date"]
    period_days = forms.IntegerField(
        label=capfirst(_("response period (days)")),
        required=False,
        min_value=1,
        help_text=_("A new period; empty: the period or due date recorded."),
    )
    due = _date(
        _("response due date"),
        required=False,
        help_text=_("Instead of a period: the due date printed on the notice."),
    )
    delivery = RecordOfficeActionForm.base_fields["delivery"]
    field_order = ["notice_date", "period_days", "due", "delivery", "note"]

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        benchmark = running_timer(case, Step.BENCHMARK)
        response = running_timer(case, Step.OFFICE_ACTION)
        notice = benchmark.paused_since if benchmark is not None else None
        mail = notice is not None and response is not None and response.started_on != notice
        kwargs.setdefault(
            "initial",
            {
                "notice_date": notice,
                "delivery": RecordOfficeActionForm.Delivery.MAIL
                if mail
                else RecordOfficeActionForm.Delivery.ELECTRONIC,
            },
        )
        super().__init__(*args, case=case, **kwargs)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("period_days") is not None and cleaned.get("due") is not None:
            self.add_error("due", _("Give either a response period or a due date, not both."))
        delivery = cleaned.pop("delivery", RecordOfficeActionForm.Delivery.ELECTRONIC)
        cleaned["electronic"] = delivery != RecordOfficeActionForm.Delivery.MAIL
        return cleaned


class CorrectGrantNoticeForm(CnipaCorrectionForm):
    notice_date = RecordGrantNoticeForm.base_fields["notice_date"]
    received_on = RecordGrantNoticeForm.base_fields["received_on"]
    field_order = ["notice_date", "received_on", "note"]

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {"notice_date": case.grant_notice_date, "received_on": case.grant_notice_received_on},
        )
        super().__init__(*args, case=case, **kwargs)


TRANSITION_FORMS: dict[str, type[TransitionForm]] = {
    "record_registration": RecordRegistrationForm,
    "accept": AcceptForm,
    "request_correction": RequestCorrectionForm,
    "receive_correction": ReceiveCorrectionForm,
    "record_filing": RecordFilingForm,
    "record_office_action": RecordOfficeActionForm,
    "record_response": RecordResponseForm,
    "record_grant_notice": RecordGrantNoticeForm,
    "lapse": LapseForm,
}


def accepts(service: Callable[..., Any], parameter: str) -> bool:
    return parameter in inspect.signature(service).parameters


def transition_form(
    name: str,
    *,
    case: Case,
    data: Any = None,
    files: Any = None,
    initial: dict[str, Any] | None = None,
) -> TransitionForm:
    """The form for transition ``name`` of ``case`` (bound when ``data`` is given)."""
    form_class = TRANSITION_FORMS.get(name, TransitionForm)
    return form_class(data, files, case=case, name=name, initial=initial)


def form_error_messages(form: forms.Form) -> list[str]:
    """Every error of a bound form, each naming its field."""
    result = []
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else None
        result.extend(f"{label}: {error}" if label else str(error) for error in errors)
    return result


# Documents -------------------------------------------------------------------------


class DocumentForm(forms.Form):
    """Attach a document to a case (``services.case_add_document``)."""

    kind = forms.ChoiceField(
        label=capfirst(_("kind")), choices=[("", "---------"), *UPLOADED_CHOICES]
    )
    file = forms.FileField(
        label=capfirst(_("file")),
        help_text=_("PDF; design views and supporting documents may also be PNG or JPEG."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_document_%s")
        super().__init__(*args, **kwargs)


class ConsistencyForm(forms.Form):
    """Per part of the qualified application: which stored version was filed with
    CNIPA, or the file as filed, or "not filed"; nothing is chosen for staff."""

    NOT_FILED = "none"

    def __init__(self, *args: Any, case: Case, qualified: dict[str, Any], **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_consistency_%s")
        super().__init__(*args, **kwargs)
        self.case = case
        self.kinds = list(qualified)
        versions: dict[str, list[Any]] = {}
        for document in case.documents.filter(kind__in=self.kinds).order_by("version"):
            versions.setdefault(document.kind, []).append(document)
        self.versions = {d.pk: d for docs in versions.values() for d in docs}
        for kind, version in qualified.items():
            label = DocumentKind(kind).label
            self.fields[f"version_{kind}"] = forms.ChoiceField(
                label=label,
                required=False,
                choices=[
                    ("", _("— choose —")),
                    *[
                        (
                            str(d.pk),
                            _("version %(version)s (qualified)") % {"version": d.version}
                            if d.pk == version.pk
                            else _("version %(version)s") % {"version": d.version},
                        )
                        for d in versions.get(kind, [])
                    ],
                    (self.NOT_FILED, _("not filed with CNIPA")),
                ],
            )
            self.fields[f"file_{kind}"] = forms.FileField(
                label=_("or the file as filed"), required=False
            )

    def rows(self) -> list[tuple[Any, Any]]:
        return [(self[f"version_{kind}"], self[f"file_{kind}"]) for kind in self.kinds]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        filed: dict[str, Any] = {}
        for kind in self.kinds:
            upload = cleaned.get(f"file_{kind}")
            choice = cleaned.get(f"version_{kind}")
            if upload:
                filed[kind] = upload
            elif choice == self.NOT_FILED:
                filed[kind] = None
            elif choice:
                filed[kind] = self.versions[int(choice)]
            else:
                self.add_error(
                    f"version_{kind}",
                    _(
                        "Say which version was filed, upload the filed file, or say it was not filed."
                    ),
                )
        return {"filed": filed}


class NoticeCorrectionForm(forms.Form):
    message = forms.CharField(
        label=capfirst(_("corrected message to the applicant")),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The corrected notice replaces this one and names it; it is e-mailed."),
    )


class AssignForm(forms.Form):
    examiner = StaffChoiceField(
        label=capfirst(_("examiner")),
        queryset=User.objects.none(),
        required=False,
        empty_label=capfirst(_("(nobody)")),
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_assign_%s")
        super().__init__(*args, **kwargs)
        self.fields["examiner"].queryset = examiners_of(case.center_id)
        self.fields["examiner"].initial = case.examiner_id


# Entities -----------------------------------------------------------------------------


class EntityForm(forms.ModelForm):
    """The credit code is normalised (full-width, spaces, hyphens) before it is validated."""

    credit_code = forms.CharField(
        label=capfirst(_("unified social credit code")),
        max_length=64,
        help_text=_("18 characters; spaces, hyphens and full-width characters are tidied."),
    )

    class Meta:
        model = Entity
        # The registration state and note change only through services.entity_transition.
        fields = [
            "center",
            "name",
            "credit_code",
            "address",
            "contact_name",
            "contact_email",
            "contact_phone",
            "contact_language",
        ]

    def clean_credit_code(self) -> str:
        return normalize_credit_code(self.cleaned_data["credit_code"])


class EntityTransitionForm(forms.Form):
    note = forms.CharField(
        label=capfirst(_("note")),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Appended to the registration note (e.g. what material is missing)."),
    )
