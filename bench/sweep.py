"""Benchmark the deadline sweep against the raw SQL floor, on PostgreSQL.

    python bench/sweep.py --cases 1000000              # 1% newly due: 10,000 clocks
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench python bench/sweep.py --cases 100000

Without DATABASE_URL it uses the database ``bench_sweep`` on the local server (created if
missing).

Builds N open cases, each with a stopped clock (acceptance) and a running one (60% the
center's review, 25% the applicant's filing, 15% the CNIPA benchmark), 100 centers with
10 examiners and 2 managers each, directly in SQL (INSERT … SELECT generate_series).
``--due-share`` of the running clocks (default 1%) became due yesterday, so the sweep
flags them at risk and overdue at once; every other clock is due 10–49 days ahead.

Then, alternately and on the same state (flags, events and outbox reset and vacuumed
between runs), it times ``deadlines_sweep()`` and the floor: one SQL statement doing the
same work in batches of the sweep's size (UPDATE timers … RETURNING; UPDATE cases; INSERT
events; INSERT the examiners' notifications and the managers' digests).

The database is emptied first: the script refuses to run on one whose name does not
start with "bench" unless given ``--force``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import datetime
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "protection_center.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_sweep")

CENTERS = 100
EXAMINERS = 10
MANAGERS = 2
ENTITIES_PER_CENTER = 40

TABLES = [
    "cases_notification",
    "cases_caseevent",
    "cases_timer",
    "cases_case",
    "cases_referencecounter",
    "cases_entity",
    "cases_staffprofile",
    "auth_user_groups",
    "auth_user_user_permissions",
    "django_admin_log",
    "auth_user",
    "cases_timelimitrule",
    "cases_center",
]

GENERATE = """
INSERT INTO cases_center (code, name, region, ipc_prefixes, locarno_classes,
    benchmark_days_invention, benchmark_days_utility_model, benchmark_days_design,
    address, phone, email, website)
SELECT 'B' || c, 'Bench center ' || c, 'Region ' || c, 'C08, B01D', '12, 14', 29, 29, 29,
    '', '', '', ''
FROM generate_series(1, %(centers)s) c;

-- Staff of center c: examiners are users (c-1)*per+1 .. (c-1)*per+E, then the managers.
INSERT INTO auth_user (password, last_login, is_superuser, username, first_name, last_name,
    email, is_staff, is_active, date_joined)
SELECT '!', NULL, false, 'staff' || u, '', '', 'staff' || u || '@example.com', true, true, now()
FROM generate_series(1, %(centers)s * %(per_center)s) u;

INSERT INTO cases_staffprofile (user_id, center_id, language)
SELECT u, (u - 1) / %(per_center)s + 1, CASE WHEN u %% 2 = 0 THEN 'en' ELSE 'zh-hans' END
FROM generate_series(1, %(centers)s * %(per_center)s) u;

INSERT INTO auth_user_groups (user_id, group_id)
SELECT u, (SELECT id FROM auth_group
           WHERE name = CASE WHEN (u - 1) %% %(per_center)s < %(examiners)s
                             THEN 'examiner' ELSE 'manager' END)
FROM generate_series(1, %(centers)s * %(per_center)s) u;

-- Entity e belongs to center (e-1) %% centers + 1.
INSERT INTO cases_entity (center_id, name, credit_code, contact_name, contact_email,
    contact_phone, contact_language, registration_state, registration_note, created_at,
    updated_at)
SELECT (e - 1) %% %(centers)s + 1, 'Entity ' || e, lpad(e::text, 18, '0'), 'Contact ' || e,
    'contact' || e || '@example.com', '', CASE WHEN e %% 3 = 0 THEN 'en' ELSE 'zh-hans' END,
    'approved', '', now(), now()
FROM generate_series(1, %(centers)s * %(entities_per_center)s) e;

CREATE TEMP TABLE bench_plan ON COMMIT DROP AS
SELECT i,
    (i - 1) %% %(centers)s + 1 AS center_id,
    (i - 1) %% (%(centers)s * %(entities_per_center)s) + 1 AS entity_id,
    ((i - 1) %% %(centers)s) * %(per_center)s + ((i - 1) / %(centers)s) %% %(examiners)s + 1
        AS examiner_id,
    CASE WHEN i %% 20 < 12 THEN 'review' WHEN i %% 20 < 17 THEN 'filing' ELSE 'benchmark' END
        AS step,
    -- Runs of consecutive cases, so that every center and every step has some.
    CASE WHEN (i / %(centers)s) %% %(due_every)s = 0 THEN %(today)s::date - 1
         ELSE %(today)s::date + 10 + i %% 40 END AS due_on
FROM generate_series(1, %(cases)s) i;

INSERT INTO cases_case (id, center_id, entity_id, reference, patent_type, title, classification,
    examiner_id, state, application_number, cnipa_filing_date, grant_notice_date,
    grant_notice_received_on, submitted_at, accepted_at, qualified_at, closed_at, next_due_on,
    at_risk_since, overdue_since, calendar_estimated, benchmark_gross_days, benchmark_net_days,
    access_code_hash, updated_at)
SELECT i, center_id, entity_id, 'B' || center_id || '-2025-' || lpad(i::text, 7, '0'),
    'invention', 'Composite material ' || i, 'C08K 3/04', examiner_id,
    CASE step WHEN 'review' THEN 'under_review' WHEN 'filing' THEN 'qualified' ELSE 'filed' END,
    NULL, NULL, NULL, NULL, now() - interval '20 days', now() - interval '19 days', NULL, NULL,
    due_on, NULL, NULL, false, NULL, NULL, '', now()
FROM bench_plan;
SELECT setval(pg_get_serial_sequence('cases_case', 'id'), %(cases)s);

INSERT INTO cases_timer (case_id, step, party, started_on, due_on, warn_on, amount, unit,
    counting, warning_share, paused_since, paused_days, stopped_on, stopped_at, outcome,
    estimated, at_risk_since, overdue_since)
SELECT i, 'acceptance', %(party_acceptance)s, %(today)s::date - 20, %(today)s::date - 18,
    %(today)s::date - 18, %(acceptance_amount)s, %(acceptance_unit)s, %(acceptance_counting)s,
    %(acceptance_share)s, NULL::date, 0, %(today)s::date - 19,
    now() - interval '19 days', 'met', false, NULL::timestamptz, NULL::timestamptz
FROM bench_plan
UNION ALL
SELECT i, step, CASE step WHEN 'review' THEN %(party_review)s
                          WHEN 'filing' THEN %(party_filing)s ELSE %(party_benchmark)s END,
    %(today)s::date - 19, due_on,
    CASE WHEN due_on < %(today)s THEN due_on - 2 ELSE due_on - 1 END,
    10, 'days', 'plain', 0.8, NULL, 0, NULL, NULL, '', false, NULL, NULL
FROM bench_plan;
"""

FLOOR = """
WITH flagged AS (
    -- The two lookups on their partial indexes, as the sweep does them (ordered and
    -- limited, else the planner misjudges them); ANY(ARRAY(…)) keeps the update on the
    -- primary key.
    UPDATE cases_timer t SET
        at_risk_since = CASE WHEN t.at_risk_since IS NULL AND t.warn_on <= %(today)s
                             THEN %(now)s ELSE t.at_risk_since END,
        overdue_since = CASE WHEN t.overdue_since IS NULL AND t.due_on < %(today)s
                             THEN %(now)s ELSE t.overdue_since END
    WHERE t.id = ANY(ARRAY(
        SELECT id FROM (
            SELECT o.id FROM cases_timer o
            WHERE o.stopped_at IS NULL AND o.paused_since IS NULL
              AND o.overdue_since IS NULL AND o.due_on < %(today)s
            ORDER BY o.due_on LIMIT %(limit)s FOR UPDATE SKIP LOCKED) overdue
        UNION
        SELECT id FROM (
            SELECT r.id FROM cases_timer r
            WHERE r.stopped_at IS NULL AND r.paused_since IS NULL
              AND r.at_risk_since IS NULL AND r.warn_on <= %(today)s
            ORDER BY r.warn_on LIMIT %(limit)s FOR UPDATE SKIP LOCKED) at_risk))
    RETURNING t.id, t.case_id, t.step, t.party, t.due_on, t.warn_on,
        t.overdue_since = %(now)s AS overdue
), cases AS (
    UPDATE cases_case c SET
        at_risk_since = COALESCE(c.at_risk_since, %(now)s),
        overdue_since = CASE WHEN f.overdue THEN COALESCE(c.overdue_since, %(now)s)
                             ELSE c.overdue_since END
    FROM (SELECT case_id, bool_or(overdue) AS overdue FROM flagged GROUP BY case_id) f
    WHERE c.id = f.case_id
    RETURNING c.id, c.state, c.reference, c.title, c.center_id, c.examiner_id
), events AS (
    INSERT INTO cases_caseevent (case_id, transition, from_state, to_state, actor_id,
        created_at, note, public_note, public)
    SELECT f.case_id, CASE WHEN f.overdue THEN 'flag_overdue' ELSE 'flag_at_risk' END,
        c.state, c.state, NULL, %(now)s,
        f.step || CASE WHEN f.overdue THEN ' is overdue: it was due on '
                       ELSE ' is at risk: it is due on ' END || f.due_on, '', false
    FROM flagged f JOIN cases c ON c.id = f.case_id
    RETURNING 1
), rows AS (
    SELECT f.*, c.state, c.reference, c.title, c.center_id, c.examiner_id
    FROM flagged f JOIN cases c ON c.id = f.case_id
), examiners AS (
    INSERT INTO cases_notification (key, kind, case_id, timer_id, recipient, language, payload,
        status, attempts, last_error, created_at, next_attempt_at, sent_at)
    SELECT CASE WHEN r.overdue THEN 'overdue:' || r.id || ':' || r.due_on
                ELSE 'at_risk:' || r.id || ':' || r.warn_on END || ':' || u.id,
        CASE WHEN r.overdue THEN 'step_overdue' ELSE 'step_at_risk' END, r.case_id, r.id,
        u.email, COALESCE(p.language, 'zh-hans'),
        jsonb_build_object('reference', r.reference, 'title', r.title, 'state', r.state,
                           'step', r.step, 'due_on', r.due_on, 'role', 'examiner'),
        'pending', 0, '', %(now)s, %(now)s, NULL
    FROM rows r
    JOIN auth_user u ON u.id = r.examiner_id
    LEFT JOIN cases_staffprofile p ON p.user_id = u.id
    WHERE r.party = 'center' AND u.is_active AND u.email <> ''
    ON CONFLICT (key) DO NOTHING
    RETURNING 1
), overdue_steps AS (
    SELECT r.center_id, r.id, r.reference, r.title, r.step, r.due_on,
        row_number() OVER (PARTITION BY r.center_id ORDER BY r.due_on, r.reference) AS n
    FROM rows r WHERE r.overdue
), digests AS (
    SELECT s.center_id, min(s.id) AS first, count(*) AS count,
        jsonb_agg(jsonb_build_object('reference', s.reference, 'title', left(s.title, 60),
                                     'step', s.step, 'due_on', s.due_on) ORDER BY s.n)
            FILTER (WHERE s.n <= 20) AS steps
    FROM overdue_steps s GROUP BY s.center_id
), managers AS (
    INSERT INTO cases_notification (key, kind, center_id, recipient, language, payload,
        status, attempts, last_error, created_at, next_attempt_at, sent_at)
    SELECT 'overdue_digest:' || d.first || ':' || u.id, 'overdue_digest', d.center_id,
        u.email, p.language,
        jsonb_build_object('center', ce.code, 'count', d.count, 'steps', d.steps,
                           'role', 'manager'),
        'pending', 0, '', %(now)s, %(now)s, NULL
    FROM digests d
    JOIN cases_center ce ON ce.id = d.center_id
    JOIN cases_staffprofile p ON p.center_id = d.center_id
    JOIN auth_user u ON u.id = p.user_id
    WHERE u.is_active AND u.email <> ''
      AND EXISTS (SELECT 1 FROM auth_user_groups ug JOIN auth_group g ON g.id = ug.group_id
                  WHERE ug.user_id = u.id AND g.name = 'manager')
    ON CONFLICT (key) DO NOTHING
    RETURNING 1
)
SELECT (SELECT count(*) FROM flagged), (SELECT count(*) FROM cases),
       (SELECT count(*) FROM events),
       (SELECT count(*) FROM examiners) + (SELECT count(*) FROM managers)
"""

RESET = [
    "TRUNCATE cases_notification, cases_caseevent RESTART IDENTITY",
    "UPDATE cases_timer SET at_risk_since = NULL, overdue_since = NULL "
    "WHERE at_risk_since IS NOT NULL OR overdue_since IS NOT NULL",
    "UPDATE cases_case SET at_risk_since = NULL, overdue_since = NULL "
    "WHERE at_risk_since IS NOT NULL OR overdue_since IS NOT NULL",
]


def ensure_database(url: str, *, force: bool) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    if not name.startswith("bench") and not force:
        sys.exit(f"Refusing to empty database {name!r}: its name must start with 'bench'.")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def execute(sql: str, params: dict | None = None) -> list[tuple]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


def vacuum(*, analyze: bool = True) -> None:
    from django.db import connection

    tables = "cases_timer, cases_case, cases_caseevent, cases_notification"
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM {'ANALYZE ' if analyze else ''}{tables}")


def generate(*, cases: int, due_share: float, today: object) -> None:
    from django.db import transaction

    from cases.models import Step
    from cases.services.clocks import DEFAULT_RULES, STEP_PARTY

    acceptance = DEFAULT_RULES[Step.ACCEPTANCE]
    params = {
        # The services' rules: which party owns each step, the acceptance clock's values.
        **{f"party_{step}": party for step, party in STEP_PARTY.items()},
        "acceptance_amount": acceptance.amount,
        "acceptance_unit": acceptance.unit,
        "acceptance_counting": acceptance.counting,
        "acceptance_share": acceptance.warning_share,
        "cases": cases,
        "centers": CENTERS,
        "examiners": EXAMINERS,
        "per_center": EXAMINERS + MANAGERS,
        "entities_per_center": ENTITIES_PER_CENTER,
        "due_every": max(1, round(1 / due_share)),
        "today": today,
    }
    with transaction.atomic():
        execute(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")
        execute("SET LOCAL maintenance_work_mem = '512MB'")
        # Loading is much faster without the secondary indexes; they are rebuilt after.
        indexes = execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i"
            " WHERE i.tablename IN ('cases_case', 'cases_timer')"
            " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)"
        )
        for name, _definition in indexes:
            execute(f'DROP INDEX "{name}"')
        for statement in GENERATE.split(";\n\n"):
            if statement.strip():
                execute(statement, params)
        execute("SET CONSTRAINTS ALL IMMEDIATE")  # run the deferred foreign-key checks now
        for _name, definition in indexes:
            execute(definition)


def counts() -> tuple[int, int, int, int]:
    (row,) = execute(
        "SELECT (SELECT count(*) FROM cases_timer WHERE at_risk_since IS NOT NULL),"
        " (SELECT count(*) FROM cases_case WHERE overdue_since IS NOT NULL),"
        " (SELECT count(*) FROM cases_caseevent), (SELECT count(*) FROM cases_notification)"
    )
    return row


def reset() -> None:
    for statement in RESET:
        execute(statement)
    vacuum(analyze=False)


def run_sweep(now: datetime) -> float:
    from cases.services import sweep

    started = time.perf_counter()
    result = sweep.deadlines_sweep(now=now)
    elapsed = time.perf_counter() - started
    print(f"  sweep   {elapsed:7.3f} s  {result}")
    return elapsed


def run_floor(now: datetime) -> float:
    from django.db import transaction
    from django.utils import timezone

    from cases.services.sweep import BATCH

    # In batches of the sweep's size, each its own transaction, as the sweep does (the
    # managers get one digest per batch).
    params = {"now": now, "today": timezone.localdate(now), "limit": BATCH}
    totals = [0, 0, 0, 0]
    started = time.perf_counter()
    while True:
        with transaction.atomic():
            (row,) = execute(FLOOR, params)
        totals = [a + b for a, b in zip(totals, row, strict=True)]
        if not row[0]:
            break
    elapsed = time.perf_counter() - started
    print(
        f"  floor   {elapsed:7.3f} s  timers={totals[0]} cases={totals[1]} events={totals[2]}"
        f" notifications={totals[3]}"
    )
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--due-share", type=float, default=0.01)
    parser.add_argument("--repeat", type=int, default=2, help="timed runs of each (best kept)")
    parser.add_argument("--skip-generate", action="store_true", help="reuse the current data")
    parser.add_argument("--force", action="store_true")
    args = parser.parse_args()

    ensure_database(os.environ["DATABASE_URL"], force=args.force)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    if connection.vendor != "postgresql":
        sys.exit("The benchmark needs PostgreSQL.")
    call_command("migrate", verbosity=0)
    now = timezone.now()
    today = timezone.localdate(now)

    print(f"{args.cases:,} open cases, {args.due_share:.1%} newly due, on {today}")
    if not args.skip_generate:
        started = time.perf_counter()
        generate(cases=args.cases, due_share=args.due_share, today=today)
        vacuum()
        print(f"data generation {time.perf_counter() - started:.1f} s")
    reset()

    sweeps, floors, outcomes = [], [], set()
    for _ in range(args.repeat):
        sweeps.append(run_sweep(now))
        outcomes.add(("sweep", counts()))
        reset()
        floors.append(run_floor(now))
        outcomes.add(("floor", counts()))
        reset()
    by_kind = {kind: c for kind, c in outcomes}
    if len({c for _, c in outcomes}) != 1:
        print(f"WARNING: sweep and floor did different work: {sorted(outcomes)}")
    else:
        timers, cases, events, notifications = by_kind["sweep"]
        print(
            f"each run: {timers:,} clocks flagged, {cases:,} cases overdue,"
            f" {events:,} events, {notifications:,} notifications"
        )
    sweep_best, floor_best = min(sweeps), min(floors)
    print(
        f"sweep {sweep_best:.3f} s, floor {floor_best:.3f} s,"
        f" ratio {sweep_best / floor_best:.2f} (best of {args.repeat})"
    )


if __name__ == "__main__":
    main()
