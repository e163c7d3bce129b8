"""Small real PDFs made on the fly, for the demo data and the tests (no files in git).

``text_pdf`` writes pages of plain Latin text in Helvetica, which pypdf extracts back
exactly: enough for the consistency check's comparison by text.
"""

from __future__ import annotations

import io

from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

A4 = (595, 842)
LINES_PER_PAGE = 48


def _escape(line: str) -> bytes:
    text = line.encode("latin-1", "replace").replace(b"\\", b"\\\\")
    return text.replace(b"(", b"\\(").replace(b")", b"\\)")


def text_pdf(lines: list[str] | str, *, title: str = "", producer: str = "") -> bytes:
    """A PDF whose pages carry ``lines`` (48 a page), titled ``title``; ``producer``
    changes the file's bytes without changing its text."""
    if isinstance(lines, str):
        lines = lines.splitlines() or [lines]
    writer = PdfWriter()
    font = writer._add_object(
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Helvetica"),
            }
        )
    )
    for start in range(0, max(len(lines), 1), LINES_PER_PAGE):
        page = writer.add_blank_page(*A4)
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})}
        )
        body = b" T* ".join(
            b"(" + _escape(line) + b") Tj" for line in lines[start:][:LINES_PER_PAGE]
        )
        stream = DecodedStreamObject()
        stream.set_data(b"BT /F1 11 Tf 14 TL 60 780 Td " + body + b" ET")
        page[NameObject("/Contents")] = writer._add_object(stream)
    writer.add_metadata({"/Title": title, "/Producer": producer or "Protection Center"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def sample_pdf(kind: str, reference: str, *, revision: int = 1) -> bytes:
    """A one-page stand-in for a document of a demo or test case."""
    return text_pdf(
        [
            f"{reference}: {kind.replace('_', ' ')}",
            f"Revision {revision}.",
            "1. A composite material comprising a polymer matrix and graphene.",
        ],
        title=f"{reference} {kind}",
    )
