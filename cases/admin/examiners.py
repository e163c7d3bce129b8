"""*Examiners*: a center's managers and administrators set what each examiner examines
(IPC prefixes, Locarno classes), how many open cases automatic assignment gives them at
most, and when they are away. Who works for which center, and in which role, stays in
the user admin (superusers only)."""

from __future__ import annotations

from datetime import date
from itertools import pairwise
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.forms.models import BaseInlineFormSet
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cases.admin.scoping import CenterScopedAdmin
from cases.choices import TERMINAL_STATES
from cases.models import Absence, Case, Examiner
from cases.people import staff_label
from cases.validators import normalize_ipc_prefixes, normalize_locarno_classes

User = get_user_model()


def examiner_users() -> QuerySet[Any]:
    """Users who hold the examiner's permission through a role (as assignment reads it)."""
    return User.objects.filter(
        groups__permissions__content_type__app_label="cases",
        groups__permissions__codename="examine_case",
    ).values("pk")


class ExaminerForm(forms.ModelForm):
    class Meta:
        model = Examiner
        fields = ("ipc_prefixes", "locarno_classes", "capacity")
        widgets = {
            "ipc_prefixes": forms.Textarea(attrs={"rows": 2, "cols": 60}),
            "locarno_classes": forms.Textarea(attrs={"rows": 2, "cols": 60}),
        }

    def clean_ipc_prefixes(self) -> str:
        return normalize_ipc_prefixes(self.cleaned_data.get("ipc_prefixes", ""))

    def clean_locarno_classes(self) -> str:
        return normalize_locarno_classes(self.cleaned_data.get("locarno_classes", ""))


class AbsenceFormSet(BaseInlineFormSet):
    """All of one examiner's absences, none overlapping another."""

    def clean(self) -> None:
        super().clean()
        periods = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or self._should_delete_form(form):
                continue
            first, last = data.get("first_day"), data.get("last_day")
            if first is None or last is None or last < first:
                continue  # the form's own error says so
            periods.append((first, last))
        periods.sort()
        for (first, last), (next_first, next_last) in pairwise(periods):
            if next_first <= last:
                raise ValidationError(
                    gettext(
                        "Absences overlap: %(first)s – %(last)s and %(next_first)s – "
                        "%(next_last)s. Make them one, or move one."
                    )
                    % {
                        "first": first.isoformat(),
                        "last": last.isoformat(),
                        "next_first": next_first.isoformat(),
                        "next_last": next_last.isoformat(),
                    },
                    code="absence_overlap",
                )


class ExaminerAbsenceInline(admin.TabularInline):
    """The examiner's absences. They belong to the user, not the profile: the inline's
    parent is the user, and ``ExaminerAdmin.get_formset_kwargs`` passes the profile's."""

    model = Absence
    fk_name = "user"
    formset = AbsenceFormSet
    fields = ("first_day", "last_day", "note")
    extra = 1
    verbose_name_plural = _("absences (not assigned cases automatically on these days)")

    def __init__(self, parent_model: Any, admin_site: Any) -> None:
        super().__init__(User, admin_site)


@admin.register(Examiner)
class ExaminerAdmin(CenterScopedAdmin):
    form = ExaminerForm
    inlines = [ExaminerAbsenceInline]
    list_display = (
        "examiner_column",
        "ipc_prefixes",
        "locarno_classes",
        "capacity_column",
        "open_cases_column",
        "absence_column",
    )
    list_display_links = ("examiner_column",)
    list_select_related = ("user", "center")
    search_fields = ("user__username", "user__first_name", "user__last_name", "ipc_prefixes")
    search_help_text = _("Name, username or IPC prefix.")
    ordering = ("user__username",)
    fields = ("examiner_column", "center", "ipc_prefixes", "locarno_classes", "capacity")
    readonly_fields = ("examiner_column", "center")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        today = timezone.localdate()
        open_cases = (
            Case.objects.filter(examiner=OuterRef("user_id"))
            .exclude(state__in=TERMINAL_STATES)
            .order_by()
            .values("examiner")
            .annotate(n=Count("pk"))
            .values("n")
        )
        # The absence running today, or else the next one.
        absence = Absence.objects.filter(user=OuterRef("user_id"), last_day__gte=today).order_by(
            "first_day"
        )
        return (
            super()
            .get_queryset(request)
            .filter(user__is_active=True, user__in=examiner_users())
            .annotate(
                open_cases=Coalesce(Subquery(open_cases, output_field=IntegerField()), Value(0)),
                absence_first=Subquery(absence.values("first_day")[:1]),
                absence_last=Subquery(absence.values("last_day")[:1]),
            )
        )

    def get_object(self, request: HttpRequest, object_id: str, from_field: Any = None) -> Any:
        # Another center's examiner (or no examiner) is not found, as everywhere else.
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404(gettext("No such examiner."))
        return obj

    def get_formset_kwargs(
        self, request: HttpRequest, obj: Any, inline: Any, prefix: str
    ) -> dict[str, Any]:
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if isinstance(inline, ExaminerAbsenceInline):
            kwargs["instance"] = obj.user
        return kwargs

    # Profiles are made with the user (user admin); here they are only edited.

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None:
            return request.user.has_perm("cases.change_examiner", obj)
        return super().has_change_permission(request, obj)

    @admin.display(description=_("examiner"), ordering="user__username")
    def examiner_column(self, profile: Examiner) -> str:
        return staff_label(profile.user)

    @admin.display(description=_("capacity"), ordering="capacity")
    def capacity_column(self, profile: Examiner) -> str:
        return "—" if profile.capacity is None else str(profile.capacity)

    @admin.display(description=_("open cases"), ordering="open_cases")
    def open_cases_column(self, profile: Examiner) -> int:
        return profile.open_cases

    @admin.display(description=_("absence (current or next)"), ordering="absence_first")
    def absence_column(self, profile: Examiner) -> str:
        first, last = profile.absence_first, profile.absence_last
        if first is None:
            return "—"
        return absence_text(first, last, today=timezone.localdate())


def absence_text(first: date, last: date, *, today: date) -> str:
    """``away until 2026-12-05`` for a running absence, ``2026-12-10 – 2026-12-12``
    for the next one."""
    if first <= today:
        return gettext("away until %(last)s") % {"last": last.isoformat()}
    return f"{first.isoformat()} – {last.isoformat()}"
