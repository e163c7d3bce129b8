"""Writes of the applicants' portal that are not a case transition: the online
registration (备案), the case drafts, the quota-checked submission, agency
authorisations and read notices.

Case transitions from the portal (answering a correction, reporting the CNIPA steps,
withdrawing) call the same services as the admin with ``Actor.portal(user)``; the
permission rule for portal users is ``cases.permissions.PortalBackend``.
"""

from cases.services.portal.accounts import (
    REGISTRATION_FIELDS,
    agency_authorise,
    agency_revoke,
    invitations_accept,
    member_add,
    member_invitation_cancel,
    member_invite,
    member_remove,
    notice_mark_read,
    registration_resubmit,
    registration_submit,
)
from cases.services.portal.submission import (
    REPORTS,
    draft_save,
    portal_case_submit,
    portal_report,
    required_kinds,
)

__all__ = [
    "REGISTRATION_FIELDS",
    "REPORTS",
    "agency_authorise",
    "agency_revoke",
    "draft_save",
    "invitations_accept",
    "member_add",
    "member_invitation_cancel",
    "member_invite",
    "member_remove",
    "notice_mark_read",
    "portal_case_submit",
    "portal_report",
    "registration_resubmit",
    "registration_submit",
    "required_kinds",
]
