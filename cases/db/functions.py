"""SQL functions shared by services and selectors: local dates, day counts, working days.

Working days are counted in SQL without a calendar join: the working-day ordinals of
the dates in play (built in Python from the calendar) travel as one array parameter, and
``ordinal(b) - ordinal(a)`` is the number of working days in (a, b], as
``deadlines.workdays_between`` counts them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Func, IntegerField
from django.db.models.functions import TruncDate
from django.utils import timezone

from cases import deadlines


def local_date(name: str) -> TruncDate:
    """The local (``TIME_ZONE``) date of a datetime column."""
    return TruncDate(name, tzinfo=timezone.get_current_timezone())


class DaysBetween(Func):
    """Calendar days from the first date expression to the second (NULL if either is)."""

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
