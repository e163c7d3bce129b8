"""The case list's paginator: it counts at most ``CAP`` rows.

Django's admin counts the filtered list on every page view (the "N cases" line and the
page links). For a center's list with few filters that is hundreds of thousands of rows
at national scale, read on every click. This paginator counts up to ``CAP`` + 1
(``SELECT COUNT(*) FROM (… LIMIT CAP + 1)``): beyond that the list says "more than
CAP" and offers pages up to it; a filter or a search narrows it. ``show_full_result_count
= False`` already spares the count of the unfiltered table.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.utils.functional import cached_property


class CappedCountPaginator(Paginator):
    CAP = 10_000

    @cached_property
    def count(self) -> int:
        counted = self.object_list[: self.CAP + 1].count()
        self.capped = counted > self.CAP
        return min(counted, self.CAP)
