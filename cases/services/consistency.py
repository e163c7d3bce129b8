"""The consistency check at the CNIPA filing (案件一致性审查).

Once the filing is recorded, staff say for each part of the application what was
filed: they upload the file as filed, or confirm which stored version it is, or say it
was not filed. Each is compared with the version the case qualified with (the newest
one uploaded by the time it qualified): the same SHA-256 is the same file; otherwise
both PDFs' extracted text (pypdf) is compared, and where it differs staff get a short
diff. A kind with nothing said about it counts as not filed: the check never passes a
missing document silently. The result is an internal event and a ``ConsistencyCheck``;
a difference flags the case (``Case.inconsistent_since``, the list's filter for the
manager) and the case page offers the fast-track exit with the reason filled in.
"""

from __future__ import annotations

import difflib
import io
import re
import warnings
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.core.files import File
from django.utils.translation import gettext as _

from cases import events
from cases.actors import Actor
from cases.choices import APPLICATION_KINDS
from cases.errors import InvalidInput, TransitionNotAllowed
from cases.models import Case, CaseDocument, CaseState, ConsistencyCheck
from cases.services import outbox
from cases.services.documents import case_add_document
from cases.services.transitions import case_locked, check_permission, now_or

Outcome = ConsistencyCheck.Outcome
# States in which the filed documents can be checked: filed, and while an office
# action is answered (before the fast track is left).
CHECKABLE_STATES = (CaseState.FILED, CaseState.OFFICE_ACTION)
DIFF_LINES = 24
DIFF_WIDTH = 160


def consistency_kinds(case: Case) -> dict[str, CaseDocument]:
    """The parts of the application to compare, with the version the case qualified with."""
    qualified = CaseDocument.objects.versions_at(case, case.qualified_at)
    return {
        kind.value: qualified[kind.value] for kind in APPLICATION_KINDS if kind.value in qualified
    }


def case_check_consistency(
    *,
    case: Case | int,
    actor: Actor,
    filed: Mapping[str, File | CaseDocument | None],
    at: datetime | None = None,
) -> ConsistencyCheck:
    """Compare what was filed with CNIPA, per kind (``{kind: upload, stored version, or
    None for not filed}``), with the qualified versions."""
    at = now_or(at)
    with case_locked(case) as case:
        check_permission(
            actor,
            "cases.check_consistency",
            case,
            _("You are not allowed to check this case's filed documents."),
        )
        if case.state not in CHECKABLE_STATES:
            raise TransitionNotAllowed(
                _("The filed documents are checked once the CNIPA filing is recorded.")
            )
        qualified = consistency_kinds(case)
        if not qualified:
            raise InvalidInput(_("The case has no qualified documents to compare."), field="filed")
        unknown = [kind for kind in filed if kind not in qualified]
        if unknown:
            raise InvalidInput(
                _("These documents were not part of the qualified application: %(kinds)s.")
                % {"kinds": ", ".join(unknown)},
                field="filed",
            )
        results = []
        for kind, version in qualified.items():
            given = filed.get(kind)
            if given is None:
                results.append(_result(kind, Outcome.MISSING, version, None))
                continue
            if isinstance(given, CaseDocument):
                if given.case_id != case.pk or given.kind != kind:
                    raise InvalidInput(
                        _("Confirm a version of the same document of this case."), field="filed"
                    )
                document = given
            else:
                document = case_add_document(
                    case=case, kind=kind, file=given, actor=actor, as_filed=True, at=at
                )
            outcome, diff = compare(version, document)
            results.append(_result(kind, outcome, version, document, diff))
        consistent = all(row["outcome"] in (Outcome.SAME, Outcome.SAME_TEXT) for row in results)
        case.inconsistent_since = None if consistent else (case.inconsistent_since or at)
        case.save(update_fields=["inconsistent_since", "updated_at"])
        differing = [
            row["kind"] for row in results if row["outcome"] in (Outcome.DIFFERS, Outcome.MISSING)
        ]
        event = events.consistency_checked_event(
            case=case, actor=actor, at=at, consistent=consistent, differing=differing
        )
        check = ConsistencyCheck.objects.create(
            case=case, event=event, consistent=consistent, results=results, created_at=at
        )
        outbox.case_event_recorded(event=event)
    return check


def _result(
    kind: str,
    outcome: str,
    qualified: CaseDocument,
    filed: CaseDocument | None,
    diff: str = "",
) -> dict[str, Any]:
    return {
        "kind": kind,
        "outcome": str(outcome),
        "qualified": {"id": qualified.pk, "version": qualified.version, "sha256": qualified.sha256},
        "filed": (
            {"id": filed.pk, "version": filed.version, "sha256": filed.sha256} if filed else None
        ),
        "diff": diff,
    }


def compare(qualified: CaseDocument, filed: CaseDocument) -> tuple[str, str]:
    """Same file (SHA-256), else same text (both PDFs), else a short line diff."""
    if qualified.sha256 == filed.sha256:
        return Outcome.SAME, ""
    if not (qualified.is_pdf and filed.is_pdf):
        return Outcome.DIFFERS, ""
    before, after = pdf_text(qualified), pdf_text(filed)
    if before is None or after is None:
        return Outcome.DIFFERS, _("The text of one of the files could not be read.")
    if _normalized(before) == _normalized(after):
        return Outcome.SAME_TEXT, ""
    lines = difflib.unified_diff(
        _lines(before),
        _lines(after),
        fromfile=f"v{qualified.version}",
        tofile=f"v{filed.version}",
        lineterm="",
        n=1,
    )
    shown = [line[:DIFF_WIDTH] for line in lines]
    if len(shown) > DIFF_LINES:
        shown = [*shown[:DIFF_LINES], "…"]
    return Outcome.DIFFERS, "\n".join(shown)


def pdf_text(document: CaseDocument) -> str | None:
    from pypdf import PdfReader

    try:
        with document.file.open("rb") as stored, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(stored.read()), strict=False)
            return "\n".join(page.extract_text() or "" for page in reader.pages)
    except Exception:  # a stored PDF passed the upload checks; unreadable text is a diff
        return None


def _lines(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def _normalized(text: str) -> str:
    return re.sub(r"\s+", "", text)
