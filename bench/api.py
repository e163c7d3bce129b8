"""Benchmark the REST API's case list on PostgreSQL: filtered pages and a sync.

    .venv/bin/python bench/api.py --cases 1000000 --fresh     # load, then time
    .venv/bin/python bench/api.py --reuse                      # time the data loaded

Loads N cases with ``bench/dashboard.py``'s SQL generator into a separate database
(default ``postgres://postgres@127.0.0.1:5432/bench_api``), then, as the busiest
center's manager with a personal API token, through the whole stack (Django's test
client: authentication, throttling, scope, serializer, JSON):

- lists 100 cases with each of a few filter sets (state and type; overdue; due before a
  date; an entity), ``--repeat`` times each;
- marks 10,000 of the center's cases changed, and pages through them with
  ``updated_since`` (100 pages of 100), as a docketing system syncing would.

Prints, per kind of page, the median and p95 in milliseconds and the queries per page
(which must not grow with the page number or the data).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import dashboard as loader  # bench/dashboard.py, next to this script

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_api"
CHANGED = 10_000


def p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def line(label: str, times: list[float], queries: set[int]) -> str:
    return (
        f"{label:<44} median {statistics.median(times) * 1000:7.1f} ms   "
        f"p95 {p95(times) * 1000:7.1f} ms   queries/page {sorted(queries)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--centers", type=int, default=40)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--share", type=int, default=10, help="percent at the busiest center")
    parser.add_argument("--fresh", action="store_true")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    os.environ["API_THROTTLE_RATE"] = "100000000/min"  # the budget is not what is measured
    loader.ensure_database(args.url, fresh=args.fresh)
    loader.setup_django(args.url)
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from cases.models import ApiToken, Case
    from cases.services.api_tokens import api_token_create

    call_command("migrate", verbosity=0)
    if not args.reuse:
        started = time.perf_counter()
        print(f"Loading {args.cases:,} cases…")
        loader.load_sql(args.cases, centers=args.centers, days=args.days, share=args.share)
        print(f"Loaded in {time.perf_counter() - started:.1f} s.")
    center, _recent = loader.busiest_center(timezone.localdate().replace(year=2000))
    manager = loader.manager_of(center)
    ApiToken.objects.filter(user=manager).delete()
    _row, token = api_token_create(user=manager, name="bench")
    total = Case.objects.filter(center=center).count()
    print(f"Database: {Case.objects.count():,} cases; {center.code}: {total:,}.")

    # 10,000 of the center's cases changed in the last hour, spread over it.
    with connection.cursor() as cursor:
        # The generator writes every case "now": put them back at their submission first
        # (the other centers' cases too: their changes would be in every center's window).
        cursor.execute(
            "UPDATE cases_case SET updated_at = submitted_at "
            "WHERE updated_at > now() - interval '2 hours'"
        )
        cursor.execute(
            """UPDATE cases_case SET updated_at = now() - random() * interval '1 hour'
               WHERE id IN (SELECT id FROM cases_case WHERE center_id = %s
                            ORDER BY random() LIMIT %s)""",
            [center.pk, CHANGED],
        )
        cursor.execute("ANALYZE cases_case")
    since = (timezone.now() - timezone.timedelta(hours=1, minutes=1)).isoformat()
    entity_id = Case.objects.filter(center=center).values_list("entity_id", flat=True).first()

    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_ACCEPT="application/json")

    def get(url: str) -> tuple[float, int, dict]:
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            elapsed = time.perf_counter() - started
        assert response.status_code == 200, response.content[:300]
        return elapsed, len(queries), response.json()

    filters = {
        "state + type": "state=under_review&state=filed&patent_type=invention",
        "overdue": "overdue=true",
        "due before": f"due_before={timezone.localdate().isoformat()}",
        "entity": f"entity={entity_id}",
        "no filter": "",
    }
    print(f"\nList 100 cases ({args.repeat} runs each):")
    for label, query in filters.items():
        times, counts = [], set()
        get(f"/api/v1/cases/?{query}")  # warm
        for _ in range(args.repeat):
            elapsed, count, body = get(f"/api/v1/cases/?{query}")
            times.append(elapsed)
            counts.add(count)
        print(line(f"  {label} ({len(body['results'])} rows)", times, counts))

    print(f"\nSync: page through {CHANGED:,} changed cases (updated_since, 100 a page):")
    times, counts, seen = [], set(), 0
    url = f"/api/v1/cases/?updated_since={since.replace('+', '%2B')}"
    while url:
        elapsed, count, body = get(url)
        times.append(elapsed)
        counts.add(count)
        seen += len(body["results"])
        url = body["next"]
    print(line(f"  {len(times)} pages, {seen:,} cases", times, counts))
    if seen != CHANGED:
        print(f"  (saw {seen:,}: the generator's cases submitted within the window count too)")


if __name__ == "__main__":
    main()
