"""What the applicant does on a case page: answer a correction, report the CNIPA steps,
withdraw. Each calls the service staff use, with ``Actor.portal(user)``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from cases.choices import DocumentKind
from cases.errors import DomainError
from cases.selectors import portal as selectors
from cases.services import case_receive_correction, case_withdraw
from cases.services import portal as services
from cases.views.portal import portal_view
from cases.views.portal.cases import _case_or_404, case_actions
from cases.views.portal.forms import (
    CorrectionForm,
    FilingReportForm,
    GrantNoticeReportForm,
    OfficeActionReportForm,
    ResponseReportForm,
    WithdrawForm,
    add_error,
)

# Each report: its form, the service's argument per form field, the attachment's field.
REPORT_FORMS: dict[str, tuple[type[forms.Form], dict[str, str], str | None, Any]] = {
    "record_filing": (
        FilingReportForm,
        {"application_number": "application_number", "filing_date": "filing_date"},
        "receipt",
        gettext_lazy("Report the CNIPA filing"),
    ),
    "record_office_action": (
        OfficeActionReportForm,
        {"notice_date": "notice_date", "due": "due"},
        "notice",
        gettext_lazy("Report an office action"),
    ),
    "record_response": (
        ResponseReportForm,
        {"responded_on": "responded_on"},
        None,
        gettext_lazy("Report your response to the office action"),
    ),
    "record_grant_notice": (
        GrantNoticeReportForm,
        {"notice_date": "notice_date", "received_on": "received_on"},
        "notice",
        gettext_lazy("Report the grant notice"),
    ),
}


@require_http_methods(["GET", "POST"])
@portal_view
def correction(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case_or_404(request, reference)
    if "receive_correction" not in case_actions(request, case):
        raise Http404
    asked = selectors.portal_correction_request(case)
    kinds = asked.kinds if asked is not None else []
    form = CorrectionForm(request.POST or None, request.FILES or None)
    for kind in kinds:
        form.fields[f"file_{kind}"] = forms.FileField(label=DocumentKind(kind).label, required=True)
    if request.method == "POST" and form.is_valid():
        documents = {kind: form.cleaned_data[f"file_{kind}"] for kind in kinds}
        try:
            case_receive_correction(
                case=case,
                actor=request.actor,
                note=form.cleaned_data["note"],
                documents=documents,
            )
        except DomainError as error:
            add_error(form, error)
        else:
            messages.success(request, _("Your correction was sent: the center resumes its review."))
            return redirect("portal:case_detail", reference=case.reference)
    return render(
        request,
        "cases/portal/correction.html",
        {"case": case, "form": form, "asked": asked},
    )


@require_http_methods(["GET", "POST"])
@portal_view
def report(request: HttpRequest, reference: str, name: str) -> HttpResponse:
    case = _case_or_404(request, reference)
    if name not in REPORT_FORMS or name not in case_actions(request, case):
        raise Http404
    form_class, arguments, attachment_field, title = REPORT_FORMS[name]
    form = form_class(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        values = {argument: form.cleaned_data[field] for field, argument in arguments.items()}
        try:
            services.portal_report(
                actor=request.actor,
                case=case,
                name=name,
                values=values,
                attachment=form.cleaned_data.get(attachment_field) if attachment_field else None,
            )
        except DomainError as error:
            add_error(form, error)
        else:
            messages.success(request, _("Thank you: the center has been told."))
            return redirect("portal:case_detail", reference=case.reference)
    return render(request, "cases/portal/report.html", {"case": case, "form": form, "title": title})


@require_http_methods(["GET", "POST"])
@portal_view
def withdraw(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case_or_404(request, reference)
    if "withdraw" not in case_actions(request, case):
        raise Http404
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        reason = form.cleaned_data["reason"]
        try:
            case_withdraw(case=case, actor=request.actor, note=reason, public_note=reason)
        except DomainError as error:
            add_error(form, error)
        else:
            messages.success(request, _("The case was withdrawn."))
            return redirect("portal:case_detail", reference=case.reference)
    return render(request, "cases/portal/withdraw.html", {"case": case, "form": form})
