"""The manager dashboard's figures, each an aggregate in the database.

Two kinds of figures, and the dates they use:

- **The cohort** (volume, turnaround, benchmark share, weekly trend): the cases
  *submitted* in the chosen date range (local dates, both ends included), narrowed by
  patent type, technical field (classification prefix) and examiner. Each of their later
  events (acceptance, qualification, CNIPA filing, grant notice) counts in the week or
  month it happened. Read from the summary table ``CaseFigures`` (see
  ``services.dashboard_summary``), which the caller refreshes first.
- **Now** (at risk, overdue, workload, oldest open cases): the open cases as they stand,
  narrowed by the same filters except the date range. Read from ``Case``.

Units: the center's review in **working days** (the published unit: submission to
qualification, less the time the review clock was paused for corrections); the
applicant's filing time (qualification to CNIPA filing) and the CNIPA benchmark (filing
to grant notice, gross and net of the applicant's office-action time) in calendar days.

Percentiles are ``percentile_cont`` on PostgreSQL, in the same query as the counts; on
other databases each takes one more query (``selectors.stats``' exact fallback). The
number of queries never depends on the number of cases.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import (
    Aggregate,
    Count,
    Expression,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models import Case as CaseWhen
from django.db.models.functions import TruncMonth, TruncWeek

from cases.models import Center, DashboardSummaryState, PatentType, Step, Timer
from cases.people import person_name
from cases.selectors.dashboard.filters import DashboardFilters
from cases.selectors.dashboard.results import (
    BenchmarkMonth,
    Dashboard,
    ExaminerLoad,
    OpenCase,
    Quantiles,
    StepFlags,
    TypeFigures,
    Week,
)
from cases.selectors.stats import PercentileCont, grouped_percentiles, supports_percentile

QUANTILES = (0.5, 0.9)
OLDEST_OPEN_LIMIT = 10


def tune_for_aggregates() -> None:
    """Settings for the dashboard's transaction (PostgreSQL; this transaction only).

    JIT compiles these aggregates, whose cost estimates pass its threshold at a few
    thousand cases, for longer than they then run (1.5 s compiling a 0.2 s query,
    measured). The percentile sorts of a big center's year spill to disk at the default
    4 MB of ``work_mem``.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("SET LOCAL work_mem = '64MB'")


def benchmark_limit(benchmark_days: Mapping[str, int] | None) -> Expression:
    """The benchmark in days for the row's patent type: the one center's, or each row's
    center's (a join) when the dashboard spans every center."""
    return CaseWhen(
        *(
            When(
                patent_type=patent_type,
                then=Value(benchmark_days[patent_type])
                if benchmark_days is not None
                else F(f"center__benchmark_days_{patent_type}"),
            )
            for patent_type in PatentType.values
        ),
        output_field=IntegerField(),
    )


def _grouped(
    queryset: QuerySet[Any],
    *,
    group_by: Sequence[str] = (),
    counts: Mapping[str, Aggregate],
    percentiles: Mapping[str, Any],
) -> dict[tuple[Any, ...], dict[str, Any]]:
    """Counts and percentiles (of non-NULL values) per group: one query on PostgreSQL.

    The result holds ``<name>_p50`` and ``<name>_p90`` for each of ``percentiles``.
    Elsewhere each percentile takes one more query (the fallback).
    """
    names = {name: {q: f"{name}_p{round(q * 100)}" for q in QUANTILES} for name in percentiles}
    aggregates: dict[str, Aggregate] = dict(counts)
    in_database = supports_percentile(queryset)
    if in_database:
        for name, value in percentiles.items():
            for q in QUANTILES:
                aggregates[names[name][q]] = PercentileCont(value, q)
    if group_by:
        rows = list(queryset.values(*group_by).annotate(**aggregates).order_by())
    else:
        rows = [queryset.aggregate(**aggregates)]
    result = {tuple(row[g] for g in group_by): row for row in rows}
    if not in_database:
        for name, value in percentiles.items():
            found = grouped_percentiles(
                queryset, value=value, quantiles=QUANTILES, group_by=group_by
            )
            for key, row in result.items():
                values = found.get(key, {})
                for q in QUANTILES:
                    row[names[name][q]] = values.get(q)
    return result


def _quantiles(row: Mapping[str, Any], name: str) -> Quantiles:
    return Quantiles(p50=row.get(f"{name}_p50"), p90=row.get(f"{name}_p90"))


def _funnel_and_turnaround(
    filters: DashboardFilters, benchmark_days: Mapping[str, int] | None
) -> tuple[list[TypeFigures], TypeFigures]:
    cohort = filters.cohort().annotate(benchmark_limit=benchmark_limit(benchmark_days))
    granted = Q(granted_on__isnull=False)
    counts = {
        "received": Count("pk"),
        "accepted": Count("pk", filter=Q(accepted_on__isnull=False)),
        "qualified": Count("pk", filter=Q(qualified_on__isnull=False)),
        "filed": Count("pk", filter=Q(filed_on__isnull=False)),
        "granted": Count("pk", filter=granted),
        "within_gross": Count("pk", filter=granted & Q(gross_days__lte=F("benchmark_limit"))),
        "within_net": Count("pk", filter=granted & Q(net_days__lte=F("benchmark_limit"))),
    }
    # NULL until the case gets that far; percentiles skip NULLs.
    percentiles = {
        "review": "review_workdays",
        "filing": "filing_days",
        "gross": "gross_days",
        "net": "net_days",
    }

    def figures(patent_type: str, row: Mapping[str, Any]) -> TypeFigures:
        return TypeFigures(
            patent_type=patent_type,
            **{name: row.get(name) or 0 for name in counts},
            **{name: _quantiles(row, name) for name in percentiles},
        )

    per_type = _grouped(cohort, group_by=["patent_type"], counts=counts, percentiles=percentiles)
    types = [filters.patent_type] if filters.patent_type else PatentType.values
    by_type = [figures(t, per_type.get((t,), {})) for t in types]
    if len(by_type) == 1:
        return by_type, by_type[0]
    overall = _grouped(cohort, counts=counts, percentiles=percentiles)[()]
    return by_type, figures("", overall)


def _benchmark_months(
    filters: DashboardFilters, benchmark_days: Mapping[str, int] | None
) -> list[BenchmarkMonth]:
    rows = (
        filters.cohort()
        .filter(granted_on__isnull=False)
        .annotate(month=TruncMonth("granted_on"), benchmark_limit=benchmark_limit(benchmark_days))
        .values("month", "patent_type")
        .annotate(
            granted=Count("pk"),
            within_gross=Count("pk", filter=Q(gross_days__lte=F("benchmark_limit"))),
            within_net=Count("pk", filter=Q(net_days__lte=F("benchmark_limit"))),
        )
        .order_by()
    )
    order = {t: i for i, t in enumerate(PatentType.values)}
    months = [BenchmarkMonth(**row) for row in rows]
    return sorted(months, key=lambda m: (m.month, order.get(m.patent_type, len(order))))


def _weeks(filters: DashboardFilters) -> list[Week]:
    cohort = filters.cohort()
    received = {
        row["week"]: row["n"]
        for row in cohort.annotate(week=TruncWeek("submitted_on"))
        .values("week")
        .annotate(n=Count("pk"))
        .order_by()
    }
    granted = _grouped(
        cohort.filter(granted_on__isnull=False).annotate(week=TruncWeek("granted_on")),
        group_by=["week"],
        counts={"granted": Count("pk")},
        percentiles={"gross": "gross_days"},
    )
    left_review = _grouped(
        cohort.filter(left_review_on__isnull=False).annotate(week=TruncWeek("left_review_on")),
        group_by=["week"],
        counts={
            "qualified": Count("pk", filter=Q(qualified_on__isnull=False)),
            "closed_in_review": Count("pk", filter=Q(qualified_on__isnull=True)),
        },
        percentiles={"review": "review_workdays"},
    )
    monday = filters.start - timedelta(days=filters.start.weekday())
    last = max([filters.end, *(key[0] for key in granted), *(key[0] for key in left_review)])
    weeks: list[Week] = []
    while monday <= last:
        g = granted.get((monday,), {})
        r = left_review.get((monday,), {})
        weeks.append(
            Week(
                week=monday,
                received=received.get(monday, 0),
                granted=g.get("granted", 0),
                qualified=r.get("qualified", 0),
                closed_in_review=r.get("closed_in_review", 0),
                review_median=r.get("review_p50"),
                gross_median=g.get("gross_p50"),
            )
        )
        monday += timedelta(days=7)
    return weeks


def _steps(filters: DashboardFilters) -> list[StepFlags]:
    """Flagged open cases by the step of their running (unpaused) clock."""
    running = (
        Timer.objects.filter(
            case=OuterRef("pk"), stopped_at__isnull=True, paused_since__isnull=True
        )
        .order_by("-id")
        .values("step")[:1]
    )
    rows = (
        filters.open_cases()
        .filter(Q(at_risk_since__isnull=False) | Q(overdue_since__isnull=False))
        .annotate(step=Subquery(running))
        .values("step")
        .annotate(
            at_risk=Count("pk", filter=Q(at_risk_since__isnull=False)),
            overdue=Count("pk", filter=Q(overdue_since__isnull=False)),
        )
        .order_by()
    )
    found = {row["step"]: row for row in rows}
    return [
        StepFlags(step=step, at_risk=found[step]["at_risk"], overdue=found[step]["overdue"])
        for step in [*Step.values, None]
        if step in found
    ]


def _examiners(filters: DashboardFilters) -> list[ExaminerLoad]:
    rows = (
        filters.open_cases()
        .values("examiner_id", "examiner__first_name", "examiner__last_name", "examiner__username")
        .annotate(
            open=Count("pk"),
            at_risk=Count("pk", filter=Q(at_risk_since__isnull=False)),
            overdue=Count("pk", filter=Q(overdue_since__isnull=False)),
        )
        .order_by("-open", F("examiner__username").asc(nulls_last=True))
    )
    return [
        ExaminerLoad(
            examiner_id=row["examiner_id"],
            name=person_name(
                row["examiner__first_name"], row["examiner__last_name"], row["examiner__username"]
            ),
            open=row["open"],
            at_risk=row["at_risk"],
            overdue=row["overdue"],
        )
        for row in rows
    ]


def _oldest_open(filters: DashboardFilters) -> list[OpenCase]:
    rows = (
        filters.open_cases()
        .order_by("submitted_at", "pk")
        .values(
            "pk",
            "reference",
            "state",
            "patent_type",
            "submitted_at",
            "examiner__first_name",
            "examiner__last_name",
            "examiner__username",
        )[:OLDEST_OPEN_LIMIT]
    )
    return [
        OpenCase(
            pk=row["pk"],
            reference=row["reference"],
            state=row["state"],
            patent_type=row["patent_type"],
            submitted_at=row["submitted_at"],
            examiner=person_name(
                row["examiner__first_name"], row["examiner__last_name"], row["examiner__username"]
            ),
        )
        for row in rows
    ]


def dashboard_figures(filters: DashboardFilters, *, today: date | None = None) -> Dashboard:
    """Every figure of the dashboard, in a fixed number of queries (one transaction).

    Reads the summary table as it is, without a lock: a Celery task refreshes it
    (``services.dashboard_summary``). Its refresh time is read first, so the figures are
    at least as fresh as ``summary_as_of`` says.
    """
    with transaction.atomic():
        tune_for_aggregates()
        summary_as_of = (
            DashboardSummaryState.objects.filter(pk=1)
            .values_list("refreshed_at", flat=True)
            .first()
        )
        benchmark_days = None
        center_name = center_code = ""
        if filters.center_id is not None:
            center = Center.objects.get(pk=filters.center_id)
            benchmark_days = {t: center.benchmark_days(t) for t in PatentType.values}
            center_name, center_code = center.name, center.code
        by_type, total = _funnel_and_turnaround(filters, benchmark_days)
        return Dashboard(
            filters=filters,
            by_type=by_type,
            total=total,
            benchmark_months=_benchmark_months(filters, benchmark_days),
            weeks=_weeks(filters),
            steps=_steps(filters),
            examiners=_examiners(filters),
            oldest_open=_oldest_open(filters),
            benchmark_days=benchmark_days,
            center_name=center_name,
            summary_as_of=summary_as_of,
            center_code=center_code,
        )
