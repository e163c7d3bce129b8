"""Models of the cases app, split by role and re-exported here."""

from cases.choices import (
    PRE_FILING_STATES,
    TERMINAL_STATES,
    CaseState,
    Language,
    PatentType,
    RegistrationState,
    Role,
)
from cases.models.cases import Case, CaseEvent, CaseQuerySet, ReferenceCounter
from cases.models.centers import Center, Entity, StaffProfile
from cases.models.clocks import (
    CalendarDay,
    CalendarVersion,
    CalendarYear,
    Counting,
    Party,
    Step,
    TimeLimitRule,
    Timer,
    Unit,
)
from cases.models.notifications import Notification, NotificationQuerySet
from cases.models.summary import CaseFigures, DashboardSummaryState

__all__ = [
    "PRE_FILING_STATES",
    "TERMINAL_STATES",
    "CalendarDay",
    "CalendarVersion",
    "CalendarYear",
    "Case",
    "CaseEvent",
    "CaseFigures",
    "CaseQuerySet",
    "CaseState",
    "Center",
    "Counting",
    "DashboardSummaryState",
    "Entity",
    "Language",
    "Notification",
    "NotificationQuerySet",
    "Party",
    "PatentType",
    "ReferenceCounter",
    "RegistrationState",
    "Role",
    "StaffProfile",
    "Step",
    "TimeLimitRule",
    "Timer",
    "Unit",
]
