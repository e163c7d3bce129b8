"""SQL building blocks of the dashboard: working days, day counts, local dates.

Working days are counted in SQL without a calendar join: the working-day ordinals of
the dates in play (built in Python from the memoized calendar) travel as one array
parameter, and ``ordinal(b) - ordinal(a)`` is the number of working days in (a, b], as
``deadlines.workdays_between`` counts them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection
from django.db.models import Func, IntegerField
from django.db.models.functions import TruncDate
from django.utils import timezone

from cases import deadlines


@dataclass(frozen=True)
class WorkdayWindow:
    """Working-day ordinals for the days ``first`` .. ``first + len(ordinals) - 1``.

    ``ordinals[i]`` counts the working days in (first, first + i]. Years without a
    holiday notice count Monday to Friday (the lenient calendar), as the clocks do.
    """

    first: date
    ordinals: tuple[int, ...]

    @classmethod
    def build(cls, first: date, last: date, calendar: deadlines.WorkCalendar) -> WorkdayWindow:
        lenient = calendar.lenient()
        ordinals, count, day = [0], 0, first
        while day < last:
            day += deadlines.ONE_DAY
            count += lenient.is_workday(day)
            ordinals.append(count)
        return cls(first=first, ordinals=tuple(ordinals))


def workday_window(first: date, last: date) -> WorkdayWindow:
    from cases.calendar import get_work_calendar

    return WorkdayWindow.build(first, last, get_work_calendar())


class WorkdayOrdinal(Func):
    """The working-day ordinal of a date expression in a ``WorkdayWindow`` (NULL outside)."""

    output_field = IntegerField()

    def __init__(self, expression: Any, *, window: WorkdayWindow) -> None:
        super().__init__(expression)
        self.window = window

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        # SQLite: index a JSON array.
        sql, params = compiler.compile(self.source_expressions[0])
        return (
            f"json_extract(%s, '$[' || CAST(julianday({sql}) - julianday(%s) AS INTEGER) || ']')",
            [json.dumps(self.window.ordinals), *params, self.window.first.isoformat()],
        )

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        sql, params = compiler.compile(self.source_expressions[0])
        return (
            f"(%s::integer[])[({sql}) - %s::date + 1]",
            [list(self.window.ordinals), *params, self.window.first],
        )


class DaysBetween(Func):
    """Calendar days from the first date expression to the second."""

    output_field = IntegerField()
    arity = 2

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        start, start_params = compiler.compile(self.source_expressions[0])
        end, end_params = compiler.compile(self.source_expressions[1])
        return (
            f"CAST(julianday({end}) - julianday({start}) AS INTEGER)",
            [*end_params, *start_params],
        )

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        start, start_params = compiler.compile(self.source_expressions[0])
        end, end_params = compiler.compile(self.source_expressions[1])
        return f"(({end}) - ({start}))", [*end_params, *start_params]


def local_date(name: str) -> TruncDate:
    """The local (``TIME_ZONE``) date of a datetime column."""
    return TruncDate(name, tzinfo=timezone.get_current_timezone())


def tune_for_aggregates() -> None:
    """Settings for the dashboard's transaction (PostgreSQL; this transaction only).

    JIT compiles these aggregates, whose cost estimates pass its threshold at a few
    thousand cases, for longer than they then run (1.5 s compiling a 0.2 s query,
    measured). The percentile sorts of a big center's year spill to disk at the default
    4 MB of ``work_mem``.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("SET LOCAL work_mem = '64MB'")
