"""Submitting a case online: a draft kept as it is filled in, then the submission."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cases.choices import UPLOADED_KINDS, DocumentKind, PatentType
from cases.errors import DomainError
from cases.models import CaseDraft, Entity, SubmissionQuota
from cases.selectors import portal as selectors
from cases.services import portal as services
from cases.views.portal import portal_view
from cases.views.portal.forms import CaseDraftForm, add_error


def _entity(request: HttpRequest, draft: CaseDraft | None) -> Entity:
    """The entity the submission is for: the draft's, the user's own, or (for an agency)
    the one chosen among those that authorised it."""
    entities = selectors.portal_entities_for(request.user)
    if draft is not None:
        return draft.entity
    chosen = request.POST.get("entity") or request.GET.get("entity")
    if request.portal_account.entity_id is not None:
        chosen = request.portal_account.entity_id
    entity = entities.filter(pk=chosen).select_related("center").first() if chosen else None
    if entity is None:
        raise Http404
    return entity


@require_http_methods(["GET", "POST"])
@portal_view
def draft_edit(request: HttpRequest, draft_id: int | None = None) -> HttpResponse:
    account = request.portal_account
    if account.entity_id is None and account.agency_id is None:
        return redirect("portal:registration")
    draft = None
    if draft_id is not None:
        draft = selectors.portal_drafts_for(request.user).filter(pk=draft_id).first()
        if draft is None:
            raise Http404
    if (
        draft is None
        and request.portal_account.agency_id is not None
        and not (request.POST.get("entity") or request.GET.get("entity"))
    ):
        return render(
            request,
            "cases/portal/choose_entity.html",
            {"entities": selectors.portal_entities_for(request.user)},
        )
    entity = _entity(request, draft)
    initial = {}
    if draft is not None:
        initial = {
            name: getattr(draft, name)
            for name in (
                "patent_type",
                "title",
                "classification",
                "not_pct_national_phase",
                "not_divisional",
            )
        }
    form = CaseDraftForm(request.POST or None, request.FILES or None, initial=initial)
    kinds = [kind.value for kind in UPLOADED_KINDS]
    for kind in kinds:
        form.fields[f"file_{kind}"] = forms.FileField(
            label=DocumentKind(kind).label, required=False
        )
    center = entity.center
    required = {
        patent_type: services.required_kinds(center_id=center.pk, patent_type=patent_type)
        for patent_type in PatentType.values
    }
    year = timezone.localdate().year
    quotas = []
    for patent_type in PatentType:
        used, limit = SubmissionQuota.objects.use(
            entity_id=entity.pk, patent_type=patent_type, year=year
        )
        quotas.append((patent_type.label, used, limit))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if "submit" in request.POST:
                case = services.portal_case_submit(
                    actor=request.actor,
                    entity=entity,
                    patent_type=data["patent_type"],
                    title=data["title"],
                    classification=data["classification"],
                    not_pct_national_phase=data["not_pct_national_phase"],
                    not_divisional=data["not_divisional"],
                    documents={
                        kind: data[f"file_{kind}"] for kind in kinds if data.get(f"file_{kind}")
                    },
                    draft=draft,
                )
            else:
                draft = services.draft_save(
                    actor=request.actor,
                    entity=entity,
                    data=data,
                    documents={kind: data.get(f"file_{kind}") for kind in kinds},
                    draft=draft,
                )
                messages.success(
                    request, _("The draft was saved, with the documents attached so far.")
                )
                return redirect("portal:draft_edit", draft_id=draft.pk)
        except DomainError as error:
            add_error(form, error)
        else:
            messages.success(
                request,
                _("Case %(reference)s was submitted: the center checks it next.")
                % {"reference": case.reference},
            )
            return redirect("portal:case_detail", reference=case.reference)
    return render(
        request,
        "cases/portal/submit.html",
        {
            "form": form,
            "draft": draft,
            "entity": entity,
            "center": center,
            "ipc_prefixes": center.ipc_prefixes,
            "locarno_classes": center.locarno_classes,
            "required": [
                (PatentType(t).label, [DocumentKind(k).label for k in ks])
                for t, ks in required.items()
            ],
            "kinds": kinds,
            "kept": {d.kind: d for d in draft.documents.all()} if draft is not None else {},
            "quotas": quotas,
        },
    )
