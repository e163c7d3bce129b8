"""The case list and the case page.

Nothing here writes a case: registering goes through ``services.case_submit``, every
state change through ``services.SERVICES[name]`` and examiner assignment through
``services.case_assign``. The page's model fields are therefore all read-only (the
admin's "view" mode), and the actions are small forms posting to extra URLs:

- ``admin:cases_case_transition`` ``<id>/transition/<name>/`` (POST only)
- ``admin:cases_case_assign`` ``<id>/assign/`` (POST only)
- ``admin:cases_case_access_code`` ``<id>/access-code/`` (GET: a confirmation page;
  POST: issue a new access code)
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.options import IS_POPUP_VAR
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import DateField, Exists, F, OuterRef, QuerySet, Value
from django.db.models.functions import Coalesce, TruncDate
from django.forms import Form
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
)
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cases import services, workflow
from cases.actors import Actor
from cases.admin.bulk import CaseBulkActionsAdmin
from cases.admin.case_page import (
    CNIPA_CORRECTIONS,
    case_page_context,
    cnipa_correction_offered,
    may_assign,
    may_correct_cnipa,
)
from cases.admin.documents import CaseDocumentsAdmin, InconsistentFilter
from cases.admin.filters import (
    DeadlineFilter,
    ExaminerFilter,
    FieldPrefixFilter,
    QueueFilter,
    ReachedStepFilter,
    SubmittedRangeFilter,
)
from cases.admin.paginator import CappedCountPaginator
from cases.admin.scoping import staff_center_id
from cases.appnumbers import ApplicationNumberError, parse_application_number
from cases.choices import Channel
from cases.errors import DomainError, InvalidInput
from cases.forms import (
    AssignForm,
    CaseAddForm,
    CaseDetailsForm,
    StaffChoiceField,
    examiners_of,
    form_error_messages,
    transition_form,
)
from cases.models import Case, CaseEvent, Entity
from cases.people import staff_display_name, staff_label
from cases.selectors import queue
from cases.services.clocks import applicant_timer
from cases.services.details import may_edit_details
from cases.templatetags.case_badges import next_due_badge, state_badge, state_label

# Transitions whose form leads to a confirmation page before the step is taken: they end
# the case against the applicant, who cannot undo it.
CONFIRMED_TRANSITIONS = frozenset({"lapse"})

# The id of the case page's history section (templates/admin/cases/case/change_form.html).
HISTORY_ANCHOR = "case-history"


def domain_error_message(error: DomainError, form: Form | None = None) -> str:
    """The service's message, naming the field when the error is about one."""
    if isinstance(error, InvalidInput) and error.field and form is not None:
        field = form.fields.get(error.field)
        if field is not None and field.label:
            return f"{field.label}: {error}"
    return str(error)


def application_number_searched(term: str) -> str | None:
    """The stored form of an application number pasted into the search box, if it is one.

    Parsed as the filing form parses it (``CN 2026 1 0987654.0``, ``ZL202610987654.0``,
    ``2026109876540``, full-width digits all give ``202610987654.0``); None otherwise.
    """
    try:
        return str(parse_application_number(term))
    except ApplicationNumberError:
        return None


class CaseChangeList(ChangeList):
    """The page's cases carry their next due clock (``selectors.queue.with_next_due``)."""

    def get_results(self, request: HttpRequest) -> None:
        super().get_results(request)
        self.result_list = queue.with_next_due(list(self.result_list), today=timezone.localdate())


@admin.register(Case)
class CaseAdmin(CaseBulkActionsAdmin, CaseDocumentsAdmin, admin.ModelAdmin):
    form = CaseAddForm
    list_display = (
        "reference",
        "title",
        "entity",
        "patent_type",
        "state_column",
        "examiner_column",
        "days_since_submission",
        "next_due_column",
        "online_column",
    )
    list_display_links = ("reference", "title")
    list_select_related = ("center", "entity", "examiner")
    search_fields = (
        "reference",
        "title",
        "application_number",
        "entity__name",
        "entity__credit_code",
    )
    search_help_text = _(
        "Reference, title, CNIPA application number (as printed, e.g. ZL 2026 1 0987654.0, "
        "or pasted), applicant name or credit code."
    )
    autocomplete_fields = ("entity",)
    list_per_page = 50
    # get_absolute_url is this page; there is no public page per case to link to.
    view_on_site = False
    # A count over the whole table on every page is the slow part at a million cases.
    show_full_result_count = False
    # And the filtered list is counted up to a cap (cases/admin/paginator.py).
    paginator = CappedCountPaginator
    add_fieldsets = (
        (
            None,
            {"fields": ("entity", "patent_type", "title", "classification", "examiner", "note")},
        ),
    )
    fieldsets = (
        (
            None,
            {
                "fields": (
                    ("reference", "state_column"),
                    "title",
                    ("entity", "center"),
                    ("patent_type", "classification"),
                    "examiner_label",
                )
            },
        ),
        (
            _("CNIPA"),
            {
                "fields": (
                    ("application_number", "cnipa_filing_date"),
                    ("grant_notice_date", "grant_notice_received_on"),
                    ("benchmark_gross_days", "benchmark_net_days"),
                )
            },
        ),
        (
            _("Deadlines"),
            {
                "fields": (
                    ("next_due_column", "at_risk_since", "overdue_since"),
                    "calendar_estimated",
                )
            },
        ),
        (
            _("Dates"),
            {
                "classes": ("collapse",),
                "fields": (
                    ("submitted_at", "accepted_at"),
                    ("qualified_at", "closed_at"),
                    "updated_at",
                ),
            },
        ),
    )

    # Permissions: cases change only through the services; nothing is ever deleted.

    def has_change_permission(self, request: HttpRequest, obj: Case | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Case | None = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Case]:
        # Days from submission to the day the case closed, or to today while it is open,
        # both local dates: the list shows it and sorts on it.
        days_open = Coalesce(
            TruncDate("closed_at"), Value(timezone.localdate(), output_field=DateField())
        ) - TruncDate("submitted_at")
        # Whether the applicant acted in the portal (any event of the portal channel).
        online = Exists(CaseEvent.objects.filter(case=OuterRef("pk"), channel=Channel.PORTAL))
        return (
            super()
            .get_queryset(request)
            .for_user(request.user)
            .annotate(days_open=days_open, acted_online=online)
            .prefetch_related(queue.ticking_timers())
        )

    def get_ordering(self, request: HttpRequest) -> Any:
        # A queue is worked nearest due first; the list otherwise newest first.
        if request.GET.get(QueueFilter.parameter_name):
            return [F("next_due_on").asc(nulls_last=True), "pk"]
        return super().get_ordering(request)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Case], search_term: str
    ) -> tuple[QuerySet[Case], bool]:
        """Also find an application number pasted in any form the filing form accepts."""
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        number = application_number_searched(search_term)
        if number is not None:
            results = results | queryset.filter(application_number=number)
        return results, may_have_duplicates

    # The list.

    def get_list_filter(self, request: HttpRequest) -> list[Any]:
        filters: list[Any] = [
            QueueFilter,
            "state",
            "patent_type",
            ExaminerFilter,
            DeadlineFilter,
            SubmittedRangeFilter,
            FieldPrefixFilter,
            ReachedStepFilter,
            InconsistentFilter,
        ]
        if request.user.is_superuser:
            filters.append("center")
        return filters

    @admin.display(description=_("state"), ordering="state")
    def state_column(self, case: Case) -> str:
        return state_badge(case.state)

    @admin.display(description=_("examiner"), ordering="examiner__username")
    def examiner_column(self, case: Case) -> str:
        return staff_display_name(case.examiner) or "—"

    @admin.display(description=_("days since submission"), ordering="days_open")
    def days_since_submission(self, case: Case) -> int:
        """Days since submission; for a closed case, up to the day it closed."""
        days_open = getattr(case, "days_open", None)
        if days_open is not None:
            return days_open.days
        end = case.closed_at or timezone.now()
        return (timezone.localdate(end) - timezone.localdate(case.submitted_at)).days

    @admin.display(description=_("examiner"))
    def examiner_label(self, case: Case) -> str:
        return staff_label(case.examiner) or "—"

    @admin.display(description=_("next due date"), ordering="next_due_on")
    def next_due_column(self, case: Case) -> str:
        """The date and flags, then whose clock it is and what is left in its unit."""
        due = getattr(case, "next_due_info", None)
        if due is None and not hasattr(case, "next_due_info"):
            due = queue.next_due(case, today=timezone.localdate())
        return next_due_badge(case, due)

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return CaseChangeList

    @admin.display(description=_("online"), boolean=True)
    def online_column(self, case: Case) -> bool:
        """The applicant acted in the portal on this case."""
        return bool(getattr(case, "acted_online", False))

    # Registering a case: the add form calls services.case_submit.

    def get_fieldsets(self, request: HttpRequest, obj: Case | None = None) -> Any:
        return self.add_fieldsets if obj is None else self.fieldsets

    def get_readonly_fields(self, request: HttpRequest, obj: Case | None = None) -> Any:
        if obj is None:
            return ()
        return flatten_fieldsets(self.fieldsets)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        center_id = staff_center_id(request)
        if db_field.name == "entity":
            entities = Entity.objects.approved()
            if not request.user.is_superuser:
                entities = entities.filter(center_id=center_id)
            kwargs["queryset"] = entities
        elif db_field.name == "examiner":
            kwargs["queryset"] = examiners_of(center_id)
            kwargs["form_class"] = StaffChoiceField
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(
        self, request: HttpRequest, obj: Case | None = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change, **kwargs)
        entity = form.base_fields.get("entity")
        if entity is not None:
            # Only approved entities may file: a new one could not be picked yet.
            entity.widget.can_add_related = False
            entity.widget.can_change_related = False
        return form

    def save_model(self, request: HttpRequest, obj: Case, form: Any, change: bool) -> None:
        if change:
            raise PermissionDenied
        data = form.cleaned_data
        case = services.case_submit(
            actor=Actor.admin(request.user),
            entity=data["entity"],
            patent_type=data["patent_type"],
            title=data["title"],
            classification=data["classification"],
            examiner=data.get("examiner"),
            note=data.get("note", ""),
        )
        # The admin goes on to log and redirect with ``obj``: make it the saved case.
        # (The state is not copied: it is protected, and a new case is submitted anyway.)
        for model_field in Case._meta.concrete_fields:
            if model_field.attname != "state":
                setattr(obj, model_field.attname, getattr(case, model_field.attname))
        obj._state.adding = False
        obj._state.db = case._state.db
        obj.issued_access_code = case.issued_access_code

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """Nothing related to save: case_submit wrote everything."""

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        try:
            return super().add_view(request, form_url, extra_context)
        except DomainError as error:
            # Raised by case_submit inside the admin's transaction, which rolled back.
            self.message_user(request, domain_error_message(error), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def response_add(
        self, request: HttpRequest, obj: Case, post_url_continue: str | None = None
    ) -> HttpResponse:
        if IS_POPUP_VAR in request.POST or "_addanother" in request.POST:
            return super().response_add(request, obj, post_url_continue)
        self.message_user(
            request,
            gettext("Case %(reference)s registered.") % {"reference": obj.reference},
            messages.SUCCESS,
        )
        _announce_access_code(request, obj, obj.issued_access_code)
        return redirect("admin:cases_case_change", obj.pk)

    # The case page.

    def get_case(self, request: HttpRequest, object_id: str) -> Case:
        """The case if this user may see it; 404 otherwise (other centers' included)."""
        queryset = self.get_queryset(request).select_related("center", "entity", "examiner")
        try:
            case = queryset.get(pk=unquote(object_id))
        except (Case.DoesNotExist, ValueError, ValidationError) as error:
            raise Http404(gettext("No such case.")) from error
        if not self.has_view_permission(request, case):
            raise PermissionDenied
        return case

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        case = self.get_case(request, object_id)
        retry = request.session.pop(self._retry_key(case), None)
        context = {**case_page_context(request.user, case, retry=retry), **(extra_context or {})}
        return super().change_view(request, object_id, form_url, context)

    @staticmethod
    def _retry_key(case: Case) -> str:
        return f"pc-case-{case.pk}-retry"

    def _keep_for_retry(
        self, request: HttpRequest, case: Case, name: str, errors: dict[str, str] | None = None
    ) -> None:
        """Keep what was typed, so the page reopens the form filled in after an error, with
        the errors at their fields (the form's own, and ``errors`` from the service)."""
        data = {k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
        request.session[self._retry_key(case)] = {
            "name": name,
            "data": data,
            "errors": errors or {},
        }

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """The case's history is its events, on its page: Django's log of admin edits
        has nothing, since every change goes through a service."""
        case = self.get_case(request, object_id)
        return redirect(reverse("admin:cases_case_change", args=[case.pk]) + f"#{HISTORY_ANCHOR}")

    def get_urls(self) -> list[URLPattern]:
        info = self.opts.app_label, self.opts.model_name
        return [
            # First: "bulk/assign/" would otherwise be case "bulk"'s assign URL.
            *self.bulk_urls(),
            path(
                "<path:object_id>/transition/<str:name>/",
                self.admin_site.admin_view(self.transition_view),
                name="{}_{}_transition".format(*info),
            ),
            path(
                "<path:object_id>/access-code/",
                self.admin_site.admin_view(self.access_code_view),
                name="{}_{}_access_code".format(*info),
            ),
            path(
                "<path:object_id>/details/",
                self.admin_site.admin_view(self.details_view),
                name="{}_{}_details".format(*info),
            ),
            path(
                "<path:object_id>/assign/",
                self.admin_site.admin_view(self.assign_view),
                name="{}_{}_assign".format(*info),
            ),
            path(
                "<path:object_id>/application-number/",
                self.admin_site.admin_view(self.application_number_view),
                name="{}_{}_application_number".format(*info),
            ),
            path(
                "<path:object_id>/cnipa-correction/<str:name>/",
                self.admin_site.admin_view(self.cnipa_correction_view),
                name="{}_{}_cnipa_correction".format(*info),
            ),
            *self.document_urls(),
            *super().get_urls(),
        ]

    def transition_view(self, request: HttpRequest, object_id: str, name: str) -> HttpResponse:
        """Take transition ``name`` through its service; report the outcome as a message."""
        if name not in services.SERVICES:
            raise Http404(gettext("No such transition."))
        case = self.get_case(request, object_id)
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        form = transition_form(name, case=case, data=request.POST, files=request.FILES)
        if form.is_valid() and name in CONFIRMED_TRANSITIONS and "_confirmed" not in request.POST:
            return self.transition_confirmation(request, case, name, form)
        if form.is_valid():
            try:
                case = services.SERVICES[name](
                    case=case.pk, actor=Actor.admin(request.user), **form.cleaned_data
                )
            except DomainError as error:
                messages.error(request, domain_error_message(error, form))
                at_field = isinstance(error, InvalidInput) and error.field in form.fields
                self._keep_for_retry(
                    request, case, name, errors={error.field: str(error)} if at_field else None
                )
            else:
                messages.success(
                    request,
                    gettext("“%(action)s” done: the case is now “%(state)s”.")
                    % {
                        "action": workflow.TRANSITION_LABELS.get(name, name),
                        "state": state_label(case.state),
                    },
                )
        else:
            for message in form_error_messages(form):
                messages.error(request, message)
            self._keep_for_retry(request, case, name)
        return redirect("admin:cases_case_change", case.pk)

    def transition_confirmation(
        self, request: HttpRequest, case: Case, name: str, form: Form
    ) -> HttpResponse:
        """What the step will do, with the typed input carried along; its POST (with
        ``_confirmed``) takes the step. Nothing is written until then."""
        timer = applicant_timer(case)
        today = timezone.localdate()
        return TemplateResponse(
            request,
            "admin/cases/case/transition_confirmation.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "original": case,
                "name": name,
                "label": workflow.TRANSITION_LABELS.get(name, name),
                "form": form,
                "applicant_timer": timer,
                "before_deadline": timer is not None and today <= timer.due_on,
                "title": gettext("Confirm: %(action)s")
                % {"action": workflow.TRANSITION_LABELS.get(name, name)},
            },
        )

    def access_code_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Issue a new access code (the old one and old status links stop working).

        GET asks for confirmation, since the applicant loses the code they hold; the
        confirmation page's POST issues the new code.
        """
        case = self.get_case(request, object_id)
        if request.method == "GET":
            if not request.user.has_perm("cases.reset_access_code", case):
                raise PermissionDenied
            return TemplateResponse(
                request,
                "admin/cases/case/access_code_confirmation.html",
                {
                    **self.admin_site.each_context(request),
                    "opts": self.opts,
                    "original": case,
                    "title": gettext("Issue a new access code"),
                },
            )
        if request.method != "POST":
            return HttpResponseNotAllowed(["GET", "POST"])
        try:
            code = services.case_reset_access_code(case=case.pk, actor=Actor.admin(request.user))
        except DomainError as error:
            messages.error(request, domain_error_message(error))
        else:
            _announce_access_code(request, case, code)
        return redirect("admin:cases_case_change", case.pk)

    def application_number_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Correct the CNIPA application number recorded (staff, or the applicant online)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        case = self.get_case(request, object_id)
        if not may_correct_cnipa(request.user, case):
            raise PermissionDenied
        try:
            services.case_correct_application_number(
                case=case.pk,
                actor=Actor.admin(request.user),
                application_number=request.POST.get("application_number", ""),
                note=request.POST.get("note", ""),
            )
        except DomainError as error:
            messages.error(request, domain_error_message(error))
        else:
            messages.success(request, gettext("The application number was corrected."))
        return redirect("admin:cases_case_change", case.pk)

    CNIPA_CORRECTION_SERVICES = {
        "filing_date": services.case_correct_filing_date,
        "office_action": services.case_correct_office_action,
        "grant_notice": services.case_correct_grant_notice,
    }
    CNIPA_CORRECTION_DONE = {
        "filing_date": _("The filing date was corrected; the benchmark counts from it."),
        "office_action": _("The office action was corrected; the response clock follows it."),
        "grant_notice": _("The grant notice was corrected; the registration clock follows it."),
    }

    def cnipa_correction_view(
        self, request: HttpRequest, object_id: str, name: str
    ) -> HttpResponse:
        """Correct a CNIPA date reported wrongly (``name``: filing_date, office_action,
        grant_notice) through its service; a refusal reopens the form, errors at fields."""
        if name not in CNIPA_CORRECTIONS:
            raise Http404(gettext("No such correction."))
        case = self.get_case(request, object_id)
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not may_correct_cnipa(request.user, case):
            raise PermissionDenied
        form = CNIPA_CORRECTIONS[name](request.POST, case=case, name=name)
        if not form.is_valid():
            for message in form_error_messages(form):
                messages.error(request, message)
            self._keep_for_retry(request, case, f"correct_{name}")
            return redirect("admin:cases_case_change", case.pk)
        try:
            self.CNIPA_CORRECTION_SERVICES[name](
                case=case.pk, actor=Actor.admin(request.user), **form.cleaned_data
            )
        except DomainError as error:
            messages.error(request, domain_error_message(error, form))
            at_field = isinstance(error, InvalidInput) and error.field in form.fields
            if cnipa_correction_offered(case, name):
                self._keep_for_retry(
                    request,
                    case,
                    f"correct_{name}",
                    errors={error.field: str(error)} if at_field else None,
                )
        else:
            messages.success(request, str(self.CNIPA_CORRECTION_DONE[name]))
        return redirect("admin:cases_case_change", case.pk)

    def details_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Correct title, classification, patent type or applicant (POST only)."""
        case = self.get_case(request, object_id)
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not may_edit_details(request.user, case):
            raise PermissionDenied
        form = CaseDetailsForm(request.POST, case=case)
        if form.is_valid():
            try:
                services.case_edit_details(
                    case=case.pk, actor=Actor.admin(request.user), **form.cleaned_data
                )
            except DomainError as error:
                messages.error(request, domain_error_message(error, form))
                at_field = isinstance(error, InvalidInput) and error.field in form.fields
                self._keep_for_retry(
                    request,
                    case,
                    "edit_details",
                    errors={error.field: str(error)} if at_field else None,
                )
            else:
                messages.success(request, gettext("Case details corrected."))
        else:
            for message in form_error_messages(form):
                messages.error(request, message)
            self._keep_for_retry(request, case, "edit_details")
        return redirect("admin:cases_case_change", case.pk)

    def assign_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        case = self.get_case(request, object_id)
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not may_assign(request.user, case):
            raise PermissionDenied
        form = AssignForm(request.POST, case=case)
        if form.is_valid():
            examiner = form.cleaned_data["examiner"]
            try:
                services.case_assign(
                    case=case.pk, actor=Actor.admin(request.user), examiner=examiner
                )
            except DomainError as error:
                messages.error(request, domain_error_message(error, form))
            else:
                messages.success(
                    request,
                    gettext("Examiner: %(name)s.") % {"name": staff_display_name(examiner) or "—"},
                )
        else:
            for message in form_error_messages(form):
                messages.error(request, message)
        return redirect("admin:cases_case_change", case.pk)


def _announce_access_code(request: HttpRequest, case: Case, code: str) -> None:
    """Show a new access code once; only its hash is kept, so it cannot be shown again."""
    messages.warning(
        request,
        gettext(
            "Access code for %(reference)s: %(code)s. Give it to the applicant now (put it "
            "on the acceptance notice); it will not be shown again. The applicant "
            "looks the case up at %(url)s."
        )
        % {
            "reference": case.reference,
            "code": code,
            "url": request.build_absolute_uri(reverse("cases:status_lookup")),
        },
    )
