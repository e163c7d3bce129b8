"""The API's side of the admin: personal API tokens, webhook endpoints and deliveries,
and calendar feed URLs.

Every staff member manages their own tokens (superusers see everyone's): a new token
is shown once, in the page's message, and only its hash is kept; revoking is an action.
Webhook endpoints of a center are its administrators' (role permissions); an agency's
are kept by its administrator in the portal and are not listed here. Deliveries show
each attempt's outcome and can be resent.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cases.admin.scoping import CenterScopedAdmin
from cases.models import ApiToken, CalendarFeed, WebhookDelivery, WebhookEndpoint
from cases.services import api_tokens, webhooks


class OwnRowsAdmin(admin.ModelAdmin):
    """Rows of the signed-in staff member (``user``); superusers see everyone's."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_staff)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request) and (
            obj is None or request.user.is_superuser or obj.user_id == request.user.pk
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_view_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        rows = super().get_queryset(request).select_related("user")
        return rows if request.user.is_superuser else rows.filter(user=request.user)


class ApiTokenForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["name", "expires_at"]


@admin.register(ApiToken)
class ApiTokenAdmin(OwnRowsAdmin):
    form = ApiTokenForm
    list_display = [
        "name",
        "prefix",
        "user",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    ]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    readonly_fields = ["user", "prefix", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def get_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> list[str]:
        if obj is None:
            return ["name", "expires_at"]
        return ["name", "user", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at"]

    def get_readonly_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> Any:
        return [] if obj is None else self.get_fields(request, obj)

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        if change:
            return
        row, token = api_tokens.api_token_create(
            user=request.user,
            name=form.cleaned_data["name"],
            expires_at=form.cleaned_data["expires_at"],
        )
        obj.pk, obj.user, obj.prefix = row.pk, row.user, row.prefix
        obj._state.adding = False
        messages.warning(
            request,
            gettext("Your new API token (copy it now: it is not shown again): %(token)s")
            % {"token": token},
        )

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        count = api_tokens.api_token_revoke(ids=list(queryset.values_list("id", flat=True)))
        messages.success(request, gettext("%(count)d token(s) revoked.") % {"count": count})


@admin.register(CalendarFeed)
class CalendarFeedAdmin(OwnRowsAdmin):
    """A secret iCal URL of one's deadlines; "add" (or the reset action) shows it once."""

    list_display = ["user", "scope", "created_at"]
    fields = ["scope"]
    actions = ["reset"]

    def get_readonly_fields(self, request: HttpRequest, obj: CalendarFeed | None = None) -> Any:
        return [] if obj is None else ["scope"]

    def save_model(self, request: HttpRequest, obj: CalendarFeed, form: Any, change: bool) -> None:
        if change:
            return
        row = self._reset(request, form.cleaned_data["scope"])
        obj.pk = row.pk
        obj._state.adding = False

    def _reset(self, request: HttpRequest, scope: str) -> CalendarFeed:
        token = api_tokens.calendar_feed_reset(user=request.user, scope=scope)
        url = request.build_absolute_uri(reverse("api:calendar-feed", args=[token]))
        messages.warning(
            request,
            gettext(
                "Your calendar URL (add it to your calendar app; it is not shown again): %(url)s"
            )
            % {"url": url},
        )
        return CalendarFeed.objects.get(user=request.user, scope=scope)

    @admin.action(description=_("Reset the selected calendar URLs"))
    def reset(self, request: HttpRequest, queryset: QuerySet[CalendarFeed]) -> None:
        for feed in queryset.filter(user=request.user):
            self._reset(request, feed.scope)


class WebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")
    event_types = forms.MultipleChoiceField(
        label=_("event types"),
        choices=WebhookEndpoint.EventType.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["center", "name", "url", "secret", "event_types", "active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "center" in self.fields:
            self.fields["center"].required = True

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        try:
            webhooks.check_destination(url)
        except webhooks.UnsafeDestination as error:
            raise forms.ValidationError(str(error)) from error
        return url


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(CenterScopedAdmin):
    form = WebhookEndpointForm
    list_display = ["name", "center", "url", "active", "created_at"]
    list_filter = ["active"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[WebhookEndpoint]:
        return super().get_queryset(request).filter(agency__isnull=True)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(CenterScopedAdmin):
    center_lookup = "endpoint__center_id"
    list_display = [
        "event_type",
        "endpoint",
        "case",
        "status",
        "attempts",
        "response_code",
        "created_at",
        "delivered_at",
    ]
    list_filter = ["status", "event_type"]
    list_select_related = ["endpoint", "case"]
    readonly_fields = [
        "endpoint",
        "event_id",
        "event_type",
        "case",
        "status",
        "attempts",
        "response_code",
        "last_error",
        "created_at",
        "next_attempt_at",
        "delivered_at",
        "data",
    ]
    exclude = ["key", "case_event"]
    actions = ["resend"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Resend the selected deliveries"), permissions=["change"])
    def resend(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        count = webhooks.deliveries_resend(ids=list(queryset.values_list("id", flat=True)))
        messages.success(
            request, gettext("%(count)d delivery(ies) queued again.") % {"count": count}
        )
