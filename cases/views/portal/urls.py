"""The applicants' portal, ``/portal/`` (its accounts are allauth's, ``/portal/accounts/``)."""

from __future__ import annotations

from django.urls import URLPattern, path

from cases.views.portal import actions, cases, connect, registration, submission, webhooks

app_name = "portal"

urlpatterns: list[URLPattern] = [
    path("", cases.home, name="home"),
    path("cases/", cases.case_list, name="case_list"),
    path("cases/<str:reference>/", cases.case_detail, name="case_detail"),
    path(
        "cases/<str:reference>/documents/<int:document_id>/",
        cases.document_download,
        name="document_download",
    ),
    path("cases/<str:reference>/correction/", actions.correction, name="correction"),
    path("cases/<str:reference>/report/<str:name>/", actions.report, name="report"),
    path("cases/<str:reference>/withdraw/", actions.withdraw, name="withdraw"),
    path("notices/", cases.notice_list, name="notice_list"),
    path("notices/<int:notice_id>/", cases.notice_download, name="notice_download"),
    path("registration/", registration.registration, name="registration"),
    path("agencies/", registration.agencies, name="agencies"),
    path("members/", registration.members, name="members"),
    path("connect/", connect.connect, name="connect"),
    path("webhooks/", webhooks.webhook_list, name="webhooks"),
    path("webhooks/<int:endpoint_id>/", webhooks.webhook_detail, name="webhook_detail"),
    path("submit/", submission.draft_edit, name="submit"),
    path("submit/<int:draft_id>/", submission.draft_edit, name="draft_edit"),
]
