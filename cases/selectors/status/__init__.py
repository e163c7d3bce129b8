"""The public status page of one case: everything the applicant sees, in four queries.

``status_case`` reads the case with its center, its applicant and the versions of what
its page shows; ``case_status`` puts the page together from it and:

- ``reading``: its public events, its running clocks, the benchmark clock and the
  center's notices;
- ``progress``: where the case is on its path, what is awaited from whom by when and
  under which rule, and the days against the center's benchmark;
- ``estimates``: expected dates from the center's finished cases (one query, cached for
  an hour per center and patent type, since the figures move slowly);
- ``page``: the values and sentences the template shows.

The number of queries does not depend on the history. Never read here: internal event
notes, event actors (staff), the examiner.
"""

from __future__ import annotations

from datetime import date

from cases import workflow
from cases.calendar import get_work_calendar
from cases.models import TERMINAL_STATES, CaseState, Party, PatentType
from cases.selectors.status.estimates import (
    MIN_FINISHED_CASES,
    case_estimates,
    turnaround_figures,
)
from cases.selectors.status.page import (
    BenchmarkProgress,
    CaseStatus,
    Contact,
    Deadline,
    Estimate,
    PathStep,
    TimelineEntry,
)
from cases.selectors.status.progress import (
    PUBLIC_EVENT_LABELS,
    benchmark_of,
    deadline_of,
    local_date,
    steps_of,
)
from cases.selectors.status.reading import CaseRow, status_case, status_history


def case_status(*, case: CaseRow, today: date) -> CaseStatus:
    """What the public status page of a case (read by ``status_case``) shows, as of ``today``."""
    events, clocks, notices = status_history(case.id)
    running = [c for c in clocks if c.running and c.paused_since is None]
    # The calendar of the version read with the case: the page is kept under it.
    calendar = get_work_calendar(version=case.calendar_version) if running else None
    owed = [deadline_of(c, today, calendar) for c in running if c.party == Party.APPLICANT]
    waiting_on = [deadline_of(c, today, calendar) for c in running if c.party != Party.APPLICANT]
    center = case.center
    return CaseStatus(
        reference=case.reference,
        title=case.title,
        applicant=case.applicant,
        patent_type_label=str(PatentType(case.patent_type).label),
        application_number=case.application_number or "",
        submitted_on=local_date(case.submitted_at),
        state=case.state,
        state_label=str(CaseState(case.state).label),
        closed=case.state in TERMINAL_STATES,
        steps=steps_of(case),
        owed=owed,
        waiting_on=waiting_on,
        timeline=[
            TimelineEntry(
                on=on,
                label=str(
                    PUBLIC_EVENT_LABELS.get(name) or workflow.TRANSITION_LABELS.get(name, name)
                ),
                message=note,
            )
            for on, name, note in events
        ],
        notices=notices,
        benchmark=benchmark_of(case, clocks, today),
        estimates=case_estimates(case, today),
        contact=Contact(
            name=center.name,
            address=center.address,
            phone=center.phone,
            email=center.email,
            website=center.website,
        ),
        calendar_estimated=case.calendar_estimated,
        today=today,
    )


__all__ = [
    "MIN_FINISHED_CASES",
    "BenchmarkProgress",
    "CaseStatus",
    "Contact",
    "Deadline",
    "Estimate",
    "PathStep",
    "TimelineEntry",
    "case_status",
    "status_case",
    "turnaround_figures",
]
