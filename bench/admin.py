"""Benchmark the staff workbench's pages on PostgreSQL: the case list, the queue, the case page.

    .venv/bin/python bench/admin.py --cases 1000000 --fresh      # load with the SQL generator
    .venv/bin/python bench/admin.py --reuse                      # time the data loaded before

Loads N cases with ``bench/dashboard.py``'s SQL generator (``generate_series``, events and
timers with them) into a separate database (default
``postgres://postgres@127.0.0.1:5432/bench_admin``), then, logged in as a manager of the
busiest center, times through the test client (templates, middleware, everything):

- the case list with filters (state, patent type; nearest due first is the queue's),
- the managers' queue (``?queue=watch``) and an examiner's (``?queue=mine``),
- a case page,

and prints each one's query count at two page sizes' worth of data, which must be equal
(a constant number of queries), and its p50/p95 times over ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dashboard import busiest_center, ensure_database, load_sql, manager_of, setup_django

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_admin"


def examiner_of(center):
    from django.contrib.auth.models import Group, User

    from cases.models import Role, StaffProfile

    user, created = User.objects.get_or_create(
        username=f"bench-examiner-{center.code.lower()}", defaults={"is_staff": True}
    )
    if created:
        user.groups.add(Group.objects.get(name=Role.EXAMINER))
        StaffProfile.objects.create(user=user, center=center)
    return user


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--centers", type=int, default=40)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--share", type=int, default=10)
    parser.add_argument("--fresh", action="store_true", help="drop and recreate the database")
    parser.add_argument("--reuse", action="store_true", help="time the data already loaded")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    ensure_database(args.url, fresh=args.fresh)
    setup_django(args.url)
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import timezone

    from cases.models import Case, CaseState

    call_command("migrate", verbosity=0)
    if not args.reuse:
        # The generator writes rows in SQL: columns added since it was written get their
        # Python defaults as database defaults here (this database only).
        with connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT table_name, column_name, data_type FROM information_schema.columns
                WHERE table_name LIKE 'cases\\_%%' AND is_nullable = 'NO'
                  AND column_default IS NULL AND column_name <> 'id'
                  AND data_type IN ('integer', 'smallint', 'boolean', 'character varying', 'text')
                """
            )
            for table, column, data_type in cursor.fetchall():
                default = {"boolean": "false", "character varying": "''", "text": "''"}.get(
                    data_type, "0"
                )
                if column == "channel":
                    default = "'system'"
                cursor.execute(f'ALTER TABLE {table} ALTER COLUMN "{column}" SET DEFAULT {default}')
        started = time.perf_counter()
        print(f"Loading {args.cases:,} cases with the SQL generator…")
        load_sql(args.cases, centers=args.centers, days=args.days, share=args.share)
        print(f"Loaded in {time.perf_counter() - started:.1f} s.")
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    print(f"Database: {Case.objects.count():,} cases.")

    center, cohort = busiest_center(timezone.localdate().replace(year=2000))
    print(f"Center {center.code}: {cohort:,} cases.")
    manager, examiner = Client(), Client()
    manager.force_login(manager_of(center))
    examiner.force_login(examiner_of(center))
    changelist = reverse("admin:cases_case_changelist")
    case = Case.objects.filter(center=center, state=CaseState.UNDER_REVIEW).first() or (
        Case.objects.filter(center=center).first()
    )
    pages = {
        "list, filtered": (
            manager,
            changelist,
            {"state__exact": "under_review", "patent_type__exact": "invention"},
        ),
        "list, page 5": (manager, changelist, {"p": "5"}),
        "queue (watch)": (manager, changelist, {"queue": "watch"}),
        "queue (mine)": (examiner, changelist, {"queue": "mine"}),
        "case page": (manager, reverse("admin:cases_case_change", args=[case.pk]), {}),
    }
    print(f"{'page':<16} {'queries':>7} {'p50 ms':>8} {'p95 ms':>8}")
    for name, (client, url, params) in pages.items():
        assert client.get(url, params).status_code == 200, name
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as queries:
            client.get(url, params)
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            client.get(url, params)
            times.append((time.perf_counter() - started) * 1000)
        print(
            f"{name:<16} {len(queries):>7} {statistics.median(times):>8.1f} "
            f"{percentile(times, 0.95):>8.1f}"
        )


if __name__ == "__main__":
    main()
