"""The staff admin, split by role; importing this package registers every model."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from cases.admin.api import ApiTokenAdmin, WebhookDeliveryAdmin, WebhookEndpointAdmin
from cases.admin.cases import CaseAdmin
from cases.admin.centers import CenterAdmin, EntityAdmin, StaffUserAdmin
from cases.admin.clocks import CalendarDayAdmin, TimeLimitRuleAdmin
from cases.admin.documents import RequiredDocumentAdmin
from cases.admin.examiners import ExaminerAdmin
from cases.admin.portal import (
    AgencyAdmin,
    AgencyAuthorisationAdmin,
    PortalAccountAdmin,
    RegistrationLicenceAdmin,
    SubmissionQuotaAdmin,
)
from cases.admin.queue import landing
from cases.admin.records import CaseEventAdmin, TimerAdmin

admin.site.site_header = _("Protection Center case tracker")
admin.site.index = landing(admin.site.index)
admin.site.site_title = _("Protection Center case tracker")

__all__ = [
    "AgencyAdmin",
    "AgencyAuthorisationAdmin",
    "ApiTokenAdmin",
    "CalendarDayAdmin",
    "CaseAdmin",
    "CaseEventAdmin",
    "CenterAdmin",
    "EntityAdmin",
    "ExaminerAdmin",
    "PortalAccountAdmin",
    "RegistrationLicenceAdmin",
    "RequiredDocumentAdmin",
    "StaffUserAdmin",
    "SubmissionQuotaAdmin",
    "TimeLimitRuleAdmin",
    "TimerAdmin",
    "WebhookDeliveryAdmin",
    "WebhookEndpointAdmin",
]
