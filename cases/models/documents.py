"""Case documents (versioned, append-only), the set a complete submission needs, the
correction requests that name documents to replace, the center's numbered notices, and
the consistency checks at the CNIPA filing.

Files live in Django's default storage under generated names
(``cases/<case id>/<random>.pdf``); nothing links to the storage directly: downloads go
through views that check permission. Every row here is written by a service in
``cases/services/documents.py`` or ``notices.py``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.choices import (
    DEFAULT_REQUIRED_DOCUMENTS,
    Channel,
    DocumentKind,
    Language,
    NoticeKind,
    PatentType,
)
from cases.models.cases import Case, CaseEvent
from cases.models.centers import Center


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs: object) -> int:
        raise TypeError(f"{self.model.__name__} rows are append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError(f"{self.model.__name__} rows are append-only.")


class AppendOnly(models.Model):
    """Written once, never changed or deleted through the app (like ``CaseEvent``)."""

    class Meta:
        abstract = True

    def save(self, *args: object, **kwargs: object) -> None:
        if not self._state.adding:
            raise TypeError(f"{type(self).__name__} rows are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise TypeError(f"{type(self).__name__} rows are append-only.")


class RequiredDocumentQuerySet(models.QuerySet["RequiredDocument"]):
    def kinds_for(self, *, center_id: int, patent_type: str) -> list[str]:
        """The kinds a complete submission of ``patent_type`` needs at the center, in the
        order of ``DocumentKind``: its rows, or the defaults if it has none."""
        kinds = set(
            self.filter(center_id=center_id, patent_type=patent_type).values_list("kind", flat=True)
        )
        if not kinds:
            kinds = {str(kind) for kind in DEFAULT_REQUIRED_DOCUMENTS.get(patent_type, ())}
        return [kind.value for kind in DocumentKind if kind.value in kinds]


class RequiredDocument(models.Model):
    """A kind of document a complete submission of a patent type needs at a center.

    A center with no rows for a patent type needs ``DEFAULT_REQUIRED_DOCUMENTS``; new
    centers get those rows, so that staff see and edit them.
    """

    center = models.ForeignKey(
        Center,
        on_delete=models.CASCADE,
        related_name="required_documents",
        verbose_name=_("center"),
    )
    patent_type = models.CharField(_("patent type"), max_length=20, choices=PatentType.choices)
    kind = models.CharField(_("document"), max_length=30, choices=DocumentKind.choices)

    objects = RequiredDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("required document")
        verbose_name_plural = _("required documents")
        ordering = ["center", "patent_type", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["center", "patent_type", "kind"], name="required_document_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_patent_type_display()}: {self.get_kind_display()}"


class CorrectionRequest(AppendOnly):
    """A correction request (补正) and the documents it asks the applicant to replace;
    the message saying what to correct is its event's message to the applicant."""

    case = models.ForeignKey(
        Case,
        on_delete=models.PROTECT,
        related_name="correction_requests",
        verbose_name=_("case"),
    )
    event = models.OneToOneField(
        CaseEvent, on_delete=models.PROTECT, related_name="+", verbose_name=_("event")
    )
    kinds = models.JSONField(_("documents to replace"), default=list, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("correction request")
        verbose_name_plural = _("correction requests")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.case.reference} · {timezone.localdate(self.created_at):%Y-%m-%d}"

    def kind_labels(self) -> list[str]:
        return [str(DocumentKind(kind).label) for kind in self.kinds]

    def missing_kinds(self) -> list[str]:
        """The named kinds that no new version answers yet."""
        answered = set(CaseDocument.objects.filter(answers=self).values_list("kind", flat=True))
        return [kind for kind in self.kinds if kind not in answered]


class CaseDocumentQuerySet(AppendOnlyQuerySet):
    def uploaded(self) -> CaseDocumentQuerySet:
        """The application and supporting documents: not the center's notices."""
        return self.exclude(kind=DocumentKind.NOTICE)

    def missing_kinds(self, case: Any) -> list[str]:
        """The kinds the case's center requires of which it has no version yet."""
        present = set(self.filter(case=case).uploaded().values_list("kind", flat=True))
        required = RequiredDocument.objects.kinds_for(
            center_id=case.center_id, patent_type=case.patent_type
        )
        return [kind for kind in required if kind not in present]

    def versions_at(self, case: Any, at: datetime | None) -> dict[str, CaseDocument]:
        """Per kind, the newest version uploaded at or before ``at`` (not one uploaded as
        filed with CNIPA): with ``at`` the qualification, the qualified versions."""
        if at is None:
            return {}
        latest: dict[str, CaseDocument] = {}
        for document in (
            self.filter(case=case, uploaded_at__lte=at, as_filed=False)
            .uploaded()
            .order_by("kind", "version")
        ):
            latest[document.kind] = document
        return latest


class CaseDocument(AppendOnly):
    """One version of one kind of document of a case; a new version supersedes it."""

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="documents", verbose_name=_("case")
    )
    kind = models.CharField(_("kind"), max_length=30, choices=DocumentKind.choices)
    version = models.PositiveIntegerField(_("version"))
    file = models.FileField(_("file"), max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=50)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    answers = models.ForeignKey(
        CorrectionRequest,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("answers the correction request"),
    )
    as_filed = models.BooleanField(
        _("as filed with CNIPA"),
        default=False,
        help_text=_("Uploaded at the consistency check as the document filed with CNIPA."),
    )
    notice = models.OneToOneField(
        "Notice",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="document",
        verbose_name=_("notice"),
        help_text=_("The notice this PDF is (for documents of kind notice)."),
    )

    objects = CaseDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("case document")
        verbose_name_plural = _("case documents")
        ordering = ["case", "kind", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind", "version"], name="case_document_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case.reference} · {self.get_kind_display()} v{self.version}"

    @property
    def hash_prefix(self) -> str:
        return self.sha256[:12]

    @property
    def is_pdf(self) -> bool:
        return self.content_type == "application/pdf"


class NoticeCounter(models.Model):
    """The last notice number issued per center and year (locked when issuing)."""

    center = models.ForeignKey(Center, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["center", "year"], name="notice_counter_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.center_id}-{self.year}: {self.last}"


class Notice(AppendOnly):
    """A numbered notice of the center (``SH-TZ-2026-000123``); a correction of it is a
    new notice that names this one.

    Its content (``html``) is fixed when it is issued, in the decision's transaction; the
    PDF made from it once, when it is first needed (``CaseDocument.notice``, reverse
    ``notice.document``), is what is sent and downloaded from then on."""

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="notices", verbose_name=_("case")
    )
    kind = models.CharField(_("kind"), max_length=30, choices=NoticeKind.choices)
    number = models.CharField(_("number"), max_length=40, unique=True)
    event = models.ForeignKey(
        CaseEvent,
        on_delete=models.PROTECT,
        related_name="notices",
        verbose_name=_("decision"),
        help_text=_("The transition the notice announces."),
    )
    html = models.TextField(_("content"), editable=False)
    replaces = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
        verbose_name=_("replaces"),
    )
    language = models.CharField(_("language"), max_length=10, choices=Language.choices)
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["issued_at", "id"]

    def __str__(self) -> str:
        return f"{self.number} {self.get_kind_display()}"

    @property
    def pdf(self) -> CaseDocument | None:
        """The notice's PDF if it has been made (``notices.notice_pdf`` makes it)."""
        try:
            return self.document
        except CaseDocument.DoesNotExist:
            return None


class ConsistencyCheck(AppendOnly):
    """The comparison of the documents filed with CNIPA with the qualified versions
    (案件一致性审查): per kind, ``{"kind", "outcome", "qualified", "filed", "diff"}``."""

    class Outcome(models.TextChoices):
        SAME = "same", _("identical file")
        SAME_TEXT = "same_text", _("same text, different file")
        DIFFERS = "differs", _("differs")
        MISSING = "missing", _("not filed")

    case = models.ForeignKey(
        Case,
        on_delete=models.PROTECT,
        related_name="consistency_checks",
        verbose_name=_("case"),
    )
    event = models.OneToOneField(
        CaseEvent, on_delete=models.PROTECT, related_name="+", verbose_name=_("event")
    )
    consistent = models.BooleanField(_("consistent"))
    results = models.JSONField(_("results"), default=list)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("consistency check")
        verbose_name_plural = _("consistency checks")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.case.reference} · {timezone.localdate(self.created_at):%Y-%m-%d}"

    @property
    def differing_kinds(self) -> list[str]:
        return [
            row["kind"]
            for row in self.results
            if row["outcome"] in (self.Outcome.DIFFERS, self.Outcome.MISSING)
        ]
