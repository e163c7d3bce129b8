"""Centers, their staff, and the entities registered with them."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from cases.choices import Language, PatentType, RegistrationState
from cases.validators import normalize_credit_code, validate_credit_code


def _split_classes(text: str) -> list[str]:
    return [part.strip().upper() for part in text.replace("，", ",").split(",") if part.strip()]


def fields_cover(
    patent_type: str, classification: str, *, ipc_prefixes: str, locarno_classes: str
) -> bool:
    """Whether a classification falls under comma-separated IPC prefixes (inventions,
    utility models) or Locarno classes (designs)."""
    code = classification.strip().upper().replace(" ", "")
    if not code:
        return False
    if patent_type == PatentType.DESIGN:
        classes = [c.replace(" ", "") for c in _split_classes(locarno_classes)]
        return any(code == c or code.startswith(c + "-") for c in classes)
    prefixes = [p.replace(" ", "") for p in _split_classes(ipc_prefixes)]
    return any(code.startswith(p) for p in prefixes)


class Center(models.Model):
    code = models.CharField(
        _("code"),
        max_length=8,
        unique=True,
        help_text=_("Short code used in case references, e.g. SH."),
    )
    name = models.CharField(_("name"), max_length=200)
    region = models.CharField(_("region"), max_length=200)
    ipc_prefixes = models.TextField(
        _("IPC class prefixes"),
        blank=True,
        help_text=_(
            "Comma-separated IPC prefixes of the center's technical fields, e.g. C08, B01D."
        ),
    )
    locarno_classes = models.TextField(
        _("Locarno classes"),
        blank=True,
        help_text=_(
            "Comma-separated Locarno classes for designs, e.g. 12, 14-02. Empty: no designs."
        ),
    )
    benchmark_days_invention = models.PositiveSmallIntegerField(
        _("benchmark days (invention)"), default=29
    )
    benchmark_days_utility_model = models.PositiveSmallIntegerField(
        _("benchmark days (utility model)"), default=29
    )
    benchmark_days_design = models.PositiveSmallIntegerField(
        _("benchmark days (design)"), default=29
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    auto_assign = models.BooleanField(
        _("assign examiners automatically"),
        default=False,
        help_text=_(
            "On acceptance without an examiner chosen, give the case to the available "
            "examiner whose technical fields cover it and who has the fewest open cases."
        ),
    )
    # Raised by every edit (``services.center_update``): its cases' status pages show
    # its name, contact details and benchmarks, and are kept under this version too.
    status_version = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("center")
        verbose_name_plural = _("centers")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def benchmark_days(self, patent_type: str) -> int:
        return {
            PatentType.INVENTION: self.benchmark_days_invention,
            PatentType.UTILITY_MODEL: self.benchmark_days_utility_model,
            PatentType.DESIGN: self.benchmark_days_design,
        }[PatentType(patent_type)]

    def covers_classification(self, patent_type: str, classification: str) -> bool:
        """Whether a main classification falls in this center's technical fields.

        Inventions and utility models are matched by IPC prefix (``C08K 3/04`` is in
        ``C08``); designs by Locarno class (``14-02`` is in ``14``).
        """
        return fields_cover(
            patent_type,
            classification,
            ipc_prefixes=self.ipc_prefixes,
            locarno_classes=self.locarno_classes,
        )


class StaffProfile(models.Model):
    """Which center a staff member works for, and the language they read."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="staff_profile",
        verbose_name=_("user"),
    )
    center = models.ForeignKey(
        Center, on_delete=models.PROTECT, related_name="staff", verbose_name=_("center")
    )
    language = models.CharField(
        _("language"), max_length=10, choices=Language.choices, default=Language.ZH_HANS
    )
    # Examiners: what automatic assignment gives them (cases.services.assignment).
    ipc_prefixes = models.TextField(
        _("IPC prefixes examined"),
        blank=True,
        help_text=_("Comma-separated, e.g. C08, B01D. Empty: no inventions or utility models."),
    )
    locarno_classes = models.TextField(
        _("Locarno classes examined"),
        blank=True,
        help_text=_("Comma-separated, e.g. 12, 14-02. Empty: no designs."),
    )
    capacity = models.PositiveSmallIntegerField(
        _("capacity"),
        null=True,
        blank=True,
        help_text=_("Most open cases assigned automatically at once. Empty: no limit."),
    )
    last_assigned_at = models.DateTimeField(
        _("last assigned a case"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")

    def __str__(self) -> str:
        return f"{self.user} @ {self.center.code}"


class Examiner(StaffProfile):
    """An examiner's staff profile, as their center's managers edit it (the admin's
    *Examiners*): technical fields, capacity and absences."""

    class Meta:
        proxy = True
        verbose_name = _("examiner")
        verbose_name_plural = _("examiners")


class Absence(models.Model):
    """Days a staff member is away (leave, training): not assigned cases automatically."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="absences",
        verbose_name=_("user"),
    )
    first_day = models.DateField(_("first day"))
    last_day = models.DateField(_("last day"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        ordering = ["first_day"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(last_day__gte=models.F("first_day")),
                name="absence_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.first_day}–{self.last_day}"

    def clean(self) -> None:
        if self.first_day and self.last_day and self.last_day < self.first_day:
            raise ValidationError(
                {"last_day": _("The last day cannot be before the first day.")},
                code="absence_order",
            )


class EntityQuerySet(models.QuerySet["Entity"]):
    def approved(self) -> EntityQuerySet:
        return self.filter(registration_state=RegistrationState.APPROVED)


class Entity(ConcurrentTransitionMixin, models.Model):
    """A legal entity registered (备案) with a center; only these may file cases."""

    center = models.ForeignKey(
        Center, on_delete=models.PROTECT, related_name="entities", verbose_name=_("center")
    )
    name = models.CharField(_("name"), max_length=200)
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        unique=True,
        validators=[validate_credit_code],
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=100)
    contact_email = models.EmailField(_("contact e-mail"))
    contact_phone = models.CharField(_("contact phone"), max_length=50, blank=True)
    contact_language = models.CharField(
        _("contact language"), max_length=10, choices=Language.choices, default=Language.ZH_HANS
    )
    registration_state = FSMField(
        _("registration state"),
        max_length=20,
        choices=RegistrationState.choices,
        default=RegistrationState.SUBMITTED,
        protected=True,
    )
    registration_note = models.TextField(_("registration note"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Raised by every edit of its details (``services.entity_update``): its cases' status
    # pages show its name, and are kept under this version too.
    status_version = models.PositiveIntegerField(default=0, editable=False)

    objects = EntityQuerySet.as_manager()

    class Meta:
        verbose_name = _("registered entity")
        verbose_name_plural = _("registered entities")
        ordering = ["name"]
        # One per registration transition; cases.permissions gives them to the roles.
        permissions = [
            ("approve_entity", "Can approve a registration"),
            ("return_entity", "Can return a registration for more material"),
            ("resubmit_entity", "Can resubmit a registration"),
            ("reject_entity", "Can reject a registration"),
            ("suspend_entity", "Can suspend a registration"),
            ("reinstate_entity", "Can reinstate a registration"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean_fields(self, exclude: object = None) -> None:
        # The protected state field may only change through a transition, so model
        # validation must not assign it back to itself. Normalize before validating.
        self.credit_code = normalize_credit_code(self.credit_code or "")
        super().clean_fields(exclude=set(exclude or ()) | {"registration_state"})

    @transition(
        registration_state, source=RegistrationState.SUBMITTED, target=RegistrationState.APPROVED
    )
    def approve(self) -> None:
        """Registration reviewed and approved: the entity may file cases."""

    @transition(
        registration_state, source=RegistrationState.SUBMITTED, target=RegistrationState.RETURNED
    )
    def return_for_material(self) -> None:
        """Returned to the entity for more material."""

    @transition(
        registration_state, source=RegistrationState.RETURNED, target=RegistrationState.SUBMITTED
    )
    def resubmit(self) -> None:
        """The entity sent the missing material."""

    @transition(
        registration_state, source=RegistrationState.SUBMITTED, target=RegistrationState.REJECTED
    )
    def reject(self) -> None:
        """Registration refused."""

    @transition(
        registration_state, source=RegistrationState.APPROVED, target=RegistrationState.SUSPENDED
    )
    def suspend(self) -> None:
        """Registration suspended: no new cases until reinstated."""

    @transition(
        registration_state, source=RegistrationState.SUSPENDED, target=RegistrationState.APPROVED
    )
    def reinstate(self) -> None:
        """Suspension lifted."""
