"""Models of the cases app, split by role and re-exported here."""

from cases.choices import (
    PRE_FILING_STATES,
    TERMINAL_STATES,
    CaseState,
    DocumentKind,
    Language,
    NoticeKind,
    PatentType,
    RegistrationState,
    Role,
)
from cases.models.cases import Case, CaseEvent, CaseQuerySet, ReferenceCounter
from cases.models.centers import Absence, Center, Entity, StaffProfile
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
from cases.models.documents import (
    CaseDocument,
    ConsistencyCheck,
    CorrectionRequest,
    Notice,
    NoticeCounter,
    RequiredDocument,
)
from cases.models.notifications import Notification, NotificationQuerySet
from cases.models.summary import CaseFigures, DashboardSummaryState

__all__ = [
    "PRE_FILING_STATES",
    "TERMINAL_STATES",
    "Absence",
    "CalendarDay",
    "CalendarVersion",
    "CalendarYear",
    "Case",
    "CaseDocument",
    "CaseEvent",
    "CaseFigures",
    "CaseQuerySet",
    "CaseState",
    "Center",
    "ConsistencyCheck",
    "CorrectionRequest",
    "Counting",
    "DashboardSummaryState",
    "DocumentKind",
    "Entity",
    "Language",
    "Notice",
    "NoticeCounter",
    "NoticeKind",
    "Notification",
    "NotificationQuerySet",
    "Party",
    "PatentType",
    "ReferenceCounter",
    "RegistrationState",
    "RequiredDocument",
    "Role",
    "StaffProfile",
    "Step",
    "TimeLimitRule",
    "Timer",
    "Unit",
]
