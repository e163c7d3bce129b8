"""An agency's webhooks, for its portal administrator: endpoints (add, pause, resume,
delete) and each one's recent deliveries (attempts, response, error; resend a failed
one). Another agency's endpoint, and the page itself for anyone but an agency's
administrator, is a 404."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from cases.errors import DomainError
from cases.models import PortalAccount, WebhookDelivery, WebhookEndpoint
from cases.selectors.portal import agency_webhook_endpoints, webhook_deliveries_recent
from cases.services.portal import webhooks as services
from cases.views.portal import portal_view
from cases.views.portal.forms import add_error


class EndpointForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=100,
        help_text=gettext_lazy("What receives the events, e.g. “docketing system”."),
    )
    url = forms.URLField(
        label=gettext_lazy("URL"),
        max_length=500,
        assume_scheme="https",
        help_text=gettext_lazy(
            "Where the events are POSTed; HTTPS recommended. Private and loopback "
            "addresses are refused."
        ),
    )
    secret = forms.CharField(
        label=gettext_lazy("Secret"),
        max_length=100,
        required=False,
        help_text=gettext_lazy(
            "Signs each request (HMAC-SHA256); at least 16 characters. Empty: one is made "
            "and shown once."
        ),
    )
    event_types = forms.MultipleChoiceField(
        label=gettext_lazy("Event types"),
        choices=WebhookEndpoint.EventType.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=list(WebhookEndpoint.EventType.values),
    )


def _administrator_only(request: HttpRequest) -> None:
    account = request.portal_account
    if account.agency_id is None or account.role != PortalAccount.Role.ADMINISTRATOR:
        raise Http404


@require_http_methods(["GET", "POST"])
@portal_view
def webhook_list(request: HttpRequest) -> HttpResponse:
    _administrator_only(request)
    form = EndpointForm(request.POST or None)
    new_secret = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            endpoint, secret = services.agency_endpoint_add(
                actor=request.actor,
                name=data["name"],
                url=data["url"],
                secret=data["secret"],
                event_types=data["event_types"],
            )
        except DomainError as error:
            add_error(form, error)
        else:
            messages.success(request, _("The endpoint was added."))
            if data["secret"]:
                return redirect("portal:webhook_detail", endpoint_id=endpoint.pk)
            new_secret = secret
            form = EndpointForm()
    return render(
        request,
        "cases/portal/webhooks.html",
        {
            "form": form,
            "endpoints": agency_webhook_endpoints(request.user),
            "new_secret": new_secret,
        },
    )


@require_http_methods(["GET", "POST"])
@portal_view
def webhook_detail(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    _administrator_only(request)
    endpoint = agency_webhook_endpoints(request.user).filter(pk=endpoint_id).first()
    if endpoint is None:
        raise Http404
    action = request.POST.get("action", "")
    if request.method == "POST":
        try:
            if action in {"pause", "resume"}:
                services.agency_endpoint_set_active(
                    actor=request.actor, endpoint=endpoint, active=action == "resume"
                )
                messages.success(
                    request,
                    _("The endpoint is active again.")
                    if action == "resume"
                    else _("The endpoint is paused: nothing new is sent to it."),
                )
            elif action == "delete":
                services.agency_endpoint_delete(actor=request.actor, endpoint=endpoint)
                messages.success(request, _("The endpoint was deleted."))
                return redirect("portal:webhooks")
            elif action == "resend":
                delivery = (
                    WebhookDelivery.objects.filter(
                        endpoint=endpoint, pk=request.POST.get("delivery") or 0
                    )
                    .select_related("endpoint")
                    .first()
                )
                if delivery is None:
                    raise Http404
                services.agency_delivery_resend(actor=request.actor, delivery=delivery)
                messages.success(request, _("The delivery was queued again."))
            else:
                raise Http404
        except DomainError as error:
            messages.error(request, str(error))
        return redirect("portal:webhook_detail", endpoint_id=endpoint.pk)
    return render(
        request,
        "cases/portal/webhook_detail.html",
        {"endpoint": endpoint, "deliveries": webhook_deliveries_recent(endpoint)},
    )
