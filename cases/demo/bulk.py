"""Benchmark volumes: play plans in memory and insert the rows with ``bulk_create``.

Running a million cases through the services would take hours, so this module plays the
same plans (``cases.demo.plans``) against in-memory clocks and writes the resulting
``Case``, ``CaseEvent`` and ``Timer`` rows in batches. Opening, pausing, resuming and
stopping a clock, and the case's deadline summary, are the rules the services apply
(``cases.clock_rules``, with the rule values of ``cases.services.clocks``); what is
mirrored here is only which transition does what to which clock, and
``tests/cases/test_seed_demo.py`` checks that a plan played both ways gives the same rows.

Two things the services alone do not do are done here:

- the running clocks that have reached their warning or due date are flagged as the
  nightly ``deadlines_sweep`` would have flagged them, on the day they got there
  (``at_risk_since``/``overdue_since`` on the timer and the case, and the sweep's
  internal ``flag_at_risk``/``flag_overdue`` event with its note); no e-mails are
  queued for that history;
- every case gets an applicant access code; one code for all the cases of a run
  (printed by the command), so that load tests of the status page can use it.

Rows go in with ``bulk_create``, or on PostgreSQL with ``COPY`` (the same rows, about
ten times faster: a million cases are some eleven million rows).

References are issued in submission order, from a block reserved on the center's
``ReferenceCounter``; to do that without holding a million plans in memory, plans are
made twice from per-case random streams (once to sort, once to write).
"""

from __future__ import annotations

import time as _time
from array import array
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, models, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from cases import clock_rules, deadlines
from cases.choices import Channel
from cases.demo.numbers import ApplicationNumbers, format_reference, reserve_references
from cases.demo.plans import CasePlan, PlanContext, case_rng, make_plan, pick_state
from cases.demo.replay import NumberFor, actor_for
from cases.events import examiner_assigned_note
from cases.models import Case, CaseEvent, CaseState, Party, Step, Timer
from cases.people import staff_display_name
from cases.services.clocks import STEP_PARTY, RuleValues

S = CaseState
User = get_user_model()
TARGETS: dict[str, str] = {
    "accept": S.UNDER_REVIEW,
    "decline": S.NOT_ACCEPTED,
    "request_correction": S.CORRECTION_REQUESTED,
    "receive_correction": S.UNDER_REVIEW,
    "qualify": S.QUALIFIED,
    "disqualify": S.UNQUALIFIED,
    "record_filing": S.FILED,
    "record_office_action": S.OFFICE_ACTION,
    "record_response": S.FILED,
    "record_grant_notice": S.GRANT_NOTIFIED,
    "record_rejection": S.REJECTED,
    "record_fast_track_exit": S.FAST_TRACK_EXITED,
    "record_registration": S.GRANTED,
    "lapse": S.LAPSED,
    "withdraw": S.WITHDRAWN,
}
# The argument holding the day an event happened, where it is not the day recorded.
_OCCURRED_ON = {
    "record_filing": "filing_date",
    "record_office_action": "notice_date",
    "record_response": "responded_on",
    "record_grant_notice": "notice_date",
}
_CLOSING = {"record_rejection", "record_fast_track_exit", "record_registration", "withdraw"}
_FLAG_HOUR = time(6, 0)  # when the nightly sweep is taken to have flagged a clock


@dataclass(slots=True)
class SimTimer:
    step: str
    party: str
    started_on: date
    due_on: date
    warn_on: date
    amount: int
    unit: str
    counting: str
    warning_share: Decimal
    estimated: bool
    paused_since: date | None = None
    paused_days: int = 0
    stopped_on: date | None = None
    stopped_at: datetime | None = None
    outcome: str = ""
    at_risk_since: datetime | None = None
    overdue_since: datetime | None = None

    @property
    def ticking(self) -> bool:
        return self.stopped_at is None and self.paused_since is None


@dataclass(slots=True)
class SimEvent:
    transition: str
    from_state: str
    to_state: str
    actor: Any
    created_at: datetime
    note: str = ""
    public_note: str = ""
    public: bool = True
    occurred_on: date | None = None  # CNIPA's date, as the services record it


@dataclass
class SimCase:
    """What the services would have stored for a plan: the case, its events and clocks."""

    plan: CasePlan
    state: str = ""  # before the submission
    examiner: Any = None
    fields: dict[str, Any] = field(default_factory=dict)
    timers: list[SimTimer] = field(default_factory=list)
    events: list[SimEvent] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        """The case's deadline fields, as ``case_refresh_deadlines`` sets them."""
        running = [t for t in self.timers if t.stopped_at is None]
        return asdict(clock_rules.deadline_summary(running))


class Simulator:
    """Plays plans as the services would, without a database."""

    def __init__(
        self,
        *,
        rules: dict[int, dict[tuple[str, str], RuleValues]],
        benchmark_days: dict[int, dict[str, int]],
        center_ids: dict[str, int],
        calendar: deadlines.WorkCalendar,
        application_number: NumberFor,
        staff_names: dict[int, str],
    ) -> None:
        self.rules = rules
        # User id -> display name: the assignment event's note names the examiner.
        self.staff_names = staff_names
        self._assigned_notes: dict[int, str] = {}
        self.benchmark_days = benchmark_days
        self.center_ids = center_ids
        self.calendar = calendar
        self.application_number = application_number

    def play(self, plan: CasePlan, staff: dict[str, Any]) -> SimCase:
        sim = SimCase(plan)
        center_id = self.center_ids[plan.center_code]
        rules = self.rules[center_id]

        calendar = self.calendar

        def open_(step: str, start: date, values: RuleValues | None = None, due: Any = None):
            values = values or rules[(step, plan.patent_type)]
            dates = clock_rules.opening_dates(
                start,
                calendar,
                amount=values.amount,
                unit=values.unit,
                counting=values.counting,
                warning_share=values.warning_share,
                due=due,
            )
            sim.timers.append(
                SimTimer(
                    step,
                    STEP_PARTY[step],
                    start,
                    dates.due_on,
                    dates.warn_on,
                    values.amount,
                    values.unit,
                    values.counting,
                    values.warning_share,
                    dates.estimated,
                )
            )

        def running(step: str) -> SimTimer | None:
            for timer in reversed(sim.timers):
                if timer.step == step and timer.stopped_at is None:
                    return timer
            return None

        def pause(step: str, on: date) -> None:
            timer = running(step)
            if timer is not None:
                clock_rules.clock_pause(timer, on=on)

        def resume(step: str, on: date) -> None:
            timer = running(step)
            if timer is not None:
                clock_rules.clock_resume(timer, on=on, calendar=calendar)

        def stop(step: str, on: date, at: datetime) -> SimTimer | None:
            timer = running(step)
            if timer is not None:
                clock_rules.clock_stop(timer, on=on, at=at, calendar=calendar)
            return timer

        def stop_all(on: date, at: datetime, breached_party: str | None = None) -> None:
            for timer in sim.timers:
                if timer.stopped_at is None:
                    breached = True if breached_party and timer.party == breached_party else None
                    clock_rules.clock_stop(
                        timer, on=on, at=at, calendar=calendar, breached=breached
                    )

        fields = sim.fields
        tz = plan.submitted_at.tzinfo
        for step in plan.steps:
            at, args, name = step.at, step.args, step.name
            on = at.astimezone(tz).date()
            from_state = sim.state
            if name == "submit":
                fields["submitted_at"] = at
                open_(Step.ACCEPTANCE, on)
                to_state = S.SUBMITTED
            else:
                to_state = TARGETS[name]
            if name == "accept":
                sim.examiner = staff[f"examiner{plan.examiner_slot + 1}"]
                fields["accepted_at"] = at
                stop(Step.ACCEPTANCE, on, at)
                open_(Step.REVIEW, on)
            elif name == "request_correction":
                pause(Step.REVIEW, on)
                open_(Step.CORRECTION, on, due=args.get("due"))
            elif name == "receive_correction":
                stop(Step.CORRECTION, on, at)
                resume(Step.REVIEW, on)
            elif name == "qualify":
                fields["qualified_at"] = at
                stop(Step.REVIEW, on, at)
                open_(Step.FILING, on)
            elif name == "record_filing":
                filing_date = args["filing_date"]
                fields["application_number"] = self.application_number(plan, filing_date)
                fields["cnipa_filing_date"] = filing_date
                stop(Step.FILING, filing_date, at)
                days = self.benchmark_days[center_id][plan.patent_type]
                open_(Step.BENCHMARK, filing_date, RuleValues(days, "days", "plain"))
            elif name == "record_office_action":
                notice = args["notice_date"]
                pause(Step.BENCHMARK, notice)
                delivered = deadlines.deemed_delivery(
                    notice, electronic=args.get("electronic", True)
                )
                period = args.get("period_days")
                values = RuleValues(period, "days", "cnipa") if period is not None else None
                open_(Step.OFFICE_ACTION, delivered, values, due=args.get("due"))
            elif name == "record_response":
                day = args.get("responded_on") or on
                stop(Step.OFFICE_ACTION, day, at)
                resume(Step.BENCHMARK, day)
            elif name == "record_grant_notice":
                notice = args["notice_date"]
                received = args.get("received_on") or notice
                fields["grant_notice_date"] = notice
                fields["grant_notice_received_on"] = received
                benchmark = stop(Step.BENCHMARK, notice, at)
                gross = (notice - fields["cnipa_filing_date"]).days
                fields["benchmark_gross_days"] = gross
                fields["benchmark_net_days"] = gross - (benchmark.paused_days if benchmark else 0)
                open_(Step.REGISTRATION, received)
            elif name in ("decline", "disqualify") or name in _CLOSING:
                fields["closed_at"] = at
                stop_all(on, at)
            elif name == "lapse":
                fields["closed_at"] = at
                stop_all(on, at, breached_party=Party.APPLICANT)
            sim.state = to_state
            sim.events.append(
                SimEvent(
                    name,
                    from_state,
                    to_state,
                    actor_for(step, plan, staff),
                    at,
                    args.get("note", ""),
                    args.get("public_note", ""),
                    occurred_on=args.get(_OCCURRED_ON[name]) if name in _OCCURRED_ON else None,
                )
            )
            if name == "accept" and sim.examiner is not None:
                # The examiner chosen on acceptance: its own event, as case_accept writes.
                sim.events.append(
                    SimEvent(
                        "assign",
                        to_state,
                        to_state,
                        actor_for(step, plan, staff),
                        at,
                        self.assigned_note(sim.examiner),
                        public=False,
                    )
                )
        return sim

    def assigned_note(self, examiner_id: int) -> str:
        note = self._assigned_notes.get(examiner_id)
        if note is None:
            note = examiner_assigned_note(previous="", examiner=self.staff_names[examiner_id])
            self._assigned_notes[examiner_id] = note
        return note


@dataclass(frozen=True)
class SweepNotes:
    """The notes ``deadlines_sweep`` writes on its events, in the site's language."""

    at_risk: str
    overdue: str
    labels: dict[str, str]

    @classmethod
    def build(cls) -> SweepNotes:
        # The same messages as cases.services.sweep, so the same translations apply.
        with translation.override(settings.LANGUAGE_CODE):
            return cls(
                at_risk=_("%(step)s is at risk: it is due on %(due)s."),
                overdue=_("%(step)s is overdue: it was due on %(due)s."),
                labels={step.value: str(step.label) for step in Step},
            )

    def note(self, timer: SimTimer, *, overdue: bool) -> str:
        text = self.overdue if overdue else self.at_risk
        return text % {"step": self.labels[timer.step], "due": timer.due_on.isoformat()}


def flag_as_sweep(sim: SimCase, *, now: datetime, notes: SweepNotes) -> None:
    """Flag running clocks past their warning or due date, as the nightly sweep would have.

    The sweep flags a clock on its warning day and again the day after it is due (never
    before the case entered its state, never after ``now``); flagged at once for both,
    it writes one event, the overdue one.
    """
    tz = sim.plan.submitted_at.tzinfo
    today = now.astimezone(tz).date()
    after = sim.events[-1].created_at + timedelta(minutes=1)

    def when(day: date) -> datetime:
        return min(now, max(datetime.combine(day, _FLAG_HOUR, tzinfo=tz), after))

    flags = []
    for timer in sim.timers:
        if not timer.ticking:
            continue
        at_risk = timer.warn_on <= today and timer.at_risk_since is None
        overdue = timer.due_on < today and timer.overdue_since is None
        if at_risk:
            timer.at_risk_since = when(timer.warn_on)
        if overdue:
            timer.overdue_since = when(timer.due_on + timedelta(days=1))
            flags.append((timer.overdue_since, "flag_overdue", timer))
        if at_risk and not (overdue and timer.overdue_since == timer.at_risk_since):
            flags.append((timer.at_risk_since, "flag_at_risk", timer))
    for at, name, timer in sorted(flags, key=lambda flag: (flag[0], flag[1] == "flag_overdue")):
        note = notes.note(timer, overdue=name == "flag_overdue")
        sim.events.append(SimEvent(name, sim.state, sim.state, None, at, note, public=False))


@dataclass
class BulkResult:
    cases: int
    events: int
    timers: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.cases / self.seconds if self.seconds else 0.0


Row = dict[str, Any]


class BulkCreateSink:
    """Inserts rows with ``bulk_create``: any database."""

    name = "bulk_create"

    def __init__(self, *, batch_size: int) -> None:
        self.batch_size = batch_size

    def insert_cases(self, rows: list[Row]) -> list[int]:
        cases = [Case(**row) for row in rows]
        Case.objects.bulk_create(cases, batch_size=self.batch_size)
        if any(case.pk is None for case in cases):  # a backend that does not return ids
            found = Case.objects.filter(reference__in=[c.reference for c in cases]).values_list(
                "center_id", "reference", "pk"
            )
            ids = {(center_id, reference): pk for center_id, reference, pk in found}
            return [ids[(case.center_id, case.reference)] for case in cases]
        return [case.pk for case in cases]

    def insert(self, model: type[models.Model], rows: list[Row]) -> None:
        model.objects.bulk_create([model(**row) for row in rows], batch_size=self.batch_size)


class CopySink:
    """Inserts the same rows with PostgreSQL ``COPY``, about ten times faster.

    Case ids are drawn from the table's identity sequence first, so that events and
    timers can point at them. Fields a row leaves out get the model's default (or, for
    ``auto_now`` fields, the time of the run), as ``bulk_create`` would give them.
    """

    name = "COPY"

    def __init__(self, *, now: datetime) -> None:
        self.now = now
        self._layouts: dict[tuple[type[models.Model], bool], tuple[str, list[tuple[str, Any]]]] = {}

    def _layout(
        self, model: type[models.Model], with_pk: bool
    ) -> tuple[str, list[tuple[str, Any]]]:
        """The COPY statement of a table, and its columns with their defaults."""
        found = self._layouts.get((model, with_pk))
        if found is None:
            columns = []
            for f in model._meta.concrete_fields:
                if f.primary_key and not with_pk:
                    continue
                if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                    default = self.now
                elif f.primary_key:
                    default = None
                else:
                    default = f.get_default()
                columns.append((f.attname, default))
            quote = connection.ops.quote_name
            names = ", ".join(quote(name) for name, _default in columns)
            sql = f"COPY {quote(model._meta.db_table)} ({names}) FROM STDIN"
            found = self._layouts[(model, with_pk)] = (sql, columns)
        return found

    def _copy(self, model: type[models.Model], rows: list[Row], *, with_pk: bool = False) -> None:
        sql, columns = self._layout(model, with_pk)
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row([row.get(name, default) for name, default in columns])

    def insert_cases(self, rows: list[Row]) -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [Case._meta.db_table, len(rows)],
            )
            ids = [pk for (pk,) in cursor.fetchall()]
        for pk, row in zip(ids, rows, strict=True):
            row["id"] = pk
        self._copy(Case, rows, with_pk=True)
        return ids

    def insert(self, model: type[models.Model], rows: list[Row]) -> None:
        self._copy(model, rows)


def timer_row(case_id: int, t: SimTimer) -> Row:
    return {
        "case_id": case_id,
        "step": t.step,
        "party": t.party,
        "started_on": t.started_on,
        "due_on": t.due_on,
        "warn_on": t.warn_on,
        "amount": t.amount,
        "unit": t.unit,
        "counting": t.counting,
        "warning_share": t.warning_share,
        "paused_since": t.paused_since,
        "paused_days": t.paused_days,
        "stopped_on": t.stopped_on,
        "stopped_at": t.stopped_at,
        "outcome": t.outcome,
        "estimated": t.estimated,
        "at_risk_since": t.at_risk_since,
        "overdue_since": t.overdue_since,
    }


def staff_names_of(staff: dict[str, dict[str, int]]) -> dict[int, str]:
    """The display names of the demo's staff (center code -> role key -> user id)."""
    ids = {pk for roles in staff.values() for pk in roles.values()}
    return {user.pk: staff_display_name(user) for user in User.objects.filter(pk__in=ids)}


def event_row(case_id: int, e: SimEvent) -> Row:
    return {
        "case_id": case_id,
        "transition": e.transition,
        "from_state": e.from_state,
        "to_state": e.to_state,
        "actor_id": e.actor,
        "channel": Channel.ADMIN if e.actor else Channel.SYSTEM,
        "created_at": e.created_at,
        "note": e.note,
        "public_note": e.public_note,
        "public": e.public,
        "occurred_on": e.occurred_on,
    }


class BulkWriter:
    """Makes ``count`` cases of the plan context's centers, in batches."""

    def __init__(
        self,
        *,
        ctx: PlanContext,
        staff: dict[str, dict[str, int]],
        benchmark_days: dict[int, dict[str, int]],
        numbers: ApplicationNumbers,
        seed: int,
        offset: int,
        batch_size: int,
        access_code_hash: str = "",
        use_copy: bool = True,
        progress: Callable[[int, int, float], None] | None = None,
    ) -> None:
        self.ctx = ctx
        self.access_code_hash = access_code_hash
        self.notes = SweepNotes.build()
        self.numbers = numbers
        self.staff = staff  # center code -> role key -> user id
        self.seed = seed
        self.offset = offset
        self.batch_size = batch_size
        self.progress = progress
        if use_copy and connection.vendor == "postgresql":
            self.sink: BulkCreateSink | CopySink = CopySink(now=ctx.now)
        else:
            self.sink = BulkCreateSink(batch_size=batch_size)
        self.simulator = Simulator(
            rules={c.center_id: c.rules for c in ctx.centers},
            benchmark_days=benchmark_days,
            center_ids={c.data.code: c.center_id for c in ctx.centers},
            calendar=ctx.calendar,
            application_number=lambda plan, day: numbers.next(plan.patent_type, day),
            staff_names=staff_names_of(staff),
        )

    def plan(self, index: int) -> CasePlan:
        rng = case_rng(self.seed, self.offset + index)
        center = self.ctx.pick_center(rng)
        return make_plan(rng, self.ctx, center, pick_state(rng))

    def run(self, count: int) -> BulkResult:
        started = _time.monotonic()
        # Pass 1: when each case was submitted, to issue references in that order.
        submitted = array("d", bytes(8 * count))
        per_year: Counter[tuple[int, int]] = Counter()
        center_ids = self.simulator.center_ids
        for index in range(count):
            plan = self.plan(index)
            submitted[index] = plan.submitted_at.timestamp()
            per_year[(center_ids[plan.center_code], plan.submitted_at.year)] += 1
        order = sorted(range(count), key=submitted.__getitem__)
        del submitted
        next_reference = reserve_references(per_year)
        # The years a filing can fall in, looked up now: the preparing thread reads no rows.
        self.numbers.look_up(range(self.ctx.today.year - 2, self.ctx.today.year + 1))

        # Pass 2: a thread prepares the next batch (pure Python) while this one is written.
        batches = [order[i : i + self.batch_size] for i in range(0, count, self.batch_size)]
        events = timers = done = 0
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="seed-demo") as pool:
            upcoming = pool.submit(self._prepare, batches[0], next_reference) if batches else None
            for n in range(len(batches)):
                assert upcoming is not None
                sims, rows = upcoming.result()
                if n + 1 < len(batches):
                    upcoming = pool.submit(self._prepare, batches[n + 1], next_reference)
                added = self._write(sims, rows)
                events += added[0]
                timers += added[1]
                done += len(sims)
                if self.progress is not None:
                    self.progress(done, count, _time.monotonic() - started)
        return BulkResult(count, events, timers, _time.monotonic() - started)

    def _prepare(
        self, indexes: list[int], next_reference: dict[tuple[int, int], int]
    ) -> tuple[list[SimCase], list[Row]]:
        """Plans, their simulated rows and the case rows of one batch (no database access)."""
        sims, rows = [], []
        for index in indexes:
            plan = self.plan(index)
            sim = self.simulator.play(plan, self.staff[plan.center_code])
            flag_as_sweep(sim, now=self.ctx.now, notes=self.notes)
            sims.append(sim)
            center_id = self.simulator.center_ids[plan.center_code]
            key = (center_id, plan.submitted_at.year)
            number = next_reference[key]
            next_reference[key] = number + 1
            rows.append(
                {
                    "center_id": center_id,
                    "entity_id": plan.entity_id,
                    "reference": format_reference(plan.center_code, key[1], number),
                    "patent_type": plan.patent_type,
                    "title": plan.title,
                    "classification": plan.classification,
                    "examiner_id": sim.examiner,
                    "state": sim.state,
                    "access_code_hash": self.access_code_hash,
                    **sim.fields,
                    **sim.summary(),
                }
            )
        return sims, rows

    @transaction.atomic
    def _write(self, sims: list[SimCase], rows: list[Row]) -> tuple[int, int]:
        ids = self.sink.insert_cases(rows)
        event_rows = [
            event_row(pk, e) for pk, sim in zip(ids, sims, strict=True) for e in sim.events
        ]
        self.sink.insert(CaseEvent, event_rows)
        timer_rows = [
            timer_row(pk, t) for pk, sim in zip(ids, sims, strict=True) for t in sim.timers
        ]
        self.sink.insert(Timer, timer_rows)
        return len(event_rows), len(timer_rows)
