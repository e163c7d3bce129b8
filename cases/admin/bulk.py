"""Bulk actions of the case list: one step on many cases.

Each admin action (``bulk_accept``, ``bulk_assign``…) leads to a confirmation page
(``<changelist>/bulk/<name>/?ids=…``) listing the cases, what will happen to each and
which will be refused now (state, permission, condition), with the step's form when its
input is the same for all (one message to the applicants, one examiner). Its POST
passes each case through the step's service, each in its own transaction, and ends on
a result page (``bulk/result/<token>/``): how many were done, and for each refused case
why. The confirmation page carries a one-time token: a second POST of the same page
shows the first run's result and does nothing again.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext

from cases import services, workflow
from cases.actors import Actor
from cases.errors import DomainError
from cases.forms import AssignForm, form_error_messages, transition_form
from cases.models import Case
from cases.people import staff_display_name
from cases.services.transitions import check_transition

logger = logging.getLogger(__name__)

# Transitions whose input is none, or the same for every case (a message, an examiner).
# Those needing per-case input (CNIPA numbers and dates) are taken one case at a time.
BULK_TRANSITIONS = (
    "accept",
    "decline",
    "request_correction",
    "receive_correction",
    "qualify",
    "disqualify",
    "record_response",
    "record_rejection",
    "record_fast_track_exit",
    "record_registration",
    "lapse",
    "withdraw",
)
ASSIGN = "assign"
# More than this at once is a mistake in the selection (a whole list selected).
BULK_MAX = 200


@dataclass
class Row:
    case: Case
    refusal: str = ""


def _action(name: str) -> Any:
    def action(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Case]) -> HttpResponse:
        ids = list(queryset.values_list("pk", flat=True)[: BULK_MAX + 1])
        if len(ids) > BULK_MAX:
            modeladmin.message_user(
                request,
                gettext("Select at most %(max)s cases for one step.") % {"max": BULK_MAX},
                messages.ERROR,
            )
            return None
        url = reverse("admin:cases_case_bulk", args=[name])
        return HttpResponseRedirect(f"{url}?ids={','.join(map(str, ids))}")

    action.__name__ = f"bulk_{name}"
    label = workflow.TRANSITION_LABELS.get(name, name)
    # Lazy: translated when the list is shown, in the reader's language.
    action.short_description = format_lazy("{}…", label)  # type: ignore[attr-defined]
    return action


BULK_ACTIONS = {f"bulk_{name}": _action(name) for name in (ASSIGN, *BULK_TRANSITIONS)}


def _permission(name: str) -> str:
    return "cases.assign_case" if name == ASSIGN else workflow.TRANSITION_PERMISSIONS[name]


def _label(name: str) -> str:
    return str(workflow.TRANSITION_LABELS.get(name, name))


def _refusal(name: str, case: Case, actor: Actor) -> str:
    """Why the step would be refused on ``case`` now ("" if it would be taken)."""
    if name == ASSIGN:
        if case.is_terminal:
            return gettext("The case is closed.")
        if not actor.has_perm("cases.assign_case", case):
            return gettext("You are not allowed to assign examiners on this case.")
        return ""
    try:
        check_transition(case, name, actor)
    except DomainError as error:
        return str(error)
    return ""


class CaseBulkActionsAdmin:
    """Mixin for ``CaseAdmin``: the actions, their URLs and their three pages."""

    admin_site: Any
    opts: Any

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)  # type: ignore[misc]
        actions.pop("delete_selected", None)
        for key, func in BULK_ACTIONS.items():
            name = key.removeprefix("bulk_")
            if request.user.has_perm(_permission(name)):
                actions[key] = (func, key, func.short_description)
        return actions

    def bulk_urls(self) -> list[URLPattern]:
        return [
            path(
                "bulk/result/<str:token>/",
                self.admin_site.admin_view(self.bulk_result_view),
                name="cases_case_bulk_result",
            ),
            path(
                "bulk/<str:name>/",
                self.admin_site.admin_view(self.bulk_view),
                name="cases_case_bulk",
            ),
        ]

    def _bulk_form(self, name: str, case: Case, data: Any = None) -> Form:
        if name == ASSIGN:
            form = AssignForm(data, case=case)
            form.fields["examiner"].required = False
            return form
        return transition_form(name, case=case, data=data)

    def bulk_view(self, request: HttpRequest, name: str) -> HttpResponse:
        if name != ASSIGN and name not in BULK_TRANSITIONS:
            raise Http404(gettext("No such step."))
        if not request.user.has_perm(_permission(name)):
            raise PermissionDenied
        source = request.POST if request.method == "POST" else request.GET
        ids = [int(part) for part in source.get("ids", "").split(",") if part.strip().isdigit()]
        cases = list(
            self.get_queryset(request)  # type: ignore[attr-defined]
            .select_related("center", "entity", "examiner")
            .filter(pk__in=ids[:BULK_MAX])
            .order_by("pk")
        )
        if not cases:
            messages.error(request, gettext("No case selected (or none you may see)."))
            return redirect("admin:cases_case_changelist")
        actor = Actor.admin(request.user)
        if request.method == "POST":
            return self._bulk_run(request, name, cases, actor)
        rows = [Row(case=case, refusal=_refusal(name, case, actor)) for case in cases]
        return self._bulk_confirmation(
            request, name, rows, self._bulk_form(name, cases[0]), uuid.uuid4().hex
        )

    def _bulk_confirmation(
        self, request: HttpRequest, name: str, rows: list[Row], form: Form, token: str
    ) -> HttpResponse:
        return TemplateResponse(
            request,
            "admin/cases/case/bulk_confirmation.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "name": name,
                "label": _label(name),
                "rows": rows,
                "possible": sum(1 for row in rows if not row.refusal),
                "form": form,
                "ids": ",".join(str(row.case.pk) for row in rows),
                "token": token,
                "title": gettext("%(action)s: %(count)s cases")
                % {"action": _label(name), "count": len(rows)},
            },
        )

    def _bulk_run(
        self, request: HttpRequest, name: str, cases: list[Case], actor: Actor
    ) -> HttpResponse:
        token = request.POST.get("token", "")
        key = f"pc-bulk-{token}"
        if not token or len(token) > 64:
            raise PermissionDenied
        if key in request.session:
            # The same page submitted again: its first run's result, nothing done twice.
            return redirect("admin:cases_case_bulk_result", token)
        form = self._bulk_form(name, cases[0], request.POST)
        if not form.is_valid():
            for message in form_error_messages(form):
                messages.error(request, message)
            rows = [Row(case=case, refusal=_refusal(name, case, actor)) for case in cases]
            return self._bulk_confirmation(request, name, rows, form, token)
        request.session[key] = {"name": name, "results": [], "running": True}
        request.session.save()
        results = [self._bulk_one(name, case, actor, form.cleaned_data) for case in cases]
        request.session[key] = {"name": name, "results": results, "running": False}
        return redirect("admin:cases_case_bulk_result", token)

    def _bulk_one(
        self, name: str, case: Case, actor: Actor, data: dict[str, Any]
    ) -> dict[str, Any]:
        """One case through its service (its own transaction); the outcome as JSON."""
        outcome: dict[str, Any] = {"id": case.pk, "reference": case.reference, "ok": False}
        try:
            if name == ASSIGN:
                examiner = data.get("examiner")
                if examiner is not None and case.examiner_id == examiner.pk:
                    outcome["message"] = gettext("Already assigned to %(name)s.") % {
                        "name": staff_display_name(examiner)
                    }
                    return outcome
                services.case_assign(case=case.pk, actor=actor, examiner=examiner)
            else:
                services.SERVICES[name](case=case.pk, actor=actor, **data)
        except DomainError as error:
            outcome["message"] = str(error)
        except Exception:  # one case failing must not stop the others
            logger.exception("bulk %s failed on case %s", name, case.pk)
            outcome["message"] = gettext("Unexpected error: nothing was changed on this case.")
        else:
            outcome["ok"] = True
        return outcome

    def bulk_result_view(self, request: HttpRequest, token: str) -> HttpResponse:
        stored = request.session.get(f"pc-bulk-{token}")
        if stored is None:
            raise Http404(gettext("No such result."))
        results = stored["results"]
        return TemplateResponse(
            request,
            "admin/cases/case/bulk_result.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "label": _label(stored["name"]),
                "running": stored.get("running", False),
                "done": [r for r in results if r["ok"]],
                "refused": [r for r in results if not r["ok"]],
                "title": gettext("Result: %(action)s") % {"action": _label(stored["name"])},
            },
        )
