"""The API's views: parse the request, call one selector or service, answer.

Reads start from the caller's scope (``cases.selectors.api``); writes call the same
services as the admin, with the admin's own forms for their inputs, as
``Actor.api(user)``.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder
from rest_framework.views import APIView

from cases import services
from cases.actors import Actor
from cases.api import serializers as api
from cases.api.errors import domain_error_response, form_errors_response
from cases.api.idempotency import idempotent
from cases.choices import CaseState, PatentType
from cases.errors import DomainError
from cases.forms import CaseAddForm, examiners_of, transition_form
from cases.models import CalendarFeed, Notice
from cases.permissions import user_center_id
from cases.selectors import api as scope
from cases.services.notices import notice_pdf
from cases.views.downloads import document_response

ERRORS = {
    400: OpenApiResponse(api.ErrorSerializer, description="Bad input or a failed condition."),
    403: OpenApiResponse(api.ErrorSerializer, description="Not allowed."),
    404: OpenApiResponse(description="No such case, or not yours to see."),
    409: OpenApiResponse(api.ErrorSerializer, description="Not possible in the case's state."),
    422: OpenApiResponse(description="The Idempotency-Key was used for another request."),
}
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    description="A retried request with the same key gets the first answer again.",
)


class CaseFilters(serializers.Serializer):
    state = serializers.MultipleChoiceField(choices=CaseState.choices, required=False)
    patent_type = serializers.ChoiceField(choices=PatentType.choices, required=False)
    center = serializers.CharField(required=False, help_text="The center's code.")
    entity = serializers.IntegerField(required=False)
    examiner = serializers.IntegerField(required=False)
    due_before = serializers.DateField(required=False)
    at_risk = serializers.BooleanField(required=False, allow_null=True, default=None)
    overdue = serializers.BooleanField(required=False, allow_null=True, default=None)
    updated_since = serializers.DateTimeField(
        required=False,
        help_text="Cases changed at or after this time, oldest change first: keep the "
        "last `updated_at` you saw and ask again.",
    )


def _filters(request: Request) -> dict[str, Any]:
    data: dict[str, Any] = {
        key: request.query_params.get(key) for key in request.query_params if key != "state"
    }
    states = request.query_params.getlist("state")
    if len(states) == 1 and "," in states[0]:
        states = states[0].split(",")
    if states:
        data["state"] = states
    parsed = CaseFilters(data=data)
    parsed.is_valid(raise_exception=True)
    return parsed.validated_data


class Localized:
    """Messages in the language the client asks for (``Accept-Language``, else the
    language cookie), Simplified Chinese by default: programs have no language switch."""

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        if request.headers.get("Accept-Language"):
            translation.activate(translation.get_language_from_request(request._request))
        super().initial(request, *args, **kwargs)  # type: ignore[misc]


def _api_actor(request: Request) -> Actor:
    return Actor.api(request.user)


class CaseListView(Localized, generics.GenericAPIView):
    """Cases you may see, newest submission first; with ``updated_since``, oldest change
    first."""

    serializer_class = api.CaseSerializer

    def cursor_ordering(self, request: Request) -> str:
        return "updated_at" if request.query_params.get("updated_since") else "-submitted_at"

    @extend_schema(parameters=[CaseFilters], responses=api.CaseSerializer(many=True))
    def get(self, request: Request) -> Response:
        filters = _filters(request)
        cases = scope.case_list_api(
            request.user,
            state=list(filters.get("state") or []),
            patent_type=filters.get("patent_type", ""),
            center=filters.get("center", ""),
            entity_id=filters.get("entity"),
            examiner_id=filters.get("examiner"),
            due_before=filters.get("due_before"),
            at_risk=filters.get("at_risk"),
            overdue=filters.get("overdue"),
            updated_since=filters.get("updated_since"),
        )
        page = self.paginate_queryset(cases)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        request=api.CaseSubmitSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: api.CaseDetailSerializer, **ERRORS},
        description="Register a case (intake), as the admin's add form does. The answer "
        "carries the applicant's access code, shown this once.",
    )
    @idempotent
    def post(self, request: Request) -> Response:
        form = CaseAddForm(data=request.data)
        center_id = None if request.user.is_superuser else user_center_id(request.user)
        form.fields["entity"].queryset = scope.api_entities(request.user).approved()
        form.fields["examiner"].queryset = examiners_of(center_id)
        if not form.is_valid():
            return form_errors_response(form.errors)
        data = form.cleaned_data
        try:
            case = services.case_submit(
                actor=_api_actor(request),
                entity=data["entity"],
                patent_type=data["patent_type"],
                title=data["title"],
                classification=data["classification"],
                examiner=data.get("examiner"),
                note=data.get("note", ""),
            )
        except DomainError as error:
            return domain_error_response(error)
        body = dict(_detail(request, case.reference))
        body["access_code"] = case.issued_access_code
        return Response(body, status=status.HTTP_201_CREATED)


def _detail(request: Request, reference: str) -> dict[str, Any]:
    case = scope.case_detail_api(request.user, reference=reference)
    if case is None:
        raise Http404(_("No such case."))
    context = {"request": request, "internal": scope.sees_internal(request.user)}
    return api.CaseDetailSerializer(case, context=context).data


class CaseDetailView(Localized, APIView):
    @extend_schema(responses={200: api.CaseDetailSerializer, 404: ERRORS[404]})
    def get(self, request: Request, reference: str) -> Response:
        """A case with its clocks and the events you may see."""
        return Response(_detail(request, reference))


class CaseTransitionView(Localized, APIView):
    @extend_schema(
        request=api.TransitionSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={200: api.CaseDetailSerializer, **ERRORS},
        description="Take a transition (accept, decline, request_correction, "
        "receive_correction, qualify, disqualify, record_filing, record_office_action, "
        "record_response, record_grant_notice, record_rejection, record_fast_track_exit, "
        "record_registration, lapse, withdraw) with its admin form's inputs.",
    )
    @idempotent
    def post(self, request: Request, reference: str, name: str) -> Response:
        if name not in services.SERVICES:
            raise Http404(_("No such transition."))
        case = scope.case_for_write_api(request.user, reference=reference)
        if case is None:
            raise Http404(_("No such case."))
        form = transition_form(name, case=case, data=request.data, files=request.FILES)
        if not form.is_valid():
            return form_errors_response(form.errors)
        try:
            services.SERVICES[name](case=case.pk, actor=_api_actor(request), **form.cleaned_data)
        except DomainError as error:
            return domain_error_response(error)
        return Response(_detail(request, reference))


class EventFilters(serializers.Serializer):
    case = serializers.CharField(required=False, help_text="A case's reference.")
    after = serializers.IntegerField(required=False, help_text="Events after this id.")


class EventListView(Localized, generics.GenericAPIView):
    """Case events you may see, in the order they were written (sync with ``after``)."""

    serializer_class = api.CaseEventSerializer

    def cursor_ordering(self, request: Request) -> str:
        return "id"

    @extend_schema(parameters=[EventFilters])
    def get(self, request: Request) -> Response:
        filters = EventFilters(data=request.query_params)
        filters.is_valid(raise_exception=True)
        events = scope.api_events(request.user).select_related("case", "actor")
        if filters.validated_data.get("case"):
            events = events.filter(case__reference=filters.validated_data["case"])
        if filters.validated_data.get("after") is not None:
            events = events.filter(id__gt=filters.validated_data["after"])
        page = self.paginate_queryset(events)
        context = {"request": request, "internal": scope.sees_internal(request.user)}
        return self.get_paginated_response(
            api.CaseEventSerializer(page, many=True, context=context).data
        )


class DocumentListView(Localized, generics.GenericAPIView):
    """Documents (every version) of the cases you may see."""

    serializer_class = api.DocumentSerializer

    @extend_schema(parameters=[OpenApiParameter("case", str, description="A case's reference.")])
    def get(self, request: Request) -> Response:
        documents = scope.api_documents(request.user).select_related("case")
        if request.query_params.get("case"):
            documents = documents.filter(case__reference=request.query_params["case"])
        page = self.paginate_queryset(documents)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class DocumentDownloadView(Localized, APIView):
    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, 404: None})
    def get(self, request: Request, pk: int) -> Any:
        """The stored file, as it was uploaded."""
        document = scope.api_documents(request.user).select_related("case").filter(pk=pk).first()
        if document is None or not request.user.has_perm("cases.view_case", document.case):
            raise Http404(_("No such document."))
        return document_response(document)


class NoticeDownloadView(Localized, APIView):
    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY, 404: None})
    def get(self, request: Request, pk: int) -> Any:
        """A notice of the center as a PDF: the same file the applicant was sent."""
        notice = Notice.objects.filter(pk=pk, case__in=scope.api_cases(request.user)).first()
        if notice is None or not request.user.has_perm("cases.view_case", notice.case):
            raise Http404(_("No such notice."))
        return document_response(notice_pdf(notice=notice.pk))


class EntityListView(Localized, generics.ListAPIView):
    """Registered entities you may see."""

    serializer_class = api.EntitySerializer

    def get_queryset(self) -> Any:
        return scope.api_entities(self.request.user).select_related("center")


class EntityDetailView(Localized, generics.RetrieveAPIView):
    serializer_class = api.EntitySerializer

    def get_queryset(self) -> Any:
        return scope.api_entities(self.request.user).select_related("center")


class DashboardView(Localized, APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("start", OpenApiTypes.DATE),
            OpenApiParameter("end", OpenApiTypes.DATE),
            OpenApiParameter("center", int, description="Superusers: a center's id."),
            OpenApiParameter("patent_type", str),
            OpenApiParameter("field", str, description="A classification prefix."),
            OpenApiParameter("examiner", int),
        ],
        responses={200: OpenApiTypes.OBJECT, 403: None},
    )
    def get(self, request: Request) -> Response:
        """The turnaround dashboard's figures (managers), with the dashboard's filters."""
        from cases.selectors.dashboard import dashboard_figures
        from cases.views.dashboard import may_view_dashboard
        from cases.views.dashboard.forms import DashboardFilterForm

        if not may_view_dashboard(request.user):
            raise PermissionDenied(_("The dashboard is for managers."))
        today = timezone.localdate()
        form = DashboardFilterForm(request.query_params, user=request.user, today=today)
        if not form.is_valid():
            return form_errors_response(form.errors)
        figures = dashboard_figures(form.filters(), today=today)
        return Response(json.loads(json.dumps(dataclasses.asdict(figures), cls=JSONEncoder)))


class CalendarFeedSerializer(serializers.Serializer):
    scope = serializers.ChoiceField(choices=CalendarFeed.Scope.choices)


class CalendarFeedResetView(Localized, APIView):
    @extend_schema(
        request=CalendarFeedSerializer,
        responses={201: OpenApiTypes.OBJECT, 400: api.ErrorSerializer},
    )
    def post(self, request: Request) -> Response:
        """A new secret iCal URL (``mine``: your cases; ``center``: managers, the whole
        center's). Shown this once; the previous URL stops working."""
        from django.urls import reverse

        from cases.services.api_tokens import calendar_feed_reset

        data = CalendarFeedSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        feed_scope = data.validated_data["scope"]
        if not scope.is_center_staff(request.user):
            raise PermissionDenied(_("Calendar feeds are for the center's staff."))
        if feed_scope == CalendarFeed.Scope.CENTER and not request.user.has_perm(
            "cases.view_dashboard"
        ):
            raise PermissionDenied(_("The center's calendar is for managers."))
        token = calendar_feed_reset(user=request.user, scope=feed_scope)
        url = request.build_absolute_uri(reverse("api:calendar-feed", args=[token]))
        return Response({"scope": feed_scope, "url": url}, status=status.HTTP_201_CREATED)
