"""The dashboard's filter form (a GET form): center, date range, type, field, examiner."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _

from cases.forms import DateInput, StaffChoiceField, examiners_of
from cases.models import Center, PatentType
from cases.permissions import user_center_id
from cases.selectors.dashboard import DashboardFilters, default_period

MAX_PERIOD = timedelta(days=366 * 10)


class DashboardFilterForm(forms.Form):
    """Unbound or empty fields take the defaults: the user's center, the last 12 months."""

    center = forms.ModelChoiceField(
        label=_("Center"),
        queryset=Center.objects.order_by("code"),
        required=False,
        empty_label=_("All centers"),
    )
    start = forms.DateField(label=_("Submitted from"), required=False, widget=DateInput())
    end = forms.DateField(label=_("Submitted until"), required=False, widget=DateInput())
    patent_type = forms.ChoiceField(
        label=_("Patent type"),
        choices=[("", _("All types")), *PatentType.choices],
        required=False,
    )
    field = forms.CharField(
        label=_("Technical field"),
        max_length=40,
        required=False,
        help_text=_("An IPC or Locarno class prefix, e.g. C08 or 14-02."),
    )
    examiner = StaffChoiceField(
        label=_("Examiner"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("All examiners"),
    )

    def __init__(self, *args: Any, user: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.today = today
        self.default_start, self.default_end = default_period(today)
        if self.is_bound:
            # An empty date means the default: show it in the input, as it is applied.
            data = self.data.copy()
            for name, default in (("start", self.default_start), ("end", self.default_end)):
                if not data.get(name):
                    data[name] = default.isoformat()
            self.data = data
        if user.is_superuser:
            center_id = self._chosen_center_id()
        else:
            del self.fields["center"]
            center_id = user_center_id(user)
        # The same examiners as the case list's examiner filter: the center's, or every
        # center's when a superuser looks at all of them.
        self.fields["examiner"].queryset = examiners_of(center_id)

    def _chosen_center_id(self) -> int | None:
        value = self.data.get("center") if self.is_bound else None
        return int(value) if value and str(value).isdigit() else None

    def clean_field(self) -> str:
        return self.cleaned_data["field"].strip().upper()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start = data.get("start") or self.default_start
        end = data.get("end") or self.default_end
        if "start" in self.errors or "end" in self.errors:
            return data
        if start > end:
            self.add_error(
                "end",
                _("The end of the date range must not be before its start (%(start)s).")
                % {"start": start.isoformat()},
            )
        elif end - start > MAX_PERIOD:
            self.add_error("start", _("The date range may span at most ten years."))
        data["start"], data["end"] = start, end
        return data

    def filters(self) -> DashboardFilters:
        """The validated filters; call after ``is_valid()``."""
        data = self.cleaned_data
        if self.user.is_superuser:
            center = data.get("center")
            center_id = center.pk if center else None
        else:
            center_id = user_center_id(self.user)
        examiner = data.get("examiner")
        return DashboardFilters(
            start=data["start"],
            end=data["end"],
            center_id=center_id,
            patent_type=data.get("patent_type") or "",
            field=data.get("field") or "",
            examiner_id=examiner.pk if examiner else None,
        )
