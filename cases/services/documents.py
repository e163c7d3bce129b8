"""Case documents: the one path that stores a file of a case.

``case_add_document`` reads the upload in chunks into a temporary file, hashing and
counting as it goes (a 20 MB upload is never in memory whole: ``bench/documents.py``),
checks it by content (pypdf for PDFs, Pillow for images; never by name or declared
type), and only then stores it, under a generated name, as the next version of its kind.
Anything refused raises ``InvalidInput`` and stores nothing.

Notices are stored the same way by ``cases.services.notices`` (``document_store``).
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import tempfile
import unicodedata
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import IO

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db.models import Max
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from cases import events
from cases.actors import Actor
from cases.choices import IMAGE_KINDS, UPLOADED_KINDS, DocumentKind
from cases.errors import InvalidInput, TransitionNotAllowed
from cases.models import Case, CaseDocument, CaseEvent, CaseState, CorrectionRequest, Notice
from cases.services import outbox
from cases.services.transitions import case_locked, check_permission, now_or

logger = logging.getLogger(__name__)

CHUNK_SIZE = 64 * 1024
PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
EXTENSIONS = {PDF: "pdf", PNG: "png", JPEG: "jpg"}
# Where a complete PDF ends: its last "%%EOF" is within the last kilobyte.
PDF_TAIL = 1024


@dataclass(frozen=True)
class Checked:
    """An upload that passed every check, waiting in a temporary file."""

    file: IO[bytes]
    size: int
    sha256: str
    content_type: str
    pages: int | None


def case_add_document(
    *,
    case: Case | int,
    kind: str,
    file: File,
    actor: Actor,
    answers: CorrectionRequest | None = None,
    as_filed: bool = False,
    at: datetime | None = None,
) -> CaseDocument:
    """Store ``file`` as the next version of ``kind`` on the case.

    ``answers`` is the correction request this version answers (while the case waits
    for the correction); ``as_filed`` marks the document filed with CNIPA, uploaded at
    the consistency check.
    """
    at = now_or(at)
    with case_locked(case) as case:
        check_permission(
            actor,
            "cases.add_casedocument",
            case,
            _("You are not allowed to add documents to this case."),
        )
        if case.is_terminal:
            raise TransitionNotAllowed(
                _("The case is “%(state)s”: documents can no longer be added.")
                % {"state": case.get_state_display()}
            )
        if kind not in UPLOADED_KINDS:
            raise InvalidInput(_("Choose what kind of document this is."), field="kind")
        if answers is not None:
            _check_answers(case, answers)
        with tempfile.TemporaryFile() as spool:
            checked = _check_upload(file, kind=kind, spool=spool)
            document = document_store(
                case=case,
                kind=kind,
                checked=checked,
                original_name=display_name(getattr(file, "name", ""), kind, checked),
                actor=actor,
                at=at,
                answers=answers,
                as_filed=as_filed,
            )
        event = events.document_added_event(case=case, actor=actor, at=at, document=document)
        outbox.case_event_recorded(event=event)
    return document


def correction_request_record(
    *, case: Case, event: CaseEvent, kinds: Sequence[str], at: datetime
) -> CorrectionRequest:
    """The documents a correction request names to replace (``case_request_correction``
    calls this in its transaction, with the request's event)."""
    unknown = [kind for kind in kinds if kind not in UPLOADED_KINDS]
    if unknown:
        raise InvalidInput(
            _("Unknown kind of document: %(kinds)s.") % {"kinds": ", ".join(unknown)},
            field="documents",
        )
    ordered = [kind.value for kind in UPLOADED_KINDS if kind.value in set(kinds)]
    return CorrectionRequest.objects.create(case=case, event=event, kinds=ordered, created_at=at)


def _check_answers(case: Case, answers: CorrectionRequest) -> None:
    latest = CorrectionRequest.objects.filter(case=case).order_by("-created_at", "-id").first()
    if case.state != CaseState.CORRECTION_REQUESTED or latest is None or latest.pk != answers.pk:
        raise InvalidInput(
            _("A document can only answer the correction request the case is waiting for."),
            field="answers",
        )


def document_store(
    *,
    case: Case,
    kind: str,
    checked: Checked,
    original_name: str,
    actor: Actor,
    at: datetime,
    answers: CorrectionRequest | None = None,
    as_filed: bool = False,
    notice: Notice | None = None,
) -> CaseDocument:
    """Save a checked file under a generated name as the next version of ``kind``
    (the caller holds the case lock, so versions follow one another)."""
    last = CaseDocument.objects.filter(case=case, kind=kind).aggregate(last=Max("version"))
    version = (last["last"] or 0) + 1
    extension = EXTENSIONS[checked.content_type]
    # Random, so that nothing can be fetched by guessing; the kind and version help
    # whoever restores a backup by hand.
    name = f"cases/{case.pk}/{kind}-v{version}-{secrets.token_hex(8)}.{extension}"
    checked.file.seek(0)
    stored = default_storage.save(name, File(checked.file, name=name))
    return CaseDocument.objects.create(
        case=case,
        kind=kind,
        version=version,
        file=stored,
        original_name=original_name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        pages=checked.pages,
        uploaded_by=actor.user,
        channel=actor.channel,
        uploaded_at=at,
        answers=answers,
        as_filed=as_filed,
        notice=notice,
    )


def _check_upload(file: File, *, kind: str, spool: IO[bytes]) -> Checked:
    """Copy ``file`` into ``spool`` chunk by chunk, hashing it, then check its content."""
    limit = settings.DOCUMENT_MAX_BYTES
    too_large = InvalidInput(
        _("The file is larger than %(limit)s.") % {"limit": filesizeformat(limit)}, field="file"
    )
    declared = getattr(file, "size", None)
    if declared is not None and declared > limit:
        raise too_large
    digest = hashlib.sha256()
    size = 0
    for chunk in file.chunks(CHUNK_SIZE):
        size += len(chunk)
        if size > limit:
            raise too_large
        digest.update(chunk)
        spool.write(chunk)
    if size == 0:
        raise InvalidInput(_("The file is empty."), field="file")
    spool.flush()
    spool.seek(0)
    head = spool.read(8)
    spool.seek(0)
    if head.startswith(b"%PDF-"):
        pages = _pdf_pages(spool, size)
        content_type = PDF
    elif kind in IMAGE_KINDS and head.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")):
        content_type = _check_image(spool)
        pages = None
    elif kind in IMAGE_KINDS:
        raise InvalidInput(_("The file is neither a PDF nor a PNG or JPEG image."), field="file")
    else:
        raise InvalidInput(
            _("The file is not a PDF (%(kind)s must be a PDF document).")
            % {"kind": DocumentKind(kind).label},
            field="file",
        )
    return Checked(
        file=spool, size=size, sha256=digest.hexdigest(), content_type=content_type, pages=pages
    )


# The same checks for files kept outside a case (a registration's business licence, an
# agency's power of attorney).
check_upload = _check_upload


def _pdf_pages(spool: IO[bytes], size: int) -> int:
    """The page count of a complete, readable, unencrypted PDF; refuse anything else."""
    from pypdf import PdfReader

    unreadable = InvalidInput(_("The file is not a readable PDF."), field="file")
    spool.seek(max(0, size - PDF_TAIL))
    if b"%%EOF" not in spool.read():
        raise InvalidInput(_("The PDF is incomplete (truncated)."), field="file")
    spool.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(spool, strict=False)
            encrypted = reader.is_encrypted
            if not encrypted:
                pages = len(reader.pages)
                for page in reader.pages:
                    page.mediabox  # noqa: B018 - reads each page object
    except Exception as error:  # pypdf raises many kinds for broken files
        logger.info("PDF refused: %s: %s", type(error).__name__, error)
        raise unreadable from error
    finally:
        spool.seek(0)
    if encrypted:
        raise InvalidInput(
            _("The PDF is encrypted or password-protected: upload it without protection."),
            field="file",
        )
    if pages == 0:
        raise InvalidInput(_("The PDF has no pages."), field="file")
    return pages


def _check_image(spool: IO[bytes]) -> str:
    """A PNG or JPEG that Pillow reads whole, within the pixel limit (decompression bombs
    are refused from their header, before anything is decoded)."""
    from PIL import Image

    limit = settings.DOCUMENT_MAX_PIXELS
    too_many = InvalidInput(
        _("The image has more than %(limit)s pixels.") % {"limit": f"{limit:,}"}, field="file"
    )
    unreadable = InvalidInput(_("The image cannot be read."), field="file")
    try:
        with Image.open(spool) as image:
            if image.width * image.height > limit:
                raise too_many
            image_format = image.format
            image.verify()
        spool.seek(0)
        with Image.open(spool) as image:
            if image_format == "JPEG":
                image.draft("RGB", (max(1, image.width // 8), max(1, image.height // 8)))
            image.load()
    except Image.DecompressionBombError as error:
        raise too_many from error
    except InvalidInput:
        raise
    except Exception as error:  # Pillow raises OSError, SyntaxError, ValueError, …
        logger.info("Image refused: %s: %s", type(error).__name__, error)
        raise unreadable from error
    finally:
        spool.seek(0)
    if image_format not in ("PNG", "JPEG"):
        raise unreadable
    return PNG if image_format == "PNG" else JPEG


def display_name(name: str, kind: str, checked: Checked | None = None) -> str:
    """The uploaded file's name without any path part or control character, for display
    and downloads only (files are stored under generated names)."""
    name = unicodedata.normalize("NFC", str(name or "")).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = name.strip().lstrip(".").strip()[:150]
    if not name:
        extension = EXTENSIONS.get(checked.content_type, "pdf") if checked else "pdf"
        name = f"{kind}.{extension}"
    return name


def required_documents_ensure_defaults(*, center_id: int) -> int:
    """Create the center's required-document rows from the defaults, so that staff see
    and edit them (a center without rows for a type needs the defaults anyway)."""
    from cases.choices import DEFAULT_REQUIRED_DOCUMENTS
    from cases.models import RequiredDocument

    if RequiredDocument.objects.filter(center_id=center_id).exists():
        return 0
    rows = RequiredDocument.objects.bulk_create(
        [
            RequiredDocument(center_id=center_id, patent_type=patent_type, kind=kind)
            for patent_type, kinds in DEFAULT_REQUIRED_DOCUMENTS.items()
            for kind in kinds
        ]
    )
    return len(rows)
