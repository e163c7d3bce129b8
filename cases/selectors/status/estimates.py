"""Expected dates: the 50th–90th percentile of the center's finished cases of a type."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, F
from django.db.models.functions import TruncDate
from django.utils.translation import gettext as _

from cases.db.functions import DaysBetween
from cases.models import TERMINAL_STATES, Case, CaseState
from cases.optional_cache import cache_get, cache_set
from cases.selectors.stats import PercentileCont, interpolate, supports_percentile
from cases.selectors.status.page import Estimate
from cases.selectors.status.progress import local_date
from cases.selectors.status.reading import CaseRow

S = CaseState
MIN_FINISHED_CASES = 20
QUANTILES = (0.5, 0.9)
FIGURES_CACHE_SECONDS = 3600


@dataclass(frozen=True)
class Figure:
    """Turnaround in days of finished cases: how many, and the quantiles."""

    count: int
    quantiles: dict[float, float | None]


def _figure_expressions() -> dict[str, DaysBetween]:
    return {
        "qualification": DaysBetween(TruncDate("submitted_at"), TruncDate("qualified_at")),
        "grant_from_submission": DaysBetween(TruncDate("submitted_at"), F("grant_notice_date")),
        "grant_from_filing": DaysBetween(F("cnipa_filing_date"), F("grant_notice_date")),
    }


def turnaround_figures(*, center_id: int, patent_type: str) -> dict[str, Figure]:
    """Days to qualification and to the grant notice, over the center's cases of a type
    that reached them: one query (``percentile_cont`` on PostgreSQL), cached an hour."""
    key = f"pc:status:figures:v2:{center_id}:{patent_type}"
    figures = cache_get(key)
    if figures is None:
        figures = _compute_figures(
            Case.objects.filter(center_id=center_id, patent_type=patent_type).order_by()
        )
        cache_set(key, figures, timeout=FIGURES_CACHE_SECONDS)
    return figures


def _compute_figures(queryset: Any) -> dict[str, Figure]:
    expressions = _figure_expressions()
    if supports_percentile(queryset):
        aggregates: dict[str, Any] = {}
        for name, expression in expressions.items():
            aggregates[f"{name}__n"] = Count(expression)
            for i, q in enumerate(QUANTILES):
                aggregates[f"{name}__{i}"] = PercentileCont(expression, q)
        row = queryset.aggregate(**aggregates)
        return {
            name: Figure(
                count=row[f"{name}__n"],
                quantiles={q: row[f"{name}__{i}"] for i, q in enumerate(QUANTILES)},
            )
            for name in expressions
        }
    # No ordered-set aggregates (SQLite): fetch the day counts, interpolate as
    # percentile_cont does (``stats.interpolate``).
    rows = list(
        queryset.annotate(**{f"_{n}": e for n, e in expressions.items()}).values_list(
            *[f"_{n}" for n in expressions]
        )
    )
    figures = {}
    for i, name in enumerate(expressions):
        values = sorted(row[i] for row in rows if row[i] is not None)
        figures[name] = Figure(
            count=len(values), quantiles={q: interpolate(values, q) for q in QUANTILES}
        )
    return figures


def _round(value: float) -> int:
    return math.floor(value + 0.5)


def _estimate(
    figure: Figure, *, milestone: str, basis: str, start: date | None, today: date
) -> Estimate:
    if start is None or figure.count < MIN_FINISHED_CASES:
        return Estimate(milestone=milestone, basis=basis, sample_size=figure.count)
    low, high = (figure.quantiles[q] for q in QUANTILES)
    if low is None or high is None:
        return Estimate(milestone=milestone, basis=basis, sample_size=figure.count)
    low_days, high_days = _round(low), _round(high)
    latest = start + timedelta(days=high_days)
    return Estimate(
        milestone=milestone,
        basis=basis,
        sample_size=figure.count,
        low_days=low_days,
        high_days=high_days,
        earliest=start + timedelta(days=low_days),
        latest=latest,
        later_than_usual=latest < today,
    )


def case_estimates(case: CaseRow, today: date) -> list[Estimate]:
    """The next milestone the center or CNIPA decides, and the grant, for an open case.

    Before filing, both count from submission; once filed, the grant counts from the
    CNIPA filing date. Steps the applicant takes (filing, registration) have due dates
    instead. Nothing is estimated for a closed case or once the grant is notified. While
    a correction is outstanding the center's result waits for it, so no date is given
    for the result (the page shows the correction's due date).
    """
    if case.state in TERMINAL_STATES or case.state == S.GRANT_NOTIFIED:
        return []
    figures = turnaround_figures(center_id=case.center_id, patent_type=case.patent_type)
    submitted = local_date(case.submitted_at)
    from_submission = "submission"
    grant = _("Grant notice")
    if case.state in {S.FILED, S.OFFICE_ACTION}:
        return [
            _estimate(
                figures["grant_from_filing"],
                milestone=grant,
                basis="filing",
                start=case.cnipa_filing_date,
                today=today,
            )
        ]
    estimates = []
    if case.state in {S.SUBMITTED, S.UNDER_REVIEW}:
        estimates.append(
            _estimate(
                figures["qualification"],
                milestone=_("Pre-examination result"),
                basis=from_submission,
                start=submitted,
                today=today,
            )
        )
    estimates.append(
        _estimate(
            figures["grant_from_submission"],
            milestone=grant,
            basis=from_submission,
            start=submitted,
            today=today,
        )
    )
    return estimates
