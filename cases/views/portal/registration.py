"""The entity's registration (备案) online, the agencies it authorises, its colleagues."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cases.choices import RegistrationState
from cases.errors import DomainError
from cases.models import AgencyAuthorisation, PortalAccount, PortalInvitation
from cases.services import portal as services
from cases.views.portal import portal_view
from cases.views.portal.forms import (
    AgencyAuthoriseForm,
    MemberAddForm,
    RegistrationForm,
    add_error,
)


@require_http_methods(["GET", "POST"])
@portal_view
def registration(request: HttpRequest) -> HttpResponse:
    """Register the entity (no entity yet), amend a returned registration, or read it."""
    account = request.portal_account
    if account.agency_id is not None:
        raise Http404
    entity = account.entity
    resubmit = entity is not None and entity.registration_state == RegistrationState.RETURNED
    editable = entity is None or (
        resubmit and request.user.has_perm("cases.resubmit_entity", entity)
    )
    initial = {}
    if entity is not None:
        initial = {name: getattr(entity, name) for name in services.REGISTRATION_FIELDS}
    form = None
    if editable:
        form = RegistrationForm(
            request.POST or None, request.FILES or None, initial=initial, resubmit=resubmit
        )
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                if entity is None:
                    services.registration_submit(
                        actor=request.actor,
                        center=data["center"],
                        data=data,
                        licence=data["licence"],
                    )
                else:
                    services.registration_resubmit(
                        actor=request.actor,
                        entity=entity,
                        data=data,
                        licence=data.get("licence"),
                        note=data.get("note", ""),
                    )
            except DomainError as error:
                add_error(form, error)
            else:
                messages.success(
                    request, _("Your registration was sent: the center will review it.")
                )
                return redirect("portal:registration")
    elif request.method == "POST":
        raise Http404
    return render(
        request,
        "cases/portal/registration.html",
        {
            "form": form,
            "entity": entity,
            "resubmit": resubmit,
            "licences": list(entity.licences.all()[:5]) if entity is not None else [],
        },
    )


@require_http_methods(["GET", "POST"])
@portal_view
def agencies(request: HttpRequest) -> HttpResponse:
    """The entity's administrator authorises an agency, or revokes an authorisation."""
    account = request.portal_account
    if account.entity_id is None:
        raise Http404
    administrator = account.role == PortalAccount.Role.ADMINISTRATOR
    form = AgencyAuthoriseForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not administrator:
            raise Http404
        if "revoke" in request.POST:
            authorisation = (
                AgencyAuthorisation.objects.active()
                .filter(entity_id=account.entity_id, pk=request.POST.get("revoke") or 0)
                .first()
            )
            if authorisation is None:
                raise Http404
            services.agency_revoke(actor=request.actor, authorisation=authorisation)
            messages.success(request, _("The authorisation was revoked."))
            return redirect("portal:agencies")
        if form.is_valid():
            try:
                services.agency_authorise(
                    actor=request.actor,
                    entity=account.entity,
                    agency_code=form.cleaned_data["agency_code"],
                    power_of_attorney=form.cleaned_data["power_of_attorney"],
                )
            except DomainError as error:
                add_error(form, error)
            else:
                messages.success(request, _("The agency may now act for you."))
                return redirect("portal:agencies")
    return render(
        request,
        "cases/portal/agencies.html",
        {
            "form": form,
            "administrator": administrator,
            "authorisations": AgencyAuthorisation.objects.filter(
                entity_id=account.entity_id
            ).select_related("agency"),
        },
    )


@require_http_methods(["GET", "POST"])
@portal_view
def members(request: HttpRequest) -> HttpResponse:
    """The colleagues of the account's entity or agency; its administrator adds and removes."""
    account = request.portal_account
    if account.entity_id is None and account.agency_id is None:
        raise Http404
    administrator = account.role == PortalAccount.Role.ADMINISTRATOR
    colleagues = PortalAccount.objects.filter(
        entity_id=account.entity_id, agency_id=account.agency_id
    ).select_related("user")
    invitations = PortalInvitation.objects.pending().filter(
        entity_id=account.entity_id, agency_id=account.agency_id
    )
    form = MemberAddForm(request.POST or None)
    if request.method == "POST":
        if not administrator:
            raise Http404
        if "remove" in request.POST:
            member = colleagues.filter(pk=request.POST.get("remove") or 0).first()
            if member is None:
                raise Http404
            try:
                services.member_remove(actor=request.actor, member=member)
            except DomainError as error:
                messages.error(request, str(error))
            return redirect("portal:members")
        if "cancel" in request.POST:
            invitation = invitations.filter(pk=request.POST.get("cancel") or 0).first()
            if invitation is None:
                raise Http404
            services.member_invitation_cancel(actor=request.actor, invitation=invitation)
            return redirect("portal:members")
        if form.is_valid():
            try:
                outcome = services.member_invite(
                    actor=request.actor, email=form.cleaned_data["email"]
                )
            except DomainError as error:
                add_error(form, error)
            else:
                if outcome == "added":
                    messages.success(request, _("Your colleague was added."))
                else:
                    messages.success(
                        request,
                        _(
                            "An invitation was sent to %(email)s: they join once they sign up "
                            "and verify that address."
                        )
                        % {"email": form.cleaned_data["email"]},
                    )
                return redirect("portal:members")
    return render(
        request,
        "cases/portal/members.html",
        {
            "form": form,
            "administrator": administrator,
            "colleagues": colleagues,
            "invitations": invitations if administrator else [],
        },
    )
