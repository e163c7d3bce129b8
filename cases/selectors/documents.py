"""Reads about a case's documents: the set it needs, what is missing, the versions per
kind as the case page shows them side by side, and the qualified versions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cases.choices import DEFAULT_REQUIRED_DOCUMENTS, UPLOADED_KINDS, DocumentKind
from cases.models import Case, CaseDocument, RequiredDocument


def required_kinds(*, center_id: int, patent_type: str) -> list[str]:
    """The kinds a complete submission of ``patent_type`` needs at the center, in the
    order of ``DocumentKind``: its ``RequiredDocument`` rows, or the defaults if none."""
    kinds = set(
        RequiredDocument.objects.filter(center_id=center_id, patent_type=patent_type).values_list(
            "kind", flat=True
        )
    )
    if not kinds:
        kinds = {str(kind) for kind in DEFAULT_REQUIRED_DOCUMENTS.get(patent_type, ())}
    return [kind.value for kind in DocumentKind if kind.value in kinds]


def present_kinds(case: Case) -> set[str]:
    return set(
        CaseDocument.objects.filter(case=case)
        .exclude(kind=DocumentKind.NOTICE)
        .values_list("kind", flat=True)
        .distinct()
    )


def missing_kinds(case: Case) -> list[str]:
    """The required kinds of which the case has no version yet."""
    present = present_kinds(case)
    return [
        kind
        for kind in required_kinds(center_id=case.center_id, patent_type=case.patent_type)
        if kind not in present
    ]


def kind_labels(kinds: list[str]) -> str:
    """``说明书、权利要求书`` / ``description, claims`` in the active language."""
    from django.utils.translation import get_language

    separator = "、" if (get_language() or "").startswith("zh") else ", "
    return separator.join(str(DocumentKind(kind).label) for kind in kinds)


@dataclass
class KindRow:
    kind: str
    label: str
    required: bool
    # Oldest first: the case page shows them side by side, the newest on the right.
    versions: list[CaseDocument]

    @property
    def latest(self) -> CaseDocument | None:
        return self.versions[-1] if self.versions else None


def document_rows(case: Case) -> list[KindRow]:
    """Every kind the case has a version of or needs, with its versions (one query for
    the documents, one for the required set)."""
    documents = (
        CaseDocument.objects.filter(case=case)
        .exclude(kind=DocumentKind.NOTICE)
        .select_related("uploaded_by", "answers")
        .order_by("kind", "version")
    )
    by_kind: dict[str, list[CaseDocument]] = {}
    for document in documents:
        by_kind.setdefault(document.kind, []).append(document)
    required = set(required_kinds(center_id=case.center_id, patent_type=case.patent_type))
    return [
        KindRow(
            kind=kind.value,
            label=str(kind.label),
            required=kind.value in required,
            versions=by_kind.get(kind.value, []),
        )
        for kind in UPLOADED_KINDS
        if kind.value in required or kind.value in by_kind
    ]


def qualified_versions(case: Case, *, at: datetime | None = None) -> dict[str, CaseDocument]:
    """Per kind, the version the center had when the case qualified (the newest one
    uploaded at or before ``qualified_at``); what the filed documents are compared with."""
    at = at or case.qualified_at
    if at is None:
        return {}
    latest: dict[str, CaseDocument] = {}
    for document in (
        CaseDocument.objects.filter(case=case, uploaded_at__lte=at, as_filed=False)
        .exclude(kind=DocumentKind.NOTICE)
        .order_by("kind", "version")
    ):
        latest[document.kind] = document
    return latest
