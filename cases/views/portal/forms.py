"""The portal's forms: labels, help and errors at each field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.choices import Language, PatentType
from cases.models import Center


class RegistrationForm(forms.Form):
    center = forms.ModelChoiceField(
        label=_("Protection center"), queryset=Center.objects.all(), empty_label=None
    )
    name = forms.CharField(label=_("Entity name"), max_length=200)
    credit_code = forms.CharField(
        label=_("Unified social credit code"),
        max_length=30,
        help_text=_("18 characters, as on the business licence, e.g. 91310000MA1K000000."),
    )
    address = forms.CharField(label=_("Registered address"), max_length=300)
    contact_name = forms.CharField(label=_("Contact person"), max_length=100)
    contact_email = forms.EmailField(label=_("Contact e-mail"))
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=50, required=False)
    contact_language = forms.ChoiceField(
        label=_("Language of the center's e-mails"), choices=Language.choices
    )
    licence = forms.FileField(
        label=_("Business licence"),
        help_text=_("A PDF, or a PNG or JPEG scan, at most 20 MB."),
    )
    note = forms.CharField(
        label=_("Note to the center"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What you changed, when resubmitting."),
    )

    def __init__(self, *args: Any, resubmit: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if resubmit:
            del self.fields["center"]
            self.fields["licence"].required = False
            self.fields["licence"].help_text = _(
                "Upload a new one only if the center asked for it (PDF, PNG or JPEG)."
            )
        else:
            del self.fields["note"]


class CaseDraftForm(forms.Form):
    patent_type = forms.ChoiceField(
        label=_("Patent type"), choices=[("", "—"), *PatentType.choices], required=False
    )
    title = forms.CharField(
        label=_("Title of the invention or design"), max_length=300, required=False
    )
    classification = forms.CharField(
        label=_("Main classification"),
        max_length=40,
        required=False,
        help_text=_("Main IPC class (e.g. C08K 3/04), or Locarno class for designs (e.g. 14-02)."),
    )
    not_pct_national_phase = forms.BooleanField(
        label=_("This is not a PCT national-phase application"), required=False
    )
    not_divisional = forms.BooleanField(
        label=_("This is not a divisional application"), required=False
    )


class CorrectionForm(forms.Form):
    note = forms.CharField(
        label=_("Note to the examiner"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What you changed."),
    )


class FilingReportForm(forms.Form):
    application_number = forms.CharField(
        label=_("CNIPA application number"),
        max_length=30,
        help_text=_("As on the CNIPA receipt, e.g. 202610987654.0."),
    )
    filing_date = forms.DateField(
        label=_("Filing date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    receipt = forms.FileField(
        label=_("CNIPA receipt (受理通知书)"), required=False, help_text=_("PDF or image.")
    )


class OfficeActionReportForm(forms.Form):
    notice_date = forms.DateField(
        label=_("Date of the office action"), widget=forms.DateInput(attrs={"type": "date"})
    )
    due = forms.DateField(
        label=_("Response due (as printed on the notice)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty to count the default period."),
    )
    notice = forms.FileField(label=_("The office action"), required=False)


class ResponseReportForm(forms.Form):
    responded_on = forms.DateField(
        label=_("Date of your response"), widget=forms.DateInput(attrs={"type": "date"})
    )


class GrantNoticeReportForm(forms.Form):
    notice_date = forms.DateField(
        label=_("Date of the grant notice"), widget=forms.DateInput(attrs={"type": "date"})
    )
    received_on = forms.DateField(
        label=_("Received on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    notice = forms.FileField(label=_("The grant notice"), required=False)


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you withdraw the case?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )
    confirm = forms.BooleanField(
        label=_("I understand that a withdrawn case cannot be resumed."), required=True
    )


class CaseListFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    state = forms.ChoiceField(label=_("State"), required=False)
    owed = forms.BooleanField(label=_("Only cases waiting for us"), required=False)
    open = forms.BooleanField(label=_("Only open cases"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from cases.choices import CaseState

        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", _("All states")), *CaseState.choices]


class AgencyAuthoriseForm(forms.Form):
    agency_code = forms.CharField(label=_("Agency code"), max_length=10)
    power_of_attorney = forms.FileField(
        label=_("Power of attorney (optional)"), required=False, help_text=_("PDF or image.")
    )


class MemberAddForm(forms.Form):
    email = forms.EmailField(
        label=_("Colleague's e-mail"),
        help_text=_(
            "A colleague who has signed up is added now; anyone else is e-mailed an "
            "invitation and joins once they sign up and verify this address."
        ),
    )


def add_error(form: forms.Form, error: Any) -> None:
    """Put a service's refusal at its field when the form has it, else at the top."""
    field = getattr(error, "field", None)
    form.add_error(field if field in form.fields else None, str(error))
