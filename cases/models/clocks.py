"""The working-day calendar, the time-limit rules, and the running clocks (timers)."""

from __future__ import annotations

import uuid
from datetime import date

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cases.choices import PatentType, TimerOutcome
from cases.models.cases import Case
from cases.models.centers import Center

# The ``chinesecalendar`` package names its days in English, and those names are stored as
# they are (``sync_calendar`` adds days under them). They are shown in the reader's
# language through this table; a name staff typed is shown as typed.
PACKAGE_HOLIDAY_NAMES = {
    "New Year's Day": _("New Year's Day"),
    "Spring Festival": _("Spring Festival"),
    "Tomb-sweeping Day": _("Tomb-sweeping Day"),
    "Labour Day": _("Labour Day"),
    "Dragon Boat Festival": _("Dragon Boat Festival"),
    "National Day": _("National Day"),
    "Mid-autumn Festival": _("Mid-autumn Festival"),
    "Anti-Fascist 70th Day": _("Anti-Fascist 70th Day"),
}


class CalendarDay(models.Model):
    """A day that differs from the plain weekday rule: a holiday, or an adjusted working day.

    A year is known once any of its days is in this table (the State Council notice was
    entered); days of a year not in the table are computed on weekdays and flagged.
    """

    class Source(models.TextChoices):
        PACKAGE = "chinesecalendar", _("chinesecalendar package")
        STAFF = "staff", _("Entered by staff")

    date = models.DateField(_("date"), unique=True)
    is_working = models.BooleanField(
        _("working day"),
        help_text=_("Ticked: an adjusted working day (调休上班). Unticked: a day off."),
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    source = models.CharField(
        _("source"), max_length=20, choices=Source.choices, default=Source.STAFF
    )

    class Meta:
        verbose_name = _("holiday calendar day")
        verbose_name_plural = _("holiday calendar days")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.display_name}"

    @property
    def display_name(self) -> str:
        """The name in the active language if it is one of the package's, else as typed."""
        return str(PACKAGE_HOLIDAY_NAMES.get(self.name.strip(), self.name))


class CalendarYear(models.Model):
    """A year whose holiday notice is entered: its days are known, not estimated.

    Staff enter the year's holidays and adjusted working days as ``CalendarDay`` rows,
    then mark the year complete. Until then, deadlines in that year are computed on
    weekdays only and flagged as estimated.
    """

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    complete = models.BooleanField(
        _("notice entered"),
        default=False,
        help_text=_("Tick once every holiday and adjusted working day of the year is entered."),
    )
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)


class CalendarVersion(models.Model):
    """One row: the version of the holiday calendar (``CalendarDay``, ``CalendarYear``).

    Every edit of the calendar sets a new one in its own transaction
    (``cases.calendar.calendar_changed``); each process keeps the calendar it built with the
    version it read, and builds it again when the version differs. A new version is a
    random value, never a count: a version set in a transaction that rolled back can
    never come back with other data under it.
    """

    version = models.UUIDField(default=uuid.uuid4)

    class Meta:
        verbose_name = _("calendar version")
        verbose_name_plural = _("calendar versions")

    def __str__(self) -> str:
        return self.version.hex


class Step(models.TextChoices):
    """The clocks a case runs; one per state that waits on someone, plus the benchmark."""

    ACCEPTANCE = "acceptance", _("Scope check")
    REVIEW = "review", _("Pre-examination review")
    CORRECTION = "correction", _("Correction by the applicant")
    FILING = "filing", _("Filing with CNIPA")
    OFFICE_ACTION = "office_action", _("Office action response")
    REGISTRATION = "registration", _("Registration after grant")
    BENCHMARK = "benchmark", _("Filing to grant benchmark")


class Party(models.TextChoices):
    CENTER = "center", _("Center")
    APPLICANT = "applicant", _("Applicant")
    OFFICE = "office", _("CNIPA")


class Unit(models.TextChoices):
    WORKDAYS = "workdays", _("working days")
    DAYS = "days", _("calendar days")
    MONTHS = "months", _("months")


class Counting(models.TextChoices):
    WORKDAY = "workday", _("Working-day calendar")
    CNIPA = "cnipa", _("CNIPA period (expiry on a rest day moves on)")
    PLAIN = "plain", _("Plain calendar days")


class TimeLimitRule(models.Model):
    """How long a step may take, per center and patent type (blank type: every type).

    A running timer copies the values it started with, so editing a rule changes only
    clocks started afterwards.
    """

    center = models.ForeignKey(
        Center, on_delete=models.CASCADE, related_name="time_limit_rules", verbose_name=_("center")
    )
    step = models.CharField(_("step"), max_length=20, choices=Step.choices)
    patent_type = models.CharField(
        _("patent type"), max_length=20, choices=PatentType.choices, blank=True
    )
    amount = models.PositiveSmallIntegerField(_("amount"), validators=[MinValueValidator(1)])
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices)
    counting = models.CharField(_("counting"), max_length=10, choices=Counting.choices)
    warning_share = models.DecimalField(
        _("warning share"),
        max_digits=3,
        decimal_places=2,
        default=0.8,
        validators=[MinValueValidator(0.05), MaxValueValidator(1)],
        help_text=_("A clock is at risk once it has used this share of its time (0.8 = 80%)."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("time-limit rule")
        verbose_name_plural = _("time-limit rules")
        ordering = ["center", "step", "patent_type"]
        constraints = [
            models.UniqueConstraint(
                fields=["center", "step", "patent_type"], name="time_limit_rule_unique"
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.center.code} {self.get_step_display()} {self.amount} {self.get_unit_display()}"
        )

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.unit == Unit.WORKDAYS and self.counting != Counting.WORKDAY:
            raise ValidationError(_("Working-day limits are counted on the working-day calendar."))
        if self.unit != Unit.WORKDAYS and self.counting == Counting.WORKDAY:
            raise ValidationError(_("Calendar-day and month limits use CNIPA or plain counting."))


class TimerQuerySet(models.QuerySet["Timer"]):
    def running(self) -> TimerQuerySet:
        return self.filter(stopped_at__isnull=True)

    def ticking(self) -> TimerQuerySet:
        """Running and not paused."""
        return self.filter(stopped_at__isnull=True, paused_since__isnull=True)

    def newly_at_risk(self, *, on: date) -> TimerQuerySet:
        return self.ticking().filter(at_risk_since__isnull=True, warn_on__lte=on)

    def newly_overdue(self, *, on: date) -> TimerQuerySet:
        return self.ticking().filter(overdue_since__isnull=True, due_on__lt=on)


class Timer(models.Model):
    """One running (or finished) clock of a case."""

    Outcome = TimerOutcome

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="timers", verbose_name=_("case")
    )
    step = models.CharField(_("step"), max_length=20, choices=Step.choices)
    party = models.CharField(_("party"), max_length=10, choices=Party.choices)
    started_on = models.DateField(_("started on"))
    due_on = models.DateField(_("due on"))
    warn_on = models.DateField(_("at risk from"))
    # The rule values this clock started with; later rule edits do not move it.
    amount = models.PositiveSmallIntegerField(_("amount"))
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices)
    counting = models.CharField(_("counting"), max_length=10, choices=Counting.choices)
    warning_share = models.DecimalField(_("warning share"), max_digits=3, decimal_places=2)
    paused_since = models.DateField(_("paused since"), null=True, blank=True)
    paused_days = models.PositiveIntegerField(
        _("paused days"),
        default=0,
        help_text=_("Working days for working-day clocks, else calendar days."),
    )
    stopped_on = models.DateField(_("stopped on"), null=True, blank=True)
    stopped_at = models.DateTimeField(_("stopped at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, blank=True)
    estimated = models.BooleanField(_("estimated"), default=False)
    at_risk_since = models.DateTimeField(_("at risk since"), null=True, blank=True)
    overdue_since = models.DateTimeField(_("overdue since"), null=True, blank=True)

    objects = TimerQuerySet.as_manager()

    class Meta:
        verbose_name = _("clock")
        verbose_name_plural = _("clocks")
        ordering = ["started_on", "id"]
        indexes = [
            models.Index(fields=["case", "step"], name="timer_case_step"),
            # The sweep's two lookups: each touches only clocks not yet flagged.
            models.Index(
                fields=["warn_on"],
                name="timer_sweep_at_risk",
                condition=Q(
                    stopped_at__isnull=True, paused_since__isnull=True, at_risk_since__isnull=True
                ),
            ),
            models.Index(
                fields=["due_on"],
                name="timer_sweep_overdue",
                condition=Q(
                    stopped_at__isnull=True, paused_since__isnull=True, overdue_since__isnull=True
                ),
            ),
        ]

    def __str__(self) -> str:
        # The admin's page title: the step's label in the reader's language.
        return gettext("%(step)s, due on %(due)s") % {
            "step": self.get_step_display(),
            "due": self.due_on.isoformat() if self.due_on else "—",
        }

    @property
    def is_running(self) -> bool:
        return self.stopped_at is None

    @property
    def working(self) -> bool:
        return self.unit == Unit.WORKDAYS
