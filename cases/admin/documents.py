"""The case page's documents and notices: attach, download, correct a notice.

Downloads are served by ``document_download_view`` and ``notice_download_view`` only, never from a storage URL: the
user must see the case (staff of other centers get 404, like the case page itself);
the file goes out as an attachment, with ``X-Content-Type-Options: nosniff`` so that no
browser renders an upload as a page, and is not cached.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import URLPattern, path
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cases import services
from cases.actors import Actor
from cases.admin.scoping import CenterScopedAdmin
from cases.choices import kind_labels
from cases.errors import DomainError
from cases.forms import ConsistencyForm, DocumentForm, NoticeCorrectionForm, form_error_messages
from cases.models import Case, CaseDocument, Notice, RequiredDocument
from cases.services.consistency import case_check_consistency, consistency_kinds
from cases.services.notices import notice_correct, notice_pdf
from cases.views.downloads import document_response

# The id of the documents section on the case page.
DOCUMENTS_ANCHOR = "case-documents"


class CaseDocumentsAdmin:
    """Mixed into ``CaseAdmin``: the views of the case page's documents and notices."""

    def get_case(self, request: HttpRequest, object_id: str) -> Case:  # CaseAdmin's
        raise NotImplementedError

    def document_urls(self) -> list[URLPattern]:
        admin_view = self.admin_site.admin_view  # type: ignore[attr-defined]
        return [
            path(
                "<path:object_id>/documents/add/",
                admin_view(self.add_document_view),
                name="cases_case_add_document",
            ),
            path(
                "<path:object_id>/documents/<int:document_id>/",
                admin_view(self.document_download_view),
                name="cases_case_document",
            ),
            path(
                "<path:object_id>/consistency/",
                admin_view(self.consistency_view),
                name="cases_case_consistency",
            ),
            path(
                "<path:object_id>/notices/<int:notice_id>/pdf/",
                admin_view(self.notice_download_view),
                name="cases_case_notice",
            ),
            path(
                "<path:object_id>/notices/<int:notice_id>/correct/",
                admin_view(self.notice_correct_view),
                name="cases_case_notice_correct",
            ),
        ]

    def _back(self, case: Case, anchor: str = DOCUMENTS_ANCHOR) -> HttpResponse:
        response = redirect("admin:cases_case_change", case.pk)
        response["Location"] += f"#{anchor}"
        return response

    def add_document_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        case = self.get_case(request, object_id)
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        form = DocumentForm(request.POST, request.FILES)
        if not form.is_valid():
            for message in form_error_messages(form):
                messages.error(request, message)
            return self._back(case)
        try:
            document = services.case_add_document(
                case=case.pk,
                kind=form.cleaned_data["kind"],
                file=form.cleaned_data["file"],
                actor=Actor.admin(request.user),
            )
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                gettext("%(kind)s version %(version)s added.")
                % {"kind": document.get_kind_display(), "version": document.version},
            )
        return self._back(case)

    def document_download_view(
        self, request: HttpRequest, object_id: str, document_id: int
    ) -> HttpResponse:
        """A document of a case this user may see; 404 for anything else."""
        case = self.get_case(request, object_id)
        if not request.user.has_perm("cases.view_case", case):
            raise Http404(gettext("No such document."))
        document = CaseDocument.objects.filter(case=case, pk=document_id).first()
        if document is None:
            raise Http404(gettext("No such document."))
        return document_response(document)

    def notice_download_view(
        self, request: HttpRequest, object_id: str, notice_id: int
    ) -> HttpResponse:
        """A notice's PDF (made now if nobody has needed it yet); 404 as for documents."""
        case = self.get_case(request, object_id)
        if not request.user.has_perm("cases.view_case", case):
            raise Http404(gettext("No such notice."))
        if not Notice.objects.filter(case=case, pk=notice_id).exists():
            raise Http404(gettext("No such notice."))
        return document_response(notice_pdf(notice=notice_id))

    def consistency_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        case = self.get_case(request, object_id)
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        form = ConsistencyForm(
            request.POST, request.FILES, case=case, qualified=consistency_kinds(case)
        )
        if not form.is_valid():
            for message in form_error_messages(form):
                messages.error(request, message)
            return self._back(case, "case-consistency")
        try:
            check = case_check_consistency(
                case=case.pk, actor=Actor.admin(request.user), filed=form.cleaned_data["filed"]
            )
        except DomainError as error:
            messages.error(request, str(error))
        else:
            if check.consistent:
                messages.success(
                    request, gettext("The filed documents are consistent with the qualified ones.")
                )
            else:
                messages.warning(
                    request,
                    gettext(
                        "The filed documents differ from the qualified ones: %(kinds)s. The "
                        "case is flagged; the fast-track exit below is filled in."
                    )
                    % {"kinds": kind_labels(check.differing_kinds)},
                )
        return self._back(case, "case-consistency")

    def notice_correct_view(
        self, request: HttpRequest, object_id: str, notice_id: int
    ) -> HttpResponse:
        case = self.get_case(request, object_id)
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        notice = Notice.objects.filter(case=case, pk=notice_id).first()
        if notice is None:
            raise Http404(gettext("No such notice."))
        form = NoticeCorrectionForm(request.POST)
        if not form.is_valid():
            for message in form_error_messages(form):
                messages.error(request, message)
            return self._back(case, "case-notices")
        try:
            new = notice_correct(
                notice=notice, actor=Actor.admin(request.user), message=form.cleaned_data["message"]
            )
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                gettext("Notice %(number)s issued; it replaces %(old)s.")
                % {"number": new.number, "old": notice.number},
            )
        return self._back(case, "case-notices")


@admin.register(RequiredDocument)
class RequiredDocumentAdmin(CenterScopedAdmin):
    """What a complete submission needs per patent type; center administrators edit it
    (a type with no rows needs the defaults)."""

    list_display = ("patent_type", "kind", "center")
    list_filter = ("patent_type", "kind")
    list_select_related = ("center",)
    fields = ("center", "patent_type", "kind")


class InconsistentFilter(admin.SimpleListFilter):
    """The manager's list of cases whose filed documents differ from the qualified ones."""

    title = _("filed documents")
    parameter_name = "filed_documents"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("differ", _("differ from the qualified ones"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Case]) -> QuerySet[Case]:
        if self.value() == "differ":
            return queryset.filter(inconsistent_since__isnull=False)
        return queryset
