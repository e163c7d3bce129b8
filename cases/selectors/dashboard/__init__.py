"""The manager dashboard's reads, split by role and re-exported here.

- ``filters``: what the manager chose (``DashboardFilters``) and the rows it selects;
- ``figures``: every figure, aggregated in the database (``dashboard_figures``);
- ``results``: the figures as dataclasses;
- ``summary``: the summary table the cohort figures read, kept up to date;
- ``sql``: working days and day counts in SQL.
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
from cases.selectors.dashboard.sql import WorkdayWindow, workday_window

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
    "WorkdayWindow",
    "dashboard_figures",
    "default_period",
    "workday_window",
]
