"""The dashboard's summary table: one narrow row of precomputed figures per case.

The manager dashboard aggregates a center's cases of a year (tens or hundreds of
thousands). Read from ``Case`` it needs a join to the review clock and the working-day
calendar for every case on every view; read from here it scans a narrow table on one
index. ``services.dashboard_summary_refresh``, run by a Celery task every five minutes
(and after a calendar change), keeps it up to date: it rewrites the rows of the cases
whose ``updated_at`` moved since its last run (every service saves the case, so every
transition and assignment moves it). The dashboard only reads it, and says when it was
refreshed. Nothing else writes here.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.choices import PatentType
from cases.models.cases import Case
from cases.models.centers import Center


class CaseFigures(models.Model):
    """A case's dates (local) and durations, as the dashboard counts them."""

    case = models.OneToOneField(
        Case, on_delete=models.CASCADE, primary_key=True, related_name="+", verbose_name=_("case")
    )
    center = models.ForeignKey(
        Center, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    patent_type = models.CharField(max_length=20, choices=PatentType.choices)
    classification = models.CharField(max_length=40)
    examiner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        null=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    submitted_on = models.DateField()
    accepted_on = models.DateField(null=True)
    qualified_on = models.DateField(null=True)
    # Qualification, or closing before it (not accepted, unqualified, withdrawn, lapsed).
    left_review_on = models.DateField(null=True)
    filed_on = models.DateField(null=True)
    granted_on = models.DateField(null=True)
    # Working days the center's clocks ran, submission to qualification (less corrections).
    review_workdays = models.IntegerField(null=True)
    # Calendar days: qualification to CNIPA filing; CNIPA filing to grant notice.
    filing_days = models.IntegerField(null=True)
    gross_days = models.IntegerField(null=True)
    net_days = models.IntegerField(null=True)
    # The case's ``updated_at`` when this row was written.
    case_updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("case figures")
        verbose_name_plural = _("case figures")
        indexes = [
            # Covering: the dashboard's aggregates are index-only scans of a center's period.
            models.Index(
                fields=["center", "submitted_on"],
                include=[
                    "case",
                    "patent_type",
                    "classification",
                    "examiner",
                    "accepted_on",
                    "qualified_on",
                    "left_review_on",
                    "filed_on",
                    "granted_on",
                    "review_workdays",
                    "filing_days",
                    "gross_days",
                    "net_days",
                ],
                name="casefigures_center_submitted",
            ),
            models.Index(fields=["submitted_on"], name="casefigures_submitted"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}"


class DashboardSummaryState(models.Model):
    """The one row recording when the summary was last refreshed (locked while refreshing;
    the dashboard reads it without a lock).

    ``calendar`` fingerprints the working-day calendar and time zone the rows were
    computed with: when staff edit the calendar, the next refresh rebuilds every row.
    """

    refreshed_at = models.DateTimeField(null=True)
    calendar = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"{self.refreshed_at}"
