"""Every write goes through these services; re-exported by role."""

from cases.services.access import case_reset_access_code, case_status_link
from cases.services.calendar import (
    calendar_day_save,
    calendar_delete,
    calendar_sync_from_package,
    calendar_year_save,
)
from cases.services.cases import (
    SERVICES,
    case_accept,
    case_assign,
    case_decline,
    case_disqualify,
    case_lapse,
    case_qualify,
    case_receive_correction,
    case_request_correction,
    case_submit,
    case_withdraw,
)
from cases.services.centers import center_update
from cases.services.clocks import rules_ensure_defaults
from cases.services.cnipa import (
    case_correct_application_number,
    case_correct_filing_date,
    case_correct_grant_notice,
    case_correct_office_action,
    case_record_fast_track_exit,
    case_record_filing,
    case_record_grant_notice,
    case_record_office_action,
    case_record_registration,
    case_record_rejection,
    case_record_response,
)
from cases.services.dashboard_summary import dashboard_summary_refresh
from cases.services.details import case_edit_details
from cases.services.documents import case_add_document, required_documents_ensure_defaults
from cases.services.entities import ENTITY_TRANSITIONS, entity_transition, entity_update
from cases.services.outbox import notifications_requeue

__all__ = [
    "ENTITY_TRANSITIONS",
    "SERVICES",
    "calendar_day_save",
    "calendar_delete",
    "calendar_sync_from_package",
    "calendar_year_save",
    "case_accept",
    "case_add_document",
    "case_assign",
    "case_correct_application_number",
    "case_correct_filing_date",
    "case_correct_grant_notice",
    "case_correct_office_action",
    "case_decline",
    "case_disqualify",
    "case_edit_details",
    "case_lapse",
    "case_qualify",
    "case_receive_correction",
    "case_record_fast_track_exit",
    "case_record_filing",
    "case_record_grant_notice",
    "case_record_office_action",
    "case_record_registration",
    "case_record_rejection",
    "case_record_response",
    "case_request_correction",
    "case_reset_access_code",
    "case_status_link",
    "case_submit",
    "case_withdraw",
    "center_update",
    "dashboard_summary_refresh",
    "entity_transition",
    "entity_update",
    "notifications_requeue",
    "required_documents_ensure_defaults",
    "rules_ensure_defaults",
]
