"""Reproducible case histories: which transitions a demo case went through, when and by whom.

A plan is plain data: both the service replay (``replay``) and the bulk writer
(``bulk``) play the same plans, so demo and benchmark cases have the same shape.

Timelines follow the centers' published practice: acceptance within a couple of working
days, review within about a week, filing with CNIPA within 10 days of qualifying, grant
notices a few weeks after filing for designs and utility models (about three months for
inventions), registration within two months. Open cases entered their current state
recently; some have run past their due date, so the sweep has something to flag. Staff
act on working days, in office hours; every step is at or before ``now``.
"""

from __future__ import annotations

import functools
import itertools
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from cases import deadlines
from cases.demo import data
from cases.demo.data import CenterData
from cases.models import CaseState, PatentType, Step
from cases.services.clocks import RuleValues

S = CaseState
INVENTION, UTILITY_MODEL, DESIGN = PatentType.INVENTION, PatentType.UTILITY_MODEL, PatentType.DESIGN

# The state a case ends in, over a year of a center's cases: about 60% still open.
STATE_WEIGHTS: dict[str, int] = {
    S.SUBMITTED: 6,
    S.UNDER_REVIEW: 9,
    S.CORRECTION_REQUESTED: 5,
    S.QUALIFIED: 6,
    S.FILED: 22,
    S.OFFICE_ACTION: 5,
    S.GRANT_NOTIFIED: 7,
    S.GRANTED: 22,
    S.NOT_ACCEPTED: 4,
    S.UNQUALIFIED: 3,
    S.WITHDRAWN: 2,
    S.LAPSED: 3,
    S.REJECTED: 2,
    S.FAST_TRACK_EXITED: 4,
}
_STATES = list(STATE_WEIGHTS)
_STATE_CUM_WEIGHTS = list(itertools.accumulate(STATE_WEIGHTS.values()))

# How long ago (calendar days, at most) an open case entered its current state.
OPEN_DWELL_DAYS: dict[str, int] = {
    S.SUBMITTED: 5,
    S.UNDER_REVIEW: 10,
    S.CORRECTION_REQUESTED: 9,
    S.QUALIFIED: 13,
    S.OFFICE_ACTION: 14,
    S.GRANT_NOTIFIED: 70,
}
FILED_DWELL_DAYS = {INVENTION: 110, UTILITY_MODEL: 35, DESIGN: 25}

# Rough length of each step in calendar days, to place a history in the past year.
_ESTIMATED_DAYS = {
    "accept": 1,
    "decline": 1,
    "request_correction": 2,
    "receive_correction": 4,
    "qualify": 3,
    "disqualify": 3,
    "record_filing": 5,
    "record_office_action": 20,
    "record_response": 5,
    "record_grant_notice": 35,
    "record_registration": 20,
    "record_rejection": 45,
    "record_fast_track_exit": 12,
    "lapse": 20,
    "withdraw": 2,
}
HISTORY_DAYS = 365
_LATEST_MARGIN = timedelta(minutes=5)
_OFFICE_OPENS = 8 * 60 + 30  # minutes after midnight
_OFFICE_MINUTES = 9 * 60
# The steps whose time limit comes from a TimeLimitRule (the benchmark does not).
_RULED_STEPS = (
    Step.ACCEPTANCE,
    Step.REVIEW,
    Step.CORRECTION,
    Step.FILING,
    Step.OFFICE_ACTION,
    Step.REGISTRATION,
)


@dataclass(slots=True)
class PlannedStep:
    """One transition: a ``SERVICES`` name (or ``submit``), its time, actor and input.

    ``actor`` is a role key: ``clerk``, ``examiner`` (the case's examiner) or ``manager``.
    ``args`` are the service's own keyword arguments (dates, notes); the application
    number and the examiner are added by whoever plays the plan.
    """

    name: str
    at: datetime
    actor: str
    args: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CasePlan:
    center_code: str
    entity_id: int
    patent_type: str
    title: str
    classification: str
    examiner_slot: int
    target: str
    steps: tuple[PlannedStep, ...]

    @property
    def submitted_at(self) -> datetime:
        return self.steps[0].at


@dataclass
class CenterContext:
    """What plans need to know about one center."""

    center_id: int
    data: CenterData
    approved_entity_ids: list[int]
    pending_entity_ids: list[int]
    rules: dict[tuple[str, str], RuleValues]  # (step, patent type) -> rule in force


class PlanContext:
    """The clock (``now``), the working-day calendar and cached deadline arithmetic."""

    def __init__(
        self,
        *,
        now: datetime,
        tz: ZoneInfo,
        calendar: deadlines.WorkCalendar,
        centers: list[CenterContext],
    ) -> None:
        self.now = now
        self.tz = tz
        self.today = now.astimezone(tz).date()
        self.latest = now - _LATEST_MARGIN
        self.calendar = calendar
        self.lenient = calendar.lenient()
        self.centers = centers
        self.centers_by_code = {c.data.code: c for c in centers}
        self._center_cum_weights = list(itertools.accumulate(c.data.weight for c in centers))
        self._due: dict[tuple[date, int, str, str], date] = {}
        self._workdays: dict[tuple[date, int], date] = {}

    def pick_center(self, rng: random.Random) -> CenterContext:
        return rng.choices(self.centers, cum_weights=self._center_cum_weights)[0]

    def workday(self, day: date, n: int = 0) -> date:
        """``n`` working days after ``day``; with ``n=0`` the first working day from it."""
        key = (day, n)
        found = self._workdays.get(key)
        if found is None:
            if n:
                found = deadlines.add_workdays(day, n, self.lenient)
            else:
                found = day
                while not self.lenient.is_workday(found):
                    found += timedelta(days=1)
            self._workdays[key] = found
        return found

    def due(self, center: CenterContext, step: str, patent_type: str, start: date) -> date:
        """The due date the services will compute for a clock of ``step`` from ``start``."""
        values = center.rules[(step, patent_type)]
        key = (start, values.amount, values.unit, values.counting)
        found = self._due.get(key)
        if found is None:
            found = deadlines.compute_due(
                start,
                self.calendar,
                amount=values.amount,
                unit=values.unit,
                counting=values.counting,
            ).due
            self._due[key] = found
        return found


def center_rules(center_id: int) -> dict[tuple[str, str], RuleValues]:
    """The rules in force for each step and patent type of a center (a few queries)."""
    from cases.services.clocks import rule_values

    return {
        (step, patent_type): rule_values(center_id=center_id, step=step, patent_type=patent_type)
        for step in _RULED_STEPS
        for patent_type in PatentType.values
    }


def pick_state(rng: random.Random) -> str:
    return rng.choices(_STATES, cum_weights=_STATE_CUM_WEIGHTS)[0]


# Paths: the transitions after "submit" that lead to a state.


def _review(rng: random.Random) -> list[str]:
    ops = ["accept"]
    rounds = rng.choices((0, 1, 2), weights=(75, 20, 5))[0]
    return ops + ["request_correction", "receive_correction"] * rounds


def _examination(rng: random.Random, patent_type: str) -> list[str]:
    weights = (50, 35, 15) if patent_type == INVENTION else (85, 15, 0)
    rounds = rng.choices((0, 1, 2), weights=weights)[0]
    return ["record_office_action", "record_response"] * rounds


def _to_filed(rng: random.Random, patent_type: str) -> list[str]:
    return [*_review(rng), "qualify", "record_filing", *_examination(rng, patent_type)]


def path_to(rng: random.Random, state: str, patent_type: str) -> list[str]:
    """A plausible sequence of transitions from submission to ``state``."""
    if state == S.SUBMITTED:
        return []
    if state == S.NOT_ACCEPTED:
        return ["decline"]
    if state == S.UNDER_REVIEW:
        return _review(rng)
    if state == S.CORRECTION_REQUESTED:
        return [*_review(rng), "request_correction"]
    if state == S.QUALIFIED:
        return [*_review(rng), "qualify"]
    if state == S.UNQUALIFIED:
        return [*_review(rng), "disqualify"]
    if state == S.WITHDRAWN:
        before = rng.choices(
            ([], ["accept"], [*_review(rng), "request_correction"], [*_review(rng), "qualify"]),
            weights=(30, 40, 15, 15),
        )[0]
        return [*before, "withdraw"]
    if state == S.LAPSED:
        before = rng.choices(
            (
                [*_review(rng), "request_correction"],
                [*_review(rng), "qualify"],
                [*_to_filed(rng, patent_type), "record_grant_notice"],
            ),
            weights=(40, 40, 20),
        )[0]
        return [*before, "lapse"]
    ops = _to_filed(rng, patent_type)
    if state == S.FILED:
        return ops
    if state == S.OFFICE_ACTION:
        return [*ops, "record_office_action"]
    if state == S.GRANT_NOTIFIED:
        return [*ops, "record_grant_notice"]
    if state == S.GRANTED:
        return [*ops, "record_grant_notice", "record_registration"]
    if state == S.REJECTED:
        return [*ops, "record_rejection"]
    if state == S.FAST_TRACK_EXITED:
        # Mostly an office action answered late; else an extension or a voluntary amendment.
        late = ["record_office_action"] if rng.random() < 0.6 else []
        return [*ops, *late, "record_fast_track_exit"]
    raise ValueError(f"no demo path to {state!r}")


class _Timeline:
    """Builds the steps' datetimes: office hours, never going back in time."""

    def __init__(self, rng: random.Random, tz: ZoneInfo) -> None:
        self.rng = rng
        self.tz = tz
        self.steps: list[PlannedStep] = []
        self.last_at: datetime | None = None

    @property
    def day(self) -> date:
        assert self.last_at is not None
        return self.last_at.date()

    def add(self, name: str, day: date, actor: str, **args: Any) -> None:
        rng = self.rng
        if self.last_at is not None and day <= self.day:
            end_of_day = datetime.combine(self.day, time(23, 59), tzinfo=self.tz)
            at = min(self.last_at + timedelta(minutes=rng.randint(5, 120)), end_of_day)
            at = max(at, self.last_at)
        else:
            minutes = _OFFICE_OPENS + rng.randrange(_OFFICE_MINUTES)
            at = datetime(
                day.year,
                day.month,
                day.day,
                minutes // 60,
                minutes % 60,
                rng.randrange(60),
                tzinfo=self.tz,
            )
        self.steps.append(PlannedStep(name, at, actor, {k: v for k, v in args.items() if v}))
        self.last_at = at


def _timeline(
    rng: random.Random,
    ctx: PlanContext,
    center: CenterContext,
    patent_type: str,
    ops: list[str],
    start: date,
    decline_note: str,
) -> list[PlannedStep]:
    """Place ``ops`` after a submission on ``start``; dates follow the rules in force."""
    wd = ctx.workday
    line = _Timeline(rng, ctx.tz)
    line.add("submit", wd(start), "clerk" if rng.random() < 0.9 else "manager")
    is_invention = patent_type == INVENTION
    filing = received = oa_due = correction_due = None
    previous = "submit"
    for op in ops:
        day = line.day
        if op == "accept":
            line.add(op, wd(day, rng.choice((0, 1, 1, 1, 2, 2, 3))), _clerk_or_manager(rng))
        elif op == "decline":
            line.add(op, wd(day, rng.choice((0, 1, 1, 2))), "clerk", public_note=decline_note)
        elif op == "request_correction":
            day = wd(day, rng.randint(1, 3))
            correction_due = ctx.due(center, Step.CORRECTION, patent_type, day)
            line.add(op, day, "examiner", public_note=rng.choice(data.CORRECTION_REQUESTS))
        elif op == "receive_correction":
            line.add(op, wd(day, rng.choice((1, 2, 2, 3, 3, 4, 5, 6))), "clerk")
        elif op == "qualify":
            line.add(op, wd(day, rng.randint(1, 4)), _examiner_or_manager(rng))
        elif op == "disqualify":
            public_note = rng.choice(data.DISQUALIFY_REASONS)
            line.add(op, wd(day, rng.randint(1, 4)), "examiner", public_note=public_note)
        elif op == "record_filing":
            filing = wd(day, rng.choice((1, 2, 3, 3, 4, 5, 6, 8)))
            line.add(op, wd(filing, rng.choice((0, 0, 0, 1))), "clerk", filing_date=filing)
        elif op == "record_office_action":
            assert filing is not None
            if previous == "record_filing":  # the first notice, after filing
                low, high = (15, 60) if is_invention else (5, 20)
            else:  # a further notice, after the applicant's response
                low, high = (10, 40) if is_invention else (5, 15)
            notice = wd(day + timedelta(days=rng.randint(low, high)))
            oa_due = ctx.due(center, Step.OFFICE_ACTION, patent_type, notice)
            line.add(op, wd(notice, rng.choice((0, 0, 1))), "clerk", notice_date=notice)
        elif op == "record_response":
            assert oa_due is not None
            responded = min(day + timedelta(days=rng.randint(1, 8)), oa_due)
            line.add(op, wd(responded, rng.choice((0, 0, 1))), "clerk", responded_on=responded)
        elif op == "record_grant_notice":
            assert filing is not None
            # Days from filing to the notice: mostly within the 29-day (90 for inventions)
            # benchmark, a tail beyond it.
            if is_invention:
                gross = rng.randint(45, 100)
            elif patent_type == UTILITY_MODEL:
                gross = int(rng.triangular(12, 40, 20))
            else:
                gross = int(rng.triangular(6, 32, 12))
            notice = wd(max(filing + timedelta(days=gross), day + timedelta(days=1)))
            received = notice if rng.random() < 0.9 else wd(notice, rng.randint(1, 2))
            line.add(
                op,
                wd(received, rng.choice((0, 0, 1))),
                "clerk",
                notice_date=notice,
                received_on=received,
            )
        elif op == "record_registration":
            assert received is not None
            line.add(op, wd(received, rng.randint(3, 40)), "clerk")
        elif op == "record_rejection":
            gap = rng.randint(20, 80) if is_invention else rng.randint(10, 40)
            line.add(op, wd(day + timedelta(days=gap)), "clerk")
        elif op == "record_fast_track_exit":
            if previous == "record_office_action":
                assert oa_due is not None
                day = wd(oa_due, rng.randint(1, 3))
                line.add(op, day, "clerk", public_note=data.LATE_RESPONSE_NOTE)
            else:
                day = wd(day + timedelta(days=rng.randint(3, 25)))
                line.add(op, day, "clerk", public_note=rng.choice(data.EXIT_NOTES))
        elif op == "lapse":
            if previous == "request_correction":
                assert correction_due is not None
                due, why = correction_due, "correction"
            elif previous == "qualify":
                due, why = ctx.due(center, Step.FILING, patent_type, day), "filing"
            else:
                assert received is not None
                due, why = ctx.due(center, Step.REGISTRATION, patent_type, received), "registration"
            day = wd(due, rng.randint(1, 5))
            line.add(op, day, "manager", public_note=data.LAPSE_NOTES[why])
        elif op == "withdraw":
            line.add(op, wd(day, rng.randint(0, 3)), "clerk", note=rng.choice(data.WITHDRAW_NOTES))
        else:
            raise ValueError(f"unknown step {op!r}")
        previous = op
    return line.steps


def _clerk_or_manager(rng: random.Random) -> str:
    return "clerk" if rng.random() < 0.85 else "manager"


def _examiner_or_manager(rng: random.Random) -> str:
    return "examiner" if rng.random() < 0.9 else "manager"


@functools.cache
def _subjects(center_code: str, patent_type: str) -> tuple[data.Subject, ...]:
    center = data.CENTERS_BY_CODE[center_code]
    subjects = tuple(s for s in center.subjects if s.titles(patent_type))
    if not subjects:  # a type the center does not take (designs at Pudong)
        subjects = tuple(s for c in data.CENTERS for s in c.subjects if s.titles(patent_type))
    return subjects


def _subject(
    rng: random.Random, center: CenterData, patent_type: str, out_of_field: bool
) -> tuple[str, str]:
    """A (classification, title) pair; out-of-field cases borrow a title of the same type."""
    subject = rng.choice(_subjects(center.code, patent_type))
    title = rng.choice(subject.titles(patent_type))
    if out_of_field:
        return rng.choice(center.out_of_field[patent_type]), title
    return subject.classification, title


def make_plan(rng: random.Random, ctx: PlanContext, center: CenterContext, state: str) -> CasePlan:
    """A history that leaves a case of ``center`` in ``state`` now."""
    types = center.data.type_weights
    patent_type = rng.choices(list(types), weights=list(types.values()))[0]
    if state == S.NOT_ACCEPTED and DESIGN not in types and rng.random() < 0.3:
        patent_type = DESIGN  # a design brought to a center that takes none
    entity_id = rng.choice(center.approved_entity_ids)
    out_of_field = False
    decline_note = ""
    if state == S.NOT_ACCEPTED:
        # Not accepted: an applicant whose registration is pending, or a field not covered.
        if center.pending_entity_ids and patent_type in types and rng.random() < 0.3:
            entity_id = rng.choice(center.pending_entity_ids)
            decline_note = data.DECLINE_ENTITY
        else:
            out_of_field = True
            decline_note = data.DECLINE_FIELD
    classification, title = _subject(rng, center.data, patent_type, out_of_field)
    ops = path_to(rng, state, patent_type)

    estimate = sum(_ESTIMATED_DAYS[op] for op in ops)
    if state == S.FILED:
        dwell = rng.uniform(0, FILED_DWELL_DAYS[patent_type])
    elif state in OPEN_DWELL_DAYS:
        dwell = rng.uniform(0, OPEN_DWELL_DAYS[state])
    else:
        dwell = rng.uniform(0, max(0, HISTORY_DAYS - estimate))
    start = ctx.today - timedelta(days=int(estimate + dwell))
    # Replaying the same draws from an earlier start until the last step is in the past.
    timeline_seed = rng.getrandbits(64)
    for _attempt in range(50):
        steps = _timeline(
            random.Random(timeline_seed), ctx, center, patent_type, ops, start, decline_note
        )
        overshoot = steps[-1].at - ctx.latest
        if overshoot <= timedelta(0):
            break
        start -= timedelta(days=max(1, overshoot.days + 1))
    else:  # pragma: no cover - a path longer than a year of rules would do this
        raise RuntimeError("could not place a demo case history in the past")
    return CasePlan(
        center_code=center.data.code,
        entity_id=entity_id,
        patent_type=patent_type,
        title=title,
        classification=classification,
        examiner_slot=rng.randrange(2),
        target=state,
        steps=tuple(steps),
    )


def case_rng(seed: int, index: int) -> random.Random:
    """The random stream of case number ``index``: plans can be remade one by one."""
    return random.Random((seed << 40) + index)
