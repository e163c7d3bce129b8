"""``manage.py seed_demo``: demo centers, staff, entities and cases; bulk cases for benchmarks.

Demo cases are made through the case services with back-dated times, so their events,
clocks and deadline summaries are exactly what staff would have produced; then the
deadline sweep runs once, so the cases past their warning or due date are flagged as
they would be. The e-mails the services queue for that back-dated history are dropped
(``--keep-notifications`` keeps them): nobody should be told today that their case was
accepted last spring. ``--cases N`` adds N more cases for benchmarks with bulk inserts
(see ``cases.demo.bulk``).
"""

from __future__ import annotations

import random
import time
from collections import Counter
from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import timezone

from cases.calendar import get_work_calendar
from cases.demo import data, setup
from cases.demo.bulk import BulkWriter
from cases.demo.numbers import ApplicationNumbers
from cases.demo.plans import (
    CasePlan,
    CenterContext,
    PlanContext,
    case_rng,
    center_rules,
    make_plan,
    pick_state,
)
from cases.demo.portal import create_portal_logins
from cases.demo.replay import replay
from cases.models import Case, CaseState, Center, Entity, Notification, PatentType
from cases.services.access import ALPHABET, CODE_LENGTH, format_access_code, hash_access_code
from cases.services.sweep import deadlines_sweep

DEFAULT_PASSWORD = "demo-pass-2026"
CASES_PER_ENTITY = 250  # benchmark volumes get more applicants: ~4,000 per million cases
# Whose access codes are printed: the last demo case in each of these states.
SAMPLE_STATES = (
    CaseState.SUBMITTED,
    CaseState.CORRECTION_REQUESTED,
    CaseState.FILED,
    CaseState.OFFICE_ACTION,
    CaseState.GRANT_NOTIFIED,
    CaseState.GRANTED,
    CaseState.NOT_ACCEPTED,
)

Row = tuple[str, ...]


class Command(BaseCommand):
    help = (
        "Create the demo centers (SH, PD) with their staff, registered entities and a year "
        "of cases in every state, made through the services. --cases N adds N more cases "
        "with bulk inserts, for benchmarks."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--demo-cases",
            type=int,
            default=300,
            help="Cases to make through the services (default 300).",
        )
        parser.add_argument(
            "--cases",
            type=int,
            default=0,
            help="Additional cases to bulk-insert for benchmarks (default 0).",
        )
        parser.add_argument(
            "--seed", type=int, default=2026, help="Random seed, for reproducible data."
        )
        parser.add_argument(
            "--password",
            default=DEFAULT_PASSWORD,
            help=f"Password of the demo users created now (default {DEFAULT_PASSWORD}).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Demo data exists already: add --demo-cases more cases anyway.",
        )
        parser.add_argument(
            "--keep-notifications",
            action="store_true",
            help="Keep the e-mails the services queue for the back-dated demo history.",
        )
        parser.add_argument(
            "--no-copy",
            action="store_true",
            help="Bulk-insert with bulk_create even on PostgreSQL (slower; COPY is the default).",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=5000,
            help="Cases per bulk transaction, and rows per INSERT (default 5000).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        demo_cases, bulk_cases = options["demo_cases"], options["cases"]
        if demo_cases < 0 or bulk_cases < 0 or options["batch_size"] < 1:
            raise CommandError("Counts must not be negative, and the batch size at least 1.")
        exists = setup.demo_exists()
        if exists and not options["force"] and not bulk_cases:
            self.stdout.write(
                self.style.WARNING(
                    "Demo data already exists (centers "
                    + ", ".join(c.code for c in data.CENTERS)
                    + "): nothing done. Use --force to add more demo cases, or --cases N "
                    "to add N bulk cases."
                )
            )
            return
        if exists and not options["force"]:
            demo_cases = 0
        seed = options["seed"]

        with transaction.atomic():
            if not exists:
                created = setup.create_centers()
                self._say(f"Created centers {', '.join(c.code for c in created)}.")
            centers = setup.demo_centers()
            logins = setup.create_staff(centers, password=options["password"])
            if not exists:
                rng = random.Random(seed)
                for center in centers:
                    clerk = setup.staff_of(center)["clerk"]
                    approved, pending = setup.create_entities(rng, center, clerk)
                    self._say(
                        f"{center.code}: {len(approved)} approved and {len(pending)} pending "
                        "registered entities."
                    )

        now = timezone.now()
        numbers = ApplicationNumbers()
        samples: list[Row] = []
        if demo_cases:
            samples = self._demo_cases(
                centers,
                demo_cases,
                seed=seed,
                now=now,
                numbers=numbers,
                keep_notifications=options["keep_notifications"],
            )
        if bulk_cases:
            self._bulk_cases(
                centers,
                bulk_cases,
                seed=seed,
                now=now,
                numbers=numbers,
                batch_size=options["batch_size"],
                use_copy=not options["no_copy"],
            )
        self._summary(centers)
        self._table(
            "Demo logins (/admin/):",
            ("username", "role", "center", "password"),
            [(x.username, x.role, x.center, x.password) for x in logins],
        )
        # On the demo cases made now (a bulk run leaves the accounts as they are).
        portal_logins = (
            create_portal_logins(centers, password=options["password"]) if demo_cases else []
        )
        if portal_logins:
            self._table(
                "Portal logins (/portal/, e-mail and password):",
                ("e-mail", "acts for", "password"),
                [(x.email, x.acts_for, x.password) for x in portal_logins],
            )
        if samples:
            self._table(
                "Applicant status page (/status/), sample cases:",
                ("reference", "state", "access code"),
                samples,
            )
        self.stdout.write(self.style.SUCCESS(f"Done in {time.monotonic() - started:.1f} s."))

    # Steps

    def _demo_cases(
        self,
        centers: list[Center],
        count: int,
        *,
        seed: int,
        now: datetime,
        numbers: ApplicationNumbers,
        keep_notifications: bool,
    ) -> list[Row]:
        """Make the demo cases; return (reference, state, access code) of a few of them."""
        started = time.monotonic()
        ctx = plan_context(centers, now=now)
        offset = Case.objects.count()  # a later --force run makes different cases
        # Every state at every center first, then the usual mix.
        forced = [(center, state) for state in CaseState.values for center in ctx.centers]
        plans: list[CasePlan] = []
        for index in range(count):
            rng = case_rng(seed, offset + index)
            if index < len(forced):
                center, state = forced[index]
            else:
                center, state = ctx.pick_center(rng), pick_state(rng)
            plans.append(make_plan(rng, ctx, center, state))
        plans.sort(key=lambda plan: plan.submitted_at)  # references in submission order

        staff = {center.code: setup.staff_of(center) for center in centers}
        entities = Entity.objects.select_related("center").in_bulk(
            {plan.entity_id for plan in plans}
        )
        samples: dict[str, Row] = {}
        with transaction.atomic():
            case_ids = []
            for done, plan in enumerate(plans, start=1):
                case = replay(
                    plan,
                    staff=staff[plan.center_code],
                    entity=entities[plan.entity_id],
                    application_number=lambda p, day: numbers.next(p.patent_type, day),
                )
                case_ids.append(case.pk)
                samples[case.state] = (case.reference, case.state, case.issued_access_code)
                if done % 100 == 0 and done < count:
                    self._say(f"  {done:,} / {count:,} demo cases")
            if not keep_notifications:
                dropped = history_notifications(case_ids).delete()[0]
                self._say(f"Dropped {dropped:,} e-mails queued for the back-dated history.")
        self._say(
            f"Made {count:,} demo cases through the services in {time.monotonic() - started:.1f} s."
        )
        swept = deadlines_sweep()
        self._say(
            f"Deadline sweep: {swept.at_risk:,} clocks at risk, {swept.overdue:,} overdue, "
            f"{swept.notifications:,} e-mails queued."
        )
        return [samples[state] for state in SAMPLE_STATES if state in samples]

    def _bulk_cases(
        self,
        centers: list[Center],
        count: int,
        *,
        seed: int,
        now: datetime,
        numbers: ApplicationNumbers,
        batch_size: int,
        use_copy: bool,
    ) -> None:
        self._more_entities(centers, count, seed=seed, batch_size=batch_size)
        ctx = plan_context(centers, now=now)
        staff = {
            center.code: {key: user.pk for key, user in setup.staff_of(center).items()}
            for center in centers
        }
        code = bulk_access_code(seed)
        last_shown = [-1]

        def progress(done: int, total: int, seconds: float) -> None:
            twentieth = done * 20 // total
            if twentieth != last_shown[0] or done == total:
                last_shown[0] = twentieth
                rate = done / seconds if seconds else 0
                self._say(f"  {done:>10,} / {total:,} cases  {seconds:7.1f} s  {rate:,.0f} cases/s")

        writer = BulkWriter(
            ctx=ctx,
            staff=staff,
            benchmark_days={
                center.pk: {t: center.benchmark_days(t) for t in PatentType.values}
                for center in centers
            },
            numbers=numbers,
            seed=seed,
            offset=Case.objects.count(),
            batch_size=batch_size,
            access_code_hash=hash_access_code(code),
            use_copy=use_copy,
            progress=progress,
        )
        self._say(
            f"Bulk-inserting {count:,} cases in batches of {batch_size:,} ({writer.sink.name})…"
        )
        result = writer.run(count)
        self.stdout.write(
            self.style.SUCCESS(
                f"Bulk: {result.cases:,} cases, {result.events:,} events, {result.timers:,} "
                f"timers in {result.seconds:.1f} s ({result.rate:,.0f} cases/s)."
            )
        )
        self._say(f"Status-page access code of every bulk case: {code}")

    def _more_entities(
        self, centers: list[Center], count: int, *, seed: int, batch_size: int
    ) -> None:
        """Benchmark volumes need more applicants than the demo's fifteen per center."""
        rng = random.Random(seed + count)
        total_weight = sum(data.CENTERS_BY_CODE[c.code].weight for c in centers)
        for center in centers:
            share = data.CENTERS_BY_CODE[center.code].weight / total_weight
            wanted = int(count * share / CASES_PER_ENTITY)
            have = len(setup.entity_ids(center)[0])
            if wanted > have:
                setup.bulk_create_entities(rng, center, wanted - have, batch_size=batch_size)
                self._say(f"{center.code}: {wanted - have:,} more approved entities.")

    # Output

    def _say(self, message: str) -> None:
        self.stdout.write(message)

    def _summary(self, centers: list[Center]) -> None:
        rows = (
            Case.objects.filter(center__in=centers)
            .values_list("center__code", "state")
            .annotate(n=Count("id"))
            .order_by()
        )
        counts: Counter[tuple[str, str]] = Counter({(code, state): n for code, state, n in rows})
        codes = [center.code for center in centers]
        self.stdout.write(self.style.MIGRATE_HEADING("Cases by state:"))
        self.stdout.write(f"  {'state':<22}" + "".join(f"{code:>10}" for code in codes))
        for state in CaseState:
            self.stdout.write(
                f"  {state.value:<22}"
                + "".join(f"{counts[(code, state.value)]:>10,}" for code in codes)
            )
        totals = {code: sum(n for (c, _state), n in counts.items() if c == code) for code in codes}
        self.stdout.write(f"  {'total':<22}" + "".join(f"{totals[c]:>10,}" for c in codes))

    def _table(self, title: str, header: Row, rows: list[Row]) -> None:
        self.stdout.write(self.style.MIGRATE_HEADING(title))
        widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
        line = "  " + "  ".join(f"{{:<{width}}}" for width in widths)
        self.stdout.write(self.style.HTTP_INFO(line.format(*header)))
        for row in rows:
            self.stdout.write(line.format(*row))


def history_notifications(case_ids: list[int]) -> QuerySet[Notification]:
    """The pending status-change e-mails of cases just made with a back-dated history."""
    return Notification.objects.pending().filter(
        case_id__in=case_ids, kind=Notification.Kind.CASE_TRANSITION
    )


def bulk_access_code(seed: int) -> str:
    """The access code shared by the bulk cases of a run with this seed."""
    rng = random.Random(f"access-code:{seed}")
    return format_access_code("".join(rng.choices(ALPHABET, k=CODE_LENGTH)))


def plan_context(centers: list[Center], *, now: datetime) -> PlanContext:
    """The plan context of the demo centers: entities, rules in force, the calendar."""
    contexts = []
    for center in centers:
        approved, pending = setup.entity_ids(center)
        if not approved:
            raise CommandError(f"Center {center.code} has no approved entity to make cases for.")
        contexts.append(
            CenterContext(
                center_id=center.pk,
                data=data.CENTERS_BY_CODE[center.code],
                approved_entity_ids=approved,
                pending_entity_ids=pending,
                rules=center_rules(center.pk),
            )
        )
    return PlanContext(
        now=now, tz=timezone.get_current_timezone(), calendar=get_work_calendar(), centers=contexts
    )
