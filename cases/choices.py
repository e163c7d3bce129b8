"""Choices shared by the models, the services and the pages."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PatentType(models.TextChoices):
    INVENTION = "invention", _("Invention")
    UTILITY_MODEL = "utility_model", _("Utility model")
    DESIGN = "design", _("Design")


class CaseState(models.TextChoices):
    """Stored values are permanent: retire a state by making it unreachable."""

    SUBMITTED = "submitted", _("Submitted")
    UNDER_REVIEW = "under_review", _("Under pre-examination")
    CORRECTION_REQUESTED = "correction_requested", _("Correction requested")
    QUALIFIED = "qualified", _("Pre-examination qualified")
    FILED = "filed", _("Filed with CNIPA")
    OFFICE_ACTION = "office_action", _("Office action awaiting response")
    GRANT_NOTIFIED = "grant_notified", _("Grant notified, awaiting registration")
    GRANTED = "granted", _("Granted and announced")
    NOT_ACCEPTED = "not_accepted", _("Not accepted")
    UNQUALIFIED = "unqualified", _("Pre-examination unqualified")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    LAPSED = "lapsed", _("Lapsed")
    REJECTED = "rejected", _("Rejected by CNIPA")
    FAST_TRACK_EXITED = "fast_track_exited", _("Left the fast track")


TERMINAL_STATES = frozenset(
    {
        CaseState.GRANTED,
        CaseState.NOT_ACCEPTED,
        CaseState.UNQUALIFIED,
        CaseState.WITHDRAWN,
        CaseState.LAPSED,
        CaseState.REJECTED,
        CaseState.FAST_TRACK_EXITED,
    }
)
PRE_FILING_STATES = (
    CaseState.SUBMITTED,
    CaseState.UNDER_REVIEW,
    CaseState.CORRECTION_REQUESTED,
    CaseState.QUALIFIED,
)


class RegistrationState(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned for more material")
    REJECTED = "rejected", _("Rejected")
    SUSPENDED = "suspended", _("Suspended")


class Role(models.TextChoices):
    """Staff roles; each is a Group created by a migration, named by its value."""

    INTAKE_CLERK = "intake_clerk", _("Intake clerk")
    EXAMINER = "examiner", _("Examiner")
    MANAGER = "manager", _("Manager")
    CENTER_ADMIN = "center_admin", _("Center administrator")


class Language(models.TextChoices):
    ZH_HANS = "zh-hans", _("Simplified Chinese")
    EN = "en", _("English")


class Channel(models.TextChoices):
    """Where a change came from, recorded with its event."""

    ADMIN = "admin", _("Admin")
    PORTAL = "portal", _("Portal")
    API = "api", _("API")
    SYSTEM = "system", _("System")


class TimerOutcome(models.TextChoices):
    """How a clock ended."""

    MET = "met", _("Met")
    BREACHED = "breached", _("Breached")
