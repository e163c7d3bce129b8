"""The case history: one named function per kind of event, the only writers of ``CaseEvent``.

Services call them in plain sight, after the change they record and in its transaction
(``events.case_accepted_event(...)``, then ``case.save``'s effects are all in one commit).
An event records the case's state before and after, the actor and the channel it acted
through (the system's own work has no user), the time, and the notes: ``note`` is
internal, ``public_note`` is the message to the applicant, shown with public events on
the status page. The sweep writes its flags set-based (``deadline_flagged_events``).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.actors import Actor
from cases.choices import Channel, kind_labels
from cases.db import sql
from cases.models import Case, CaseEvent, Step, Timer
from cases.people import staff_display_name


def _event(
    *,
    case: Case,
    transition: str,
    from_state: str,
    actor: Actor,
    at: datetime,
    note: str = "",
    public_note: str = "",
    public: bool = True,
    occurred_on: date | None = None,
) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case,
        transition=transition,
        from_state=from_state,
        to_state=case.state,
        actor=actor.user,
        channel=actor.channel,
        created_at=at,
        occurred_on=occurred_on,
        note=note,
        public_note=public_note,
        public=public,
    )


def _system_note(message: Promise, **values: Any) -> str:
    """A note the system writes, in the site's language: the whole center reads the
    history, and a stored note is not translated when read."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(message) % values


# The center's side


def case_submitted_event(*, case: Case, actor: Actor, at: datetime, note: str = "") -> CaseEvent:
    return _event(case=case, transition="submit", from_state="", actor=actor, at=at, note=note)


def case_accepted_event(
    *, case: Case, actor: Actor, from_state: str, at: datetime, note: str = ""
) -> CaseEvent:
    return _event(
        case=case, transition="accept", from_state=from_state, actor=actor, at=at, note=note
    )


def case_declined_event(
    *, case: Case, actor: Actor, from_state: str, at: datetime, note: str, public_note: str
) -> CaseEvent:
    return _event(
        case=case,
        transition="decline",
        from_state=from_state,
        actor=actor,
        at=at,
        note=note,
        public_note=public_note,
    )


def correction_requested_event(
    *, case: Case, actor: Actor, from_state: str, at: datetime, note: str, public_note: str
) -> CaseEvent:
    return _event(
        case=case,
        transition="request_correction",
        from_state=from_state,
        actor=actor,
        at=at,
        note=note,
        public_note=public_note,
    )


def correction_received_event(
    *,
    case: Case,
    actor: Actor,
    from_state: str,
    at: datetime,
    note: str,
    received_on: date | None = None,
) -> CaseEvent:
    return _event(
        case=case,
        transition="receive_correction",
        from_state=from_state,
        actor=actor,
        at=at,
        note=note,
        occurred_on=received_on,
    )


def case_qualified_event(
    *, case: Case, actor: Actor, from_state: str, at: datetime, note: str, public_note: str
) -> CaseEvent:
    return _event(
        case=case,
        transition="qualify",
        from_state=from_state,
        actor=actor,
        at=at,
        note=note,
        public_note=public_note,
    )


def case_disqualified_event(
    *, case: Case, actor: Actor, from_state: str, at: datetime, note: str, public_note: str
) -> CaseEvent:
    return _event(
        case=case,
        transition="disqualify",
        from_state=from_state,
        actor=actor,
        at=at,
        note=note,
        public_note=public_note,
    )


def case_lapsed_event(
    *,
    case: Case,
    actor: Actor,
    from_state: str,
    at: datetime,
    note: str,
    public_note: str,
    override_reason: str = "",
    due_on: date | None = None,
) -> CaseEvent:
    """Lapsed; lapsed before the applicant's deadline (``due_on``) only with the
    override's reason, which the internal note records before staff's own note."""
    if override_reason:
        override = _system_note(
            gettext_lazy("Lapsed before the applicant's deadline of %(due)s. Reason: %(reason)s"),
            due=due_on.isoformat() if due_on else "—",
            reason=override_reason,
        )
        note = f"{override}\n{note}" if note else override
    return _event(
        case=case,
        transition="lapse",
        from_state=from_state,
        actor=actor,
        at=at,
        note=note,
        public_note=public_note,
    )


def case_withdrawn_event(
    *, case: Case, actor: Actor, from_state: str, at: datetime, note: str, public_note: str
) -> CaseEvent:
    return _event(
        case=case,
        transition="withdraw",
        from_state=from_state,
        actor=actor,
        at=at,
        note=note,
        public_note=public_note,
    )


def examiner_assigned_event(
    *,
    case: Case,
    actor: Actor,
    at: datetime,
    previous: Any,
    examiner: Any,
    automatic: bool = False,
) -> CaseEvent:
    """Internal: who examined the case before and who does now; ``automatic`` when the
    center's automatic assignment chose (by field and workload)."""
    note = examiner_assigned_note(
        previous=staff_display_name(previous),
        examiner=staff_display_name(examiner),
        automatic=automatic,
    )
    return _event(
        case=case,
        transition="assign",
        from_state=case.state,
        actor=actor,
        at=at,
        note=note,
        public=False,
    )


def examiner_assigned_note(*, previous: str, examiner: str, automatic: bool = False) -> str:
    """The assignment event's note, from the two examiners' display names (also what
    the demo's bulk generator writes, so that its rows are the services')."""
    note = _system_note(
        gettext_lazy("Examiner: %(old)s → %(new)s"), old=previous or "—", new=examiner or "—"
    )
    if automatic:
        note += _system_note(gettext_lazy(" (assigned automatically: field and workload)"))
    return note


def case_details_changed_event(
    *, case: Case, actor: Actor, at: datetime, changes: dict[str, tuple[Any, Any]], reason: str
) -> CaseEvent:
    """Internal: each corrected detail as old → new, and why (after acceptance)."""
    from django.utils.text import capfirst

    with translation.override(settings.LANGUAGE_CODE):
        lines = [
            f"{capfirst(Case._meta.get_field(name).verbose_name)}: "
            f"{_detail_text(name, old)} → {_detail_text(name, new)}"
            for name, (old, new) in changes.items()
        ]
        if reason:
            lines.append(str(gettext_lazy("Reason: %(reason)s")) % {"reason": reason})
    return _event(
        case=case,
        transition="edit_details",
        from_state=case.state,
        actor=actor,
        at=at,
        note="\n".join(lines),
        public=False,
    )


def _detail_text(name: str, value: Any) -> str:
    if name == "patent_type":
        from cases.choices import PatentType

        return str(PatentType(value).label)
    return str(value)


def access_code_reset_event(*, case: Case, actor: Actor, at: datetime) -> CaseEvent:
    """Internal (never on the public page): the old code and links stopped working."""
    note = _system_note(
        gettext_lazy("Access code reset: the old code and status links sent before no longer work.")
    )
    return _event(
        case=case,
        transition="reset_access_code",
        from_state=case.state,
        actor=actor,
        at=at,
        note=note,
        public=False,
    )


# Documents, notices and the consistency check: internal (the applicant is told of
# decisions by the transitions' own events and e-mails).


def document_added_event(*, case: Case, actor: Actor, at: datetime, document: Any) -> CaseEvent:
    """Internal: which version of which document, its size, pages and hash."""
    note = _system_note(
        gettext_lazy("%(kind)s v%(version)s: %(name)s, %(size)s bytes, SHA-256 %(hash)s"),
        kind=document.get_kind_display(),
        version=document.version,
        name=document.original_name,
        size=document.size,
        hash=document.hash_prefix,
    )
    if document.pages:
        note += _system_note(gettext_lazy(", %(pages)s pages"), pages=document.pages)
    return _event(
        case=case,
        transition="add_document",
        from_state=case.state,
        actor=actor,
        at=at,
        note=note,
        public=False,
    )


def notice_issued_event(*, case: Case, actor: Actor, at: datetime, notice: Any) -> CaseEvent:
    """Internal: the notice's number and kind, and the one it replaces."""
    note = _system_note(
        gettext_lazy("%(kind)s %(number)s"), kind=notice.get_kind_display(), number=notice.number
    )
    if notice.replaces is not None:
        note += _system_note(gettext_lazy(" (replaces %(number)s)"), number=notice.replaces.number)
    return _event(
        case=case,
        transition="issue_notice",
        from_state=case.state,
        actor=actor,
        at=at,
        note=note,
        public=False,
    )


def consistency_checked_event(
    *, case: Case, actor: Actor, at: datetime, consistent: bool, differing: list[str]
) -> CaseEvent:
    """Internal: consistent, or the kinds whose filed document differs or is missing."""
    if consistent:
        note = _system_note(
            gettext_lazy("The documents filed with CNIPA are consistent with the qualified ones.")
        )
    else:
        with translation.override(settings.LANGUAGE_CODE):
            kinds = kind_labels(differing)
        note = _system_note(
            gettext_lazy(
                "The documents filed with CNIPA differ from the qualified ones: %(kinds)s."
            ),
            kinds=kinds,
        )
    return _event(
        case=case,
        transition="check_consistency",
        from_state=case.state,
        actor=actor,
        at=at,
        note=note,
        public=False,
    )


# CNIPA's side: the day it happened is CNIPA's date, shown on the status page's timeline.


def filing_recorded_event(
    *, case: Case, actor: Actor, from_state: str, at: datetime, note: str, filed_on: date
) -> CaseEvent:
    return _event(
        case=case,
        transition="record_filing",
        from_state=from_state,
        actor=actor,
        at=at,
        note=note,
        occurred_on=filed_on,
    )


def office_action_recorded_event(
    *,
    case: Case,
    actor: Actor,
    from_state: str,
    at: datetime,
    note: str,
    public_note: str,
    notice_date: date,
) -> CaseEvent:
    return _event(
        case=case,
        transition="record_office_action",
        from_state=from_state,
        actor=actor,
        at=at,
        note=note,
        public_note=public_note,
        occurred_on=notice_date,
    )


def response_recorded_event(
    *,
    case: Case,
    actor: Actor,
    from_state: str,
    at: datetime,
    note: str,
    responded_on: date | None,
) -> CaseEvent:
    return _event(
        case=case,
        transition="record_response",
        from_state=from_state,
        actor=actor,
        at=at,
        note=note,
        occurred_on=responded_on,
    )


def grant_notice_recorded_event(
    *,
    case: Case,
    actor: Actor,
    from_state: str,
    at: datetime,
    note: str,
    public_note: str,
    notice_date: date,
) -> CaseEvent:
    return _event(
        case=case,
        transition="record_grant_notice",
        from_state=from_state,
        actor=actor,
        at=at,
        note=note,
        public_note=public_note,
        occurred_on=notice_date,
    )


def rejection_recorded_event(
    *, case: Case, actor: Actor, from_state: str, at: datetime, note: str, public_note: str
) -> CaseEvent:
    return _event(
        case=case,
        transition="record_rejection",
        from_state=from_state,
        actor=actor,
        at=at,
        note=note,
        public_note=public_note,
    )


def fast_track_exit_recorded_event(
    *, case: Case, actor: Actor, from_state: str, at: datetime, note: str, public_note: str
) -> CaseEvent:
    return _event(
        case=case,
        transition="record_fast_track_exit",
        from_state=from_state,
        actor=actor,
        at=at,
        note=note,
        public_note=public_note,
    )


def registration_recorded_event(
    *,
    case: Case,
    actor: Actor,
    from_state: str,
    at: datetime,
    note: str,
    public_note: str,
    registered_on: date | None = None,
) -> CaseEvent:
    return _event(
        case=case,
        transition="record_registration",
        from_state=from_state,
        actor=actor,
        at=at,
        note=note,
        public_note=public_note,
        occurred_on=registered_on,
    )


# The sweep's flags, set-based


def deadline_flagged_events(*, timer_ids: Collection[int], now: datetime) -> int:
    """One internal event per flagged clock, the system's, noting the step and its due
    date: one INSERT … SELECT for the sweep's whole batch. Returns how many were written."""
    with translation.override(settings.LANGUAGE_CODE):
        overdue_note = _("%(step)s is overdue: it was due on %(due)s.")
        at_risk_note = _("%(step)s is at risk: it is due on %(due)s.")
        labels = [(step.value, str(step.label)) for step in Step]
    at = connection.ops.adapt_datetimefield_value(now)
    ids, id_params = sql.one_of("t.id", timer_ids)
    step_label = "CASE t.step " + " ".join("WHEN %s THEN %s" for _ in labels) + " END"
    statement = f"""
        INSERT INTO {sql.table(CaseEvent)} (case_id, "transition", from_state, to_state,
                                            actor_id, channel, created_at, note, public_note,
                                            "public")
        SELECT t.case_id,
               CASE WHEN t.overdue_since = %s THEN 'flag_overdue' ELSE 'flag_at_risk' END,
               c.state, c.state, NULL, %s, %s,
               REPLACE(REPLACE(CASE WHEN t.overdue_since = %s THEN %s ELSE %s END,
                               '%%(step)s', {step_label}),
                       '%%(due)s', CAST(t.due_on AS TEXT)),
               '', %s
        FROM {sql.table(Timer)} t JOIN {sql.table(Case)} c ON c.id = t.case_id
        WHERE {ids}
    """
    params: list[object] = [at, Channel.SYSTEM.value, at, at, overdue_note, at_risk_note]
    params += [value for pair in labels for value in pair]
    params += [False, *id_params]
    return sql.execute(statement, params)


def application_number_corrected_event(
    *, case: Case, actor: Actor, at: datetime, previous: str, note: str
) -> CaseEvent:
    """Internal: staff corrected the CNIPA application number reported for the case."""
    return _event(
        case=case,
        transition="correct_application_number",
        from_state=case.state,
        actor=actor,
        at=at,
        note=_system_note(
            gettext_lazy("Application number corrected: %(previous)s → %(number)s."),
            previous=previous,
            number=case.application_number,
        )
        + (f" {note}" if note else ""),
        public=False,
    )


def _iso(day: date | None) -> str:
    return day.isoformat() if day is not None else "—"


def filing_date_corrected_event(
    *, case: Case, actor: Actor, at: datetime, previous: date, note: str
) -> CaseEvent:
    """Internal: staff corrected the CNIPA filing date reported for the case (the
    benchmark counts from the new one)."""
    assert case.cnipa_filing_date is not None
    return _event(
        case=case,
        transition="correct_filing_date",
        from_state=case.state,
        actor=actor,
        at=at,
        note=_system_note(
            gettext_lazy("CNIPA filing date corrected: %(previous)s → %(day)s."),
            previous=previous.isoformat(),
            day=case.cnipa_filing_date.isoformat(),
        )
        + f" {note}",
        public=False,
    )


def office_action_corrected_event(
    *,
    case: Case,
    actor: Actor,
    at: datetime,
    previous_notice: date | None,
    notice_date: date,
    previous_due: date,
    due: date,
    note: str,
) -> CaseEvent:
    """Internal: staff corrected the office action's notice date or its response due date."""
    return _event(
        case=case,
        transition="correct_office_action",
        from_state=case.state,
        actor=actor,
        at=at,
        note=_system_note(
            gettext_lazy(
                "Office action corrected: notice date %(previous_notice)s → %(notice)s, "
                "response due %(previous_due)s → %(due)s."
            ),
            previous_notice=_iso(previous_notice),
            notice=notice_date.isoformat(),
            previous_due=previous_due.isoformat(),
            due=due.isoformat(),
        )
        + f" {note}",
        public=False,
    )


def grant_notice_corrected_event(
    *,
    case: Case,
    actor: Actor,
    at: datetime,
    previous_notice: date | None,
    previous_received: date | None,
    note: str,
) -> CaseEvent:
    """Internal: staff corrected the grant notice's date or the day it was received."""
    assert case.grant_notice_date is not None
    return _event(
        case=case,
        transition="correct_grant_notice",
        from_state=case.state,
        actor=actor,
        at=at,
        note=_system_note(
            gettext_lazy(
                "Grant notice corrected: dated %(previous_notice)s → %(notice)s, "
                "received %(previous_received)s → %(received)s."
            ),
            previous_notice=_iso(previous_notice),
            notice=case.grant_notice_date.isoformat(),
            previous_received=_iso(previous_received),
            received=_iso(case.grant_notice_received_on),
        )
        + f" {note}",
        public=False,
    )
