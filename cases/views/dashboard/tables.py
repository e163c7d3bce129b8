"""The dashboard's figures laid out as tables and chart series.

The page, the CSV and the XLSX all render the same ``Table`` objects, so they hold the
same numbers. Every count carries a link to the admin's case list with the matching
filters (the drill-down): the case list accepts lookups on the case's own fields
(``submitted_at__gte``, ``accepted_at__isnull``, ``classification__istartswith``…) next
to its list filters (``state__exact``, ``patent_type__exact``, ``examiner``,
``deadline``, and ``center__id__exact`` for superusers).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import CaseState, PatentType, Step
from cases.selectors.dashboard import (
    OPEN_STATES,
    STEP_STATE,
    Dashboard,
    DashboardFilters,
    Quantiles,
)

# Tables: what the page shows, and what the exports write.


@dataclass(frozen=True)
class Cell:
    """One value; ``value`` is what the exports write, ``text`` what the page shows.

    ``note`` is shown under the table, marked on the cell (why a count has no link).
    """

    value: Any
    text: str
    url: str = ""
    numeric: bool = True
    nowrap: bool = False
    note: str = ""


@dataclass
class Table:
    """``columns`` name each column in full (the exports' header); the page may show
    ``groups`` (label, span) above shorter ``headers``."""

    key: str
    title: str
    caption: str
    columns: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    groups: list[tuple[str, int]] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)

    @property
    def page_headers(self) -> list[str]:
        return self.headers or self.columns

    @property
    def page_header_cells(self) -> list[tuple[str, bool]]:
        """Each header with whether its column is numeric, so it aligns like its cells."""
        return [
            (header, all(row[i].numeric for row in self.rows) if self.rows else i > 0)
            for i, header in enumerate(self.page_headers)
        ]

    @property
    def notes(self) -> list[str]:
        return list(dict.fromkeys(cell.note for row in self.rows for cell in row if cell.note))


def count_cell(value: int, url: str = "") -> Cell:
    return Cell(value, f"{value:,}", url)


def percent_cell(share: float | None) -> Cell:
    if share is None:
        return Cell(None, "–")
    value = round(share * 100, 1)
    return Cell(value, f"{value:.1f}%")


def days_cell(days: float | None) -> Cell:
    if days is None:
        return Cell(None, "–")
    value = round(days, 1)
    return Cell(value, f"{value:g}")


def text_cell(text: str, url: str = "") -> Cell:
    return Cell(text, text, url, numeric=False)


def date_cell(day: date) -> Cell:
    """A date: the exports write it as a date (a spreadsheet date, not text)."""
    return Cell(day, day.isoformat(), numeric=False, nowrap=True)


def short_text_cell(text: str) -> Cell:
    """Text kept on one line (a date, a name): the table scrolls rather than break it."""
    return Cell(text, text, numeric=False, nowrap=True)


def _type_label(patent_type: str) -> str:
    return str(PatentType(patent_type).label) if patent_type else _("All types")


def _aware(day: date) -> str:
    return timezone.make_aware(datetime.combine(day, time.min)).isoformat()


class Links:
    """Admin case-list URLs carrying the dashboard's filters (the drill-down)."""

    def __init__(self, filters: DashboardFilters, *, superuser: bool) -> None:
        self.filters = filters
        self.base = reverse("admin:cases_case_changelist")
        scope: dict[str, str] = {}
        if superuser and filters.center_id is not None:
            scope["center__id__exact"] = str(filters.center_id)
        if filters.patent_type:
            scope["patent_type__exact"] = filters.patent_type
        if filters.field:
            scope["classification__istartswith"] = filters.field
        if filters.examiner_id is not None:
            scope["examiner"] = str(filters.examiner_id)
        self.scope = scope
        self.cohort = {
            **scope,
            "submitted_at__gte": _aware(filters.start),
            "submitted_at__lt": _aware(filters.end + timedelta(days=1)),
        }

    def url(self, params: dict[str, str]) -> str:
        return f"{self.base}?{urlencode(sorted(params.items()))}"

    def cohort_url(self, patent_type: str = "", **params: str) -> str:
        extra = {"patent_type__exact": patent_type} if patent_type else {}
        return self.url({**self.cohort, **extra, **params})

    def between(self, name: str, first: date, after: date, *, aware: bool) -> dict[str, str]:
        if aware:
            return {f"{name}__gte": _aware(first), f"{name}__lt": _aware(after)}
        return {f"{name}__gte": first.isoformat(), f"{name}__lt": after.isoformat()}

    def open_url(self, **params: str) -> str:
        params.setdefault("state__in", ",".join(OPEN_STATES))
        return self.url({**self.scope, **params})

    def case_url(self, pk: int) -> str:
        return reverse("admin:cases_case_change", args=[pk])


def _funnel_table(d: Dashboard, links: Links) -> Table:
    table = Table(
        "volume",
        _("Volume"),
        _(
            "Cases submitted in the period and how far they got: acceptance rate = accepted / "
            "received; qualified rate = qualified / accepted; filing rate = filed / qualified; "
            "grant rate = granted / filed."
        ),
        [
            _("Patent type"),
            _("Received"),
            _("Accepted"),
            _("Qualified"),
            _("Filed with CNIPA"),
            _("Granted"),
            _("Acceptance rate (%)"),
            _("Qualified rate (%)"),
            _("Filing rate (%)"),
            _("Grant rate (%)"),
        ],
    )
    for f in [*d.by_type, d.total] if len(d.by_type) > 1 else d.by_type:
        t = f.patent_type
        table.rows.append(
            [
                text_cell(_type_label(t)),
                count_cell(f.received, links.cohort_url(t)),
                count_cell(f.accepted, links.cohort_url(t, accepted_at__isnull="False")),
                count_cell(f.qualified, links.cohort_url(t, qualified_at__isnull="False")),
                count_cell(f.filed, links.cohort_url(t, cnipa_filing_date__isnull="False")),
                count_cell(f.granted, links.cohort_url(t, grant_notice_date__isnull="False")),
                percent_cell(f.acceptance_rate),
                percent_cell(f.qualified_rate),
                percent_cell(f.filing_rate),
                percent_cell(f.grant_rate),
            ]
        )
    return table


def _turnaround_table(d: Dashboard) -> Table:
    median, p90 = _("Median"), _("90th percentile")
    table = Table(
        "turnaround",
        _("Turnaround"),
        _(
            "Center review: working days from submission to qualification, less the time "
            "waiting for the applicant's corrections. Filing: calendar days from "
            "qualification to the CNIPA filing date. CNIPA: calendar days from the CNIPA "
            "filing date to the grant notice, gross and net of the applicant's time "
            "answering office actions."
        ),
        [
            _("Patent type"),
            _("Center review, median (working days)"),
            _("Center review, 90th percentile (working days)"),
            _("Filing, median (days)"),
            _("Filing, 90th percentile (days)"),
            _("Filing to grant, gross median (days)"),
            _("Filing to grant, gross 90th percentile (days)"),
            _("Filing to grant, net median (days)"),
            _("Filing to grant, net 90th percentile (days)"),
        ],
        groups=[
            ("", 1),
            (_("Center review (working days)"), 2),
            (_("Filing with CNIPA (days)"), 2),
            (_("Filing to grant, gross (days)"), 2),
            (_("Filing to grant, net (days)"), 2),
        ],
        headers=[_("Patent type"), *[median, p90] * 4],
    )

    def pair(q: Quantiles) -> list[Cell]:
        return [days_cell(q.p50), days_cell(q.p90)]

    for f in [*d.by_type, d.total] if len(d.by_type) > 1 else d.by_type:
        table.rows.append(
            [
                text_cell(_type_label(f.patent_type)),
                *pair(f.review),
                *pair(f.filing),
                *pair(f.gross),
                *pair(f.net),
            ]
        )
    return table


def _within_cell(
    d: Dashboard, links: Links, patent_type: str, column: str, count: int, **params: str
) -> Cell:
    """A count 'within the benchmark', linked when one limit applies to every case counted.

    The case list filters on one limit, so a count over types with different benchmarks
    cannot link; it says so, next to the per-type counts that do.
    """
    if d.benchmark_days is None:  # every center: each has its own benchmarks
        return count_cell(count)
    types = [patent_type] if patent_type else [f.patent_type for f in d.by_type]
    limits = {d.benchmark_days[t] for t in types}
    if len(limits) != 1:
        return Cell(
            count,
            f"{count:,}",
            note=_(
                "The sum of the rows above. The patent types have different benchmarks, "
                "so no single case-list filter selects these cases: open each type's count."
            ),
        )
    url = links.cohort_url(
        patent_type,
        grant_notice_date__isnull="False",
        **{f"{column}__lte": str(limits.pop())},
        **params,
    )
    return count_cell(count, url)


def _benchmark_table(d: Dashboard, links: Links) -> Table:
    table = Table(
        "benchmark",
        _("Benchmark"),
        _(
            "Granted cases whose CNIPA filing to grant notice time was within the center's "
            "benchmark (calendar days), gross and net of the applicant's time."
        ),
        [
            _("Patent type"),
            _("Benchmark (days)"),
            _("Granted"),
            _("Within benchmark, gross"),
            _("Share within, gross (%)"),
            _("Within benchmark, net"),
            _("Share within, net (%)"),
        ],
    )
    for f in [*d.by_type, d.total] if len(d.by_type) > 1 else d.by_type:
        t = f.patent_type
        limit = d.benchmark_days.get(t) if d.benchmark_days and t else None
        table.rows.append(
            [
                text_cell(_type_label(t)),
                count_cell(limit) if limit is not None else Cell(None, "–"),
                count_cell(f.granted, links.cohort_url(t, grant_notice_date__isnull="False")),
                _within_cell(d, links, t, "benchmark_gross_days", f.within_gross),
                percent_cell(f.within_gross_share),
                _within_cell(d, links, t, "benchmark_net_days", f.within_net),
                percent_cell(f.within_net_share),
            ]
        )
    return table


def _benchmark_month_table(d: Dashboard, links: Links) -> Table:
    table = Table(
        "benchmark_months",
        _("Benchmark by month"),
        _("By the month of the grant notice, for the cases submitted in the period."),
        [
            _("Month"),
            _("Patent type"),
            _("Granted"),
            _("Within benchmark, gross"),
            _("Share within, gross (%)"),
            _("Within benchmark, net"),
            _("Share within, net (%)"),
        ],
    )
    for m in d.benchmark_months:
        after = (m.month + timedelta(days=32)).replace(day=1)
        month = links.between("grant_notice_date", m.month, after, aware=False)
        t = m.patent_type
        table.rows.append(
            [
                text_cell(m.month.strftime("%Y-%m")),
                text_cell(_type_label(t)),
                count_cell(m.granted, links.cohort_url(t, **month)),
                _within_cell(d, links, t, "benchmark_gross_days", m.within_gross, **month),
                percent_cell(m.within_gross_share),
                _within_cell(d, links, t, "benchmark_net_days", m.within_net, **month),
                percent_cell(m.within_net_share),
            ]
        )
    return table


def _weekly_table(d: Dashboard, links: Links) -> Table:
    table = Table(
        "weekly",
        _("Weekly trend"),
        _(
            "Weeks start on Monday. Each count is by the week of its own date: submission, "
            "grant notice, qualification, or closing before qualification. Throughput: cases "
            "that left the center's review (qualified or closed). Medians: center review in "
            "working days (cases qualified that week); filing to grant, gross, in days "
            "(cases granted that week)."
        ),
        [
            _("Week"),
            _("Received"),
            _("Granted"),
            _("Qualified"),
            _("Closed during review"),
            _("Throughput"),
            _("Center review, median (working days)"),
            _("Filing to grant, gross median (days)"),
        ],
    )
    start, after = d.filters.start, d.filters.end + timedelta(days=1)
    for w in d.weeks:
        week_after = w.week + timedelta(days=7)
        received = links.between(
            "submitted_at", max(w.week, start), min(week_after, after), aware=True
        )
        table.rows.append(
            [
                date_cell(w.week),
                count_cell(w.received, links.url({**links.scope, **received})),
                count_cell(
                    w.granted,
                    links.cohort_url(
                        **links.between("grant_notice_date", w.week, week_after, aware=False)
                    ),
                ),
                count_cell(
                    w.qualified,
                    links.cohort_url(
                        **links.between("qualified_at", w.week, week_after, aware=True)
                    ),
                ),
                count_cell(
                    w.closed_in_review,
                    links.cohort_url(
                        qualified_at__isnull="True",
                        **links.between("closed_at", w.week, week_after, aware=True),
                    ),
                ),
                count_cell(w.left_review),
                days_cell(w.review_median),
                days_cell(w.gross_median),
            ]
        )
    return table


def _steps_table(d: Dashboard, links: Links) -> Table:
    table = Table(
        "now_steps",
        _("At risk and overdue, by step"),
        _(
            "Open cases now, whatever their submission date, by the clock that is running. "
            "At risk: the clock has used its warning share (overdue cases included)."
        ),
        [_("Step"), _("At risk (incl. overdue)"), _("Overdue")],
    )
    for s in d.steps:
        state = STEP_STATE.get(s.step or "")
        label = str(Step(s.step).label) if s.step else _("No running clock")
        by_state = {"state__exact": state} if state else {}
        table.rows.append(
            [
                text_cell(label),
                count_cell(s.at_risk, links.open_url(deadline="at_risk", **by_state)),
                count_cell(s.overdue, links.open_url(deadline="overdue", **by_state)),
            ]
        )
    return table


def _examiners_table(d: Dashboard, links: Links) -> Table:
    table = Table(
        "workload",
        _("Workload by examiner"),
        _("Open cases now, whatever their submission date, by assigned examiner."),
        [_("Examiner"), _("Open cases"), _("At risk (incl. overdue)"), _("Overdue")],
    )
    for e in d.examiners:
        who = {"examiner": str(e.examiner_id) if e.examiner_id is not None else "none"}
        table.rows.append(
            [
                text_cell(e.name or _("Not assigned")),
                count_cell(e.open, links.open_url(**who)),
                count_cell(e.at_risk, links.open_url(deadline="at_risk", **who)),
                count_cell(e.overdue, links.open_url(deadline="overdue", **who)),
            ]
        )
    return table


def _oldest_table(d: Dashboard, links: Links, today: date) -> Table:
    table = Table(
        "oldest_open",
        _("Oldest open cases"),
        _("The ten open cases submitted longest ago."),
        [
            _("Reference"),
            _("State"),
            _("Patent type"),
            _("Submitted"),
            _("Days open"),
            _("Examiner"),
        ],
    )
    for c in d.oldest_open:
        submitted = timezone.localdate(c.submitted_at)
        table.rows.append(
            [
                text_cell(c.reference, links.case_url(c.pk)),
                text_cell(str(CaseState(c.state).label)),
                short_text_cell(_type_label(c.patent_type)),
                date_cell(submitted),
                count_cell((today - submitted).days),
                short_text_cell(c.examiner or _("Not assigned")),
            ]
        )
    return table


def dashboard_tables(d: Dashboard, *, links: Links, today: date) -> list[Table]:
    return [
        _funnel_table(d, links),
        _turnaround_table(d),
        _benchmark_table(d, links),
        _benchmark_month_table(d, links),
        _weekly_table(d, links),
        _steps_table(d, links),
        _examiners_table(d, links),
        _oldest_table(d, links, today),
    ]


def _every_month(months: set[date]) -> list[date]:
    """The first days of the months from the earliest to the latest of ``months``."""
    if not months:
        return []
    month, last, result = min(months), max(months), []
    while month <= last:
        result.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return result


def chart_data(d: Dashboard) -> dict[str, Any]:
    """The series the page's charts draw (the same figures as the tables).

    In the benchmark series a month without a grant of the type is None (no bar), one
    with grants of which none was within the benchmark is 0 (a marked bar); months without
    any grant stay on the axis, empty.
    """
    total = d.total if len(d.by_type) > 1 else d.by_type[0]
    months = _every_month({m.month for m in d.benchmark_months})
    share: dict[str, dict[date, float | None]] = {}
    for m in d.benchmark_months:
        share.setdefault(m.patent_type, {})[m.month] = percent_cell(m.within_gross_share).value
    return {
        "funnel": {
            "labels": [
                _("Received"),
                _("Accepted"),
                _("Qualified"),
                _("Filed with CNIPA"),
                _("Granted"),
            ],
            "values": [total.received, total.accepted, total.qualified, total.filed, total.granted],
            "label": _("Cases"),
        },
        "weekly": {
            "labels": [w.week.isoformat() for w in d.weeks],
            "series": [
                {"label": _("Received"), "data": [w.received for w in d.weeks]},
                {"label": _("Granted"), "data": [w.granted for w in d.weeks]},
                {
                    "label": _("Center review, median (working days)"),
                    "data": [days_cell(w.review_median).value for w in d.weeks],
                    "axis": "days",
                },
            ],
            "cases": _("Cases"),
            "days": _("Working days"),
        },
        "benchmark": {
            "labels": [m.strftime("%Y-%m") for m in months],
            "series": [
                {"label": _type_label(t), "data": [share[t].get(m) for m in months]}
                for t in PatentType.values
                if t in share
            ],
            "axis": _("Share within benchmark, gross (%)"),
        },
        "workload": {
            "labels": [e.name or _("Not assigned") for e in d.examiners],
            "series": [
                {"label": _("Open cases"), "data": [e.open for e in d.examiners]},
                {"label": _("At risk (incl. overdue)"), "data": [e.at_risk for e in d.examiners]},
                {"label": _("Overdue"), "data": [e.overdue for e in d.examiners]},
            ],
        },
    }
