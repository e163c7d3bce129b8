from __future__ import annotations

import random
import re
from collections import defaultdict
from datetime import date, datetime, timedelta
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db.models import Count, Min, Q
from django.test import Client
from django.utils import timezone

from cases import services
from cases.actors import Actor
from cases.appnumbers import make_application_number, parse_application_number
from cases.demo import data, setup
from cases.demo.bulk import Simulator
from cases.demo.numbers import TYPE_DIGITS
from cases.demo.plans import PlanContext, case_rng, make_plan, pick_state
from cases.demo.replay import replay
from cases.management.commands.seed_demo import DEFAULT_PASSWORD, plan_context
from cases.models import (
    TERMINAL_STATES,
    Case,
    CaseEvent,
    CaseState,
    Center,
    Entity,
    Notification,
    PatentType,
    ReferenceCounter,
    RegistrationState,
    Role,
    StaffProfile,
    TimeLimitRule,
    Timer,
)
from cases.people import staff_display_name
from cases.services import notices
from cases.services.access import case_find_by_access_code
from cases.validators import validate_credit_code

pytestmark = pytest.mark.django_db
S = CaseState


FILE_EVENTS = ("add_document", "issue_notice")


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def _context() -> PlanContext:
    return plan_context(setup.demo_centers(), now=timezone.now())


# Plans (no case is made here)


def test_plans_are_reproducible_in_scope_and_never_in_the_future():
    seed("--demo-cases", "0")
    ctx = _context()
    centers = {c.code: c for c in setup.demo_centers()}
    states = set()
    for index in range(400):
        rng = case_rng(7, index)
        center, state = ctx.pick_center(rng), pick_state(rng)
        plan = make_plan(rng, ctx, center, state)
        again = case_rng(7, index)
        assert make_plan(again, ctx, ctx.pick_center(again), pick_state(again)) == plan
        states.add(plan.target)
        in_field = centers[plan.center_code].covers_classification(
            plan.patent_type, plan.classification
        )
        if "accept" in [step.name for step in plan.steps]:
            assert in_field and plan.entity_id in center.approved_entity_ids
        elif plan.target == CaseState.NOT_ACCEPTED:  # out of field, or registration pending
            assert not in_field or plan.entity_id in center.pending_entity_ids
        times = [step.at for step in plan.steps]
        assert times == sorted(times)
        assert times[-1] <= ctx.now
        assert times[0] >= ctx.now - timedelta(days=400)
        for step in plan.steps:
            for value in step.args.values():
                assert not isinstance(value, datetime)
                if isinstance(value, date):  # a date given to a service: never after the step
                    assert value <= timezone.localdate(step.at)
    assert states == set(CaseState.values)


# The demo, through the services


def test_seed_demo_makes_centers_staff_entities_and_cases_in_every_state(client):
    output = seed("--demo-cases", "30", "--seed", "3")  # the first 28: every state, twice

    centers = {c.code: c for c in Center.objects.all()}
    assert set(centers) == {"SH", "PD"}
    assert centers["SH"].name == "中国(上海)知识产权保护中心"
    assert centers["SH"].locarno_classes and not centers["PD"].locarno_classes
    assert TimeLimitRule.objects.filter(center=centers["PD"]).count() >= 6

    for code, center in centers.items():
        profiles = StaffProfile.objects.filter(center=center).select_related("user")
        roles = [g for p in profiles for g in p.user.groups.values_list("name", flat=True)]
        assert sorted(roles) == sorted([*Role.values, Role.EXAMINER])
        assert all(p.user.is_staff for p in profiles)
        assert User.objects.filter(username=f"{code.lower()}_examiner2").exists()
        entities = Entity.objects.filter(center=center)
        assert entities.filter(registration_state=RegistrationState.APPROVED).count() >= 15
        assert entities.filter(
            registration_state__in=[RegistrationState.SUBMITTED, RegistrationState.RETURNED]
        ).exists()
        assert entities.filter(contact_language="en").exists()
        for entity in entities:
            validate_credit_code(entity.credit_code)
            assert entity.contact_email.endswith("@example.com")
    assert User.objects.get(username="admin").is_superuser

    cases = list(Case.objects.select_related("center"))
    assert len(cases) == 30
    assert {case.state for case in cases} == set(CaseState.values)
    for case in cases:
        if case.accepted_at is not None:
            assert case.center.covers_classification(case.patent_type, case.classification)
        if case.cnipa_filing_date is not None:
            assert case.cnipa_filing_date >= timezone.localdate(case.qualified_at)
    events = defaultdict(list)
    for event in CaseEvent.objects.order_by("id"):
        events[event.case_id].append(event)
    for case in cases:
        history = events[case.pk]
        assert history[0].transition == "submit"
        times = [event.created_at for event in history]
        assert times == sorted(times)
        transitions = [e for e in history if not e.transition.startswith("flag_")]
        assert transitions[-1].to_state == case.state
        assert all(e.actor is not None for e in transitions)  # the demo staff, by role

    # The sweep ran: every ticking clock past its warning date is flagged, with an event.
    today = timezone.localdate()
    ticking = Timer.objects.ticking()
    assert not ticking.filter(warn_on__lte=today, at_risk_since__isnull=True).exists()
    assert not ticking.filter(due_on__lt=today, overdue_since__isnull=True).exists()
    flagged = ticking.filter(at_risk_since__isnull=False).values_list("case_id", flat=True)
    assert set(flagged) <= set(
        CaseEvent.objects.filter(transition__startswith="flag_").values_list("case_id", flat=True)
    )
    # The back-dated history e-mails nobody.
    assert not Notification.objects.filter(kind=Notification.Kind.CASE_TRANSITION).exists()

    # Every case has an access code; the sample codes printed open the status page.
    assert all(case.access_code_hash for case in cases)
    printed = re.findall(r"^\s+([A-Z]{2}-\d{4}-\d{6})\s+([a-z_]+)\s+(\S+)$", output, re.M)
    assert {state for _reference, state, _code in printed} >= {"submitted", "filed", "granted"}
    for reference, state, code in printed:
        assert case_find_by_access_code(reference=reference, code=code).state == state

    for username in ("sh_clerk", "sh_examiner1", "pd_manager", "pd_admin", "admin"):
        assert username in output
        assert client.login(username=username, password=DEFAULT_PASSWORD), username
    assert DEFAULT_PASSWORD in output

    # The portal logins printed log in through the portal's form, on cases in several
    # states, one of them waiting for a correction (for the entity's user).
    from cases.selectors.portal import portal_cases_for

    for email in ("applicant@example.com", "agent@example.com"):
        assert email in output
        portal = Client()
        portal.post("/portal/accounts/login/", {"login": email, "password": DEFAULT_PASSWORD})
        assert "_auth_user_id" in portal.session, email
        user = User.objects.get(email=email)
        assert not user.is_staff
        assert portal_cases_for(user).exists()
    applicant = User.objects.get(email="applicant@example.com")
    states = set(portal_cases_for(applicant).values_list("state", flat=True))
    assert CaseState.CORRECTION_REQUESTED in states and len(states) >= 2


def test_keep_notifications_keeps_the_history_emails():
    seed("--demo-cases", "4", "--keep-notifications")

    assert Notification.objects.filter(kind=Notification.Kind.CASE_TRANSITION).exists()


def test_seed_demo_refuses_politely_when_the_demo_exists():
    seed("--demo-cases", "0")
    users = User.objects.count()

    output = seed()

    assert "already exists" in output
    assert Case.objects.count() == 0
    assert User.objects.count() == users


def test_bulk_rows_are_what_the_services_would_write():
    """The same plans, played by the services and by the bulk simulator, give the same rows."""
    seed("--demo-cases", "0")
    centers = setup.demo_centers()
    ctx = _context()
    serials: dict[int, int] = {}

    def number(plan, day):
        serial = serials.setdefault(id(plan), 2_000_000 + len(serials))
        return str(make_application_number(day.year, TYPE_DIGITS[plan.patent_type], serial))

    rng = random.Random(11)
    targets = [*CaseState.values, S.FILED, S.GRANTED, S.GRANTED, S.OFFICE_ACTION, S.UNDER_REVIEW]
    targets += [S.LAPSED]
    plans = [make_plan(rng, ctx, ctx.centers[n % 2], state) for n, state in enumerate(targets)]
    staff = {c.code: setup.staff_of(c) for c in centers}
    simulator = Simulator(
        rules={c.center_id: c.rules for c in ctx.centers},
        benchmark_days={c.pk: {t: c.benchmark_days(t) for t in PatentType.values} for c in centers},
        center_ids={c.code: c.pk for c in centers},
        calendar=ctx.calendar,
        application_number=number,
        staff_names={u.pk: staff_display_name(u) for c in staff.values() for u in c.values()},
    )
    entities = Entity.objects.select_related("center").in_bulk()
    for plan in plans:
        case = replay(
            plan,
            staff=staff[plan.center_code],
            entity=entities[plan.entity_id],
            application_number=number,
        )
        ids = {key: user.pk for key, user in staff[plan.center_code].items()}
        sim = simulator.play(plan, ids)

        assert case.state == sim.state == plan.target
        assert case.examiner_id == sim.examiner
        for name, value in {**sim.fields, **sim.summary()}.items():
            assert getattr(case, name) == value, (plan.target, name)
        timers = [
            (
                t.step,
                t.party,
                t.started_on,
                t.due_on,
                t.warn_on,
                t.amount,
                t.unit,
                t.counting,
                t.warning_share,
                t.paused_since,
                t.paused_days,
                t.stopped_on,
                t.stopped_at,
                t.outcome,
                t.estimated,
            )
            for t in case.timers.order_by("id")
        ]
        assert timers == [
            (
                t.step,
                t.party,
                t.started_on,
                t.due_on,
                t.warn_on,
                t.amount,
                t.unit,
                t.counting,
                t.warning_share,
                t.paused_since,
                t.paused_days,
                t.stopped_on,
                t.stopped_at,
                t.outcome,
                t.estimated,
            )
            for t in sim.timers
        ], plan.target
        events = [
            (
                e.transition,
                e.from_state,
                e.to_state,
                e.actor_id,
                e.created_at,
                e.note,
                e.public_note,
                e.public,
                e.occurred_on,
            )
            # The bulk generator makes no files: neither documents nor notices.
            for e in case.events.exclude(transition__in=FILE_EVENTS).order_by("id")
        ]
        assert events == [
            (
                e.transition,
                e.from_state,
                e.to_state,
                e.actor,
                e.created_at,
                e.note,
                e.public_note,
                e.public,
                e.occurred_on,
            )
            for e in sim.events
        ], plan.target


# Bulk mode


@pytest.mark.parametrize(
    ("count", "options", "path"),
    [(500, [], "(COPY)"), (200, ["--no-copy"], "(bulk_create)")],
    ids=["copy", "bulk_create"],
)
def test_bulk_cases_are_consistent(count, options, path):
    output = seed("--demo-cases", "0", "--cases", str(count), "--batch-size", "150", *options)

    assert f"Bulk: {count} cases" in output
    assert path in output
    cases = list(
        Case.objects.select_related("center").annotate(
            running=Count("timers", filter=Q(timers__stopped_at__isnull=True)),
            next_due=Min(
                "timers__due_on",
                filter=Q(timers__stopped_at__isnull=True, timers__paused_since__isnull=True),
            ),
            at_risk=Min(
                "timers__at_risk_since",
                filter=Q(timers__stopped_at__isnull=True, timers__paused_since__isnull=True),
            ),
            overdue=Min(
                "timers__overdue_since",
                filter=Q(timers__stopped_at__isnull=True, timers__paused_since__isnull=True),
            ),
        )
    )
    assert len(cases) == count
    assert len({(c.center_id, c.reference) for c in cases}) == count
    open_cases = [c for c in cases if c.state not in TERMINAL_STATES]
    assert 0.45 < len(open_cases) / len(cases) < 0.75
    assert {c.state for c in cases} == set(CaseState.values)
    assert any(c.overdue_since for c in open_cases) and any(c.at_risk_since for c in open_cases)
    for case in cases:
        year = timezone.localdate(case.submitted_at).year
        assert case.reference.startswith(f"{case.center.code}-{year}-")
        if case.state in TERMINAL_STATES:
            assert case.running == 0 and case.next_due_on is None and case.closed_at
        else:
            assert case.running >= 1
            assert case.next_due_on == case.next_due
            assert case.at_risk_since == case.at_risk
            assert case.overdue_since == case.overdue
        if case.application_number:
            number = parse_application_number(case.application_number)
            assert str(number) == case.application_number
            assert number.year == case.cnipa_filing_date.year
            assert number.patent_kind == case.patent_type
    numbers = [c.application_number for c in cases if c.application_number]
    assert len(numbers) == len(set(numbers)) > count // 5

    events = defaultdict(list)
    for event in CaseEvent.objects.order_by("id"):
        events[event.case_id].append(event)
    for case in cases:
        history = events[case.pk]
        assert history[0].transition == "submit"
        times = [e.created_at for e in history]
        assert times == sorted(times)
        assert times[-1] <= timezone.now()
        transitions = [e for e in history if not e.transition.startswith("flag_")]
        assert transitions[-1].to_state == case.state
    assert Timer.objects.filter(stopped_at__isnull=False, outcome="").count() == 0
    flags = CaseEvent.objects.filter(transition__startswith="flag_").select_related("case")
    assert flags.exists()
    for event in flags:
        assert event.from_state == event.to_state == event.case.state
        assert event.actor_id is None and not event.public and event.note

    # One access code, printed, opens the status page of every bulk case.
    code = output.split("access code of every bulk case: ")[1].split()[0]
    for case in random.Random(1).sample(cases, 5):
        assert case_find_by_access_code(reference=case.reference, code=code).pk == case.pk

    # The counters continue after the bulk references: the next case does not collide.
    center = Center.objects.get(code="SH")
    year = timezone.localdate().year
    last = ReferenceCounter.objects.get(center=center, year=year).last
    taken = sorted(
        c.reference
        for c in cases
        if c.center_id == center.pk and c.reference.startswith(f"SH-{year}-")
    )
    assert taken[-1] == f"SH-{year}-{last:06d}"
    case = services.case_submit(
        actor=Actor.admin(User.objects.get(username="sh_clerk")),
        entity=Entity.objects.filter(center=center).approved().first(),
        patent_type=PatentType.INVENTION,
        title="一种复合材料",
        classification="C08K 3/04",
    )
    assert case.reference == f"SH-{year}-{last + 1:06d}"


def test_bulk_after_the_demo_adds_cases_without_touching_the_staff():
    seed("--demo-cases", "0")
    staff = User.objects.filter(is_staff=True)
    users = set(staff.values_list("username", "password"))

    output = seed("--cases", "60")

    assert Case.objects.count() == 60
    # (The demo's portal users appear once entities have cases; they are not staff.)
    assert set(staff.values_list("username", "password")) == users
    assert "(existing, unchanged)" in output
    assert data.SHANGHAI.code in output


def test_demo_cases_have_their_documents_and_the_notices_of_their_history():
    import hashlib

    from cases.choices import NOTICE_OF_TRANSITION
    from cases.models import CaseDocument, Notice, RequiredDocument

    seed("--demo-cases", "14", "--seed", "3")
    for case in Case.objects.all():
        kinds = RequiredDocument.objects.kinds_for(
            center_id=case.center_id, patent_type=case.patent_type
        )
        documents = CaseDocument.objects.filter(case=case).uploaded()
        assert sorted(documents.values_list("kind", flat=True)) == sorted(kinds)
        for document in documents:
            with document.file.open("rb") as stored:
                content = stored.read()
            assert content.startswith(b"%PDF-") and document.pages == 1
            assert hashlib.sha256(content).hexdigest() == document.sha256
        decisions = CaseEvent.objects.filter(case=case, transition__in=NOTICE_OF_TRANSITION)
        issued = Notice.objects.filter(case=case)
        assert sorted(issued.values_list("event_id", flat=True)) == sorted(
            decisions.values_list("id", flat=True)
        )
        for notice in issued:
            assert notice.kind == NOTICE_OF_TRANSITION[notice.event.transition]
            assert notices.notice_pdf(notice=notice).pages >= 1
