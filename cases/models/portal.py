"""The applicants' portal: accounts of entities and patent agencies, agencies'
authorisations, yearly quotas, case drafts, registration licences and read notices.

A portal user is never staff (``is_staff`` false): they belong to one entity or one
agency through a ``PortalAccount``. What they may do is ``cases.permissions.PortalBackend``;
what they may read is ``cases.selectors.portal.portal_cases_for``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.choices import Channel, DocumentKind, PatentType
from cases.models.cases import Case
from cases.models.centers import Entity
from cases.models.documents import Notice


class Agency(models.Model):
    """A patent agency (专利代理机构), acting for the entities that authorised it."""

    code = models.CharField(
        _("agency code"),
        max_length=10,
        unique=True,
        help_text=_("The agency's five-digit code issued by CNIPA, e.g. 31200."),
    )
    name = models.CharField(_("name"), max_length=200)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("patent agency")
        verbose_name_plural = _("patent agencies")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class PortalAccount(models.Model):
    """Whom a portal user acts for: one entity, or one agency (or, just signed up and
    not yet registered, nobody)."""

    class Role(models.TextChoices):
        ADMINISTRATOR = "administrator", _("Administrator")
        MEMBER = "member", _("Member")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="portal_account",
        verbose_name=_("user"),
    )
    entity = models.ForeignKey(
        Entity,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="portal_accounts",
        verbose_name=_("entity"),
    )
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="portal_accounts",
        verbose_name=_("agency"),
    )
    role = models.CharField(
        _("role"), max_length=20, choices=Role.choices, default=Role.ADMINISTRATOR
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("portal account")
        verbose_name_plural = _("portal accounts")
        constraints = [
            models.CheckConstraint(
                condition=~Q(entity__isnull=False, agency__isnull=False),
                name="portal_account_entity_or_agency",
            ),
        ]

    def __str__(self) -> str:
        return str(self.user)


class PortalInvitationQuerySet(models.QuerySet["PortalInvitation"]):
    def pending(self) -> PortalInvitationQuerySet:
        return self.filter(accepted_at__isnull=True, cancelled_at__isnull=True)


class PortalInvitation(models.Model):
    """An administrator's invitation of a colleague who has no portal account yet: an
    e-mail with the sign-up link; verifying that address joins them to the entity or
    agency as a member."""

    entity = models.ForeignKey(
        Entity,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="portal_invitations",
        verbose_name=_("entity"),
    )
    agency = models.ForeignKey(
        Agency,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="portal_invitations",
        verbose_name=_("agency"),
    )
    email = models.EmailField(_("e-mail"))
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("invited at"), default=timezone.now)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    objects = PortalInvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("portal invitation")
        verbose_name_plural = _("portal invitations")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(entity__isnull=False, agency__isnull=True)
                | Q(entity__isnull=True, agency__isnull=False),
                name="portal_invitation_entity_or_agency",
            ),
        ]

    def __str__(self) -> str:
        return self.email


class AgencyAuthorisationQuerySet(models.QuerySet["AgencyAuthorisation"]):
    def active(self) -> AgencyAuthorisationQuerySet:
        return self.filter(revoked_at__isnull=True)


class AgencyAuthorisation(models.Model):
    """An entity lets an agency act for it on its cases, until it revokes that."""

    entity = models.ForeignKey(
        Entity,
        on_delete=models.PROTECT,
        related_name="agency_authorisations",
        verbose_name=_("entity"),
    )
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        related_name="authorisations",
        verbose_name=_("agency"),
    )
    power_of_attorney = models.FileField(
        _("power of attorney"), max_length=200, blank=True, editable=False
    )
    power_of_attorney_name = models.CharField(
        _("power of attorney file name"), max_length=200, blank=True, editable=False
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("granted by"),
    )
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )

    objects = AgencyAuthorisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("agency authorisation")
        verbose_name_plural = _("agency authorisations")
        ordering = ["-granted_at"]
        constraints = [
            # At most one running authorisation per entity and agency.
            models.UniqueConstraint(
                fields=["entity", "agency"],
                condition=Q(revoked_at__isnull=True),
                name="agency_authorisation_active_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entity} → {self.agency}"


class SubmissionQuotaQuerySet(models.QuerySet["SubmissionQuota"]):
    def use(self, *, entity_id: int, patent_type: str, year: int) -> tuple[int, int | None]:
        """Cases of that type the entity submitted in the year (in the site's time zone,
        as references count years), and its quota (None: no limit)."""
        from datetime import datetime

        limit = (
            self.filter(entity_id=entity_id, patent_type=patent_type, year=year)
            .values_list("limit", flat=True)
            .first()
        )
        start = timezone.make_aware(datetime(year, 1, 1))
        end = timezone.make_aware(datetime(year + 1, 1, 1))
        used = Case.objects.filter(
            entity_id=entity_id,
            patent_type=patent_type,
            submitted_at__gte=start,
            submitted_at__lt=end,
        ).count()
        return used, limit


class SubmissionQuota(models.Model):
    """How many cases of a patent type an entity may submit to its center in a year
    (名额). No row: no limit."""

    entity = models.ForeignKey(
        Entity, on_delete=models.CASCADE, related_name="quotas", verbose_name=_("entity")
    )
    patent_type = models.CharField(_("patent type"), max_length=20, choices=PatentType.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    limit = models.PositiveIntegerField(_("cases allowed"))

    objects = SubmissionQuotaQuerySet.as_manager()

    class Meta:
        verbose_name = _("yearly quota")
        verbose_name_plural = _("yearly quotas")
        ordering = ["-year", "entity", "patent_type"]
        constraints = [
            models.UniqueConstraint(
                fields=["entity", "patent_type", "year"], name="submission_quota_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entity} {self.year} {self.get_patent_type_display()}: {self.limit}"


class CaseDraft(models.Model):
    """A submission being prepared in the portal; submitted, it names its case."""

    entity = models.ForeignKey(
        Entity, on_delete=models.CASCADE, related_name="drafts", verbose_name=_("entity")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    patent_type = models.CharField(
        _("patent type"), max_length=20, choices=PatentType.choices, blank=True
    )
    title = models.CharField(_("title"), max_length=300, blank=True)
    classification = models.CharField(_("main classification"), max_length=40, blank=True)
    not_pct_national_phase = models.BooleanField(
        _("not a PCT national-phase application"), default=False
    )
    not_divisional = models.BooleanField(_("not a divisional application"), default=False)
    case = models.OneToOneField(
        Case,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="draft",
        verbose_name=_("submitted as"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("case draft")
        verbose_name_plural = _("case drafts")
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return self.title or f"#{self.pk}"


class DraftDocument(models.Model):
    """A document attached to a draft (one per kind; attaching another replaces it),
    checked like case documents; submitted, it becomes the case's first version."""

    draft = models.ForeignKey(
        CaseDraft, on_delete=models.CASCADE, related_name="documents", verbose_name=_("draft")
    )
    kind = models.CharField(_("kind"), max_length=30, choices=DocumentKind.choices)
    file = models.FileField(_("file"), max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("draft document")
        verbose_name_plural = _("draft documents")
        constraints = [
            models.UniqueConstraint(fields=["draft", "kind"], name="draft_document_kind"),
        ]

    def __str__(self) -> str:
        return self.original_name


class RegistrationLicence(models.Model):
    """A business licence uploaded with an online registration (one per upload; the
    newest is the current one). Checked like case documents before it is stored."""

    entity = models.ForeignKey(
        Entity, on_delete=models.PROTECT, related_name="licences", verbose_name=_("entity")
    )
    file = models.FileField(_("file"), max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=50)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.PORTAL
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("business licence")
        verbose_name_plural = _("business licences")
        ordering = ["entity", "-uploaded_at"]

    def __str__(self) -> str:
        return self.original_name


class NoticeRead(models.Model):
    """A portal user opened a notice: the inbox marks the others unread."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["notice", "user"], name="notice_read_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.notice_id}/{self.user_id}"
