"""Peak memory of storing a 20 MB upload through ``case_add_document``.

    python bench/documents.py              # a 20 MB PDF (the default size limit)
    python bench/documents.py --mb 19.5

Runs on a SQLite database and a media directory of its own under a temporary
directory (removed afterwards). It writes a PDF of the given size to disk (one page
carrying an uncompressed image of random bytes, which nothing can shrink), opens it as
Django opens an upload that was spooled to a temporary file, and stores it as a case's
document, the service's content checks (pypdf) and hashing included. It prints the
peak of Python allocations during the call (tracemalloc), a small fraction of the
upload, since the file is read in 64 kB chunks into a temporary file and checked from
there, and for comparison what reading the upload whole would take.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def big_pdf(path: Path, size: int) -> None:
    """A one-page PDF of about ``size`` bytes: an RGB image of random pixels."""
    from pypdf import PdfWriter
    from pypdf.generic import (
        ArrayObject,
        DecodedStreamObject,
        DictionaryObject,
        NameObject,
        NumberObject,
    )

    width = 2000
    height = max(1, size // (width * 3))
    writer = PdfWriter()
    page = writer.add_blank_page(595, 842)
    image = DecodedStreamObject()
    image.set_data(os.urandom(width * height * 3))
    image.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Image"),
            NameObject("/Width"): NumberObject(width),
            NameObject("/Height"): NumberObject(height),
            NameObject("/ColorSpace"): NameObject("/DeviceRGB"),
            NameObject("/BitsPerComponent"): NumberObject(8),
        }
    )
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/XObject"): DictionaryObject({NameObject("/Im0"): writer._add_object(image)})}
    )
    contents = DecodedStreamObject()
    contents.set_data(b"q 595 0 0 842 0 0 cm /Im0 Do Q")
    page[NameObject("/Contents")] = writer._add_object(contents)
    page[NameObject("/MediaBox")] = ArrayObject(
        [NumberObject(0)] * 2 + [NumberObject(595), NumberObject(842)]
    )
    del image, contents
    with path.open("wb") as out:
        writer.write(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--mb",
        type=float,
        default=19.9,
        help="Upload size in MiB (default 19.9, under the 20 MiB limit).",
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-documents-"))
    os.environ.update(
        DJANGO_SETTINGS_MODULE="protection_center.settings",
        DATABASE_URL=f"sqlite:///{work / 'db.sqlite3'}",
        PC_VAR_DIR=str(work / "var"),
        CELERY_BROKER_URL="memory://localhost/",
    )
    import django

    django.setup()
    from django.core.files.uploadedfile import TemporaryUploadedFile
    from django.core.management import call_command

    from cases.actors import SYSTEM
    from cases.models import Center, Entity
    from cases.services import case_add_document, case_submit
    from cases.validators import make_credit_code

    call_command("migrate", verbosity=0)
    center = Center.objects.create(
        code="SH", name="Shanghai", region="Shanghai", ipc_prefixes="C08"
    )
    entity = Entity.objects.create(
        center=center,
        name="Bench Co.",
        credit_code=make_credit_code("91310000000000001"),
        contact_name="Li",
        contact_email="li@example.com",
    )
    case = case_submit(
        actor=SYSTEM, entity=entity, patent_type="invention", title="Bench", classification="C08K"
    )
    source = work / "upload.pdf"
    big_pdf(source, int(args.mb * 1024 * 1024))
    size = source.stat().st_size
    upload = TemporaryUploadedFile("description.pdf", "application/pdf", size, None)
    with source.open("rb") as data:
        for chunk in iter(lambda: data.read(1024 * 1024), b""):
            upload.write(chunk)
    upload.seek(0)

    tracemalloc.start()
    started = time.perf_counter()
    document = case_add_document(case=case, kind="description", file=upload, actor=SYSTEM)
    elapsed = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    # For comparison: what holding the upload whole in memory costs.
    upload.seek(0)
    tracemalloc.start()
    whole = upload.read()
    _current, whole_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del whole
    mib = 1024 * 1024
    print(f"upload: {size / mib:.1f} MiB, {document.pages} page, SHA-256 {document.hash_prefix}…")
    print(f"stored in {elapsed * 1000:.0f} ms")
    print(f"peak Python allocations during case_add_document: {peak / mib:.2f} MiB")
    print(f"(reading the upload whole would take {whole_peak / mib:.1f} MiB)")
    upload.close()
    import shutil

    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
