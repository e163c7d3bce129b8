"""Check that every case document's file is in the storage with the hash recorded.

Run it after restoring a backup (database and media together), and now and then: it
reads every file through the storage (files under MEDIA_ROOT, or the S3 bucket), so it
takes about as long as reading the media once. Exits 1 if anything is missing or
differs, listing each; ``--orphans`` also lists stored files no document names (left by
a transaction that rolled back after storing its file).
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError

from cases.models import CaseDocument
from cases.services.documents import CHUNK_SIZE


def stored_sha256(name: str) -> str | None:
    """The SHA-256 of a stored file, read in chunks; None when it is not there."""
    digest = hashlib.sha256()
    try:
        with default_storage.open(name, "rb") as stored:
            for chunk in iter(lambda: stored.read(CHUNK_SIZE), b""):
                digest.update(chunk)
    except (FileNotFoundError, OSError):
        return None
    return digest.hexdigest()


def stored_names(prefix: str = "cases") -> set[str]:
    names: set[str] = set()
    try:
        directories, files = default_storage.listdir(prefix)
    except (FileNotFoundError, OSError):
        return names
    names |= {f"{prefix}/{name}" for name in files}
    for directory in directories:
        names |= stored_names(f"{prefix}/{directory}")
    return names


class Command(BaseCommand):
    help = "Check that every case document's file exists in the storage with its recorded SHA-256."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--orphans", action="store_true", help="Also list stored files no document names."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        checked = missing = differing = 0
        for document in CaseDocument.objects.order_by("id").iterator(chunk_size=2000):
            checked += 1
            sha256 = stored_sha256(document.file.name)
            if sha256 is None:
                missing += 1
                self.stderr.write(
                    f"missing: document {document.pk} ({document}) {document.file.name}"
                )
            elif sha256 != document.sha256:
                differing += 1
                self.stderr.write(
                    f"differs: document {document.pk} ({document}) {document.file.name}: "
                    f"SHA-256 {sha256}, recorded {document.sha256}"
                )
        self.stdout.write(
            f"{checked} documents checked: {checked - missing - differing} intact, "
            f"{missing} missing, {differing} with a different hash."
        )
        if options["orphans"]:
            known = set(CaseDocument.objects.values_list("file", flat=True))
            orphans = sorted(stored_names() - known)
            for name in orphans:
                self.stdout.write(f"orphan: {name}")
            self.stdout.write(f"{len(orphans)} stored files belong to no document.")
        if missing or differing:
            raise CommandError("Some documents are missing or differ: restore them from a backup.")
