"""What the dashboard shows: its figures, as plain frozen dataclasses."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from cases.models import CaseState, Step
from cases.selectors.dashboard.filters import DashboardFilters

S = CaseState
# The one clock that runs (unpaused) in each open state; the admin filters cases by state,
# so a step's drill-down link is a state filter.
STEP_STATE: dict[str, str] = {
    Step.ACCEPTANCE: S.SUBMITTED,
    Step.REVIEW: S.UNDER_REVIEW,
    Step.CORRECTION: S.CORRECTION_REQUESTED,
    Step.FILING: S.QUALIFIED,
    Step.BENCHMARK: S.FILED,
    Step.OFFICE_ACTION: S.OFFICE_ACTION,
    Step.REGISTRATION: S.GRANT_NOTIFIED,
}


@dataclass(frozen=True)
class Quantiles:
    p50: float | None = None
    p90: float | None = None


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class TypeFigures:
    """The cohort's funnel, turnaround and benchmark figures; ``patent_type`` "" = all."""

    patent_type: str
    received: int = 0
    accepted: int = 0
    qualified: int = 0
    filed: int = 0
    granted: int = 0
    within_gross: int = 0
    within_net: int = 0
    review: Quantiles = field(default_factory=Quantiles)
    filing: Quantiles = field(default_factory=Quantiles)
    gross: Quantiles = field(default_factory=Quantiles)
    net: Quantiles = field(default_factory=Quantiles)

    @property
    def acceptance_rate(self) -> float | None:
        return _rate(self.accepted, self.received)

    @property
    def qualified_rate(self) -> float | None:
        """Qualified among the accepted."""
        return _rate(self.qualified, self.accepted)

    @property
    def filing_rate(self) -> float | None:
        """Filed with CNIPA among the qualified."""
        return _rate(self.filed, self.qualified)

    @property
    def grant_rate(self) -> float | None:
        """Granted among those filed with CNIPA."""
        return _rate(self.granted, self.filed)

    @property
    def within_gross_share(self) -> float | None:
        return _rate(self.within_gross, self.granted)

    @property
    def within_net_share(self) -> float | None:
        return _rate(self.within_net, self.granted)


@dataclass(frozen=True)
class BenchmarkMonth:
    """Cohort cases whose grant notice is dated in ``month``, of one patent type."""

    month: date
    patent_type: str
    granted: int
    within_gross: int
    within_net: int

    @property
    def within_gross_share(self) -> float | None:
        return _rate(self.within_gross, self.granted)

    @property
    def within_net_share(self) -> float | None:
        return _rate(self.within_net, self.granted)


@dataclass(frozen=True)
class Week:
    """One week (Monday) of the cohort: each count by the date of its own event."""

    week: date
    received: int = 0
    granted: int = 0
    qualified: int = 0
    closed_in_review: int = 0
    review_median: float | None = None
    gross_median: float | None = None

    @property
    def left_review(self) -> int:
        """Throughput: cases that left the center's review (qualified or closed) this week."""
        return self.qualified + self.closed_in_review


@dataclass(frozen=True)
class StepFlags:
    step: str
    at_risk: int
    overdue: int

    @property
    def state(self) -> str:
        return STEP_STATE.get(self.step, "")


@dataclass(frozen=True)
class ExaminerLoad:
    examiner_id: int | None
    name: str
    open: int
    at_risk: int
    overdue: int


@dataclass(frozen=True)
class OpenCase:
    pk: int
    reference: str
    state: str
    patent_type: str
    submitted_at: datetime
    examiner: str


@dataclass(frozen=True)
class Dashboard:
    filters: DashboardFilters
    by_type: list[TypeFigures]
    total: TypeFigures
    benchmark_months: list[BenchmarkMonth]
    weeks: list[Week]
    steps: list[StepFlags]
    examiners: list[ExaminerLoad]
    oldest_open: list[OpenCase]
    # The center's benchmark in calendar days per patent type; None across centers.
    benchmark_days: dict[str, int] | None
    center_name: str  # "" across centers
    # When the summary the cohort figures come from was refreshed; None: never yet.
    summary_as_of: datetime | None
    center_code: str = ""  # "" across centers
