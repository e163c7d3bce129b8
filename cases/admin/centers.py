"""Centers, registered entities and staff (the user admin with the staff profile)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_fsm import can_proceed

from cases import services
from cases.actors import Actor
from cases.admin.examiners import AbsenceFormSet
from cases.admin.portal import entity_authorisations_html, entity_licences_html
from cases.admin.scoping import CenterScopedAdmin
from cases.errors import DomainError, InvalidInput
from cases.forms import EntityForm, EntityTransitionForm, form_error_messages
from cases.models import Absence, Center, Entity, StaffProfile
from cases.services.entities import NOTE_REQUIRED
from cases.templatetags.case_badges import registration_badge, truncated

User = get_user_model()

ENTITY_TRANSITION_LABELS = {
    "approve": _("Approve registration"),
    "return_for_material": _("Return for more material"),
    "resubmit": _("Material received"),
    "reject": _("Reject registration"),
    "suspend": _("Suspend registration"),
    "reinstate": _("Reinstate registration"),
}

# Shown in the "closing" style: the entity can no longer file.
CLOSING_REGISTRATION = frozenset({"reject", "suspend"})

# What the note must say, for the actions that refuse a blank one (NOTE_REQUIRED).
REQUIRED_NOTE_HELP = {
    "return_for_material": _(
        "Required: what material is missing. Appended to the registration note."
    ),
    "reject": _("Required: why the registration is rejected. Appended to the registration note."),
    "suspend": _("Required: why the registration is suspended. Appended to the registration note."),
}


@dataclass
class RegistrationButton:
    name: str
    label: str
    closing: bool
    note_required: bool
    help_text: str
    # The refusal of the last attempt, shown at the note with the form open.
    error: str = ""


@admin.register(Center)
class CenterAdmin(CenterScopedAdmin):
    center_lookup = "pk"
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ("code", "name", "region", "phone", "email")
    search_fields = ("code", "name", "region")
    fieldsets = (
        (None, {"fields": ("code", "name", "region")}),
        (_("Technical fields"), {"fields": ("ipc_prefixes", "locarno_classes")}),
        (_("Assignment"), {"fields": ("auto_assign",)}),
        (
            _("Benchmark: CNIPA filing to grant notice, in calendar days"),
            {
                "fields": (
                    (
                        "benchmark_days_invention",
                        "benchmark_days_utility_model",
                        "benchmark_days_design",
                    ),
                )
            },
        ),
        (_("Contacts"), {"fields": ("address", ("phone", "email"), "website")}),
    )

    def save_model(self, request: HttpRequest, obj: Center, form: Any, change: bool) -> None:
        if change:
            # Its details are on its cases' status pages: the service retires them.
            data = {name: getattr(obj, name) for name in form.changed_data}
            services.center_update(center=obj, actor=Actor.admin(request.user), data=data)
            return
        super().save_model(request, obj, form, change)
        # Staff see and edit the center's time limits and required documents from the start.
        services.rules_ensure_defaults(center_id=obj.pk)
        services.required_documents_ensure_defaults(center_id=obj.pk)


def _registration_action(name: str) -> Any:
    """An admin action taking registration transition ``name`` on each selected entity."""

    def action(modeladmin: EntityAdmin, request: HttpRequest, queryset: QuerySet[Entity]) -> None:
        done = 0
        for entity in queryset:
            try:
                services.entity_transition(
                    entity=entity.pk, name=name, actor=Actor.admin(request.user)
                )
            except DomainError as error:
                modeladmin.message_user(request, f"{entity}: {error}", messages.ERROR)
            else:
                done += 1
        if done:
            modeladmin.message_user(
                request,
                gettext("“%(action)s”: %(count)d registrations changed.")
                % {"action": ENTITY_TRANSITION_LABELS[name], "count": done},
                messages.SUCCESS,
            )

    action.__name__ = f"registration_{name}"
    return admin.action(description=ENTITY_TRANSITION_LABELS[name], permissions=["change"])(action)


@admin.register(Entity)
class EntityAdmin(CenterScopedAdmin):
    form = EntityForm
    # Narrow enough for 1366 px beside the navigation and the filters, in English too:
    # short headers that wrap, long names and addresses cut (whole on hover), states that
    # wrap (admin.css, ".model-entity").
    list_display = (
        "name_column",
        "credit_code_column",
        "registration_column",
        "contact_name",
        "contact_email_column",
        "registered_on_column",
    )
    list_select_related = ("center",)
    list_filter = ("registration_state",)
    search_fields = ("name", "credit_code")
    search_help_text = _("Name or unified social credit code.")
    readonly_fields = (
        "registration_column",
        "registration_note",
        "licences_column",
        "authorisations_column",
        "created_at",
        "updated_at",
    )
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "center",
                    "name",
                    "credit_code",
                    "address",
                    "registration_column",
                    "registration_note",
                    "licences_column",
                    "authorisations_column",
                )
            },
        ),
        (
            _("Contact"),
            {
                "fields": (
                    ("contact_name", "contact_language"),
                    ("contact_email", "contact_phone"),
                )
            },
        ),
        (_("Record"), {"classes": ("collapse",), "fields": ("created_at", "updated_at")}),
    )
    # Only the actions that need no reason: a reason is written for each entity, on its page.
    actions = [
        _registration_action(name)
        for name in services.ENTITY_TRANSITIONS
        if name not in NOTE_REQUIRED
    ]

    def save_model(self, request: HttpRequest, obj: Entity, form: Any, change: bool) -> None:
        if change:
            # Its name is on its cases' status pages: the service retires them.
            data = {name: getattr(obj, name) for name in form.changed_data}
            services.entity_update(entity=obj, actor=Actor.admin(request.user), data=data)
            return
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request: HttpRequest, obj: Entity | None = None) -> bool:
        # Cases point at their applicant; suspend a registration rather than delete it.
        return False

    @admin.display(description=_("business licence (uploaded online)"))
    def licences_column(self, entity: Entity) -> str:
        return entity_licences_html(entity)

    @admin.display(description=_("agencies authorised in the portal"))
    def authorisations_column(self, entity: Entity) -> str:
        return entity_authorisations_html(entity)

    @admin.display(description=_("name"), ordering="name")
    def name_column(self, entity: Entity) -> str:
        return truncated(entity.name)

    @admin.display(description=_("credit code"), ordering="credit_code")
    def credit_code_column(self, entity: Entity) -> str:
        return entity.credit_code

    @admin.display(description=_("e-mail"), ordering="contact_email")
    def contact_email_column(self, entity: Entity) -> str:
        return truncated(entity.contact_email)

    @admin.display(description=_("registered on"), ordering="created_at")
    def registered_on_column(self, entity: Entity) -> str:
        return timezone.localdate(entity.created_at).isoformat()

    @admin.display(description=_("registration state"), ordering="registration_state")
    def registration_column(self, entity: Entity) -> str:
        return registration_badge(entity.registration_state)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Entity], search_term: str
    ) -> tuple[QuerySet[Entity], bool]:
        queryset, duplicates = super().get_search_results(request, queryset, search_term)
        # The case form's applicant picker offers approved entities only.
        if (
            request.path == reverse("admin:autocomplete")
            and request.GET.get("model_name") == "case"
            and request.GET.get("field_name") == "entity"
        ):
            queryset = queryset.approved()
        return queryset, duplicates

    def get_entity(self, request: HttpRequest, object_id: str) -> Entity:
        try:
            return self.get_queryset(request).get(pk=unquote(object_id))
        except (Entity.DoesNotExist, ValueError, ValidationError) as error:
            raise Http404(gettext("No such entity.")) from error

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        entity = self.get_entity(request, object_id)
        retry = request.session.pop(self._retry_key(entity), None) or {}
        form = EntityTransitionForm()
        buttons = []
        if self.has_change_permission(request, entity):
            buttons = [
                RegistrationButton(
                    name=name,
                    label=str(ENTITY_TRANSITION_LABELS[name]),
                    closing=name in CLOSING_REGISTRATION,
                    note_required=name in NOTE_REQUIRED,
                    help_text=str(REQUIRED_NOTE_HELP.get(name, form.fields["note"].help_text)),
                    error=retry.get("error", "") if retry.get("name") == name else "",
                )
                for name in services.ENTITY_TRANSITIONS
                if can_proceed(getattr(entity, name))
            ]
        context = {
            "registration_buttons": buttons,
            "registration_form": form,
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, context)

    @staticmethod
    def _retry_key(entity: Entity) -> str:
        return f"pc-entity-{entity.pk}-retry"

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<path:object_id>/registration/<str:name>/",
                self.admin_site.admin_view(self.registration_view),
                name="cases_entity_transition",
            ),
            *super().get_urls(),
        ]

    def registration_view(self, request: HttpRequest, object_id: str, name: str) -> HttpResponse:
        if name not in services.ENTITY_TRANSITIONS:
            raise Http404(gettext("No such registration action."))
        entity = self.get_entity(request, object_id)
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        form = EntityTransitionForm(request.POST)
        if form.is_valid():
            try:
                entity = services.entity_transition(
                    entity=entity.pk,
                    name=name,
                    actor=Actor.admin(request.user),
                    note=form.cleaned_data["note"],
                )
            except DomainError as error:
                messages.error(request, str(error))
                if isinstance(error, InvalidInput) and error.field == "note":
                    # The page reopens this action's form, the message at its note.
                    request.session[self._retry_key(entity)] = {"name": name, "error": str(error)}
            else:
                messages.success(
                    request,
                    gettext("Registration is now “%(state)s”.")
                    % {"state": entity.get_registration_state_display()},
                )
        else:
            for message in form_error_messages(form):
                messages.error(request, message)
        return redirect("admin:cases_entity_change", entity.pk)


class StaffProfileInline(admin.StackedInline):
    model = StaffProfile
    fk_name = "user"
    can_delete = False
    max_num = 1
    extra = 1
    verbose_name_plural = _("staff profile")


class AbsenceInline(admin.TabularInline):
    model = Absence
    fk_name = "user"
    # The same rule as on the Examiners page: no two absences overlap.
    formset = AbsenceFormSet
    extra = 1
    verbose_name_plural = _("absences (not assigned cases automatically on these days)")


admin.site.unregister(User)


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    inlines = [StaffProfileInline, AbsenceInline]
    list_display = (*UserAdmin.list_display, "center_column")
    list_select_related = ("staff_profile__center",)
    list_filter = (*UserAdmin.list_filter, "staff_profile__center")

    @admin.display(description=_("center"), ordering="staff_profile__center__code")
    def center_column(self, user: Any) -> str:
        profile = getattr(user, "staff_profile", None)
        return profile.center.code if profile is not None else "—"
