"""Identifiers for demo cases: CNIPA application numbers and case references."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from django.db import transaction
from django.db.models import Max

from cases.appnumbers import make_application_number
from cases.models import Case, PatentType, ReferenceCounter

TYPE_DIGITS = {PatentType.INVENTION: 1, PatentType.UTILITY_MODEL: 2, PatentType.DESIGN: 3}
# Demo serials start here, clear of the low serials people type in tests and by hand.
FIRST_SERIAL = 1_000_000


class ApplicationNumbers:
    """Valid application numbers, one serial after another per filing year and type.

    Each (year, type) sequence continues after the highest number already recorded, so
    repeated runs never collide.
    """

    def __init__(self) -> None:
        self._next: dict[tuple[int, int], int] = {}

    def next(self, patent_type: str, filing_date: date) -> str:
        key = (filing_date.year, TYPE_DIGITS[PatentType(patent_type)])
        serial = self._next.get(key)
        if serial is None:
            serial = self._first_free(*key)
        self._next[key] = serial + 1
        return str(make_application_number(key[0], key[1], serial))

    def look_up(self, years: Iterable[int]) -> None:
        """Find where each sequence of these years continues, now rather than on first use."""
        for year in years:
            for type_digit in TYPE_DIGITS.values():
                if (year, type_digit) not in self._next:
                    self._next[(year, type_digit)] = self._first_free(year, type_digit)

    @staticmethod
    def _first_free(year: int, type_digit: int) -> int:
        last = Case.objects.filter(
            application_number__startswith=f"{year:04d}{type_digit}"
        ).aggregate(last=Max("application_number"))["last"]
        return max(FIRST_SERIAL, int(last[5:12]) + 1) if last else FIRST_SERIAL


def format_reference(center_code: str, year: int, number: int) -> str:
    """The same format as ``case_submit``: ``SH-2025-000123``."""
    return f"{center_code}-{year}-{number:06d}"


@transaction.atomic
def reserve_references(counts: Mapping[tuple[int, int], int]) -> dict[tuple[int, int], int]:
    """Advance the reference counters by ``counts`` per (center id, year).

    Returns the first reserved number per key; later ``case_submit`` calls continue
    after the reserved block.
    """
    first = {}
    for (center_id, year), count in sorted(counts.items()):
        counter, _created = ReferenceCounter.objects.select_for_update().get_or_create(
            center_id=center_id, year=year
        )
        first[(center_id, year)] = counter.last + 1
        counter.last += count
        counter.save(update_fields=["last"])
    return first
