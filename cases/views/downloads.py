"""Sending a stored case document: the one way files leave the system.

Every download view (the admin's case page, the status page's notices, the portal and
the API) checks first that the reader may see the case, then answers with this: the
file as an attachment, with its own type, never sniffed, rendered or cached; never a
redirect to a storage URL.
"""

from __future__ import annotations

from django.http import FileResponse

from cases.models import CaseDocument


def document_response(document: CaseDocument) -> FileResponse:
    """The stored file as a download: attachment, its own type, never sniffed or cached."""
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
