"""The portal as staff see it: agencies, entities' authorisations (with the power of
attorney), portal accounts, yearly quotas and their use, registration licences."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from cases.admin.scoping import CenterScopedAdmin
from cases.models import (
    Agency,
    AgencyAuthorisation,
    PortalAccount,
    RegistrationLicence,
    SubmissionQuota,
)
from cases.permissions import user_center_id


def _file_response(field: Any, name: str, content_type: str | None = None) -> FileResponse:
    response = FileResponse(field.open("rb"), as_attachment=True, filename=name)
    if content_type:
        response["Content-Type"] = content_type
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "created_at")
    search_fields = ("name", "code")


class EntityScopedAdmin(CenterScopedAdmin):
    center_lookup = "entity__center_id"


@admin.register(AgencyAuthorisation)
class AgencyAuthorisationAdmin(EntityScopedAdmin):
    list_display = ("entity", "agency", "granted_at", "revoked_at", "power_of_attorney_link")
    list_filter = ("revoked_at",)
    list_select_related = ("entity", "agency")
    search_fields = ("entity__name", "entity__credit_code", "agency__name", "agency__code")
    readonly_fields = (
        "entity",
        "agency",
        "granted_by",
        "granted_at",
        "revoked_at",
        "revoked_by",
        "power_of_attorney_link",
    )
    exclude = ("power_of_attorney", "power_of_attorney_name")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # the entity grants it in the portal

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("power of attorney"))
    def power_of_attorney_link(self, obj: AgencyAuthorisation) -> str:
        if not obj.power_of_attorney:
            return "—"
        url = reverse("admin:cases_agencyauthorisation_download", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.power_of_attorney_name)

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<int:pk>/power-of-attorney/",
                self.admin_site.admin_view(self.download_view),
                name="cases_agencyauthorisation_download",
            ),
            *super().get_urls(),
        ]

    def download_view(self, request: HttpRequest, pk: int) -> FileResponse:
        obj = self.get_queryset(request).filter(pk=pk).first()
        if obj is None or not obj.power_of_attorney or not self.has_view_permission(request, obj):
            raise Http404
        return _file_response(obj.power_of_attorney, obj.power_of_attorney_name)


@admin.register(RegistrationLicence)
class RegistrationLicenceAdmin(EntityScopedAdmin):
    list_display = ("entity", "original_name", "uploaded_at", "download_link")
    list_select_related = ("entity",)
    search_fields = ("entity__name", "entity__credit_code")
    readonly_fields = (
        "entity",
        "original_name",
        "content_type",
        "size",
        "sha256",
        "uploaded_by",
        "uploaded_at",
        "download_link",
    )
    exclude = ("file", "channel")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("file"))
    def download_link(self, obj: RegistrationLicence) -> str:
        url = reverse("admin:cases_registrationlicence_download", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.original_name)

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<int:pk>/file/",
                self.admin_site.admin_view(self.download_view),
                name="cases_registrationlicence_download",
            ),
            *super().get_urls(),
        ]

    def download_view(self, request: HttpRequest, pk: int) -> FileResponse:
        obj = self.get_queryset(request).filter(pk=pk).first()
        if obj is None or not self.has_view_permission(request, obj):
            raise Http404
        return _file_response(obj.file, obj.original_name, obj.content_type)


def entity_licences_html(entity: Any) -> str:
    """The entity page's list of licences uploaded with its registration, newest first."""
    if entity is None or entity.pk is None:
        return "—"
    links = [
        format_html(
            '<a href="{}">{}</a> ({})',
            reverse("admin:cases_registrationlicence_download", args=[licence.pk]),
            licence.original_name,
            timezone.localtime(licence.uploaded_at).strftime("%Y-%m-%d %H:%M"),
        )
        for licence in entity.licences.all()[:10]
    ]
    return format_html_join(mark_safe("<br>"), "{}", ((link,) for link in links)) or "—"


def entity_authorisations_html(entity: Any) -> str:
    """The agencies the entity authorised in the portal, revoked ones marked."""
    if entity is None or entity.pk is None:
        return "—"
    rows = [
        format_html(
            "{} ({}) · {}{}",
            a.agency.name,
            a.agency.code,
            timezone.localdate(a.granted_at).isoformat(),
            format_html(" · {} {}", _("revoked"), timezone.localdate(a.revoked_at).isoformat())
            if a.revoked_at
            else "",
        )
        for a in entity.agency_authorisations.select_related("agency")[:20]
    ]
    return format_html_join(mark_safe("<br>"), "{}", ((row,) for row in rows)) or "—"


@admin.register(PortalAccount)
class PortalAccountAdmin(admin.ModelAdmin):
    list_display = ("user", "email", "entity", "agency", "role", "created_at")
    list_select_related = ("user", "entity", "agency")
    search_fields = ("user__email", "entity__name", "agency__name")
    readonly_fields = ("user", "created_at")
    autocomplete_fields = ("entity", "agency")

    @admin.display(description=_("e-mail"))
    def email(self, obj: PortalAccount) -> str:
        return obj.user.email

    def get_queryset(self, request: HttpRequest) -> QuerySet[PortalAccount]:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        center_id = user_center_id(request.user)
        # Staff see the accounts of their center's entities and every agency's accounts.
        return queryset.filter(entity__center_id=center_id) | queryset.filter(agency__isnull=False)


@admin.register(SubmissionQuota)
class SubmissionQuotaAdmin(EntityScopedAdmin):
    list_display = ("entity", "year", "patent_type", "limit", "used_column")
    list_filter = ("year", "patent_type")
    list_select_related = ("entity",)
    search_fields = ("entity__name", "entity__credit_code")
    autocomplete_fields = ("entity",)

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        return {"year": timezone.localdate().year}

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "entity" and not request.user.is_superuser:
            from cases.models import Entity

            kwargs["queryset"] = Entity.objects.filter(center_id=user_center_id(request.user))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("used"))
    def used_column(self, obj: SubmissionQuota) -> str:
        used, _limit = SubmissionQuota.objects.use(
            entity_id=obj.entity_id, patent_type=obj.patent_type, year=obj.year
        )
        return f"{used} / {obj.limit}"
