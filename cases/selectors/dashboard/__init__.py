"""The manager dashboard's reads, split by role and re-exported here.

- ``filters``: what the manager chose (``DashboardFilters``) and the rows it selects;
- ``figures``: every figure, aggregated in the database (``dashboard_figures``);
- ``results``: the figures as dataclasses;

The cohort figures read the summary table ``CaseFigures``, which
``services.dashboard_summary`` keeps; its SQL functions are in ``cases.db.functions``.
"""

from cases.selectors.dashboard.figures import dashboard_figures
from cases.selectors.dashboard.filters import OPEN_STATES, DashboardFilters, default_period
from cases.selectors.dashboard.results import (
    STEP_STATE,
    BenchmarkMonth,
    Dashboard,
    ExaminerLoad,
    OpenCase,
    Quantiles,
    StepFlags,
    TypeFigures,
    Week,
)

__all__ = [
    "OPEN_STATES",
    "STEP_STATE",
    "BenchmarkMonth",
    "Dashboard",
    "DashboardFilters",
    "ExaminerLoad",
    "OpenCase",
    "Quantiles",
    "StepFlags",
    "TypeFigures",
    "Week",
    "dashboard_figures",
    "default_period",
]
