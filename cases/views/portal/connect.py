"""Calendar and API: a portal user's calendar feed of what their entities owe, and their
personal API tokens (for an agency's docketing system). Each secret is shown once."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from cases.errors import InvalidInput
from cases.models import CalendarFeed
from cases.selectors.api import api_tokens_of, calendar_feed_of
from cases.services.api_tokens import api_token_create, api_token_revoke, calendar_feed_reset
from cases.views.portal import portal_view
from cases.views.portal.forms import add_error


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=100,
        help_text=gettext_lazy("What the token is for, e.g. “docketing system”."),
    )
    expires_at = forms.DateTimeField(
        label=gettext_lazy("Expires at"),
        required=False,
        help_text=gettext_lazy("Optional, e.g. 2027-06-30 18:00. Empty: never."),
    )


@require_http_methods(["GET", "POST"])
@portal_view
def connect(request: HttpRequest) -> HttpResponse:
    action = request.POST.get("action", "")
    form = TokenForm(request.POST if action == "create" else None)
    new_token = new_feed = ""
    if action == "feed":
        secret = calendar_feed_reset(user=request.user, scope=CalendarFeed.Scope.ENTITY)
        new_feed = request.build_absolute_uri(reverse("api:calendar-feed", args=[secret]))
    elif action == "create" and form.is_valid():
        try:
            _row, new_token = api_token_create(
                user=request.user,
                name=form.cleaned_data["name"],
                expires_at=form.cleaned_data["expires_at"],
            )
        except InvalidInput as error:
            add_error(form, error)
        else:
            form = TokenForm()
    elif action == "revoke":
        mine = api_tokens_of(request.user).filter(pk=request.POST.get("token") or 0)
        if api_token_revoke(ids=list(mine.values_list("pk", flat=True))):
            messages.success(request, _("The token was revoked: it no longer works."))
        return redirect("portal:connect")
    context = {
        "form": form,
        "tokens": api_tokens_of(request.user),
        "feed": calendar_feed_of(request.user, CalendarFeed.Scope.ENTITY),
        "new_feed": new_feed,
        "new_token": new_token,
        "api_docs": reverse("api:docs"),
    }
    return render(request, "cases/portal/connect.html", context)
