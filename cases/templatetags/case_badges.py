"""Badges for case states, deadlines and registrations, used by the admin pages.

A state's colour says whose move it is: the center reviewing (blue), the applicant
owing something (amber), CNIPA examining (purple), granted (green), closed otherwise
(grey). Deadline flags: overdue (red), at risk (amber), calendar estimated (dashed).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from cases import workflow
from cases.models import CaseState, RegistrationState

register = template.Library()

S = CaseState
STATE_PHASES: dict[str, str] = {
    S.SUBMITTED: "center",
    S.UNDER_REVIEW: "center",
    S.CORRECTION_REQUESTED: "applicant",
    S.QUALIFIED: "applicant",
    S.OFFICE_ACTION: "applicant",
    S.GRANT_NOTIFIED: "applicant",
    S.FILED: "office",
    S.GRANTED: "granted",
    S.NOT_ACCEPTED: "closed",
    S.UNQUALIFIED: "closed",
    S.WITHDRAWN: "closed",
    S.LAPSED: "closed",
    S.REJECTED: "closed",
    S.FAST_TRACK_EXITED: "closed",
}
PHASE_TITLES = {
    "center": _("The center reviews"),
    "applicant": _("The applicant owes the next step"),
    "office": _("CNIPA examines"),
    "granted": _("Granted"),
    "closed": _("Closed"),
}
REGISTRATION_TONES: dict[str, str] = {
    RegistrationState.SUBMITTED: "center",
    RegistrationState.RETURNED: "applicant",
    RegistrationState.APPROVED: "granted",
    RegistrationState.REJECTED: "closed",
    RegistrationState.SUSPENDED: "overdue",
}


def truncated(text: str) -> SafeString:
    """Long text on one line in a list column, cut with an ellipsis, whole on hover."""
    return format_html('<span class="pc-truncate" title="{}">{}</span>', text, text)


def _badge(tone: str, label: object, title: object = "") -> SafeString:
    if title:
        return format_html(
            '<span class="pc-badge pc-badge--{}" title="{}">{}</span>', tone, title, label
        )
    return format_html('<span class="pc-badge pc-badge--{}">{}</span>', tone, label)


@register.filter
def state_label(value: str) -> str:
    """The translated label of a stored state value (blank for none)."""
    if not value:
        return ""
    try:
        return str(CaseState(value).label)
    except ValueError:
        return value


@register.filter
def transition_label(name: str) -> str:
    return str(workflow.TRANSITION_LABELS.get(name, name))


@register.filter
def state_badge(state: str) -> SafeString:
    """A case state as a badge coloured by phase."""
    phase = STATE_PHASES.get(state, "closed")
    return _badge(phase, state_label(state), PHASE_TITLES[phase])


@register.filter
def registration_badge(state: str) -> SafeString:
    try:
        label = RegistrationState(state).label
    except ValueError:
        label = state
    return _badge(REGISTRATION_TONES.get(state, "closed"), label)


@register.simple_tag
def deadline_flags(*, at_risk: Any = None, overdue: Any = None, estimated: bool = False) -> str:
    """Badges for a clock or a case: overdue wins over at risk; estimated is added."""
    flags: list[tuple[str, object, object]] = []
    if overdue:
        flags.append(("overdue", _("overdue"), _("Past its due date.")))
    elif at_risk:
        flags.append(("at-risk", _("at risk"), _("Has used its warning share of the time.")))
    if estimated:
        flags.append(
            (
                "estimated",
                _("estimated"),
                _("Computed on weekdays: the holiday notice for that year is not entered yet."),
            )
        )
    return format_html_join(
        " ",
        '<span class="pc-badge pc-badge--{}" title="{}">{}</span>',
        ((tone, title, label) for tone, label, title in flags),
    )


@register.filter
def due_badge(case: Any) -> SafeString:
    """A case's next due date followed by its deadline flags."""
    due: date | None = case.next_due_on
    flags = deadline_flags(
        at_risk=case.at_risk_since,
        overdue=case.overdue_since,
        estimated=case.calendar_estimated,
    )
    if due is None:
        return format_html('<span class="pc-muted">—</span> {}', flags)
    return format_html('<span class="pc-date">{}</span> {}', due.isoformat(), flags)


@register.filter
def document_kind_label(kind: str) -> str:
    """A stored document kind in the reader's language."""
    from cases.choices import DocumentKind

    try:
        return str(DocumentKind(kind).label)
    except ValueError:
        return kind


@register.filter
def consistency_outcome_label(outcome: str) -> str:
    from cases.models import ConsistencyCheck

    try:
        return str(ConsistencyCheck.Outcome(outcome).label)
    except ValueError:
        return outcome


def next_due_badge(case: Any, due: Any) -> SafeString:
    """``due_badge`` and, below it, the step the date belongs to, whose clock (center,
    applicant, CNIPA) and the days left in its unit (``selectors.queue.NextDue``)."""
    badge = due_badge(case)
    if due is None:
        return badge
    if due.left >= 0:
        left = (
            ngettext("%(n)s working day left", "%(n)s working days left", due.left)
            if due.working
            else ngettext("%(n)s calendar day left", "%(n)s calendar days left", due.left)
        ) % {"n": due.left}
    else:
        late = -due.left
        left = (
            ngettext("%(n)s working day late", "%(n)s working days late", late)
            if due.working
            else ngettext("%(n)s calendar day late", "%(n)s calendar days late", late)
        ) % {"n": late}
    return format_html(
        '{}<br><span class="pc-due-step{}">{} · {} · {}</span>',
        badge,
        "" if due.actionable else " pc-muted",
        due.step_label,
        due.party_label,
        left,
    )
