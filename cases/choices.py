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


class DocumentKind(models.TextChoices):
    """What a case document is: the parts of the draft application, the supporting
    documents, and the center's own notices. Stored values are permanent."""

    REQUEST = "request", _("Request")
    DESCRIPTION = "description", _("Description")
    CLAIMS = "claims", _("Claims")
    ABSTRACT = "abstract", _("Abstract")
    DRAWINGS = "drawings", _("Drawings")
    ABSTRACT_DRAWING = "abstract_drawing", _("Abstract drawing")
    DESIGN_VIEWS = "design_views", _("Design views")
    BRIEF_EXPLANATION = "brief_explanation", _("Brief explanation")
    BUSINESS_LICENCE = "business_licence", _("Business licence")
    POWER_OF_ATTORNEY = "power_of_attorney", _("Power of attorney")
    OTHER = "other", _("Other supporting document")
    NOTICE = "notice", _("Center notice")


# Kinds staff and applicants upload (notices are made by the center's notice service).
UPLOADED_KINDS = tuple(kind for kind in DocumentKind if kind != DocumentKind.NOTICE)
# Kinds that may be an image (PNG or JPEG) as well as a PDF: photographs and scans.
IMAGE_KINDS = frozenset(
    {
        DocumentKind.DESIGN_VIEWS,
        DocumentKind.BUSINESS_LICENCE,
        DocumentKind.POWER_OF_ATTORNEY,
        DocumentKind.OTHER,
    }
)
# The parts of the application itself, compared at the CNIPA filing (案件一致性审查).
APPLICATION_KINDS = (
    DocumentKind.REQUEST,
    DocumentKind.DESCRIPTION,
    DocumentKind.CLAIMS,
    DocumentKind.ABSTRACT,
    DocumentKind.DRAWINGS,
    DocumentKind.ABSTRACT_DRAWING,
    DocumentKind.DESIGN_VIEWS,
    DocumentKind.BRIEF_EXPLANATION,
)
# What a complete submission needs per patent type, unless the center says otherwise
# (``RequiredDocument`` rows): an invention's drawings are optional, a utility model's
# are not.
DEFAULT_REQUIRED_DOCUMENTS: dict[str, tuple[str, ...]] = {
    PatentType.INVENTION: (
        DocumentKind.REQUEST,
        DocumentKind.DESCRIPTION,
        DocumentKind.CLAIMS,
        DocumentKind.ABSTRACT,
    ),
    PatentType.UTILITY_MODEL: (
        DocumentKind.REQUEST,
        DocumentKind.DESCRIPTION,
        DocumentKind.CLAIMS,
        DocumentKind.ABSTRACT,
        DocumentKind.DRAWINGS,
        DocumentKind.ABSTRACT_DRAWING,
    ),
    PatentType.DESIGN: (
        DocumentKind.REQUEST,
        DocumentKind.DESIGN_VIEWS,
        DocumentKind.BRIEF_EXPLANATION,
    ),
}


class NoticeKind(models.TextChoices):
    """The center's notices to the applicant, one per decision it must be told of."""

    ACCEPTANCE = "acceptance", _("Acceptance notice")
    NON_ACCEPTANCE = "non_acceptance", _("Non-acceptance notice")
    CORRECTION = "correction", _("Correction notice")
    QUALIFICATION = "qualification", _("Pre-examination qualification notice")
    DISQUALIFICATION = "disqualification", _("Pre-examination non-qualification notice")


# The transition each notice announces.
NOTICE_OF_TRANSITION: dict[str, str] = {
    "accept": NoticeKind.ACCEPTANCE,
    "decline": NoticeKind.NON_ACCEPTANCE,
    "request_correction": NoticeKind.CORRECTION,
    "qualify": NoticeKind.QUALIFICATION,
    "disqualify": NoticeKind.DISQUALIFICATION,
}


def kind_labels(kinds: list[str]) -> str:
    """``说明书、权利要求书`` / ``Description, Claims``: document kinds in the active language."""
    from django.utils.translation import get_language

    separator = "、" if (get_language() or "").startswith("zh") else ", "
    return separator.join(str(DocumentKind(kind).label) for kind in kinds)
