"""Benchmark the manager dashboard on PostgreSQL, against hand-written SQL (the floor).

    .venv/bin/python bench/dashboard.py --cases 100000                 # seed_demo's generator
    .venv/bin/python bench/dashboard.py --cases 1000000 --generator sql --fresh
    .venv/bin/python bench/dashboard.py --reuse --explain             # time again, EXPLAIN

Loads N cases (with their events and timers) into a separate database (default
``postgres://postgres@127.0.0.1:5432/bench_dashboard``), then times, for the busiest
center over the last 12 months:

- the selector ``dashboard_figures`` (every figure of the page, read from the summary
  as the Celery task left it: the page never refreshes it),
- the summary refresh the task runs (``dashboard_summary_refresh``, nothing changed),
- the whole view through the test client (login as a manager, render, templates),
- hand-written SQL computing the same figures (the floor), twice: on the summary table
  the selector reads, and on the base tables (``Case`` joined to the review ``Timer``,
  working days from the same ordinal array) as one would write it without the summary.
  Both use GROUPING SETS so that one scan gives the per-type and overall figures (and all
  the weekly series), and ``percentile_cont(ARRAY[...])`` so that each value is sorted
  once.

The summary table is built once after loading (timed and printed).

Generators: ``seed_demo`` (the demo plans, through ``manage.py seed_demo --cases N``: two
centers, a year of cases, ~300 cases/s) or ``sql`` (``generate_series``, ~1M cases a
minute: ``--centers`` centers over ``--days`` days, ``--share`` percent of the cases at the
benchmarked center, stages reached at random, review clocks with paused days, running
clocks and at-risk/overdue flags on open cases, and one event per transition).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_dashboard"


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "protection_center.settings")
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def ensure_database(url: str, *, fresh: bool) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and fresh:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


# Loading


def load_seed_demo(count: int) -> None:
    from django.core.management import call_command

    call_command("seed_demo", cases=count, demo_cases=50)


SQL_CASES = """
WITH base AS (
  SELECT i,
    CASE WHEN i %% 100 < %(share)s THEN %(bench)s
         ELSE (%(others)s::bigint[])[1 + i %% %(n_others)s] END AS center_id,
    date_trunc('minute', now() - random() * %(days)s * interval '1 day') AS sub,
    (ARRAY['invention','invention','utility_model','utility_model','design'])[1 + i %% 5] AS pt,
    (ARRAY['C08K 3/04','C08L 23/06','B01D 53/86','H01M 10/05','14-02'])[1 + i %% 5] AS cls,
    random() AS r1, random() AS r2, random() AS r3, random() AS r4, random() AS r5,
    1 + floor(random() * 3)::int AS acc_d, 4 + floor(random() * 9)::int AS rev_d,
    1 + floor(random() * 10)::int AS file_d, 12 + floor(random() * 90)::int AS gross_d,
    CASE WHEN random() < 0.3 THEN 1 + floor(random() * 6)::int ELSE 0 END AS paused_d,
    CASE WHEN random() < 0.3 THEN floor(random() * 15)::int ELSE 0 END AS oa_d,
    floor(random() * 6)::int AS ex
  FROM generate_series(1, %(n)s) AS g(i)
), s1 AS (
  SELECT *, sub + acc_d * interval '1 day' AS acc_t FROM base
), s2 AS (
  SELECT *, CASE WHEN acc_t < now() AND r1 < 0.92 THEN acc_t END AS accepted_at,
    CASE WHEN acc_t < now() AND r1 >= 0.92 THEN acc_t END AS declined_at,
    acc_t + (rev_d + paused_d) * interval '1 day' AS qual_t
  FROM s1
), s3 AS (
  SELECT *, CASE WHEN accepted_at IS NOT NULL AND qual_t < now() AND r2 < 0.86 THEN qual_t END
      AS qualified_at,
    CASE WHEN accepted_at IS NOT NULL AND qual_t < now() AND r2 >= 0.86 THEN qual_t END
      AS unqualified_at,
    (qual_t AT TIME ZONE 'Asia/Shanghai')::date + file_d AS file_on
  FROM s2
), s4 AS (
  SELECT *, CASE WHEN qualified_at IS NOT NULL AND file_on < now()::date AND r3 < 0.95
      THEN file_on END AS filed_on,
    CASE WHEN qualified_at IS NOT NULL AND file_on + 10 < now()::date AND r3 >= 0.95
      THEN qual_t + interval '11 days' END AS lapsed_at,
    file_on + gross_d AS grant_on
  FROM s3
), s5 AS (
  SELECT *, CASE WHEN filed_on IS NOT NULL AND grant_on < now()::date AND r4 < 0.9
      THEN grant_on END AS granted_on,
    CASE WHEN filed_on IS NOT NULL AND grant_on < now()::date AND r4 >= 0.9
      THEN grant_on::timestamptz END AS rejected_at
  FROM s4
), final AS (
  SELECT *, CASE
      WHEN declined_at IS NOT NULL THEN 'not_accepted'
      WHEN accepted_at IS NULL THEN 'submitted'
      WHEN unqualified_at IS NOT NULL THEN 'unqualified'
      WHEN qualified_at IS NULL THEN CASE WHEN r5 < 0.2 THEN 'correction_requested'
                                          ELSE 'under_review' END
      WHEN lapsed_at IS NOT NULL THEN 'lapsed'
      WHEN filed_on IS NULL THEN 'qualified'
      WHEN rejected_at IS NOT NULL THEN 'rejected'
      WHEN granted_on IS NULL THEN CASE WHEN r5 < 0.2 THEN 'office_action' ELSE 'filed' END
      WHEN granted_on + 20 < now()::date THEN 'granted'
      ELSE 'grant_notified' END AS state
  FROM s5
)
INSERT INTO cases_case (reference, patent_type, title, classification, state,
  cnipa_filing_date, grant_notice_date, grant_notice_received_on, submitted_at, accepted_at,
  qualified_at, closed_at, at_risk_since, overdue_since, calendar_estimated,
  benchmark_gross_days, benchmark_net_days, access_code_hash, updated_at, examiner_id,
  center_id, entity_id, status_version)
SELECT 'BN-' || i, pt, 'Bench case ' || i, cls, state, filed_on, granted_on, granted_on, sub,
  accepted_at, qualified_at,
  CASE state WHEN 'not_accepted' THEN declined_at WHEN 'unqualified' THEN unqualified_at
    WHEN 'lapsed' THEN lapsed_at WHEN 'rejected' THEN rejected_at
    WHEN 'granted' THEN (granted_on + 20)::timestamptz END,
  CASE WHEN state <> ALL(%(terminal)s) AND r5 > 0.85 THEN now() - interval '2 days' END,
  CASE WHEN state <> ALL(%(terminal)s) AND r5 > 0.95 THEN now() - interval '1 day' END,
  false,
  CASE WHEN granted_on IS NOT NULL THEN granted_on - filed_on END,
  CASE WHEN granted_on IS NOT NULL THEN granted_on - filed_on - oa_d END,
  '', now(),
  (%(examiners)s::int[])[1 + ((center_id * 6 + ex) %% %(n_examiners)s)],
  center_id, (%(entities)s::bigint[])[1 + (center_id %% %(n_entities)s)], 0
FROM final
"""

SQL_TIMERS = """
INSERT INTO cases_timer (case_id, step, party, started_on, due_on, warn_on, amount, unit,
  counting, warning_share, paused_since, paused_days, stopped_on, stopped_at, outcome,
  estimated, at_risk_since, overdue_since)
SELECT c.id, t.step, t.party, t.started, t.started + 7, t.started + 5, 5, 'workdays', 'workday',
  0.80, NULL, t.paused, t.stopped, t.stopped::timestamptz,
  CASE WHEN t.stopped IS NULL THEN '' ELSE 'met' END, false,
  CASE WHEN t.stopped IS NULL THEN c.at_risk_since END,
  CASE WHEN t.stopped IS NULL THEN c.overdue_since END
FROM cases_case c
CROSS JOIN LATERAL (VALUES
  ('acceptance', %(party_acceptance)s, (c.submitted_at AT TIME ZONE 'Asia/Shanghai')::date,
    COALESCE((c.accepted_at AT TIME ZONE 'Asia/Shanghai')::date,
             (c.closed_at AT TIME ZONE 'Asia/Shanghai')::date), 0, true),
  ('review', %(party_review)s, (c.accepted_at AT TIME ZONE 'Asia/Shanghai')::date,
    COALESCE((c.qualified_at AT TIME ZONE 'Asia/Shanghai')::date,
             CASE WHEN c.state = 'unqualified' THEN (c.closed_at AT TIME ZONE 'Asia/Shanghai')::date END),
    CASE WHEN c.qualified_at IS NOT NULL THEN (c.id %% 7) %% 4 ELSE 0 END,
    c.accepted_at IS NOT NULL AND c.state <> 'correction_requested'),
  ('correction', %(party_correction)s, (c.accepted_at AT TIME ZONE 'Asia/Shanghai')::date + 2, NULL, 0,
    c.state = 'correction_requested'),
  ('filing', %(party_filing)s, (c.qualified_at AT TIME ZONE 'Asia/Shanghai')::date, c.cnipa_filing_date,
    0, c.qualified_at IS NOT NULL),
  ('benchmark', %(party_benchmark)s, c.cnipa_filing_date, c.grant_notice_date, 0,
    c.cnipa_filing_date IS NOT NULL AND c.state <> 'office_action'),
  ('office_action', %(party_office_action)s, c.cnipa_filing_date + 10, NULL, 0, c.state = 'office_action'),
  ('registration', %(party_registration)s, c.grant_notice_date,
    CASE WHEN c.state = 'granted' THEN c.grant_notice_date + 20 END, 0,
    c.grant_notice_date IS NOT NULL)
) AS t(step, party, started, stopped, paused, wanted)
WHERE c.reference LIKE 'BN-%%' AND t.wanted
"""

SQL_EVENTS = """
INSERT INTO cases_caseevent (case_id, transition, from_state, to_state, created_at, note,
  public_note, public, actor_id, channel)
SELECT c.id, e.name, e.from_state, e.to_state, e.at, '', '', true, NULL, 'system'
FROM cases_case c
CROSS JOIN LATERAL (VALUES
  ('submit', '', 'submitted', c.submitted_at),
  ('accept', 'submitted', 'under_review', c.accepted_at),
  ('qualify', 'under_review', 'qualified', c.qualified_at),
  ('record_filing', 'qualified', 'filed', c.cnipa_filing_date::timestamptz),
  ('record_grant_notice', 'filed', 'grant_notified', c.grant_notice_date::timestamptz),
  ('close', '', c.state, c.closed_at)
) AS e(name, from_state, to_state, at)
WHERE c.reference LIKE 'BN-%%' AND e.at IS NOT NULL
"""


def load_sql(count: int, *, centers: int, days: int, share: int) -> None:
    from django.contrib.auth.models import Group, User
    from django.db import connection, transaction

    from cases.models import TERMINAL_STATES, Center, Entity, Role, StaffProfile
    from cases.services.clocks import STEP_PARTY

    with transaction.atomic():
        made = []
        for n in range(centers):
            center, _ = Center.objects.get_or_create(
                code=f"BN{n:02d}",
                defaults={
                    "name": f"Bench center {n}",
                    "region": "Bench",
                    "ipc_prefixes": "C08, B01D, H01M",
                    "locarno_classes": "14",
                },
            )
            made.append(center)
        examiner_group = Group.objects.get(name=Role.EXAMINER)
        entities, examiners = [], []
        for center in made:
            entity, _ = Entity.objects.get_or_create(
                credit_code=f"91BENCH{center.pk:011d}",
                defaults={
                    "center": center,
                    "name": f"Bench entity {center.code}",
                    "contact_name": "Bench",
                    "contact_email": "bench@example.com",
                },
            )
            entities.append(entity.pk)
            for k in range(6):
                user, created = User.objects.get_or_create(
                    username=f"bn-{center.code.lower()}-examiner{k}", defaults={"is_staff": True}
                )
                if created:
                    user.groups.add(examiner_group)
                    StaffProfile.objects.create(user=user, center=center)
                examiners.append(user.pk)
        params = {
            # Which party owns each step, as the services record it.
            **{f"party_{step}": party for step, party in STEP_PARTY.items()},
            "n": count,
            "share": share,
            "bench": made[0].pk,
            "others": [c.pk for c in made[1:]] or [made[0].pk],
            "n_others": max(1, len(made) - 1),
            "days": days,
            "terminal": sorted(TERMINAL_STATES),
            "examiners": examiners,
            "n_examiners": len(examiners),
            "entities": entities,
            "n_entities": len(entities),
        }
        with connection.cursor() as cursor:
            for label, sql in (
                ("cases", SQL_CASES),
                ("timers", SQL_TIMERS),
                ("events", SQL_EVENTS),
            ):
                started = time.perf_counter()
                cursor.execute(sql, params)
                print(
                    f"  {label}: {cursor.rowcount:,} rows in {time.perf_counter() - started:.1f} s"
                )


# The floor: the same figures in hand-written SQL, from the base tables (what one would
# write without the summary table) and from the summary table the selector reads.


FLOOR_BASE_SQL: dict[str, str] = {
    "funnel_turnaround": """
SELECT patent_type, GROUPING(patent_type),
  count(*), count(*) FILTER (WHERE accepted_at IS NOT NULL),
  count(*) FILTER (WHERE qualified_at IS NOT NULL),
  count(*) FILTER (WHERE cnipa_filing_date IS NOT NULL),
  count(*) FILTER (WHERE grant_notice_date IS NOT NULL),
  count(*) FILTER (WHERE grant_notice_date IS NOT NULL AND benchmark_gross_days <= lim),
  count(*) FILTER (WHERE grant_notice_date IS NOT NULL AND benchmark_net_days <= lim),
  percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY rw) FILTER (WHERE qualified_at IS NOT NULL),
  percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY fd)
    FILTER (WHERE qualified_at IS NOT NULL AND cnipa_filing_date IS NOT NULL),
  percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY benchmark_gross_days)
    FILTER (WHERE grant_notice_date IS NOT NULL),
  percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY benchmark_net_days)
    FILTER (WHERE grant_notice_date IS NOT NULL)
FROM (
  SELECT c.*,
    (%(ord)s::integer[])[(c.qualified_at AT TIME ZONE %(tz)s)::date - %(first)s::date + 1]
    - (%(ord)s::integer[])[(c.submitted_at AT TIME ZONE %(tz)s)::date - %(first)s::date + 1]
    - COALESCE(t.paused_days, 0) AS rw,
    c.cnipa_filing_date - (c.qualified_at AT TIME ZONE %(tz)s)::date AS fd,
    CASE c.patent_type WHEN 'invention' THEN %(b_inv)s WHEN 'utility_model' THEN %(b_um)s
      ELSE %(b_des)s END AS lim
  FROM cases_case c
  LEFT JOIN cases_timer t ON t.case_id = c.id AND t.step = 'review'
  WHERE c.center_id = %(center)s AND c.submitted_at >= %(from)s AND c.submitted_at < %(until)s
) c
GROUP BY GROUPING SETS ((patent_type), ())
""",
    "benchmark_months": """
SELECT date_trunc('month', grant_notice_date), patent_type, count(*),
  count(*) FILTER (WHERE benchmark_gross_days <= lim), count(*) FILTER (WHERE benchmark_net_days <= lim)
FROM (SELECT c.*, CASE c.patent_type WHEN 'invention' THEN %(b_inv)s
        WHEN 'utility_model' THEN %(b_um)s ELSE %(b_des)s END AS lim
      FROM cases_case c
      WHERE c.center_id = %(center)s AND c.submitted_at >= %(from)s AND c.submitted_at < %(until)s
        AND c.grant_notice_date IS NOT NULL) c
GROUP BY 1, 2
""",
    "weekly": """
SELECT wk_sub, wk_grant, wk_left, GROUPING(wk_sub, wk_grant, wk_left),
  count(*) FILTER (WHERE wk_sub IS NOT NULL),
  count(*) FILTER (WHERE wk_grant IS NOT NULL),
  percentile_cont(0.5) WITHIN GROUP (ORDER BY benchmark_gross_days) FILTER (WHERE wk_grant IS NOT NULL),
  count(*) FILTER (WHERE wk_left IS NOT NULL AND qualified_at IS NOT NULL),
  count(*) FILTER (WHERE wk_left IS NOT NULL AND qualified_at IS NULL),
  percentile_cont(0.5) WITHIN GROUP (ORDER BY rw) FILTER (WHERE wk_left IS NOT NULL AND qualified_at IS NOT NULL)
FROM (
  SELECT c.qualified_at, c.benchmark_gross_days,
    date_trunc('week', c.submitted_at AT TIME ZONE %(tz)s) AS wk_sub,
    date_trunc('week', c.grant_notice_date) AS wk_grant,
    date_trunc('week', COALESCE(c.qualified_at, c.closed_at) AT TIME ZONE %(tz)s) AS wk_left,
    (%(ord)s::integer[])[(c.qualified_at AT TIME ZONE %(tz)s)::date - %(first)s::date + 1]
    - (%(ord)s::integer[])[(c.submitted_at AT TIME ZONE %(tz)s)::date - %(first)s::date + 1]
    - COALESCE(t.paused_days, 0) AS rw
  FROM cases_case c
  LEFT JOIN cases_timer t ON t.case_id = c.id AND t.step = 'review'
  WHERE c.center_id = %(center)s AND c.submitted_at >= %(from)s AND c.submitted_at < %(until)s
) c
GROUP BY GROUPING SETS ((wk_sub), (wk_grant), (wk_left))
""",
    "steps": """
SELECT t.step, count(*) FILTER (WHERE c.at_risk_since IS NOT NULL),
  count(*) FILTER (WHERE c.overdue_since IS NOT NULL)
FROM cases_case c
LEFT JOIN LATERAL (SELECT step FROM cases_timer t WHERE t.case_id = c.id
  AND t.stopped_at IS NULL AND t.paused_since IS NULL ORDER BY t.id DESC LIMIT 1) t ON true
WHERE c.center_id = %(center)s AND c.state = ANY(%(open)s)
  AND (c.at_risk_since IS NOT NULL OR c.overdue_since IS NOT NULL)
GROUP BY 1
""",
    "examiners": """
SELECT c.examiner_id, u.first_name, u.last_name, u.username, count(*),
  count(*) FILTER (WHERE c.at_risk_since IS NOT NULL),
  count(*) FILTER (WHERE c.overdue_since IS NOT NULL)
FROM cases_case c LEFT JOIN auth_user u ON u.id = c.examiner_id
WHERE c.center_id = %(center)s AND c.state = ANY(%(open)s)
GROUP BY 1, 2, 3, 4
""",
    "oldest_open": """
SELECT c.id, c.reference, c.state, c.patent_type, c.submitted_at, u.first_name, u.last_name,
  u.username
FROM cases_case c LEFT JOIN auth_user u ON u.id = c.examiner_id
WHERE c.center_id = %(center)s AND c.state = ANY(%(open)s)
ORDER BY c.submitted_at, c.id LIMIT 10
""",
}


NOW_SQL = ("steps", "examiners", "oldest_open")
FLOOR_SUMMARY_SQL: dict[str, str] = {
    "funnel_turnaround": """
SELECT patent_type, GROUPING(patent_type),
  count(*), count(accepted_on), count(qualified_on), count(filed_on), count(granted_on),
  count(*) FILTER (WHERE granted_on IS NOT NULL AND gross_days <= lim),
  count(*) FILTER (WHERE granted_on IS NOT NULL AND net_days <= lim),
  percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY review_workdays),
  percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY filing_days),
  percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY gross_days),
  percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY net_days)
FROM (SELECT f.*, CASE f.patent_type WHEN 'invention' THEN %(b_inv)s
        WHEN 'utility_model' THEN %(b_um)s ELSE %(b_des)s END AS lim
      FROM cases_casefigures f
      WHERE f.center_id = %(center)s AND f.submitted_on BETWEEN %(start)s AND %(end)s) f
GROUP BY GROUPING SETS ((patent_type), ())
""",
    "benchmark_months": """
SELECT date_trunc('month', granted_on), patent_type, count(*),
  count(*) FILTER (WHERE gross_days <= lim), count(*) FILTER (WHERE net_days <= lim)
FROM (SELECT f.*, CASE f.patent_type WHEN 'invention' THEN %(b_inv)s
        WHEN 'utility_model' THEN %(b_um)s ELSE %(b_des)s END AS lim
      FROM cases_casefigures f
      WHERE f.center_id = %(center)s AND f.submitted_on BETWEEN %(start)s AND %(end)s
        AND f.granted_on IS NOT NULL) f
GROUP BY 1, 2
""",
    "weekly": """
SELECT date_trunc('week', submitted_on) AS wk_sub, date_trunc('week', granted_on) AS wk_grant,
  date_trunc('week', left_review_on) AS wk_left,
  GROUPING(date_trunc('week', submitted_on), date_trunc('week', granted_on),
           date_trunc('week', left_review_on)),
  count(*), count(granted_on),
  percentile_cont(0.5) WITHIN GROUP (ORDER BY gross_days),
  count(qualified_on), count(*) FILTER (WHERE qualified_on IS NULL),
  percentile_cont(0.5) WITHIN GROUP (ORDER BY review_workdays)
FROM cases_casefigures f
WHERE f.center_id = %(center)s AND f.submitted_on BETWEEN %(start)s AND %(end)s
GROUP BY GROUPING SETS ((date_trunc('week', submitted_on)), (date_trunc('week', granted_on)),
  (date_trunc('week', left_review_on)))
""",
    **{name: FLOOR_BASE_SQL[name] for name in NOW_SQL},
}


def floor_params(filters: Any) -> dict[str, Any]:
    from django.utils import timezone

    from cases.calendar import get_work_calendar
    from cases.db.functions import WorkdayWindow
    from cases.models import Center
    from cases.selectors.dashboard import OPEN_STATES

    today = timezone.localdate()
    window = WorkdayWindow.build(
        filters.start - timedelta(days=1),
        max(today, filters.end) + timedelta(days=1),
        get_work_calendar(),
    )
    center = Center.objects.get(pk=filters.center_id)
    return {
        "ord": list(window.ordinals),
        "first": window.first,
        "tz": timezone.get_current_timezone_name(),
        "center": center.pk,
        "from": filters.start_at,
        "until": filters.end_before,
        "start": filters.start,
        "end": filters.end,
        "b_inv": center.benchmark_days_invention,
        "b_um": center.benchmark_days_utility_model,
        "b_des": center.benchmark_days_design,
        "open": list(OPEN_STATES),
    }


def run_floor(filters: Any, statements: dict[str, str]) -> None:
    from django.db import connection, transaction

    params = floor_params(filters)  # the calendar window, as the selector builds it
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")  # as the selector does
        cursor.execute("SET LOCAL work_mem = '64MB'")
        for sql in statements.values():
            cursor.execute(sql, params)
            cursor.fetchall()


# Timing


def busiest_center(start: Any) -> Any:
    from django.db.models import Count

    from cases.models import Case, Center

    row = (
        Case.objects.filter(submitted_at__date__gte=start)
        .values("center_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    return Center.objects.get(pk=row["center_id"]), row["n"]


def manager_of(center: Any) -> Any:
    from django.contrib.auth.models import Group, User

    from cases.models import Role, StaffProfile

    user, created = User.objects.get_or_create(
        username=f"bench-manager-{center.code.lower()}", defaults={"is_staff": True}
    )
    if created:
        user.groups.add(Group.objects.get(name=Role.MANAGER))
        StaffProfile.objects.create(user=user, center=center)
    return user


def explain(filters: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cases.selectors.dashboard import dashboard_figures

    with CaptureQueriesContext(connection) as queries:
        dashboard_figures(filters)
    with connection.cursor() as cursor:
        cursor.execute("SET jit = off")  # as the selector's transaction does
        cursor.execute("SET work_mem = '64MB'")
        for query in queries.captured_queries:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            print("-" * 100)
            print(sql[:160] + "…")
            print(plan)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--generator", choices=["seed_demo", "sql"], default="seed_demo")
    parser.add_argument("--centers", type=int, default=40, help="sql generator: centers")
    parser.add_argument("--days", type=int, default=730, help="sql generator: days of cases")
    parser.add_argument(
        "--share", type=int, default=10, help="sql generator: percent at the benchmarked center"
    )
    parser.add_argument("--fresh", action="store_true", help="drop and recreate the database")
    parser.add_argument("--reuse", action="store_true", help="time the data already loaded")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE each query")
    args = parser.parse_args()

    ensure_database(args.url, fresh=args.fresh)
    setup_django(args.url)
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import timezone

    from cases.models import Case, CaseEvent, Timer
    from cases.selectors.dashboard import (
        DashboardFilters,
        dashboard_figures,
        default_period,
    )
    from cases.services import dashboard_summary_refresh

    call_command("migrate", verbosity=0)
    if not args.reuse:
        started = time.perf_counter()
        print(f"Loading {args.cases:,} cases with the {args.generator} generator…")
        if args.generator == "seed_demo":
            load_seed_demo(args.cases)
        else:
            load_sql(args.cases, centers=args.centers, days=args.days, share=args.share)
        print(f"Loaded in {time.perf_counter() - started:.1f} s.")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(
        f"Database: {Case.objects.count():,} cases, {CaseEvent.objects.count():,} events, "
        f"{Timer.objects.count():,} timers."
    )

    start, end = default_period(timezone.localdate())
    center, cohort = busiest_center(start)
    filters = DashboardFilters(start=start, end=end, center_id=center.pk)
    print(f"Center {center.code}: {cohort:,} cases submitted {start} to {end}.")

    started = time.perf_counter()
    written = dashboard_summary_refresh(full=not args.reuse)
    print(f"Summary table refreshed: {written:,} rows in {time.perf_counter() - started:.1f} s.")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE cases_casefigures")  # as autovacuum would

    connection.queries_log.clear()  # a full log (maxlen) would capture nothing
    with CaptureQueriesContext(connection) as queries:
        dashboard_figures(filters)
    client = Client()
    client.force_login(manager_of(center))
    url = reverse("cases:dashboard")
    assert client.get(url).status_code == 200
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as view_queries:
        client.get(url)

    # Interleaved, so that load from other processes weighs on each alike.
    selector, refresh, view, floor_summary, floor_base = [], [], [], [], []
    runs: list[tuple[list[float], Callable[[], Any]]] = [
        (selector, lambda: dashboard_figures(filters)),
        (refresh, lambda: dashboard_summary_refresh()),
        (view, lambda: client.get(url)),
        (floor_summary, lambda: run_floor(filters, FLOOR_SUMMARY_SQL)),
        (floor_base, lambda: run_floor(filters, FLOOR_BASE_SQL)),
    ]
    for _, fn in runs:
        fn()  # warm the caches
    for _ in range(args.repeat):
        for times, fn in runs:
            begun = time.perf_counter()
            fn()
            times.append(time.perf_counter() - begun)

    def line(label: str, times: list[float], count: int | str) -> str:
        return (
            f"  {label:<44} median {statistics.median(times) * 1000:8.1f} ms   "
            f"min {min(times) * 1000:8.1f} ms   statements {count}"
        )

    print(f"Timings over {args.repeat} interleaved runs (after one warm-up):")
    print(line("selector dashboard_figures", selector, len(queries)))
    print(line("summary refresh, the task's (no change)", refresh, "-"))
    print(line("view GET /dashboard/ (test client)", view, len(view_queries)))
    print(line("floor: hand-written SQL on the summary", floor_summary, len(FLOOR_SUMMARY_SQL)))
    print(line("floor: hand-written SQL on the base tables", floor_base, len(FLOOR_BASE_SQL)))
    for label, floor in (("summary", floor_summary), ("base tables", floor_base)):
        ratio = statistics.median(selector) / statistics.median(floor)
        best = min(selector) / min(floor)
        print(f"  ratio selector / floor on the {label}: {ratio:.2f} (medians), {best:.2f} (min)")
    if args.explain:
        explain(filters)


if __name__ == "__main__":
    main()
