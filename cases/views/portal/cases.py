"""The portal's reads: the case list, a case's page, its documents, the notices inbox.

Every read goes through ``cases.selectors.portal``: a case, document or notice outside
the user's scope raises ``DoesNotExist``, answered as 404 like one that does not exist.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from cases.choices import RegistrationState
from cases.models import Case, CaseDocument, Notice
from cases.selectors import portal as selectors
from cases.selectors.status import case_status, status_case
from cases.services import portal as services
from cases.services.notices import notice_pdf
from cases.views.downloads import document_response
from cases.views.portal import portal_view
from cases.views.portal.forms import CaseListFilterForm
from cases.workflow import TRANSITION_PERMISSIONS

# What the applicant may report or do on a case page, by state, in the order shown.
ACTIONS_BY_STATE: dict[str, tuple[str, ...]] = {
    "submitted": ("withdraw",),
    "under_review": ("withdraw",),
    "correction_requested": ("receive_correction", "withdraw"),
    "qualified": ("record_filing", "withdraw"),
    "filed": ("record_office_action", "record_grant_notice"),
    "office_action": ("record_response",),
}


@require_safe
@portal_view
def home(request: HttpRequest) -> HttpResponse:
    account = request.portal_account
    if account.entity_id is None and account.agency_id is None:
        return redirect("portal:registration")
    return redirect("portal:case_list")


@require_safe
@portal_view
def case_list(request: HttpRequest) -> HttpResponse:
    form = CaseListFilterForm(request.GET or None)
    filters = selectors.CaseListFilters()
    if form.is_valid():
        filters = selectors.CaseListFilters(
            state=form.cleaned_data["state"],
            owed=form.cleaned_data["owed"],
            open_only=form.cleaned_data["open"],
            query=form.cleaned_data["q"],
        )
    page = Paginator(selectors.portal_case_list(request.user, filters), 50).get_page(
        request.GET.get("page")
    )
    owed = selectors.owed_deadlines([case.pk for case in page])
    rows = [(case, owed.get(case.pk)) for case in page]
    account = request.portal_account
    entity = account.entity
    return render(
        request,
        "cases/portal/case_list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "today": timezone.localdate(),
            "entity": entity,
            "drafts": selectors.portal_drafts_for(request.user),
            "may_submit": (
                entity is not None and entity.registration_state == RegistrationState.APPROVED
            )
            or account.agency_id is not None,
            "unread": selectors.portal_unread_count(request.user),
        },
    )


def _case_or_404(request: HttpRequest, reference: str) -> Case:
    try:
        return selectors.portal_case(request.user, reference)
    except Case.DoesNotExist:
        raise Http404 from None


def case_actions(request: HttpRequest, case: Case) -> list[str]:
    """The actions the page offers: those of the state the user may take on this case."""
    return [
        name
        for name in ACTIONS_BY_STATE.get(case.state, ())
        if request.user.has_perm(TRANSITION_PERMISSIONS[name], case)
    ]


@require_safe
@portal_view
def case_detail(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case_or_404(request, reference)
    status = case_status(case=status_case(case.pk), today=timezone.localdate())
    notices = list(
        selectors.portal_notices_for(request.user).filter(case=case).order_by("issued_at", "id")
    )
    return render(
        request,
        "cases/portal/case_detail.html",
        {
            "case": case,
            "status": status,
            "documents": selectors.portal_case_documents(case),
            "notices": notices,
            "correction": selectors.portal_correction_request(case),
            "actions": case_actions(request, case),
        },
    )


@require_safe
@portal_view
def document_download(request: HttpRequest, reference: str, document_id: int) -> HttpResponse:
    try:
        document = selectors.portal_document(request.user, reference, document_id)
    except CaseDocument.DoesNotExist:
        raise Http404 from None
    notice = Notice.objects.filter(document=document).first()
    if notice is not None:
        services.notice_mark_read(user=request.user, notice=notice)
    return document_response(document)


@require_safe
@portal_view
def notice_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.portal_notices_for(request.user), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "cases/portal/notice_list.html", {"page": page})


@require_safe
@portal_view
def notice_download(request: HttpRequest, notice_id: int) -> HttpResponse:
    try:
        notice = selectors.portal_notice(request.user, notice_id)
    except Notice.DoesNotExist:
        raise Http404 from None
    services.notice_mark_read(user=request.user, notice=notice)
    return document_response(notice_pdf(notice=notice.pk))
