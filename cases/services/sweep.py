"""The deadline sweep: flag clocks that became at risk or overdue, and remind applicants.

A pass costs a fixed number of statements per batch of at most ``BATCH`` clocks,
whatever the number of open cases: the lookups walk the partial indexes
``timer_sweep_at_risk`` and ``timer_sweep_overdue``, which hold only running clocks not
yet flagged, and every write is one set-based statement. Per batch, in one transaction:

1. take the newly overdue and the newly at-risk clocks (two lookups, each in its index's
   order) and then their cases, locked with ``FOR UPDATE SKIP LOCKED``: a concurrent
   sweep takes other rows, a case being changed by a service waits for the next run, and
   the sweep itself never waits on a lock;
2. set the clocks' ``at_risk_since`` / ``overdue_since`` to ``now`` (one UPDATE);
3. set the same fields on their cases where still empty (one UPDATE);
4. write one internal ``CaseEvent`` per flagged clock (one INSERT … SELECT);
5. write the outbox rows, each in its recipient's language: the assigned examiner, one
   per flagged step of the center's own (one INSERT … SELECT; the unique key drops
   duplicates); and each manager of a center with newly overdue steps, one digest
   listing them (one SELECT of the steps, one of the managers, one INSERT), so that a
   bad day is one e-mail per manager, not one per case.

A clock newly overdue and newly at risk in the same pass (after downtime) gets both
timestamps but one event and one set of e-mails, the overdue ones.

Then the applicant reminders, one INSERT … SELECT: clocks the applicant owes that are due
within ``REMINDER_WORKDAYS`` working days (a reminder) or today (a due-today notice) and
have not had that notice yet.

Running the sweep twice, or twice at once, flags each clock once and writes each
notification once. Dates are local (``TIME_ZONE``, Asia/Shanghai by default). The SQL
runs on PostgreSQL and SQLite (the embedded run); only the JSON constructor and the
lists of ids (one array parameter on PostgreSQL) differ.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from cases import deadlines, events
from cases.calendar import get_work_calendar
from cases.db import sql as db
from cases.models import (
    Case,
    Center,
    Entity,
    Notification,
    Party,
    Role,
    StaffProfile,
    Timer,
)
from cases.services import outbox, webhooks

logger = logging.getLogger(__name__)

BATCH = 5000
REMINDER_WORKDAYS = 3
DIGEST_ITEMS = 20
"""At most this many steps are listed in a manager's digest; it gives the total and links
to the list of overdue cases for the rest."""
DIGEST_TITLE_LENGTH = 60

Kind = Notification.Kind


@dataclass
class SweepResult:
    at_risk: int = 0
    """Clocks newly flagged at risk."""
    overdue: int = 0
    """Clocks newly flagged overdue."""
    cases: int = 0
    """Cases whose clocks were flagged."""
    events: int = 0
    """Internal case events written."""
    notifications: int = 0
    """Outbox rows written (duplicates skipped by their key are not counted)."""
    reminders: int = 0
    """Of those, reminders and due-today notices to applicants."""


def deadlines_sweep(*, now: datetime | None = None) -> SweepResult:
    """Flag newly at-risk and overdue clocks, log them, queue e-mails; safe to re-run."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    result = SweepResult()
    while _flag_batch(now=now, today=today, result=result):
        pass
    with transaction.atomic():
        reminded = _remind(now=now, today=today)
    result.reminders = reminded
    result.notifications += reminded
    if result.notifications:
        outbox.request_delivery()
    logger.info("Deadline sweep on %s: %s", today, result)
    return result


def _flag_batch(*, now: datetime, today: date, result: SweepResult) -> bool:
    """Flag one batch of clocks; return whether more may be waiting."""
    with transaction.atomic():
        # Each lookup in its partial index's order: the planner walks that index and stops
        # at today, whatever its (poor) estimate of how many running clocks match.
        overdue = list(
            Timer.objects.newly_overdue(on=today)
            .select_for_update(skip_locked=True)
            .order_by("due_on")
            .values_list("id", "case_id", "at_risk_since")[:BATCH]
        )
        warned = list(
            Timer.objects.newly_at_risk(on=today)
            .select_for_update(skip_locked=True)
            .order_by("warn_on")
            .values_list("id", "case_id")[:BATCH]
        )
        case_of = {pk: case_id for pk, case_id, *_rest in overdue + warned}
        if not case_of:
            return False
        # Cases locked by a running transition are skipped, not waited for: a service locks
        # the case before its clocks, the sweep the other way round.
        tables = _tables()
        ids, params = db.one_of("id", set(case_of.values()))
        lock = (
            " FOR UPDATE SKIP LOCKED"
            if connection.features.has_select_for_update_skip_locked
            else ""
        )
        locked = set(
            _column(f"SELECT id FROM {tables['case']} WHERE {ids} ORDER BY id{lock}", params)
        )
        overdue_ids = {pk for pk, case_id, _at in overdue if case_id in locked}
        at_risk_ids = {pk for pk, case_id in warned if case_id in locked} | {
            pk for pk, case_id, at_risk in overdue if case_id in locked and at_risk is None
        }
        timer_ids = sorted(overdue_ids | at_risk_ids)
        if not timer_ids:
            return False
        at = connection.ops.adapt_datetimefield_value(now)
        day = connection.ops.adapt_datefield_value(today)
        ids, params = db.one_of("id", timer_ids)
        db.execute(
            f"""UPDATE {tables["timer"]} SET
                at_risk_since = CASE WHEN at_risk_since IS NULL AND warn_on <= %s THEN %s
                                     ELSE at_risk_since END,
                overdue_since = CASE WHEN overdue_since IS NULL AND due_on < %s THEN %s
                                     ELSE overdue_since END
            WHERE {ids}""",
            [day, at, day, at, *params],
        )
        flagged_cases = {case_of[pk] for pk in timer_ids}
        overdue_cases = {case_of[pk] for pk in overdue_ids}
        ids, params = db.one_of("id", flagged_cases)
        overdue_ids_sql, overdue_params = db.one_of("id", overdue_cases)
        db.execute(
            f"""UPDATE {tables["case"]} SET
                at_risk_since = COALESCE(at_risk_since, %s),
                overdue_since = CASE WHEN {overdue_ids_sql} THEN COALESCE(overdue_since, %s)
                                     ELSE overdue_since END,
                updated_at = %s
            WHERE {ids}""",
            [at, *overdue_params, at, at, *params],
        )
        flagged = events.deadline_flagged_events(timer_ids=timer_ids, now=now)
        notifications = _notify_examiners(timer_ids, now=now)
        notifications += _notify_managers(sorted(overdue_ids), now=now)
        webhooks.deadlines_flagged(at_risk_ids=at_risk_ids, overdue_ids=overdue_ids, now=now)
    result.at_risk += len(at_risk_ids)
    result.overdue += len(overdue_ids)
    result.cases += len(flagged_cases)
    result.events += flagged
    result.notifications += notifications
    return BATCH in (len(overdue), len(warned))


def _tables() -> dict[str, str]:
    user = get_user_model()
    models_ = {
        "timer": Timer,
        "case": Case,
        "notification": Notification,
        "entity": Entity,
        "user": user,
        "profile": StaffProfile,
    }
    return {name: db.table(m) for name, m in models_.items()}


def _json_object() -> str:
    return "jsonb_build_object" if connection.vendor == "postgresql" else "json_object"


def _column(sql: str, params: list[object]) -> list[Any]:
    return [row[0] for row in db.rows(sql, params)]


def _notify_examiners(timer_ids: list[int], *, now: datetime) -> int:
    """The assigned examiner, for each flagged step of the center's own."""
    at = connection.ops.adapt_datetimefield_value(now)
    payload = (
        f"{_json_object()}('reference', c.reference, 'title', c.title, 'state', c.state,"
        " 'step', t.step, 'due_on', CAST(t.due_on AS TEXT), 'role', 'examiner')"
    )
    overdue = "t.overdue_since = %s"
    ids, id_params = db.one_of("t.id", timer_ids)
    sql = f"""
        INSERT INTO {{notification}} ("key", kind, case_id, timer_id, recipient, language, payload,
                                    status, attempts, last_error, created_at, next_attempt_at)
        SELECT CASE WHEN {overdue} THEN 'overdue:' || t.id || ':' || CAST(t.due_on AS TEXT)
                    ELSE 'at_risk:' || t.id || ':' || CAST(t.warn_on AS TEXT) END
                   || ':' || u.id,
               CASE WHEN {overdue} THEN %s ELSE %s END,
               t.case_id, t.id, u.email, COALESCE(p.language, %s), {payload},
               %s, 0, '', %s, %s
        FROM {{timer}} t
        JOIN {{case}} c ON c.id = t.case_id
        JOIN {{user}} u ON u.id = c.examiner_id
        LEFT JOIN {{profile}} p ON p.user_id = u.id
        WHERE {ids}
          AND t.party = %s AND u.is_active AND u.email <> ''
        ON CONFLICT ("key") DO NOTHING
    """.format(**_tables())
    params = [
        at,
        at,
        Kind.STEP_OVERDUE.value,
        Kind.STEP_AT_RISK.value,
        settings.LANGUAGE_CODE,
        Notification.Status.PENDING.value,
        at,
        at,
        *id_params,
        Party.CENTER.value,
    ]
    return db.execute(sql, params)


def _notify_managers(timer_ids: list[int], *, now: datetime) -> int:
    """One digest per manager of each center with newly overdue steps (any party's).

    The key names the batch's first overdue clock of the center, so a digest is written
    once; the steps of a later batch (or of a concurrent sweep) make a digest of their own.
    """
    if not timer_ids:
        return 0
    tables = _tables()
    ids, params = db.one_of("t.id", timer_ids)
    rows = db.rows(
        f"""SELECT t.id, c.center_id, c.reference, c.title, t.step, t.due_on
        FROM {tables["timer"]} t JOIN {tables["case"]} c ON c.id = t.case_id
        WHERE {ids} ORDER BY t.due_on, c.reference""",
        params,
    )
    steps: dict[int, list[dict[str, object]]] = {}
    for pk, center_id, reference, title, step, due_on in rows:
        steps.setdefault(center_id, []).append(
            {
                "timer": pk,
                "reference": reference,
                "title": title[:DIGEST_TITLE_LENGTH],
                "step": step,
                # SQLite returns the date as text already.
                "due_on": due_on if isinstance(due_on, str) else due_on.isoformat(),
            }
        )
    managers = (
        StaffProfile.objects.filter(
            center_id__in=steps,
            user__is_active=True,
            user__groups__name=Role.MANAGER,
        )
        .exclude(user__email="")
        .values_list("center_id", "user_id", "user__email", "language")
        .distinct()
    )
    centers = dict(Center.objects.filter(pk__in=steps).values_list("pk", "code"))
    rows = []
    for center_id, user_id, email, language in managers:
        items = steps[center_id]
        first = min(item["timer"] for item in items)
        rows.append(
            Notification(
                key=f"overdue_digest:{first}:{user_id}",
                kind=Kind.OVERDUE_DIGEST,
                center_id=center_id,
                recipient=email,
                language=language or settings.LANGUAGE_CODE,
                payload={
                    "center": centers[center_id],
                    "count": len(items),
                    "steps": [
                        {k: v for k, v in item.items() if k != "timer"}
                        for item in items[:DIGEST_ITEMS]
                    ],
                    "role": "manager",
                },
                created_at=now,
                next_attempt_at=now,
            )
        )
    return len(Notification.objects.bulk_create(rows, ignore_conflicts=True))


def _remind(*, now: datetime, today: date) -> int:
    """Queue the applicant reminders now due; return how many were written."""
    last_day = deadlines.add_workdays(today, REMINDER_WORKDAYS, get_work_calendar().lenient())
    at = connection.ops.adapt_datetimefield_value(now)
    day = connection.ops.adapt_datefield_value(today)
    payload = (
        f"{_json_object()}('reference', c.reference, 'title', c.title, 'state', c.state,"
        " 'step', t.step, 'due_on', CAST(t.due_on AS TEXT), 'name', e.contact_name,"
        " 'due_estimated', t.estimated)"
    )
    # The first four conditions are the partial index timer_sweep_overdue and its range.
    sql = f"""
        INSERT INTO {{notification}} ("key", kind, case_id, timer_id, recipient, language, payload,
                                    status, attempts, last_error, created_at, next_attempt_at)
        SELECT CASE WHEN t.due_on = %s THEN 'due_today:' ELSE 'reminder:' END || t.id,
               CASE WHEN t.due_on = %s THEN %s ELSE %s END,
               t.case_id, t.id, e.contact_email, e.contact_language, {payload},
               %s, 0, '', %s, %s
        FROM {{timer}} t
        JOIN {{case}} c ON c.id = t.case_id
        JOIN {{entity}} e ON e.id = c.entity_id
        WHERE t.stopped_at IS NULL AND t.paused_since IS NULL AND t.overdue_since IS NULL
          AND t.due_on >= %s AND t.due_on <= %s
          AND t.party = %s AND t.started_on < %s AND e.contact_email <> ''
          AND NOT EXISTS (
              SELECT 1 FROM {{notification}} n
              WHERE n.timer_id = t.id
                AND n.kind = CASE WHEN t.due_on = %s THEN %s ELSE %s END)
        ON CONFLICT ("key") DO NOTHING
    """.format(**_tables())
    due_today, reminder = Kind.APPLICANT_DUE_TODAY.value, Kind.APPLICANT_REMINDER.value
    params = [
        day,
        day,
        due_today,
        reminder,
        Notification.Status.PENDING.value,
        at,
        at,
        day,
        connection.ops.adapt_datefield_value(last_day),
        Party.APPLICANT.value,
        day,
        day,
        due_today,
        reminder,
    ]
    return db.execute(sql, params)
