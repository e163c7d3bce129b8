"""The public status page: look a case up with its reference and access code, then read it.

``/status/`` takes the reference and code (POST) and redirects to the case's signed
link ``/status/c/<token>/``. A wrong reference and a wrong code get the same answer, and
lookups are rate limited per client address and per reference (``cases.services.access``).
"""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from cases.models import Case, Notice
from cases.selectors.status import case_status, kept, status_case
from cases.services import access
from cases.services.notices import notice_pdf
from cases.views.downloads import document_response

# The public pages' template engine (Jinja2, ``templates/jinja2/``; see protection_center.jinja_env).
PUBLIC_TEMPLATES = "jinja2"


class StatusLookupForm(forms.Form):
    reference = forms.CharField(
        label=_("Case reference"),
        max_length=40,
        help_text=_("As on your acknowledgement of receipt, e.g. SH-2026-000123."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )
    code = forms.CharField(
        label=_("Access code"),
        max_length=40,
        help_text=_(
            "10 letters and digits, e.g. 7KQ4-MX2P-9C. Upper or lower case, with or without hyphens."
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )

    def clean_code(self) -> str:
        code = access.normalize_access_code(self.cleaned_data["code"])
        if len(code) != access.CODE_LENGTH:
            raise forms.ValidationError(
                _("An access code has 10 letters and digits, e.g. 7KQ4-MX2P-9C.")
            )
        return code


def _render(
    request: HttpRequest, template: str, context: dict[str, object], *, status: int = 200
) -> HttpResponse:
    return render(request, template, context, status=status, using=PUBLIC_TEMPLATES)


def _client_address(request: HttpRequest) -> str:
    # REMOTE_ADDR only: X-Forwarded-For is set by the client unless a proxy rewrites it.
    return request.META.get("REMOTE_ADDR", "")


def _private(response: HttpResponse) -> HttpResponse:
    # The token in the URL is kept from other sites by the default Referrer-Policy
    # (same-origin, SecurityMiddleware): the language link's "next" carries it to this
    # site only.
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def status_lookup(request: HttpRequest) -> HttpResponse:
    """The form (GET); a lookup (POST): redirect to the signed link, or say not found."""
    if request.method != "POST":
        return _render(request, "cases/status/lookup.html", {"form": StatusLookupForm()})
    reference = request.POST.get("reference", "")
    retry_after = access.lookup_retry_after(address=_client_address(request), reference=reference)
    if retry_after is not None:
        minutes = -(-retry_after // 60)
        retry_text = ngettext(
            "To protect applicants' cases, lookups are paused for a while. Please try again"
            " in %(minutes)s minute.",
            "To protect applicants' cases, lookups are paused for a while. Please try again"
            " in %(minutes)s minutes.",
            minutes,
        ) % {"minutes": minutes}
        response = _render(
            request, "cases/status/rate_limited.html", {"retry_text": retry_text}, status=429
        )
        response["Retry-After"] = str(retry_after)
        return response
    form = StatusLookupForm(request.POST)
    if not form.is_valid():
        return _render(request, "cases/status/lookup.html", {"form": form})
    case = access.case_find_by_access_code(
        reference=form.cleaned_data["reference"], code=form.cleaned_data["code"]
    )
    if case is None:
        access.lookup_failed(address=_client_address(request), reference=reference)
        # The same page whatever was wrong; the reference comes back as typed (so that a
        # mistyped code is retyped alone), never the code.
        again = StatusLookupForm(initial={"reference": form.cleaned_data["reference"]})
        return _render(request, "cases/status/lookup.html", {"form": again, "not_found": True})
    response = redirect(access.case_status_link(case))
    response.status_code = 303  # See Other: the answer to a POST is read with a GET
    return response


def _not_found(request: HttpRequest) -> HttpResponse:
    days = access.link_max_age().days
    validity_text = ngettext(
        "Status links stay valid for %(days)s day, and stop working as soon as the center"
        " gives the case a new access code.",
        "Status links stay valid for %(days)s days, and stop working as soon as the center"
        " gives the case a new access code.",
        days,
    ) % {"days": days}
    context = {"validity_text": validity_text}
    return _private(_render(request, "cases/status/not_found.html", context, status=404))


def _no_store(response: HttpResponse) -> HttpResponse:
    # What never_cache sets, as constants: this is the hottest response of the site.
    response["Expires"] = "Thu, 01 Jan 1970 00:00:00 GMT"
    response["Cache-Control"] = "max-age=0, no-cache, no-store, must-revalidate, private"
    return response


def _linked_case(token: str) -> Case | None:
    """The case of a valid, unrevoked status link (as ``status_page`` checks it)."""
    link = access.read_status_token(token)
    if link is None:
        return None
    case = Case.objects.filter(pk=link.case_id).only("pk", "access_code_hash").first()
    if case is None or not link.matches(case.access_code_hash):
        return None
    return case


@require_safe
def status_notice(request: HttpRequest, token: str, notice_id: int) -> HttpResponse:
    """A notice of the case, as a PDF, for whoever holds its status link; anything else
    (a notice of another case, a revoked or forged link) is the status page's not found."""
    case = _linked_case(token)
    if case is None or not Notice.objects.filter(case=case, pk=notice_id).exists():
        return _no_store(_not_found(request))
    response = document_response(notice_pdf(notice=notice_id))
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_safe
def status_page(request: HttpRequest, token: str) -> HttpResponse:
    """A case's status, for whoever holds its signed link.

    The case is read first (with the versions of what its page shows); a link revoked by
    a code reset is not found. The page kept for those versions, the language and the
    day is served when there is one (``cases.selectors.status.kept``); otherwise the page
    is rendered and kept.
    """
    link = access.read_status_token(token)
    if link is None:
        return _no_store(_not_found(request))
    try:
        case = status_case(link.case_id)
    except Case.DoesNotExist:
        return _no_store(_not_found(request))
    if not link.matches(case.access_code_hash):
        return _no_store(_not_found(request))
    today = timezone.localdate()
    # A query string would end up in the language switch's "next": keep nothing then.
    key = None
    if not request.GET:
        key = kept.status_page_key(case=case, language=translation.get_language(), today=today)
    html = kept.status_page_kept(key) if key else None
    if html is None:
        status = case_status(case=case, today=today)
        html = render_to_string(
            "cases/status/page.html", {"status": status}, request, using=PUBLIC_TEMPLATES
        )
        if key:
            kept.status_page_keep(key, html)
    return _no_store(_private(HttpResponse(html)))
