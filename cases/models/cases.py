"""Pre-examination cases, their state machine, and the append-only event log."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from cases import workflow
from cases.choices import PRE_FILING_STATES, TERMINAL_STATES, CaseState, Channel, PatentType
from cases.models.centers import Center, Entity
from cases.permissions import user_center_id

S = CaseState

# What the managers' queue watches: overdue or at-risk cases, and cases in review that
# nobody is assigned to. Also the condition of the partial index that serves that queue
# (``case_center_watched``): the queue's filter must stay this very expression, or
# PostgreSQL cannot tell that the index holds its rows.
WATCHED = (
    Q(overdue_since__isnull=False)
    | Q(at_risk_since__isnull=False)
    | Q(examiner__isnull=True, state=S.UNDER_REVIEW)
)


class CaseQuerySet(models.QuerySet["Case"]):
    def open(self) -> CaseQuerySet:
        return self.exclude(state__in=TERMINAL_STATES)

    def for_user(self, user: object) -> CaseQuerySet:
        """Cases a staff member may see: their own center's (superusers: all)."""
        if getattr(user, "is_superuser", False):
            return self
        center_id = user_center_id(user)
        if center_id is None:
            return self.none()
        return self.filter(center_id=center_id)

    def at_risk(self) -> CaseQuerySet:
        return self.filter(at_risk_since__isnull=False)

    def overdue(self) -> CaseQuerySet:
        return self.filter(overdue_since__isnull=False)

    def due_by(self, day: date) -> CaseQuerySet:
        return self.filter(next_due_on__lte=day)


class Case(ConcurrentTransitionMixin, models.Model):
    center = models.ForeignKey(
        Center,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("center"),
        db_index=False,  # every index of Meta.indexes and the reference constraint lead with it
    )
    entity = models.ForeignKey(
        Entity, on_delete=models.PROTECT, related_name="cases", verbose_name=_("applicant")
    )
    reference = models.CharField(_("reference"), max_length=32)
    patent_type = models.CharField(_("patent type"), max_length=20, choices=PatentType.choices)
    title = models.CharField(_("title"), max_length=300)
    classification = models.CharField(
        _("main classification"),
        max_length=40,
        help_text=_("Main IPC class (e.g. C08K 3/04), or Locarno class for designs (e.g. 14-02)."),
    )
    examiner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_cases",
        verbose_name=_("examiner"),
    )
    state = FSMField(
        _("state"),
        max_length=30,
        choices=CaseState.choices,
        default=CaseState.SUBMITTED,
        protected=True,
    )
    application_number = models.CharField(
        _("CNIPA application number"), max_length=14, null=True, blank=True, unique=True
    )
    cnipa_filing_date = models.DateField(_("CNIPA filing date"), null=True, blank=True)
    grant_notice_date = models.DateField(_("grant notice date"), null=True, blank=True)
    grant_notice_received_on = models.DateField(
        _("grant notice received on"), null=True, blank=True
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    qualified_at = models.DateTimeField(_("qualified at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # Deadline summary kept by the services and the sweep, so lists filter on an index.
    next_due_on = models.DateField(_("next due date"), null=True, blank=True)
    at_risk_since = models.DateTimeField(_("at risk since"), null=True, blank=True)
    overdue_since = models.DateTimeField(_("overdue since"), null=True, blank=True)
    calendar_estimated = models.BooleanField(
        _("calendar estimated"),
        default=False,
        help_text=_(
            "Yes when a due date falls in a year whose holiday notice is not entered yet: "
            "that date is provisional."
        ),
    )
    benchmark_gross_days = models.IntegerField(_("benchmark days (gross)"), null=True, blank=True)
    benchmark_net_days = models.IntegerField(_("benchmark days (net)"), null=True, blank=True)
    # Set when the documents filed with CNIPA differ from the qualified ones (the
    # consistency check), cleared by a later check that finds them consistent.
    inconsistent_since = models.DateTimeField(
        _("filed documents differ since"), null=True, blank=True
    )
    access_code_hash = models.CharField(max_length=128, blank=True, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # What the case's status page shows, as of which change: kept pages are keyed on it.
    # Raised only by ``status_pages_forget``, in SQL; a service saves the case with
    # ``update_fields`` (or after locking it), never a copy read before the change.
    status_version = models.PositiveIntegerField(default=0, editable=False)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-submitted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["center", "reference"], name="case_reference_per_center"
            ),
        ]
        indexes = [
            models.Index(fields=["center", "state"], name="case_center_state"),
            models.Index(fields=["reference"], name="case_reference"),
            models.Index(
                fields=["next_due_on"],
                name="case_next_due_open",
                condition=Q(next_due_on__isnull=False),
            ),
            models.Index(fields=["center", "submitted_at"], name="case_center_submitted"),
            # The manager dashboard: its summary refresh finds the cases changed since its
            # last run; its "now" figures read a center's open cases (oldest first, per
            # examiner, flagged) from this partial covering index alone.
            models.Index(fields=["updated_at"], name="case_updated_at"),
            # The API: a center's cases changed since a time, in order (a sync), and its
            # rare flagged cases, newest first, without walking the center's other cases.
            models.Index(fields=["center", "updated_at", "id"], name="case_center_updated"),
            models.Index(
                fields=["center", "submitted_at"],
                name="case_center_overdue",
                condition=Q(overdue_since__isnull=False),
            ),
            models.Index(
                fields=["center", "submitted_at"],
                name="case_center_at_risk",
                condition=Q(at_risk_since__isnull=False),
            ),
            models.Index(
                fields=["center", "submitted_at"],
                include=["id", "examiner", "at_risk_since", "overdue_since"],
                name="case_open_by_center",
                condition=Q(state__in=[s for s in CaseState.values if s not in TERMINAL_STATES]),
            ),
            # The managers' queue (``?queue=watch``): a center's watched cases, nearest
            # due first, read in index order (a few hundred rows out of a million).
            models.Index(
                fields=["center", "next_due_on", "id"],
                name="case_center_watched",
                condition=WATCHED,
            ),
        ]
        # One per transition and action; cases.permissions gives them to the roles.
        permissions = [
            ("submit_case", "Can register a case"),
            ("accept_case", "Can accept a case"),
            ("decline_case", "Can decline a case"),
            ("request_correction", "Can request a correction"),
            ("receive_correction", "Can record a correction received"),
            ("qualify_case", "Can qualify a case"),
            ("disqualify_case", "Can mark a case unqualified"),
            ("record_filing", "Can record the CNIPA filing"),
            ("record_office_action", "Can record an office action"),
            ("record_response", "Can record an office-action response"),
            ("record_grant_notice", "Can record a grant notice"),
            ("record_rejection", "Can record a rejection"),
            ("record_fast_track_exit", "Can record an exit from the fast track"),
            ("record_registration", "Can record the registration"),
            ("lapse_case", "Can lapse a case"),
            ("withdraw_case", "Can withdraw a case"),
            ("assign_case", "Can assign the examiner of a case"),
            ("examine_case", "Can be assigned cases to examine"),
            ("reset_access_code", "Can reset a case's access code"),
            ("view_dashboard", "Can view the turnaround dashboard"),
            ("check_consistency", "Can check the filed documents' consistency"),
            ("correct_notice", "Can issue a corrected notice"),
            ("edit_case_details", "Can correct a case's details before acceptance"),
            ("correct_accepted_details", "Can correct an accepted case's details"),
            ("correct_cnipa_record", "Can correct the CNIPA number and dates recorded"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("admin:cases_case_change", args=[self.pk])

    def clean_fields(self, exclude: object = None) -> None:
        # The protected state field may only change through a transition, so model
        # validation must not assign it back to itself.
        super().clean_fields(exclude=set(exclude or ()) | {"state"})

    @property
    def is_terminal(self) -> bool:
        return self.state in TERMINAL_STATES

    # Transitions: bodies set fields on the row only; services do everything else.

    @transition(
        state,
        source=S.SUBMITTED,
        target=S.UNDER_REVIEW,
        permission=workflow.permission("accept"),
        conditions=[
            workflow.entity_of_case_center,
            workflow.entity_registration_approved,
            workflow.classification_in_center_fields,
            workflow.documents_complete,
        ],
    )
    def accept(self, *, at: object) -> None:
        """Scope check passed: the case enters review."""
        self.accepted_at = at

    @transition(
        state,
        source=S.SUBMITTED,
        target=S.NOT_ACCEPTED,
        permission=workflow.permission("decline"),
    )
    def decline(self, *, at: object) -> None:
        """Outside the center's scope (field or entity): not accepted."""
        self.closed_at = at

    @transition(
        state,
        source=S.UNDER_REVIEW,
        target=S.CORRECTION_REQUESTED,
        permission=workflow.permission("request_correction"),
    )
    def request_correction(self) -> None:
        """Corrections (补正) requested from the applicant."""

    @transition(
        state,
        source=S.CORRECTION_REQUESTED,
        target=S.UNDER_REVIEW,
        permission=workflow.permission("receive_correction"),
    )
    def receive_correction(self) -> None:
        """The applicant's corrections arrived: review resumes."""

    @transition(
        state,
        source=S.UNDER_REVIEW,
        target=S.QUALIFIED,
        permission=workflow.permission("qualify"),
    )
    def qualify(self, *, at: object) -> None:
        """Pre-examination qualified (预审合格)."""
        self.qualified_at = at

    @transition(
        state,
        source=S.UNDER_REVIEW,
        target=S.UNQUALIFIED,
        permission=workflow.permission("disqualify"),
    )
    def disqualify(self, *, at: object) -> None:
        """Pre-examination unqualified."""
        self.closed_at = at

    @transition(
        state,
        source=S.QUALIFIED,
        target=S.FILED,
        permission=workflow.permission("record_filing"),
    )
    def record_filing(self, *, application_number: str, filing_date: date) -> None:
        """Filed with CNIPA: the application number and filing date are known."""
        self.application_number = application_number
        self.cnipa_filing_date = filing_date

    @transition(
        state,
        source=S.FILED,
        target=S.OFFICE_ACTION,
        permission=workflow.permission("record_office_action"),
    )
    def record_office_action(self) -> None:
        """An office action or correction notice from CNIPA awaits the applicant's answer."""

    @transition(
        state,
        source=S.OFFICE_ACTION,
        target=S.FILED,
        permission=workflow.permission("record_response"),
    )
    def record_response(self) -> None:
        """The applicant answered the office action in time: examination continues."""

    @transition(
        state,
        source=S.FILED,
        target=S.GRANT_NOTIFIED,
        permission=workflow.permission("record_grant_notice"),
    )
    def record_grant_notice(self, *, notice_date: date, received_on: date) -> None:
        """Grant and registration notices issued (授予专利权通知书)."""
        self.grant_notice_date = notice_date
        self.grant_notice_received_on = received_on

    @transition(
        state,
        source=S.FILED,
        target=S.REJECTED,
        permission=workflow.permission("record_rejection"),
    )
    def record_rejection(self, *, at: object) -> None:
        """CNIPA rejected the application."""
        self.closed_at = at

    @transition(
        state,
        source=[S.FILED, S.OFFICE_ACTION],
        target=S.FAST_TRACK_EXITED,
        permission=workflow.permission("record_fast_track_exit"),
    )
    def record_fast_track_exit(self, *, at: object) -> None:
        """Late response, extension or voluntary amendment: the case leaves the fast track."""
        self.closed_at = at

    @transition(
        state,
        source=S.GRANT_NOTIFIED,
        target=S.GRANTED,
        permission=workflow.permission("record_registration"),
    )
    def record_registration(self, *, at: object) -> None:
        """Registration completed: the grant is announced."""
        self.closed_at = at

    @transition(
        state,
        source=[S.CORRECTION_REQUESTED, S.QUALIFIED, S.GRANT_NOTIFIED],
        target=S.LAPSED,
        permission=workflow.permission("lapse"),
    )
    def lapse(self, *, at: object) -> None:
        """The applicant's period ran out (correction, filing or registration)."""
        self.closed_at = at

    @transition(
        state,
        source=list(PRE_FILING_STATES),
        target=S.WITHDRAWN,
        permission=workflow.permission("withdraw"),
    )
    def withdraw(self, *, at: object) -> None:
        """Withdrawn at the applicant's request, before filing with CNIPA."""
        self.closed_at = at


class CaseEventQuerySet(models.QuerySet["CaseEvent"]):
    def public(self) -> CaseEventQuerySet:
        return self.filter(public=True)

    def update(self, **kwargs: object) -> int:
        raise TypeError("Case events are append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError("Case events are append-only.")


class CaseEvent(models.Model):
    """One entry of a case's audit log. Written for every transition; never changed."""

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="events", verbose_name=_("case")
    )
    transition = models.CharField(_("transition"), max_length=40)
    from_state = models.CharField(_("from"), max_length=30, choices=CaseState.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=30, choices=CaseState.choices, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    created_at = models.DateTimeField(_("time"), default=timezone.now)
    occurred_on = models.DateField(
        _("date"),
        null=True,
        blank=True,
        help_text=_(
            "The day it happened, when that is not the day it was recorded: CNIPA's dates."
        ),
    )
    note = models.TextField(_("internal note"), blank=True)
    public_note = models.TextField(
        _("message to the applicant"), blank=True, help_text=_("Shown on the public status page.")
    )
    public = models.BooleanField(_("public"), default=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)

    objects = CaseEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["created_at", "id"]
        # Events are read per case only (the foreign key's index): a case has tens of
        # them, sorted in memory. A (case, created_at) index was never chosen over it.

    def __str__(self) -> str:
        # The admin's page title: the case and what was done, in the reader's language.
        action = workflow.TRANSITION_LABELS.get(self.transition, self.transition)
        return f"{self.case.reference} · {action}"

    def save(self, *args: object, **kwargs: object) -> None:
        if not self._state.adding:
            raise TypeError("Case events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise TypeError("Case events are append-only.")


class ReferenceCounter(models.Model):
    """The last reference number issued per center and year (locked when issuing)."""

    center = models.ForeignKey(Center, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["center", "year"], name="reference_counter_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.center_id}-{self.year}: {self.last}"
