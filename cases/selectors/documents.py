"""The case page's documents: every kind it has or needs, its versions side by side."""

from __future__ import annotations

from dataclasses import dataclass

from cases.choices import UPLOADED_KINDS
from cases.models import Case, CaseDocument, RequiredDocument


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
        .uploaded()
        .select_related("uploaded_by", "answers")
        .order_by("kind", "version")
    )
    by_kind: dict[str, list[CaseDocument]] = {}
    for document in documents:
        by_kind.setdefault(document.kind, []).append(document)
    required = set(
        RequiredDocument.objects.kinds_for(center_id=case.center_id, patent_type=case.patent_type)
    )
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
