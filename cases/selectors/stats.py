"""Percentiles computed in the database: ``percentile_cont`` on PostgreSQL.

SQLite (the embedded default) has no ordered-set aggregates; there the values of the
one column are fetched, ordered by the database, and interpolated exactly as
``percentile_cont`` does, so both backends give the same figures.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.db import connections
from django.db.models import Aggregate, Expression, FloatField, QuerySet


class PercentileCont(Aggregate):
    """``percentile_cont(q) WITHIN GROUP (ORDER BY expr)`` (PostgreSQL)."""

    function = "percentile_cont"
    template = "%(function)s(%(quantile)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()
    allow_distinct = False

    def __init__(self, expression: Any, quantile: float, **extra: Any) -> None:
        if not 0 <= quantile <= 1:
            raise ValueError("quantile must be between 0 and 1")
        super().__init__(expression, quantile=float(quantile), **extra)


def interpolate(sorted_values: Sequence[float], q: float) -> float | None:
    """``percentile_cont`` on an already sorted list (None when empty)."""
    if not sorted_values:
        return None
    position = q * (len(sorted_values) - 1)
    lower, upper = math.floor(position), math.ceil(position)
    low, high = float(sorted_values[lower]), float(sorted_values[upper])
    return low + (high - low) * (position - lower)


def supports_percentile(queryset: QuerySet[Any]) -> bool:
    return connections[queryset.db].vendor == "postgresql"


def grouped_percentiles(
    queryset: QuerySet[Any],
    *,
    value: Expression | str,
    quantiles: Sequence[float],
    group_by: Sequence[str] = (),
) -> dict[tuple[Any, ...], dict[float, float | None]]:
    """Percentiles of ``value`` over ``queryset``, per group (key: the group values).

    One query on either backend. Rows whose value is NULL are ignored.
    """
    from django.db.models import F

    expr = F(value) if isinstance(value, str) else value
    base = queryset.annotate(_pc_value=expr).filter(_pc_value__isnull=False)
    if supports_percentile(queryset):
        aggregates = {f"p{i}": PercentileCont("_pc_value", q) for i, q in enumerate(quantiles)}
        if group_by:
            rows = base.values(*group_by).annotate(**aggregates).order_by()
        else:
            rows = [base.aggregate(**aggregates)]
        result: dict[tuple[Any, ...], dict[float, float | None]] = {}
        for row in rows:
            key = tuple(row[g] for g in group_by)
            if all(row[f"p{i}"] is None for i in range(len(quantiles))):
                continue
            result[key] = {q: row[f"p{i}"] for i, q in enumerate(quantiles)}
        return result
    groups: dict[tuple[Any, ...], list[float]] = defaultdict(list)
    for row in base.values_list(*group_by, "_pc_value").order_by(*group_by, "_pc_value"):
        groups[tuple(row[:-1])].append(row[-1])
    return {key: {q: interpolate(values, q) for q in quantiles} for key, values in groups.items()}
